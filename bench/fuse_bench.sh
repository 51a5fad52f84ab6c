#!/usr/bin/env bash
# Through-the-mount benchmark: slicefs vs libfuse's passthrough_ll example
# (the FUSE speed limit on the same disk) vs plain local disk.
#
#   bench/fuse_bench.sh BUILD/slicefs [WORKDIR]
#
# Per target: sequential 1 GiB write (1 MiB writes, fsync at end) and cold
# read (1 MiB reads; kernel caches dropped, slicefs remounted with an empty
# cache); 1,000 x 128 KiB files written then read back (cold); stat of
# 10,000 files (attribute cache expired). Prints a markdown table.
# Needs root (drop_caches, mounts). SIZE_MIB overrides the 1024 MiB.
# EXTRA=1 adds a second table (issue #17): fio 4 KiB random read/write
# (randrw 50/50, 4 jobs, 64 MiB each, 20 s; IOPS), `tar x` of a generated
# tree of NTAR (default 50,000) small files, and `git clone` of a local
# repository (REPO, default this checkout) with --no-hardlinks; seconds.
# SFS_MOUNT_ARGS adds slicefs mount options (e.g. "--writeback").
set -euo pipefail
BIN=$(readlink -f "${1:?usage: fuse_bench.sh SLICEFS_BIN [WORKDIR]}")
W=${2:-/tmp/slicefs-fuse-bench}
SIZE_MIB=${SIZE_MIB:-1024}
EXAMPLES=/usr/share/doc/libfuse3-dev/examples
rm -rf "$W"; mkdir -p "$W"
W=$(readlink -f "$W")
PT_PID=""

cleanup() {
  for m in "$W/pt/mnt" "$W/sfs/mnt"; do
    if grep -qs " $m " /proc/self/mounts; then fusermount3 -u "$m" 2>/dev/null || fusermount3 -uz "$m" || true; fi
  done
  [ -n "$PT_PID" ] && kill "$PT_PID" 2>/dev/null || true
}
trap cleanup EXIT

drop_caches() { sync; echo 3 > /proc/sys/vm/drop_caches; }

# libfuse's low-level passthrough example, built from the Debian package.
cc -O2 -Wall -o "$W/passthrough_ll" "$EXAMPLES/passthrough_ll.c" $(pkg-config --cflags --libs fuse3)

mount_pt() {
  mkdir -p "$W/pt/src" "$W/pt/mnt"
  "$W/passthrough_ll" -o source="$W/pt/src" -f "$W/pt/mnt" >"$W/pt.log" 2>&1 &
  PT_PID=$!
  for _ in $(seq 100); do grep -qs " $W/pt/mnt " /proc/self/mounts && return; sleep 0.05; done
  echo "passthrough_ll did not mount" >&2; exit 1
}
umount_pt() { fusermount3 -u "$W/pt/mnt"; wait "$PT_PID" || true; PT_PID=""; }

META="sqlite3://$W/sfs/meta.db"
mount_sfs() {
  mkdir -p "$W/sfs/mnt"
  # shellcheck disable=SC2086
  "$BIN" mount -d "$META" "$W/sfs/mnt" --cache-dir "$W/sfs/cache" --log "$W/sfs/mount.log" ${SFS_MOUNT_ARGS:-} >/dev/null
}
umount_sfs() { "$BIN" umount "$W/sfs/mnt"; rm -rf "$W/sfs/cache"; }
mkdir -p "$W/sfs" "$W/local"
"$BIN" format "$META" bench --storage file --bucket "$W/sfs/bucket" --trash-days 0 >/dev/null

now() { date +%s.%N; }
rate() { python3 -c "import sys; print(f'{float(sys.argv[1])/(float(sys.argv[3])-float(sys.argv[2])):.1f}')" "$@"; }

cat > "$W/small.py" <<'PY'
import os, sys, time
d, mode, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
buf = os.urandom(128 << 10)
t = time.time()
if mode == "write":
    os.makedirs(d, exist_ok=True)
    for i in range(n):
        with open(f"{d}/f{i}", "wb") as f: f.write(buf)
elif mode == "read":
    for i in range(n):
        with open(f"{d}/f{i}", "rb") as f: f.read()
elif mode == "create":
    os.makedirs(d, exist_ok=True)
    for i in range(n): open(f"{d}/s{i}", "wb").close()
elif mode == "stat":
    for i in range(n): os.stat(f"{d}/s{i}")
print(f"{n / (time.time() - t):.1f}")
PY

declare -A R
run_target() {  # name dir remount-fn
  local name=$1 dir=$2 remount=$3
  local t0 t1
  drop_caches
  t0=$(now); dd if=/dev/zero of="$dir/big" bs=1M count="$SIZE_MIB" conv=fsync status=none; t1=$(now)
  R[$name,write]=$(rate "$SIZE_MIB" "$t0" "$t1")
  $remount; drop_caches
  t0=$(now); dd if="$dir/big" of=/dev/null bs=1M status=none; t1=$(now)
  R[$name,read]=$(rate "$SIZE_MIB" "$t0" "$t1")
  rm -f "$dir/big"
  R[$name,swrite]=$(python3 "$W/small.py" "$dir/small" write 1000)
  $remount; drop_caches
  R[$name,sread]=$(python3 "$W/small.py" "$dir/small" read 1000)
  python3 "$W/small.py" "$dir/many" create 10000 >/dev/null
  $remount; drop_caches; sleep 1.2
  R[$name,stat]=$(python3 "$W/small.py" "$dir/many" stat 10000)
  rm -rf "$dir/small" "$dir/many"
}

# ---- EXTRA=1: fio, tar x, git clone (issue #17) ----
NTAR=${NTAR:-50000}
REPO=${REPO:-$(cd "$(dirname "$0")/.." && pwd)}
run_extra() {  # name dir
  local name=$1 dir=$2 t0 t1
  if command -v fio >/dev/null; then
    R[$name,fio]=$(fio --name=rr --directory="$dir" --rw=randrw --rwmixread=50 --bs=4k --size=64m --numjobs=4 \
      --runtime=20 --time_based --group_reporting --ioengine=psync --output-format=json 2>/dev/null |
      python3 -c "import json,sys; j=json.load(sys.stdin)['jobs'][0]; print(f\"{j['read']['iops']:.0f} / {j['write']['iops']:.0f}\")")
    rm -f "$dir"/rr.*
  else
    R[$name,fio]="no fio"
  fi
  drop_caches
  t0=$(now); tar xf "$W/tree.tar" -C "$dir"; sync -f "$dir" 2>/dev/null || true; t1=$(now)
  R[$name,tar]=$(python3 -c "import sys; print(f'{float(sys.argv[2])-float(sys.argv[1]):.1f}')" "$t0" "$t1")
  rm -rf "$dir/tree"
  t0=$(now); git clone -q --no-hardlinks "$REPO" "$dir/clone"; t1=$(now)
  R[$name,git]=$(python3 -c "import sys; print(f'{float(sys.argv[2])-float(sys.argv[1]):.1f}')" "$t0" "$t1")
  rm -rf "$dir/clone"
}
if [ "${EXTRA:-0}" = 1 ]; then
  python3 - "$W/tree.tar" "$NTAR" <<'PY'
import io, os, random, sys, tarfile
path, n = sys.argv[1], int(sys.argv[2])
rng = random.Random(17)
with tarfile.open(path, "w") as t:
    for i in range(n):
        data = os.urandom(rng.choice([200, 1500, 4000, 12000, 40000]))
        ti = tarfile.TarInfo(f"tree/d{i // 500}/s{i % 50}/f{i}.c")
        ti.size = len(data)
        t.addfile(ti, io.BytesIO(data))
PY
fi

noop() { :; }
remount_pt() { umount_pt; mount_pt; }
remount_sfs() { umount_sfs; mount_sfs; }

run_target local "$W/local" noop
mount_pt;  run_target passthrough "$W/pt/mnt" remount_pt;  umount_pt
mount_sfs; run_target slicefs "$W/sfs/mnt" remount_sfs; umount_sfs
if [ "${EXTRA:-0}" = 1 ]; then
  run_extra local "$W/local"
  mount_pt;  run_extra passthrough "$W/pt/mnt"; umount_pt
  mount_sfs; run_extra slicefs "$W/sfs/mnt"; umount_sfs
fi

echo
echo "| target | seq write MiB/s | seq read (cold) MiB/s | 128 KiB files written/s | 128 KiB files read/s (cold) | stat/s (10k files) |"
echo "|---|---|---|---|---|---|"
for t in local passthrough slicefs; do
  echo "| $t | ${R[$t,write]} | ${R[$t,read]} | ${R[$t,swrite]} | ${R[$t,sread]} | ${R[$t,stat]} |"
done
python3 - "${R[slicefs,write]}" "${R[passthrough,write]}" "${R[slicefs,read]}" "${R[passthrough,read]}" <<'PY'
import sys
w, pw, r, pr = map(float, sys.argv[1:])
print(f"\nslicefs / passthrough: sequential write {100*w/pw:.0f}%, sequential read {100*r/pr:.0f}%")
PY
if [ "${EXTRA:-0}" = 1 ]; then
  echo
  echo "| target | fio 4 KiB randrw, 4 jobs: read / write IOPS | tar x of $NTAR files, s | git clone, s |"
  echo "|---|---|---|---|"
  for t in local passthrough slicefs; do
    echo "| $t | ${R[$t,fio]} | ${R[$t,tar]} | ${R[$t,git]} |"
  done
fi
