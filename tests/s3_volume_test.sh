#!/usr/bin/env bash
# A volume on s3rver storage, end to end through the FUSE mount:
#  - format with a wrong access key / an unreachable endpoint fails fast with
#    one clear line;
#  - copy a tree in, unmount, remount (fresh cache), checksums equal;
#  - `aws s3 ls --recursive` shows the objects in the documented layout
#    {volume}/chunks/{id/1000000}/{id/1000}/{id}_{block}_{blocksize}, each
#    object exactly {blocksize} bytes;
#  - the S3 server stops and restarts during a stream of fsync'd writes:
#    each write succeeds or fails with an error, and after a remount every
#    file whose write succeeded reads back exactly;
#  - mount with the S3 server down fails with one line in bounded time.
#   tests/s3_volume_test.sh PATH/TO/slicefs
set -uo pipefail
SLICEFS=${1:?usage: s3_volume_test.sh SLICEFS_BINARY}
SLICEFS=$(cd "$(dirname "$SLICEFS")" && pwd)/$(basename "$SLICEFS")
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/s3vol-test-XXXXXX")
MNT="$WORK/mnt"
mkdir -p "$MNT"
export AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER
cleanup() {
  if mountpoint -q "$MNT"; then "$SLICEFS" umount "$MNT" >/dev/null 2>&1 || fusermount3 -u "$MNT"; fi
  "$ROOT/scripts/servers/stop.sh" "$WORK/s3"
  rm -rf "$WORK"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; [ -f "$WORK/mount.log" ] && tail -20 "$WORK/mount.log" >&2; exit 1; }
skip() {
  [ "${CI:-}" = "true" ] && fail "required in CI: $*"
  echo "SKIP: $*"; exit 0
}

[ -x "$ROOT/.deps/node_modules/.bin/s3rver" ] || skip "s3rver not installed (scripts/install-deps.sh)"
"$SLICEFS" --help 2>/dev/null | grep -qE "^ +format( |$)" || skip "this build has no 'slicefs format' command yet"
[ -e /dev/fuse ] && command -v fusermount3 >/dev/null || skip "no FUSE on this machine"
EP=$("$ROOT/scripts/servers/start-s3rver.sh" "$WORK/s3") || fail "cannot start s3rver"
PORT=${EP##*:}
echo "s3rver at $EP"

one_line_fast() {  # what, then the command
  local what=$1; shift
  local t0; t0=$(date +%s)
  "$@" >"$WORK/out" 2>"$WORK/err" && fail "$what: format succeeded"
  [ $(( $(date +%s) - t0 )) -le 15 ] || fail "$what: took more than 15 s"
  [ "$(grep -c . "$WORK/err")" -eq 1 ] || { cat "$WORK/err"; fail "$what: expected exactly one error line"; }
  echo "$what -> $(cat "$WORK/err")"
}

# 1. Bad credentials and a dead endpoint.
one_line_fast "wrong access key" "$SLICEFS" format "sqlite3://$WORK/bad1.db" badvol --storage s3 \
  --bucket "$EP/badbucket" --access-key NOPE --secret-key NOPE
grep -qiE "access key|InvalidAccessKeyId|403" "$WORK/err" || fail "wrong key: message does not say so"
DEAD=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
one_line_fast "dead endpoint" "$SLICEFS" format "sqlite3://$WORK/bad2.db" badvol --storage s3 \
  --bucket "http://127.0.0.1:$DEAD/b" --access-key S3RVER --secret-key S3RVER
grep -q "127.0.0.1:$DEAD" "$WORK/err" || fail "dead endpoint: message does not name it"

# 2. Format (the bucket does not exist yet: format creates it) and mount.
META="sqlite3://$WORK/meta.db"
"$SLICEFS" format "$META" myvol --storage s3 --bucket "$EP/volbucket" --access-key S3RVER --secret-key S3RVER \
  || fail "format on s3rver"
domount() {
  rm -rf "$WORK/cache"
  "$SLICEFS" mount "$META" "$MNT" -d --cache-dir "$WORK/cache" --log "$WORK/mount.log" || fail "mount"
  mountpoint -q "$MNT" || fail "not mounted"
}
doumount() { "$SLICEFS" umount "$MNT" || fail "umount"; }
domount

# 3. Copy a tree in: the source tree plus files around block boundaries.
mkdir -p "$WORK/tree"
cp -r "$ROOT/src" "$WORK/tree/src"
head -c $((20 << 20)) /dev/urandom > "$WORK/tree/big20m"
head -c $((4 << 20)) /dev/urandom > "$WORK/tree/exact4m"
head -c $(((4 << 20) + 1)) /dev/urandom > "$WORK/tree/4m_plus_1"
head -c 1 /dev/urandom > "$WORK/tree/one"
: > "$WORK/tree/empty"
mkdir -p "$WORK/tree/deep/a/b/c" && echo hello > "$WORK/tree/deep/a/b/c/leaf"
cp -r "$WORK/tree/." "$MNT/" || fail "copy into the mount"
sums() { (cd "$1" && find . -type f -print0 | sort -z | xargs -0 md5sum); }
sums "$WORK/tree" > "$WORK/want"
doumount
domount
sums "$MNT" > "$WORK/got" || fail "reading back after remount"
diff "$WORK/want" "$WORK/got" >/dev/null || { diff "$WORK/want" "$WORK/got" | head; fail "checksums differ after remount"; }
echo "tree of $(wc -l < "$WORK/want") files intact after remount"
doumount

# 4. The objects, as a standard S3 client lists them.
aws --endpoint-url "$EP" s3 ls --recursive s3://volbucket > "$WORK/ls" || fail "aws s3 ls"
NCHUNK=0
while read -r day time size key; do
  case "$key" in
    myvol/slicefs_uuid|myvol/meta/*) ;;
    myvol/chunks/*)
      [[ "$key" =~ ^myvol/chunks/([0-9]+)/([0-9]+)/([0-9]+)_([0-9]+)_([0-9]+)$ ]] || fail "bad chunk key: $key"
      id=${BASH_REMATCH[3]}; bs=${BASH_REMATCH[5]}
      [ "${BASH_REMATCH[1]}" -eq $((id / 1000000)) ] && [ "${BASH_REMATCH[2]}" -eq $((id / 1000)) ] \
        || fail "directories of $key do not match its id"
      [ "$size" -eq "$bs" ] || fail "$key is $size bytes, its name says $bs"
      [ "$bs" -le $((4 << 20)) ] || fail "$key is larger than a block"
      NCHUNK=$((NCHUNK + 1)) ;;
    *) fail "unexpected object in the bucket: $key" ;;
  esac
done < "$WORK/ls"
grep -q "myvol/slicefs_uuid" "$WORK/ls" || fail "no myvol/slicefs_uuid"
[ "$NCHUNK" -ge 7 ] || fail "only $NCHUNK chunk objects"  # big20m alone needs 5 blocks
echo "aws s3 ls: $NCHUNK block objects in the documented layout"

# 5. The S3 server goes away during fsync'd writes and comes back.
domount
mkdir -p "$MNT/fault"
( for i in $(seq 1 40); do
    if head -c $((300 * 1024 + i)) /dev/urandom > "$WORK/f$i" &&
       dd if="$WORK/f$i" of="$MNT/fault/f$i" bs=64k conv=fsync status=none 2>/dev/null; then
      echo "$i" >> "$WORK/ok"
    else
      echo "$i" >> "$WORK/failed"
    fi
  done ) &
WRITER=$!
sleep 1
"$ROOT/scripts/servers/stop.sh" "$WORK/s3"
sleep 3
"$ROOT/scripts/servers/start-s3rver.sh" "$WORK/s3" "$PORT" >/dev/null || fail "restart s3rver"
wait "$WRITER"
NOK=$(wc -l < "$WORK/ok" 2>/dev/null || echo 0)
NFAILED=$(cat "$WORK/failed" 2>/dev/null | wc -l)
echo "during the outage: $NOK writes succeeded, $NFAILED failed"
[ "$NOK" -gt 0 ] || fail "no write succeeded"
doumount
domount
for i in $(cat "$WORK/ok"); do
  cmp -s "$WORK/f$i" "$MNT/fault/f$i" || fail "fault/f$i was written OK but reads back differently"
done
doumount

# 6. Mount with the S3 server down: one clear line, non-zero exit, bounded time.
"$ROOT/scripts/servers/stop.sh" "$WORK/s3"
T0=$(date +%s)
"$SLICEFS" mount "$META" "$MNT" -d --cache-dir "$WORK/cache" >"$WORK/out" 2>"$WORK/err" \
  && fail "mount succeeded with the S3 server down"
[ $(( $(date +%s) - T0 )) -le 60 ] || fail "mount with the server down took more than 60 s"
mountpoint -q "$MNT" && fail "mounted anyway"
[ "$(grep -c . "$WORK/err")" -eq 1 ] || { cat "$WORK/err"; fail "mount: expected one error line"; }
grep -q "127.0.0.1:$PORT" "$WORK/err" || { cat "$WORK/err"; fail "mount error does not name the endpoint"; }
echo "mount with the server down -> $(cat "$WORK/err")"
echo "s3_volume_test: OK"
