/* test-pa.c — Passive Authentication: EF.SOD built here with OpenSSL
 * CMS_sign and the TEST-ONLY PKI of certs/test. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include <openssl/cms.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "asn1-build.h"
#include "pa.h"

static char pki[512];
static uint8_t dg1[100], dg2[300];
static size_t dg1_len, dg2_len;

static void
pki_path (char *out, size_t cap, const char *name)
{
  snprintf (out, cap, "%s/%s", pki, name);
}

static EVP_PKEY *
load_key (const char *name)
{
  char p[1024];
  pki_path (p, sizeof p, name);
  FILE *f = fopen (p, "r");
  assert_non_null (f);
  EVP_PKEY *k = PEM_read_PrivateKey (f, NULL, NULL, NULL);
  fclose (f);
  assert_non_null (k);
  return k;
}

static X509 *
load_cert (const char *name)
{
  char p[1024];
  pki_path (p, sizeof p, name);
  FILE *f = fopen (p, "r");
  assert_non_null (f);
  X509 *c = PEM_read_X509 (f, NULL, NULL, NULL);
  fclose (f);
  assert_non_null (c);
  return c;
}

static ASN1_TYPE *
dg_hash (int n, const uint8_t *d, size_t len)
{
  unsigned char md[32];
  unsigned int mdl;
  EVP_Digest (d, len, md, &mdl, EVP_sha256 (), NULL);
  return AB_SEQ (ab_int (n), ab_bytes (V_ASN1_OCTET_STRING, md, mdl));
}

/* EF.SOD over dg1 and dg2 signed by the DS named signer. */
static uint8_t *
make_sod (const char *signer, size_t *len)
{
  char key[200], crt[200];
  snprintf (key, sizeof key, "%s-TEST-ONLY.key", signer);
  snprintf (crt, sizeof crt, "%s-TEST-ONLY.pem", signer);
  size_t so_len;
  uint8_t *so = ab_der (AB_SEQ (ab_int (0), AB_SEQ (ab_oid ("2.16.840.1.101.3.4.2.1")),
                                AB_SEQ (dg_hash (1, dg1, dg1_len),
                                        dg_hash (2, dg2, dg2_len))), &so_len);
  EVP_PKEY *k = load_key (key);
  X509 *c = load_cert (crt);
  BIO *in = BIO_new_mem_buf (so, (int) so_len);
  CMS_ContentInfo *cms = CMS_sign (c, k, NULL, NULL, CMS_PARTIAL | CMS_BINARY);
  assert_non_null (cms);
  ASN1_OBJECT *lds_so = OBJ_txt2obj ("2.23.136.1.1.1", 1);
  assert_int_equal (CMS_set1_eContentType (cms, lds_so), 1);
  ASN1_OBJECT_free (lds_so);
  assert_int_equal (CMS_final (cms, in, NULL, CMS_BINARY), 1);
  unsigned char *der = NULL;
  int n = i2d_CMS_ContentInfo (cms, &der);
  assert_true (n > 0);
  uint8_t *copy = malloc ((size_t) n);
  memcpy (copy, der, (size_t) n);
  OPENSSL_free (der);
  CMS_ContentInfo_free (cms);
  BIO_free (in);
  X509_free (c);
  EVP_PKEY_free (k);
  free (so);
  return ab_wrap (0x77, copy, (size_t) n, len);
}

static mc_trust_store *
trust_dir (void)
{
  mc_trust_store *ts;
  char p[1024];
  assert_int_equal (mc_trust_store_new (&ts), MC_OK);
  pki_path (p, sizeof p, "trust");
  assert_int_equal (mc_trust_store_add_dir (ts, p), MC_OK);
  assert_int_equal (mc_trust_store_count (ts), 1);
  return ts;
}

static void
verify_with (const char *signer, mc_trust_store *ts, mc_check_result want)
{
  size_t len;
  uint8_t *sod = make_sod (signer, &len);
  mc_sod out;
  assert_int_equal (mc_sod_verify (sod, len, ts, time (NULL), &out), MC_OK);
  if (out.signature.result != want)
    fprintf (stderr, "%s: %s\n", signer, out.signature.reason);
  assert_int_equal (out.signature.result, want);
  assert_true (out.signature.reason[0] != '\0');
  free (sod);
}

static void
test_good (void **state)
{
  (void) state;
  mc_trust_store *ts = trust_dir ();
  size_t len;
  uint8_t *sod = make_sod ("ds", &len);
  mc_sod out;
  assert_int_equal (mc_sod_verify (sod, len, ts, time (NULL), &out), MC_OK);
  assert_int_equal (out.signature.result, MC_CHECK_PASSED);
  assert_int_equal (out.hash_nid, NID_sha256);
  assert_int_equal (out.n_hashes, 2);
  assert_non_null (strstr (out.signer_subject, "Document Signer 1"));
  assert_int_equal (mc_sod_check_dg (&out, 1, dg1, dg1_len), MC_CHECK_PASSED);
  assert_int_equal (mc_sod_check_dg (&out, 2, dg2, dg2_len), MC_CHECK_PASSED);
  /* a DG changed after signing, a DG swapped, a DG not listed */
  dg2[100] ^= 1;
  assert_int_equal (mc_sod_check_dg (&out, 2, dg2, dg2_len), MC_CHECK_FAILED);
  dg2[100] ^= 1;
  assert_int_equal (mc_sod_check_dg (&out, 1, dg2, dg2_len), MC_CHECK_FAILED);
  assert_int_equal (mc_sod_check_dg (&out, 13, dg1, dg1_len), MC_CHECK_FAILED);

  /* in 2070 the DS has expired */
  assert_int_equal (mc_sod_verify (sod, len, ts, (time_t) 3155760000LL, &out), MC_OK);
  assert_int_equal (out.signature.result, MC_CHECK_FAILED);

  /* one corrupted byte in the signature (the last bytes of the SOD are the
   * signature value's) */
  sod[len - 3] ^= 0x01;
  assert_int_equal (mc_sod_verify (sod, len, ts, time (NULL), &out), MC_OK);
  assert_int_equal (out.signature.result, MC_CHECK_FAILED);
  sod[len - 3] ^= 0x01;

  /* truncations never parse */
  for (size_t cut = 0; cut < len; cut += 7)
    assert_int_equal (mc_sod_verify (sod, cut, ts, time (NULL), &out), MC_ERR_MALFORMED);
  free (sod);
  mc_trust_store_free (ts);
}

static void
test_bad_signers (void **state)
{
  (void) state;
  mc_trust_store *ts = trust_dir ();
  verify_with ("ds-rogue", ts, MC_CHECK_UNVERIFIED);
  verify_with ("ds-expired", ts, MC_CHECK_FAILED);
  verify_with ("ds-revoked", ts, MC_CHECK_FAILED);
  mc_trust_store_free (ts);

  /* without the CRL the revoked DS passes: the CRL is what rejects it */
  char p[1024];
  assert_int_equal (mc_trust_store_new (&ts), MC_OK);
  pki_path (p, sizeof p, "csca-TEST-ONLY.pem");
  assert_int_equal (mc_trust_store_add_cert_file (ts, p), MC_OK);
  verify_with ("ds-revoked", ts, MC_CHECK_PASSED);
  mc_trust_store_free (ts);

  /* empty and NULL trust stores: unverified */
  assert_int_equal (mc_trust_store_new (&ts), MC_OK);
  verify_with ("ds", ts, MC_CHECK_UNVERIFIED);
  mc_trust_store_free (ts);
  verify_with ("ds", NULL, MC_CHECK_UNVERIFIED);
}

static void
test_master_list (void **state)
{
  (void) state;
  mc_trust_store *ts;
  char p[1024];
  assert_int_equal (mc_trust_store_new (&ts), MC_OK);
  pki_path (p, sizeof p, "masterlist-TEST-ONLY.ml");
  assert_int_equal (mc_trust_store_add_master_list (ts, p), MC_OK);
  assert_int_equal (mc_trust_store_count (ts), 1);
  verify_with ("ds", ts, MC_CHECK_PASSED);
  verify_with ("ds-rogue", ts, MC_CHECK_UNVERIFIED);
  /* a certificate is not a master list */
  pki_path (p, sizeof p, "csca-TEST-ONLY.pem");
  assert_int_equal (mc_trust_store_add_master_list (ts, p), MC_ERR_TRUST_STORE);
  pki_path (p, sizeof p, "no-such-file.ml");
  assert_int_equal (mc_trust_store_add_master_list (ts, p), MC_ERR_TRUST_STORE);
  mc_trust_store_free (ts);
}

static int
setup (void **state)
{
  (void) state;
  const char *root = getenv ("MOTCUA_SOURCE_ROOT");
  snprintf (pki, sizeof pki, "%s/certs/test", root ? root : ".");
  size_t n;
  uint8_t *v = ab_der (ab_string (V_ASN1_PRINTABLESTRING, "IDVNM0990123453001099012345<<8"), &n);
  v[0] = 0x04;   /* any bytes will do: the hash covers whatever the DG is */
  uint8_t *w = ab_wrap (0x61, v, n, &dg1_len);
  memcpy (dg1, w, dg1_len);
  free (w);
  for (size_t i = 0; i < sizeof dg2; i++)
    dg2[i] = (uint8_t) (i * 7);
  dg2_len = sizeof dg2;
  return 0;
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_good),
    cmocka_unit_test (test_bad_signers),
    cmocka_unit_test (test_master_list),
  };
  return cmocka_run_group_tests (tests, setup, NULL);
}
