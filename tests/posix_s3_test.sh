#!/usr/bin/env bash
# Runs the POSIX suite with the volume's data on s3rver instead of a local
# directory (SLICEFS_TEST_STORAGE=s3, see tests/support/mount.cc).
#   tests/posix_s3_test.sh PATH/TO/slicefs
SLICEFS_TEST_STORAGE=s3 exec bash "$(dirname "$0")/support/run_posix_tests.sh" "${1:?usage: posix_s3_test.sh SLICEFS_BINARY}"
