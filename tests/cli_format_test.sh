#!/usr/bin/env bash
# slicefs format / status: format then status shows the volume; a second
# format is refused; bad URLs, unknown schemes and missing database
# directories give a one-line error and a non-zero exit; status of an
# unformatted database says "not formatted". Usage: cli_format_test.sh SLICEFS
set -u
BIN=${1:?usage: $0 path/to/slicefs}
T=$(mktemp -d "${TMPDIR:-/tmp}/slicefs-cli-format-XXXXXX")
trap 'rm -rf "$T"' EXIT
export HOME="$T/home"
mkdir -p "$HOME"
FAILS=0
fail() { echo "FAIL: $*"; FAILS=$((FAILS + 1)); }

# expect_error NAME PATTERN CMD...: non-zero exit, exactly one stderr line matching PATTERN.
expect_error() {
  local name=$1 pattern=$2
  shift 2
  "$@" >"$T/out" 2>"$T/err"
  local rc=$?
  [ "$rc" -ne 0 ] || fail "$name: exit code 0"
  [ "$(wc -l <"$T/err")" -eq 1 ] || { fail "$name: stderr is not one line:"; cat "$T/err"; }
  grep -q -- "$pattern" "$T/err" || { fail "$name: stderr does not match '$pattern':"; cat "$T/err"; }
}

DB="sqlite3://$T/vol.db"
"$BIN" format "$DB" demo-vol --secret-key TOPSECRET --trash-days 3 --block-size 1M >"$T/out" 2>"$T/err" \
  || { fail "format failed"; cat "$T/err"; }
[ -d "$HOME/.slicefs/local" ] || fail "default bucket ~/.slicefs/local not created"

"$BIN" status "$DB" >"$T/status" 2>"$T/err" || { fail "status failed"; cat "$T/err"; }
grep -q '"name": "demo-vol"' "$T/status" || fail "status does not show the volume name"
grep -q '"trashDays": 3' "$T/status" || fail "status does not show trash days"
grep -q '"blockSizeKiB": 1024' "$T/status" || fail "status does not show the block size"
grep -q '"Sessions"' "$T/status" || fail "status does not list sessions"
grep -q 'TOPSECRET' "$T/status" && fail "status shows the secret key"
UUID=$(grep -o '"uuid": "[^"]*"' "$T/status")

expect_error "second format" "already formatted" "$BIN" format "$DB" demo-vol
"$BIN" format "$DB" demo-vol --force --trash-days 5 >/dev/null 2>"$T/err" || { fail "format --force failed"; cat "$T/err"; }
"$BIN" status "$DB" >"$T/status2" 2>/dev/null
grep -q '"trashDays": 5' "$T/status2" || fail "--force did not update trash days"
grep -q "$UUID" "$T/status2" || fail "--force changed the UUID"
expect_error "force other name" "holds volume 'demo-vol'" "$BIN" format "$DB" other-vol --force

# POSIX ACLs: off by default, on with format/config --enable-acl; contradicting flags are one line.
grep -q '"enableACL": false' "$T/status2" || fail "status does not show enableACL false"
"$BIN" config "$DB" --enable-acl >"$T/out" 2>"$T/err" || { fail "config --enable-acl failed"; cat "$T/err"; }
grep -q 'enable-acl: false -> true' "$T/out" || { fail "config --enable-acl did not report the change"; cat "$T/out"; }
"$BIN" status "$DB" 2>/dev/null | grep -q '"enableACL": true' || fail "config --enable-acl not stored"
expect_error "acl flags" "contradict" "$BIN" config "$DB" --enable-acl --disable-acl
"$BIN" format "sqlite3://$T/acl.db" acl-vol --enable-acl 2>/dev/null | grep -q '"enableACL": true' \
  || fail "format --enable-acl not in the format"
"$BIN" format "sqlite3://$T/acl.db" acl-vol --force >/dev/null 2>&1
"$BIN" status "sqlite3://$T/acl.db" 2>/dev/null | grep -q '"enableACL": true' || fail "format --force turned ACLs off"

expect_error "malformed url" "malformed URL" "$BIN" format "not a url" demo-vol
expect_error "unknown scheme" "unknown metadata engine" "$BIN" format "foo://bar/baz" demo-vol
expect_error "missing db dir" "does not exist" "$BIN" format "sqlite3://$T/no/such/dir/vol.db" demo-vol
expect_error "bad name" "volume name" "$BIN" format "sqlite3://$T/v2.db" Bad_Name
expect_error "bad block size" "block size" "$BIN" format "sqlite3://$T/v2.db" demo-vol --block-size 32K
expect_error "status malformed" "malformed URL" "$BIN" status "::nope"
expect_error "status missing db" "not formatted" "$BIN" status "sqlite3://$T/missing.db"
: >"$T/empty.db"
expect_error "status unformatted" "not formatted" "$BIN" status "sqlite3://$T/empty.db"

if [ "$FAILS" -ne 0 ]; then
  echo "cli_format_test: $FAILS failure(s)"
  exit 1
fi
echo "cli_format_test: all checks passed"
