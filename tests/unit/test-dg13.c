/* test-dg13.c — DG13 (Vietnamese holder data) parser */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "asn1-build.h"
#include "lds.h"

#define DG13_OID "1.0.10646.1.0.8"

static ASN1_TYPE *
field (long n, ASN1_TYPE *v)
{
  return AB_SEQ (ab_int (n), v);
}

/* 6D { SEQUENCE { INTEGER 1, OID, SET { fields } } } */
static uint8_t *
dg13_of (ASN1_TYPE *fields, size_t *len)
{
  size_t n;
  uint8_t *der = ab_der (AB_SEQ (ab_int (1), ab_oid (DG13_OID), fields), &n);
  return ab_wrap (0x6D, der, n, len);
}

static void
test_full_2021 (void **state)
{
  (void) state;
  size_t len;
  uint8_t *dg = dg13_of (
    AB_SET (field (1, ab_utf8 ("001099012345")),
            field (2, ab_utf8 ("Nguyễn Văn An")),
            field (3, ab_utf8 ("01/02/1999")),
            field (4, ab_utf8 ("Nam")),
            field (5, ab_utf8 ("Việt Nam")),
            field (6, ab_utf8 ("Kinh")),
            field (7, ab_utf8 ("Không")),
            field (8, ab_utf8 ("Hà Nội")),
            field (9, ab_utf8 ("Số 1, phường Hoàn Kiếm, Hà Nội")),
            field (10, ab_utf8 ("Nốt ruồi C:2cm trên trước mép trái")),
            field (11, ab_utf8 ("10/07/2021")),
            field (12, ab_utf8 ("01/02/2039")),
            field (13, AB_SEQ (ab_utf8 ("Nguyễn Văn Bình"), ab_utf8 ("Trần Thị Cúc"))),
            field (14, AB_SEQ (ab_utf8 ("Lê Thị Dung"))),
            field (15, ab_string (V_ASN1_PRINTABLESTRING, "012345678")),
            field (16, ab_utf8 ("0123456789ABCDEF"))),
    &len);
  mc_identity id = { 0 };
  assert_int_equal (mc_dg13_parse (dg, len, &id), MC_OK);
  assert_string_equal (id.id_number, "001099012345");
  assert_string_equal (id.full_name, "Nguyễn Văn An");
  assert_string_equal (id.date_of_birth, "1999-02-01");
  assert_string_equal (id.sex, "Nam");
  assert_string_equal (id.nationality, "Việt Nam");
  assert_string_equal (id.ethnicity, "Kinh");
  assert_string_equal (id.religion, "Không");
  assert_string_equal (id.place_of_origin, "Hà Nội");
  assert_string_equal (id.place_of_residence, "Số 1, phường Hoàn Kiếm, Hà Nội");
  assert_string_equal (id.identifying_marks, "Nốt ruồi C:2cm trên trước mép trái");
  assert_string_equal (id.date_of_issue, "2021-07-10");
  assert_string_equal (id.date_of_expiry, "2039-02-01");
  assert_string_equal (id.father_name, "Nguyễn Văn Bình");
  assert_string_equal (id.mother_name, "Trần Thị Cúc");
  assert_string_equal (id.spouse_name, "Lê Thị Dung");
  assert_string_equal (id.old_id_number, "012345678");
  assert_int_equal (id.n_other_fields, 1);
  assert_int_equal (id.other_fields[0].number, 16);
  assert_string_equal (id.other_fields[0].value, "0123456789ABCDEF");
  /* raw is the DER of the value: UTF8String 0C 10 ... */
  assert_int_equal (id.other_fields[0].raw_len, 18);
  assert_int_equal (id.other_fields[0].raw[0], 0x0C);
  mc_identity_clear (&id);
  assert_null (id.full_name);
  free (dg);
}

/* 2024 card style: SEQUENCE container, fields shuffled and some absent,
 * unmarried (no 14), unknown field 99, a non-parsing date kept as text. */
static void
test_shuffled_2024 (void **state)
{
  (void) state;
  size_t len;
  uint8_t *dg = dg13_of (
    AB_SEQ (field (99, ab_int (7)),
            field (12, ab_utf8 ("Không thời hạn")),
            field (2, ab_utf8 ("Phạm Thị Hoa")),
            field (13, AB_SEQ (ab_utf8 (""), ab_utf8 ("Phạm Thị Lan"))),
            field (3, ab_utf8 ("20050315")),
            field (1, ab_utf8 ("079305001234"))),
    &len);
  mc_identity id = { 0 };
  id.has_mrz = 1;
  strcpy (id.mrz.document_number, "305001234");
  assert_int_equal (mc_dg13_parse (dg, len, &id), MC_OK);
  assert_string_equal (id.id_number, "079305001234");
  assert_string_equal (id.full_name, "Phạm Thị Hoa");
  assert_string_equal (id.date_of_birth, "2005-03-15");
  assert_string_equal (id.date_of_expiry, "Không thời hạn");
  assert_null (id.father_name);
  assert_string_equal (id.mother_name, "Phạm Thị Lan");
  assert_null (id.spouse_name);
  assert_null (id.religion);
  assert_null (id.old_id_number);
  /* DG1 data of the identity survives */
  assert_int_equal (id.has_mrz, 1);
  assert_string_equal (id.mrz.document_number, "305001234");
  assert_int_equal (id.n_other_fields, 1);
  assert_int_equal (id.other_fields[0].number, 99);
  assert_int_equal (id.other_fields[0].raw_len, 3);   /* INTEGER 7: 02 01 07 */
  assert_int_equal (id.other_fields[0].raw[2], 7);
  mc_identity_clear (&id);
  free (dg);
}

/* A bare SET of fields, no version / OID, BMPString value. */
static void
test_bare_set (void **state)
{
  (void) state;
  size_t n, len;
  static const uint8_t bmp[] = { 0x00, 'A', 0x1E, 0xA1 }; /* "Aạ" */
  uint8_t *der = ab_der (AB_SET (field (2, ab_bytes (V_ASN1_BMPSTRING, bmp, sizeof bmp)),
                                 field (14, ab_utf8 ("Vợ"))), &n);
  uint8_t *dg = ab_wrap (0x6D, der, n, &len);
  mc_identity id = { 0 };
  assert_int_equal (mc_dg13_parse (dg, len, &id), MC_OK);
  assert_string_equal (id.full_name, "A\xE1\xBA\xA1");
  assert_string_equal (id.spouse_name, "Vợ");
  mc_identity_clear (&id);
  free (dg);
}

static void
expect_malformed (uint8_t *dg, size_t len)
{
  mc_identity id = { 0 };
  id.full_name = strdup ("kept");
  assert_int_equal (mc_dg13_parse (dg, len, &id), MC_ERR_MALFORMED);
  /* on error the identity is untouched */
  assert_string_equal (id.full_name, "kept");
  assert_null (id.other_fields);
  mc_identity_clear (&id);
}

static void
test_malformed (void **state)
{
  (void) state;
  size_t len;
  uint8_t *dg = dg13_of (AB_SET (field (1, ab_utf8 ("001099012345")),
                                 field (2, ab_utf8 ("Nguyễn Văn An"))), &len);
  /* every truncation */
  for (size_t cut = 0; cut < len; cut++)
    {
      mc_identity id = { 0 };
      assert_int_not_equal (mc_dg13_parse (dg, cut, &id), MC_OK);
      assert_null (id.id_number);
    }
  /* wrong outer tag */
  dg[0] = 0x6E;
  expect_malformed (dg, len);
  dg[0] = 0x6D;
  /* trailing byte after the outer TLV */
  uint8_t *longer = malloc (len + 1);
  memcpy (longer, dg, len);
  longer[len] = 0;
  expect_malformed (longer, len + 1);
  free (longer);
  /* inner length one too large (SEQUENCE at offset 2) */
  assert_int_equal (dg[2], 0x30);
  dg[3]++;
  expect_malformed (dg, len);
  dg[3]--;
  free (dg);

  /* invalid UTF-8: lone continuation byte, overlong, embedded NUL */
  static const char *bad[] = { "ab\x80", "\xC0\xAF", "\xED\xA0\x80" };
  for (size_t i = 0; i < 3; i++)
    {
      dg = dg13_of (AB_SET (field (1, ab_utf8 ("001099012345")),
                            field (2, ab_utf8 (bad[i]))), &len);
      expect_malformed (dg, len);
      free (dg);
    }
  static const uint8_t nul[] = { 'a', 0, 'b' };
  dg = dg13_of (AB_SET (field (9, ab_bytes (V_ASN1_UTF8STRING, nul, 3))), &len);
  expect_malformed (dg, len);
  free (dg);
  /* bad UTF-8 inside the parents' SEQUENCE, after an unknown field */
  dg = dg13_of (AB_SET (field (77, ab_utf8 ("x")),
                        field (13, AB_SEQ (ab_utf8 ("ok"), ab_utf8 ("\xFF")))), &len);
  expect_malformed (dg, len);
  free (dg);
  /* duplicated field number */
  dg = dg13_of (AB_SET (field (2, ab_utf8 ("A")), field (2, ab_utf8 ("B"))), &len);
  expect_malformed (dg, len);
  free (dg);
  /* negative field number */
  dg = dg13_of (AB_SET (field (-1, ab_utf8 ("A"))), &len);
  expect_malformed (dg, len);
  free (dg);
}

static void
test_dates (void **state)
{
  (void) state;
  char out[11];
  struct { const char *in, *want; } ok[] = {
    { "01/02/1999", "1999-02-01" }, { "01021999", "1999-02-01" },
    { "19990201", "1999-02-01" },   { "1999-02-01", "1999-02-01" },
    { "01-02-1999", "1999-02-01" }, { "01.02.1999", "1999-02-01" },
    { "29/02/2000", "2000-02-29" }, { " 31/12/2024 ", "2024-12-31" },
  };
  for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
    {
      assert_int_equal (mc_lds_normalise_date (ok[i].in, out), 0);
      assert_string_equal (out, ok[i].want);
    }
  const char *bad[] = { "", "29/02/1900", "31/04/2020", "1/2/1999", "00/01/2000",
                        "32012000", "2000/13/01", "Không thời hạn", "01/02/99",
                        "01/02-1999", "0102199x" };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    assert_int_not_equal (mc_lds_normalise_date (bad[i], out), 0);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_full_2021),
    cmocka_unit_test (test_shuffled_2024),
    cmocka_unit_test (test_bare_set),
    cmocka_unit_test (test_malformed),
    cmocka_unit_test (test_dates),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
