/* test-trust-pki.c — fixtures for test-trust.c: the service test PKI's
 * files, and certificates / CMS built on the spot with its CA keys. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/cms.h>
#include <openssl/ess.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "test-trust-pki.h"
#include "testsign.h"

char *
pki_path (const char *name, const char *ext)
{
  g_autofree char *dir = testsign_pki_dir ();
  return g_strdup_printf ("%s/%s-TEST-ONLY.%s", dir, name, ext);
}

X509 *
load_cert (const char *name)
{
  g_autofree char *p = pki_path (name, "pem");
  BIO *b = BIO_new_file (p, "r");
  X509 *x = b ? PEM_read_bio_X509 (b, NULL, NULL, NULL) : NULL;
  BIO_free (b);
  assert_non_null (x);
  return x;
}

EVP_PKEY *
load_key (const char *name)
{
  g_autofree char *p = pki_path (name, "key");
  BIO *b = BIO_new_file (p, "r");
  EVP_PKEY *k = b ? PEM_read_bio_PrivateKey (b, NULL, NULL, NULL) : NULL;
  BIO_free (b);
  assert_non_null (k);
  return k;
}

GBytes *
der_of (X509 *x)
{
  unsigned char *der = NULL;
  int n = i2d_X509 (x, &der);
  assert_true (n > 0);
  GBytes *b = g_bytes_new (der, (gsize) n);
  OPENSSL_free (der);
  return b;
}

/* A chain of PKI certificates by name, leaf first. */
GPtrArray *
chain_of (const char *first, ...)
{
  GPtrArray *c = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  va_list ap;
  va_start (ap, first);
  for (const char *n = first; n; n = va_arg (ap, const char *))
    {
      X509 *x = load_cert (n);
      g_ptr_array_add (c, der_of (x));
      X509_free (x);
    }
  va_end (ap);
  return c;
}

/* A certificate issued now by the real device CA with the given subject
 * (pairs of field, value; NULL-terminated). */
GBytes *
issue_device_cert (const char *first, ...)
{
  X509 *ca = load_cert ("device-ca");
  EVP_PKEY *ca_key = load_key ("device-ca");
  EVP_PKEY *key = EVP_EC_gen ("P-256");
  X509 *x = X509_new ();
  X509_NAME *name = X509_NAME_new ();
  assert_non_null (key);
  va_list ap;
  va_start (ap, first);
  for (const char *f = first; f; f = va_arg (ap, const char *))
    {
      const char *v = va_arg (ap, const char *);
      assert_int_equal (X509_NAME_add_entry_by_txt (name, f, MBSTRING_UTF8,
                                                    (const unsigned char *) v, -1, -1, 0), 1);
    }
  va_end (ap);
  BIGNUM *bn = BN_new ();
  assert_int_equal (BN_rand (bn, 64, BN_RAND_TOP_ONE, BN_RAND_BOTTOM_ANY), 1);
  BN_to_ASN1_INTEGER (bn, X509_get_serialNumber (x));
  BN_free (bn);
  X509V3_CTX v3;
  X509V3_set_ctx (&v3, ca, x, NULL, NULL, 0);
  X509_EXTENSION *eku = X509V3_EXT_conf_nid (NULL, &v3, NID_ext_key_usage, "clientAuth");
  assert_true (X509_set_version (x, 2) && X509_set_subject_name (x, name)
               && X509_set_issuer_name (x, X509_get_subject_name (ca))
               && X509_gmtime_adj (X509_getm_notBefore (x), -3600)
               && X509_gmtime_adj (X509_getm_notAfter (x), 86400)
               && X509_set_pubkey (x, key) && eku && X509_add_ext (x, eku, -1)
               && X509_sign (x, ca_key, EVP_sha256 ()) > 0);
  GBytes *b = der_of (x);
  X509_EXTENSION_free (eku);
  X509_NAME_free (name);
  X509_free (x);
  X509_free (ca);
  EVP_PKEY_free (ca_key);
  EVP_PKEY_free (key);
  return b;
}

/* A CMS made here: flags for CMS_add1_signer (CMS_CADES or not), an
 * optional signingCertificateV2 naming ess_cert, a digest, attached or not. */
GBytes *
make_cms (const char *name, unsigned int signer_flags, X509 *ess_cert, const EVP_MD *md,
          gboolean detached, const void *data, gsize len)
{
  X509 *cert = load_cert (name);
  EVP_PKEY *key = load_key (name);
  unsigned int flags = CMS_BINARY | CMS_PARTIAL | CMS_NOSMIMECAP | (detached ? CMS_DETACHED : 0);
  CMS_ContentInfo *cms = CMS_sign (NULL, NULL, NULL, NULL, flags);
  CMS_SignerInfo *si = CMS_add1_signer (cms, cert, key, md, flags | signer_flags);
  assert_non_null (si);
  if (ess_cert)
    {
      ESS_SIGNING_CERT_V2 *sc = OSSL_ESS_signing_cert_v2_new_init (EVP_sha256 (), ess_cert, NULL, 0);
      unsigned char *der = NULL;
      int n = i2d_ESS_SIGNING_CERT_V2 (sc, &der);
      assert_true (n > 0);
      assert_int_equal (CMS_signed_add1_attr_by_NID (si, NID_id_smime_aa_signingCertificateV2,
                                                     V_ASN1_SEQUENCE, der, n), 1);
      OPENSSL_free (der);
      ESS_SIGNING_CERT_V2_free (sc);
    }
  BIO *in = BIO_new_mem_buf (data, (int) len);
  assert_int_equal (CMS_final (cms, in, NULL, flags), 1);
  unsigned char *der = NULL;
  int n = i2d_CMS_ContentInfo (cms, &der);
  assert_true (n > 0);
  GBytes *b = g_bytes_new (der, (gsize) n);
  OPENSSL_free (der);
  BIO_free (in);
  CMS_ContentInfo_free (cms);
  X509_free (cert);
  EVP_PKEY_free (key);
  return b;
}

void
copy_into (const char *dir, const char *src)
{
  g_autofree char *base = g_path_get_basename (src);
  g_autofree char *dst = g_build_filename (dir, base, NULL);
  g_autofree char *data = NULL;
  gsize n = 0;
  assert_true (g_file_get_contents (src, &data, &n, NULL));
  assert_true (g_file_set_contents (dst, data, (gssize) n, NULL));
}

