#!/usr/bin/env bash
# CPU and wall time of the mount process for one workload, with metrics on
# (the default) and with --no-metrics, alternating, each on a fresh volume.
# CPU ticks of the mount (utime+stime from /proc/PID/stat) are far less
# noisy than throughput on a shared disk, so they can show a few percent.
#
#   bench/metrics_cpu.sh SLICEFS_BIN create|seqwrite [ROUNDS]
#
# create: N empty files (default 20000) created and closed by one process;
# seqwrite: MIB MiB (default 1024) written with dd bs=1M conv=fsync.
# Prints one line per run and the means. Needs root (FUSE).
set -euo pipefail
BIN=$(readlink -f "${1:?usage: metrics_cpu.sh SLICEFS_BIN create|seqwrite [ROUNDS]}")
WORK=${2:?usage: metrics_cpu.sh SLICEFS_BIN create|seqwrite [ROUNDS]}
ROUNDS=${3:-3}
N=${N:-20000}
MIB=${MIB:-1024}
W=$(mktemp -d "${TMPDIR:-/tmp}/slicefs-metrics-cpu.XXXXXX")
cleanup() { grep -qs " $W/m " /proc/self/mounts && fusermount3 -u "$W/m" || true; rm -rf "$W"; }
trap cleanup EXIT
declare -A cpu wall runs
for round in $(seq 1 "$ROUNDS"); do
  order="on off"; [ $((round % 2)) -eq 0 ] && order="off on"
  for mode in $order; do
    rm -rf "$W/db" "$W/b"; mkdir -p "$W/m"
    "$BIN" format "sqlite3://$W/db" vol --storage file --bucket "$W/b" --trash-days 0 >/dev/null
    extra=(); [ "$mode" = off ] && extra=(--no-metrics)
    "$BIN" mount "sqlite3://$W/db" "$W/m" -d "${extra[@]}" --log "$W/log" >/dev/null
    pid=$(getfattr --absolute-names --only-values -n user.slicefs.pid "$W/m")
    a=$(awk '{print $14+$15}' "/proc/$pid/stat"); t0=$(date +%s%N)
    case "$WORK" in
      create) /usr/bin/python3 -c '
import os, sys
d, n = sys.argv[1], int(sys.argv[2])
for i in range(n):
    os.close(os.open(f"{d}/f{i}", os.O_CREAT | os.O_WRONLY, 0o644))
' "$W/m" "$N" ;;
      seqwrite) dd if=/dev/zero of="$W/m/big" bs=1M count="$MIB" conv=fsync status=none ;;
      *) echo "unknown workload '$WORK' (create or seqwrite)" >&2; exit 2 ;;
    esac
    t1=$(date +%s%N); b=$(awk '{print $14+$15}' "/proc/$pid/stat")
    fusermount3 -u "$W/m"
    echo "round $round metrics $mode: mount CPU $((b - a)) ticks, wall $(( (t1 - t0) / 1000000 )) ms"
    cpu[$mode]=$(( ${cpu[$mode]:-0} + b - a )); wall[$mode]=$(( ${wall[$mode]:-0} + (t1 - t0) / 1000000 ))
    runs[$mode]=$(( ${runs[$mode]:-0} + 1 ))
  done
done
for mode in on off; do
  echo "metrics $mode: mean CPU $(( cpu[$mode] / runs[$mode] )) ticks, mean wall $(( wall[$mode] / runs[$mode] )) ms"
done
