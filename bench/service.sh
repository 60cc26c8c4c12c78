#!/bin/sh
# Starts the reference liên thông service (tests/refsvc) with the test PKI
# on free loopback ports, runs bench-service against it, stops it.
# Builds what is missing first.  Options go to bench-service, e.g.
#   bench/service.sh --clients 8 --submissions 250
# BUILD selects the build directory (default ./build).  No root needed.
set -eu
cd "$(dirname "$0")/.."
build=${BUILD:-build}
if [ ! -f "$build/build.ninja" ]; then
  meson setup "$build" >/dev/null
fi
ninja -C "$build" bench/bench-service tests/refsvc/motcua-refsvc >/dev/null

state=$(mktemp -d /tmp/motcua-bench-service.XXXXXX)
pid=""
cleanup () {
  if [ -n "$pid" ]; then
    kill -TERM "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  fi
  rm -rf "$state"
}
trap cleanup EXIT INT TERM

: >"$state/stdout"
codes=""
[ -d data/codes ] && codes="--codes $(pwd)/data/codes"
# shellcheck disable=SC2086
"$build/tests/refsvc/motcua-refsvc" --pki "$(pwd)/certs/test/service" --state "$state" \
  --port 0 --admin-port 0 --clock stepped $codes >"$state/stdout" 2>"$state/stderr" &
pid=$!

# Wait (at most 30 s) for the two URL lines.
i=0
while :; do
  url=$(sed -n 's/^MOTCUA_SERVICE_URL=//p' "$state/stdout")
  admin=$(sed -n 's/^MOTCUA_SERVICE_ADMIN=//p' "$state/stdout")
  [ -n "$url" ] && [ -n "$admin" ] && break
  if ! kill -0 "$pid" 2>/dev/null || [ "$i" -ge 300 ]; then
    echo "bench/service.sh: the service did not start:" >&2
    cat "$state/stderr" >&2
    exit 1
  fi
  i=$((i + 1))
  sleep 0.1
done

MOTCUA_SOURCE_ROOT=$(pwd) MOTCUA_SERVICE_URL=$url MOTCUA_SERVICE_ADMIN=$admin \
  "$build/bench/bench-service" "$@"
