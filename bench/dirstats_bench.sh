#!/usr/bin/env bash
# Cost of per-directory stats and quotas on small files through a mount:
# 1,000 x 128 KiB file writes, 5,000 empty creates and 2,000 mkdirs on an
# sqlite3 volume (file storage), with rate and the mount process' CPU time
# per operation (utime+stime from /proc). Run it with the binary before and
# after a change, alternating, several times: on a shared machine single
# runs vary by +-30 %.
#
#   bench/dirstats_bench.sh BUILD/slicefs LABEL [quota]
#
# With `quota`, each test directory has a (never reached) quota, so every
# operation also walks to its quota root and checks it.
set -euo pipefail
BIN=$(readlink -f "${1:?usage: dirstats_bench.sh SLICEFS_BIN LABEL [quota]}")
L=${2:-run}
W=$(mktemp -d "${TMPDIR:-/tmp}/slicefs-dirstats.XXXX")
META="sqlite3://$W/meta.db"
cleanup() {
  if grep -qs " $W/mnt " /proc/self/mounts; then "$BIN" umount "$W/mnt" || fusermount3 -uz "$W/mnt" || true; fi
  rm -rf "$W"
}
trap cleanup EXIT
"$BIN" format "$META" bench --storage file --bucket "$W/bucket" --trash-days 0 >/dev/null
mkdir -p "$W/mnt"
"$BIN" mount -d "$META" "$W/mnt" --cache-dir "$W/cache" --log "$W/mount.log" >/dev/null
cat > "$W/small.py" <<'PY'
import os, sys, time
d, mode, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
buf = os.urandom(128 << 10)
os.makedirs(d, exist_ok=True)
t = time.time()
if mode == "write":
    for i in range(n):
        with open(f"{d}/f{i}", "wb") as f: f.write(buf)
elif mode == "create":
    for i in range(n): open(f"{d}/s{i}", "wb").close()
elif mode == "mkdir":
    for i in range(n): os.mkdir(f"{d}/m{i}")
print(f"{n / (time.time() - t):.1f}")
PY
if [ "${3:-}" = quota ]; then
  mkdir -p "$W/mnt/small" "$W/mnt/many" "$W/mnt/dirs"
  for d in small many dirs; do "$BIN" quota set "$META" --path "/$d" --capacity 100G --inodes 1000000 >/dev/null; done
  sleep 1.5  # the mount rereads quotas every second
fi
PID=$(getfattr --only-values -n user.slicefs.pid "$W/mnt")
cpu() { awk '{print $14+$15}' "/proc/$PID/stat"; }  # clock ticks (1/100 s)
us() { python3 -c "import sys; print(f'{(int(sys.argv[2])-int(sys.argv[1]))*10000/int(sys.argv[3]):.0f}')" "$@"; }
t0=$(cpu); w=$(python3 "$W/small.py" "$W/mnt/small" write 1000); t1=$(cpu)
c=$(python3 "$W/small.py" "$W/mnt/many" create 5000); t2=$(cpu)
m=$(python3 "$W/small.py" "$W/mnt/dirs" mkdir 2000); t3=$(cpu)
echo "$L write128k/s=$w create/s=$c mkdir/s=$m | mount cpu us/op: write=$(us "$t0" "$t1" 1000) create=$(us "$t1" "$t2" 5000) mkdir=$(us "$t2" "$t3" 2000)"
