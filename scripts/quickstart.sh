#!/usr/bin/env bash
# Formats (once) and mounts the demo volume: SQLite metadata and a local
# directory as the bucket, both under DEMO_DIR; mounted at MOUNTPOINT.
# Usage: scripts/quickstart.sh BIN DEMO_DIR MOUNTPOINT   (called by `make quickstart`)
set -euo pipefail
BIN=${1:?usage: quickstart.sh BIN DEMO_DIR MOUNTPOINT}
DEMO_DIR=${2:?usage: quickstart.sh BIN DEMO_DIR MOUNTPOINT}
MNT=${3:?usage: quickstart.sh BIN DEMO_DIR MOUNTPOINT}
BIN=$(readlink -f "$BIN")
mkdir -p "$DEMO_DIR" "$MNT"
DEMO_DIR=$(readlink -f "$DEMO_DIR")
MNT=$(readlink -f "$MNT")
META="sqlite3://$DEMO_DIR/demo.db"

if "$BIN" status "$META" >/dev/null 2>&1; then
  echo "demo volume already formatted: $META"
else
  "$BIN" format "$META" demo --storage file --bucket "$DEMO_DIR/bucket"
  echo "formatted demo volume: metadata $META, data in $DEMO_DIR/bucket"
fi

if grep -qs " $MNT fuse.slicefs " /proc/self/mounts; then
  echo "already mounted at $MNT"
else
  "$BIN" mount -d "$META" "$MNT" --log "$DEMO_DIR/mount.log" --cache-dir "$DEMO_DIR/cache"
fi

echo "hello from slicefs, $(date -u +%Y-%m-%dT%H:%M:%SZ)" > "$MNT/hello.txt"
cat <<MSG

slicefs demo volume is mounted at $MNT
  $(cat "$MNT/hello.txt")   <- $MNT/hello.txt
  where the bytes live:   $BIN info $MNT/hello.txt
  sessions:               $BIN status $META
  log:                    $DEMO_DIR/mount.log
  unmount:                $BIN umount $MNT
MSG
