/* test-pace.c — PACE terminal side (card/pace.c) against the simulator's
 * chip side run in-process, and against the ICAO 9303-11 Appendix G
 * worked example (PACE ECDH-GM, AES-128, brainpoolP256r1) replayed with
 * the example's fixed keys. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <eac/eac.h>
#include <eac/pace.h>
#include "cardsim-harness.h"
#include "motcua-config.h"
#include "pace.h"

/* ---------------------------------------------------------------- helpers */

static size_t
unhex (const char *h, uint8_t *out, size_t cap)
{
  size_t n = 0;
  while (h[0] && h[1] && n < cap)
    {
      unsigned v;
      if (sscanf (h, "%2x", &v) != 1)
        break;
      out[n++] = (uint8_t) v;
      h += 2;
    }
  return n;
}


static void
card_access (cardsim *c, const uint8_t **d, size_t *n)
{
  assert_int_equal (cardsim_file (c, 0x1C, d, n), 0);
}

/* Reads EF.COM through the channel (SM after PACE) and compares it with
 * the card's file: proves both ends really share the session. */
static void
read_com_under_sm (mc_channel *ch, cardsim *c)
{
  static const uint8_t aid[] = { 0xA0, 0x00, 0x00, 0x02, 0x47, 0x10, 0x01 };
  static const uint8_t fid[] = { 0x01, 0x1E };
  uint8_t buf[512];
  size_t n = 0;
  uint16_t sw = 0;
  mc_apdu sel = { .cla = 0, .ins = 0xA4, .p1 = 0x04, .p2 = 0x0C, .data = aid, .lc = sizeof aid };
  assert_int_equal (mc_channel_transceive (ch, &sel, NULL, 0, NULL, &sw), MC_OK);
  assert_int_equal (sw, 0x9000);
  mc_apdu self = { .cla = 0, .ins = 0xA4, .p1 = 0x02, .p2 = 0x0C, .data = fid, .lc = 2 };
  assert_int_equal (mc_channel_transceive (ch, &self, NULL, 0, NULL, &sw), MC_OK);
  assert_int_equal (sw, 0x9000);
  mc_apdu rb = { .cla = 0, .ins = 0xB0, .le = 256 };
  assert_int_equal (mc_channel_transceive (ch, &rb, buf, sizeof buf, &n, &sw), MC_OK);
  assert_int_equal (sw, 0x9000);
  const uint8_t *com;
  size_t com_len;
  assert_int_equal (cardsim_file (c, 0x1E, &com, &com_len), 0);
  assert_int_equal (n, com_len);
  assert_memory_equal (buf, com, n);
}

/* ---------------------------------------------------------------- sim tests */

static void
test_pace_can_ok (void **state)
{
  (void) state;
  cardsim *c = harness_make_card ("cccd-2021.conf", NULL);
  mc_channel ch;
  mc_channel_init (&ch, harness_card_transmit, c);
  mc_access a;
  assert_int_equal (mc_access_from_can (&a, cardsim_can (c)), MC_OK);
  const uint8_t *ca;
  size_t ca_len;
  card_access (c, &ca, &ca_len);
  assert_int_equal (mc_pace_run (&ch, ca, ca_len, &a), MC_OK);
  assert_true (ch.sm.active);
  const mc_sm *chip = cardsim_sm (c);
  assert_true (chip->active);
  assert_int_equal (ch.sm.cipher, MC_SM_AES);
  assert_int_equal (chip->cipher, MC_SM_AES);
  assert_int_equal (ch.sm.key_len, 16);
  assert_int_equal (chip->key_len, 16);
  assert_memory_equal (ch.sm.k_enc, chip->k_enc, 16);
  assert_memory_equal (ch.sm.k_mac, chip->k_mac, 16);
  assert_memory_not_equal (ch.sm.k_enc, ch.sm.k_mac, 16);
  read_com_under_sm (&ch, c);
  mc_sm_clear (&ch.sm);
  cardsim_free (c);
}

static void
test_pace_mrz_ok (void **state)
{
  (void) state;
  cardsim *c = harness_make_card ("cancuoc-2024.conf", NULL);
  mc_channel ch;
  mc_channel_init (&ch, harness_card_transmit, c);
  char doc[10], dob[7], doe[7];
  cardsim_mrz_keys (c, doc, dob, doe);
  mc_access a;
  memset (&a, 0, sizeof a);
  memcpy (a.document_number, doc, sizeof a.document_number);
  memcpy (a.date_of_birth, dob, sizeof a.date_of_birth);
  memcpy (a.date_of_expiry, doe, sizeof a.date_of_expiry);
  const uint8_t *ca;
  size_t ca_len;
  card_access (c, &ca, &ca_len);
  assert_int_equal (mc_pace_run (&ch, ca, ca_len, &a), MC_OK);
  assert_memory_equal (ch.sm.k_enc, cardsim_sm (c)->k_enc, 16);
  read_com_under_sm (&ch, c);
  mc_sm_clear (&ch.sm);
  cardsim_free (c);
}

static void
test_pace_wrong_can (void **state)
{
  (void) state;
  cardsim *c = harness_make_card ("cccd-2021.conf", NULL);
  mc_channel ch;
  mc_channel_init (&ch, harness_card_transmit, c);
  char wrong[7];
  memcpy (wrong, cardsim_can (c), 7);
  wrong[5] = wrong[5] == '9' ? '0' : (char) (wrong[5] + 1);
  mc_access a;
  assert_int_equal (mc_access_from_can (&a, wrong), MC_OK);
  const uint8_t *ca;
  size_t ca_len;
  card_access (c, &ca, &ca_len);
  assert_int_equal (mc_pace_run (&ch, ca, ca_len, &a), MC_ERR_ACCESS_DENIED);
  assert_false (ch.sm.active);
  assert_false (cardsim_sm (c)->active);
  /* the card is still usable: the right CAN works afterwards */
  assert_int_equal (mc_access_from_can (&a, cardsim_can (c)), MC_OK);
  assert_int_equal (mc_pace_run (&ch, ca, ca_len, &a), MC_OK);
  mc_sm_clear (&ch.sm);
  cardsim_free (c);
}

static void
test_pace_refused (void **state)
{
  (void) state;
  cardsim_faults f = { .bac_only = 1 };
  cardsim *c = harness_make_card ("cccd-2021.conf", NULL);
  cardsim *bac = harness_make_card ("cccd-2021.conf", &f);
  const uint8_t *ca;
  size_t ca_len;
  card_access (c, &ca, &ca_len);
  mc_channel ch;
  mc_channel_init (&ch, harness_card_transmit, bac);
  mc_access a;
  assert_int_equal (mc_access_from_can (&a, cardsim_can (c)), MC_OK);
  mc_status st = mc_pace_run (&ch, ca, ca_len, &a);
  assert_int_not_equal (st, MC_OK);
  assert_int_not_equal (st, MC_ERR_ACCESS_DENIED);
  assert_false (ch.sm.active);
  cardsim_free (bac);
  cardsim_free (c);
}

/* ---------------------------------------------------------------- App. G */

#define APPG_CARD_ACCESS "31143012060A04007F0007020204020202010202010D"

static const char *const appg_exchange[][2] = {
  { "0022C1A40F800A04007F00070202040202830101", "9000" },
  { "10860000027C0000", "7C12801095A3A016522EE98D01E76CB6B98B42C39000" },
  { "10860000457C438141047ACF3EFC982EC45565A4B155129EFBC74650DCBFA6362D896FC70262E0C2CC5E"
    "544552DCB6725218799115B55C9BAA6D9F6BC3A9618E70C25AF71777A9C4922D00",
    "7C43824104824FBA91C9CBE26BEF53A0EBE7342A3BF178CEA9F45DE0B70AA601651FBA3F57"
    "30D8C879AAA9C9F73991E61B58F4D52EB87A0A0C709A49DC63719363CCD13C549000" },
  { "10860000457C438341042DB7A64C0355044EC9DF190514C625CBA2CEA48754887122F3A5EF0D5EDD301C"
    "3556F3B3B186DF10B857B58F6A7EB80F20BA5DC7BE1D43D9BF850149FBB3646200",
    "7C438441049E880F842905B8B3181F7AF7CAA9F0EFB743847F44A306D2D28C1D9EC65DF6DB"
    "7764B22277A2EDDC3C265A9F018F9CB852E111B768B326904B59A0193776F0949000" },
  { "008600000C7C0A8508C2B0BD78D94BA86600", "7C0A86083ABB9674BCE93C089000" },
};

typedef struct {
  size_t step;
  int fail_at;        /* answer 63C2 at this step (0: never) */
} appg_card;

static mc_status
appg_transmit (void *user, const uint8_t *cmd, size_t cmd_len, uint8_t *resp, size_t *resp_len)
{
  appg_card *s = user;
  uint8_t want[256];
  assert_true (s->step < sizeof appg_exchange / sizeof appg_exchange[0]);
  size_t n = unhex (appg_exchange[s->step][0], want, sizeof want);
  assert_int_equal (cmd_len, n);
  assert_memory_equal (cmd, want, n);
  if (s->fail_at && (int) s->step == s->fail_at)
    {
      resp[0] = 0x63;
      resp[1] = 0xC2;
      *resp_len = 2;
    }
  else
    *resp_len = unhex (appg_exchange[s->step][1], resp, *resp_len);
  s->step++;
  return MC_OK;
}

/* Sets key to the fixed private key d (hex) on its current group and
 * returns the encoded public point, like OpenPACE's ecdh_generate_key. */
static BUF_MEM *
fixed_ec_key (EVP_PKEY *key, const char *d_hex, BN_CTX *bn)
{
  EC_KEY *ec = EVP_PKEY_get1_EC_KEY (key);
  BIGNUM *d = NULL;
  BUF_MEM *out = NULL;
  assert_non_null (ec);
  assert_true (BN_hex2bn (&d, d_hex) > 0);
  const EC_GROUP *g = EC_KEY_get0_group (ec);
  EC_POINT *pub = EC_POINT_new (g);
  assert_true (EC_POINT_mul (g, pub, d, NULL, NULL, bn));
  assert_true (EC_KEY_set_private_key (ec, d));
  assert_true (EC_KEY_set_public_key (ec, pub));
  size_t len = EC_POINT_point2oct (g, pub, POINT_CONVERSION_UNCOMPRESSED, NULL, 0, bn);
  out = BUF_MEM_new ();
  assert_true (BUF_MEM_grow (out, len) == len);
  out->length = EC_POINT_point2oct (g, pub, POINT_CONVERSION_UNCOMPRESSED,
                                    (unsigned char *) out->data, len, bn);
  EC_POINT_free (pub);
  BN_clear_free (d);
  EC_KEY_free (ec);
  return out;
}

static BUF_MEM *
appg_map_key (const PACE_CTX *ctx, BN_CTX *bn)
{
  return fixed_ec_key (ctx->static_key,
                       "7F4EF07B9EA82FD78AD689B38D0BC78CF21F249D953BC46F4C6E19259C010F99", bn);
}

static BUF_MEM *
appg_eph_key (EVP_PKEY *key, BN_CTX *bn)
{
  return fixed_ec_key (key,
                       "A73FB703AC1436A18E0CFA5ABB3F7BEC7A070E7A6788486BEE230C4A22762595", bn);
}

static void
appg_hook (void *eac_ctx, void *user)
{
  EAC_CTX *ctx = eac_ctx;
  (void) user;
  ctx->pace_ctx->map_generate_key = appg_map_key;
  ctx->pace_ctx->ka_ctx->generate_key = appg_eph_key;
}

static void
appg_access (mc_access *a)
{
  memset (a, 0, sizeof *a);
  memcpy (a->document_number, "T22000129", 10);
  memcpy (a->date_of_birth, "640812", 7);
  memcpy (a->date_of_expiry, "101031", 7);
}

static void
test_pace_icao_appendix_g (void **state)
{
  (void) state;
  uint8_t ca[64], ks_enc[16], ks_mac[16];
  size_t ca_len = unhex (APPG_CARD_ACCESS, ca, sizeof ca);
  unhex ("F5F0E35C0D7161EE6724EE513A0D9A7F", ks_enc, 16);
  unhex ("FE251C7858B356B24514B3BD5F4297D1", ks_mac, 16);
  appg_card s = { 0, 0 };
  mc_channel ch;
  mc_channel_init (&ch, appg_transmit, &s);
  mc_access a;
  appg_access (&a);
  assert_int_equal (mc_pace_run_with (&ch, ca, ca_len, &a, appg_hook, NULL), MC_OK);
  assert_int_equal (s.step, 5);
  assert_true (ch.sm.active);
  assert_int_equal (ch.sm.cipher, MC_SM_AES);
  assert_int_equal (ch.sm.key_len, 16);
  assert_memory_equal (ch.sm.k_enc, ks_enc, 16);
  assert_memory_equal (ch.sm.k_mac, ks_mac, 16);
  static const uint8_t zero[16] = { 0 };
  assert_memory_equal (ch.sm.ssc, zero, 16);
  mc_sm_clear (&ch.sm);
}

/* A card answering 63C2 (two tries left) at any GA step → access denied. */
static void
test_pace_card_refuses (void **state)
{
  (void) state;
  uint8_t ca[64];
  size_t ca_len = unhex (APPG_CARD_ACCESS, ca, sizeof ca);
  for (int step = 1; step <= 4; step++)
    {
      appg_card s = { 0, step };
      mc_channel ch;
      mc_channel_init (&ch, appg_transmit, &s);
      mc_access a;
      appg_access (&a);
      assert_int_equal (mc_pace_run_with (&ch, ca, ca_len, &a, appg_hook, NULL),
                        MC_ERR_ACCESS_DENIED);
      assert_int_equal (s.step, (size_t) step + 1);
      assert_false (ch.sm.active);
    }
}

/* A wrong T_IC from the card is not accepted. */
static mc_status
bad_token_transmit (void *user, const uint8_t *cmd, size_t cmd_len, uint8_t *resp, size_t *resp_len)
{
  appg_card *s = user;
  size_t step = s->step;
  mc_status st = appg_transmit (user, cmd, cmd_len, resp, resp_len);
  if (step == 4)
    resp[4] ^= 0x01;
  return st;
}

static void
test_pace_bad_chip_token (void **state)
{
  (void) state;
  uint8_t ca[64];
  size_t ca_len = unhex (APPG_CARD_ACCESS, ca, sizeof ca);
  appg_card s = { 0, 0 };
  mc_channel ch;
  mc_channel_init (&ch, bad_token_transmit, &s);
  mc_access a;
  appg_access (&a);
  mc_status st = mc_pace_run_with (&ch, ca, ca_len, &a, appg_hook, NULL);
  assert_int_not_equal (st, MC_OK);
  assert_false (ch.sm.active);
}

/* With several PACEInfos, MSE:Set AT names the domain parameters (84). */
static mc_status
mse_only_transmit (void *user, const uint8_t *cmd, size_t cmd_len, uint8_t *resp, size_t *resp_len)
{
  uint8_t *id = user;
  assert_true (cmd_len > 5);
  assert_int_equal (cmd[1], 0x22);
  /* ... 83 01 02 84 01 id */
  assert_int_equal (cmd[cmd_len - 6], 0x83);
  assert_int_equal (cmd[cmd_len - 4], 0x02);
  assert_int_equal (cmd[cmd_len - 3], 0x84);
  assert_int_equal (cmd[cmd_len - 2], 0x01);
  *id = cmd[cmd_len - 1];
  resp[0] = 0x6A;
  resp[1] = 0x80;
  *resp_len = 2;
  return MC_OK;
}

static void
test_pace_mse_param_id (void **state)
{
  (void) state;
  uint8_t ca[64], id = 0;
  size_t ca_len = unhex ("3128"
                         "3012060A04007F00070202040202020102020112"
                         "3012060A04007F0007020204020202010202010D", ca, sizeof ca);
  mc_channel ch;
  mc_channel_init (&ch, mse_only_transmit, &id);
  mc_access a;
  assert_int_equal (mc_access_from_can (&a, "123456"), MC_OK);
  assert_int_not_equal (mc_pace_run (&ch, ca, ca_len, &a), MC_OK);
  assert_true (id == 0x0D || id == 0x12);
  assert_false (ch.sm.active);
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
    cmocka_unit_test (test_pace_icao_appendix_g),
    cmocka_unit_test (test_pace_card_refuses),
    cmocka_unit_test (test_pace_bad_chip_token),
    cmocka_unit_test (test_pace_mse_param_id),
    cmocka_unit_test (test_pace_can_ok),
    cmocka_unit_test (test_pace_mrz_ok),
    cmocka_unit_test (test_pace_wrong_can),
    cmocka_unit_test (test_pace_refused),
  };
  return cmocka_run_group_tests (tests, setup, NULL);
}
