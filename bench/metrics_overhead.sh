#!/usr/bin/env bash
# Cost of the per-op FUSE metrics: the same workloads on one volume mounted
# with metrics on (the default) and with --no-metrics (no timing at all),
# alternating on/off (and which goes first) so that a drifting machine
# load hits both alike.
#
#   bench/metrics_overhead.sh BUILD/slicefs [WORKDIR]
#
# Per run: sequential write of SIZE_MIB MiB (1 MiB writes, fsync at the
# end), then N small files (128 KiB each, written then read back), then
# N empty-file creates. RUNS runs per mode (default 3). Prints each run and
# a markdown table (mean, min-max, difference of the means). Needs root
# (mounts with allow_other are not needed; FUSE is).
set -euo pipefail
BIN=$(readlink -f "${1:?usage: metrics_overhead.sh SLICEFS_BIN [WORKDIR]}")
W=${2:-/tmp/slicefs-metrics-bench}
SIZE_MIB=${SIZE_MIB:-512}
N=${N:-1000}
RUNS=${RUNS:-3}
rm -rf "$W"; mkdir -p "$W"; W=$(readlink -f "$W")
MNT="$W/mnt"
cleanup() { grep -qs " $MNT " /proc/self/mounts && fusermount3 -u "$MNT" || true; }
trap cleanup EXIT
META="sqlite3://$W/meta.db"
"$BIN" format "$META" bench --storage file --bucket "$W/bucket" --trash-days 0 >/dev/null
mkdir -p "$MNT"

cat > "$W/work.py" <<'PY'
import os, sys, time
d, n, size_mib = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
buf = b"\0" * (1 << 20)
t = time.time()
fd = os.open(f"{d}/big", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
for _ in range(size_mib): os.write(fd, buf)
os.fsync(fd); os.close(fd)
seq = size_mib / (time.time() - t)
small = os.urandom(128 << 10)
os.makedirs(f"{d}/small", exist_ok=True)
t = time.time()
for i in range(n):
    with open(f"{d}/small/f{i}", "wb") as f: f.write(small)
for i in range(n):
    with open(f"{d}/small/f{i}", "rb") as f: f.read()
sm = 2 * n / (time.time() - t)
os.makedirs(f"{d}/empty", exist_ok=True)
t = time.time()
for i in range(n): open(f"{d}/empty/e{i}", "wb").close()
cr = n / (time.time() - t)
print(f"{seq:.1f} {sm:.1f} {cr:.1f}")
PY

run() {  # mode
  local extra=()
  [ "$1" = off ] && extra=(--no-metrics)
  "$BIN" mount -d "$META" "$MNT" --cache-dir "$W/cache" --log "$W/mount.log" "${extra[@]}" >/dev/null
  local d="$MNT/run$RANDOM$RANDOM"
  mkdir "$d"
  python3 "$W/work.py" "$d" "$N" "$SIZE_MIB"
  rm -rf "$d"
  fusermount3 -u "$MNT"
  sleep 1
  rm -rf "$W/cache"
}

: > "$W/results"
for i in $(seq "$RUNS"); do
  order="on off"
  [ $((i % 2)) -eq 0 ] && order="off on"  # neither mode always goes first
  for mode in $order; do
    r=$(run $mode)
    echo "run $i metrics $mode: seq-write MiB/s, small-file ops/s, creates/s = $r"
    echo "$mode $r" >> "$W/results"
  done
done

python3 - "$W/results" <<'PY'
import sys, statistics as st
rows = [l.split() for l in open(sys.argv[1])]
cols = ["seq write (MiB/s)", "small files write+read (files/s)", "creates (/s)"]
print("\n| workload | metrics on: mean (min-max) | --no-metrics: mean (min-max) | on vs off |")
print("|---|---|---|---|")
for c, name in enumerate(cols):
    on = [float(r[c + 1]) for r in rows if r[0] == "on"]
    off = [float(r[c + 1]) for r in rows if r[0] == "off"]
    d = (st.mean(on) - st.mean(off)) / st.mean(off) * 100
    f = lambda v: f"{st.mean(v):.1f} ({min(v):.1f}-{max(v):.1f})"
    print(f"| {name} | {f(on)} | {f(off)} | {d:+.1f}% |")
PY
