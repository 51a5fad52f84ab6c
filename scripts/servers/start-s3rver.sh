#!/usr/bin/env bash
# Starts s3rver (a real S3 REST server from npm) on 127.0.0.1.
#   start-s3rver.sh DIR [PORT]
# Data lives in DIR/data, the log in DIR/s3rver.log, the PID in DIR/pid.
# PORT defaults to a free port chosen by the server (0); pass the previous
# port to restart a server on the same endpoint. Prints the endpoint URL
# (http://127.0.0.1:PORT) on stdout and also writes it to DIR/endpoint.
# Path-style: ENDPOINT/BUCKET; virtual-hosted: http://BUCKET.s3.localhost:PORT.
# Credentials: access key S3RVER, secret key S3RVER. s3rver 3.x checks the
# access key (InvalidAccessKeyId), the presence of x-amz-content-sha256 and
# the request time, but does not recompute SigV4 signatures.
# With SLICEFS_TLS_CERT/KEY set (as lib.sh describes), it serves https:// only.
set -euo pipefail
DIR=${1:?usage: start-s3rver.sh DIR [PORT]}
PORT=${2:-0}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BIN=${S3RVER_BIN:-$ROOT/.deps/node_modules/.bin/s3rver}
if [ ! -x "$BIN" ]; then
  echo "start-s3rver: $BIN not found; run scripts/install-deps.sh" >&2
  exit 2
fi
# s3rver 3.x makes ListObjectsV2 continuation tokens with DES, which Node's
# OpenSSL 3 only offers through the legacy provider: without it every
# truncated listing fails with 500 InternalError.
if node --openssl-legacy-provider -e 0 >/dev/null 2>&1; then
  export NODE_OPTIONS="--openssl-legacy-provider${NODE_OPTIONS:+ $NODE_OPTIONS}"
fi
mkdir -p "$DIR/data"
DIR=$(cd "$DIR" && pwd)
LOG="$DIR/s3rver.log"
: > "$LOG"
# --service-endpoint localhost: virtual-hosted requests work as
# http://BUCKET.s3.localhost:PORT (libcurl resolves *.localhost to loopback).
TLS=()
SCHEME=http
if [ -n "${SLICEFS_TLS_CERT:-}" ] && [ -n "${SLICEFS_TLS_KEY:-}" ]; then
  TLS=(--key "$SLICEFS_TLS_KEY" --cert "$SLICEFS_TLS_CERT")
  SCHEME=https
fi
nohup "$BIN" -d "$DIR/data" -a 127.0.0.1 -p "$PORT" --silent --service-endpoint localhost "${TLS[@]}" >"$LOG" 2>&1 </dev/null &
PID=$!
echo "$PID" > "$DIR/pid"
for _ in $(seq 1 300); do
  if ! kill -0 "$PID" 2>/dev/null; then
    echo "start-s3rver: s3rver exited during startup:" >&2
    tail -5 "$LOG" >&2
    rm -f "$DIR/pid"
    exit 1
  fi
  LINE=$(grep -o 'listening on [0-9.]*:[0-9]*' "$LOG" || true)
  if [ -n "$LINE" ]; then
    ENDPOINT="$SCHEME://${LINE#listening on }"
    echo "$ENDPOINT" > "$DIR/endpoint"
    echo "$ENDPOINT"
    exit 0
  fi
  sleep 0.1
done
echo "start-s3rver: s3rver did not start listening within 30 s" >&2
kill "$PID" 2>/dev/null || true
rm -f "$DIR/pid"
exit 1
