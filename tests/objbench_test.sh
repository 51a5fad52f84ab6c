#!/usr/bin/env bash
# objbench against a real s3rver: the functional check passes, the table has
# every row with non-zero figures; a wrong endpoint and a wrong access key
# give a one-line error and a non-zero exit, quickly.
#   tests/objbench_test.sh PATH/TO/slicefs
set -uo pipefail
SLICEFS=${1:?usage: objbench_test.sh SLICEFS_BINARY}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/objbench-test-XXXXXX")
cleanup() { "$ROOT/scripts/servers/stop.sh" "$WORK/s3"; rm -rf "$WORK"; }
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

if [ ! -x "$ROOT/.deps/node_modules/.bin/s3rver" ]; then
  [ "${CI:-}" = "true" ] && fail "s3rver not installed"
  echo "SKIP: s3rver not installed (run scripts/install-deps.sh)"; exit 0
fi
EP=$("$ROOT/scripts/servers/start-s3rver.sh" "$WORK/s3") || fail "cannot start s3rver"

# 1. A working store: functional check and a full table.
OUT="$WORK/out.txt"
"$SLICEFS" objbench --storage s3 --bucket "$EP/objbench" --access-key S3RVER --secret-key S3RVER \
  --small-count 50 --big-count 4 -p 4 >"$OUT" 2>&1 || { cat "$OUT"; fail "objbench on s3rver failed"; }
cat "$OUT"
grep -q '^functional check: OK' "$OUT" || fail "no functional check line"
for item in "put small" "get small" "list" "delete small" "put big" "get big" "delete big"; do
  line=$(grep -E "^\| $item +\|" "$OUT") || fail "row '$item' missing"
  count=$(echo "$line" | awk -F'|' '{gsub(/ /,"",$4); print $4}')
  thr=$(echo "$line" | awk -F'|' '{print $5}' | awk '{print $1}')
  ops=$(echo "$line" | awk -F'|' '{gsub(/ /,"",$6); print $6}')
  avg=$(echo "$line" | awk -F'|' '{gsub(/ /,"",$7); print $7}')
  [ "$count" -gt 0 ] 2>/dev/null || fail "row '$item': count '$count'"
  for v in "$thr" "$ops" "$avg"; do
    awk -v x="$v" 'BEGIN { exit !(x + 0 > 0) }' || fail "row '$item' has a zero or missing figure: $line"
  done
done
grep -E '^\| put big +\| 4 MiB' "$OUT" >/dev/null || fail "big objects are not 4 MiB"
# Everything it wrote was deleted again.
LEFT=$(AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER aws --endpoint-url "$EP" s3 ls --recursive s3://objbench 2>&1 | wc -l)
[ "$LEFT" -eq 0 ] || fail "objbench left $LEFT objects behind"

# 2. Unreachable endpoint: one line on stderr, non-zero exit, fast.
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
START=$(date +%s)
"$SLICEFS" objbench --storage s3 --bucket "http://127.0.0.1:$PORT/b" --access-key S3RVER --secret-key S3RVER \
  >"$WORK/o2" 2>"$WORK/e2" && fail "objbench on a dead endpoint exited 0"
[ $(( $(date +%s) - START )) -le 20 ] || fail "dead endpoint took too long"
[ "$(wc -l <"$WORK/e2")" -eq 1 ] || { cat "$WORK/e2"; fail "expected one error line"; }
grep -q "127.0.0.1:$PORT" "$WORK/e2" || { cat "$WORK/e2"; fail "error does not name the endpoint"; }
cat "$WORK/e2"

# 3. Wrong access key: one line naming the problem, non-zero exit.
"$SLICEFS" objbench --storage s3 --bucket "$EP/objbench" --access-key NOPE --secret-key NOPE \
  >"$WORK/o3" 2>"$WORK/e3" && fail "objbench with a wrong key exited 0"
[ "$(wc -l <"$WORK/e3")" -eq 1 ] || { cat "$WORK/e3"; fail "expected one error line"; }
grep -qi "access" "$WORK/e3" || { cat "$WORK/e3"; fail "error does not mention the access key"; }
cat "$WORK/e3"

# 4. A malformed URL: one line, non-zero exit.
"$SLICEFS" objbench --storage s3 --bucket "ftp://x/y" --access-key a --secret-key b >/dev/null 2>"$WORK/e4" \
  && fail "malformed URL accepted"
[ "$(wc -l <"$WORK/e4")" -eq 1 ] || { cat "$WORK/e4"; fail "expected one error line"; }
echo "objbench_test: OK"
