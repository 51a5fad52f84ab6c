#!/usr/bin/env bash
# Runs the POSIX-corner suites of posix_tests (open flags against the local
# disk, lock reports and deadlocks, inode flags) with the volume's metadata
# on redis (SLICEFS_TEST_ENGINE=redis, see tests/support/mount.cc); the
# whole suite runs on sqlite3 in posix_tests itself.
#   tests/posix_redis_test.sh PATH/TO/slicefs
set -uo pipefail
SLICEFS=${1:?usage: posix_redis_test.sh SLICEFS_BINARY}
BIN="$(dirname "$SLICEFS")/posix_tests"
if [ ! -x "$BIN" ]; then
  [ "${CI:-}" = "true" ] && { echo "FAIL: $BIN not built" >&2; exit 1; }
  echo "SKIP: $BIN not built"; exit 0
fi
SLICEFS_TEST_ENGINE=redis exec "$BIN" --gtest_color=no \
  --gtest_filter='OpenFlagsTest.*:LockReportTest.*:DeadlockTest.*:InodeFlagsTest.*:LockTest.*'
