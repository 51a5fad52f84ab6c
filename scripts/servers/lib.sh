# Helpers shared by scripts/servers/start-*.sh (sourced, not run).

die() { echo "$(basename "$0"): $*" >&2; exit 1; }

# A TCP port on 127.0.0.1 that nothing listens on right now: a random port
# in 20000-32767, below the kernel's ephemeral range (32768-60999 here), so
# that no outgoing connection's source port can take it before the server
# binds, and not one this script picked already (a server's second port is
# picked before its first one listens).
PICKED_PORTS=" "
free_port() {
  local p
  for _ in $(seq 1 500); do
    p=$(( 20000 + (RANDOM * 32768 + RANDOM) % 12768 ))
    case "$PICKED_PORTS" in *" $p "*) continue ;; esac
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
      PICKED_PORTS="$PICKED_PORTS$p "
      echo "$p"
      return
    fi
  done
  die "no free port found"
}

# The port remembered in DIR/$1 (so that a restart reuses it), or a new one.
remember_port() {
  local file="$DIR/$1"
  # No pipeline or command substitution around free_port: it runs in this
  # shell, so PICKED_PORTS remembers the port.
  [ -s "$file" ] || free_port > "$file"
  cat "$file"
}

# Waits up to $1 seconds for the command "$2..." to succeed.
wait_for() {
  local secs=$1; shift
  local end=$(( $(date +%s) + secs ))
  until "$@" >/dev/null 2>&1; do
    [ "$(date +%s)" -ge "$end" ] && return 1
    sleep 0.1
  done
}

# TLS for the start-*.sh scripts: when SLICEFS_TLS_CERT and SLICEFS_TLS_KEY
# (PEM files) are set, the server speaks only TLS with that certificate
# (SLICEFS_TLS_CA: the CA that signed it, for the scripts' own health checks
# and, for redis, its client-CA setting). tls_on is true then.
tls_on() { [ -n "${SLICEFS_TLS_CERT:-}" ] && [ -n "${SLICEFS_TLS_KEY:-}" ]; }

# True when DIR/pid names a live process (any, when it lists several).
running() {
  [ -s "$DIR/pid" ] || return 1
  local p
  for p in $(cat "$DIR/pid"); do kill -0 "$p" 2>/dev/null && return 0; done
  return 1
}
