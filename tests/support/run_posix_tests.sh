#!/usr/bin/env bash
# Shared body of the tests/posix_*_test.sh variants: runs posix_tests (built
# beside the slicefs binary) with the caller's environment (SLICEFS_TEST_*,
# see tests/support/mount.cc) and extra gtest arguments.
#   run_posix_tests.sh PATH/TO/slicefs [GTEST-ARGS...]
set -uo pipefail
SLICEFS=${1:?usage: run_posix_tests.sh SLICEFS_BINARY [GTEST-ARGS...]}
shift
BIN="$(dirname "$SLICEFS")/posix_tests"
if [ ! -x "$BIN" ]; then
  [ "${CI:-}" = "true" ] && { echo "FAIL: $BIN not built" >&2; exit 1; }
  echo "SKIP: $BIN not built"; exit 0
fi
exec "$BIN" --gtest_color=no "$@"
