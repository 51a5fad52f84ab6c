#!/usr/bin/env bash
# Installs everything slicefs needs to build and test. Idempotent: a package
# that is already present is not touched, and nothing is fetched when all are.
# Debian packages come from apt-get; test-only tools (s3rver) from npm into
# .deps/node_modules inside the checkout.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PKGS=(
  build-essential cmake pkg-config git
  libfuse3-dev fuse3
  libsqlite3-dev sqlite3
  libcurl4-openssl-dev libssl-dev
  libhiredis-dev libpq-dev
  liblz4-dev libzstd-dev libxxhash-dev zlib1g-dev
  libcli11-dev nlohmann-json3-dev libspdlog-dev libfmt-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  redis-server postgresql-15 etcd-server etcd-client
  attr psmisc procps time util-linux
  awscli python3-boto3 s3fs rclone
  prometheus libcpp-httplib-dev
  ccache python3-hypothesis e2fsprogs acl
  openssl postgresql-client-15
  tmux gdb tar
  libmicrohttpd-dev libxml2-dev litmus curl openssl
  fio
)

missing=()
for p in "${APT_PKGS[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
# Node.js (with npm) only when absent: some images ship a Node.js build that
# bundles npm and conflicts with Debian's separate npm package.
if ! command -v npm >/dev/null 2>&1; then missing+=(nodejs npm); fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: installing Debian packages: ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
  # Debian starts services after install; tests start their own on free ports.
  for svc in redis-server postgresql etcd; do
    $SUDO systemctl disable --now "$svc" >/dev/null 2>&1 || $SUDO service "$svc" stop >/dev/null 2>&1 || true
  done
fi

# Test-only S3 server from npm, kept inside the checkout.
if [ ! -x .deps/node_modules/.bin/s3rver ]; then
  echo "install-deps: installing s3rver from npm into .deps/"
  mkdir -p .deps
  (cd .deps && [ -f package.json ] || echo '{"name":"slicefs-test-deps","private":true}' > package.json
   npm install --no-audit --no-fund --silent s3rver@3 >/dev/null)
fi
exit 0
