/* test-tlv.c — bounded BER-TLV reader/writer (card/tlv.c) */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "tlv.h"

static void
test_short_length (void **state)
{
  (void) state;
  const uint8_t b[] = { 0x87, 0x03, 0x01, 0xAA, 0xBB, 0xFF };
  mc_tlv t;
  assert_int_equal (mc_tlv_read (b, sizeof b, &t), MC_OK);
  assert_int_equal (t.tag, 0x87);
  assert_false (t.constructed);
  assert_int_equal (t.len, 3);
  assert_int_equal (t.header_len, 2);
  assert_ptr_equal (t.value, b + 2);
}

static void
test_long_lengths (void **state)
{
  (void) state;
  static uint8_t b[6 + 0x10000];
  mc_tlv t;

  /* 81 */
  b[0] = 0x77; b[1] = 0x81; b[2] = 0x80;
  assert_int_equal (mc_tlv_read (b, 3 + 0x80, &t), MC_OK);
  assert_int_equal (t.len, 0x80);
  assert_int_equal (t.header_len, 3);
  assert_true (t.constructed);
  assert_int_equal (mc_tlv_read (b, 3 + 0x7F, &t), MC_ERR_MALFORMED);

  /* 82 */
  b[0] = 0x75; b[1] = 0x82; b[2] = 0x01; b[3] = 0x02;
  assert_int_equal (mc_tlv_read (b, 4 + 0x102, &t), MC_OK);
  assert_int_equal (t.len, 0x102);
  assert_int_equal (t.header_len, 4);

  /* 83 */
  b[0] = 0x75; b[1] = 0x83; b[2] = 0x01; b[3] = 0x00; b[4] = 0x00;
  assert_int_equal (mc_tlv_read (b, 5 + 0x10000, &t), MC_OK);
  assert_int_equal (t.len, 0x10000);
  assert_int_equal (t.header_len, 5);
  assert_int_equal (mc_tlv_read (b, 5 + 0xFFFF, &t), MC_ERR_MALFORMED);

  /* 84 */
  b[0] = 0x04; b[1] = 0x84; b[2] = 0; b[3] = 0; b[4] = 0; b[5] = 0x05;
  assert_int_equal (mc_tlv_read (b, 6 + 5, &t), MC_OK);
  assert_int_equal (t.len, 5);
  assert_int_equal (t.header_len, 6);

  /* 84 with a huge value: must not fit, must not overflow. */
  b[2] = 0xFF; b[3] = 0xFF; b[4] = 0xFF; b[5] = 0xFF;
  assert_int_equal (mc_tlv_read (b, 16, &t), MC_ERR_MALFORMED);
}

static void
test_bad_lengths (void **state)
{
  (void) state;
  mc_tlv t;
  const uint8_t indef[] = { 0x30, 0x80, 0x00, 0x00 };
  assert_int_equal (mc_tlv_read (indef, sizeof indef, &t), MC_ERR_MALFORMED);
  const uint8_t five[] = { 0x04, 0x85, 0, 0, 0, 0, 1, 0xAA };
  assert_int_equal (mc_tlv_read (five, sizeof five, &t), MC_ERR_MALFORMED);
  const uint8_t ff[] = { 0x04, 0xFF, 0 };
  assert_int_equal (mc_tlv_read (ff, sizeof ff, &t), MC_ERR_MALFORMED);
  /* Length bytes cut off. */
  const uint8_t cut[] = { 0x04, 0x82, 0x01 };
  assert_int_equal (mc_tlv_read (cut, sizeof cut, &t), MC_ERR_MALFORMED);
  const uint8_t nolen[] = { 0x04 };
  assert_int_equal (mc_tlv_read (nolen, sizeof nolen, &t), MC_ERR_MALFORMED);
  assert_int_equal (mc_tlv_read (nolen, 0, &t), MC_ERR_MALFORMED);
  /* Value truncated by one byte. */
  const uint8_t trunc[] = { 0x04, 0x03, 1, 2 };
  assert_int_equal (mc_tlv_read (trunc, sizeof trunc, &t), MC_ERR_MALFORMED);
}

static void
test_multibyte_tags (void **state)
{
  (void) state;
  mc_tlv t;
  const uint8_t t2[] = { 0x5F, 0x1F, 0x02, 'A', 'B' };
  assert_int_equal (mc_tlv_read (t2, sizeof t2, &t), MC_OK);
  assert_int_equal (t.tag, 0x5F1F);
  assert_false (t.constructed);
  assert_int_equal (t.header_len, 3);
  assert_int_equal (t.len, 2);

  const uint8_t t2c[] = { 0x7F, 0x61, 0x00 };
  assert_int_equal (mc_tlv_read (t2c, sizeof t2c, &t), MC_OK);
  assert_int_equal (t.tag, 0x7F61);
  assert_true (t.constructed);
  assert_int_equal (t.len, 0);

  const uint8_t t3[] = { 0x5F, 0x81, 0x01, 0x01, 0x42 };
  assert_int_equal (mc_tlv_read (t3, sizeof t3, &t), MC_OK);
  assert_int_equal (t.tag, 0x5F8101);
  assert_int_equal (t.header_len, 4);

  const uint8_t t4[] = { 0xDF, 0x81, 0x82, 0x03, 0x00 };
  assert_int_equal (mc_tlv_read (t4, sizeof t4, &t), MC_OK);
  assert_int_equal (t.tag, 0xDF818203u);

  /* Five tag bytes: refused. */
  const uint8_t t5[] = { 0xDF, 0x81, 0x82, 0x83, 0x04, 0x00 };
  assert_int_equal (mc_tlv_read (t5, sizeof t5, &t), MC_ERR_MALFORMED);
  /* Tag continues past the end. */
  const uint8_t tcut[] = { 0x5F, 0x81 };
  assert_int_equal (mc_tlv_read (tcut, sizeof tcut, &t), MC_ERR_MALFORMED);
  const uint8_t tcut2[] = { 0x5F };
  assert_int_equal (mc_tlv_read (tcut2, sizeof tcut2, &t), MC_ERR_MALFORMED);
}

static void
test_find (void **state)
{
  (void) state;
  /* EF.COM from ICAO 9303-11 App. D.4: 60 14 {5F01 04 "0106", 5F36 06
   * "040000", 5C 02 61 75}. */
  const uint8_t com[] = { 0x60, 0x14, 0x5F, 0x01, 0x04, 0x30, 0x31, 0x30, 0x36,
                          0x5F, 0x36, 0x06, 0x30, 0x34, 0x30, 0x30, 0x30, 0x30,
                          0x5C, 0x02, 0x61, 0x75 };
  mc_tlv outer, t;
  assert_int_equal (mc_tlv_read (com, sizeof com, &outer), MC_OK);
  assert_int_equal (outer.tag, 0x60);
  assert_true (outer.constructed);
  assert_int_equal (outer.header_len + outer.len, sizeof com);
  assert_int_equal (mc_tlv_find (outer.value, outer.len, 0x5C, &t), MC_OK);
  assert_int_equal (t.len, 2);
  assert_int_equal (t.value[0], 0x61);
  assert_int_equal (t.value[1], 0x75);
  assert_int_equal (mc_tlv_find (outer.value, outer.len, 0x5F36, &t), MC_OK);
  assert_memory_equal (t.value, "040000", 6);
  assert_int_equal (mc_tlv_find (outer.value, outer.len, 0x5F37, &t), MC_ERR_MALFORMED);
  /* A broken sibling before the wanted tag. */
  assert_int_equal (mc_tlv_find (outer.value, outer.len - 1, 0x5C, &t), MC_ERR_MALFORMED);
  assert_int_equal (mc_tlv_find (NULL, 0, 0x5C, &t), MC_ERR_MALFORMED);
}

static void
test_put_header (void **state)
{
  (void) state;
  uint8_t b[8];
  static const struct { uint32_t tag; size_t len; size_t n; uint8_t exp[8]; } v[] = {
    { 0x87, 9, 2, { 0x87, 0x09 } },
    { 0x87, 0x7F, 2, { 0x87, 0x7F } },
    { 0x87, 0x80, 3, { 0x87, 0x81, 0x80 } },
    { 0x87, 0xFF, 3, { 0x87, 0x81, 0xFF } },
    { 0x87, 0x100, 4, { 0x87, 0x82, 0x01, 0x00 } },
    { 0x5F1F, 0xFFFF, 5, { 0x5F, 0x1F, 0x82, 0xFF, 0xFF } },
    { 0x7F2E, 0x10000, 6, { 0x7F, 0x2E, 0x83, 0x01, 0x00, 0x00 } },
    { 0x5F8101, 0x1000000, 8, { 0x5F, 0x81, 0x01, 0x84, 0x01, 0x00, 0x00, 0x00 } },
  };
  for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
    {
      memset (b, 0xEE, sizeof b);
      assert_int_equal (mc_tlv_put_header (v[i].tag, v[i].len, b, sizeof b), v[i].n);
      assert_memory_equal (b, v[i].exp, v[i].n);
      assert_int_equal (mc_tlv_size (v[i].tag, v[i].len), v[i].n + v[i].len);
      /* Too small a buffer. */
      assert_int_equal (mc_tlv_put_header (v[i].tag, v[i].len, b, v[i].n - 1), 0);
    }
  assert_int_equal (mc_tlv_size (0x87, SIZE_MAX - 2), 0);
}

static void
test_round_trip (void **state)
{
  (void) state;
  static uint8_t b[0x20000];
  const size_t lens[] = { 0, 1, 0x7F, 0x80, 0xFF, 0x100, 0xFFFF, 0x10000, 0x1FF00 };
  for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++)
    {
      size_t h = mc_tlv_put_header (0x7F61, lens[i], b, sizeof b);
      assert_true (h > 0);
      mc_tlv t;
      assert_int_equal (mc_tlv_read (b, h + lens[i], &t), MC_OK);
      assert_int_equal (t.tag, 0x7F61);
      assert_int_equal (t.len, lens[i]);
      assert_int_equal (t.header_len, h);
      if (lens[i] > 0)
        assert_int_equal (mc_tlv_read (b, h + lens[i] - 1, &t), MC_ERR_MALFORMED);
    }
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_short_length),
    cmocka_unit_test (test_long_lengths),
    cmocka_unit_test (test_bad_lengths),
    cmocka_unit_test (test_multibyte_tags),
    cmocka_unit_test (test_find),
    cmocka_unit_test (test_put_header),
    cmocka_unit_test (test_round_trip),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
