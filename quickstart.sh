#!/bin/sh
# The main job, on a fresh Debian 12: installs the dependencies, builds
# motcua, starts the simulated chip ID card behind a real pcscd (unless a
# real reader is configured: MOTCUA_READER=name) and reads it with
# `motcua-cli card read`.  Needs root for apt-get and for pcscd's private
# mount namespace.
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
trap 'MOTCUA_CARDSIM=build/tests/cardsim/motcua-cardsim "$stack" stop "$state" >/dev/null 2>&1; rm -rf "$state"' EXIT INT TERM
env=$(MOTCUA_CARDSIM=build/tests/cardsim/motcua-cardsim "$stack" start "$state" --profile "$(pwd)/tests/cardsim/profiles/$PROFILE.conf")
eval "$env"
# The simulated card's CAN: the last 6 digits of its ID number.
can=$(sed -n 's/^id_number *= *\([0-9]*\).*/\1/p' "tests/cardsim/profiles/$PROFILE.conf" | tail -c 7)
echo "motcua: reading the simulated card ($PROFILE) with CAN $can" >&2
"$cli" card list
"$cli" card read --can "$can" --trust "$trust" --json
