/* trust-store.c — the CSCA trust store (ICAO 9303-12 §5, §9)
 *
 * Trust anchors are CSCA certificates: single files (PEM or DER), or the
 * certList of ICAO CSCA master lists (CMS SignedData, eContentType
 * id-icao-cscaMasterList 2.23.136.1.1.2).  CRLs are kept beside them and
 * used by Passive Authentication (pa.c) when one exists for an issuer. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/asn1t.h>
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "pa.h"

#define TS_MAX_FILE (16 * 1024 * 1024)

struct mc_trust_store {
  X509_STORE          *store;
  STACK_OF (X509)     *certs;
  STACK_OF (X509_CRL) *crls;
};

/* CscaMasterList ::= SEQUENCE { version CscaMasterListVersion (v0),
 *                               certList SET OF Certificate }  (9303-12 §9) */
typedef struct {
  ASN1_INTEGER    *version;
  STACK_OF (X509) *certs;
} MC_CSCA_MASTER_LIST;

ASN1_SEQUENCE (MC_CSCA_MASTER_LIST) = {
  ASN1_SIMPLE (MC_CSCA_MASTER_LIST, version, ASN1_INTEGER),
  ASN1_SET_OF (MC_CSCA_MASTER_LIST, certs, X509),
} static_ASN1_SEQUENCE_END (MC_CSCA_MASTER_LIST)

mc_status
mc_trust_store_new (mc_trust_store **out)
{
  if (!out)
    return MC_ERR_INVALID_ARG;
  *out = NULL;
  mc_trust_store *ts = calloc (1, sizeof *ts);
  if (!ts)
    return MC_ERR_NOMEM;
  ts->store = X509_STORE_new ();
  ts->certs = sk_X509_new_null ();
  ts->crls = sk_X509_CRL_new_null ();
  if (!ts->store || !ts->certs || !ts->crls)
    {
      mc_trust_store_free (ts);
      return MC_ERR_NOMEM;
    }
  *out = ts;
  return MC_OK;
}

void
mc_trust_store_free (mc_trust_store *ts)
{
  if (!ts)
    return;
  X509_STORE_free (ts->store);
  sk_X509_pop_free (ts->certs, X509_free);
  sk_X509_CRL_pop_free (ts->crls, X509_CRL_free);
  free (ts);
}

size_t
mc_trust_store_count (const mc_trust_store *ts)
{
  return ts ? (size_t) sk_X509_num (ts->certs) : 0;
}

X509_STORE *
mc_trust_store_get_x509_store (const mc_trust_store *ts)
{
  return ts ? ts->store : NULL;
}

int
mc_trust_store_has_crl_for (const mc_trust_store *ts, const X509_NAME *issuer)
{
  if (!ts || !issuer)
    return 0;
  for (int i = 0; i < sk_X509_CRL_num (ts->crls); i++)
    if (X509_NAME_cmp (X509_CRL_get_issuer (sk_X509_CRL_value (ts->crls, i)), issuer) == 0)
      return 1;
  return 0;
}

/* Takes a reference to c; duplicates are ignored. */
static mc_status
ts_add_x509 (mc_trust_store *ts, X509 *c)
{
  for (int i = 0; i < sk_X509_num (ts->certs); i++)
    if (X509_cmp (sk_X509_value (ts->certs, i), c) == 0)
      return MC_OK;
  if (!X509_STORE_add_cert (ts->store, c))
    return MC_ERR_TRUST_STORE;
  if (!X509_up_ref (c))
    return MC_ERR_NOMEM;
  if (!sk_X509_push (ts->certs, c))
    {
      X509_free (c);
      return MC_ERR_NOMEM;
    }
  return MC_OK;
}

static mc_status
read_file (const char *path, uint8_t **buf, size_t *len)
{
  FILE *f = fopen (path, "rb");
  if (!f)
    return MC_ERR_TRUST_STORE;
  uint8_t *b = NULL;
  size_t n = 0, cap = 0;
  for (;;)
    {
      if (n == cap)
        {
          if (cap >= TS_MAX_FILE)
            {
              free (b);
              fclose (f);
              return MC_ERR_TRUST_STORE;
            }
          cap = cap ? cap * 2 : 8192;
          uint8_t *nb = realloc (b, cap);
          if (!nb)
            {
              free (b);
              fclose (f);
              return MC_ERR_NOMEM;
            }
          b = nb;
        }
      size_t r = fread (b + n, 1, cap - n, f);
      n += r;
      if (r == 0)
        break;
    }
  int err = ferror (f);
  fclose (f);
  if (err)
    {
      free (b);
      return MC_ERR_TRUST_STORE;
    }
  *buf = b;
  *len = n;
  return MC_OK;
}

mc_status
mc_trust_store_add_cert_file (mc_trust_store *ts, const char *path)
{
  uint8_t *buf;
  size_t len;
  mc_status s;
  int added = 0;

  if (!ts || !path)
    return MC_ERR_INVALID_ARG;
  if ((s = read_file (path, &buf, &len)) != MC_OK)
    return s;
  BIO *bio = BIO_new_mem_buf (buf, (int) len);
  X509 *c;
  while (s == MC_OK && bio && (c = PEM_read_bio_X509 (bio, NULL, NULL, NULL)))
    {
      s = ts_add_x509 (ts, c);
      X509_free (c);
      added++;
    }
  BIO_free (bio);
  ERR_clear_error ();
  if (s == MC_OK && added == 0)
    {
      const unsigned char *p = buf;
      c = d2i_X509 (NULL, &p, (long) len);
      if (c && p == buf + len)
        s = ts_add_x509 (ts, c);
      else
        s = MC_ERR_TRUST_STORE;
      X509_free (c);
    }
  free (buf);
  return s;
}

mc_status
mc_trust_store_add_crl_file (mc_trust_store *ts, const char *path)
{
  uint8_t *buf;
  size_t len;
  mc_status s;

  if (!ts || !path)
    return MC_ERR_INVALID_ARG;
  if ((s = read_file (path, &buf, &len)) != MC_OK)
    return s;
  BIO *bio = BIO_new_mem_buf (buf, (int) len);
  X509_CRL *crl = bio ? PEM_read_bio_X509_CRL (bio, NULL, NULL, NULL) : NULL;
  BIO_free (bio);
  ERR_clear_error ();
  if (!crl)
    {
      const unsigned char *p = buf;
      crl = d2i_X509_CRL (NULL, &p, (long) len);
      if (crl && p != buf + len)
        {
          X509_CRL_free (crl);
          crl = NULL;
        }
    }
  free (buf);
  if (!crl)
    return MC_ERR_TRUST_STORE;
  if (!X509_STORE_add_crl (ts->store, crl) || !sk_X509_CRL_push (ts->crls, crl))
    {
      X509_CRL_free (crl);
      return MC_ERR_TRUST_STORE;
    }
  return MC_OK;
}

/* Verifies the master list's CMS signature.  The signer chain is checked
 * against the certificates already in the store when it can be; when it
 * cannot (the usual bootstrap case: the list is how the CSCAs arrive), only
 * the CMS signature itself is checked and the list is still loaded —
 * whoever placed the file in the trust directory vouches for it, as for a
 * single CSCA certificate file. */
static int
ml_signature_ok (CMS_ContentInfo *cms, X509_STORE *store)
{
  if (CMS_verify (cms, NULL, store, NULL, NULL, CMS_BINARY))
    return 1;
  ERR_clear_error ();
  int ok = CMS_verify (cms, NULL, NULL, NULL, NULL, CMS_BINARY | CMS_NO_SIGNER_CERT_VERIFY);
  ERR_clear_error ();
  return ok;
}

mc_status
mc_trust_store_add_master_list (mc_trust_store *ts, const char *path)
{
  uint8_t *buf;
  size_t len;
  mc_status s;

  if (!ts || !path)
    return MC_ERR_INVALID_ARG;
  if ((s = read_file (path, &buf, &len)) != MC_OK)
    return s;
  const unsigned char *p = buf;
  CMS_ContentInfo *cms = d2i_CMS_ContentInfo (NULL, &p, (long) len);
  free (buf);
  s = MC_ERR_TRUST_STORE;
  if (!cms || OBJ_obj2nid (CMS_get0_type (cms)) != NID_pkcs7_signed)
    goto out;

  ASN1_OBJECT *want = OBJ_txt2obj ("2.23.136.1.1.2", 1);
  int type_ok = want && OBJ_cmp (CMS_get0_eContentType (cms), want) == 0;
  ASN1_OBJECT_free (want);
  if (!type_ok || !ml_signature_ok (cms, ts->store))
    goto out;

  ASN1_OCTET_STRING **content = CMS_get0_content (cms);
  if (!content || !*content)
    goto out;
  const unsigned char *q = ASN1_STRING_get0_data (*content);
  long n = ASN1_STRING_length (*content);
  MC_CSCA_MASTER_LIST *ml = (MC_CSCA_MASTER_LIST *)
    ASN1_item_d2i (NULL, &q, n, ASN1_ITEM_rptr (MC_CSCA_MASTER_LIST));
  if (!ml || q != ASN1_STRING_get0_data (*content) + n)
    {
      ASN1_item_free ((ASN1_VALUE *) ml, ASN1_ITEM_rptr (MC_CSCA_MASTER_LIST));
      goto out;
    }
  s = MC_OK;
  for (int i = 0; i < sk_X509_num (ml->certs) && s == MC_OK; i++)
    s = ts_add_x509 (ts, sk_X509_value (ml->certs, i));
  ASN1_item_free ((ASN1_VALUE *) ml, ASN1_ITEM_rptr (MC_CSCA_MASTER_LIST));

out:
  CMS_ContentInfo_free (cms);
  ERR_clear_error ();
  return s;
}

static int
has_suffix (const char *name, const char *suffix)
{
  size_t n = strlen (name), m = strlen (suffix);
  return n > m && strcasecmp (name + n - m, suffix) == 0;
}

static int
name_cmp (const void *a, const void *b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

mc_status
mc_trust_store_add_dir (mc_trust_store *ts, const char *dir)
{
  if (!ts || !dir)
    return MC_ERR_INVALID_ARG;
  DIR *d = opendir (dir);
  if (!d)
    return MC_ERR_TRUST_STORE;
  char **names = NULL;
  size_t n = 0;
  mc_status s = MC_OK;
  struct dirent *e;
  while ((e = readdir (d)) && s == MC_OK)
    {
      if (e->d_name[0] == '.')
        continue;
      char **nn = realloc (names, (n + 1) * sizeof *nn);
      if (!nn || !(nn[n] = strdup (e->d_name)))
        s = MC_ERR_NOMEM;
      if (nn)
        names = nn;
      if (s == MC_OK)
        n++;
    }
  closedir (d);
  /* Sorted, so that loading is reproducible. */
  if (n > 1)
    qsort (names, n, sizeof *names, name_cmp);
  for (size_t i = 0; i < n; i++)
    {
      if (s == MC_OK)
        {
          char path[4096];
          const char *nm = names[i];
          int w = snprintf (path, sizeof path, "%s/%s", dir, nm);
          if (w < 0 || (size_t) w >= sizeof path)
            s = MC_ERR_TRUST_STORE;
          else if (has_suffix (nm, ".pem") || has_suffix (nm, ".crt")
                   || has_suffix (nm, ".cer") || has_suffix (nm, ".der"))
            s = mc_trust_store_add_cert_file (ts, path);
          else if (has_suffix (nm, ".crl"))
            s = mc_trust_store_add_crl_file (ts, path);
          else if (has_suffix (nm, ".ml"))
            s = mc_trust_store_add_master_list (ts, path);
        }
      free (names[i]);
    }
  free (names);
  return s;
}
