#!/usr/bin/env bash
# Every benchmark, one after the other, as recorded in docs/benchmarks.md.
#   bench/run-all.sh [BUILD]          (root; about 20 minutes)
# Builds the benchmark binaries, then runs: kv engines, metadata API on all
# engines, the data path (throughput and peak RSS), through-the-mount vs
# passthrough vs local disk, and S3 vs s3fs vs rclone on one s3rver.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build}
cmake --build "$BUILD" -j "$(nproc)" --target kv_bench meta_bench data_bench slicefs
ENGINES=mem,sqlite3,redis,postgres,etcd
echo "== kv engines";  "$BUILD/kv_bench" 2000
echo "== metadata API"; "$BUILD/meta_bench" --engines "$ENGINES"
echo "== data path";   "$BUILD/data_bench" --mode throughput --seq-size 512 --rand-ops 1000
"$BUILD/data_bench" --mode rss --buffer-size 300 --rss-size 4
echo "== through the mount"; bench/fuse_bench.sh "$BUILD/slicefs"
echo "== S3";          bench/s3_bench.sh "$BUILD/slicefs" 1024 1000
echo "== WebDAV vs mount"; bench/webdav_bench.sh "$BUILD/slicefs"
