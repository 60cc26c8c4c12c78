/* test-text.c — motcua-text: NFC, name keys, numbers and dates in words */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <glib.h>

#include "motcua-text.h"

/* NFD of a literal, for inputs that must arrive decomposed. */
static char *
nfd (const char *s)
{
  return g_utf8_normalize (s, -1, G_NORMALIZE_NFD);
}

static void
assert_names_equal (const char *a, const char *b)
{
  if (!motcua_text_names_equal (a, b))
    {
      g_autofree char *ka = motcua_text_name_key (a);
      g_autofree char *kb = motcua_text_name_key (b);
      fail_msg ("expected equal: \"%s\" (key \"%s\") vs \"%s\" (key \"%s\")", a,
                ka ? ka : "(null)", b, kb ? kb : "(null)");
    }
}

static void
assert_names_differ (const char *a, const char *b)
{
  if (motcua_text_names_equal (a, b))
    fail_msg ("expected different: \"%s\" vs \"%s\"", a, b);
}

static void
test_nfc (void **state)
{
  (void) state;
  g_autofree char *d = nfd ("Nguyễn Thị Hoà");
  g_autofree char *c = motcua_text_nfc (d);

  assert_int_not_equal (strlen (d), strlen ("Nguyễn Thị Hoà"));
  assert_string_equal (c, "Nguyễn Thị Hoà");
  assert_null (motcua_text_nfc ("ab\xff"));
  assert_null (motcua_text_nfc ("\xc3"));
  g_autofree char *empty = motcua_text_nfc ("");
  assert_string_equal (empty, "");
}

static void
test_tone_placement_pairs (void **state)
{
  (void) state;
  static const char *const pairs[][2] = {
    { "hòa", "hoà" },   { "Thủy", "Thuỷ" }, { "khỏe", "khoẻ" }, { "hóa", "hoá" },
    { "òa", "oà" },     { "ùy", "uỳ" },     { "Thụy", "Thuỵ" }, { "Khóa", "Khoá" },
    { "Lòe", "Loè" },   { "Xòe", "Xoè" },   { "Tỏa", "Toả" },   { "Thọa", "Thoạ" },
    { "Hũy", "Huỹ" },   { "quí", "quý" },   { "Quì", "Quỳ" },   { "quít", "quýt" },
    /* misplaced marks are moved too */
    { "hoàng", "hòang" }, { "Nguyễn", "Nguỹên" }, { "Thùy", "Thuỳ" },
    { "khoái", "khóai" }, { "khuỷu", "khủyu" }, { "Tuần", "Tùân" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (pairs); i++)
    assert_names_equal (pairs[i][0], pairs[i][1]);

  assert_names_equal ("Nguyễn Thị Thu Hòa", "Nguyễn Thị Thu Hoà");
  assert_names_equal ("Lê Thị Thủy Tiên", "Lê Thị Thuỷ Tiên");
  assert_names_equal ("Trần Quí", "Trần Quý");
}

/* Words whose placement is already fixed must keep it. */
static void
test_canonical_keys (void **state)
{
  (void) state;
  static const char *const cases[][2] = {
    { "Hòa", "hoà" },           { "THỦY", "thuỷ" },       { "quí", "quý" },
    { "mùa", "mùa" },           { "Hoàng", "hoàng" },     { "Huỳnh", "huỳnh" },
    { "Trường", "trường" },     { "Nguyễn", "nguyễn" },   { "gì", "gì" },
    { "Giàu", "giàu" },         { "giữa", "giữa" },       { "Khuyến", "khuyến" },
    { "Quốc", "quốc" },         { "rượu", "rượu" },       { "hữu", "hữu" },
    { "Đặng", "đặng" },         { "H'Hen Niê", "h'hen niê" }, { "Quỳnh", "quỳnh" },
    { "ngoáy", "ngoáy" },       { "Ksor", "ksor" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *k = motcua_text_name_key (cases[i][0]);
      assert_non_null (k);
      if (strcmp (k, cases[i][1]) != 0)
        fail_msg ("key of \"%s\": \"%s\", expected \"%s\"", cases[i][0], k, cases[i][1]);
      g_autofree char *nfc = g_utf8_normalize (k, -1, G_NORMALIZE_NFC);
      assert_string_equal (k, nfc);
    }
}

static void
test_different_names (void **state)
{
  (void) state;
  static const char *const pairs[][2] = {
    { "Hòa", "Hoa" },     { "Thủy", "Thùy" },   { "Thuỷ", "Thuỳ" },  { "Hoà", "Hoá" },
    { "Hòa", "Hóa" },     { "Thủy", "Thuy" },   { "Vy", "Vi" },      { "Thy", "Thi" },
    { "Ly", "Li" },       { "Mùa", "Mua" },     { "Tuấn", "Tuân" },  { "Hương", "Hưởng" },
    { "Nguyễn Văn An", "Nguyễn Văn Anh" },      { "Trần Thị Mai", "Trần Mai" },
    { "Lê Hòa", "Lê Hoà Bình" },                { "Đào", "Dao" },    { "Ân", "An" },
    { "Quý", "Quy" },     { "Quí", "Qui" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (pairs); i++)
    assert_names_differ (pairs[i][0], pairs[i][1]);
  assert_names_equal ("Qui", "Quy");
}

static void
test_nfd_equals_nfc (void **state)
{
  (void) state;
  static const char *const names[] = {
    "Nguyễn Thị Thu Hòa", "Phạm Thuỷ Tiên", "Đặng Quốc Khánh", "Hoàng Ngọc Quý",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *d = nfd (names[i]);
      assert_string_not_equal (d, names[i]);
      assert_names_equal (d, names[i]);
    }
  /* NFD, old style vs NFC, new style */
  g_autofree char *d = nfd ("Nguyễn Thị Thủy");
  assert_names_equal (d, "Nguyễn Thị Thuỷ");
  /* a misordered NFD (tone before shape mark) of "ộ" */
  assert_names_equal ("Ho\xcc\x82\xcc\xa3", "Hộ");
}

static void
test_case_and_space (void **state)
{
  (void) state;
  assert_names_equal ("  NGUYỄN   văn\tHÙNG \n", "Nguyễn Văn Hùng");
  assert_names_equal ("nguyễn thị hoà", "NGUYỄN THỊ HÒA");
  assert_names_equal ("Đỗ  Thị\u00a0Lan", "đỗ thị lan");

  g_autofree char *k = motcua_text_name_key ("  Trần   Thị  THỦY  ");
  assert_string_equal (k, "trần thị thuỷ");
  g_autofree char *e = motcua_text_name_key ("   ");
  assert_string_equal (e, "");

  assert_names_differ ("NguyễnVăn", "Nguyễn Văn");
}

static void
test_invalid_utf8 (void **state)
{
  (void) state;
  assert_null (motcua_text_name_key ("Ho\xc3"));
  assert_false (motcua_text_names_equal ("Ho\xc3", "Ho\xc3"));
  assert_false (motcua_text_names_equal ("Hoa", "\xff"));
}

static void
test_numbers (void **state)
{
  (void) state;
  static const struct
  {
    guint64 n;
    const char *words;
  } cases[] = {
    { 0, "không" },
    { 1, "một" },
    { 4, "bốn" },
    { 5, "năm" },
    { 10, "mười" },
    { 11, "mười một" },
    { 14, "mười bốn" },
    { 15, "mười lăm" },
    { 20, "hai mươi" },
    { 21, "hai mươi mốt" },
    { 24, "hai mươi tư" },
    { 25, "hai mươi lăm" },
    { 31, "ba mươi mốt" },
    { 99, "chín mươi chín" },
    { 100, "một trăm" },
    { 101, "một trăm linh một" },
    { 104, "một trăm linh bốn" },
    { 105, "một trăm linh năm" },
    { 110, "một trăm mười" },
    { 115, "một trăm mười lăm" },
    { 1000, "một nghìn" },
    { 1001, "một nghìn không trăm linh một" },
    { 1010, "một nghìn không trăm mười" },
    { 1975, "một nghìn chín trăm bảy mươi lăm" },
    { 2000, "hai nghìn" },
    { 2005, "hai nghìn không trăm linh năm" },
    { 2026, "hai nghìn không trăm hai mươi sáu" },
    { 10000, "mười nghìn" },
    { 21000, "hai mươi mốt nghìn" },
    { 1000000, "một triệu" },
    { 1000005, "một triệu không trăm linh năm" },
    { 1005000, "một triệu không trăm linh năm nghìn" },
    { 1000000000, "một tỷ" },
    { 1000000001, "một tỷ không trăm linh một" },
    { 2500000000, "hai tỷ năm trăm triệu" },
    { 1000000000000, "một nghìn tỷ" },
    { G_GUINT64_CONSTANT (1000000000000000000), "một tỷ tỷ" },
    /* the count of tỷ is read with the same rules: (18 tỷ 446 triệu … 73) tỷ */
    { G_MAXUINT64, "mười tám tỷ bốn trăm bốn mươi sáu triệu bảy trăm bốn mươi tư "
                   "nghìn không trăm bảy mươi ba tỷ bảy trăm linh chín triệu năm trăm "
                   "năm mươi mốt nghìn sáu trăm mười lăm" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *w = motcua_text_number_in_words (cases[i].n);
      if (strcmp (w, cases[i].words) != 0)
        fail_msg ("%" G_GUINT64_FORMAT ": \"%s\", expected \"%s\"", cases[i].n, w,
                  cases[i].words);
      g_autofree char *nfc = g_utf8_normalize (w, -1, G_NORMALIZE_NFC);
      assert_string_equal (w, nfc);
    }
}

static void
test_dates (void **state)
{
  (void) state;
  static const struct
  {
    guint day, month, year;
    const char *words;
  } cases[] = {
    { 21, 11, 2026, "Ngày hai mươi mốt, tháng mười một, năm hai nghìn không trăm hai mươi sáu" },
    { 9, 11, 2026, "Ngày chín, tháng mười một, năm hai nghìn không trăm hai mươi sáu" },
    { 15, 3, 2025, "Ngày mười lăm, tháng ba, năm hai nghìn không trăm hai mươi lăm" },
    { 1, 1, 2000, "Ngày một, tháng một, năm hai nghìn" },
    { 4, 4, 2024, "Ngày bốn, tháng tư, năm hai nghìn không trăm hai mươi tư" },
    { 24, 12, 1999, "Ngày hai mươi tư, tháng mười hai, năm một nghìn chín trăm chín mươi chín" },
    { 10, 10, 2010, "Ngày mười, tháng mười, năm hai nghìn không trăm mười" },
    { 31, 5, 2005, "Ngày ba mươi mốt, tháng năm, năm hai nghìn không trăm linh năm" },
    { 29, 2, 2028, "Ngày hai mươi chín, tháng hai, năm hai nghìn không trăm hai mươi tám" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GDate) d = g_date_new_dmy (cases[i].day, cases[i].month, cases[i].year);
      g_autofree char *w = motcua_text_date_in_words (d);
      assert_non_null (w);
      assert_string_equal (w, cases[i].words);
    }

  GDate invalid;
  g_date_clear (&invalid, 1);
  assert_null (motcua_text_date_in_words (&invalid));
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_nfc),
    cmocka_unit_test (test_tone_placement_pairs),
    cmocka_unit_test (test_canonical_keys),
    cmocka_unit_test (test_different_names),
    cmocka_unit_test (test_nfd_equals_nfc),
    cmocka_unit_test (test_case_and_space),
    cmocka_unit_test (test_invalid_utf8),
    cmocka_unit_test (test_numbers),
    cmocka_unit_test (test_dates),
  };
  return cmocka_run_group_tests_name ("text", tests, NULL, NULL);
}
