#!/bin/sh
# Reads the simulated card N times (default 30) for each configuration and
# prints the figures: default chunking and the 223-byte-capped card, each
# with 0 ms and 20 ms added latency per APDU.  Needs root (pcscd in its
# own mount namespace) and a build in ./build.
set -eu
cd "$(dirname "$0")/.."
N=${N:-30}
PROFILE=${PROFILE:-cccd-2021}
build=${BUILD:-build}
export MOTCUA_CARDSIM="$build/tests/cardsim/motcua-cardsim"
stack=tests/cardsim/cardsim-stack.sh
state=$(mktemp -d /tmp/motcua-bench.XXXXXX)
trap '"$stack" stop "$state" >/dev/null 2>&1; rm -rf "$state"' EXIT INT TERM
can=$(sed -n 's/^id_number *= *\([0-9]*\).*/\1/p' "tests/cardsim/profiles/$PROFILE.conf" | tail -c 7)

env=$("$stack" start "$state" --profile "$(pwd)/tests/cardsim/profiles/$PROFILE.conf")
eval "$env"
for lat in 0 20; do
  for cap in "" "--no-extended"; do
    "$stack" card "$state" --profile "$(pwd)/tests/cardsim/profiles/$PROFILE.conf" --latency-ms "$lat" $cap >/dev/null
    label="lat=${lat}ms ${cap:---default-chunking}"
    n=$N; [ "$lat" -gt 0 ] && n=$(( N < 10 ? N : 10 ))
    "$build/bench/bench-card-read" "$can" "$n" "$label" certs/test/trust
  done
done
