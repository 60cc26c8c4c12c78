/* test-apdu.c — APDU encoding/decoding and the channel (card/apdu.c):
 * ISO 7816-4 cases, 61xx/6Cxx handling, cancellation, counters, status
 * words, and SM error paths. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "apdu.h"

static void
test_encode_cases (void **state)
{
  (void) state;
  uint8_t out[80000], d[300];
  size_t n;
  memset (d, 0x5A, sizeof d);
  static uint8_t big[65535];
  struct { mc_apdu a; size_t len; const uint8_t *head; size_t head_len; } v[] = {
    { { 0x00, 0xA4, 0x04, 0x0C, NULL, 0, 0, 0 }, 4, (const uint8_t *) "\x00\xA4\x04\x0C", 4 },
    { { 0x00, 0xB0, 0, 0, NULL, 0, 4, 0 }, 5, (const uint8_t *) "\x00\xB0\x00\x00\x04", 5 },
    { { 0x00, 0xB0, 0, 0, NULL, 0, 256, 0 }, 5, (const uint8_t *) "\x00\xB0\x00\x00\x00", 5 },
    { { 0x00, 0xA4, 2, 12, d, 2, 0, 0 }, 7, (const uint8_t *) "\x00\xA4\x02\x0C\x02", 5 },
    { { 0x00, 0x82, 0, 0, d, 40, 40, 0 }, 46, (const uint8_t *) "\x00\x82\x00\x00\x28", 5 },
    { { 0x00, 0xB0, 0, 0, NULL, 0, 257, 0 }, 7, (const uint8_t *) "\x00\xB0\x00\x00\x00\x01\x01", 7 },
    { { 0x00, 0xB0, 0, 0, NULL, 0, 65536, 0 }, 7, (const uint8_t *) "\x00\xB0\x00\x00\x00\x00\x00", 7 },
    { { 0x00, 0xB0, 0, 0, NULL, 0, 4, 1 }, 7, (const uint8_t *) "\x00\xB0\x00\x00\x00\x00\x04", 7 },
    { { 0x00, 0xD6, 0, 0, d, 300, 0, 0 }, 307, (const uint8_t *) "\x00\xD6\x00\x00\x00\x01\x2C", 7 },
    { { 0x00, 0x2A, 0, 0, d, 2, 65536, 1 }, 11, (const uint8_t *) "\x00\x2A\x00\x00\x00\x00\x02", 7 },
    { { 0x00, 0xD6, 0, 0, big, 65535, 0, 0 }, 65542, (const uint8_t *) "\x00\xD6\x00\x00\x00\xFF\xFF", 7 },
  };
  for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
    {
      assert_int_equal (mc_apdu_encode (&v[i].a, out, sizeof out, &n), MC_OK);
      assert_int_equal (n, v[i].len);
      assert_memory_equal (out, v[i].head, v[i].head_len);
      /* Decoding gives back the same APDU. */
      mc_apdu b;
      assert_int_equal (mc_apdu_decode (out, n, &b), MC_OK);
      assert_int_equal (b.ins, v[i].a.ins);
      assert_int_equal (b.lc, v[i].a.lc);
      assert_int_equal (b.le, v[i].a.le);
      if (b.lc)
        assert_memory_equal (b.data, v[i].a.data, b.lc);
      /* Too small an output buffer. */
      assert_int_equal (mc_apdu_encode (&v[i].a, out, n - 1, &n), MC_ERR_INVALID_ARG);
    }
  mc_apdu bad = { .ins = 0xD6, .data = d, .lc = 65536 };
  assert_int_equal (mc_apdu_encode (&bad, out, sizeof out, &n), MC_ERR_INVALID_ARG);
}

static void
test_decode_malformed (void **state)
{
  (void) state;
  mc_apdu a;
  const struct { const char *b; size_t n; } v[] = {
    { "\x00\xA4\x02", 3 },
    { "\x00\xA4\x02\x0C\x02\x01", 6 },                  /* Lc 2, 1 byte */
    { "\x00\xA4\x02\x0C\x02\x01\x1E\x00\x00", 9 },      /* one byte too many */
    { "\x00\xB0\x00\x00\x00\x00", 6 },                  /* extended cut */
    { "\x00\xD6\x00\x00\x00\x00\x00\x01", 8 },          /* extended Lc 0 */
    { "\x00\xD6\x00\x00\x00\x00\x02\x01", 8 },          /* extended data cut */
  };
  for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
    assert_int_equal (mc_apdu_decode ((const uint8_t *) v[i].b, v[i].n, &a), MC_ERR_MALFORMED);
}

static void
test_sw (void **state)
{
  (void) state;
  assert_int_equal (mc_sw_to_status (0x9000), MC_OK);
  assert_int_equal (mc_sw_to_status (0x6982), MC_ERR_SECURITY_STATUS);
  assert_int_equal (mc_sw_to_status (0x6A82), MC_ERR_FILE_NOT_FOUND);
  assert_int_equal (mc_sw_to_status (0x6D00), MC_ERR_NOT_SUPPORTED);
  assert_int_equal (mc_sw_to_status (0x6E00), MC_ERR_NOT_SUPPORTED);
  assert_int_equal (mc_sw_to_status (0x6A81), MC_ERR_NOT_SUPPORTED);
  assert_int_equal (mc_sw_to_status (0x6A86), MC_ERR_NOT_SUPPORTED);
  assert_int_equal (mc_sw_to_status (0x6987), MC_ERR_SM);
  assert_int_equal (mc_sw_to_status (0x6988), MC_ERR_SM);
  assert_int_equal (mc_sw_to_status (0x6300), MC_ERR_ACCESS_DENIED);
  assert_int_equal (mc_sw_to_status (0x63C2), MC_ERR_ACCESS_DENIED);
  assert_int_equal (mc_sw_to_status (0x6B00), MC_ERR_CARD_STATUS);
  assert_int_equal (mc_sw_to_status (0x6282), MC_ERR_CARD_STATUS);
}

/* A small scripted card: each exchange checks the command and answers. */
typedef struct {
  const uint8_t *cmd[6];
  size_t cmd_len[6];
  const uint8_t *resp[6];
  size_t resp_len[6];
  size_t n, i;
  int mismatch;
  volatile int *cancel_after_first;
} fake;

static mc_status
fake_transmit (void *user, const uint8_t *cmd, size_t cmd_len, uint8_t *resp, size_t *resp_len)
{
  fake *f = user;
  if (f->i >= f->n)
    return MC_ERR_READER;
  if (f->cmd[f->i] && (cmd_len != f->cmd_len[f->i] || memcmp (cmd, f->cmd[f->i], cmd_len)))
    f->mismatch = 1;
  assert_true (f->resp_len[f->i] <= *resp_len);
  memcpy (resp, f->resp[f->i], f->resp_len[f->i]);
  *resp_len = f->resp_len[f->i];
  f->i++;
  if (f->cancel_after_first)
    *f->cancel_after_first = 1;
  return MC_OK;
}

#define STEP(f, c, cl, r, rl) \
  do { (f).cmd[(f).n] = (const uint8_t *) (c); (f).cmd_len[(f).n] = (cl); \
       (f).resp[(f).n] = (const uint8_t *) (r); (f).resp_len[(f).n] = (rl); (f).n++; } while (0)

static void
test_get_response (void **state)
{
  (void) state;
  fake f = { 0 };
  STEP (f, "\x00\xB0\x00\x00\x00", 5, "\x01\x02\x61\x03", 4);
  STEP (f, "\x00\xC0\x00\x00\x03", 5, "\x03\x04\x05\x90\x00", 5);
  mc_channel ch;
  mc_channel_init (&ch, fake_transmit, &f);
  mc_apdu rb = { .ins = 0xB0, .le = 256 };
  uint8_t out[16];
  size_t n;
  uint16_t sw;
  assert_int_equal (mc_channel_transceive (&ch, &rb, out, sizeof out, &n, &sw), MC_OK);
  assert_false (f.mismatch);
  assert_int_equal (sw, 0x9000);
  assert_int_equal (n, 5);
  assert_memory_equal (out, "\x01\x02\x03\x04\x05", 5);
  assert_int_equal (ch.apdus, 2);
  assert_int_equal (ch.bytes_out, 10);
  assert_int_equal (ch.bytes_in, 9);
}

static void
test_wrong_le (void **state)
{
  (void) state;
  fake f = { 0 };
  STEP (f, "\x00\x84\x00\x00\x10", 5, "\x6C\x08", 2);
  STEP (f, "\x00\x84\x00\x00\x08", 5, "\x11\x22\x33\x44\x55\x66\x77\x88\x90\x00", 10);
  mc_channel ch;
  mc_channel_init (&ch, fake_transmit, &f);
  mc_apdu gc = { .ins = 0x84, .le = 16 };
  uint8_t out[16];
  size_t n;
  uint16_t sw;
  assert_int_equal (mc_channel_transceive (&ch, &gc, out, sizeof out, &n, &sw), MC_OK);
  assert_false (f.mismatch);
  assert_int_equal (sw, 0x9000);
  assert_int_equal (n, 8);
  /* More data than the caller's buffer: an error, no overflow. */
  fake g = { 0 };
  STEP (g, NULL, 0, "\x11\x22\x33\x44\x55\x66\x77\x88\x90\x00", 10);
  mc_channel_init (&ch, fake_transmit, &g);
  assert_int_equal (mc_channel_transceive (&ch, &gc, out, 4, &n, &sw), MC_ERR_MALFORMED);
  /* Error SW passes through as MC_OK + sw. */
  fake h = { 0 };
  STEP (h, NULL, 0, "\x6A\x82", 2);
  mc_channel_init (&ch, fake_transmit, &h);
  assert_int_equal (mc_channel_transceive (&ch, &gc, out, sizeof out, &n, &sw), MC_OK);
  assert_int_equal (sw, 0x6A82);
  assert_int_equal (n, 0);
  /* A response shorter than a SW is a reader error. */
  fake k = { 0 };
  STEP (k, NULL, 0, "\x90", 1);
  mc_channel_init (&ch, fake_transmit, &k);
  assert_int_equal (mc_channel_transceive (&ch, &gc, out, sizeof out, &n, &sw), MC_ERR_READER);
}

static void
test_cancel (void **state)
{
  (void) state;
  volatile int cancel = 0;
  fake f = { 0 };
  STEP (f, NULL, 0, "\x01\x61\x01", 3);
  STEP (f, NULL, 0, "\x02\x90\x00", 3);
  f.cancel_after_first = &cancel;
  mc_channel ch;
  mc_channel_init (&ch, fake_transmit, &f);
  ch.cancel = &cancel;
  mc_apdu rb = { .ins = 0xB0, .le = 2 };
  uint8_t out[4];
  size_t n;
  uint16_t sw;
  /* Cancelled between the command and its GET RESPONSE. */
  assert_int_equal (mc_channel_transceive (&ch, &rb, out, sizeof out, &n, &sw), MC_ERR_CANCELLED);
  assert_int_equal (f.i, 1);
  assert_int_equal (mc_channel_transceive (&ch, &rb, out, sizeof out, &n, &sw), MC_ERR_CANCELLED);
  assert_int_equal (f.i, 1);
}

static void
sm_pair (mc_sm *t, mc_sm *c)
{
  uint8_t k1[16], k2[16];
  memset (k1, 0x31, 16);
  memset (k2, 0x72, 16);
  assert_int_equal (mc_sm_start (t, MC_SM_AES, k1, k2, 16, NULL, 0), MC_OK);
  assert_int_equal (mc_sm_start (c, MC_SM_AES, k1, k2, 16, NULL, 0), MC_OK);
}

static void
test_sm_channel (void **state)
{
  (void) state;
  mc_sm chip;
  mc_channel ch;
  uint8_t r1[64];
  size_t r1l, n;
  uint16_t sw;
  mc_apdu rb = { .ins = 0xB0, .le = 4 };

  /* A good protected answer, then a bare 6A82 (the card answered without
   * SM: reported as that status, session kept), then a bare 6988 (session
   * ended). */
  fake f = { 0 };
  mc_channel_init (&ch, fake_transmit, &f);
  sm_pair (&ch.sm, &chip);
  chip.ssc[15] = 1;
  assert_int_equal (mc_sm_wrap_response (&chip, (const uint8_t *) "ABCD", 4, 0x9000, r1,
                                         sizeof r1, &r1l), MC_OK);
  STEP (f, NULL, 0, r1, r1l);
  STEP (f, NULL, 0, "\x6A\x82", 2);
  STEP (f, NULL, 0, "\x69\x88", 2);
  uint8_t out[16];
  assert_int_equal (mc_channel_transceive (&ch, &rb, out, sizeof out, &n, &sw), MC_OK);
  assert_int_equal (sw, 0x9000);
  assert_int_equal (n, 4);
  assert_memory_equal (out, "ABCD", 4);
  assert_int_equal (mc_channel_transceive (&ch, &rb, out, sizeof out, &n, &sw), MC_OK);
  assert_int_equal (sw, 0x6A82);
  assert_int_equal (mc_sw_to_status (sw), MC_ERR_FILE_NOT_FOUND);
  assert_int_equal (n, 0);
  assert_true (ch.sm.active);
  assert_int_equal (mc_channel_transceive (&ch, &rb, out, sizeof out, &n, &sw), MC_ERR_SM);
  assert_false (ch.sm.active);
  /* Its protected command was the third one: 3 APDUs counted. */
  assert_int_equal (ch.apdus, 3);

  /* A tampered protected answer ends the session. */
  fake g = { 0 };
  mc_channel_init (&ch, fake_transmit, &g);
  sm_pair (&ch.sm, &chip);
  chip.ssc[15] = 1;
  assert_int_equal (mc_sm_wrap_response (&chip, (const uint8_t *) "ABCD", 4, 0x9000, r1,
                                         sizeof r1, &r1l), MC_OK);
  r1[3] ^= 1;
  STEP (g, NULL, 0, r1, r1l);
  assert_int_equal (mc_channel_transceive (&ch, &rb, out, sizeof out, &n, &sw), MC_ERR_SM);
  assert_false (ch.sm.active);
  mc_sm_clear (&chip);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_encode_cases),
    cmocka_unit_test (test_decode_malformed),
    cmocka_unit_test (test_sw),
    cmocka_unit_test (test_get_response),
    cmocka_unit_test (test_wrong_le),
    cmocka_unit_test (test_cancel),
    cmocka_unit_test (test_sm_channel),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
