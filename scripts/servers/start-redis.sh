#!/usr/bin/env bash
# start-redis.sh DIR [PASSWORD]: starts redis-server on 127.0.0.1 on a free
# port with its data (append-only file) in DIR, writes DIR/pid, prints the
# engine URL (redis://127.0.0.1:PORT/1, or redis://:PASSWORD@127.0.0.1:PORT/1
# when a password is required). Run again on the same DIR after stop.sh to
# restart it on the same port with the same data. Stop with stop.sh DIR.
# With SLICEFS_TLS_CERT/KEY/CA set (lib.sh), it listens with TLS only and
# prints a rediss:// URL.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
[ $# -ge 1 ] && [ $# -le 2 ] || die "usage: start-redis.sh DIR [PASSWORD]"
PASSWORD=${2:-}
AUTH=()
[ -n "$PASSWORD" ] && AUTH=(--requirepass "$PASSWORD")
DIR=$(mkdir -p "$1" && cd "$1" && pwd)
command -v redis-server >/dev/null || die "redis-server not installed (apt-get install redis-server)"
running && die "a server is already running from $DIR (pid $(cat "$DIR/pid"))"
PORT=$(remember_port port)
LISTEN=(--port "$PORT")
CLI_TLS=()
SCHEME=redis
if tls_on; then
  LISTEN=(--port 0 --tls-port "$PORT" --tls-cert-file "$SLICEFS_TLS_CERT" --tls-key-file "$SLICEFS_TLS_KEY"
          --tls-ca-cert-file "${SLICEFS_TLS_CA:-$SLICEFS_TLS_CERT}" --tls-auth-clients no)
  CLI_TLS=(--tls --cacert "${SLICEFS_TLS_CA:-$SLICEFS_TLS_CERT}")
  SCHEME=rediss
fi
redis-server --bind 127.0.0.1 "${LISTEN[@]}" --dir "$DIR" --daemonize yes \
  --pidfile "$DIR/redis.pid" --logfile "$DIR/log" --save "" \
  --appendonly yes --appendfsync everysec --protected-mode no --databases 16 "${AUTH[@]}" >&2
wait_for 20 test -s "$DIR/redis.pid" || die "redis-server did not start (see $DIR/log)"
cp "$DIR/redis.pid" "$DIR/pid"
export REDISCLI_AUTH="$PASSWORD"
wait_for 30 sh -c "redis-cli ${CLI_TLS[*]} -h 127.0.0.1 -p $PORT ping | grep -q PONG" ||
  die "redis-server not answering on port $PORT (see $DIR/log)"
if [ -n "$PASSWORD" ]; then echo "$SCHEME://:$PASSWORD@127.0.0.1:$PORT/1"; else echo "$SCHEME://127.0.0.1:$PORT/1"; fi
