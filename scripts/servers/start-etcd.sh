#!/usr/bin/env bash
# start-etcd.sh DIR [MEMBERS]: starts etcd (Debian's etcd-server, v3.4) with
# MEMBERS members (default 1) on loopback, member I in DIR/nI (data, log,
# pid, client and peer ports remembered there), writes every member's PID to
# DIR/pid (one a line) and prints etcd://127.0.0.1:PORT1[,127.0.0.1:PORT2...]/slicefs.
# Run again on the same DIR after stop.sh to restart with the same data and
# ports; stop.sh DIR/nI stops one member, stop.sh DIR all of them.
# --max-txn-ops and --max-request-bytes are raised so that transactions
# comparing every key they read fit (see src/kv/etcd_kv.h).
# With SLICEFS_TLS_CERT/KEY/CA set (lib.sh), clients are served over https
# only (peers stay on http); the URL printed is the same (callers add
# ?cacert=...).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
[ $# -ge 1 ] && [ $# -le 2 ] || die "usage: start-etcd.sh DIR [MEMBERS]"
DIR=$(mkdir -p "$1" && cd "$1" && pwd)
N=${2:-1}
[[ "$N" =~ ^[1-9]$ ]] || die "MEMBERS must be 1..9"
command -v etcd >/dev/null || die "etcd not installed (apt-get install etcd-server)"
running && die "a server is already running from $DIR (pid $(head -1 "$DIR/pid"))"

TOP=$DIR
CLUSTER=""
for i in $(seq 1 "$N"); do
  DIR="$TOP/n$i"
  mkdir -p "$DIR"
  remember_port port >/dev/null
  remember_port peer_port >/dev/null
  CLUSTER="${CLUSTER:+$CLUSTER,}n$i=http://127.0.0.1:$(cat "$DIR/peer_port")"
done
STATE=new
[ -d "$TOP/n1/data" ] && STATE=existing
ENDPOINTS=""
CSCHEME=http
TLS_ARGS=()
CURL_TLS=""
if tls_on; then
  CSCHEME=https
  TLS_ARGS=(--cert-file "$SLICEFS_TLS_CERT" --key-file "$SLICEFS_TLS_KEY")
  CURL_TLS="--cacert ${SLICEFS_TLS_CA:-$SLICEFS_TLS_CERT}"
fi
: > "$TOP/pid"
for i in $(seq 1 "$N"); do
  DIR="$TOP/n$i"
  CLIENT="$CSCHEME://127.0.0.1:$(cat "$DIR/port")"
  PEER="http://127.0.0.1:$(cat "$DIR/peer_port")"
  setsid etcd --name "n$i" --data-dir "$DIR/data" \
    --listen-client-urls "$CLIENT" --advertise-client-urls "$CLIENT" \
    --listen-peer-urls "$PEER" --initial-advertise-peer-urls "$PEER" \
    --initial-cluster "$CLUSTER" --initial-cluster-state "$STATE" \
    --initial-cluster-token "slicefs-$$" "${TLS_ARGS[@]}" \
    --max-txn-ops 100000 --max-request-bytes 33554432 \
    --quota-backend-bytes 8589934592 >>"$DIR/log" 2>&1 </dev/null &
  echo $! > "$DIR/pid"
  echo $! >> "$TOP/pid"
  ENDPOINTS="${ENDPOINTS:+$ENDPOINTS,}127.0.0.1:$(cat "$DIR/port")"
done
for i in $(seq 1 "$N"); do
  CLIENT="$CSCHEME://127.0.0.1:$(cat "$TOP/n$i/port")"
  wait_for 60 sh -c "curl -sf $CURL_TLS --max-time 2 $CLIENT/health | grep -q true" ||
    die "etcd member n$i did not become healthy (see $TOP/n$i/log)"
done
echo "etcd://$ENDPOINTS/slicefs"
