#!/bin/sh
# pcsc-env.sh — a private pcscd with vpcd virtual readers, for tests.
#
# pcscd's socket path is compiled in (/run/pcscd/pcscd.comm), so each stack
# runs pcscd in its own mount namespace with STATE/run bind-mounted on
# /run/pcscd.  Clients reach it with PCSCLITE_CSOCK_NAME=STATE/run/pcscd.comm.
# Every vpcd reader.conf entry gives two readers ("Virtual PCD NN 00" and
# "... NN 01") listening on TCP PORT and PORT+1 (all interfaces).
#
# Usage:
#   pcsc-env.sh check                 exit 0 when root, pcscd, unshare, vpcd exist
#   pcsc-env.sh start STATE PORT      start pcscd with one vpcd entry on PORT
#   pcsc-env.sh stop STATE            stop it (SIGTERM, then SIGKILL), clean up
#   pcsc-env.sh kill STATE            SIGKILL it (simulates a crash), clean up
#   pcsc-env.sh add-conf STATE NAME PORT [FRIENDLY]
#                                     add a vpcd entry, read at the next start
#                                     (pcscd 1.9.9 built with libudev ignores
#                                     SIGUSR1/--hotplug for reader.conf)
#   pcsc-env.sh rm-conf STATE NAME         remove an entry file
#   pcsc-env.sh hotplug STATE         SIGUSR1: pcscd re-reads its reader.conf dir
#
# Readiness: "start" returns once pcscd's socket exists; callers then poll
# with a PC/SC client until the reader appears (pcscd polls ~every 400 ms).
# All waits are bounded.  Nothing is printed on success except by "start"
# failures (the pcscd log is STATE/pcscd.log).
set -eu

PCSCD=${PCSCD:-/usr/sbin/pcscd}
VPCD_LIB=${VPCD_LIB:-/usr/lib/pcsc/drivers/serial/libifdvpcd.so}

die () { echo "pcsc-env: $*" >&2; exit 1; }

write_conf () { # dir name port [friendly name]
  cat > "$1/$2" <<EOF
FRIENDLYNAME "${4:-Virtual PCD}"
DEVICENAME   /dev/null:$3
LIBPATH      $VPCD_LIB
EOF
}

alive () { # pid: running and not a zombie (we may not be its parent)
  kill -0 "$1" 2>/dev/null || return 1
  st=$(sed -n 's/^State:[[:space:]]*\(.\).*/\1/p' "/proc/$1/status" 2>/dev/null || true)
  [ "$st" != Z ] && [ -n "$st" ]
}

pid_of () { # state → pid of our pcscd, or nothing
  [ -f "$1/pcscd.pid" ] || return 0
  p=$(cat "$1/pcscd.pid")
  if [ -n "$p" ] && alive "$p"; then echo "$p"; fi
}

wait_gone () { # pid, tenths of a second
  n=0
  while alive "$1"; do
    n=$((n + 1)); [ "$n" -le "$2" ] || return 1
    sleep 0.1
  done
}

cleanup_files () {
  rm -f "$1/run/pcscd.comm" "$1/run/pcscd.pid" "$1/pcscd.pid"
}

cmd=${1:-}
case "$cmd" in
  check)
    [ "$(id -u)" = 0 ] || exit 77
    [ -x "$PCSCD" ] && [ -f "$VPCD_LIB" ] && command -v unshare >/dev/null || exit 77
    exit 0 ;;
  start)
    state=$2; port=$3
    [ -z "$(pid_of "$state")" ] || die "already running"
    mkdir -p "$state/conf" "$state/run" /run/pcscd
    [ -n "$(ls -A "$state/conf")" ] || write_conf "$state/conf" vpcd-0 "$port"
    cleanup_files "$state"
    # unshare execs sh, which execs pcscd: the pid we record is pcscd's.
    unshare --mount sh -c 'mount --bind "$1/run" /run/pcscd && exec "$2" --foreground --debug --config "$1/conf"' \
      sh "$state" "$PCSCD" >>"$state/pcscd.log" 2>&1 </dev/null &
    echo $! > "$state/pcscd.pid"
    n=0
    while [ ! -S "$state/run/pcscd.comm" ]; do
      alive "$(cat "$state/pcscd.pid")" || die "pcscd exited (see $state/pcscd.log)"
      n=$((n + 1)); [ "$n" -le 100 ] || die "pcscd socket did not appear"
      sleep 0.05
    done ;;
  stop|kill)
    state=$2
    p=$(pid_of "$state")
    if [ -n "$p" ]; then
      if [ "$cmd" = stop ]; then
        kill -TERM "$p" 2>/dev/null || true
        wait_gone "$p" 50 || kill -KILL "$p" 2>/dev/null || true
      else
        kill -KILL "$p" 2>/dev/null || true
      fi
      wait_gone "$p" 50 || die "pcscd $p did not exit"
    fi
    cleanup_files "$state" ;;
  add-conf)
    write_conf "$2/conf" "$3" "$4" "${5:-}" ;;
  rm-conf)
    rm -f "$2/conf/$3" ;;
  hotplug)
    p=$(pid_of "$2"); [ -n "$p" ] || die "not running"
    kill -USR1 "$p" ;;
  *)
    echo "usage: $0 check|start|stop|kill|add-conf|rm-conf|hotplug ..." >&2
    exit 2 ;;
esac
