#!/bin/sh
# Installs the Debian packages blvm needs to build and test, and nothing when
# they are all there. Runs apt-get update first only when something is missing,
# because a fresh machine may have no package lists at all.
set -eu

PACKAGES="
  build-essential cmake pkg-config git
  clang libclang-rt-14-dev
  libsecp256k1-dev libevent-dev liblmdb-dev libjansson-dev
  libsqlite3-dev libpq-dev libcurl4-openssl-dev libcmocka-dev
  python3 postgresql
"

missing=""
for p in $PACKAGES; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing="$missing $p"
  fi
done

[ -z "$missing" ] && exit 0

echo "install-deps: installing:$missing"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "install-deps: need root (or sudo) to install:$missing" >&2
    exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing
