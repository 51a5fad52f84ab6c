#!/usr/bin/env bash
# start-postgres.sh DIR: runs PostgreSQL 15 (Debian's, /usr/lib/postgresql/15)
# from a cluster initialised in DIR/data, as the unprivileged user `nobody`
# when started by root, listening on 127.0.0.1 on a free port only. Creates
# user slicefs (password slicefs, scram auth over TCP) and database slicefs.
# Writes DIR/pid and prints postgres://slicefs:slicefs@127.0.0.1:PORT/slicefs.
# Run again on the same DIR after stop.sh to restart with the same data.
# With SLICEFS_TLS_CERT/KEY set (lib.sh), ssl=on with that certificate
# (plain connections are still accepted: clients choose with sslmode=).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
[ $# -eq 1 ] || die "usage: start-postgres.sh DIR"
DIR=$(mkdir -p "$1" && cd "$1" && pwd)
BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
[ -x "$BIN/postgres" ] || die "PostgreSQL 15 not installed at $BIN (apt-get install postgresql-15)"
running && die "a server is already running from $DIR (pid $(cat "$DIR/pid"))"
PORT=$(remember_port port)

as_user() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u nobody -- "$@"; else "$@"; fi
}
if [ "$(id -u)" -eq 0 ]; then
  # nobody must be able to reach DIR: grant search (x, not read) permission
  # on the ancestors that lack it.
  d="$DIR"
  while [ "$d" != "/" ]; do
    [ -x "$d" ] && runuser -u nobody -- test -x "$d" || chmod o+x "$d"
    d=$(dirname "$d")
  done
  mkdir -p "$DIR/pg"
  chown nobody "$DIR/pg"
else
  mkdir -p "$DIR/pg"
fi
DATA="$DIR/pg/data"
if [ ! -s "$DATA/PG_VERSION" ]; then
  echo slicefs > "$DIR/pg/pwfile"
  [ "$(id -u)" -eq 0 ] && chown nobody "$DIR/pg/pwfile"
  as_user "$BIN/initdb" -D "$DATA" -U slicefs --pwfile="$DIR/pg/pwfile" \
    --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --no-sync >"$DIR/initdb.log" 2>&1 ||
    die "initdb failed (see $DIR/initdb.log)"
  NEW=1
fi
SSL_OPTS=""
if tls_on; then
  # postgres wants its key owned by the server's user, mode 0600.
  cp "$SLICEFS_TLS_CERT" "$DIR/pg/server.crt"
  cp "$SLICEFS_TLS_KEY" "$DIR/pg/server.key"
  chmod 0600 "$DIR/pg/server.key"
  [ "$(id -u)" -eq 0 ] && chown nobody "$DIR/pg/server.crt" "$DIR/pg/server.key"
  SSL_OPTS="-c ssl=on -c ssl_cert_file=$DIR/pg/server.crt -c ssl_key_file=$DIR/pg/server.key"
fi
as_user "$BIN/pg_ctl" -D "$DATA" -l "$DIR/pg/log" -w -t 60 start \
  -o "-p $PORT -k $DIR/pg -c listen_addresses=127.0.0.1 -c synchronous_commit=off -c max_connections=200 $SSL_OPTS" \
  >"$DIR/pg_ctl.log" 2>&1 || die "postgres did not start (see $DIR/pg/log)"
head -1 "$DATA/postmaster.pid" > "$DIR/pid"
echo INT > "$DIR/stopsig"   # fast shutdown: TERM would wait for every client to leave
if [ "${NEW:-0}" = 1 ]; then
  as_user "$BIN/createdb" -h "$DIR/pg" -p "$PORT" -U slicefs slicefs >&2 || die "createdb failed"
fi
echo "postgres://slicefs:slicefs@127.0.0.1:$PORT/slicefs"
