/* test-units.c — motcua-units: 2025 codes, legacy mapping, free-text
 * addresses, malformed CSV.  Expected codes were read from
 * data/codes/units-2025.csv and units-legacy-to-2025.csv. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <glib.h>
#include <glib/gstdio.h>

#include "motcua-units.h"

static MotcuaUnits *units;

static int
setup (void **state)
{
  (void) state;
  const char *root = g_getenv ("MOTCUA_SOURCE_ROOT");
  if (root == NULL)
    return -1;
  g_autofree char *dir = g_build_filename (root, "data", "codes", NULL);
  g_autoptr (GError) error = NULL;
  units = motcua_units_load (dir, &error);
  if (units == NULL)
    {
      g_printerr ("load: %s\n", error->message);
      return -1;
    }
  return 0;
}

static int
teardown (void **state)
{
  (void) state;
  g_clear_pointer (&units, motcua_units_free);
  return 0;
}

static void
test_lookups (void **state)
{
  (void) state;
  assert_string_equal (motcua_units_province_name (units, "01"), "Thành phố Hà Nội");
  assert_string_equal (motcua_units_province_name (units, "24"), "Tỉnh Bắc Ninh");
  assert_null (motcua_units_province_name (units, "02"));
  assert_null (motcua_units_province_name (units, NULL));

  const MotcuaUnitsCommune *c = motcua_units_commune (units, "00004");
  assert_non_null (c);
  assert_string_equal (c->code, "00004");
  assert_string_equal (c->name, "Phường Ba Đình");
  assert_string_equal (c->type, "phường");
  assert_string_equal (c->province_code, "01");
  c = motcua_units_commune (units, "26732");
  assert_non_null (c);
  assert_string_equal (c->name, "Đặc khu Côn Đảo");
  assert_string_equal (c->type, "đặc khu");
  assert_string_equal (c->province_code, "79");
  assert_null (motcua_units_commune (units, "99999"));

  assert_true (motcua_units_commune_in_province (units, "07210", "24"));
  assert_false (motcua_units_commune_in_province (units, "07210", "01"));
  assert_false (motcua_units_commune_in_province (units, "99999", "01"));
  assert_false (motcua_units_commune_in_province (units, "00004", NULL));
}

static void
test_legacy_codes (void **state)
{
  (void) state;
  gboolean split = TRUE;
  /* Phường Phúc Xá (Quận Ba Đình) → Phường Hồng Hà, whole. */
  g_auto (GStrv) one = motcua_units_from_legacy (units, "00001", &split);
  assert_non_null (one);
  assert_int_equal (g_strv_length (one), 1);
  assert_string_equal (one[0], "00097");
  assert_false (split);

  /* Phường Cống Vị: split between Ngọc Hà and Giảng Võ. */
  g_auto (GStrv) two = motcua_units_from_legacy (units, "00007", &split);
  assert_non_null (two);
  assert_int_equal (g_strv_length (two), 2);
  assert_string_equal (two[0], "00008");
  assert_string_equal (two[1], "00025");
  assert_true (split);

  /* Phường Điện Biên: four candidates. */
  g_auto (GStrv) four = motcua_units_from_legacy (units, "00019", NULL);
  assert_int_equal (g_strv_length (four), 4);

  assert_null (motcua_units_from_legacy (units, "99998", &split));
  assert_false (split);
  assert_null (motcua_units_from_legacy (units, "", NULL));
}

static MotcuaUnitsAddressMatch *
match (const char *text, MotcuaUnitsConfidence want)
{
  MotcuaUnitsAddressMatch *m = motcua_units_match_address (units, text);
  assert_non_null (m);
  assert_non_null (m->candidates);
  if (m->confidence != want)
    fail_msg ("\"%s\": confidence %d, expected %d (commune %s, %u candidates)", text,
              m->confidence, want, m->commune_code ? m->commune_code : "-", m->candidates->len);
  return m;
}

static void
assert_found (const char *text, MotcuaUnitsConfidence want, const char *province,
              const char *commune, const char *detail)
{
  g_autoptr (MotcuaUnitsAddressMatch) m = match (text, want);
  assert_string_equal (m->province_code, province);
  assert_string_equal (m->commune_code, commune);
  assert_string_equal (m->detail, detail);
  assert_int_equal (m->candidates->len, 1);
  assert_string_equal (m->candidates->pdata[0], commune);
}

static void
test_address_2025 (void **state)
{
  (void) state;
  assert_found ("Số 12 ngõ 5, Phường Ba Đình, Thành phố Hà Nội", MOTCUA_UNITS_MATCH_EXACT, "01",
                "00004", "Số 12 ngõ 5");
  assert_found ("Phường Ba Đình, Hà Nội", MOTCUA_UNITS_MATCH_EXACT, "01", "00004", "");
  /* Abbreviations, case, extra blanks, NFD, trailing country. */
  assert_found ("  Tổ 1 ,P. Ba Đình,TP. Hà Nội , Việt Nam", MOTCUA_UNITS_MATCH_EXACT, "01", "00004",
                "Tổ 1");
  assert_found ("so 3, phuong ba dinh, thanh pho ha noi", MOTCUA_UNITS_MATCH_EXACT, "01", "00004",
                "so 3");
  g_autofree char *nfd = g_utf8_normalize ("Thôn Đông, ĐẶC KHU CÔN ĐẢO, TP Hồ Chí Minh", -1,
                                           G_NORMALIZE_NFD);
  assert_found (nfd, MOTCUA_UNITS_MATCH_EXACT, "79", "26732", "Thôn Đông");
  assert_found ("Đặc khu Côn Đảo, TP.HCM", MOTCUA_UNITS_MATCH_EXACT, "79", "26732", "");
  /* Hyphens: old "Tỉnh Bà Rịa - Vũng Tàu" written without spaces (Huyện Côn Đảo's
   * district-level row has no commune; Côn Đảo is matched as a 2025 commune). */
  assert_found ("Đặc khu Côn Đảo, Bà Rịa-Vũng Tàu", MOTCUA_UNITS_MATCH_EXACT, "79", "26732", "");
  /* A 2025 commune under its former (pre-2025) province. */
  assert_found ("Phường Bắc Giang, Tỉnh Bắc Giang", MOTCUA_UNITS_MATCH_EXACT, "24", "07210", "");
}

static void
test_address_legacy (void **state)
{
  (void) state;
  /* Phường Trúc Bạch (old 00004) → Phường Ba Đình 00004. */
  assert_found ("Số 12 ngõ 5, Phường Trúc Bạch, Quận Ba Đình, Thành phố Hà Nội",
                MOTCUA_UNITS_MATCH_LEGACY_UNIQUE, "01", "00004", "Số 12 ngõ 5");
  assert_found ("Thôn 3, P. Phúc Xá, Q. Ba Đình, Hà Nội", MOTCUA_UNITS_MATCH_LEGACY_UNIQUE, "01",
                "00097", "Thôn 3");
  /* District without its type word. */
  assert_found ("Phúc Xá, Ba Đình, Hà Nội", MOTCUA_UNITS_MATCH_LEGACY_UNIQUE, "01", "00097", "");
  assert_found ("Phuc Xa, Ba Dinh, Ha Noi", MOTCUA_UNITS_MATCH_LEGACY_UNIQUE, "01", "00097", "");
  /* Old province merged into another: Bắc Giang → Bắc Ninh (24). */
  assert_found ("Phường Thọ Xương, Thành phố Bắc Giang, Tỉnh Bắc Giang",
                MOTCUA_UNITS_MATCH_LEGACY_UNIQUE, "24", "07210", "");
  /* Numbered ward, leading zero: Phường 1, Thành phố Đông Hà (old Quảng Trị) → 19333. */
  assert_found ("Khu phố 2, Phường 01, TP. Đông Hà, Quảng Trị", MOTCUA_UNITS_MATCH_LEGACY_UNIQUE,
                "44", "19333", "Khu phố 2");
  /* Same-named old communes told apart by the district. */
  assert_found ("Xã Tân Minh, Huyện Sóc Sơn, Hà Nội", MOTCUA_UNITS_MATCH_LEGACY_UNIQUE, "01",
                "00376", "");
  assert_found ("Xã Tân Minh, Huyện Thường Tín, Hà Nội", MOTCUA_UNITS_MATCH_LEGACY_UNIQUE, "01",
                "10231", "");
}

static void
test_address_ambiguous (void **state)
{
  (void) state;
  /* Without the district: two old communes named Tân Minh. */
  g_autoptr (MotcuaUnitsAddressMatch) a = match ("Xã Tân Minh, Hà Nội", MOTCUA_UNITS_MATCH_AMBIGUOUS);
  assert_null (a->commune_code);
  assert_string_equal (a->province_code, "01");
  assert_int_equal (a->candidates->len, 2);
  assert_string_equal (a->candidates->pdata[0], "00376");
  assert_string_equal (a->candidates->pdata[1], "10231");

  /* A split old commune: Phường Cống Vị → 00008 or 00025. */
  g_autoptr (MotcuaUnitsAddressMatch) b
    = match ("Số 1, Phường Cống Vị, Quận Ba Đình, Hà Nội", MOTCUA_UNITS_MATCH_AMBIGUOUS);
  assert_null (b->commune_code);
  assert_string_equal (b->detail, "Số 1");
  assert_int_equal (b->candidates->len, 2);
  assert_string_equal (b->candidates->pdata[0], "00008");
  assert_string_equal (b->candidates->pdata[1], "00025");

  /* Wrong type word (Phúc Xá was a phường): one candidate, to confirm. */
  g_autoptr (MotcuaUnitsAddressMatch) c
    = match ("Thôn 3, Xã Phúc Xá, Quận Ba Đình, Hà Nội", MOTCUA_UNITS_MATCH_AMBIGUOUS);
  assert_null (c->commune_code);
  assert_string_equal (c->detail, "Thôn 3");
  assert_int_equal (c->candidates->len, 1);
  assert_string_equal (c->candidates->pdata[0], "00097");

  /* District written does not hold the commune: the province-wide match is
   * offered for confirmation only. */
  g_autoptr (MotcuaUnitsAddressMatch) d
    = match ("Phường Phúc Xá, Quận Hoàn Kiếm, Hà Nội", MOTCUA_UNITS_MATCH_AMBIGUOUS);
  assert_int_equal (d->candidates->len, 1);
  assert_string_equal (d->candidates->pdata[0], "00097");
}

static void
test_address_none (void **state)
{
  (void) state;
  const char *texts[] = { "", ",,, ", "Số 5, Phố Huế", "Thôn 3, Xã Không Có, Tỉnh Không Có",
                          "Việt Nam", "\xff\xfe, Hà Nội" };
  for (guint i = 0; i < G_N_ELEMENTS (texts); i++)
    {
      g_autoptr (MotcuaUnitsAddressMatch) m = match (texts[i], MOTCUA_UNITS_MATCH_NONE);
      assert_null (m->commune_code);
      assert_null (m->detail);
      assert_int_equal (m->candidates->len, 0);
    }
  /* Province known, commune not. */
  g_autoptr (MotcuaUnitsAddressMatch) m
    = match ("Thôn 3, Xã Không Có Thật, Hà Nội", MOTCUA_UNITS_MATCH_NONE);
  assert_string_equal (m->province_code, "01");
  assert_null (m->commune_code);
  assert_int_equal (m->candidates->len, 0);
}

/* Writes a codes directory with @units_2025 and a valid one-row legacy file
 * (or @legacy) and returns the load error. */
static GError *
load_error (const char *units_2025, const char *legacy)
{
  g_autoptr (GError) tmp_error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("motcua-units-XXXXXX", &tmp_error);
  assert_non_null (dir);
  g_autofree char *a = g_build_filename (dir, "units-2025.csv", NULL);
  g_autofree char *b = g_build_filename (dir, "units-legacy-to-2025.csv", NULL);
  const char *h1 = "province_code,province_name,commune_code,commune_name,commune_type\n";
  const char *h2 = "old_province_code,old_province_name,old_district_code,old_district_name,"
                   "old_commune_code,old_commune_name,new_province_code,new_commune_code,split,note\n";
  g_autofree char *ta = g_strconcat (h1, units_2025, NULL);
  g_autofree char *tb = g_strconcat (h2, legacy ? legacy
                                     : "01,Thành phố Hà Nội,001,Quận Ba Đình,00004,"
                                       "Phường Trúc Bạch,01,00004,0,\"a, b \"\"c\"\"\"\n", NULL);
  assert_true (g_file_set_contents (a, ta, -1, NULL));
  assert_true (g_file_set_contents (b, tb, -1, NULL));
  GError *error = NULL;
  MotcuaUnits *u = motcua_units_load (dir, &error);
  if (u != NULL)
    {
      /* The valid case: the quoted note was parsed. */
      g_auto (GStrv) codes = motcua_units_from_legacy (u, "00004", NULL);
      assert_non_null (codes);
      assert_string_equal (codes[0], "00004");
      motcua_units_free (u);
    }
  g_unlink (a);
  g_unlink (b);
  g_rmdir (dir);
  return error;
}

static void
assert_malformed (const char *units_2025, const char *legacy, const char *where)
{
  g_autoptr (GError) e = load_error (units_2025, legacy);
  if (e == NULL)
    fail_msg ("loaded: %s / %s", units_2025, legacy ? legacy : "-");
  assert_true (g_error_matches (e, MOTCUA_UNITS_ERROR, MOTCUA_UNITS_ERROR_MALFORMED));
  if (strstr (e->message, where) == NULL)
    fail_msg ("message \"%s\" lacks \"%s\"", e->message, where);
}

static void
test_malformed (void **state)
{
  (void) state;
  const char *ok = "01,Thành phố Hà Nội,00004,Phường Ba Đình,phường\n";
  g_autoptr (GError) none = load_error (ok, NULL);
  assert_null (none);
  /* Quoted fields and CRLF line ends are fine. */
  g_autoptr (GError) none2 = load_error ("01,\"Thành phố Hà Nội\",00004,\"Phường Ba Đình\",phường\r\n", NULL);
  assert_null (none2);

  assert_malformed ("01,Thành phố Hà Nội,00004,Phường Ba Đình\n", NULL, "units-2025.csv, dòng 2");
  assert_malformed ("01,Thành phố Hà Nội,00004,\"Phường Ba Đình,phường\n", NULL, "dòng 2");
  assert_malformed ("01,Thành phố Hà Nội,00004,\"Phường\" Ba Đình,phường\n", NULL, "dòng 2");
  assert_malformed ("01,Thành phố Hà Nội,00004,Phường \"Ba\" Đình,phường\n", NULL, "dòng 2");
  assert_malformed ("1,Thành phố Hà Nội,00004,Phường Ba Đình,phường\n", NULL, "dòng 2");
  assert_malformed ("01,Thành phố Hà Nội,00004,Phường Ba Đình,quận\n", NULL, "dòng 2");
  assert_malformed ("01,Thành phố Hà Nội,00004,Phường Ba Đình,phường\n"
                    "01,Thành phố Hà Nội,00004,Phường Ba Đình,phường\n", NULL, "dòng 3");
  assert_malformed ("01,Thành phố Hà Nội,00004,Phường Ba \xff Đình,phường\n", NULL, "UTF-8");
  /* Legacy: unknown new commune, bad split. */
  assert_malformed (ok, "01,Thành phố Hà Nội,001,Quận Ba Đình,00004,Phường Trúc Bạch,01,00005,0,\n",
                    "units-legacy-to-2025.csv, dòng 2");
  assert_malformed (ok, "01,Thành phố Hà Nội,001,Quận Ba Đình,00004,Phường Trúc Bạch,01,00004,2,\n",
                    "dòng 2");

  g_autoptr (GError) io = NULL;
  assert_null (motcua_units_load ("/nonexistent-motcua-dir", &io));
  assert_true (g_error_matches (io, MOTCUA_UNITS_ERROR, MOTCUA_UNITS_ERROR_IO));
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_lookups),
    cmocka_unit_test (test_legacy_codes),
    cmocka_unit_test (test_address_2025),
    cmocka_unit_test (test_address_legacy),
    cmocka_unit_test (test_address_ambiguous),
    cmocka_unit_test (test_address_none),
    cmocka_unit_test (test_malformed),
  };
  return cmocka_run_group_tests (tests, setup, teardown);
}
