#!/usr/bin/env bash
# make-service-pki.sh — builds the TEST-ONLY PKI of the reference liên
# thông service (tests/refsvc): the service's TLS server certificate, the
# device (mTLS client) certificates, the signing certificates of clerks
# and hospitals (CMS / XML-DSig), each with expired, revoked and rogue
# variants.  Nothing made here may ever be trusted in production: every
# private key file name contains TEST-ONLY.
#
# Usage: certs/make-service-pki.sh [--force] [OUTDIR]   (default certs/test/service)
#
# Idempotent: when every output already exists in OUTDIR the script does
# nothing (keys are random, so regenerating would invalidate every fixture
# built from them); --force regenerates the whole set.
#
# Needs: bash, the openssl CLI (3.0), coreutils.
set -euo pipefail

force=0
if [ "${1:-}" = "--force" ]; then
  force=1
  shift
fi
here=$(cd "$(dirname "$0")" && pwd)
outdir=${1:-$here/test/service}

device_leaves=(counter counter-b kiosk hospital device-expired device-revoked)
signer_leaves=(clerk-rsa clerk-ec hospital-rsa hospital-ec kiosk-sign signer-expired signer-revoked)

outputs=(device-ca-TEST-ONLY.crl signing-ca-TEST-ONLY.crl)
for n in service-ca server device-ca "${device_leaves[@]}" rogue-device-ca device-rogue \
         signing-ca "${signer_leaves[@]}" rogue-signing-ca signer-rogue; do
  outputs+=("$n-TEST-ONLY.key" "$n-TEST-ONLY.pem")
done

if [ "$force" = 0 ]; then
  missing=0
  for f in "${outputs[@]}"; do
    [ -e "$outdir/$f" ] || missing=1
  done
  if [ "$missing" = 0 ]; then
    echo "make-service-pki: $outdir is complete (use --force to regenerate)"
    exit 0
  fi
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
umask 077
export CADIR=$work   # read by ca.cnf; each openssl ca call sets its own

START=20250101000000Z         # every valid certificate, CAs included
END=20450101000000Z
EXP_START=20150101000000Z     # the expired device and signer
EXP_END=20200101000000Z
CRL_LAST=20250101000000Z
CRL_NEXT=20541231000000Z      # far in the future

# --- openssl ca configuration ------------------------------------------------
# One config; every CA gets its own database directory (CADIR).
cat > "$work/ca.cnf" <<'EOF'
[ ca ]
default_ca = svc

[ svc ]
dir              = $ENV::CADIR
database         = $dir/index.txt
serial           = $dir/serial
crlnumber        = $dir/crlnumber
new_certs_dir    = $dir/new
default_md       = sha256
policy           = policy_any
unique_subject   = no
email_in_dn      = no
copy_extensions  = none
default_crl_days = 3650
crl_extensions   = crl_ext
string_mask      = utf8only
preserve         = yes

[ policy_any ]
countryName            = optional
stateOrProvinceName    = optional
localityName           = optional
organizationName       = optional
organizationalUnitName = optional
commonName             = supplied

[ req ]
distinguished_name = dn
prompt             = no
string_mask        = utf8only
utf8               = yes
[ dn ]
CN = placeholder

[ v3_ca ]
basicConstraints       = critical, CA:TRUE, pathlen:0
keyUsage               = critical, keyCertSign, cRLSign
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always

# TLS server of the service (GnuTLS inside libmicrohttpd).
[ v3_server ]
basicConstraints       = critical, CA:FALSE
keyUsage               = critical, digitalSignature, keyEncipherment
extendedKeyUsage       = serverAuth
subjectAltName         = DNS:localhost, IP:127.0.0.1, IP:::1
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always

# mTLS client: counter, kiosk and hospital devices.
[ v3_device ]
basicConstraints       = critical, CA:FALSE
keyUsage               = critical, digitalSignature
extendedKeyUsage       = clientAuth
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always

# Signers of dossiers (CMS, CAdES-BES) and hospital documents (XML-DSig).
[ v3_signer ]
basicConstraints       = critical, CA:FALSE
keyUsage               = critical, digitalSignature, nonRepudiation
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always

[ crl_ext ]
authorityKeyIdentifier = keyid:always
EOF

# new_ca_db and fails: pki-lib.sh
. "$here/pki-lib.sh"

key () {      # key rsa|ec OUT
  case "$1" in
    rsa) openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$2" 2>/dev/null ;;
    ec)  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
           -pkeyopt ec_param_enc:named_curve -out "$2" 2>/dev/null ;;
  esac
}

o=$work/out
mkdir -p "$o"

# ca NAME rsa|ec SUBJECT: a self-signed CA with its own database.
ca () {
  new_ca_db "$work/$1"
  key "$2" "$o/$1-TEST-ONLY.key"
  openssl req -new -utf8 -config "$work/ca.cnf" -key "$o/$1-TEST-ONLY.key" \
    -subj "$3" -out "$work/$1.csr"
  CADIR=$work/$1 openssl ca -batch -selfsign -utf8 -config "$work/ca.cnf" -notext \
    -keyfile "$o/$1-TEST-ONLY.key" -in "$work/$1.csr" -extensions v3_ca \
    -startdate "$START" -enddate "$END" -md sha256 \
    -out "$o/$1-TEST-ONLY.pem" 2>/dev/null
}

# leaf CA NAME rsa|ec EXT SUBJECT [START END]: a certificate issued by CA.
leaf () {
  local ca=$1 name=$2
  key "$3" "$o/$name-TEST-ONLY.key"
  openssl req -new -utf8 -config "$work/ca.cnf" -key "$o/$name-TEST-ONLY.key" \
    -subj "$5" -out "$work/$name.csr"
  CADIR=$work/$ca openssl ca -batch -utf8 -config "$work/ca.cnf" -notext \
    -keyfile "$o/$ca-TEST-ONLY.key" -cert "$o/$ca-TEST-ONLY.pem" \
    -in "$work/$name.csr" -extensions "$4" \
    -startdate "${6:-$START}" -enddate "${7:-$END}" -md sha256 \
    -out "$o/$name-TEST-ONLY.pem" 2>/dev/null
}

# crl CA REVOKED_NAME: revokes one certificate and writes CA.crl (PEM).
crl () {
  CADIR=$work/$1 openssl ca -batch -config "$work/ca.cnf" \
    -keyfile "$o/$1-TEST-ONLY.key" -cert "$o/$1-TEST-ONLY.pem" \
    -revoke "$o/$2-TEST-ONLY.pem" -crl_reason keyCompromise 2>/dev/null
  CADIR=$work/$1 openssl ca -batch -config "$work/ca.cnf" -gencrl \
    -keyfile "$o/$1-TEST-ONLY.key" -cert "$o/$1-TEST-ONLY.pem" -md sha256 \
    -crl_lastupdate "$CRL_LAST" -crl_nextupdate "$CRL_NEXT" \
    -out "$work/$1.crl.pem" 2>/dev/null
  openssl crl -in "$work/$1.crl.pem" -out "$o/$1-TEST-ONLY.crl"
}

T="TEST ONLY"

# --- the service's TLS server --------------------------------------------------
ca service-ca ec "/C=VN/O=motcua $T/CN=$T Liên thông Service CA"
leaf service-ca server rsa v3_server "/C=VN/O=motcua $T/CN=localhost"

# --- devices (mTLS): C=VN, O=<unit>, OU=counter|kiosk|hospital, CN=<device id> --
ca device-ca ec "/C=VN/O=motcua $T/CN=$T Device CA"
leaf device-ca counter   ec v3_device "/C=VN/O=00004/OU=counter/CN=counter-00004-01"
leaf device-ca counter-b ec v3_device "/C=VN/O=00008/OU=counter/CN=counter-00008-01"
leaf device-ca kiosk     ec v3_device "/C=VN/O=00004/OU=kiosk/CN=kiosk-00004-01"
leaf device-ca hospital  ec v3_device "/C=VN/O=01001/OU=hospital/CN=hospital-01001-01"
leaf device-ca device-expired ec v3_device "/C=VN/O=00004/OU=counter/CN=counter-00004-expired" \
  "$EXP_START" "$EXP_END"
leaf device-ca device-revoked ec v3_device "/C=VN/O=00004/OU=counter/CN=counter-00004-revoked"
crl device-ca device-revoked

ca rogue-device-ca ec "/C=VN/O=motcua $T rogue/CN=$T Rogue Device CA"
leaf rogue-device-ca device-rogue ec v3_device "/C=VN/O=00004/OU=counter/CN=counter-00004-01"

# --- signers (CMS dossier signatures, hospital XML-DSig) -----------------------
ca signing-ca rsa "/C=VN/O=motcua $T/CN=$T Signing CA"
leaf signing-ca clerk-rsa rsa v3_signer \
  "/C=VN/ST=Hà Nội/O=UBND xã 00004 ($T)/OU=Một cửa/CN=Nguyễn Thị Hoa (cán bộ $T)"
leaf signing-ca clerk-ec ec v3_signer \
  "/C=VN/ST=Hà Nội/O=UBND xã 00004 ($T)/OU=Một cửa/CN=Trần Văn Minh (cán bộ $T)"
leaf signing-ca hospital-rsa rsa v3_signer \
  "/C=VN/ST=Hà Nội/O=Bệnh viện 01001 ($T)/CN=Bệnh viện 01001 ($T)"
leaf signing-ca hospital-ec ec v3_signer \
  "/C=VN/ST=Hà Nội/O=Bệnh viện 01001 ($T)/CN=Bệnh viện 01001 EC ($T)"
leaf signing-ca kiosk-sign ec v3_signer \
  "/C=VN/O=UBND xã 00004 ($T)/OU=kiosk/CN=kiosk-00004-01 ($T)"
leaf signing-ca signer-expired ec v3_signer \
  "/C=VN/O=UBND xã 00004 ($T)/CN=Người ký hết hạn ($T)" "$EXP_START" "$EXP_END"
leaf signing-ca signer-revoked ec v3_signer \
  "/C=VN/O=UBND xã 00004 ($T)/CN=Người ký bị thu hồi ($T)"
crl signing-ca signer-revoked

ca rogue-signing-ca ec "/C=VN/O=motcua $T rogue/CN=$T Rogue Signing CA"
leaf rogue-signing-ca signer-rogue ec v3_signer \
  "/C=VN/O=UBND xã 00004 ($T)/CN=Trần Văn Minh (cán bộ $T)"

# --- checks: the chains verify (or fail) as the tests expect --------------------
chk () {   # chk CA [openssl verify options] CERT
  local ca=$1
  shift
  openssl verify -CAfile "$o/$ca-TEST-ONLY.pem" "$@" >/dev/null 2>&1
}
crlchk () {  # crlchk CA [options] CERT: with the CA's CRL
  local ca=$1
  shift
  chk "$ca" -crl_check -CRLfile "$o/$ca-TEST-ONLY.crl" "$@"
}
chk service-ca -purpose sslserver -verify_hostname localhost "$o/server-TEST-ONLY.pem"
chk service-ca -purpose sslserver -verify_ip 127.0.0.1 "$o/server-TEST-ONLY.pem"
chk service-ca -purpose sslserver -verify_ip ::1 "$o/server-TEST-ONLY.pem"
for n in counter counter-b kiosk hospital; do
  crlchk device-ca -purpose sslclient "$o/$n-TEST-ONLY.pem"
done
fails chk device-ca "$o/device-expired-TEST-ONLY.pem"
chk device-ca -no_check_time "$o/device-expired-TEST-ONLY.pem"
chk device-ca "$o/device-revoked-TEST-ONLY.pem"
fails crlchk device-ca "$o/device-revoked-TEST-ONLY.pem"
fails chk device-ca "$o/device-rogue-TEST-ONLY.pem"
chk rogue-device-ca -purpose sslclient "$o/device-rogue-TEST-ONLY.pem"
for n in clerk-rsa clerk-ec hospital-rsa hospital-ec kiosk-sign; do
  crlchk signing-ca "$o/$n-TEST-ONLY.pem"
done
fails chk signing-ca "$o/signer-expired-TEST-ONLY.pem"
chk signing-ca -no_check_time "$o/signer-expired-TEST-ONLY.pem"
chk signing-ca "$o/signer-revoked-TEST-ONLY.pem"
fails crlchk signing-ca "$o/signer-revoked-TEST-ONLY.pem"
fails chk signing-ca "$o/signer-rogue-TEST-ONLY.pem"
chk rogue-signing-ca "$o/signer-rogue-TEST-ONLY.pem"
# each key matches its certificate
for f in "${outputs[@]}"; do
  case "$f" in
    *.pem)
      b=${f%.pem}
      [ "$(openssl x509 -in "$o/$f" -noout -pubkey)" = \
        "$(openssl pkey -in "$o/$b.key" -pubout)" ]
      ;;
  esac
done

# --- install -----------------------------------------------------------------------
mkdir -p "$outdir"
chmod 755 "$outdir"
for f in "${outputs[@]}"; do
  cp "$o/$f" "$outdir/$f"
done
chmod 644 "$outdir"/*.pem "$outdir"/*.crl
chmod 600 "$outdir"/*.key
echo "make-service-pki: wrote ${#outputs[@]} files to $outdir"
