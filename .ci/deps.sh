#!/bin/sh
# Installs what motcua needs to build and test on Debian 12 (bookworm).
# Used by quickstart.sh, run-tests.sh (when something is missing) and CI.
set -eu
PKGS="
  meson ninja-build pkg-config gcc clang libclang-rt-14-dev
  libpcsclite-dev libssl-dev libeac-dev libglib2.0-dev libjson-glib-dev libcmocka-dev
  libsqlite3-dev libcurl4-openssl-dev libxml2-dev libxmlsec1-dev libxmlsec1-openssl xmlsec1
  libmicrohttpd-dev libgnutls28-dev
  libp11-dev libengine-pkcs11-openssl softhsm2 opensc p11-kit
  pcscd vsmartcard-vpcd openssl util-linux procps curl
"
missing=""
for p in $PKGS; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
  echo "motcua: need root to install:$missing (run with sudo)" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing
