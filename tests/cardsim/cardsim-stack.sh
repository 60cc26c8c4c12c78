#!/bin/sh
# cardsim-stack.sh — a private PC/SC stack with the virtual CCCD in it:
# pcscd (own mount namespace) + vsmartcard's vpcd driver + motcua-cardsim.
#
#   cardsim-stack.sh start STATE [--profile P] [sim options...]
#       Writes STATE/conf (a vpcd reader on a free TCP port), starts pcscd
#       with STATE/run bind-mounted on /run/pcscd (log STATE/pcscd.log),
#       starts the simulator (log STATE/cardsim.log), waits until PC/SC sees
#       the card, and prints, for eval:
#         export PCSCLITE_CSOCK_NAME=STATE/run/pcscd.comm
#         export MOTCUA_READER='Virtual PCD 00 00'
#   cardsim-stack.sh card STATE [--profile P] [sim options...]
#       Removes the card and inserts a new one with these options (the
#       previous profile unless --profile is given).
#   cardsim-stack.sh remove STATE     removes the card (stops the simulator)
#   cardsim-stack.sh stop STATE       stops the simulator and pcscd, cleans up
#
# Sim options: see `motcua-cardsim --help` (--remove-after N, --corrupt-mac,
# --tamper-dg N, --rogue-csca, --expired-ds, --no-extended, --latency-ms N,
# --bac-only, --pki DIR).
#
# The simulator binary: $MOTCUA_CARDSIM, else motcua-cardsim in the same
# directory as this script (meson copies the script into
# BUILD/tests/cardsim/, next to the binary).  Needs root (mount namespace),
# pcscd, unshare and vsmartcard-vpcd; no systemd.  Every wait is a bounded
# poll.
set -eu

PCSCD=${PCSCD:-/usr/sbin/pcscd}
VPCD_LIB=${VPCD_LIB:-/usr/lib/pcsc/drivers/serial/libifdvpcd.so}
SIM=${MOTCUA_CARDSIM:-$(dirname "$0")/motcua-cardsim}
WAIT_MS=${CARDSIM_WAIT_MS:-15000}

die () { echo "cardsim-stack: $*" >&2; exit 1; }

alive () { # pid: running and not a zombie
  kill -0 "$1" 2>/dev/null || return 1
  st=$(sed -n 's/^State:[[:space:]]*\(.\).*/\1/p' "/proc/$1/status" 2>/dev/null || true)
  [ -n "$st" ] && [ "$st" != Z ]
}

pid_from () { # pidfile → pid if alive
  [ -f "$1" ] || return 0
  p=$(cat "$1")
  if [ -n "$p" ] && alive "$p"; then echo "$p"; fi
}

stop_pid () { # pidfile: TERM, bounded wait, then KILL
  p=$(pid_from "$1")
  if [ -n "$p" ]; then
    kill -TERM "$p" 2>/dev/null || true
    n=0
    while alive "$p"; do
      n=$((n + 1))
      if [ "$n" -eq 50 ]; then kill -KILL "$p" 2>/dev/null || true; fi
      [ "$n" -le 100 ] || die "process $p did not exit"
      sleep 0.05
    done
  fi
  rm -f "$1"
}

port_busy () { # port: listening on IPv4 or IPv6?
  hex=$(printf '%04X' "$1")
  cat /proc/net/tcp /proc/net/tcp6 2>/dev/null |
    awk -v h="$hex" '{ split($2, a, ":"); if (a[2] == h && $4 == "0A") f = 1 } END { exit !f }'
}

free_port () { # a port P with P and P+1 free (vpcd listens on both)
  i=0
  while [ "$i" -lt 200 ]; do
    p=$(( 20000 + ($$ * 7 + i * 131 + $(od -An -N2 -tu2 /dev/urandom)) % 40000 ))
    if ! port_busy "$p" && ! port_busy $((p + 1)); then echo "$p"; return 0; fi
    i=$((i + 1))
  done
  die "no free TCP port"
}

sock () { echo "$1/run/pcscd.comm"; }

start_sim () { # state, options...
  state=$1; shift
  [ -x "$SIM" ] || die "simulator not found: $SIM (set MOTCUA_CARDSIM)"
  has_profile=0
  for a in "$@"; do [ "$a" = --profile ] && has_profile=1; done
  if [ "$has_profile" = 1 ]; then
    prev=""
    for a in "$@"; do
      [ "$prev" = --profile ] && printf '%s\n' "$a" > "$state/profile"
      prev=$a
    done
  elif [ -f "$state/profile" ]; then
    set -- --profile "$(cat "$state/profile")" "$@"
  fi
  port=$(cat "$state/port")
  "$SIM" --port "$port" "$@" >>"$state/cardsim.log" 2>&1 </dev/null &
  echo $! > "$state/cardsim.pid"
  reader=$(PCSCLITE_CSOCK_NAME=$(sock "$state") "$SIM" --wait-card --reader "Virtual PCD" \
    --timeout-ms "$WAIT_MS" --event-file "$state/event") ||
    die "the card did not appear (see $state/cardsim.log, $state/pcscd.log)"
  echo "$reader" > "$state/reader"
}

remove_card () { # state
  # pcscd must see the reader empty before the next card comes, or it
  # never powers that card up: wait until its event counter moved on.
  stop_pid "$1/cardsim.pid"
  if [ -S "$(sock "$1")" ]; then
    PCSCLITE_CSOCK_NAME=$(sock "$1") "$SIM" --wait-no-card --reader "Virtual PCD" \
      --timeout-ms "$WAIT_MS" --after-event "$(cat "$1/event" 2>/dev/null || echo -1)" >/dev/null ||
      die "the card did not go away"
  fi
}

cmd=${1:-}
[ $# -ge 2 ] || { echo "usage: $0 start|card|remove|stop STATE [options]" >&2; exit 2; }
state=$2; shift 2
case "$cmd" in
  start)
    [ "$(id -u)" = 0 ] || die "needs root (mount namespace for pcscd)"
    [ -x "$PCSCD" ] && [ -f "$VPCD_LIB" ] || die "pcscd or vpcd missing"
    mkdir -p "$state/conf" "$state/run" /run/pcscd
    state=$(cd "$state" && pwd)
    [ -z "$(pid_from "$state/pcscd.pid")" ] || die "already running in $state"
    rm -f "$state/run/pcscd.comm" "$state/run/pcscd.pid" "$state/profile"
    port=$(free_port)
    echo "$port" > "$state/port"
    cat > "$state/conf/vpcd" <<CONF
FRIENDLYNAME "Virtual PCD"
DEVICENAME   /dev/null:$port
LIBPATH      $VPCD_LIB
CONF
    unshare --mount sh -c 'mount --bind "$1/run" /run/pcscd && exec "$2" --foreground $3 --config "$1/conf"' \
      sh "$state" "$PCSCD" "${CARDSIM_PCSCD_LOG:---info}" >>"$state/pcscd.log" 2>&1 </dev/null &
    echo $! > "$state/pcscd.pid"
    n=0
    while [ ! -S "$(sock "$state")" ]; do
      alive "$(cat "$state/pcscd.pid")" || die "pcscd exited (see $state/pcscd.log)"
      n=$((n + 1)); [ "$n" -le 200 ] || die "pcscd socket did not appear"
      sleep 0.05
    done
    start_sim "$state" "$@"
    echo "export PCSCLITE_CSOCK_NAME=$(sock "$state")"
    echo "export MOTCUA_READER='$(cat "$state/reader")'" ;;
  card)
    state=$(cd "$state" && pwd)
    [ -n "$(pid_from "$state/pcscd.pid")" ] || die "no stack running in $state"
    remove_card "$state"
    start_sim "$state" "$@" ;;
  remove)
    state=$(cd "$state" && pwd)
    remove_card "$state" ;;
  stop)
    [ -d "$state" ] || exit 0
    state=$(cd "$state" && pwd)
    stop_pid "$state/cardsim.pid"
    stop_pid "$state/pcscd.pid"
    rm -f "$state/run/pcscd.comm" "$state/run/pcscd.pid" ;;
  *)
    echo "usage: $0 start|card|remove|stop STATE [options]" >&2
    exit 2 ;;
esac
