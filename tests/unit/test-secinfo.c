/* test-secinfo.c — SecurityInfos of EF.CardAccess and DG14 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <eac/eac.h>
#include <eac/objects.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "asn1-build.h"
#include "secinfo.h"

/* ICAO 9303-11 Appendix G.1 (shared/data/icao9303-11-pace-ecdh-gm.txt) */
static const uint8_t card_access[] = {
  0x31, 0x14, 0x30, 0x12, 0x06, 0x0A, 0x04, 0x00, 0x7F, 0x00, 0x07, 0x02,
  0x02, 0x04, 0x02, 0x02, 0x02, 0x01, 0x02, 0x02, 0x01, 0x0D,
};

static void
test_card_access (void **state)
{
  (void) state;
  mc_secinfos si;
  assert_int_equal (mc_secinfos_parse (card_access, sizeof card_access, &si), MC_OK);
  assert_true (si.has_pace);
  assert_int_equal (si.pace_nid, NID_id_PACE_ECDH_GM_AES_CBC_CMAC_128);
  assert_int_equal (si.pace_version, 2);
  assert_int_equal (si.pace_param_id, 13);
  assert_false (si.has_ca);
  assert_false (si.has_aa);
  /* every truncation and a trailing byte are malformed */
  for (size_t cut = 0; cut < sizeof card_access; cut++)
    assert_int_equal (mc_secinfos_parse (card_access, cut, &si), MC_ERR_MALFORMED);
  uint8_t longer[sizeof card_access + 1];
  memcpy (longer, card_access, sizeof card_access);
  longer[sizeof card_access] = 0;
  assert_int_equal (mc_secinfos_parse (longer, sizeof longer, &si), MC_ERR_MALFORMED);
}

static ASN1_TYPE *
spki_of (const char *keyfile)
{
  char p[1024];
  const char *root = getenv ("MOTCUA_SOURCE_ROOT");
  snprintf (p, sizeof p, "%s/certs/test/%s", root ? root : ".", keyfile);
  FILE *f = fopen (p, "r");
  assert_non_null (f);
  EVP_PKEY *k = PEM_read_PrivateKey (f, NULL, NULL, NULL);
  fclose (f);
  assert_non_null (k);
  unsigned char *der = NULL;
  int n = i2d_PUBKEY (k, &der);
  EVP_PKEY_free (k);
  const unsigned char *q = der;
  ASN1_TYPE *t = d2i_ASN1_TYPE (NULL, &q, n);
  OPENSSL_free (der);
  return t;
}

static uint8_t *
dg14_content (ASN1_TYPE *pk_key_id, ASN1_TYPE *ca_version, size_t *len)
{
  ASN1_TYPE *pk = pk_key_id
    ? AB_SEQ (ab_oid ("0.4.0.127.0.7.2.2.1.2"), spki_of ("ca-TEST-ONLY.key"), pk_key_id)
    : AB_SEQ (ab_oid ("0.4.0.127.0.7.2.2.1.2"), spki_of ("ca-TEST-ONLY.key"));
  return ab_der (AB_SET (
    pk,
    AB_SEQ (ab_oid ("0.4.0.127.0.7.2.2.3.2.2"), ca_version),            /* id-CA-ECDH-AES-CBC-CMAC-128 */
    AB_SEQ (ab_oid ("2.23.136.1.1.5"), ab_int (1), ab_oid ("1.2.840.10045.4.3.2")),
    AB_SEQ (ab_oid ("1.2.3.4.5"), ab_utf8 ("unknown entry, ignored"))), len);
}

static void
test_dg14 (void **state)
{
  (void) state;
  size_t len;
  uint8_t *d = dg14_content (ab_int (5), ab_int (1), &len);
  mc_secinfos si;
  assert_int_equal (mc_secinfos_parse (d, len, &si), MC_OK);
  assert_true (si.has_ca);
  assert_int_equal (si.ca_nid, NID_id_CA_ECDH_AES_CBC_CMAC_128);
  assert_int_equal (si.ca_version, 1);
  assert_int_equal (si.ca_key_id, -1);
  assert_true (si.has_ca_pubkey);
  assert_int_equal (si.ca_pubkey_key_id, 5);
  assert_true (si.has_aa);
  assert_int_equal (si.aa_sig_nid, NID_ecdsa_with_SHA256);
  assert_false (si.has_pace);
  for (size_t cut = 0; cut < len; cut += 3)
    assert_int_equal (mc_secinfos_parse (d, cut, &si), MC_ERR_MALFORMED);
  free (d);

  /* version of the wrong type */
  d = dg14_content (NULL, ab_utf8 ("1"), &len);
  assert_int_equal (mc_secinfos_parse (d, len, &si), MC_ERR_MALFORMED);
  assert_false (si.has_ca_pubkey);
  free (d);
  /* keyId of the wrong type */
  d = dg14_content (ab_utf8 ("5"), ab_int (1), &len);
  assert_int_equal (mc_secinfos_parse (d, len, &si), MC_ERR_MALFORMED);
  free (d);
}

static void
test_malformed (void **state)
{
  (void) state;
  size_t len;
  mc_secinfos si;
  /* a CA public key that is not a SubjectPublicKeyInfo */
  uint8_t *d = ab_der (AB_SET (AB_SEQ (ab_oid ("0.4.0.127.0.7.2.2.1.2"),
                                       AB_SEQ (ab_int (1), ab_int (2)))), &len);
  assert_int_equal (mc_secinfos_parse (d, len, &si), MC_ERR_MALFORMED);
  free (d);
  /* PACEInfo without a version */
  d = ab_der (AB_SET (AB_SEQ (ab_oid ("0.4.0.127.0.7.2.2.4.2.2"), ab_utf8 ("x"))), &len);
  assert_int_equal (mc_secinfos_parse (d, len, &si), MC_ERR_MALFORMED);
  free (d);
  /* a SEQUENCE instead of the SET; an entry without requiredData */
  d = ab_der (AB_SEQ (AB_SEQ (ab_oid ("0.4.0.127.0.7.2.2.4.2.2"), ab_int (2))), &len);
  assert_int_equal (mc_secinfos_parse (d, len, &si), MC_ERR_MALFORMED);
  free (d);
  d = ab_der (AB_SET (AB_SEQ (ab_oid ("0.4.0.127.0.7.2.2.4.2.2"))), &len);
  assert_int_equal (mc_secinfos_parse (d, len, &si), MC_ERR_MALFORMED);
  free (d);
  /* PACEDomainParameterInfo whose parameters are not an AlgorithmIdentifier */
  d = ab_der (AB_SET (AB_SEQ (ab_oid ("0.4.0.127.0.7.2.2.4.2"), ab_int (2))), &len);
  assert_int_equal (mc_secinfos_parse (d, len, &si), MC_ERR_MALFORMED);
  free (d);
  /* only unknown entries: parses, nothing found */
  d = ab_der (AB_SET (AB_SEQ (ab_oid ("1.2.3"), ab_int (2))), &len);
  assert_int_equal (mc_secinfos_parse (d, len, &si), MC_OK);
  assert_false (si.has_pace || si.has_ca || si.has_aa || si.has_ca_pubkey);
  free (d);
  assert_int_equal (mc_secinfos_parse (card_access, 0, &si), MC_ERR_MALFORMED);
}

static int
setup (void **state)
{
  (void) state;
  EAC_init ();
  return 0;
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_card_access),
    cmocka_unit_test (test_dg14),
    cmocka_unit_test (test_malformed),
  };
  return cmocka_run_group_tests (tests, setup, NULL);
}
