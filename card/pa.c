/* pa.c — Passive Authentication (ICAO 9303-11 §5.1, 9303-10 §4.6.2)
 *
 * EF.SOD = 77 { ContentInfo (CMS SignedData) }, eContentType
 * id-icao-mrtd-security-ldsSecurityObject (2.23.136.1.1.1):
 *
 *   LDSSecurityObject ::= SEQUENCE {
 *     version             LDSSecurityObjectVersion (INTEGER),
 *     hashAlgorithm       AlgorithmIdentifier,
 *     dataGroupHashValues SEQUENCE SIZE (2..ub-DataGroups) OF DataGroupHash,
 *     ldsVersionInfo      LDSVersionInfo OPTIONAL }        -- v1 only
 *   DataGroupHash ::= SEQUENCE { dataGroupNumber INTEGER,
 *                                dataGroupHashValue OCTET STRING }
 *
 * Order of the checks: the CMS signature with the Document Signer key
 * (integrity, independent of any trust), then the DS certificate chain to a
 * CSCA of the trust store at the given time, with the CRL when the store
 * has one for the CSCA (ICAO 9303-11 §5.1.1 steps 1-3). */
#include <stdio.h>
#include <string.h>

#include <openssl/asn1t.h>
#include <openssl/cms.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509_vfy.h>

#include "pa.h"
#include "tlv.h"

typedef struct {
  ASN1_INTEGER      *number;
  ASN1_OCTET_STRING *hash;
} MC_DG_HASH;

ASN1_SEQUENCE (MC_DG_HASH) = {
  ASN1_SIMPLE (MC_DG_HASH, number, ASN1_INTEGER),
  ASN1_SIMPLE (MC_DG_HASH, hash, ASN1_OCTET_STRING),
} static_ASN1_SEQUENCE_END (MC_DG_HASH)

DEFINE_STACK_OF (MC_DG_HASH)

typedef struct {
  ASN1_PRINTABLESTRING *lds_version;
  ASN1_PRINTABLESTRING *unicode_version;
} MC_LDS_VERSION_INFO;

ASN1_SEQUENCE (MC_LDS_VERSION_INFO) = {
  ASN1_SIMPLE (MC_LDS_VERSION_INFO, lds_version, ASN1_PRINTABLESTRING),
  ASN1_SIMPLE (MC_LDS_VERSION_INFO, unicode_version, ASN1_PRINTABLESTRING),
} static_ASN1_SEQUENCE_END (MC_LDS_VERSION_INFO)

typedef struct {
  ASN1_INTEGER          *version;
  X509_ALGOR            *hash_alg;
  STACK_OF (MC_DG_HASH) *hashes;
  MC_LDS_VERSION_INFO   *version_info;
} MC_LDS_SO;

ASN1_SEQUENCE (MC_LDS_SO) = {
  ASN1_SIMPLE (MC_LDS_SO, version, ASN1_INTEGER),
  ASN1_SIMPLE (MC_LDS_SO, hash_alg, X509_ALGOR),
  ASN1_SEQUENCE_OF (MC_LDS_SO, hashes, MC_DG_HASH),
  ASN1_OPT (MC_LDS_SO, version_info, MC_LDS_VERSION_INFO),
} static_ASN1_SEQUENCE_END (MC_LDS_SO)

#define OID_LDS_SECURITY_OBJECT "2.23.136.1.1.1"

static void
set_check (mc_check *c, mc_check_result r, mc_status code, const char *why)
{
  c->result = r;
  c->code = code;
  snprintf (c->reason, sizeof c->reason, "%s", why);
}

/* Fills out's hash table from the LDSSecurityObject DER. */
static mc_status
sod_parse_lds_so (const unsigned char *der, long n, mc_sod *out)
{
  const unsigned char *p = der;
  MC_LDS_SO *so = (MC_LDS_SO *) ASN1_item_d2i (NULL, &p, n, ASN1_ITEM_rptr (MC_LDS_SO));
  mc_status s = MC_ERR_MALFORMED;
  if (!so || p != der + n)
    goto out;
  long version = ASN1_INTEGER_get (so->version);
  if (version < 0 || version > 1)
    goto out;
  out->hash_nid = OBJ_obj2nid (so->hash_alg->algorithm);
  const EVP_MD *md = EVP_get_digestbynid (out->hash_nid);
  if (!md)
    goto out;
  int md_len = EVP_MD_get_size (md);
  int count = sk_MC_DG_HASH_num (so->hashes);
  if (md_len <= 0 || md_len > 64 || count < 1 || count > 16)
    goto out;
  for (int i = 0; i < count; i++)
    {
      const MC_DG_HASH *h = sk_MC_DG_HASH_value (so->hashes, i);
      long num = ASN1_INTEGER_get (h->number);
      if (num < 1 || num > 16 || ASN1_STRING_length (h->hash) != md_len)
        goto out;
      for (size_t j = 0; j < out->n_hashes; j++)
        if (out->hashes[j].number == num)
          goto out;   /* the same DG listed twice */
      mc_sod_hash *e = &out->hashes[out->n_hashes++];
      e->number = (int) num;
      e->hash_len = (size_t) md_len;
      memcpy (e->hash, ASN1_STRING_get0_data (h->hash), (size_t) md_len);
    }
  s = MC_OK;
out:
  ASN1_item_free ((ASN1_VALUE *) so, ASN1_ITEM_rptr (MC_LDS_SO));
  return s;
}

/* Finds the certificate of the (single) signer among the SOD's certs. */
static X509 *
sod_signer_cert (CMS_ContentInfo *cms)
{
  STACK_OF (CMS_SignerInfo) *sis = CMS_get0_SignerInfos (cms);
  if (!sis || sk_CMS_SignerInfo_num (sis) != 1)
    return NULL;
  CMS_SignerInfo *si = sk_CMS_SignerInfo_value (sis, 0);
  STACK_OF (X509) *certs = CMS_get1_certs (cms);
  X509 *found = NULL;
  for (int i = 0; i < sk_X509_num (certs); i++)
    if (CMS_SignerInfo_cert_cmp (si, sk_X509_value (certs, i)) == 0)
      {
        found = sk_X509_value (certs, i);
        X509_up_ref (found);
        break;
      }
  sk_X509_pop_free (certs, X509_free);
  return found;
}

static int
is_unknown_issuer (int err)
{
  return err == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY
         || err == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT
         || err == X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT
         || err == X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN
         || err == X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE;
}

/* Verifies the DS certificate chain at time now. */
static void
sod_check_chain (X509 *ds, const mc_trust_store *ts, time_t now, mc_check *c)
{
  X509_STORE *store = mc_trust_store_get_x509_store (ts);
  X509_STORE *empty = NULL;
  char why[160];

  if (!store)
    store = empty = X509_STORE_new ();
  X509_STORE_CTX *ctx = X509_STORE_CTX_new ();
  if (!store || !ctx || !X509_STORE_CTX_init (ctx, store, ds, NULL))
    {
      set_check (c, MC_CHECK_UNVERIFIED, MC_ERR_CRYPTO, "could not set up certificate verification");
      goto out;
    }
  X509_VERIFY_PARAM *param = X509_STORE_CTX_get0_param (ctx);
  X509_VERIFY_PARAM_set_time (param, now);
  if (mc_trust_store_has_crl_for (ts, X509_get_issuer_name (ds)))
    X509_VERIFY_PARAM_set_flags (param, X509_V_FLAG_CRL_CHECK);

  if (X509_verify_cert (ctx) == 1)
    {
      set_check (c, MC_CHECK_PASSED, MC_OK, "signature and certificate chain verified");
      goto out;
    }
  int err = X509_STORE_CTX_get_error (ctx);
  if (is_unknown_issuer (err))
    {
      set_check (c, MC_CHECK_UNVERIFIED, MC_ERR_TRUST_STORE,
                 "no CSCA in the trust store issued the Document Signer");
      goto out;
    }
  snprintf (why, sizeof why, "Document Signer certificate: %s",
            X509_verify_cert_error_string (err));
  set_check (c, MC_CHECK_FAILED, MC_ERR_CRYPTO, why);
out:
  X509_STORE_CTX_free (ctx);
  X509_STORE_free (empty);
  ERR_clear_error ();
}

mc_status
mc_sod_verify (const uint8_t *sod, size_t len, const mc_trust_store *ts,
               time_t now, mc_sod *out)
{
  mc_tlv outer;
  mc_status s;

  if (!sod || !out)
    return MC_ERR_INVALID_ARG;
  memset (out, 0, sizeof *out);
  if ((s = mc_tlv_read (sod, len, &outer)) != MC_OK)
    return s;
  if (outer.tag != 0x77 || outer.header_len + outer.len != len
      || outer.len > 1024 * 1024)
    return MC_ERR_MALFORMED;

  const unsigned char *p = outer.value;
  CMS_ContentInfo *cms = d2i_CMS_ContentInfo (NULL, &p, (long) outer.len);
  X509 *ds = NULL;
  s = MC_ERR_MALFORMED;
  if (!cms || p != outer.value + outer.len
      || OBJ_obj2nid (CMS_get0_type (cms)) != NID_pkcs7_signed)
    goto out;
  ASN1_OBJECT *want = OBJ_txt2obj (OID_LDS_SECURITY_OBJECT, 1);
  int type_ok = want && OBJ_cmp (CMS_get0_eContentType (cms), want) == 0;
  ASN1_OBJECT_free (want);
  ASN1_OCTET_STRING **content = CMS_get0_content (cms);
  if (!type_ok || !content || !*content)
    goto out;
  if ((s = sod_parse_lds_so (ASN1_STRING_get0_data (*content),
                             ASN1_STRING_length (*content), out)) != MC_OK)
    goto out;

  ds = sod_signer_cert (cms);
  if (ds)
    X509_NAME_oneline (X509_get_subject_name (ds), out->signer_subject,
                       sizeof out->signer_subject);
  if (!ds)
    set_check (&out->signature, MC_CHECK_UNVERIFIED, MC_ERR_MALFORMED,
               "EF.SOD carries no Document Signer certificate");
  /* 1. The CMS signature itself (signed attributes, message digest). */
  else if (!CMS_verify (cms, NULL, NULL, NULL, NULL,
                        CMS_NO_SIGNER_CERT_VERIFY | CMS_BINARY))
    set_check (&out->signature, MC_CHECK_FAILED, MC_ERR_CRYPTO,
               "EF.SOD signature does not verify with the Document Signer key");
  /* 2. The Document Signer certificate chain. */
  else
    sod_check_chain (ds, ts, now, &out->signature);
  s = MC_OK;

out:
  X509_free (ds);
  CMS_ContentInfo_free (cms);
  ERR_clear_error ();
  if (s != MC_OK)
    memset (out, 0, sizeof *out);
  return s;
}

mc_check_result
mc_sod_check_dg (const mc_sod *sod, int number, const uint8_t *data, size_t len)
{
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int md_len = 0;

  if (!sod || (!data && len))
    return MC_CHECK_FAILED;
  const EVP_MD *type = EVP_get_digestbynid (sod->hash_nid);
  if (!type)
    return MC_CHECK_FAILED;
  for (size_t i = 0; i < sod->n_hashes; i++)
    {
      const mc_sod_hash *h = &sod->hashes[i];
      if (h->number != number)
        continue;
      if (!EVP_Digest (data, len, md, &md_len, type, NULL)
          || md_len != h->hash_len)
        return MC_CHECK_FAILED;
      return CRYPTO_memcmp (md, h->hash, md_len) == 0 ? MC_CHECK_PASSED
                                                      : MC_CHECK_FAILED;
    }
  return MC_CHECK_FAILED;
}
