#!/usr/bin/env bash
# stop.sh DIR: stops the server whose PID is in DIR/pid (with the signal named
# in DIR/stopsig, default TERM; then KILL after 30 s) and waits until it is
# gone. Does nothing when it is not running.
set -uo pipefail
[ $# -eq 1 ] || { echo "usage: stop.sh DIR" >&2; exit 1; }
PIDFILE="$1/pid"
[ -s "$PIDFILE" ] || exit 0
PID=$(cat "$PIDFILE")
SIG=TERM
[ -s "$1/stopsig" ] && SIG=$(cat "$1/stopsig")
if kill -0 "$PID" 2>/dev/null; then
  kill -"$SIG" "$PID" 2>/dev/null
  for _ in $(seq 1 300); do
    kill -0 "$PID" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$PID" 2>/dev/null; then
    kill -KILL "$PID" 2>/dev/null
    for _ in $(seq 1 50); do kill -0 "$PID" 2>/dev/null || break; sleep 0.1; done
  fi
fi
rm -f "$PIDFILE"
exit 0
