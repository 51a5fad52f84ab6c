#!/usr/bin/env bash
# The stateful differential test (tests/differential/fs_differential.py:
# hypothesis, slicefs mount vs tmpfs, several users) for a bounded time.
#   tests/differential_test.sh PATH/TO/slicefs [MINUTES]
# `make soak SOAK_MINUTES=N` runs it long. The seed is printed; a mismatch
# prints the shrunk steps and the command that replays them.
set -uo pipefail
SLICEFS=${1:?usage: differential_test.sh SLICEFS_BINARY [MINUTES]}
MINUTES=${2:-${SLICEFS_DIFF_MINUTES:-2}}
PY=/usr/bin/python3  # Debian's python3 with python3-hypothesis, not a pyenv one
skip() {
  [ "${CI:-}" = "true" ] && { echo "FAIL: $1" >&2; exit 1; }
  echo "SKIP: $1"; exit 0
}
"$PY" -c 'import hypothesis' 2>/dev/null || skip "python3-hypothesis missing (scripts/install-deps.sh)"
[ "$(id -u)" = 0 ] || skip "needs root (tmpfs and FUSE mounts, setresuid)"
[ -e /dev/fuse ] || skip "/dev/fuse missing"
exec nice -n 5 "$PY" "$(dirname "$0")/differential/fs_differential.py" --slicefs "$SLICEFS" --minutes "$MINUTES" \
  --db "${TMPDIR:-/tmp}/slicefs-diff-db"
