#!/usr/bin/env bash
# stop.sh DIR: stops the server(s) whose PIDs are in DIR/pid (one a line),
# with the signal named in DIR/stopsig (default TERM), then KILL after 30 s,
# and waits until they are gone. Does nothing for processes already gone.
set -uo pipefail
[ $# -eq 1 ] || { echo "usage: stop.sh DIR" >&2; exit 1; }
PIDFILE="$1/pid"
[ -s "$PIDFILE" ] || exit 0
SIG=TERM
[ -s "$1/stopsig" ] && SIG=$(cat "$1/stopsig")
PIDS=$(cat "$PIDFILE")
for PID in $PIDS; do kill -"$SIG" "$PID" 2>/dev/null; done
for PID in $PIDS; do
  for _ in $(seq 1 300); do
    kill -0 "$PID" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$PID" 2>/dev/null; then
    kill -KILL "$PID" 2>/dev/null
    for _ in $(seq 1 50); do kill -0 "$PID" 2>/dev/null || break; sleep 0.1; done
  fi
done
rm -f "$PIDFILE"
exit 0
