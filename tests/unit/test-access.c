/* test-access.c — access data from CAN, ID number + dates, MRZ (card/access.c) */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "motcua-card.h"

static int
is_zero (const void *p, size_t n)
{
  const uint8_t *b = p;
  for (size_t i = 0; i < n; i++)
    if (b[i])
      return 0;
  return 1;
}

static void
test_can (void **state)
{
  (void) state;
  mc_access a;
  assert_int_equal (mc_access_from_can (&a, "012345"), MC_OK);
  assert_string_equal (a.can, "012345");
  assert_string_equal (a.document_number, "");
  const char *bad[] = { "12345", "1234567", "12345a", " 12345", "", "12-456" };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    {
      assert_int_equal (mc_access_from_can (&a, bad[i]), MC_ERR_BAD_ACCESS_DATA);
      assert_true (is_zero (&a, sizeof a));
    }
  assert_int_equal (mc_access_from_can (NULL, "012345"), MC_ERR_INVALID_ARG);
  assert_int_equal (mc_access_from_can (&a, NULL), MC_ERR_INVALID_ARG);
}

static void
test_id (void **state)
{
  (void) state;
  mc_access a;
  assert_int_equal (mc_access_from_id (&a, "001089012345", "1989-03-15", "2029-03-15"), MC_OK);
  assert_string_equal (a.can, "012345");
  assert_string_equal (a.document_number, "089012345");
  assert_string_equal (a.date_of_birth, "890315");
  assert_string_equal (a.date_of_expiry, "290315");
  /* Leap day. */
  assert_int_equal (mc_access_from_id (&a, "001089012345", "2000-02-29", "2029-03-15"), MC_OK);
  assert_string_equal (a.date_of_birth, "000229");

  struct { const char *id, *dob, *exp; } bad[] = {
    { "00108901234", "1989-03-15", "2029-03-15" },   /* 11 digits */
    { "0010890123456", "1989-03-15", "2029-03-15" }, /* 13 digits */
    { "00108901234x", "1989-03-15", "2029-03-15" },
    { "001089012345", "1989-02-30", "2029-03-15" },  /* no such day */
    { "001089012345", "1900-02-29", "2029-03-15" },  /* 1900 not leap */
    { "001089012345", "1989-13-01", "2029-03-15" },
    { "001089012345", "1989-00-10", "2029-03-15" },
    { "001089012345", "1989-03-00", "2029-03-15" },
    { "001089012345", "1989-04-31", "2029-03-15" },
    { "001089012345", "89-03-15", "2029-03-15" },
    { "001089012345", "1989/03/15", "2029-03-15" },
    { "001089012345", "1989-03-15", "2029-3-15" },
    { "001089012345", "1989-03-15", "" },
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    {
      assert_int_equal (mc_access_from_id (&a, bad[i].id, bad[i].dob, bad[i].exp),
                        MC_ERR_BAD_ACCESS_DATA);
      assert_true (is_zero (&a, sizeof a));
    }
  assert_int_equal (mc_access_from_id (&a, "001089012345", NULL, "2029-03-15"),
                    MC_ERR_INVALID_ARG);
}

static void
test_mrz (void **state)
{
  (void) state;
  mc_access a;
  /* Vietnamese-style TD1 (check digits computed independently). */
  assert_int_equal (mc_access_from_mrz (&a, "IDVNM0890123456001089012345<<<",
                                        "8903152M2903150VNM<<<<<<<<<<<3",
                                        "NGUYEN<<VAN<AN<<<<<<<<<<<<<<<<"), MC_OK);
  assert_string_equal (a.document_number, "089012345");
  assert_string_equal (a.date_of_birth, "890315");
  assert_string_equal (a.date_of_expiry, "290315");
  assert_string_equal (a.can, "012345");
  /* Typed in lower case with surrounding blanks, no name line. */
  assert_int_equal (mc_access_from_mrz (&a, "  idvnm0890123456001089012345<<<\n",
                                        "8903152m2903150vnm<<<<<<<<<<<3\r\n", NULL), MC_OK);
  assert_string_equal (a.can, "012345");
  /* ICAO specimen: no 12-digit number in optional data → no CAN. */
  assert_int_equal (mc_access_from_mrz (&a, "I<UTOD231458907<<<<<<<<<<<<<<<",
                                        "7408122F1204159UTO<<<<<<<<<<<6",
                                        "ERIKSSON<<ANNA<MARIA<<<<<<<<<<"), MC_OK);
  assert_string_equal (a.document_number, "D23145890");
  assert_string_equal (a.can, "");
  /* Wrong check digits: doc number, DOB, expiry. */
  const char *l1s[] = { "IDVNM0890123457001089012345<<<", "IDVNM0890123456001089012345<<<",
                        "IDVNM0890123456001089012345<<<" };
  const char *l2s[] = { "8903152M2903150VNM<<<<<<<<<<<3", "8903153M2903150VNM<<<<<<<<<<<3",
                        "8903152M2903151VNM<<<<<<<<<<<3" };
  for (int i = 0; i < 3; i++)
    {
      assert_int_equal (mc_access_from_mrz (&a, l1s[i], l2s[i], NULL), MC_ERR_BAD_ACCESS_DATA);
      assert_true (is_zero (&a, sizeof a));
    }
  /* Wrong length. */
  assert_int_equal (mc_access_from_mrz (&a, "IDVNM089012345600108901234<<<",
                                        "8903152M2903150VNM<<<<<<<<<<<3", NULL),
                    MC_ERR_BAD_ACCESS_DATA);
  mc_access_clear (&a);
  assert_true (is_zero (&a, sizeof a));
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_can),
    cmocka_unit_test (test_id),
    cmocka_unit_test (test_mrz),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
