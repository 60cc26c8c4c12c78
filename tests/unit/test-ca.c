/* test-ca.c — Chip Authentication v1 (ICAO 9303-11 §6.2) end to end over
 * a fake transport that plays the chip: secure messaging chip side
 * (mc_sm_unwrap_command / mc_sm_wrap_response), the key agreement of
 * tests/cardsim/chip-auth.c, and DG14 from its builder.  The session keys
 * are also recomputed here independently (EC point multiplication and
 * the §9.7.1 KDF written out with SHA-1). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <openssl/asn1.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/sha.h>

#include <eac/objects.h>

#include "apdu.h"
#include "ca.h"
#include "card-private.h"
#include "chip-auth.h"
#include "tlv.h"

/* ----------------------------------------------------------- fake chip */

typedef struct {
  mc_sm sm;                /* the chip's current session */
  EVP_PKEY *key;           /* private CA key the chip really holds */
  int proto_nid;           /* expected in MSE:Set AT */
  mc_sm_cipher cipher;
  size_t key_len;
  long expect_key_id;      /* -1: no DO'84' expected */
  uint16_t mse_sw;         /* status to answer MSE with (0x9000 normally) */
  uint8_t term_pub[256];
  size_t term_pub_len;
  int got_kat, got_at, got_ga, got_select, derived, apdus;
} chip;

static size_t
chip_reply (chip *c, const uint8_t *data, size_t len, uint16_t sw,
            uint8_t *resp, size_t cap)
{
  size_t n = 0;
  if (c->sm.active)
    {
      assert_int_equal (mc_sm_wrap_response (&c->sm, data, len, sw, resp, cap, &n), MC_OK);
      return n;
    }
  memcpy (resp, data, len);
  resp[len] = (uint8_t) (sw >> 8);
  resp[len + 1] = (uint8_t) sw;
  return len + 2;
}

/* Parses 91/80 <key> [84 <ref>] from data; returns 0 when well formed. */
static int
chip_take_key (chip *c, uint32_t key_tag, const uint8_t *d, size_t len)
{
  mc_tlv t;
  if (mc_tlv_read (d, len, &t) != MC_OK || t.tag != key_tag
      || t.len > sizeof c->term_pub)
    return -1;
  memcpy (c->term_pub, t.value, t.len);
  c->term_pub_len = t.len;
  return 0;
}

static int
chip_check_ref (chip *c, const uint8_t *d, size_t len)
{
  mc_tlv r;
  if (c->expect_key_id < 0)
    return mc_tlv_find (d, len, 0x84, &r) == MC_OK ? -1 : 0;
  if (mc_tlv_find (d, len, 0x84, &r) != MC_OK || r.len != 1
      || r.value[0] != (uint8_t) c->expect_key_id)
    return -1;
  return 0;
}

static mc_status
chip_transmit (void *user, const uint8_t *cmd, size_t cmd_len,
               uint8_t *resp, size_t *resp_len)
{
  chip *c = user;
  uint8_t plain[1024];
  size_t plain_len = cmd_len;
  c->apdus++;
  if (c->sm.active)
    {
      if (mc_sm_unwrap_command (&c->sm, cmd, cmd_len, plain, sizeof plain, &plain_len)
          != MC_OK)
        {
          /* ISO 7816-4: SM data objects incorrect, answered in plain. */
          mc_sm_clear (&c->sm);
          resp[0] = 0x69;
          resp[1] = 0x88;
          *resp_len = 2;
          return MC_OK;
        }
    }
  else
    memcpy (plain, cmd, cmd_len);

  mc_apdu a;
  assert_int_equal (mc_apdu_decode (plain, plain_len, &a), MC_OK);
  uint16_t sw = 0x6D00;
  static const uint8_t ga_resp[] = { 0x7C, 0x00 };
  const uint8_t *out = NULL;
  size_t out_len = 0;
  int derive_after = 0;

  if (a.ins == 0x22 && a.p1 == 0x41 && a.p2 == 0xA6)
    {
      c->got_kat++;
      sw = (chip_take_key (c, 0x91, a.data, a.lc) == 0
            && chip_check_ref (c, a.data, a.lc) == 0) ? c->mse_sw : 0x6A80;
      derive_after = sw == 0x9000;
    }
  else if (a.ins == 0x22 && a.p1 == 0x41 && a.p2 == 0xA4)
    {
      c->got_at++;
      mc_tlv t;
      const ASN1_OBJECT *o = OBJ_nid2obj (c->proto_nid);
      sw = 0x6A80;
      if (mc_tlv_find (a.data, a.lc, 0x80, &t) == MC_OK
          && t.len == (size_t) OBJ_length (o)
          && memcmp (t.value, OBJ_get0_data (o), t.len) == 0
          && chip_check_ref (c, a.data, a.lc) == 0)
        sw = c->mse_sw;
    }
  else if (a.ins == 0x86)
    {
      c->got_ga++;
      mc_tlv outer;
      sw = 0x6A80;
      if (c->got_at && mc_tlv_read (a.data, a.lc, &outer) == MC_OK && outer.tag == 0x7C
          && chip_take_key (c, 0x80, outer.value, outer.len) == 0)
        {
          sw = 0x9000;
          out = ga_resp;
          out_len = sizeof ga_resp;
          derive_after = 1;
        }
    }
  else if (a.ins == 0xA4 && a.p1 == 0x02 && a.p2 == 0x0C && a.lc == 2
           && a.data[0] == 0x01 && a.data[1] == 0x1E)
    {
      c->got_select++;
      sw = 0x9000;
    }

  /* The answer to the key agreement command still goes out under the
   * old session; the chip switches keys afterwards (§6.2). */
  *resp_len = chip_reply (c, out, out_len, sw, resp, *resp_len);
  if (derive_after)
    {
      assert_int_equal (chip_ca_derive (c->key, c->term_pub, c->term_pub_len,
                                        c->cipher, c->key_len, &c->sm), 0);
      c->derived = 1;
    }
  return MC_OK;
}

/* ------------------------------------------------------------- helpers */

static void
start_pace_like_session (mc_channel *ch, chip *c, mc_sm_cipher cipher)
{
  uint8_t ke[16], km[16];
  assert_int_equal (RAND_bytes (ke, 16), 1);
  assert_int_equal (RAND_bytes (km, 16), 1);
  mc_channel_init (ch, chip_transmit, c);
  assert_int_equal (mc_sm_start (&ch->sm, cipher, ke, km, 16, NULL, 0), MC_OK);
  assert_int_equal (mc_sm_start (&c->sm, cipher, ke, km, 16, NULL, 0), MC_OK);
}

static EVP_PKEY *
ec_key (const char *curve, int explicit_params)
{
  EVP_PKEY *k = EVP_EC_gen (curve);
  assert_non_null (k);
  if (explicit_params)
    assert_int_equal (EVP_PKEY_set_utf8_string_param (k, OSSL_PKEY_PARAM_EC_ENCODING,
                                                      OSSL_PKEY_EC_ENCODING_EXPLICIT), 1);
  return k;
}

/* K = SHA-1(Z || 00 00 00 0c)[0..16) written out (§9.7.1.1). */
static void
kdf_sha1_128 (const uint8_t *z, size_t z_len, uint8_t c, uint8_t out[16])
{
  uint8_t buf[200], h[20];
  assert_true (z_len + 4 <= sizeof buf);
  memcpy (buf, z, z_len);
  buf[z_len] = buf[z_len + 1] = buf[z_len + 2] = 0;
  buf[z_len + 3] = c;
  SHA1 (buf, z_len + 4, h);
  memcpy (out, h, 16);
}

/* Z = x(d_chip * PK_term) with the low-level EC API, independent of the
 * EVP derive used by both sides. */
static size_t
shared_x (EVP_PKEY *chip_key, const uint8_t *pub, size_t pub_len, uint8_t *z)
{
  char curve[64];
  BIGNUM *d = NULL;
  assert_int_equal (EVP_PKEY_get_utf8_string_param (chip_key, OSSL_PKEY_PARAM_GROUP_NAME,
                                                    curve, sizeof curve, NULL), 1);
  assert_int_equal (EVP_PKEY_get_bn_param (chip_key, OSSL_PKEY_PARAM_PRIV_KEY, &d), 1);
  EC_GROUP *g = EC_GROUP_new_by_curve_name (OBJ_sn2nid (curve));
  assert_non_null (g);
  EC_POINT *p = EC_POINT_new (g), *r = EC_POINT_new (g);
  BIGNUM *x = BN_new ();
  assert_int_equal (EC_POINT_oct2point (g, p, pub, pub_len, NULL), 1);
  assert_int_equal (EC_POINT_mul (g, r, NULL, p, d, NULL), 1);
  assert_int_equal (EC_POINT_get_affine_coordinates (g, r, x, NULL, NULL), 1);
  size_t n = ((size_t) EC_GROUP_get_degree (g) + 7) / 8;
  assert_int_equal (BN_bn2binpad (x, z, (int) n), (int) n);
  BN_clear_free (d);
  BN_free (x);
  EC_POINT_free (p);
  EC_POINT_free (r);
  EC_GROUP_free (g);
  return n;
}

static void
run_ok (const char *curve, int explicit_params, int ca_nid, mc_sm_cipher cipher,
        size_t key_len, mc_sm_cipher outer)
{
  EVP_PKEY *k = ec_key (curve, explicit_params);
  uint8_t *dg14;
  size_t dg14_len;
  assert_int_equal (chip_build_dg14 (k, ca_nid, NULL, 0, &dg14, &dg14_len), 0);

  chip c = { .key = k, .proto_nid = ca_nid, .cipher = cipher, .key_len = key_len,
             .expect_key_id = 1, .mse_sw = 0x9000 };
  mc_channel ch;
  start_pace_like_session (&ch, &c, outer);
  assert_int_equal (mc_ca_run (&ch, dg14, dg14_len), MC_OK);

  /* Protocol path taken. */
  if (cipher == MC_SM_3DES)
    {
      assert_int_equal (c.got_kat, 1);
      assert_int_equal (c.got_at + c.got_ga, 0);
    }
  else
    {
      assert_int_equal (c.got_kat, 0);
      assert_int_equal (c.got_at, 1);
      assert_int_equal (c.got_ga, 1);
    }
  assert_int_equal (c.got_select, 1);
  assert_true (c.derived);
  /* The terminal's key is an uncompressed point on the chip's curve. */
  assert_int_equal (c.term_pub[0], 0x04);

  /* Both sides hold the same new session. */
  assert_true (ch.sm.active);
  assert_true (c.sm.active);
  assert_int_equal (ch.sm.cipher, cipher);
  assert_int_equal (ch.sm.key_len, key_len);
  assert_memory_equal (ch.sm.k_enc, c.sm.k_enc, key_len);
  assert_memory_equal (ch.sm.k_mac, c.sm.k_mac, key_len);
  assert_memory_equal (ch.sm.ssc, c.sm.ssc, sizeof ch.sm.ssc);

  /* Independent recomputation for AES-128 (SHA-1 KDF). */
  if (cipher == MC_SM_AES && key_len == 16)
    {
      uint8_t z[80], ke[16], km[16];
      size_t zl = shared_x (k, c.term_pub, c.term_pub_len, z);
      kdf_sha1_128 (z, zl, 1, ke);
      kdf_sha1_128 (z, zl, 2, km);
      assert_memory_equal (ch.sm.k_enc, ke, 16);
      assert_memory_equal (ch.sm.k_mac, km, 16);
    }

  /* And the session works for a further command. */
  static const uint8_t ef_com[2] = { 0x01, 0x1E };
  mc_apdu sel = { .cla = 0, .ins = 0xA4, .p1 = 2, .p2 = 0x0C, .data = ef_com, .lc = 2 };
  uint16_t sw = 0;
  size_t n = 0;
  assert_int_equal (mc_channel_transceive (&ch, &sel, NULL, 0, &n, &sw), MC_OK);
  assert_int_equal (sw, 0x9000);

  mc_sm_clear (&ch.sm);
  mc_sm_clear (&c.sm);
  free (dg14);
  EVP_PKEY_free (k);
}

/* --------------------------------------------------------------- tests */

static void
test_ca_3des (void **state)
{
  (void) state;
  run_ok ("P-256", 0, NID_id_CA_ECDH_3DES_CBC_CBC, MC_SM_3DES, 16, MC_SM_3DES);
  run_ok ("brainpoolP256r1", 1, NID_id_CA_ECDH_3DES_CBC_CBC, MC_SM_3DES, 16, MC_SM_AES);
}

static void
test_ca_aes (void **state)
{
  (void) state;
  run_ok ("brainpoolP256r1", 1, NID_id_CA_ECDH_AES_CBC_CMAC_128, MC_SM_AES, 16, MC_SM_AES);
  run_ok ("P-256", 0, NID_id_CA_ECDH_AES_CBC_CMAC_128, MC_SM_AES, 16, MC_SM_3DES);
  run_ok ("brainpoolP384r1", 1, NID_id_CA_ECDH_AES_CBC_CMAC_192, MC_SM_AES, 24, MC_SM_AES);
  run_ok ("P-384", 0, NID_id_CA_ECDH_AES_CBC_CMAC_256, MC_SM_AES, 32, MC_SM_AES);
  run_ok ("brainpoolP512r1", 1, NID_id_CA_ECDH_AES_CBC_CMAC_256, MC_SM_AES, 32, MC_SM_AES);
}

/* DH (X9.42 dhpublicnumber key, RFC 5114 group): the public values and
 * the secret are padded to |p| (TR-03110 v1 / ICAO 9303-11 §9.7.1). */
static void
test_ca_dh (void **state)
{
  (void) state;
  EVP_PKEY_CTX *gc = EVP_PKEY_CTX_new_from_name (NULL, "DHX", NULL);
  EVP_PKEY *k = NULL;
  OSSL_PARAM prm[2] = {
    OSSL_PARAM_construct_utf8_string (OSSL_PKEY_PARAM_GROUP_NAME, (char *) "dh_1024_160", 0),
    OSSL_PARAM_construct_end (),
  };
  assert_non_null (gc);
  assert_int_equal (EVP_PKEY_keygen_init (gc), 1);
  assert_int_equal (EVP_PKEY_CTX_set_params (gc, prm), 1);
  assert_int_equal (EVP_PKEY_keygen (gc, &k), 1);
  EVP_PKEY_CTX_free (gc);

  int nids[] = { NID_id_CA_DH_3DES_CBC_CBC, NID_id_CA_DH_AES_CBC_CMAC_128 };
  for (int i = 0; i < 2; i++)
    {
      uint8_t *dg14;
      size_t dg14_len;
      assert_int_equal (chip_build_dg14 (k, nids[i], NULL, 0, &dg14, &dg14_len), 0);
      mc_sm_cipher cipher = i == 0 ? MC_SM_3DES : MC_SM_AES;
      chip c = { .key = k, .proto_nid = nids[i], .cipher = cipher, .key_len = 16,
                 .expect_key_id = 1, .mse_sw = 0x9000 };
      mc_channel ch;
      start_pace_like_session (&ch, &c, MC_SM_AES);
      assert_int_equal (mc_ca_run (&ch, dg14, dg14_len), MC_OK);
      assert_int_equal (c.term_pub_len, 128);
      assert_int_equal (c.got_select, 1);
      assert_memory_equal (ch.sm.k_enc, c.sm.k_enc, 16);
      assert_memory_equal (ch.sm.k_mac, c.sm.k_mac, 16);
      mc_sm_clear (&ch.sm);
      mc_sm_clear (&c.sm);
      free (dg14);
    }
  EVP_PKEY_free (k);
}

/* DG14 without its ChipAuthenticationInfo (re-encoded here with OpenSSL's
 * generic SET OF): first-generation chips; 3DES is implied. */
static void
test_ca_implied_3des (void **state)
{
  (void) state;
  EVP_PKEY *k = ec_key ("brainpoolP256r1", 1);
  uint8_t *dg14;
  size_t len;
  assert_int_equal (chip_build_dg14 (k, NID_id_CA_ECDH_AES_CBC_CMAC_128, NULL, 0,
                                     &dg14, &len), 0);
  mc_tlv t;
  assert_int_equal (mc_tlv_read (dg14, len, &t), MC_OK);
  const unsigned char *p = t.value;
  ASN1_SEQUENCE_ANY *set = d2i_ASN1_SET_ANY (NULL, &p, (long) t.len);
  assert_non_null (set);
  for (int i = sk_ASN1_TYPE_num (set) - 1; i >= 0; i--)
    {
      ASN1_TYPE *e = sk_ASN1_TYPE_value (set, i);
      const unsigned char *q = e->value.sequence->data;
      ASN1_SEQUENCE_ANY *seq = d2i_ASN1_SEQUENCE_ANY (NULL, &q, e->value.sequence->length);
      assert_non_null (seq);
      int nid = OBJ_obj2nid (sk_ASN1_TYPE_value (seq, 0)->value.object);
      sk_ASN1_TYPE_pop_free (seq, ASN1_TYPE_free);
      if (nid != NID_id_PK_ECDH)
        ASN1_TYPE_free (sk_ASN1_TYPE_delete (set, i));
    }
  assert_int_equal (sk_ASN1_TYPE_num (set), 1);
  unsigned char *der = NULL;
  int n = i2d_ASN1_SET_ANY (set, &der);
  assert_true (n > 0 && n < 580);
  sk_ASN1_TYPE_pop_free (set, ASN1_TYPE_free);
  uint8_t file[600];
  size_t h = mc_tlv_put_header (0x6E, (size_t) n, file, sizeof file);
  assert_true (h > 0);
  memcpy (file + h, der, (size_t) n);
  OPENSSL_free (der);

  mc_ca_params prm;
  assert_int_equal (mc_ca_parse (file, h + (size_t) n, &prm), MC_OK);
  assert_int_equal (prm.protocol_nid, NID_id_CA_ECDH_3DES_CBC_CBC);
  assert_int_equal (prm.cipher, MC_SM_3DES);
  mc_ca_params_clear (&prm);

  chip c = { .key = k, .proto_nid = NID_id_CA_ECDH_3DES_CBC_CBC, .cipher = MC_SM_3DES,
             .key_len = 16, .expect_key_id = 1, .mse_sw = 0x9000 };
  mc_channel ch;
  start_pace_like_session (&ch, &c, MC_SM_3DES);
  assert_int_equal (mc_ca_run (&ch, file, h + (size_t) n), MC_OK);
  assert_int_equal (c.got_kat, 1);
  assert_memory_equal (ch.sm.k_enc, c.sm.k_enc, 16);
  mc_sm_clear (&ch.sm);
  mc_sm_clear (&c.sm);
  free (dg14);
  EVP_PKEY_free (k);
}

/* DG14 names key A, the chip holds key B: the chip cannot read the
 * confirming command, so CA fails with an SM error and SM is off. */
static void
test_ca_wrong_chip_key (void **state)
{
  (void) state;
  int nids[] = { NID_id_CA_ECDH_AES_CBC_CMAC_128, NID_id_CA_ECDH_3DES_CBC_CBC };
  for (int i = 0; i < 2; i++)
    {
      EVP_PKEY *a = ec_key ("brainpoolP256r1", 1), *b = ec_key ("brainpoolP256r1", 1);
      uint8_t *dg14;
      size_t dg14_len;
      assert_int_equal (chip_build_dg14 (a, nids[i], NULL, 0, &dg14, &dg14_len), 0);
      chip c = { .key = b, .proto_nid = nids[i],
                 .cipher = i == 0 ? MC_SM_AES : MC_SM_3DES, .key_len = 16,
                 .expect_key_id = 1, .mse_sw = 0x9000 };
      mc_channel ch;
      start_pace_like_session (&ch, &c, MC_SM_AES);
      assert_int_equal (mc_ca_run (&ch, dg14, dg14_len), MC_ERR_SM);
      assert_false (ch.sm.active);
      assert_int_equal (c.got_select, 0);
      mc_sm_clear (&c.sm);
      free (dg14);
      EVP_PKEY_free (a);
      EVP_PKEY_free (b);
    }
}

/* The chip refuses the key agreement: an error, and no session switch. */
static void
test_ca_chip_refuses (void **state)
{
  (void) state;
  EVP_PKEY *k = ec_key ("P-256", 0);
  uint8_t *dg14;
  size_t dg14_len;
  assert_int_equal (chip_build_dg14 (k, NID_id_CA_ECDH_AES_CBC_CMAC_128, NULL, 0,
                                     &dg14, &dg14_len), 0);
  chip c = { .key = k, .proto_nid = NID_id_CA_ECDH_AES_CBC_CMAC_128, .cipher = MC_SM_AES,
             .key_len = 16, .expect_key_id = 1, .mse_sw = 0x6A80 };
  mc_channel ch;
  start_pace_like_session (&ch, &c, MC_SM_AES);
  uint8_t old_enc[32];
  memcpy (old_enc, ch.sm.k_enc, sizeof old_enc);
  assert_int_not_equal (mc_ca_run (&ch, dg14, dg14_len), MC_OK);
  assert_int_equal (c.got_ga, 0);
  assert_false (c.derived);
  assert_memory_equal (ch.sm.k_enc, old_enc, sizeof old_enc);
  mc_sm_clear (&ch.sm);
  mc_sm_clear (&c.sm);
  free (dg14);
  EVP_PKEY_free (k);
}

static const uint8_t *
contains (const uint8_t *hay, size_t n, const uint8_t *needle, size_t m)
{
  for (size_t i = 0; i + m <= n; i++)
    if (memcmp (hay + i, needle, m) == 0)
      return hay + i;
  return NULL;
}

static mc_status
no_transmit (void *user, const uint8_t *cmd, size_t cmd_len,
             uint8_t *resp, size_t *resp_len)
{
  (void) cmd; (void) cmd_len; (void) resp; (void) resp_len;
  (*(int *) user)++;
  return MC_ERR_READER;
}

/* Malformed DG14s give a clean error and send nothing. */
static void
test_ca_malformed_dg14 (void **state)
{
  (void) state;
  EVP_PKEY *k = ec_key ("brainpoolP256r1", 1);
  uint8_t *dg14, *buf;
  size_t len;
  assert_int_equal (chip_build_dg14 (k, NID_id_CA_ECDH_AES_CBC_CMAC_128, NULL, 0,
                                     &dg14, &len), 0);
  buf = malloc (len + 1);
  int sent = 0;
  mc_channel ch;
  mc_channel_init (&ch, no_transmit, &sent);
  mc_ca_params p;

  assert_int_equal (mc_ca_parse (dg14, len, &p), MC_OK);
  assert_int_equal (p.protocol_nid, NID_id_CA_ECDH_AES_CBC_CMAC_128);
  assert_int_equal (p.key_id, 1);
  assert_true (EVP_PKEY_eq (p.chip_key, k) == 1);
  mc_ca_params_clear (&p);
  /* The key really went out with explicit domain parameters (prime-field
   * OID present, brainpoolP256r1's OID absent), as on real chips. */
  static const uint8_t prime_field[] = { 0x06, 0x07, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x01, 0x01 };
  static const uint8_t bp256_oid[] = { 0x06, 0x09, 0x2B, 0x24, 0x03, 0x03, 0x02, 0x08,
                                       0x01, 0x01, 0x07 };
  assert_non_null (contains (dg14, len, prime_field, sizeof prime_field));
  assert_null (contains (dg14, len, bp256_oid, sizeof bp256_oid));

  /* Every truncation. */
  for (size_t n = 0; n < len; n++)
    {
      assert_int_equal (mc_ca_parse (dg14, n, &p), MC_ERR_MALFORMED);
      assert_null (p.chip_key);
      assert_int_equal (mc_ca_run (&ch, dg14, n), MC_ERR_MALFORMED);
    }
  /* Wrong outer tag, trailing byte. */
  memcpy (buf, dg14, len);
  buf[0] = 0x6F;
  assert_int_equal (mc_ca_run (&ch, buf, len), MC_ERR_MALFORMED);
  memcpy (buf, dg14, len);
  buf[len] = 0;
  assert_int_equal (mc_ca_run (&ch, buf, len + 1), MC_ERR_MALFORMED);
  /* Every single-byte corruption: never crashes, never an unvalidated
   * success with a different key. */
  for (size_t i = 0; i < len; i++)
    for (int bit = 0; bit < 8; bit += 3)
      {
        memcpy (buf, dg14, len);
        buf[i] ^= (uint8_t) (1u << bit);
        mc_status st = mc_ca_parse (buf, len, &p);
        if (st == MC_OK)
          {
            assert_non_null (p.chip_key);
            mc_ca_params_clear (&p);
          }
        else
          assert_null (p.chip_key);
      }
  assert_int_equal (sent, 0);
  free (dg14);

  /* No CA at all (only AA info): not supported. */
  EVP_PKEY *aa = ec_key ("P-256", 0);
  assert_int_equal (chip_build_dg14 (NULL, 0, aa, NID_ecdsa_with_SHA256, &dg14, &len), 0);
  assert_int_equal (mc_ca_run (&ch, dg14, len), MC_ERR_NOT_SUPPORTED);
  free (dg14);

  /* CA key of the wrong family: an RSA key under id-PK-DH. */
  EVP_PKEY *rsa = EVP_RSA_gen (1024);
  assert_non_null (rsa);
  assert_int_equal (chip_build_dg14 (rsa, NID_id_CA_DH_AES_CBC_CMAC_128, NULL, 0,
                                     &dg14, &len), 0);
  assert_int_equal (mc_ca_run (&ch, dg14, len), MC_ERR_MALFORMED);
  free (dg14);
  /* An EC key with a DH protocol. */
  assert_int_equal (chip_build_dg14 (k, NID_id_CA_DH_AES_CBC_CMAC_128, NULL, 0,
                                     &dg14, &len), 0);
  assert_int_equal (mc_ca_run (&ch, dg14, len), MC_ERR_MALFORMED);
  free (dg14);
  assert_int_equal (sent, 0);

  free (buf);
  EVP_PKEY_free (rsa);
  EVP_PKEY_free (aa);
  EVP_PKEY_free (k);
}

static int
setup (void **state)
{
  (void) state;
  mc_eac_init_once ();
  return NID_id_CA_ECDH_AES_CBC_CMAC_128 != NID_undef ? 0 : -1;
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_ca_3des),
    cmocka_unit_test (test_ca_aes),
    cmocka_unit_test (test_ca_dh),
    cmocka_unit_test (test_ca_implied_3des),
    cmocka_unit_test (test_ca_wrong_chip_key),
    cmocka_unit_test (test_ca_chip_refuses),
    cmocka_unit_test (test_ca_malformed_dg14),
  };
  return cmocka_run_group_tests (tests, setup, NULL);
}
