/* test-atr.c — ATR parsing and the extended-length capability
 * (ISO/IEC 7816-3 §8.2, 7816-4 §8.1.1.2.7) */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "atr.h"

/* A contactless ATR built by a PC/SC reader from the ATS (PC/SC part 3
 * §3.1.3.2.3): 3B 8n 80 01, historical bytes, TCK.  Historical bytes 80 |
 * 73 A0 21 C0: card capabilities, third byte C0 → b7 set (extended Lc/Le). */
static const uint8_t atr_ext[] = { 0x3B, 0x85, 0x80, 0x01, 0x80, 0x73, 0xA0, 0x21, 0xC0, 0xB6 };
/* The same with the third capability byte 80: no extended length. */
static const uint8_t atr_short[] = { 0x3B, 0x85, 0x80, 0x01, 0x80, 0x73, 0xA0, 0x21, 0x80, 0xF6 };

static void
test_extended_capability (void **state)
{
  (void) state;
  mc_atr_info info;
  assert_int_equal (mc_atr_parse (atr_ext, sizeof atr_ext, &info), MC_OK);
  assert_int_equal (info.n_historical, 5);
  assert_ptr_equal (info.historical, atr_ext + 4);
  assert_int_equal (info.extended_length, 1);

  assert_int_equal (mc_atr_parse (atr_short, sizeof atr_short, &info), MC_OK);
  assert_int_equal (info.extended_length, 0);
}

static void
test_contact_atr_without_td (void **state)
{
  (void) state;
  /* 3B 02 14 50: TA1 present? Y1 = 0 → no interface bytes; 2 historical. */
  static const uint8_t atr[] = { 0x3B, 0x02, 0x14, 0x50 };
  mc_atr_info info;
  assert_int_equal (mc_atr_parse (atr, sizeof atr, &info), MC_OK);
  assert_int_equal (info.n_historical, 2);
  assert_int_equal (info.extended_length, 0);   /* category 14: no compact-TLV */
}

static void
test_malformed (void **state)
{
  (void) state;
  mc_atr_info info;
  /* Every truncation of a valid ATR with TCK fails. */
  for (size_t n = 0; n < sizeof atr_ext; n++)
    assert_int_equal (mc_atr_parse (atr_ext, n, &info), MC_ERR_MALFORMED);
  /* Wrong TS. */
  static const uint8_t bad_ts[] = { 0x3C, 0x00 };
  assert_int_equal (mc_atr_parse (bad_ts, sizeof bad_ts, &info), MC_ERR_MALFORMED);
  /* A capability object whose length runs past the historical bytes. */
  static const uint8_t bad_cap[] = { 0x3B, 0x83, 0x80, 0x01, 0x80, 0x73, 0xA0, 0x77 };
  assert_int_equal (mc_atr_parse (bad_cap, sizeof bad_cap, &info), MC_OK);
  assert_int_equal (info.extended_length, 0);
  assert_int_equal (mc_atr_parse (NULL, 4, &info), MC_ERR_INVALID_ARG);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_extended_capability),
    cmocka_unit_test (test_contact_atr_without_td),
    cmocka_unit_test (test_malformed),
  };
  return cmocka_run_group_tests_name ("atr", tests, NULL, NULL);
}
