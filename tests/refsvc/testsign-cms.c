/* testsign-cms.c — detached CAdES-BES CMS signatures made with the file
 * keys of the service test PKI (certs/test/service), for the reference
 * service's tests and benchmark.  motcua itself signs through PKCS#11. */
#include <stdlib.h>

#include <openssl/bio.h>
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "motcua-config.h"
#include "testsign.h"

char *
testsign_pki_dir (void)
{
  const char *root = g_getenv ("MOTCUA_SOURCE_ROOT");
  return g_build_filename (root && *root ? root : MOTCUA_SOURCE_ROOT,
                           "certs", "test", "service", NULL);
}

static gboolean
load_signer (const char *name, X509 **cert, EVP_PKEY **key)
{
  g_autofree char *dir = testsign_pki_dir ();
  g_autofree char *pem = g_strdup_printf ("%s/%s.pem", dir, name);
  g_autofree char *keyf = g_strdup_printf ("%s/%s.key", dir, name);
  BIO *b = BIO_new_file (pem, "r");
  *cert = b ? PEM_read_bio_X509 (b, NULL, NULL, NULL) : NULL;
  BIO_free (b);
  b = BIO_new_file (keyf, "r");
  *key = b ? PEM_read_bio_PrivateKey (b, NULL, NULL, NULL) : NULL;
  BIO_free (b);
  if (*cert && *key)
    return TRUE;
  g_warning ("testsign: cannot load %s / %s", pem, keyf);
  X509_free (*cert);
  EVP_PKEY_free (*key);
  *cert = NULL;
  *key = NULL;
  return FALSE;
}

/* CMS_add1_signer adds contentType, messageDigest and (at CMS_final)
 * signingTime; CMS_CADES makes it add ESS signingCertificateV2 (RFC 5035)
 * with the SHA-256 hash of the signer certificate — OpenSSL 3.0 has no
 * public CMS_add1_signing_cert_v2, but this flag builds the same attribute
 * with OSSL_ESS_signing_cert_v2_new_init. */
GBytes *
testsign_cms (const char *signer_name, const guint8 *data, gsize len)
{
  X509 *cert = NULL;
  EVP_PKEY *key = NULL;
  if (!signer_name || (!data && len) || len > G_MAXINT || !load_signer (signer_name, &cert, &key))
    return NULL;

  const unsigned int flags = CMS_DETACHED | CMS_BINARY | CMS_PARTIAL | CMS_NOSMIMECAP;
  GBytes *out = NULL;
  unsigned char *der = NULL;
  BIO *in = BIO_new_mem_buf (len ? (const void *) data : "", (int) len);
  CMS_ContentInfo *cms = CMS_sign (NULL, NULL, NULL, NULL, flags);
  if (!in || !cms
      || !CMS_add1_signer (cms, cert, key, EVP_sha256 (), flags | CMS_CADES)
      || CMS_final (cms, in, NULL, flags) != 1)
    goto out;
  int n = i2d_CMS_ContentInfo (cms, &der);
  if (n > 0)
    out = g_bytes_new (der, (gsize) n);
out:
  if (!out)
    g_warning ("testsign: CMS signing with %s failed", signer_name);
  OPENSSL_free (der);
  CMS_ContentInfo_free (cms);
  BIO_free (in);
  X509_free (cert);
  EVP_PKEY_free (key);
  ERR_clear_error ();
  return out;
}
