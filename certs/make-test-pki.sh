#!/usr/bin/env bash
# make-test-pki.sh — builds the TEST-ONLY eMRTD PKI used by the card
# simulator and the tests (ICAO 9303-12: CSCA → Document Signer, CRL,
# CSCA master list).  Nothing made here may ever be trusted in production:
# every private key file name contains TEST-ONLY.
#
# Usage: certs/make-test-pki.sh [--force] [OUTDIR]     (default certs/test)
#
# Idempotent: when every output already exists in OUTDIR the script does
# nothing (keys are random, so regenerating would invalidate everything
# built from them); --force regenerates the whole set.
#
# Needs: bash, the openssl CLI (3.0), od, coreutils.
set -euo pipefail

force=0
if [ "${1:-}" = "--force" ]; then
  force=1
  shift
fi
here=$(cd "$(dirname "$0")" && pwd)
outdir=${1:-$here/test}

outputs=(
  csca-TEST-ONLY.key csca-TEST-ONLY.pem csca-TEST-ONLY.crl
  ds-TEST-ONLY.key ds-TEST-ONLY.pem
  ds-expired-TEST-ONLY.key ds-expired-TEST-ONLY.pem
  ds-revoked-TEST-ONLY.key ds-revoked-TEST-ONLY.pem
  rogue-csca-TEST-ONLY.key rogue-csca-TEST-ONLY.pem
  ds-rogue-TEST-ONLY.key ds-rogue-TEST-ONLY.pem
  mls-TEST-ONLY.key mls-TEST-ONLY.pem masterlist-TEST-ONLY.ml
  aa-rsa-TEST-ONLY.key aa-ec-TEST-ONLY.key ca-TEST-ONLY.key
  trust/csca-TEST-ONLY.pem trust/csca-TEST-ONLY.crl
)

if [ "$force" = 0 ]; then
  missing=0
  for f in "${outputs[@]}"; do
    [ -e "$outdir/$f" ] || missing=1
  done
  if [ "$missing" = 0 ]; then
    echo "make-test-pki: $outdir is complete (use --force to regenerate)"
    exit 0
  fi
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
umask 077
export CADIR=$work   # read by ca.cnf; each openssl ca call sets its own

# Validity periods (ICAO 9303-12 §7.1: CSCA key usage period 3-5 years,
# certificate validity much longer; test values only).
CSCA_START=20250101000000Z
CSCA_END=20550101000000Z      # 30 years
DS_START=20250101000000Z
DS_END=20450101000000Z
DSX_START=20150101000000Z     # expired document signer
DSX_END=20200101000000Z
CRL_LAST=20250101000000Z
CRL_NEXT=20541231000000Z      # far in the future

# --- openssl ca configuration ------------------------------------------------
# One config, two CA databases (the real CSCA and the rogue one).
cat > "$work/ca.cnf" <<'EOF'
[ ca ]
default_ca = csca

[ csca ]
dir              = $ENV::CADIR
database         = $dir/index.txt
serial           = $dir/serial
crlnumber        = $dir/crlnumber
new_certs_dir    = $dir/new
default_md       = sha512
policy           = policy_any
unique_subject   = no
email_in_dn      = no
copy_extensions  = none
default_crl_days = 3650
crl_extensions   = crl_ext

[ policy_any ]
countryName            = optional
organizationName       = optional
organizationalUnitName = optional
commonName             = supplied
serialNumber           = optional

[ req ]
distinguished_name = dn
prompt             = no
[ dn ]
CN = placeholder

# ICAO 9303-12 §7.1.1: CSCA certificate profile.
[ v3_csca ]
basicConstraints       = critical, CA:TRUE, pathlen:0
keyUsage               = critical, keyCertSign, cRLSign
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always

# Document Signer: only signs SODs.
[ v3_ds ]
keyUsage               = critical, digitalSignature
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always

# Master List Signer (extended key usage id-icao-cscaMasterListSigningKey).
[ v3_mls ]
keyUsage               = critical, digitalSignature
extendedKeyUsage       = 2.23.136.1.1.3
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always

[ crl_ext ]
authorityKeyIdentifier = keyid:always
EOF

# new_ca_db and fails: pki-lib.sh
. "$here/pki-lib.sh"

ec_key () {   # ec_key CURVE OUT
  openssl genpkey -algorithm EC -pkeyopt "ec_paramgen_curve:$1" \
    -pkeyopt ec_param_enc:named_curve -out "$2" 2>/dev/null
}

csr () {      # csr KEY SUBJECT OUT
  openssl req -new -config "$work/ca.cnf" -key "$1" -subj "$2" -out "$3"
}

# sign CADIR CAKEY CACERT CSR EXT START END OUT [MD]
sign () {
  CADIR=$1 openssl ca -batch -config "$work/ca.cnf" -notext \
    -keyfile "$2" -cert "$3" -in "$4" -extensions "$5" \
    -startdate "$6" -enddate "$7" -md "${9:-sha512}" -out "$8" 2>/dev/null
}

# selfsign CADIR KEY CSR START END OUT
selfsign () {
  CADIR=$1 openssl ca -batch -selfsign -config "$work/ca.cnf" -notext \
    -keyfile "$2" -in "$3" -extensions v3_csca \
    -startdate "$4" -enddate "$5" -md sha512 -out "$6" 2>/dev/null
}

o=$work/out
mkdir -p "$o/trust"

# --- the test CSCA (mirrors the public Vietnamese CSCA: brainpoolP512r1,
#     ecdsa-with-SHA512) --------------------------------------------------------
new_ca_db "$work/csca"
ec_key brainpoolP512r1 "$o/csca-TEST-ONLY.key"
csr "$o/csca-TEST-ONLY.key" "/C=VN/O=motcua TEST ONLY/CN=TEST ONLY CSCA Viet Nam/serialNumber=1" "$work/csca.csr"
selfsign "$work/csca" "$o/csca-TEST-ONLY.key" "$work/csca.csr" \
  "$CSCA_START" "$CSCA_END" "$o/csca-TEST-ONLY.pem"

ca_sign () {  # ca_sign CSR EXT START END OUT
  sign "$work/csca" "$o/csca-TEST-ONLY.key" "$o/csca-TEST-ONLY.pem" "$@"
}

# --- Document Signers ----------------------------------------------------------
for kind in ds ds-expired ds-revoked; do
  ec_key brainpoolP256r1 "$o/$kind-TEST-ONLY.key"
done
csr "$o/ds-TEST-ONLY.key" "/C=VN/O=motcua TEST ONLY/CN=TEST ONLY Document Signer 1" "$work/ds.csr"
ca_sign "$work/ds.csr" v3_ds "$DS_START" "$DS_END" "$o/ds-TEST-ONLY.pem"

csr "$o/ds-expired-TEST-ONLY.key" "/C=VN/O=motcua TEST ONLY/CN=TEST ONLY Document Signer expired" "$work/dsx.csr"
ca_sign "$work/dsx.csr" v3_ds "$DSX_START" "$DSX_END" "$o/ds-expired-TEST-ONLY.pem"

csr "$o/ds-revoked-TEST-ONLY.key" "/C=VN/O=motcua TEST ONLY/CN=TEST ONLY Document Signer revoked" "$work/dsr.csr"
ca_sign "$work/dsr.csr" v3_ds "$DS_START" "$DS_END" "$o/ds-revoked-TEST-ONLY.pem"

# --- CRL listing the revoked DS --------------------------------------------------
CADIR=$work/csca openssl ca -batch -config "$work/ca.cnf" \
  -keyfile "$o/csca-TEST-ONLY.key" -cert "$o/csca-TEST-ONLY.pem" \
  -revoke "$o/ds-revoked-TEST-ONLY.pem" -crl_reason keyCompromise 2>/dev/null
CADIR=$work/csca openssl ca -batch -config "$work/ca.cnf" -gencrl \
  -keyfile "$o/csca-TEST-ONLY.key" -cert "$o/csca-TEST-ONLY.pem" -md sha512 \
  -crl_lastupdate "$CRL_LAST" -crl_nextupdate "$CRL_NEXT" \
  -out "$work/csca.crl.pem" 2>/dev/null
openssl crl -in "$work/csca.crl.pem" -out "$o/csca-TEST-ONLY.crl"

# --- Master List Signer and the CSCA master list (ICAO 9303-12 §9) --------------
ec_key brainpoolP256r1 "$o/mls-TEST-ONLY.key"
csr "$o/mls-TEST-ONLY.key" "/C=VN/O=motcua TEST ONLY/CN=TEST ONLY Master List Signer" "$work/mls.csr"
ca_sign "$work/mls.csr" v3_mls "$DS_START" "$DS_END" "$o/mls-TEST-ONLY.pem"

# CscaMasterList ::= SEQUENCE { version INTEGER (v0), certList SET OF Certificate }
# The certificate is put in with OpenSSL's generator: its content octets
# under an IMPLICIT universal SEQUENCE tag re-create the certificate's DER.
openssl x509 -in "$o/csca-TEST-ONLY.pem" -outform DER -out "$work/csca.der"
hl=$(openssl asn1parse -inform DER -in "$work/csca.der" | head -n 1 \
       | sed -n 's/.*hl=\([0-9]*\).*/\1/p')
body=$(tail -c +"$((hl + 1))" "$work/csca.der" | od -An -v -tx1 | tr -d ' \n')
cat > "$work/ml.cnf" <<EOF
asn1 = SEQUENCE:masterlist
[ masterlist ]
version  = INT:0
certList = SET:certs
[ certs ]
cert1 = IMPLICIT:16U,FORMAT:HEX,OCTETSTRING:$body
EOF
openssl asn1parse -genconf "$work/ml.cnf" -noout -out "$work/ml.der" >/dev/null
openssl asn1parse -inform DER -in "$work/ml.der" >/dev/null
openssl cms -sign -nodetach -binary -econtent_type 2.23.136.1.1.2 \
  -in "$work/ml.der" -signer "$o/mls-TEST-ONLY.pem" -inkey "$o/mls-TEST-ONLY.key" \
  -certfile "$o/csca-TEST-ONLY.pem" -md sha256 -outform DER \
  -out "$o/masterlist-TEST-ONLY.ml"
openssl cms -verify -inform DER -in "$o/masterlist-TEST-ONLY.ml" -binary \
  -CAfile "$o/csca-TEST-ONLY.pem" -purpose any -out "$work/ml-check.der" 2>/dev/null
cmp -s "$work/ml.der" "$work/ml-check.der"
openssl cms -verify -inform DER -in "$o/masterlist-TEST-ONLY.ml" -binary -noverify \
  -out /dev/null 2>/dev/null

# --- a rogue CSCA (not in the trust store) and its Document Signer -------------
new_ca_db "$work/rogue"
ec_key brainpoolP384r1 "$o/rogue-csca-TEST-ONLY.key"
csr "$o/rogue-csca-TEST-ONLY.key" "/C=VN/O=motcua TEST ONLY rogue/CN=TEST ONLY Rogue CSCA" "$work/rogue.csr"
selfsign "$work/rogue" "$o/rogue-csca-TEST-ONLY.key" "$work/rogue.csr" \
  "$CSCA_START" "$CSCA_END" "$o/rogue-csca-TEST-ONLY.pem"
ec_key brainpoolP256r1 "$o/ds-rogue-TEST-ONLY.key"
csr "$o/ds-rogue-TEST-ONLY.key" "/C=VN/O=motcua TEST ONLY/CN=TEST ONLY Document Signer rogue" "$work/dsrogue.csr"
sign "$work/rogue" "$o/rogue-csca-TEST-ONLY.key" "$o/rogue-csca-TEST-ONLY.pem" \
  "$work/dsrogue.csr" v3_ds "$DS_START" "$DS_END" "$o/ds-rogue-TEST-ONLY.pem" sha384

# --- chip keys for the simulator -------------------------------------------------
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 \
  -out "$o/aa-rsa-TEST-ONLY.key" 2>/dev/null
ec_key brainpoolP256r1 "$o/aa-ec-TEST-ONLY.key"
ec_key brainpoolP256r1 "$o/ca-TEST-ONLY.key"

# --- trust store used by the main job and the tests ------------------------------
cp "$o/csca-TEST-ONLY.pem" "$o/csca-TEST-ONLY.crl" "$o/trust/"

# --- checks: the chains verify (or fail) as the tests expect --------------------
chk () { openssl verify -CAfile "$o/csca-TEST-ONLY.pem" "$@" >/dev/null 2>&1; }
chk "$o/ds-TEST-ONLY.pem"
chk -no_check_time "$o/ds-expired-TEST-ONLY.pem"   # signature and chain fine
fails chk "$o/ds-expired-TEST-ONLY.pem"
chk "$o/ds-revoked-TEST-ONLY.pem"
fails chk -crl_check -CRLfile "$o/csca-TEST-ONLY.crl" "$o/ds-revoked-TEST-ONLY.pem"
chk -crl_check -CRLfile "$o/csca-TEST-ONLY.crl" "$o/ds-TEST-ONLY.pem"
fails chk "$o/ds-rogue-TEST-ONLY.pem"

# --- install -----------------------------------------------------------------------
mkdir -p "$outdir/trust"
chmod 755 "$outdir" "$outdir/trust"
for f in "${outputs[@]}"; do
  cp "$o/$f" "$outdir/$f"
done
chmod 644 "$outdir"/*.pem "$outdir"/*.crl "$outdir"/*.ml "$outdir"/trust/*
chmod 600 "$outdir"/*.key
echo "make-test-pki: wrote ${#outputs[@]} files to $outdir"
