#!/usr/bin/env bash
# slicefs vs s3fs-fuse vs rclone mount, all on the same local s3rver.
#   bench/s3_bench.sh PATH/TO/slicefs [SIZE_MIB] [SMALL_FILES]
# SIZE_MIB (default 1024): one file written then read sequentially.
# SMALL_FILES (default 1000): 4 KiB files written, then read back.
# Every file system is unmounted and remounted between write and read, so the
# reads come from the S3 server (slicefs gets a fresh, empty --cache-dir).
# (rclone runs without $AWS_CA_BUNDLE: rclone 1.60 fails to start with it set.)
# slicefs-writeback is slicefs with `mount --writeback`: its small-file
# write time ends when close returns (blocks staged); the unmount before the
# read phase waits for the uploads (--writeback-wait 600).
# Prints a markdown table. Everything runs in a temp dir and is cleaned up.
set -uo pipefail
SLICEFS=${1:?usage: s3_bench.sh SLICEFS [SIZE_MIB] [SMALL_FILES]}
SLICEFS=$(cd "$(dirname "$SLICEFS")" && pwd)/$(basename "$SLICEFS")
SIZE_MIB=${2:-1024}
NSMALL=${3:-1000}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/s3bench-XXXXXX")
MNT="$WORK/mnt"
mkdir -p "$MNT"
export AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER
RCLONE_PID=""
S3FS_PID=""

unmount() {
  if mountpoint -q "$MNT"; then
    if [[ "$1" == slicefs* ]]; then "$SLICEFS" umount --wait 900 "$MNT" >/dev/null 2>&1 || fusermount3 -u "$MNT"
    else fusermount3 -u "$MNT" 2>/dev/null || fusermount -u "$MNT" 2>/dev/null; fi
  fi
  for p in $RCLONE_PID $S3FS_PID; do
    for _ in $(seq 1 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
  done
  RCLONE_PID=""; S3FS_PID=""
}
cleanup() {
  for fs in slicefs s3fs rclone; do unmount "$fs"; done
  "$ROOT/scripts/servers/stop.sh" "$WORK/s3"
  rm -rf "$WORK"
}
trap cleanup EXIT

EP=$("$ROOT/scripts/servers/start-s3rver.sh" "$WORK/s3") || { echo "cannot start s3rver" >&2; exit 1; }
HOSTPORT=${EP#http://}
echo "s3rver at $EP; file ${SIZE_MIB} MiB, ${NSMALL} small files" >&2

head -c $((SIZE_MIB << 20)) /dev/urandom > "$WORK/src.bin"
SRC_SUM=$(md5sum < "$WORK/src.bin" | cut -d' ' -f1)
cat > "$WORK/small.py" <<'PY'
import os, sys, time
mode, d, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
data = os.urandom(4096)
t0 = time.time()
if mode == "write":
    os.makedirs(d, exist_ok=True)
    for i in range(n):
        with open(os.path.join(d, "f%05d" % i), "wb") as f:
            f.write(data)
else:
    total = 0
    for i in range(n):
        with open(os.path.join(d, "f%05d" % i), "rb") as f:
            total += len(f.read())
    assert total == 4096 * n, total
print("%.3f" % (time.time() - t0))
PY

mount_fs() {  # name bucket
  local fs=$1 bucket=$2
  case $fs in
    slicefs|slicefs-writeback)
      local wb=(); [ "$fs" = slicefs-writeback ] && wb=(--writeback --writeback-wait 600)
      rm -rf "$WORK/cache"; mkdir -p "$WORK/cache"
      "$SLICEFS" mount "sqlite3://$WORK/meta-$bucket.db" "$MNT" -d --cache-dir "$WORK/cache" \
        --log "$WORK/slicefs.log" "${wb[@]}" >/dev/null ;;
    s3fs)
      echo "S3RVER:S3RVER" > "$WORK/passwd"; chmod 600 "$WORK/passwd"
      s3fs "$bucket" "$MNT" -o url="$EP" -o use_path_request_style -o passwd_file="$WORK/passwd" \
        -o nomixupload -o parallel_count=4 -o multipart_size=8 -f >"$WORK/s3fs.log" 2>&1 &
      S3FS_PID=$!
      for _ in $(seq 1 100); do mountpoint -q "$MNT" && break; sleep 0.1; done ;;
    rclone)
      env -u AWS_CA_BUNDLE rclone mount ":s3,provider=Other,endpoint='$EP',access_key_id=S3RVER,secret_access_key=S3RVER,force_path_style=true:$bucket" \
        "$MNT" --vfs-cache-mode off --s3-upload-concurrency 4 --s3-chunk-size 8M --dir-cache-time 1s \
        >"$WORK/rclone.log" 2>&1 &
      RCLONE_PID=$!
      for _ in $(seq 1 100); do mountpoint -q "$MNT" && break; sleep 0.1; done ;;
  esac
  mountpoint -q "$MNT" || { echo "$fs: mount failed" >&2; return 1; }
}

now() { date +%s.%N; }
rate() { awk -v b="$1" -v s="$2" 'BEGIN { printf "%.1f", b / s }'; }

run_one() {
  local fs=$1 bucket="bench-$1"
  aws --endpoint-url "$EP" s3 mb "s3://$bucket" >/dev/null 2>&1
  if [[ "$fs" == slicefs* ]]; then
    "$SLICEFS" format "sqlite3://$WORK/meta-$bucket.db" benchvol --storage s3 --bucket "$EP/$bucket" \
      --access-key S3RVER --secret-key S3RVER >/dev/null || return 1
  fi
  mount_fs "$fs" "$bucket" || return 1
  local t0 t1 wsec rsec sw sr ok
  t0=$(now)
  dd if="$WORK/src.bin" of="$MNT/big.bin" bs=1M conv=fsync status=none || { echo "$fs: write failed" >&2; unmount "$fs"; return 1; }
  t1=$(now); wsec=$(awk -v a="$t0" -v b="$t1" 'BEGIN{print b-a}')
  sw=$(python3 "$WORK/small.py" write "$MNT/small" "$NSMALL") || sw=nan
  unmount "$fs"; mount_fs "$fs" "$bucket" || return 1
  t0=$(now)
  local sum; sum=$(dd if="$MNT/big.bin" bs=1M status=none | md5sum | cut -d' ' -f1)
  t1=$(now); rsec=$(awk -v a="$t0" -v b="$t1" 'BEGIN{print b-a}')
  sr=$(python3 "$WORK/small.py" read "$MNT/small" "$NSMALL") || sr=nan
  ok=yes; [ "$sum" = "$SRC_SUM" ] || ok=NO
  unmount "$fs"
  printf "| %s | %s | %s | %s | %s | %s |\n" "$fs" "$(rate "$SIZE_MIB" "$wsec")" "$(rate "$SIZE_MIB" "$rsec")" \
    "$(awk -v n="$NSMALL" -v s="$sw" 'BEGIN{ if (s+0>0) printf "%.0f", n/s; else print "failed" }')" \
    "$(awk -v n="$NSMALL" -v s="$sr" 'BEGIN{ if (s+0>0) printf "%.0f", n/s; else print "failed" }')" "$ok"
}

echo "| file system | seq write MiB/s | seq read MiB/s | small write files/s | small read files/s | data intact |"
echo "|---|---|---|---|---|---|"
for fs in ${BENCH_FS:-slicefs slicefs-writeback s3fs rclone}; do
  run_one "$fs" || echo "| $fs | failed (see stderr) | | | | |"
done
