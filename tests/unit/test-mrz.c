/* test-mrz.c — TD1 MRZ parsing and check digits (card/mrz.c)
 *
 * Vectors: ICAO 9303-11 App. D.2 (L898902C< / 690806 / 940623), the ICAO
 * 9303-5 TD1 specimen (D23145890, ERIKSSON ANNA MARIA) and a
 * Vietnamese-style TD1 whose check digits were computed independently. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "mrz.h"

static void
test_check_digits (void **state)
{
  (void) state;
  assert_int_equal (mc_mrz_check_digit ("L898902C<", 9), 3);
  assert_int_equal (mc_mrz_check_digit ("690806", 6), 1);
  assert_int_equal (mc_mrz_check_digit ("940623", 6), 6);
  assert_int_equal (mc_mrz_check_digit ("D23145890", 9), 7);
  assert_int_equal (mc_mrz_check_digit ("", 0), 0);
  assert_int_equal (mc_mrz_check_digit ("<<<<", 4), 0);
  assert_int_equal (mc_mrz_check_digit ("l898902C<", 9), -1);
  assert_int_equal (mc_mrz_check_digit ("12 4", 4), -1);
  assert_int_equal (mc_mrz_check_digit (NULL, 4), -1);
}

static const char *spec1 = "I<UTOD231458907<<<<<<<<<<<<<<<";
static const char *spec2 = "7408122F1204159UTO<<<<<<<<<<<6";
static const char *spec3 = "ERIKSSON<<ANNA<MARIA<<<<<<<<<<";

static void
test_td1_spec (void **state)
{
  (void) state;
  mc_mrz m;
  assert_int_equal (mc_mrz_parse_td1 (spec1, spec2, spec3, &m), MC_OK);
  assert_string_equal (m.document_code, "I");
  assert_string_equal (m.issuing_state, "UTO");
  assert_string_equal (m.document_number, "D23145890");
  assert_string_equal (m.optional_data1, "");
  assert_string_equal (m.date_of_birth, "740812");
  assert_string_equal (m.sex, "F");
  assert_string_equal (m.date_of_expiry, "120415");
  assert_string_equal (m.nationality, "UTO");
  assert_string_equal (m.optional_data2, "");
  assert_string_equal (m.primary_identifier, "ERIKSSON");
  assert_string_equal (m.secondary_identifier, "ANNA MARIA");
  assert_true (m.check_digits_ok);
}

static void
test_td1_bad_digits (void **state)
{
  (void) state;
  mc_mrz m;
  char l1[31], l2[31];
  /* Each check digit, and the composite one, wrong in turn. */
  const struct { int line, pos; } cds[] = { { 1, 14 }, { 2, 6 }, { 2, 14 }, { 2, 29 } };
  for (size_t i = 0; i < 4; i++)
    {
      strcpy (l1, spec1);
      strcpy (l2, spec2);
      char *p = cds[i].line == 1 ? l1 + cds[i].pos : l2 + cds[i].pos;
      *p = *p == '0' ? '1' : '0';
      assert_int_equal (mc_mrz_parse_td1 (l1, l2, spec3, &m), MC_OK);
      assert_false (m.check_digits_ok);
      assert_string_equal (m.primary_identifier, "ERIKSSON");
    }
  /* A change covered only by the composite digit (optional data 2). */
  strcpy (l2, spec2);
  l2[20] = '5';
  assert_int_equal (mc_mrz_parse_td1 (spec1, l2, spec3, &m), MC_OK);
  assert_false (m.check_digits_ok);
}

static void
test_td1_malformed (void **state)
{
  (void) state;
  mc_mrz m;
  assert_int_equal (mc_mrz_parse_td1 ("I<UTO", spec2, spec3, &m), MC_ERR_MALFORMED);
  assert_int_equal (mc_mrz_parse_td1 (spec1, "7408122F1204159UTO<<<<<<<<<<<6<", spec3, &m),
                    MC_ERR_MALFORMED);
  assert_int_equal (mc_mrz_parse_td1 (spec1, spec2, "eriksson<<anna<maria<<<<<<<<<<", &m),
                    MC_ERR_MALFORMED);
  assert_int_equal (mc_mrz_parse_td1 (spec1, spec2, NULL, &m), MC_ERR_MALFORMED);
  assert_int_equal (mc_mrz_parse_td1 (spec1, spec2, spec3, NULL), MC_ERR_INVALID_ARG);
}

static void
test_td1_vietnam (void **state)
{
  (void) state;
  mc_mrz m;
  assert_int_equal (mc_mrz_parse_td1 ("IDVNM0890123456001089012345<<<",
                                      "8903152M2903150VNM<<<<<<<<<<<3",
                                      "NGUYEN<<VAN<AN<<<<<<<<<<<<<<<<", &m), MC_OK);
  assert_string_equal (m.document_code, "ID");
  assert_string_equal (m.issuing_state, "VNM");
  assert_string_equal (m.document_number, "089012345");
  assert_string_equal (m.optional_data1, "001089012345");
  assert_string_equal (m.date_of_birth, "890315");
  assert_string_equal (m.sex, "M");
  assert_string_equal (m.date_of_expiry, "290315");
  assert_string_equal (m.nationality, "VNM");
  assert_string_equal (m.primary_identifier, "NGUYEN");
  assert_string_equal (m.secondary_identifier, "VAN AN");
  assert_true (m.check_digits_ok);
}

static void
test_key_info (void **state)
{
  (void) state;
  char info[25];
  mc_access a;
  memset (&a, 0, sizeof a);
  strcpy (a.document_number, "L898902C<");
  strcpy (a.date_of_birth, "690806");
  strcpy (a.date_of_expiry, "940623");
  assert_int_equal (mc_mrz_key_info (&a, info), MC_OK);
  assert_string_equal (info, "L898902C<369080619406236");  /* App. D.2 */
  strcpy (a.document_number, "L898902C");                   /* unpadded */
  assert_int_equal (mc_mrz_key_info (&a, info), MC_OK);
  assert_string_equal (info, "L898902C<369080619406236");
  strcpy (a.date_of_birth, "69080");
  assert_int_equal (mc_mrz_key_info (&a, info), MC_ERR_BAD_ACCESS_DATA);
  strcpy (a.date_of_birth, "690806");
  a.document_number[0] = '\0';
  assert_int_equal (mc_mrz_key_info (&a, info), MC_ERR_BAD_ACCESS_DATA);
  strcpy (a.document_number, "l8989");
  assert_int_equal (mc_mrz_key_info (&a, info), MC_ERR_BAD_ACCESS_DATA);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_check_digits),
    cmocka_unit_test (test_td1_spec),
    cmocka_unit_test (test_td1_bad_digits),
    cmocka_unit_test (test_td1_malformed),
    cmocka_unit_test (test_td1_vietnam),
    cmocka_unit_test (test_key_info),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
