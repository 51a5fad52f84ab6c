#!/usr/bin/env bash
# WebDAV vs the mount on the same volume (file storage on local disk):
#
#   bench/webdav_bench.sh BUILD/slicefs [WORKDIR]
#
# 1 GiB PUT and GET through `slicefs webdav` (curl, one connection) next to
# the same file written and read through a mount (dd, 1 MiB blocks, cold
# read: caches dropped, remounted); then 1,000 x 128 KiB files PUT and GET
# (one curl process, keep-alive) next to cp into / out of the mount. Prints
# a markdown table (MiB/s, files/s). Needs root (mount, drop_caches). Run
# on a quiet machine; SIZE_MIB and FILES override 1024 and 1000.
set -euo pipefail
BIN=$(readlink -f "${1:?usage: webdav_bench.sh SLICEFS_BIN [WORKDIR]}")
W=${2:-/tmp/slicefs-webdav-bench}
SIZE_MIB=${SIZE_MIB:-1024}
FILES=${FILES:-1000}
rm -rf "$W"; mkdir -p "$W"; W=$(readlink -f "$W")
META="sqlite3://$W/meta.db"
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
URL="http://127.0.0.1:$PORT"
DAV_PID=""
cleanup() {
  grep -qs " $W/mnt " /proc/self/mounts && { fusermount3 -u "$W/mnt" || fusermount3 -uz "$W/mnt" || true; }
  [ -n "$DAV_PID" ] && kill "$DAV_PID" 2>/dev/null && wait "$DAV_PID" 2>/dev/null || true
}
trap cleanup EXIT
drop_caches() { sync; echo 3 > /proc/sys/vm/drop_caches; }
now() { date +%s.%N; }
rate() { python3 -c "import sys; print(f'{float(sys.argv[1])/(float(sys.argv[3])-float(sys.argv[2])):.1f}')" "$@"; }

"$BIN" format "$META" bench --storage file --bucket "$W/bucket" --trash-days 0 >/dev/null
mkdir -p "$W/mnt" "$W/local/small" "$W/back"
mount_sfs() { "$BIN" mount -d "$META" "$W/mnt" --cache-dir "$W/cache-mnt" --log "$W/mount.log" --no-metrics >/dev/null; }
umount_sfs() { "$BIN" umount "$W/mnt"; rm -rf "$W/cache-mnt"; }
start_dav() {
  "$BIN" webdav "$META" "127.0.0.1:$PORT" --cache-dir "$W/cache-dav" --log "$W/webdav.log" --no-metrics 2>/dev/null &
  DAV_PID=$!
  for _ in $(seq 200); do curl -s -o /dev/null "$URL/" && return; sleep 0.05; done
  echo "webdav did not start" >&2; exit 1
}
stop_dav() { kill "$DAV_PID"; wait "$DAV_PID" || true; DAV_PID=""; rm -rf "$W/cache-dav"; }

head -c $((SIZE_MIB << 20)) /dev/urandom > "$W/local/big"
for i in $(seq "$FILES"); do head -c $((128 << 10)) /dev/urandom > "$W/local/small/f$i"; done
small_put_args() { for i in $(seq "$FILES"); do printf -- '-T\n%s\n%s\n' "$W/local/small/f$i" "$URL/$1/f$i"; done; }
small_get_args() { for i in $(seq "$FILES"); do printf -- '-o\n%s\n%s\n' "$W/back/f$i" "$URL/$1/f$i"; done; }
SMALL_MIB=$(( FILES * 128 / 1024 ))

# ---- mount ----
mount_sfs
t0=$(now); dd if="$W/local/big" of="$W/mnt/big" bs=1M conv=fsync status=none; t1=$(now)
m_put=$(rate "$SIZE_MIB" "$t0" "$t1")
umount_sfs; drop_caches; mount_sfs
t0=$(now); dd if="$W/mnt/big" of=/dev/null bs=1M status=none; t1=$(now)
m_get=$(rate "$SIZE_MIB" "$t0" "$t1")
mkdir "$W/mnt/small"
t0=$(now); cp "$W/local/small/"* "$W/mnt/small/"; sync -f "$W/mnt/small"; t1=$(now)
m_sput=$(rate "$FILES" "$t0" "$t1")
umount_sfs; drop_caches; mount_sfs
t0=$(now); cat "$W/mnt/small/"* > /dev/null; t1=$(now)
m_sget=$(rate "$FILES" "$t0" "$t1")
umount_sfs

# ---- webdav ----
start_dav
t0=$(now); curl -s -f -T "$W/local/big" "$URL/big2" -o /dev/null; t1=$(now)
d_put=$(rate "$SIZE_MIB" "$t0" "$t1")
stop_dav; drop_caches; start_dav
t0=$(now); curl -s -f "$URL/big2" -o /dev/null; t1=$(now)
d_get=$(rate "$SIZE_MIB" "$t0" "$t1")
curl -s -f -X MKCOL "$URL/small2" -o /dev/null
small_put_args small2 > "$W/put.args"
t0=$(now); xargs -d '\n' -a "$W/put.args" curl -s -f -o /dev/null; t1=$(now)
d_sput=$(rate "$FILES" "$t0" "$t1")
stop_dav; drop_caches; start_dav
small_get_args small2 > "$W/get.args"
t0=$(now); xargs -d '\n' -a "$W/get.args" curl -s -f; t1=$(now)
d_sget=$(rate "$FILES" "$t0" "$t1")
stop_dav
cmp "$W/local/small/f1" "$W/back/f1"

echo "| operation | mount | webdav | webdav / mount |"
echo "|---|---|---|---|"
ratio() { python3 -c "import sys; print(f'{float(sys.argv[2])/float(sys.argv[1])*100:.0f}%')" "$1" "$2"; }
echo "| ${SIZE_MIB} MiB write/PUT (MiB/s) | $m_put | $d_put | $(ratio "$m_put" "$d_put") |"
echo "| ${SIZE_MIB} MiB cold read/GET (MiB/s) | $m_get | $d_get | $(ratio "$m_get" "$d_get") |"
echo "| ${FILES} x 128 KiB write/PUT (files/s) | $m_sput | $d_sput | $(ratio "$m_sput" "$d_sput") |"
echo "| ${FILES} x 128 KiB cold read/GET (files/s) | $m_sget | $d_sget | $(ratio "$m_sget" "$d_sget") |"
echo "(${SMALL_MIB} MiB of small files; file storage under $W)"
