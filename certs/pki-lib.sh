# pki-lib.sh — shell functions shared by the TEST-ONLY PKI generators
# (make-test-pki.sh, make-service-pki.sh).  Sourced, not run: bash.

# new_ca_db DIR: an empty `openssl ca` database (serials from 0x1000).
new_ca_db () {
  mkdir -p "$1/new"
  : > "$1/index.txt"
  echo 1000 > "$1/serial"
  echo 01 > "$1/crlnumber"
}

# fails CMD...: CMD must fail.  (A bare "! cmd" never stops `set -e`, so a
# chain that verifies when it must not would go unnoticed.)
fails () {
  if "$@"; then
    echo "${0##*/}: unexpectedly succeeded: $*" >&2
    exit 1
  fi
}
