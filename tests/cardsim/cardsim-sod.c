/* cardsim-sod.c — EF.SOD (ICAO 9303-10 §4.6.2): a CMS SignedData over an
 * LDSSecurityObject (eContentType id-icao-mrtd-security-ldsSecurityObject
 * 2.23.136.1.1.1) holding the SHA-256 hash of every data group, signed by
 * a TEST-ONLY Document Signer, in tag 77. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/asn1t.h>
#include <openssl/cms.h>
#include <openssl/crypto.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include "cardsim-int.h"

typedef struct {
  ASN1_INTEGER *number;
  ASN1_OCTET_STRING *hash;
} CS_DG_HASH;
DECLARE_ASN1_FUNCTIONS (CS_DG_HASH)
ASN1_SEQUENCE (CS_DG_HASH) = {
  ASN1_SIMPLE (CS_DG_HASH, number, ASN1_INTEGER),
  ASN1_SIMPLE (CS_DG_HASH, hash, ASN1_OCTET_STRING),
} ASN1_SEQUENCE_END (CS_DG_HASH)
IMPLEMENT_ASN1_FUNCTIONS (CS_DG_HASH)
DEFINE_STACK_OF (CS_DG_HASH)

/* LDSSecurityObject v0 (no LDSVersionInfo) */
typedef struct {
  ASN1_INTEGER *version;
  X509_ALGOR *hash_algorithm;
  STACK_OF (CS_DG_HASH) *hashes;
} CS_LDS_SO;
DECLARE_ASN1_FUNCTIONS (CS_LDS_SO)
ASN1_SEQUENCE (CS_LDS_SO) = {
  ASN1_SIMPLE (CS_LDS_SO, version, ASN1_INTEGER),
  ASN1_SIMPLE (CS_LDS_SO, hash_algorithm, X509_ALGOR),
  ASN1_SEQUENCE_OF (CS_LDS_SO, hashes, CS_DG_HASH),
} ASN1_SEQUENCE_END (CS_LDS_SO)
IMPLEMENT_ASN1_FUNCTIONS (CS_LDS_SO)

static int
lds_security_object (const cardsim *c, uint8_t **der, int *der_len)
{
  CS_LDS_SO *so = CS_LDS_SO_new ();
  int rc = -1;
  if (!so || !ASN1_INTEGER_set (so->version, 0)
      || !X509_ALGOR_set0 (so->hash_algorithm, OBJ_nid2obj (NID_sha256), V_ASN1_UNDEF, NULL))
    goto out;
  for (int n = 1; n <= 16; n++)
    {
      if (!c->files[n].data)
        continue;
      uint8_t md[EVP_MAX_MD_SIZE];
      unsigned md_len = 0;
      CS_DG_HASH *h = CS_DG_HASH_new ();
      if (!h || !EVP_Digest (c->files[n].data, c->files[n].len, md, &md_len, EVP_sha256 (), NULL)
          || !ASN1_INTEGER_set (h->number, n)
          || !ASN1_OCTET_STRING_set (h->hash, md, (int) md_len)
          || !sk_CS_DG_HASH_push (so->hashes, h))
        {
          CS_DG_HASH_free (h);
          goto out;
        }
    }
  *der = NULL;
  *der_len = i2d_CS_LDS_SO (so, der);
  rc = *der_len > 0 ? 0 : -1;
out:
  CS_LDS_SO_free (so);
  return rc;
}

int
cardsim_build_sod (cardsim *c, const char *pki_dir, char **error)
{
  const char *ds = c->faults.rogue_csca ? "ds-rogue-TEST-ONLY"
                   : c->faults.expired_ds ? "ds-expired-TEST-ONLY" : "ds-TEST-ONLY";
  gchar *key_path = g_strdup_printf ("%s/%s.key", pki_dir, ds);
  gchar *cert_path = g_strdup_printf ("%s/%s.pem", pki_dir, ds);
  EVP_PKEY *key = NULL;
  X509 *cert = NULL;
  CMS_ContentInfo *cms = NULL;
  BIO *content = NULL;
  ASN1_OBJECT *ctype = NULL;
  uint8_t *so = NULL, *der = NULL, *wrapped = NULL;
  int so_len = 0, rc = -1;
  size_t wrapped_len = 0;
  FILE *f;

  if ((f = fopen (key_path, "r")))
    {
      key = PEM_read_PrivateKey (f, NULL, NULL, NULL);
      fclose (f);
    }
  if ((f = fopen (cert_path, "r")))
    {
      cert = PEM_read_X509 (f, NULL, NULL, NULL);
      fclose (f);
    }
  if (!key || !cert)
    {
      *error = g_strdup_printf ("cannot load %s / %s", key_path, cert_path);
      goto out;
    }
  if (lds_security_object (c, &so, &so_len) != 0)
    {
      *error = strdup ("LDSSecurityObject: encoding failed");
      goto out;
    }
  content = BIO_new_mem_buf (so, so_len);
  ctype = OBJ_txt2obj ("2.23.136.1.1.1", 1);
  cms = CMS_sign (cert, key, NULL, NULL, CMS_PARTIAL | CMS_BINARY | CMS_NOSMIMECAP);
  if (!content || !ctype || !cms || !CMS_set1_eContentType (cms, ctype)
      || !CMS_final (cms, content, NULL, CMS_BINARY))
    {
      *error = strdup ("EF.SOD: CMS signing failed");
      goto out;
    }
  int der_len = i2d_CMS_ContentInfo (cms, &der);
  if (der_len <= 0 || cardsim_wrap (23, 1, 1, der, (size_t) der_len, &wrapped, &wrapped_len) != 0)
    {
      *error = strdup ("EF.SOD: encoding failed");
      goto out;
    }
  cardsim_buf_set (&c->files[0x1D], wrapped, wrapped_len);
  rc = 0;
out:
  g_free (key_path);
  g_free (cert_path);
  EVP_PKEY_free (key);
  X509_free (cert);
  CMS_ContentInfo_free (cms);
  BIO_free (content);
  ASN1_OBJECT_free (ctype);
  OPENSSL_free (so);
  OPENSSL_free (der);
  return rc;
}
