#!/usr/bin/env bash
# Stops a server started by scripts/servers/start-*.sh DIR: sends SIGTERM to
# the PID in DIR/pid, waits up to 10 s, then SIGKILL. Removes DIR/pid.
# Stopping an already stopped server is not an error.
set -uo pipefail
DIR=${1:?usage: stop.sh DIR}
[ -f "$DIR/pid" ] || exit 0
PID=$(cat "$DIR/pid")
if [ -n "$PID" ] && kill -0 "$PID" 2>/dev/null; then
  kill "$PID" 2>/dev/null
  for _ in $(seq 1 100); do
    kill -0 "$PID" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$PID" 2>/dev/null; then
    kill -9 "$PID" 2>/dev/null
    for _ in $(seq 1 50); do
      kill -0 "$PID" 2>/dev/null || break
      sleep 0.1
    done
  fi
fi
rm -f "$DIR/pid"
exit 0
