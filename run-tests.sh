#!/bin/sh
# Runs the whole motcua test suite:
#   1. a -Werror build and every test (unit, fuzz corpora, integration
#      through a real pcscd with the card simulator),
#   2. the same suite under AddressSanitizer + UndefinedBehaviorSanitizer,
#   3. each libFuzzer target for a short time (FUZZ_SECONDS, default 20).
# Integration tests need root (pcscd in its own mount namespace); as a
# normal user they are skipped.  Prints "N passed, N failed" last.
set -u
cd "$(dirname "$0")"
root=$(pwd)
FUZZ_SECONDS=${FUZZ_SECONDS:-20}
sh .ci/deps.sh || exit 1

passed=0
failed=0
status=0

count () {  # count DIR: adds the meson test counts of a finished run
  log="$1/meson-logs/testlog.json"
  [ -f "$log" ] || return 0
  p=$(grep -c '"result": "OK"' "$log" || true)
  s=$(grep -c '"result": "SKIP"' "$log" || true)
  f=$(grep -c -E '"result": "(FAIL|ERROR|TIMEOUT|UNEXPECTEDPASS)"' "$log" || true)
  passed=$((passed + p)); failed=$((failed + f))
  echo "== $1: $p passed, $f failed, $s skipped"
}

suite () {  # suite DIR [meson setup options...]
  dir=$1; shift
  if [ ! -f "$dir/build.ninja" ]; then
    meson setup "$dir" -Dwerror=true "$@" >/dev/null || { status=1; failed=$((failed + 1)); return; }
  fi
  ninja -C "$dir" || { status=1; failed=$((failed + 1)); return; }
  meson test -C "$dir" --print-errorlogs --num-processes 2 || status=1
  count "$dir"
}

suite build-test
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  suite build-sanitize -Db_sanitize=address,undefined -Db_lundef=false

# Fuzzing: clang + libFuzzer, each target on a copy of its seed corpus.
if command -v clang >/dev/null; then
  if [ ! -f build-fuzz/build.ninja ]; then
    CC=clang meson setup build-fuzz -Dfuzzing=true -Dtests=true \
      -Db_sanitize=address,undefined -Db_lundef=false >/dev/null || status=1
  fi
  if ninja -C build-fuzz; then
    for t in build-fuzz/tests/fuzz/fuzz-*; do
      [ -f "$t" ] && [ -x "$t" ] || continue
      name=${t##*/fuzz-}
      work=$(mktemp -d)
      cp -r "tests/fuzz/corpus/$name/." "$work/" 2>/dev/null || true
      if "$t" -max_total_time="$FUZZ_SECONDS" -rss_limit_mb=2048 -print_final_stats=0 \
           -artifact_prefix="$work/" "$work" >"$work.log" 2>&1; then
        passed=$((passed + 1)); echo "== fuzz $name: ok (${FUZZ_SECONDS}s)"
      else
        failed=$((failed + 1)); status=1
        echo "== fuzz $name: FAILED"; tail -40 "$work.log"
        mkdir -p tests/fuzz/artifacts && cp "$work"/crash-* "$work"/leak-* "$work"/timeout-* tests/fuzz/artifacts/ 2>/dev/null
      fi
      rm -rf "$work" "$work.log"
    done
  else
    status=1; failed=$((failed + 1))
  fi
fi

echo "tests: $passed passed, $failed failed"
[ "$failed" -eq 0 ] || status=1
exit $status
