#!/usr/bin/env bash
# start-etcd.sh DIR: starts a one-member etcd (Debian's etcd-server, v3.4)
# with its data in DIR/data, client and peer URLs on free loopback ports,
# writes DIR/pid and prints etcd://127.0.0.1:PORT/slicefs. Run again on the
# same DIR after stop.sh to restart with the same data and ports.
# --max-txn-ops is raised so that transactions comparing every key they read
# fit (see src/kv/etcd_kv.h).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
[ $# -eq 1 ] || die "usage: start-etcd.sh DIR"
DIR=$(mkdir -p "$1" && cd "$1" && pwd)
command -v etcd >/dev/null || die "etcd not installed (apt-get install etcd-server)"
running && die "a server is already running from $DIR (pid $(cat "$DIR/pid"))"
CPORT=$(remember_port port)
PPORT=$(remember_port peer_port)
PEER="http://127.0.0.1:$PPORT"
CLIENT="http://127.0.0.1:$CPORT"
setsid etcd --name n1 --data-dir "$DIR/data" \
  --listen-client-urls "$CLIENT" --advertise-client-urls "$CLIENT" \
  --listen-peer-urls "$PEER" --initial-advertise-peer-urls "$PEER" \
  --initial-cluster "n1=$PEER" --initial-cluster-state new \
  --max-txn-ops 100000 --max-request-bytes 33554432 \
  --quota-backend-bytes 8589934592 >"$DIR/log" 2>&1 < /dev/null &
echo $! > "$DIR/pid"
wait_for 30 sh -c "curl -sf $CLIENT/health | grep -q true" || die "etcd did not become healthy (see $DIR/log)"
echo "etcd://127.0.0.1:$CPORT/slicefs"
