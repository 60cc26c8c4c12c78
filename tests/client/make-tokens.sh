#!/bin/sh
# make-tokens.sh STATE_DIR — SoftHSM2 test tokens for the client's signing
# and device-key tests (TEST ONLY: fixed PINs, committed test keys).
#
# Makes, in a private SOFTHSM2_CONF under STATE_DIR (never the system's):
#   "motcua-clerk"    clerk-rsa + clerk-ec   (certs/test/service, signing-ca)
#   "motcua-hospital" hospital-rsa + hospital-ec
#   "motcua-device"   "device": a fresh RSA-2048 key generated on the token
# user PIN 123456, SO PIN 12345678.  Prints `export VAR=...` lines for the
# caller to eval.  Needs softhsm2-util and pkcs11-tool (opensc); no root.
set -eu

if [ $# -ne 1 ] || [ -z "$1" ]; then
  echo "usage: $0 STATE_DIR" >&2
  exit 2
fi
mkdir -p "$1"
state=$(cd "$1" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
pki="${MOTCUA_SOURCE_ROOT:-$here/../..}/certs/test/service"
pin=123456
so_pin=12345678

# The SoftHSM2 module: an explicit override, then the usual places.
find_module () {
  if [ -n "${MOTCUA_SOFTHSM2_MODULE:-}" ]; then
    echo "$MOTCUA_SOFTHSM2_MODULE"
    return 0
  fi
  multiarch=$( (gcc -print-multiarch || dpkg-architecture -qDEB_HOST_MULTIARCH) 2>/dev/null || true)
  for m in ${multiarch:+/usr/lib/$multiarch/softhsm/libsofthsm2.so} \
           /usr/lib/softhsm/libsofthsm2.so /usr/lib64/softhsm/libsofthsm2.so \
           /usr/lib64/pkcs11/libsofthsm2.so /usr/lib/pkcs11/libsofthsm2.so \
           /usr/local/lib/softhsm/libsofthsm2.so; do
    if [ -f "$m" ]; then
      echo "$m"
      return 0
    fi
  done
  return 1
}
module=$(find_module) || { echo "make-tokens: libsofthsm2.so not found" >&2; exit 1; }
for tool in softhsm2-util pkcs11-tool openssl; do
  command -v "$tool" >/dev/null || { echo "make-tokens: $tool not found" >&2; exit 1; }
done

rm -rf "$state/tokens"
mkdir -p "$state/tokens" "$state/tmp"
cat >"$state/softhsm2.conf" <<EOF
directories.tokendir = $state/tokens
objectstore.backend = file
log.level = ERROR
slots.removable = false
EOF
export SOFTHSM2_CONF="$state/softhsm2.conf"

p11 () {
  token=$1
  shift
  pkcs11-tool --module "$module" --token-label "$token" --login --pin "$pin" "$@" >/dev/null
}

# import TOKEN NAME LABEL ID: NAME-TEST-ONLY.{key,pem} as LABEL with CKA_ID ID
import () {
  openssl pkey -in "$pki/$2-TEST-ONLY.key" -outform DER -out "$state/tmp/key.der"
  openssl x509 -in "$pki/$2-TEST-ONLY.pem" -outform DER -out "$state/tmp/cert.der"
  p11 "$1" --write-object "$state/tmp/key.der" --type privkey --label "$3" --id "$4" --usage-sign
  p11 "$1" --write-object "$state/tmp/cert.der" --type cert --label "$3" --id "$4"
  rm -f "$state/tmp/key.der"
}

for t in motcua-clerk motcua-hospital motcua-device; do
  softhsm2-util --init-token --free --label "$t" --pin "$pin" --so-pin "$so_pin" >/dev/null
done
import motcua-clerk clerk-rsa clerk-rsa 01
import motcua-clerk clerk-ec clerk-ec 02
import motcua-hospital hospital-rsa hospital-rsa 01
import motcua-hospital hospital-ec hospital-ec 02
p11 motcua-device --keypairgen --key-type rsa:2048 --label device --id 01 --usage-decrypt
rm -rf "$state/tmp"

cat <<EOF
export SOFTHSM2_CONF='$SOFTHSM2_CONF'
export MOTCUA_TOKEN_MODULE='$module'
export MOTCUA_TOKEN_PIN='$pin'
export MOTCUA_TOKEN_SO_PIN='$so_pin'
export MOTCUA_CLERK_TOKEN='motcua-clerk'
export MOTCUA_CLERK_KEY_RSA='clerk-rsa'
export MOTCUA_CLERK_KEY_EC='clerk-ec'
export MOTCUA_HOSPITAL_TOKEN='motcua-hospital'
export MOTCUA_HOSPITAL_KEY_RSA='hospital-rsa'
export MOTCUA_HOSPITAL_KEY_EC='hospital-ec'
export MOTCUA_DEVICE_TOKEN='motcua-device'
export MOTCUA_DEVICE_KEY='device'
EOF
