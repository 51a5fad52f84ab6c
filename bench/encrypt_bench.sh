#!/usr/bin/env bash
# Encryption at rest vs none, side by side in one run: two volumes with the
# same settings (sqlite3 metadata, file storage, lz4 off, the same block
# size), one formatted with --encrypt-rsa-key (a fresh RSA-2048 key from
# `openssl genrsa`, passphrase in SLICEFS_RSA_PASSPHRASE), each mounted
# with a cold disk cache, then `slicefs bench` (seq write/read of big files,
# small-file write/read/stat) on each, alternating ROUNDS times so that
# machine noise hits both alike. For docs/benchmarks.md; run on a quiet
# machine.
#
#   bench/encrypt_bench.sh BUILD/slicefs [WORKDIR] [ROUNDS] [ALGO] [bench flags...]
#
# ALGO: aes256gcm-rsa (default) or chacha20-rsa. Default bench flags:
# -p 1 --big-file-size 1G --small-file-size 128K --small-file-count 100.
# Needs FUSE (root or user_allow_other).
set -euo pipefail
BIN=$(readlink -f "${1:?usage: encrypt_bench.sh SLICEFS_BIN [WORKDIR] [ROUNDS] [ALGO] [bench flags]}")
W=${2:-/tmp/slicefs-bench-enc}
ROUNDS=${3:-3}
ALGO=${4:-aes256gcm-rsa}
shift $(( $# >= 4 ? 4 : $# ))
FLAGS=("$@")
[ ${#FLAGS[@]} -eq 0 ] && FLAGS=(-p 1 --big-file-size 1G --small-file-size 128K --small-file-count 100)
rm -rf "$W"; mkdir -p "$W"/{plain,enc}; W=$(readlink -f "$W")
cleanup() {
  for v in plain enc; do
    grep -qs " $W/$v/mnt " /proc/self/mounts && { fusermount3 -u "$W/$v/mnt" 2>/dev/null || fusermount3 -uz "$W/$v/mnt" || true; }
  done
}
trap cleanup EXIT

export SLICEFS_RSA_PASSPHRASE="bench-$$-$RANDOM"
openssl genrsa -aes256 -passout env:SLICEFS_RSA_PASSPHRASE -out "$W/key.pem" 2048 2>/dev/null
"$BIN" format "sqlite3://$W/plain/meta.db" bench --storage file --bucket "$W/plain/bucket" --trash-days 0 >/dev/null
"$BIN" format "sqlite3://$W/enc/meta.db" bench --storage file --bucket "$W/enc/bucket" --trash-days 0 \
  --encrypt-rsa-key "$W/key.pem" --encrypt-algo "$ALGO" >/dev/null

mount_vol() {  # fresh cache each time: reads go through decryption
  rm -rf "$W/$1/cache"; mkdir -p "$W/$1/mnt"
  "$BIN" mount -d "sqlite3://$W/$1/meta.db" "$W/$1/mnt" --cache-dir "$W/$1/cache" --cache-size 10G \
    --log "$W/$1/mount.log" >/dev/null
}

echo "encryption ($ALGO) vs none: slicefs bench ${FLAGS[*]}, $ROUNDS rounds"
echo "($(date -u '+%Y-%m-%d %H:%M UTC'), load $(cut -d' ' -f1-3 /proc/loadavg), $(grep -m1 -o -w aes /proc/cpuinfo || echo no) AES-NI)"
for r in $(seq "$ROUNDS"); do
  for v in plain enc; do
    mount_vol "$v"
    echo; echo "== round $r: $v"
    "$BIN" bench "$W/$v/mnt" "${FLAGS[@]}"
    fusermount3 -u "$W/$v/mnt"
    sleep 1
  done
done
