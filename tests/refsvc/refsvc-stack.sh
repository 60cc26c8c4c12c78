#!/bin/sh
# refsvc-stack.sh — runs the reference liên thông service in the background.
#
#   refsvc-stack.sh start STATE [motcua-refsvc options...]
#       starts motcua-refsvc with its store in STATE, waits until it
#       listens and prints its environment (eval it):
#         MOTCUA_SERVICE_URL=https://127.0.0.1:PORT
#         MOTCUA_SERVICE_ADMIN=http://127.0.0.1:PORT
#         MOTCUA_SERVICE_CA=.../service-ca-TEST-ONLY.pem
#   refsvc-stack.sh stop STATE
#
# The binary: $MOTCUA_REFSVC, else build/tests/refsvc/motcua-refsvc next
# to this script's source tree.  TEST ONLY: it trusts the test PKI.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
bin=${MOTCUA_REFSVC:-$here/../../build/tests/refsvc/motcua-refsvc}
cmd=${1:-}
state=${2:-}
[ -n "$cmd" ] && [ -n "$state" ] || { echo "usage: $0 start|stop STATE [options]" >&2; exit 2; }
shift 2

case "$cmd" in
start)
  mkdir -p "$state"
  rm -f "$state/env"
  setsid "$bin" --state "$state" "$@" >"$state/env.tmp" 2>"$state/refsvc.log" &
  echo $! >"$state/refsvc.pid"
  i=0
  while [ "$(grep -c '^MOTCUA_SERVICE_' "$state/env.tmp" 2>/dev/null || true)" -lt 3 ]; do
    if ! kill -0 "$(cat "$state/refsvc.pid")" 2>/dev/null || [ $i -ge 100 ]; then
      echo "refsvc-stack: the service did not start:" >&2
      cat "$state/refsvc.log" >&2
      exit 1
    fi
    i=$((i + 1))
    sleep 0.1
  done
  sed 's/^/export /' "$state/env.tmp" >"$state/env"
  cat "$state/env"
  ;;
stop)
  if [ -f "$state/refsvc.pid" ]; then
    pid=$(cat "$state/refsvc.pid")
    kill "$pid" 2>/dev/null || true
    i=0
    while kill -0 "$pid" 2>/dev/null && [ $i -lt 50 ]; do i=$((i + 1)); sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
    rm -f "$state/refsvc.pid"
  fi
  ;;
*)
  echo "usage: $0 start|stop STATE [options]" >&2
  exit 2
  ;;
esac
