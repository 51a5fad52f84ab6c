#!/usr/bin/env bash
# The S3 gateway vs a mount of the same volume vs s3rver itself (issue #15):
#   bench/gateway_bench.sh PATH/TO/slicefs [SIZE_MIB] [SMALL_FILES]
# One volume on a local s3rver, mounted, and served by `slicefs gateway`.
# SIZE_MIB (default 1024) in one object: PUT and GET with the AWS CLI through
# the gateway, cp into and out of the mount, and the AWS CLI straight
# against s3rver. SMALL_FILES (default 1000) 4 KiB objects the same three
# ways (aws s3 cp --recursive; cp -r). Reads come after a restart of the
# mount / gateway (fresh memory cache, no disk cache). Goal: gateway >= 80%
# of the mount. Prints a markdown table; everything runs in a temp dir.
set -uo pipefail
SLICEFS=${1:?usage: gateway_bench.sh SLICEFS [SIZE_MIB] [SMALL_FILES]}
SLICEFS=$(cd "$(dirname "$SLICEFS")" && pwd)/$(basename "$SLICEFS")
SIZE_MIB=${2:-1024}
NSMALL=${3:-1000}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/gwbench-XXXXXX")
MNT="$WORK/mnt"
mkdir -p "$MNT" "$WORK/small"
AWS=$(command -v /usr/bin/aws || command -v aws)
export AWS_DEFAULT_REGION=us-east-1 AWS_PAGER=""
GW_PID=""
META="sqlite3://$WORK/meta.db"

stop_gw() { if [ -n "$GW_PID" ]; then kill -TERM "$GW_PID" 2>/dev/null; wait "$GW_PID" 2>/dev/null; GW_PID=""; fi; }
umount_vol() { mountpoint -q "$MNT" && { "$SLICEFS" umount "$MNT" >/dev/null 2>&1 || fusermount3 -u "$MNT"; }; }
cleanup() { stop_gw; umount_vol; "$ROOT/scripts/servers/stop.sh" "$WORK/s3" >/dev/null 2>&1; rm -rf "$WORK"; }
trap cleanup EXIT

EP=$("$ROOT/scripts/servers/start-s3rver.sh" "$WORK/s3") || { echo "cannot start s3rver" >&2; exit 1; }
s3rver() { AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER "$AWS" --endpoint-url "$EP" "$@"; }
s3rver s3 mb s3://gwbench >/dev/null && s3rver s3 mb s3://direct >/dev/null
"$SLICEFS" format "$META" gwbench --storage s3 --bucket "$EP/gwbench" --access-key S3RVER --secret-key S3RVER \
  --trash-days 0 >/dev/null || exit 1
GWPORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
start_gw() {
  SLICEFS_GATEWAY_ACCESS_KEY=bench SLICEFS_GATEWAY_SECRET_KEY=benchsecret META_PASSWORD= \
    "$SLICEFS" gateway "$META" "127.0.0.1:$GWPORT" --no-metrics >"$WORK/gw.log" 2>&1 &
  GW_PID=$!
  for _ in $(seq 1 100); do grep -q serving "$WORK/gw.log" && return 0; sleep 0.1; done
  echo "gateway did not start" >&2; cat "$WORK/gw.log" >&2; return 1
}
gw() { AWS_ACCESS_KEY_ID=bench AWS_SECRET_ACCESS_KEY=benchsecret "$AWS" --endpoint-url "http://127.0.0.1:$GWPORT" "$@"; }
mount_vol() { "$SLICEFS" mount "$META" "$MNT" -d --no-metrics --log "$WORK/mount.log" >/dev/null; }

head -c $((SIZE_MIB << 20)) /dev/urandom > "$WORK/big.bin"
SUM=$(md5sum < "$WORK/big.bin" | cut -d' ' -f1)
for i in $(seq 1 "$NSMALL"); do head -c 4096 /dev/urandom > "$WORK/small/f$i"; done
now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$(now)" 'BEGIN{print b-a}'; }
mibs() { awk -v m="$SIZE_MIB" -v s="$1" 'BEGIN{printf "%.1f", m/s}'; }
fps() { awk -v n="$NSMALL" -v s="$1" 'BEGIN{printf "%.0f", n/s}'; }
row() { printf "| %s | %s | %s | %s | %s | %s |\n" "$@"; }

echo "| path | 1 object PUT MiB/s | GET MiB/s | small PUT objects/s | small GET objects/s | intact |"
echo "|---|---|---|---|---|---|"

# mount
mount_vol || exit 1
t=$(now); cp "$WORK/big.bin" "$MNT/m-big.bin" && sync -f "$MNT/m-big.bin"; w=$(secs "$t")
t=$(now); cp -r "$WORK/small" "$MNT/m-small" && sync -f "$MNT/m-small"; sw=$(secs "$t")
umount_vol; mount_vol || exit 1
t=$(now); s=$(md5sum < "$MNT/m-big.bin" | cut -d' ' -f1); r=$(secs "$t")
t=$(now); cat "$MNT"/m-small/* > /dev/null; sr=$(secs "$t")
row mount "$(mibs "$w")" "$(mibs "$r")" "$(fps "$sw")" "$(fps "$sr")" "$([ "$s" = "$SUM" ] && echo yes || echo NO)"
umount_vol

# gateway
start_gw || exit 1
t=$(now); gw s3 cp "$WORK/big.bin" s3://gwbench/g-big.bin --only-show-errors; w=$(secs "$t")
t=$(now); gw s3 cp --recursive "$WORK/small" s3://gwbench/g-small --only-show-errors; sw=$(secs "$t")
stop_gw; start_gw || exit 1
t=$(now); gw s3 cp s3://gwbench/g-big.bin "$WORK/g-back.bin" --only-show-errors; r=$(secs "$t")
t=$(now); gw s3 cp --recursive s3://gwbench/g-small "$WORK/g-small" --only-show-errors; sr=$(secs "$t")
s=$(md5sum < "$WORK/g-back.bin" | cut -d' ' -f1); rm -f "$WORK/g-back.bin"
row "gateway (aws cli)" "$(mibs "$w")" "$(mibs "$r")" "$(fps "$sw")" "$(fps "$sr")" "$([ "$s" = "$SUM" ] && echo yes || echo NO)"
stop_gw

# s3rver directly
t=$(now); s3rver s3 cp "$WORK/big.bin" s3://direct/big.bin --only-show-errors; w=$(secs "$t")
t=$(now); s3rver s3 cp --recursive "$WORK/small" s3://direct/small --only-show-errors; sw=$(secs "$t")
t=$(now); s3rver s3 cp s3://direct/big.bin "$WORK/d-back.bin" --only-show-errors; r=$(secs "$t")
t=$(now); s3rver s3 cp --recursive s3://direct/small "$WORK/d-small" --only-show-errors; sr=$(secs "$t")
s=$(md5sum < "$WORK/d-back.bin" | cut -d' ' -f1)
row "s3rver (aws cli)" "$(mibs "$w")" "$(mibs "$r")" "$(fps "$sw")" "$(fps "$sr")" "$([ "$s" = "$SUM" ] && echo yes || echo NO)"
