/* test-sm.c — secure messaging (card/sm.c) against ICAO 9303-11 App. D
 * (3DES), App. G key derivation (AES) and an independent OpenSSL
 * computation of an AES-protected command. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <openssl/evp.h>

#include "apdu.h"
#include "sm.h"

/* Decodes hex (spaces allowed) into out; returns the byte count. */
static size_t
hex (const char *s, uint8_t *out, size_t cap)
{
  size_t n = 0;
  while (*s)
    {
      if (*s == ' ')
        {
          s++;
          continue;
        }
      unsigned v;
      assert_int_equal (sscanf (s, "%2x", &v), 1);
      assert_true (n < cap);
      out[n++] = (uint8_t) v;
      s += 2;
    }
  return n;
}

#define HEX(name, str) \
  uint8_t name[512]; \
  size_t name##_len __attribute__ ((unused)) = hex (str, name, sizeof name)

/* ICAO 9303-11 App. D.3 session keys and SSC. */
#define KS_ENC "979EC13B1CBFE9DCD01AB0FED307EAE5"
#define KS_MAC "F1CB1F1FB5ADF208806B89DC579DC1F8"
#define SSC0   "887022120C06C226"

static const struct { const char *cmd, *prot, *rapdu, *plain_resp; } d4[] = {
  { "00A4020C02011E", "0CA4020C158709016375432908C044F68E08BF8B92D635FF24F800",
    "990290008E08FA855A5D4C50A8ED9000", "9000" },
  { "00B0000004", "0CB000000D9701048E08ED6705417E96BA5500",
    "8709019FF0EC34F9922651990290008E08AD55CC17140B2DED9000", "60145F019000" },
  { "00B0000412", "0CB000040D9701128E082EA28A70F3C7B53500",
    "871901FB9235F4E4037F2327DCC8964F1F9B8C30F42C8E2FFF224A990290008E08C8B2787EAEA07D749000",
    "04303130365F36063034303030305C0261759000" },
};

static void
start_d4 (mc_sm *sm)
{
  HEX (ke, KS_ENC);
  HEX (km, KS_MAC);
  HEX (ssc, SSC0);
  assert_int_equal (mc_sm_start (sm, MC_SM_3DES, ke, km, ke_len, ssc, ssc_len), MC_OK);
  (void) km_len;
}

static void
test_d4_terminal (void **state)
{
  (void) state;
  mc_sm sm;
  memset (&sm, 0, sizeof sm);
  start_d4 (&sm);
  for (size_t i = 0; i < 3; i++)
    {
      HEX (cmd, d4[i].cmd);
      HEX (prot, d4[i].prot);
      HEX (rapdu, d4[i].rapdu);
      HEX (plain, d4[i].plain_resp);
      uint8_t out[512];
      size_t out_len = 0;
      assert_int_equal (mc_sm_wrap_command (&sm, cmd, cmd_len, out, sizeof out, &out_len), MC_OK);
      assert_int_equal (out_len, prot_len);
      assert_memory_equal (out, prot, prot_len);
      uint16_t sw = 0;
      assert_int_equal (mc_sm_unwrap_response (&sm, rapdu, rapdu_len, out, sizeof out,
                                               &out_len, &sw), MC_OK);
      assert_int_equal (out_len, plain_len - 2);
      assert_memory_equal (out, plain, plain_len - 2);
      assert_int_equal (sw, 0x9000);
    }
  HEX (last, "887022120C06C22C");
  assert_memory_equal (sm.ssc, last, last_len);
  mc_sm_clear (&sm);
  assert_false (sm.active);
}

static void
test_d4_chip (void **state)
{
  (void) state;
  mc_sm sm;
  memset (&sm, 0, sizeof sm);
  start_d4 (&sm);
  for (size_t i = 0; i < 3; i++)
    {
      HEX (cmd, d4[i].cmd);
      HEX (prot, d4[i].prot);
      HEX (rapdu, d4[i].rapdu);
      HEX (plain, d4[i].plain_resp);
      uint8_t out[512];
      size_t out_len = 0;
      assert_int_equal (mc_sm_unwrap_command (&sm, prot, prot_len, out, sizeof out, &out_len), MC_OK);
      assert_int_equal (out_len, cmd_len);
      assert_memory_equal (out, cmd, cmd_len);
      assert_int_equal (mc_sm_wrap_response (&sm, plain, plain_len - 2, 0x9000, out,
                                             sizeof out, &out_len), MC_OK);
      assert_int_equal (out_len, rapdu_len);
      assert_memory_equal (out, rapdu, rapdu_len);
    }
  mc_sm_clear (&sm);
}

static void
test_d4_tampered (void **state)
{
  (void) state;
  HEX (prot, d4[1].prot);
  HEX (rapdu, d4[1].rapdu);
  uint8_t out[512];
  size_t out_len;
  uint16_t sw;
  mc_sm sm;
  /* Response with one bit of the cryptogram flipped. */
  for (size_t pos = 0; pos < rapdu_len - 2; pos++)
    {
      start_d4 (&sm);
      sm.ssc[7] = 0x28; /* state before command 2 */
      assert_int_equal (mc_sm_wrap_command (&sm, (const uint8_t *) "\x00\xB0\x00\x00\x04", 5,
                                            out, sizeof out, &out_len), MC_OK);
      uint8_t bad[512];
      memcpy (bad, rapdu, rapdu_len);
      bad[pos] ^= 0x01;
      assert_int_not_equal (mc_sm_unwrap_response (&sm, bad, rapdu_len, out, sizeof out,
                                                   &out_len, &sw), MC_OK);
    }
  /* Chip side: tampered MAC and tampered Le. */
  start_d4 (&sm);
  sm.ssc[7] = 0x28;
  uint8_t bad[512];
  memcpy (bad, prot, prot_len);
  bad[prot_len - 2] ^= 0x80;
  assert_int_equal (mc_sm_unwrap_command (&sm, bad, prot_len, out, sizeof out, &out_len),
                    MC_ERR_SM);
  start_d4 (&sm);
  sm.ssc[7] = 0x28;
  memcpy (bad, prot, prot_len);
  bad[7] = 0x05;
  assert_int_equal (mc_sm_unwrap_command (&sm, bad, prot_len, out, sizeof out, &out_len),
                    MC_ERR_SM);
  /* A replay: same response a second time (SSC moved on). */
  start_d4 (&sm);
  sm.ssc[7] = 0x29;
  assert_int_equal (mc_sm_unwrap_response (&sm, rapdu, rapdu_len, out, sizeof out, &out_len,
                                           &sw), MC_OK);
  assert_int_equal (mc_sm_unwrap_response (&sm, rapdu, rapdu_len, out, sizeof out, &out_len,
                                           &sw), MC_ERR_SM);
  /* No DO'99' / bare SW. */
  assert_int_equal (mc_sm_unwrap_response (&sm, (const uint8_t *) "\x90\x00", 2, out,
                                           sizeof out, &out_len, &sw), MC_ERR_SM);
  mc_sm_clear (&sm);
}

static void
test_kdf (void **state)
{
  (void) state;
  uint8_t k[32];
  /* App. D.1 */
  HEX (seed, "239AB9CB282DAF66231DC5A4DF6BFBAE");
  HEX (kenc, "AB94FDECF2674FDFB9B391F85D7F76F2");
  HEX (kmac, "7962D9ECE03D1ACD4C76089DCE131543");
  assert_int_equal (mc_kdf (seed, seed_len, MC_KDF_ENC, MC_SM_3DES, 16, k), MC_OK);
  assert_memory_equal (k, kenc, kenc_len);
  assert_int_equal (mc_kdf (seed, seed_len, MC_KDF_MAC, MC_SM_3DES, 16, k), MC_OK);
  assert_memory_equal (k, kmac, kmac_len);
  /* App. D.3 session keys */
  HEX (kseed2, "0036D272F5C350ACAC50C3F572D23600");
  HEX (ksenc, KS_ENC);
  HEX (ksmac, KS_MAC);
  assert_int_equal (mc_kdf (kseed2, kseed2_len, MC_KDF_ENC, MC_SM_3DES, 16, k), MC_OK);
  assert_memory_equal (k, ksenc, ksenc_len);
  assert_int_equal (mc_kdf (kseed2, kseed2_len, MC_KDF_MAC, MC_SM_3DES, 16, k), MC_OK);
  assert_memory_equal (k, ksmac, ksmac_len);
  /* App. G (PACE, AES-128): K_pi and the session keys. */
  HEX (kmrz, "7E2D2A41C74EA0B38CD36F863939BFA8E9032AAD");
  HEX (kpi, "89DED1B26624EC1E634C1989302849DD");
  assert_int_equal (mc_kdf (kmrz, kmrz_len, MC_KDF_PI, MC_SM_AES, 16, k), MC_OK);
  assert_memory_equal (k, kpi, kpi_len);
  HEX (kshared, "28768D20701247DAE81804C9E780EDE582A9996DB4A315020B2733197DB84925");
  HEX (genc, "F5F0E35C0D7161EE6724EE513A0D9A7F");
  HEX (gmac, "FE251C7858B356B24514B3BD5F4297D1");
  assert_int_equal (mc_kdf (kshared, kshared_len, MC_KDF_ENC, MC_SM_AES, 16, k), MC_OK);
  assert_memory_equal (k, genc, genc_len);
  assert_int_equal (mc_kdf (kshared, kshared_len, MC_KDF_MAC, MC_SM_AES, 16, k), MC_OK);
  assert_memory_equal (k, gmac, gmac_len);
  /* AES-256 uses SHA-256 (§9.7.1): compare with an EVP_Digest of K||c. */
  uint8_t in[36], h[32];
  unsigned hl;
  memcpy (in, kshared, 32);
  memcpy (in + 32, "\x00\x00\x00\x01", 4);
  assert_true (EVP_Digest (in, sizeof in, h, &hl, EVP_sha256 (), NULL));
  assert_int_equal (mc_kdf (kshared, kshared_len, MC_KDF_ENC, MC_SM_AES, 32, k), MC_OK);
  assert_memory_equal (k, h, 32);
  assert_int_equal (mc_kdf (kshared, kshared_len, MC_KDF_ENC, MC_SM_AES, 24, k), MC_OK);
  assert_memory_equal (k, h, 24);
  assert_int_equal (mc_kdf (kshared, kshared_len, MC_KDF_ENC, MC_SM_3DES, 24, k),
                    MC_ERR_INVALID_ARG);
}

static void
test_mac (void **state)
{
  (void) state;
  /* App. D.3: M_IFD = MAC(K_MAC, E_IFD). */
  HEX (kmac, "7962D9ECE03D1ACD4C76089DCE131543");
  HEX (eifd, "72C29C2371CC9BDB65B779B8E8D37B29ECC154AA56A8799FAE2F498F76ED92F2");
  HEX (mifd, "5F1448EEA8AD90A7");
  uint8_t mac[8];
  assert_int_equal (mc_sm_mac (MC_SM_3DES, kmac, kmac_len, eifd, eifd_len, mac), MC_OK);
  assert_memory_equal (mac, mifd, 8);
  /* D.4 CC of command 1 over N (given unpadded: SSC || header || DO87). */
  HEX (ksmac, KS_MAC);
  HEX (n, "887022120C06C2270CA4020C800000008709016375432908C044F6");
  HEX (cc, "BF8B92D635FF24F8");
  assert_int_equal (mc_sm_mac (MC_SM_3DES, ksmac, ksmac_len, n, n_len, mac), MC_OK);
  assert_memory_equal (mac, cc, 8);
  /* AES: CMAC of the padded message, computed with EVP_Q_mac here. */
  HEX (key, "FE251C7858B356B24514B3BD5F4297D1");
  uint8_t msg[32] = "0123456789abcdefghij", full[16];
  size_t fl = 0;
  memset (msg + 20, 0, 12);
  msg[20] = 0x80;
  assert_non_null (EVP_Q_mac (NULL, "CMAC", NULL, "AES-128-CBC", NULL, key, key_len,
                              msg, 32, full, sizeof full, &fl));
  assert_int_equal (mc_sm_mac (MC_SM_AES, key, key_len, msg, 20, mac), MC_OK);
  assert_memory_equal (mac, full, 8);
  /* mc_iso_pad */
  uint8_t b[16] = { 1, 2, 3 };
  assert_int_equal (mc_iso_pad (b, 3, sizeof b, 8), 8);
  assert_int_equal (b[3], 0x80);
  assert_int_equal (b[7], 0);
  assert_int_equal (mc_iso_pad (b, 8, sizeof b, 8), 16);
  assert_int_equal (mc_iso_pad (b, 8, 15, 8), 0);
}

/* Runs one command through terminal wrap → chip unwrap → chip wrap →
 * terminal unwrap and checks both sides see the other's plain data. */
static void
round_trip (mc_sm *term, mc_sm *chip, const uint8_t *cmd, size_t cmd_len,
            const uint8_t *rdata, size_t rdata_len, uint16_t rsw, size_t *prot_len)
{
  static uint8_t prot[MC_APDU_MAX], plain[MC_APDU_MAX], resp[MC_RAPDU_MAX + 64];
  size_t n, m;
  assert_int_equal (mc_sm_wrap_command (term, cmd, cmd_len, prot, sizeof prot, &n), MC_OK);
  if (prot_len)
    *prot_len = n;
  assert_int_equal (mc_sm_unwrap_command (chip, prot, n, plain, sizeof plain, &m), MC_OK);
  assert_int_equal (m, cmd_len);
  assert_memory_equal (plain, cmd, cmd_len);
  assert_int_equal (mc_sm_wrap_response (chip, rdata, rdata_len, rsw, resp, sizeof resp, &n),
                    MC_OK);
  uint16_t sw = 0;
  assert_int_equal (mc_sm_unwrap_response (term, resp, n, plain, sizeof plain, &m, &sw), MC_OK);
  assert_int_equal (sw, rsw);
  assert_int_equal (m, rdata_len);
  if (rdata_len)
    assert_memory_equal (plain, rdata, rdata_len);
}

static void
start_pair (mc_sm *t, mc_sm *c, mc_sm_cipher cipher, size_t key_len)
{
  uint8_t ke[32], km[32];
  for (size_t i = 0; i < 32; i++)
    {
      ke[i] = (uint8_t) (0x11 * i + 3);
      km[i] = (uint8_t) (0x2B * i + 7);
    }
  assert_int_equal (mc_sm_start (t, cipher, ke, km, key_len, NULL, 0), MC_OK);
  assert_int_equal (mc_sm_start (c, cipher, ke, km, key_len, NULL, 0), MC_OK);
}

static void
test_aes_round_trip (void **state)
{
  (void) state;
  const size_t key_lens[] = { 16, 24, 32 };
  for (size_t k = 0; k < 3; k++)
    {
      mc_sm t, c;
      start_pair (&t, &c, MC_SM_AES, key_lens[k]);
      HEX (sel, "00A4020C02011E");
      HEX (rb, "00B0000004");
      HEX (rb256, "00B0000000");
      HEX (rbodd, "00B100000454020000" "00");
      HEX (mse, "0022C1A40F800A04007F00070202040202830101");
      round_trip (&t, &c, sel, sel_len, NULL, 0, 0x9000, NULL);
      round_trip (&t, &c, rb, rb_len, (const uint8_t *) "\x60\x14\x5F\x01", 4, 0x9000, NULL);
      uint8_t big[256];
      memset (big, 0xA5, sizeof big);
      round_trip (&t, &c, rb256, rb256_len, big, 256, 0x9000, NULL);
      round_trip (&t, &c, rbodd, rbodd_len, big, 16, 0x6282, NULL);
      round_trip (&t, &c, mse, mse_len, NULL, 0, 0x6A80, NULL);

      /* Tampered response MAC: detected. */
      uint8_t prot[512], resp[512], out[512];
      size_t n, m;
      uint16_t sw;
      assert_int_equal (mc_sm_wrap_command (&t, rb, rb_len, prot, sizeof prot, &n), MC_OK);
      assert_int_equal (mc_sm_unwrap_command (&c, prot, n, out, sizeof out, &m), MC_OK);
      assert_int_equal (mc_sm_wrap_response (&c, big, 4, 0x9000, resp, sizeof resp, &n), MC_OK);
      resp[n - 4] ^= 0x01; /* last byte of DO'8E' */
      assert_int_equal (mc_sm_unwrap_response (&t, resp, n, out, sizeof out, &m, &sw), MC_ERR_SM);
      /* Tampered command MAC: detected by the chip. */
      start_pair (&t, &c, MC_SM_AES, key_lens[k]);
      assert_int_equal (mc_sm_wrap_command (&t, sel, sel_len, prot, sizeof prot, &n), MC_OK);
      prot[n - 2] ^= 0x40;
      assert_int_equal (mc_sm_unwrap_command (&c, prot, n, out, sizeof out, &m), MC_ERR_SM);
      /* Out of step SSC: detected. */
      start_pair (&t, &c, MC_SM_AES, key_lens[k]);
      c.ssc[15] = 5;
      assert_int_equal (mc_sm_wrap_command (&t, sel, sel_len, prot, sizeof prot, &n), MC_OK);
      assert_int_equal (mc_sm_unwrap_command (&c, prot, n, out, sizeof out, &m), MC_ERR_SM);
      mc_sm_clear (&t);
      mc_sm_clear (&c);
    }
}

/* An AES-protected SELECT recomputed here with plain OpenSSL calls:
 * IV = E(K_Enc, SSC), cryptogram = AES-CBC(pad(data)), CC = CMAC(K_MAC,
 * pad(SSC || pad(header) || DO'87')). */
static void
test_aes_independent (void **state)
{
  (void) state;
  mc_sm t, c;
  start_pair (&t, &c, MC_SM_AES, 16);
  uint8_t ke[16], km[16];
  memcpy (ke, t.k_enc, 16);
  memcpy (km, t.k_mac, 16);
  HEX (sel, "00A4020C02011E");
  uint8_t prot[512];
  size_t n;
  assert_int_equal (mc_sm_wrap_command (&t, sel, sel_len, prot, sizeof prot, &n), MC_OK);

  uint8_t ssc[16] = { 0 }, iv[16], pt[16] = { 0x01, 0x1E, 0x80 }, ct[32];
  ssc[15] = 1;
  int l1, l2;
  EVP_CIPHER_CTX *x = EVP_CIPHER_CTX_new ();
  assert_true (EVP_EncryptInit_ex (x, EVP_aes_128_ecb (), NULL, ke, NULL));
  EVP_CIPHER_CTX_set_padding (x, 0);
  assert_true (EVP_EncryptUpdate (x, iv, &l1, ssc, 16));
  assert_true (EVP_EncryptInit_ex (x, EVP_aes_128_cbc (), NULL, ke, iv));
  EVP_CIPHER_CTX_set_padding (x, 0);
  assert_true (EVP_EncryptUpdate (x, ct, &l1, pt, 16));
  assert_true (EVP_EncryptFinal_ex (x, ct + l1, &l2));
  EVP_CIPHER_CTX_free (x);

  uint8_t expect[64], macin[64];
  size_t e = 0;
  memcpy (expect, "\x0C\xA4\x02\x0C\x1D\x87\x11\x01", 8);
  e = 8;
  memcpy (expect + e, ct, 16);
  e += 16;
  memcpy (macin, ssc, 16);
  memcpy (macin + 16, "\x0C\xA4\x02\x0C\x80\0\0\0\0\0\0\0\0\0\0\0", 16);
  memcpy (macin + 32, expect + 5, 19);
  memset (macin + 51, 0, 13);
  macin[51] = 0x80;
  uint8_t full[16];
  size_t fl;
  assert_non_null (EVP_Q_mac (NULL, "CMAC", NULL, "AES-128-CBC", NULL, km, 16,
                              macin, 64, full, sizeof full, &fl));
  expect[e++] = 0x8E;
  expect[e++] = 0x08;
  memcpy (expect + e, full, 8);
  e += 8;
  expect[e++] = 0x00;
  assert_int_equal (n, e);
  assert_memory_equal (prot, expect, e);
  mc_sm_clear (&t);
  mc_sm_clear (&c);
}

static void
test_extended (void **state)
{
  (void) state;
  const mc_sm_cipher ciphers[] = { MC_SM_3DES, MC_SM_AES };
  static uint8_t data[4000], cmd[4100];
  for (size_t i = 0; i < sizeof data; i++)
    data[i] = (uint8_t) (i * 7 + 1);
  for (size_t k = 0; k < 2; k++)
    {
      mc_sm t, c;
      start_pair (&t, &c, ciphers[k], 16);
      size_t n, pl;
      /* Extended READ BINARY, Le = 4000: DO'97' has 2 bytes. */
      mc_apdu rb = { .ins = 0xB0, .le = 4000, .extended = 1 };
      assert_int_equal (mc_apdu_encode (&rb, cmd, sizeof cmd, &n), MC_OK);
      round_trip (&t, &c, cmd, n, data, sizeof data, 0x9000, &pl);
      /* Extended Le = 65536 (0000). */
      rb.le = 65536;
      assert_int_equal (mc_apdu_encode (&rb, cmd, sizeof cmd, &n), MC_OK);
      round_trip (&t, &c, cmd, n, data, 1000, 0x9000, &pl);
      /* 4000 bytes of command data: the protected APDU must be extended. */
      mc_apdu up = { .ins = 0xD6, .data = data, .lc = sizeof data };
      assert_int_equal (mc_apdu_encode (&up, cmd, sizeof cmd, &n), MC_OK);
      round_trip (&t, &c, cmd, n, NULL, 0, 0x9000, &pl);
      /* Short inner APDU whose protected body exceeds 255 bytes. */
      mc_apdu mid = { .ins = 0xD6, .data = data, .lc = 250, .le = 256 };
      assert_int_equal (mc_apdu_encode (&mid, cmd, sizeof cmd, &n), MC_OK);
      assert_int_equal (n, 4 + 1 + 250 + 1);
      static uint8_t prot[MC_APDU_MAX];
      assert_int_equal (mc_sm_wrap_command (&t, cmd, n, prot, sizeof prot, &pl), MC_OK);
      assert_int_equal (prot[4], 0x00);                          /* extended Lc */
      assert_int_equal (prot[pl - 1], 0x00);
      assert_int_equal (prot[pl - 2], 0x00);                     /* Le' 0000 */
      assert_int_equal (((size_t) prot[5] << 8 | prot[6]) + 9, pl);
      mc_sm_clear (&t);
      mc_sm_clear (&c);
    }
}

static void
test_short_le (void **state)
{
  (void) state;
  /* Short Le 256 → DO'97' = 97 01 00; protected Le' = 00. */
  mc_sm t, c;
  start_pair (&t, &c, MC_SM_3DES, 16);
  HEX (rb, "00B0000000");
  uint8_t prot[64];
  size_t n;
  assert_int_equal (mc_sm_wrap_command (&t, rb, rb_len, prot, sizeof prot, &n), MC_OK);
  assert_int_equal (n, 4 + 1 + 3 + 10 + 1);
  assert_memory_equal (prot + 5, "\x97\x01\x00\x8E\x08", 5);
  /* Caller's buffer too small: an error, never an overflow. */
  assert_int_not_equal (mc_sm_wrap_command (&t, rb, rb_len, prot, 12, &n), MC_OK);
  mc_sm_clear (&t);
  mc_sm_clear (&c);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_d4_terminal),
    cmocka_unit_test (test_d4_chip),
    cmocka_unit_test (test_d4_tampered),
    cmocka_unit_test (test_kdf),
    cmocka_unit_test (test_mac),
    cmocka_unit_test (test_aes_round_trip),
    cmocka_unit_test (test_aes_independent),
    cmocka_unit_test (test_extended),
    cmocka_unit_test (test_short_le),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
