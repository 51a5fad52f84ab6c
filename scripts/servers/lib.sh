# Helpers shared by scripts/servers/start-*.sh (sourced, not run).

die() { echo "$(basename "$0"): $*" >&2; exit 1; }

# A TCP port on 127.0.0.1 that nothing listens on right now (a random port
# in 20000-59999 whose connect is refused).
free_port() {
  local p
  for _ in $(seq 1 500); do
    p=$(( 20000 + (RANDOM * 32768 + RANDOM) % 40000 ))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "$p"; return; fi
  done
  die "no free port found"
}

# The port remembered in DIR/$1 (so that a restart reuses it), or a new one.
remember_port() {
  local file="$DIR/$1"
  if [ -s "$file" ]; then cat "$file"; else free_port | tee "$file"; fi
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
