#!/usr/bin/env bash
# Runs the whole test suite from a configured build directory ($1, default build).
# Every test binary is one ctest test; real servers (redis, postgres, etcd,
# s3rver) are started by the tests themselves through scripts/servers/.
set -uo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build}
export SLICEFS_BIN="$PWD/$BUILD/slicefs"
cd "$BUILD" || exit 1
ctest --output-on-failure --timeout 1500 ${CTEST_ARGS:-}
