#!/usr/bin/env bash
# Runs the POSIX-corner suites of posix_tests (open flags against the local
# disk, F_GETLK reports and deadlocks, flock/fcntl, chattr flags,
# concurrency on one mount) with the volume's
# metadata on redis (SLICEFS_TEST_ENGINE=redis, see tests/support/mount.cc);
# the whole suite runs on sqlite3 in posix_tests itself.
#   tests/posix_redis_test.sh PATH/TO/slicefs [GTEST-ARGS...]
SLICEFS_TEST_ENGINE=redis exec bash "$(dirname "$0")/support/run_posix_tests.sh" \
  "${1:?usage: posix_redis_test.sh SLICEFS_BINARY}" \
  --gtest_filter='OpenFlagsTest.*:LockReportTest.*:LockTest.*:InodeFlagsTest.*:ConcurrencyTest.*' "${@:2}"
