#!/bin/sh
# The main job, on a fresh Debian 12: installs the dependencies, builds
# motcua, starts the simulated chip ID card behind a real pcscd (unless a
# real reader is configured: MOTCUA_READER=name) and reads it with
# `motcua-cli card read`; then, unless a real liên thông service is
# configured (MOTCUA_SERVICE_URL), starts the reference service on a free
# loopback port and talks to it over mutual TLS as a commune counter.
# Needs root for apt-get and for pcscd's private mount namespace.
#
#   sudo ./quickstart.sh                 # simulated 2021 CCCD, JSON output
#   sudo PROFILE=cancuoc-2024 ./quickstart.sh
#   sudo MOTCUA_READER="ACS ACR122U" CAN=123456 ./quickstart.sh
set -eu
cd "$(dirname "$0")"
sh .ci/deps.sh
[ -f build/build.ninja ] || meson setup build >/dev/null
ninja -C build >/dev/null

PROFILE=${PROFILE:-cccd-2021}
cli=build/client/motcua-cli
trust=certs/test/trust

if [ -n "${MOTCUA_READER:-}" ]; then
  exec "$cli" card read --reader "$MOTCUA_READER" --can "${CAN:?set CAN}" --trust "${TRUST:-/etc/motcua/csca}" --json
fi

state=$(mktemp -d /tmp/motcua-quickstart.XXXXXX)
stack=tests/cardsim/cardsim-stack.sh
svc_stack=tests/refsvc/refsvc-stack.sh
cleanup () {
  MOTCUA_CARDSIM=build/tests/cardsim/motcua-cardsim "$stack" stop "$state" >/dev/null 2>&1
  "$svc_stack" stop "$state/service" >/dev/null 2>&1
  rm -rf "$state"
}
trap cleanup EXIT INT TERM
env=$(MOTCUA_CARDSIM=build/tests/cardsim/motcua-cardsim "$stack" start "$state" --profile "$(pwd)/tests/cardsim/profiles/$PROFILE.conf")
eval "$env"
# The simulated card's CAN: the last 6 digits of its ID number.
can=$(sed -n 's/^id_number *= *\([0-9]*\).*/\1/p' "tests/cardsim/profiles/$PROFILE.conf" | tail -c 7)
echo "motcua: reading the simulated card ($PROFILE) with CAN $can" >&2
"$cli" card list
"$cli" card read --can "$can" --trust "$trust" --json

# The liên thông service: the reference one (TEST ONLY PKI) unless configured.
if [ -z "${MOTCUA_SERVICE_URL:-}" ]; then
  eval "$("$svc_stack" start "$state/service")"
  echo "motcua: reference liên thông service at $MOTCUA_SERVICE_URL (admin $MOTCUA_SERVICE_ADMIN)" >&2
  pki=certs/test/service
  tls="--silent --show-error --cacert $MOTCUA_SERVICE_CA --cert $pki/counter-TEST-ONLY.pem --key $pki/counter-TEST-ONLY.key"
  # shellcheck disable=SC2086
  token=$(curl $tls -X POST "$MOTCUA_SERVICE_URL/v1/auth/token" | sed -n 's/.*"access_token" *: *"\([^"]*\)".*/\1/p')
  echo "motcua: counter-00004-01 authenticated (mutual TLS + bearer token); dossier changes:" >&2
  # shellcheck disable=SC2086
  curl $tls -H "Authorization: Bearer $token" "$MOTCUA_SERVICE_URL/v1/changes?since=0"
  echo
fi
