/* test-aa.c — Active Authentication (ICAO 9303-11 §6.1): the chip side
 * (tests/cardsim/chip-auth.c) signs, card/aa.c verifies; plus an RSA
 * ISO/IEC 9796-2 signature built here from the definition with raw
 * modular exponentiation, and the INTERNAL AUTHENTICATE APDU. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/sha.h>

#include "aa.h"
#include "apdu.h"
#include "chip-auth.h"

static EVP_PKEY *rsa1024, *rsa2048, *rsa_other, *p256, *bp256, *p384, *p256_other;

static int
setup (void **state)
{
  (void) state;
  rsa1024 = EVP_RSA_gen (1024);
  rsa2048 = EVP_RSA_gen (2048);
  rsa_other = EVP_RSA_gen (1024);
  p256 = EVP_EC_gen ("P-256");
  bp256 = EVP_EC_gen ("brainpoolP256r1");
  p384 = EVP_EC_gen ("P-384");
  p256_other = EVP_EC_gen ("P-256");
  return (rsa1024 && rsa2048 && rsa_other && p256 && bp256 && p384 && p256_other) ? 0 : -1;
}

static int
teardown (void **state)
{
  (void) state;
  EVP_PKEY_free (rsa1024);
  EVP_PKEY_free (rsa2048);
  EVP_PKEY_free (rsa_other);
  EVP_PKEY_free (p256);
  EVP_PKEY_free (bp256);
  EVP_PKEY_free (p384);
  EVP_PKEY_free (p256_other);
  return 0;
}

typedef struct {
  uint8_t *dg15;
  size_t dg15_len;
  uint8_t chal[8];
  uint8_t sig[512];
  size_t sig_len;
} signed_case;

static void
make_case (EVP_PKEY *key, int hash_nid, signed_case *c)
{
  assert_int_equal (chip_build_dg15 (key, &c->dg15, &c->dg15_len), 0);
  assert_int_equal (RAND_bytes (c->chal, 8), 1);
  assert_int_equal (chip_aa_sign (key, hash_nid, c->chal, 8, c->sig, sizeof c->sig,
                                  &c->sig_len), 0);
}

/* Every tampering of a good signature must be rejected. */
static void
check_rejections (signed_case *c, int aa_nid)
{
  uint8_t chal[8], sig[520];
  memcpy (chal, c->chal, 8);
  chal[7] ^= 0x01;
  assert_int_equal (mc_aa_verify (c->dg15, c->dg15_len, aa_nid, chal, c->sig, c->sig_len),
                    MC_ERR_CRYPTO);

  size_t positions[] = { 0, 1, c->sig_len / 2, c->sig_len - 2, c->sig_len - 1 };
  for (size_t i = 0; i < sizeof positions / sizeof positions[0]; i++)
    {
      memcpy (sig, c->sig, c->sig_len);
      sig[positions[i]] ^= 0x10;
      assert_int_not_equal (mc_aa_verify (c->dg15, c->dg15_len, aa_nid, c->chal, sig,
                                          c->sig_len), MC_OK);
    }
  assert_int_equal (mc_aa_verify (c->dg15, c->dg15_len, aa_nid, c->chal, c->sig,
                                  c->sig_len - 1), MC_ERR_CRYPTO);
  memcpy (sig, c->sig, c->sig_len);
  sig[c->sig_len] = 0;
  assert_int_equal (mc_aa_verify (c->dg15, c->dg15_len, aa_nid, c->chal, sig,
                                  c->sig_len + 1), MC_ERR_CRYPTO);
  assert_int_equal (mc_aa_verify (c->dg15, c->dg15_len, aa_nid, c->chal, sig, 0),
                    MC_ERR_CRYPTO);
}

static void
test_rsa_hashes (void **state)
{
  (void) state;
  int hashes[] = { NID_sha1, NID_sha224, NID_sha256, NID_sha384, NID_sha512 };
  EVP_PKEY *keys[] = { rsa1024, rsa2048 };
  for (size_t k = 0; k < 2; k++)
    for (size_t i = 0; i < sizeof hashes / sizeof hashes[0]; i++)
      {
        signed_case c;
        make_case (keys[k], hashes[i], &c);
        assert_int_equal (mc_aa_verify (c.dg15, c.dg15_len, 0, c.chal, c.sig, c.sig_len),
                          MC_OK);
        check_rejections (&c, 0);
        free (c.dg15);
      }
}

/* m = s^e mod n computed here, to check the chip side's format:
 * SHA-1 ends in BC, SHA-256 in 34 CC, and the header is 6A. */
static void
raw_public (EVP_PKEY *key, const uint8_t *sig, size_t len, uint8_t *m)
{
  BIGNUM *n = NULL, *e = NULL;
  assert_int_equal (EVP_PKEY_get_bn_param (key, OSSL_PKEY_PARAM_RSA_N, &n), 1);
  assert_int_equal (EVP_PKEY_get_bn_param (key, OSSL_PKEY_PARAM_RSA_E, &e), 1);
  BN_CTX *bc = BN_CTX_new ();
  BIGNUM *s = BN_bin2bn (sig, (int) len, NULL), *r = BN_new ();
  assert_int_equal (BN_mod_exp (r, s, e, n, bc), 1);
  assert_int_equal (BN_bn2binpad (r, m, (int) len), (int) len);
  BN_free (n); BN_free (e); BN_free (s); BN_free (r); BN_CTX_free (bc);
}

static void
test_rsa_chip_format (void **state)
{
  (void) state;
  signed_case c;
  uint8_t m[256];
  make_case (rsa1024, NID_sha1, &c);
  raw_public (rsa1024, c.sig, c.sig_len, m);
  assert_int_equal (c.sig_len, 128);
  assert_int_equal (m[0], 0x6A);
  assert_int_equal (m[127], 0xBC);
  /* digest = SHA-1(M1 || challenge), M1 = m[1 .. 107) */
  uint8_t buf[128], h[20];
  memcpy (buf, m + 1, 106);
  memcpy (buf + 106, c.chal, 8);
  assert_non_null (SHA1 (buf, 114, h));
  assert_memory_equal (h, m + 107, 20);
  free (c.dg15);

  make_case (rsa1024, NID_sha256, &c);
  raw_public (rsa1024, c.sig, c.sig_len, m);
  assert_int_equal (m[0], 0x6A);
  assert_int_equal (m[126], 0x34);
  assert_int_equal (m[127], 0xCC);
  free (c.dg15);
}

/* s = F^d mod n with F built from ISO/IEC 9796-2 §B (scheme 1, partial
 * recovery) by hand. */
static void
hand_sign (EVP_PKEY *key, uint8_t header, const EVP_MD *md, const uint8_t *trailer,
           size_t t_len, const uint8_t chal[8], uint8_t *sig, size_t k)
{
  uint8_t f[256];
  size_t hlen = (size_t) EVP_MD_get_size (md);
  size_t m1_len = k - 1 - hlen - t_len;
  f[0] = header;
  assert_int_equal (RAND_bytes (f + 1, (int) m1_len), 1);
  EVP_MD_CTX *mc = EVP_MD_CTX_new ();
  assert_int_equal (EVP_DigestInit_ex (mc, md, NULL), 1);
  assert_int_equal (EVP_DigestUpdate (mc, f + 1, m1_len), 1);
  assert_int_equal (EVP_DigestUpdate (mc, chal, 8), 1);
  assert_int_equal (EVP_DigestFinal_ex (mc, f + 1 + m1_len, NULL), 1);
  EVP_MD_CTX_free (mc);
  memcpy (f + k - t_len, trailer, t_len);

  BIGNUM *n = NULL, *d = NULL;
  assert_int_equal (EVP_PKEY_get_bn_param (key, OSSL_PKEY_PARAM_RSA_N, &n), 1);
  assert_int_equal (EVP_PKEY_get_bn_param (key, OSSL_PKEY_PARAM_RSA_D, &d), 1);
  BN_CTX *bc = BN_CTX_new ();
  BIGNUM *x = BN_bin2bn (f, (int) k, NULL), *r = BN_new ();
  assert_int_equal (BN_mod_exp (r, x, d, n, bc), 1);
  assert_int_equal (BN_bn2binpad (r, sig, (int) k), (int) k);
  BN_free (n); BN_clear_free (d); BN_free (x); BN_free (r); BN_CTX_free (bc);
}

static void
test_rsa_hand_built (void **state)
{
  (void) state;
  uint8_t *dg15;
  size_t dg15_len;
  uint8_t chal[8], sig[128];
  assert_int_equal (chip_build_dg15 (rsa1024, &dg15, &dg15_len), 0);
  assert_int_equal (RAND_bytes (chal, 8), 1);

  static const uint8_t bc[] = { 0xBC }, cc256[] = { 0x34, 0xCC },
    cc384[] = { 0x36, 0xCC }, cc_unknown[] = { 0x37, 0xCC }, bd[] = { 0xBD };

  hand_sign (rsa1024, 0x6A, EVP_sha1 (), bc, 1, chal, sig, 128);
  assert_int_equal (mc_aa_verify (dg15, dg15_len, 0, chal, sig, 128), MC_OK);
  hand_sign (rsa1024, 0x6A, EVP_sha256 (), cc256, 2, chal, sig, 128);
  assert_int_equal (mc_aa_verify (dg15, dg15_len, 0, chal, sig, 128), MC_OK);
  hand_sign (rsa1024, 0x6A, EVP_sha384 (), cc384, 2, chal, sig, 128);
  assert_int_equal (mc_aa_verify (dg15, dg15_len, 0, chal, sig, 128), MC_OK);

  /* Wrong header (full recovery 4A), unknown hash id, bad trailer, and a
   * hash identifier that does not match the digest. */
  hand_sign (rsa1024, 0x4A, EVP_sha1 (), bc, 1, chal, sig, 128);
  assert_int_equal (mc_aa_verify (dg15, dg15_len, 0, chal, sig, 128), MC_ERR_CRYPTO);
  hand_sign (rsa1024, 0x6A, EVP_sha256 (), cc_unknown, 2, chal, sig, 128);
  assert_int_equal (mc_aa_verify (dg15, dg15_len, 0, chal, sig, 128), MC_ERR_CRYPTO);
  hand_sign (rsa1024, 0x6A, EVP_sha1 (), bd, 1, chal, sig, 128);
  assert_int_equal (mc_aa_verify (dg15, dg15_len, 0, chal, sig, 128), MC_ERR_CRYPTO);
  hand_sign (rsa1024, 0x6A, EVP_sha384 (), cc256, 2, chal, sig, 128);
  assert_int_equal (mc_aa_verify (dg15, dg15_len, 0, chal, sig, 128), MC_ERR_CRYPTO);
  free (dg15);
}

static void
test_ec_curves_and_hashes (void **state)
{
  (void) state;
  struct { int hash, sig; } algs[] = {
    { NID_sha1, NID_ecdsa_with_SHA1 },     { NID_sha224, NID_ecdsa_with_SHA224 },
    { NID_sha256, NID_ecdsa_with_SHA256 }, { NID_sha384, NID_ecdsa_with_SHA384 },
    { NID_sha512, NID_ecdsa_with_SHA512 },
  };
  EVP_PKEY *keys[] = { p256, bp256, p384 };
  for (size_t k = 0; k < 3; k++)
    for (size_t i = 0; i < sizeof algs / sizeof algs[0]; i++)
      {
        signed_case c;
        make_case (keys[k], algs[i].hash, &c);
        assert_int_equal (c.sig_len, k == 2 ? 96 : 64);
        assert_int_equal (mc_aa_verify (c.dg15, c.dg15_len, algs[i].sig, c.chal, c.sig,
                                        c.sig_len), MC_OK);
        check_rejections (&c, algs[i].sig);
        /* DG14 naming another hash than the one used → reject. */
        int other = algs[(i + 1) % 5].sig;
        assert_int_equal (mc_aa_verify (c.dg15, c.dg15_len, other, c.chal, c.sig,
                                        c.sig_len), MC_ERR_CRYPTO);
        free (c.dg15);
      }

  /* No ActiveAuthenticationInfo: SHA-256 assumed for a 256-bit key, and
   * an RSA signature algorithm named for an EC key is refused. */
  signed_case c;
  make_case (bp256, NID_sha256, &c);
  assert_int_equal (mc_aa_verify (c.dg15, c.dg15_len, 0, c.chal, c.sig, c.sig_len), MC_OK);
  assert_int_equal (mc_aa_verify (c.dg15, c.dg15_len, NID_sha256WithRSAEncryption,
                                  c.chal, c.sig, c.sig_len), MC_ERR_CRYPTO);
  free (c.dg15);
}

static void
test_wrong_key (void **state)
{
  (void) state;
  signed_case c;
  uint8_t *other;
  size_t other_len;

  make_case (rsa1024, NID_sha1, &c);
  assert_int_equal (chip_build_dg15 (rsa_other, &other, &other_len), 0);
  assert_int_equal (mc_aa_verify (other, other_len, 0, c.chal, c.sig, c.sig_len),
                    MC_ERR_CRYPTO);
  free (other);
  free (c.dg15);

  make_case (p256, NID_sha256, &c);
  assert_int_equal (chip_build_dg15 (p256_other, &other, &other_len), 0);
  assert_int_equal (mc_aa_verify (other, other_len, NID_ecdsa_with_SHA256, c.chal, c.sig,
                                  c.sig_len), MC_ERR_CRYPTO);
  free (other);
  /* An EC signature checked against an RSA key of DG15. */
  assert_int_equal (chip_build_dg15 (rsa1024, &other, &other_len), 0);
  assert_int_equal (mc_aa_verify (other, other_len, NID_ecdsa_with_SHA256, c.chal, c.sig,
                                  c.sig_len), MC_ERR_CRYPTO);
  free (other);
  free (c.dg15);
}

static void
test_malformed_dg15 (void **state)
{
  (void) state;
  signed_case c;
  make_case (p256, NID_sha256, &c);
  uint8_t buf[600];
  assert_true (c.dg15_len + 4 < sizeof buf);

  /* Empty, wrong tag, every truncation, trailing byte outside 6F. */
  assert_int_equal (mc_aa_verify (c.dg15, 0, 0, c.chal, c.sig, c.sig_len), MC_ERR_MALFORMED);
  memcpy (buf, c.dg15, c.dg15_len);
  buf[0] = 0x6E;
  assert_int_equal (mc_aa_verify (buf, c.dg15_len, 0, c.chal, c.sig, c.sig_len),
                    MC_ERR_MALFORMED);
  for (size_t n = 1; n < c.dg15_len; n++)
    assert_int_equal (mc_aa_verify (c.dg15, n, 0, c.chal, c.sig, c.sig_len),
                      MC_ERR_MALFORMED);
  memcpy (buf, c.dg15, c.dg15_len);
  buf[c.dg15_len] = 0x00;
  assert_int_equal (mc_aa_verify (buf, c.dg15_len + 1, 0, c.chal, c.sig, c.sig_len),
                    MC_ERR_MALFORMED);

  /* A byte after the SubjectPublicKeyInfo, inside 6F (short form length). */
  assert_int_equal (c.dg15[0], 0x6F);
  assert_true (c.dg15[1] < 0x7F);
  memcpy (buf, c.dg15, c.dg15_len);
  buf[1]++;
  buf[c.dg15_len] = 0x00;
  assert_int_equal (mc_aa_verify (buf, c.dg15_len + 1, 0, c.chal, c.sig, c.sig_len),
                    MC_ERR_MALFORMED);

  /* Garbage instead of a key. */
  static const uint8_t junk[] = { 0x6F, 0x05, 0x30, 0x03, 0x02, 0x01, 0x00 };
  assert_int_equal (mc_aa_verify (junk, sizeof junk, 0, c.chal, c.sig, c.sig_len),
                    MC_ERR_MALFORMED);
  free (c.dg15);
}

/* ------------------------------------------------ INTERNAL AUTHENTICATE */

typedef struct {
  EVP_PKEY *key;
  uint8_t last_cmd[64];
  size_t last_len;
} fake_chip;

static mc_status
fake_transmit (void *user, const uint8_t *cmd, size_t cmd_len,
               uint8_t *resp, size_t *resp_len)
{
  fake_chip *fc = user;
  assert_true (cmd_len <= sizeof fc->last_cmd);
  memcpy (fc->last_cmd, cmd, cmd_len);
  fc->last_len = cmd_len;
  size_t n = 0;
  if (cmd_len != 14
      || chip_aa_sign (fc->key, NID_sha1, cmd + 5, 8, resp, *resp_len - 2, &n) != 0)
    {
      resp[0] = 0x6A;
      resp[1] = 0x80;
      *resp_len = 2;
      return MC_OK;
    }
  resp[n] = 0x90;
  resp[n + 1] = 0x00;
  *resp_len = n + 2;
  return MC_OK;
}

static void
test_internal_authenticate (void **state)
{
  (void) state;
  fake_chip fc = { .key = rsa1024 };
  mc_channel ch;
  mc_channel_init (&ch, fake_transmit, &fc);
  uint8_t chal[8] = { 1, 2, 3, 4, 5, 6, 7, 8 }, sig[512];
  size_t sig_len = 0;
  assert_int_equal (mc_aa_sign (&ch, chal, sig, sizeof sig, &sig_len), MC_OK);
  static const uint8_t expect[] = { 0x00, 0x88, 0x00, 0x00, 0x08,
                                    1, 2, 3, 4, 5, 6, 7, 8, 0x00 };
  assert_int_equal (fc.last_len, sizeof expect);
  assert_memory_equal (fc.last_cmd, expect, sizeof expect);
  assert_int_equal (sig_len, 128);

  uint8_t *dg15;
  size_t dg15_len;
  assert_int_equal (chip_build_dg15 (rsa1024, &dg15, &dg15_len), 0);
  assert_int_equal (mc_aa_verify (dg15, dg15_len, 0, chal, sig, sig_len), MC_OK);
  free (dg15);

  /* A chip error status is reported, not a signature. */
  fc.key = NULL; /* the fake chip now answers 6A80 */
  assert_int_not_equal (mc_aa_sign (&ch, chal, sig, sizeof sig, &sig_len), MC_OK);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_rsa_hashes),
    cmocka_unit_test (test_rsa_chip_format),
    cmocka_unit_test (test_rsa_hand_built),
    cmocka_unit_test (test_ec_curves_and_hashes),
    cmocka_unit_test (test_wrong_key),
    cmocka_unit_test (test_malformed_dg15),
    cmocka_unit_test (test_internal_authenticate),
  };
  return cmocka_run_group_tests (tests, setup, teardown);
}
