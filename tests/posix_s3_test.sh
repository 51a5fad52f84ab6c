#!/usr/bin/env bash
# Runs the POSIX suite (posix_tests, built beside the slicefs binary) with
# the volume's data on s3rver instead of a local directory
# (SLICEFS_TEST_STORAGE=s3, see tests/support/mount.cc).
#   tests/posix_s3_test.sh PATH/TO/slicefs
set -uo pipefail
SLICEFS=${1:?usage: posix_s3_test.sh SLICEFS_BINARY}
BIN="$(dirname "$SLICEFS")/posix_tests"
if [ ! -x "$BIN" ]; then
  [ "${CI:-}" = "true" ] && { echo "FAIL: $BIN not built" >&2; exit 1; }
  echo "SKIP: $BIN not built"; exit 0
fi
SLICEFS_TEST_STORAGE=s3 exec "$BIN" --gtest_color=no
