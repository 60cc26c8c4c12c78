/* refsvc-trust.c — certificates of devices (mTLS) and signers (CMS,
 * XML-DSig), checked against the service's test PKI with CRLs
 * (certs/test/service, see certs/README.md), plus the CSCA store for
 * card-presence proofs.
 *
 * Threads: the X509_STOREs and the CSCA store are filled once in
 * refsvc_trust_load and only read afterwards; every check builds its own
 * X509_STORE_CTX (OpenSSL locks the store's lookups), so concurrent calls
 * from the HTTP worker threads need no lock of ours. */
#include <limits.h>
#include <string.h>
#include <time.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/cms.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/ess.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "motcua-card.h"
#include "refsvc.h"

#define DEVICE_CA "device-ca-TEST-ONLY"
#define SIGNING_CA "signing-ca-TEST-ONLY"
#define MAX_DER (16 * 1024 * 1024)   /* larger inputs are refused unread */

struct refsvc_trust {
  X509_STORE     *devices;   /* device CA + its CRL */
  X509_STORE     *signers;   /* signing CA + its CRL */
  mc_trust_store *csca;      /* CSCAs for EF.SOD (pki_dir/../trust) */
};

#define REFSVC_TRUST_ERROR (g_quark_from_static_string ("refsvc-trust-error"))

/* ------------------------------------------------------------------ load */

static gboolean
load_ca (X509_STORE *store, const char *path, GError **error)
{
  BIO *in = BIO_new_file (path, "r");
  int n = 0;
  X509 *x;
  while (in && (x = PEM_read_bio_X509 (in, NULL, NULL, NULL)) != NULL)
    {
      if (X509_STORE_add_cert (store, x) == 1)
        n++;
      X509_free (x);
    }
  BIO_free (in);
  ERR_clear_error ();
  if (n == 0)
    g_set_error (error, REFSVC_TRUST_ERROR, 1, "%s: no CA certificate could be read", path);
  return n > 0;
}

static gboolean
load_crl (X509_STORE *store, const char *path, GError **error)
{
  BIO *in = BIO_new_file (path, "r");
  X509_CRL *crl = in ? PEM_read_bio_X509_CRL (in, NULL, NULL, NULL) : NULL;
  if (!crl && in && BIO_reset (in) == 0)
    crl = d2i_X509_CRL_bio (in, NULL);
  gboolean ok = crl && X509_STORE_add_crl (store, crl) == 1;
  X509_CRL_free (crl);
  BIO_free (in);
  ERR_clear_error ();
  if (!ok)
    g_set_error (error, REFSVC_TRUST_ERROR, 2, "%s: the CRL could not be read", path);
  return ok;
}

/* One anchor NAME.pem and its CRL NAME.crl; revocation of the leaf is
 * always checked (a missing CRL fails verification). */
static X509_STORE *
load_store (const char *dir, const char *name, GError **error)
{
  g_autofree char *pem = g_strdup_printf ("%s/%s.pem", dir, name);
  g_autofree char *crl = g_strdup_printf ("%s/%s.crl", dir, name);
  X509_STORE *store = X509_STORE_new ();
  if (!store || !X509_STORE_set_flags (store, X509_V_FLAG_CRL_CHECK)
      || !load_ca (store, pem, error) || !load_crl (store, crl, error))
    {
      if (!store)
        g_set_error (error, REFSVC_TRUST_ERROR, 3, "out of memory");
      X509_STORE_free (store);
      return NULL;
    }
  return store;
}

refsvc_trust *
refsvc_trust_load (const char *pki_dir, GError **error)
{
  g_return_val_if_fail (pki_dir != NULL, NULL);
  refsvc_trust *t = g_new0 (refsvc_trust, 1);
  g_autofree char *trust_dir = g_build_filename (pki_dir, "..", "trust", NULL);

  if (!(t->devices = load_store (pki_dir, DEVICE_CA, error))
      || !(t->signers = load_store (pki_dir, SIGNING_CA, error)))
    goto fail;
  if (mc_trust_store_new (&t->csca) != MC_OK
      || mc_trust_store_add_dir (t->csca, trust_dir) != MC_OK
      || mc_trust_store_count (t->csca) == 0)
    {
      g_set_error (error, REFSVC_TRUST_ERROR, 4, "%s: no CSCA could be loaded", trust_dir);
      goto fail;
    }
  return t;
fail:
  refsvc_trust_free (t);
  return NULL;
}

void
refsvc_trust_free (refsvc_trust *t)
{
  if (!t)
    return;
  X509_STORE_free (t->devices);
  X509_STORE_free (t->signers);
  mc_trust_store_free (t->csca);
  g_free (t);
}

const mc_trust_store *
refsvc_trust_csca (refsvc_trust *t)
{
  return t ? t->csca : NULL;
}

/* ------------------------------------------------------------- helpers */

static X509 *
x509_from_der (const guint8 *der, gsize len)
{
  if (!der || len == 0 || len > MAX_DER)
    return NULL;
  const unsigned char *p = der;
  X509 *x = d2i_X509 (NULL, &p, (long) len);
  if (x && p != der + len)   /* trailing bytes: not one certificate */
    {
      X509_free (x);
      x = NULL;
    }
  return x;
}

typedef enum { VERIFY_OK, VERIFY_UNTRUSTED, VERIFY_EXPIRED, VERIFY_REVOKED } verify_result;

/* Chain of cert to an anchor of store, now, with the store's CRL.
 * untrusted: other certificates the peer sent (may be NULL). */
static verify_result
verify_chain (X509_STORE *store, X509 *cert, STACK_OF (X509) *untrusted, int purpose)
{
  X509_STORE_CTX *ctx = X509_STORE_CTX_new ();
  verify_result r = VERIFY_UNTRUSTED;
  if (!ctx || !X509_STORE_CTX_init (ctx, store, cert, untrusted)
      || (purpose && !X509_STORE_CTX_set_purpose (ctx, purpose)))
    goto out;
  if (X509_verify_cert (ctx) == 1)
    r = VERIFY_OK;
  else
    switch (X509_STORE_CTX_get_error (ctx))
      {
      case X509_V_ERR_CERT_HAS_EXPIRED:
      case X509_V_ERR_CERT_NOT_YET_VALID:
        r = VERIFY_EXPIRED;
        break;
      case X509_V_ERR_CERT_REVOKED:
        r = VERIFY_REVOKED;
        break;
      default:   /* unknown issuer, bad signature, purpose, CRL trouble ... */
        r = VERIFY_UNTRUSTED;
      }
out:
  X509_STORE_CTX_free (ctx);
  ERR_clear_error ();
  return r;
}

/* Cuts s to at most cap-1 bytes without splitting a UTF-8 sequence. */
static void
copy_utf8 (char *dst, size_t cap, const char *s, size_t len)
{
  if (len >= cap)
    {
      len = cap - 1;
      while (len > 0 && ((unsigned char) s[len] & 0xC0) == 0x80)
        len--;
    }
  memcpy (dst, s, len);
  dst[len] = '\0';
}

/* RFC 2253 with UTF-8 kept as is (Vietnamese names stay readable). */
static void
name_rfc2253 (const X509_NAME *name, char *dst, size_t cap)
{
  BIO *b = BIO_new (BIO_s_mem ());
  char *data = NULL;
  long n = 0;
  dst[0] = '\0';
  if (b && X509_NAME_print_ex (b, name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB) >= 0)
    n = BIO_get_mem_data (b, &data);
  if (n > 0 && data)
    copy_utf8 (dst, cap, data, (size_t) n);
  BIO_free (b);
}

static void
key_type (X509 *cert, char *dst, size_t cap)
{
  EVP_PKEY *k = X509_get0_pubkey (cert);
  char group[64];
  size_t glen = 0;
  if (!k)
    snprintf (dst, cap, "unknown");
  else if (EVP_PKEY_is_a (k, "RSA"))
    snprintf (dst, cap, "RSA-%d", EVP_PKEY_get_bits (k));
  else if (EVP_PKEY_is_a (k, "EC")
           && EVP_PKEY_get_group_name (k, group, sizeof group, &glen) == 1)
    {
      const char *nist = EC_curve_nid2nist (OBJ_sn2nid (group));
      g_snprintf (dst, cap, "EC-%s", nist ? nist : group);   /* may cut, on purpose */
    }
  else
    snprintf (dst, cap, "%s", EVP_PKEY_get0_type_name (k) ? EVP_PKEY_get0_type_name (k) : "unknown");
}

static void
fill_signer (X509 *cert, refsvc_signer *out)
{
  name_rfc2253 (X509_get_subject_name (cert), out->subject, sizeof out->subject);
  name_rfc2253 (X509_get_issuer_name (cert), out->issuer, sizeof out->issuer);
  BIGNUM *bn = ASN1_INTEGER_to_BN (X509_get0_serialNumber (cert), NULL);
  char *hex = bn ? BN_bn2hex (bn) : NULL;
  if (hex)
    copy_utf8 (out->serial, sizeof out->serial, hex, strlen (hex));
  OPENSSL_free (hex);
  BN_free (bn);
  key_type (cert, out->key_type, sizeof out->key_type);
}

/* ------------------------------------------------------------- devices */

/* The one value of attribute nid in name, when it exists exactly once,
 * is 1..cap-1 bytes long and made of [A-Za-z0-9._-] only. */
static gboolean
name_field (const X509_NAME *name, int nid, char *dst, size_t cap)
{
  int i = X509_NAME_get_index_by_NID (name, nid, -1);
  if (i < 0 || X509_NAME_get_index_by_NID (name, nid, i) >= 0)
    return FALSE;
  unsigned char *utf8 = NULL;
  int n = ASN1_STRING_to_UTF8 (&utf8, X509_NAME_ENTRY_get_data (X509_NAME_get_entry (name, i)));
  gboolean ok = n > 0 && (size_t) n < cap;
  for (int k = 0; ok && k < n; k++)
    ok = g_ascii_isalnum (utf8[k]) || utf8[k] == '-' || utf8[k] == '_' || utf8[k] == '.';
  if (ok)
    {
      memcpy (dst, utf8, (size_t) n);
      dst[n] = '\0';
    }
  OPENSSL_free (utf8);
  return ok;
}

static gboolean
device_profile (X509 *leaf, refsvc_device *out)
{
  const X509_NAME *name = X509_get_subject_name (leaf);
  char ou[16];
  if (!name_field (name, NID_organizationName, out->unit, sizeof out->unit)
      || !name_field (name, NID_commonName, out->id, sizeof out->id)
      || !name_field (name, NID_organizationalUnitName, ou, sizeof ou))
    return FALSE;
  if (strcmp (ou, "counter") == 0)
    out->kind = REFSVC_DEVICE_COUNTER;
  else if (strcmp (ou, "kiosk") == 0)
    out->kind = REFSVC_DEVICE_KIOSK;
  else if (strcmp (ou, "hospital") == 0)
    out->kind = REFSVC_DEVICE_HOSPITAL;
  else
    return FALSE;
  unsigned int md_len = 0;
  return X509_digest (leaf, EVP_sha256 (), out->fingerprint, &md_len) == 1 && md_len == 32;
}

const char *
refsvc_trust_check_device (refsvc_trust *t, GPtrArray *chain, refsvc_device *out)
{
  refsvc_device dev;
  memset (&dev, 0, sizeof dev);
  if (out)
    memset (out, 0, sizeof *out);
  if (!chain || chain->len == 0)
    return "tls.client_cert_required";
  if (!t)
    return "tls.client_cert_untrusted";

  const char *code = "tls.client_cert_untrusted";
  X509 *leaf = NULL;
  STACK_OF (X509) *rest = sk_X509_new_null ();
  for (guint i = 0; rest && i < chain->len; i++)
    {
      GBytes *b = g_ptr_array_index (chain, i);
      gsize len = 0;
      const guint8 *der = b ? g_bytes_get_data (b, &len) : NULL;
      X509 *x = x509_from_der (der, len);
      if (!x)
        goto out;   /* garbage in the chain: nothing to trust */
      if (i == 0)
        leaf = x;
      else if (!sk_X509_push (rest, x))
        {
          X509_free (x);
          goto out;
        }
    }
  if (!leaf)
    goto out;
  switch (verify_chain (t->devices, leaf, rest, X509_PURPOSE_SSL_CLIENT))
    {
    case VERIFY_OK:
      code = device_profile (leaf, &dev) ? NULL : "tls.client_cert_profile";
      break;
    case VERIFY_EXPIRED:
      code = "tls.client_cert_expired";
      break;
    case VERIFY_REVOKED:
      code = "tls.client_cert_revoked";
      break;
    case VERIFY_UNTRUSTED:
      break;
    }
  if (!code && out)
    *out = dev;
out:
  X509_free (leaf);
  sk_X509_pop_free (rest, X509_free);
  ERR_clear_error ();
  return code;
}

/* ------------------------------------------------------------- signers */

/* Chain, CRL, validity now, and a key usage fit for signing. */
static const char *
check_signer (refsvc_trust *t, X509 *cert, STACK_OF (X509) *untrusted)
{
  switch (verify_chain (t->signers, cert, untrusted, 0))
    {
    case VERIFY_OK:
      break;
    case VERIFY_EXPIRED:
      return "signature.expired";
    case VERIFY_REVOKED:
      return "signature.revoked";
    default:
      return "signature.unknown_signer";
    }
  /* X509_get_key_usage: all bits when the extension is absent. */
  if (!(X509_get_key_usage (cert) & (KU_DIGITAL_SIGNATURE | KU_NON_REPUDIATION)))
    return "signature.unknown_signer";
  return NULL;
}

const char *
refsvc_trust_check_signer_der (refsvc_trust *t, const guint8 *der, gsize len,
                               refsvc_signer *out)
{
  if (out)
    memset (out, 0, sizeof *out);
  X509 *cert = x509_from_der (der, len);
  if (!cert)
    return "signature.unknown_signer";
  const char *code = t ? check_signer (t, cert, NULL) : "signature.unknown_signer";
  if (!code && out)
    fill_signer (cert, out);
  X509_free (cert);
  ERR_clear_error ();
  return code;
}

/* ------------------------------------------------------------------ CMS */

/* The value of a signed attribute present exactly once with exactly one
 * value of the given type (X509at_get0_data_by_OBJ, lastpos -3). */
static void *
signed_attr (CMS_SignerInfo *si, int nid, int type)
{
  return CMS_signed_get0_data_by_OBJ (si, OBJ_nid2obj (nid), -3, type);
}

static gint64
asn1_time_to_unix (const ASN1_TIME *tm)
{
  struct tm t;
  memset (&t, 0, sizeof t);
  if (!tm || ASN1_TIME_to_tm (tm, &t) != 1)
    return 0;
  return (gint64) timegm (&t);
}

/* CAdES-BES (ETSI EN 319 122-1 §5.2): contentType, messageDigest,
 * signingTime and ESS signingCertificateV2 naming the signer.  Returns
 * NULL, "signature.not_cades" (attribute missing) or "signature.invalid"
 * (signingCertificateV2 names another certificate). */
static const char *
check_cades (CMS_SignerInfo *si, X509 *signer, gint64 *signing_time)
{
  ASN1_TIME *st = signed_attr (si, NID_pkcs9_signingTime, V_ASN1_UTCTIME);
  if (!st)
    st = signed_attr (si, NID_pkcs9_signingTime, V_ASN1_GENERALIZEDTIME);
  ASN1_STRING *ess = signed_attr (si, NID_id_smime_aa_signingCertificateV2, V_ASN1_SEQUENCE);
  if (!signed_attr (si, NID_pkcs9_contentType, V_ASN1_OBJECT)
      || !signed_attr (si, NID_pkcs9_messageDigest, V_ASN1_OCTET_STRING)
      || !st || !ess)
    return "signature.not_cades";
  *signing_time = asn1_time_to_unix (st);

  const unsigned char *p = ASN1_STRING_get0_data (ess);
  ESS_SIGNING_CERT_V2 *sc = d2i_ESS_SIGNING_CERT_V2 (NULL, &p, ASN1_STRING_length (ess));
  STACK_OF (X509) *only = sk_X509_new_null ();
  int ok = sc && only && sk_X509_push (only, signer) > 0
           && OSSL_ESS_check_signing_certs (NULL, sc, only, 1) > 0;
  sk_X509_free (only);
  ESS_SIGNING_CERT_V2_free (sc);
  return ok ? NULL : "signature.invalid";
}

/* The SignerInfo's certificate among those the CMS carries (+1 ref). */
static X509 *
cms_signer_cert (CMS_SignerInfo *si, STACK_OF (X509) *certs)
{
  for (int i = 0; i < sk_X509_num (certs); i++)
    if (CMS_SignerInfo_cert_cmp (si, sk_X509_value (certs, i)) == 0)
      {
        X509 *x = sk_X509_value (certs, i);
        X509_up_ref (x);
        return x;
      }
  return NULL;
}

/* Algorithms: SHA-2 digests only; the signature algorithm identifier
 * (not covered by the signature) must name the key's algorithm. */
static gboolean
algorithms_acceptable (CMS_SignerInfo *si, X509 *signer)
{
  X509_ALGOR *dig = NULL, *sig = NULL;
  const ASN1_OBJECT *dig_oid = NULL, *sig_oid = NULL;
  CMS_SignerInfo_get0_algs (si, NULL, NULL, &dig, &sig);
  if (!dig || !sig)
    return FALSE;
  X509_ALGOR_get0 (&dig_oid, NULL, NULL, dig);
  X509_ALGOR_get0 (&sig_oid, NULL, NULL, sig);
  int d = OBJ_obj2nid (dig_oid), sn = OBJ_obj2nid (sig_oid), md = NID_undef, pk = sn;
  if (d != NID_sha256 && d != NID_sha384 && d != NID_sha512)
    return FALSE;
  if (OBJ_find_sigid_algs (sn, &md, &pk) && md != d)
    return FALSE;   /* e.g. ecdsa-with-SHA1 next to a SHA-256 digest */
  EVP_PKEY *key = X509_get0_pubkey (signer);
  if (pk == NID_rsaEncryption)
    return key && EVP_PKEY_is_a (key, "RSA");
  if (pk == NID_X9_62_id_ecPublicKey)
    return key && EVP_PKEY_is_a (key, "EC");
  return FALSE;
}

/* RFC 5652 §11.1: the contentType attribute equals eContentType, which
 * for a dossier is id-data. */
static gboolean
content_type_consistent (CMS_ContentInfo *cms, CMS_SignerInfo *si)
{
  const ASN1_OBJECT *econtent = CMS_get0_eContentType (cms);
  ASN1_OBJECT *attr = signed_attr (si, NID_pkcs9_contentType, V_ASN1_OBJECT);
  return econtent && attr && OBJ_obj2nid (econtent) == NID_pkcs7_data
         && OBJ_cmp (econtent, attr) == 0;
}

/* The detached content for CMS_verify, behind a null filter: OpenSSL 3.0
 * copies a memory BIO given as dcont into a temporary one that it leaks
 * when CMS_dataInit fails (e.g. an unknown digest OID in digestAlgorithms);
 * any other BIO type is used as is. */
static BIO *
content_bio (const guint8 *content, gsize len)
{
  BIO *mem = BIO_new_mem_buf (len ? (const void *) content : "", (int) len);
  BIO *filter = mem ? BIO_new (BIO_f_null ()) : NULL;
  if (!filter)
    {
      BIO_free (mem);
      return NULL;
    }
  return BIO_push (filter, mem);
}

/* Structure, CAdES attributes, signature over content, then the signer's
 * chain: the order decides which code a doubly bad CMS gets. */
static const char *
verify_cms_parsed (refsvc_trust *t, CMS_ContentInfo *cms, const guint8 *content,
                   gsize content_len, refsvc_signer *out)
{
  if (OBJ_obj2nid (CMS_get0_type (cms)) != NID_pkcs7_signed || CMS_is_detached (cms) != 1)
    return "signature.malformed";
  STACK_OF (CMS_SignerInfo) *sis = CMS_get0_SignerInfos (cms);
  if (!sis || sk_CMS_SignerInfo_num (sis) != 1)
    return "signature.malformed";
  CMS_SignerInfo *si = sk_CMS_SignerInfo_value (sis, 0);

  const char *code = NULL;
  STACK_OF (X509) *certs = CMS_get1_certs (cms);
  X509 *signer = cms_signer_cert (si, certs);
  gint64 signing_time = 0;
  BIO *data = NULL;
  if (!signer)
    code = "signature.unknown_signer";
  else if ((code = check_cades (si, signer, &signing_time)) != NULL)
    ;
  else if (!algorithms_acceptable (si, signer) || !content_type_consistent (cms, si))
    code = "signature.invalid";
  else if (!(data = content_bio (content, content_len))
           || CMS_verify (cms, NULL, NULL, data, NULL,
                          CMS_BINARY | CMS_NO_SIGNER_CERT_VERIFY) != 1)
    code = "signature.invalid";
  else
    code = check_signer (t, signer, certs);
  if (!code && out)
    {
      fill_signer (signer, out);
      out->signing_time = signing_time;
    }
  BIO_free_all (data);
  X509_free (signer);
  sk_X509_pop_free (certs, X509_free);
  return code;
}

const char *
refsvc_trust_verify_cms (refsvc_trust *t, const guint8 *content, gsize content_len,
                         const guint8 *cms_der, gsize cms_len, refsvc_signer *out)
{
  if (out)
    memset (out, 0, sizeof *out);
  if (!t || !cms_der || cms_len == 0 || cms_len > MAX_DER
      || (!content && content_len) || content_len > INT_MAX)
    return "signature.malformed";
  const unsigned char *p = cms_der;
  CMS_ContentInfo *cms = d2i_CMS_ContentInfo (NULL, &p, (long) cms_len);
  const char *code;
  if (!cms || p != cms_der + cms_len)
    code = "signature.malformed";
  else
    code = verify_cms_parsed (t, cms, content, content_len, out);
  CMS_ContentInfo_free (cms);
  ERR_clear_error ();
  return code;
}
