#!/usr/bin/env bash
# `slicefs bench` on three targets, for the side-by-side table in
# docs/benchmarks.md: a slicefs mount (sqlite3 metadata, file storage),
# libfuse's passthrough_ll example over a local directory, and that local
# directory itself.
#
#   bench/bench_side_by_side.sh BUILD/slicefs [WORKDIR] [bench flags...]
#
# Default bench flags: -p 1 --big-file-size 1G --small-file-size 128K
# --small-file-count 100 (JuiceFS's defaults). Needs root (FUSE, allow_other
# not needed).
set -euo pipefail
BIN=$(readlink -f "${1:?usage: bench_side_by_side.sh SLICEFS_BIN [WORKDIR] [bench flags]}")
W=${2:-/tmp/slicefs-bench-sbs}
shift $(( $# >= 2 ? 2 : 1 ))
FLAGS=("$@")
[ ${#FLAGS[@]} -eq 0 ] && FLAGS=(-p 1 --big-file-size 1G --small-file-size 128K --small-file-count 100)
EXAMPLES=/usr/share/doc/libfuse3-dev/examples
rm -rf "$W"; mkdir -p "$W"/{pt/src,pt/mnt,sfs/mnt,local}; W=$(readlink -f "$W")
PT_PID=""
cleanup() {
  for m in "$W/pt/mnt" "$W/sfs/mnt"; do
    grep -qs " $m " /proc/self/mounts && { fusermount3 -u "$m" 2>/dev/null || fusermount3 -uz "$m" || true; }
  done
  [ -n "$PT_PID" ] && kill "$PT_PID" 2>/dev/null || true
}
trap cleanup EXIT

cc -O2 -Wall -o "$W/passthrough_ll" "$EXAMPLES/passthrough_ll.c" $(pkg-config --cflags --libs fuse3)
"$W/passthrough_ll" -o source="$W/pt/src" -f "$W/pt/mnt" >"$W/pt.log" 2>&1 &
PT_PID=$!
for _ in $(seq 100); do grep -qs " $W/pt/mnt " /proc/self/mounts && break; sleep 0.05; done

META="sqlite3://$W/sfs/meta.db"
"$BIN" format "$META" bench --storage file --bucket "$W/sfs/bucket" --trash-days 0 >/dev/null
"$BIN" mount -d "$META" "$W/sfs/mnt" --cache-dir "$W/sfs/cache" --log "$W/sfs/mount.log" >/dev/null

echo "slicefs bench ${FLAGS[*]} ($(date -u '+%Y-%m-%d %H:%M UTC'), load $(cut -d' ' -f1-3 /proc/loadavg))"
for t in sfs/mnt pt/mnt local; do
  echo; echo "== $t"
  "$BIN" bench "$W/$t" "${FLAGS[@]}"
done
