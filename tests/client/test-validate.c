/* test-validate.c — motcua-validate: the reference service's two valid
 * samples (tests/refsvc/samples, dates moved relative to today so the test
 * does not age) give no ERROR; broken variants give the expected path and
 * code; normalisation; the household members' list; client warnings. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <glib.h>

#include "motcua-dossier.h"
#include "motcua-validate.h"

static MotcuaUnits *units;

static int
setup (void **state)
{
  (void) state;
  const char *root = g_getenv ("MOTCUA_SOURCE_ROOT");
  if (root == NULL)
    return -1;
  g_autofree char *dir = g_build_filename (root, "data", "codes", NULL);
  units = motcua_units_load (dir, NULL);
  return units ? 0 : -1;
}

static int
teardown (void **state)
{
  (void) state;
  g_clear_pointer (&units, motcua_units_free);
  return 0;
}

/* today + @days in dd.MM.yyyy (or yyyyMMdd). */
static char *
day (int days, gboolean ymd)
{
  g_autoptr (GTimeZone) tz = g_time_zone_new_offset (7 * 3600);
  g_autoptr (GDateTime) now = g_date_time_new_now (tz);
  g_autoptr (GDateTime) d = g_date_time_add_days (now, days);
  return g_date_time_format (d, ymd ? "%Y%m%d" : "%d.%m.%Y");
}

/* A sample wrapped as a dossier file, its event dates moved near today. */
static MotcuaDossier *
sample (const char *name)
{
  g_autofree char *path = g_build_filename (g_getenv ("MOTCUA_SOURCE_ROOT"), "tests", "refsvc",
                                            "samples", name, NULL);
  g_autofree char *payload = NULL;
  assert_true (g_file_get_contents (path, &payload, NULL, NULL));
  gboolean birth = g_str_has_prefix (name, "birth");
  g_autofree char *file = g_strdup_printf ("{\"format\":\"motcua-dossier/1\",\"procedure\":\"%s\","
                                           "\"payload\":%s}", birth ? "birth" : "death", payload);
  g_autoptr (GError) error = NULL;
  MotcuaDossier *d = motcua_dossier_new_from_data (file, strlen (file), &error);
  assert_non_null (d);
  struct { const char *path; int days; gboolean ymd; } moves[] = {
    { "/khaiSinh/nksNgaySinh", -14, FALSE }, { "/khaiSinh/ngayCapGCS", -13, TRUE },
    { "/ngayLap", -3, FALSE }, { "/khaiTu/nktNgayChet", -5, FALSE },
    { "/khaiTu/ngayCapGBT", -5, TRUE }, { "/maiTang/thoiGianMaiTang", -3, FALSE },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (moves); i++)
    if (motcua_dossier_get (d, moves[i].path) != NULL)
      {
        g_autofree char *v = day (moves[i].days, moves[i].ymd);
        motcua_dossier_set_string (d, moves[i].path, v, MOTCUA_SOURCE_CLERK, NULL);
      }
  if (birth)
    motcua_dossier_remove (d, "/khaiSinh/nksNgaySinhBangChu");
  return d;
}

static void
dump (GPtrArray *problems)
{
  for (guint i = 0; i < problems->len; i++)
    {
      MotcuaProblem *p = problems->pdata[i];
      g_printerr ("  %s %s %s: %s\n", p->severity == MOTCUA_SEVERITY_ERROR ? "ERROR" : "warning",
                  p->path, p->code, p->message);
    }
}

static const MotcuaProblem *
find (GPtrArray *problems, const char *path, const char *code)
{
  for (guint i = 0; i < problems->len; i++)
    {
      MotcuaProblem *p = problems->pdata[i];
      if (g_str_equal (p->path, path) && g_str_equal (p->code, code))
        return p;
    }
  return NULL;
}

static void
test_samples_valid (void **state)
{
  (void) state;
  const char *names[] = { "birth-valid.json", "death-valid.json" };
  for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autoptr (MotcuaDossier) d = sample (names[i]);
      g_autoptr (GPtrArray) p = motcua_validate_dossier (d, units);
      if (motcua_validate_has_errors (p))
        {
          dump (p);
          fail_msg ("%s has errors", names[i]);
        }
    }
}

typedef struct {
  const char *sample;
  const char *pointer;
  const char *json;        /* the new value; NULL removes the member */
  const char *path, *code; /* the expected ERROR */
} Variant;

static const Variant variants[] = {
  { "birth", "/khaiSinh/nksHoTen", NULL, "/khaiSinh/nksHoTen", "required" },
  { "birth", "/khaiSinh/nksHoTen", "\"Nguyễn 2 Khang\"", "/khaiSinh/nksHoTen", "format" },
  { "birth", "/khaiSinh/nksGioiTinh", "1", "/khaiSinh/nksGioiTinh", "type" },
  { "birth", "/khaiSinh/nksGioiTinh", "\"4\"", "/khaiSinh/nksGioiTinh", "code_list" },
  { "birth", "/khaiSinh/nksNgaySinh", "\"31.02.2026\"", "/khaiSinh/nksNgaySinh", "format" },
  { "birth", "/khaiSinh/nksNgaySinh", "\"01.01.2019\"", "/khaiSinh/nksNgaySinh", "consistency" },
  { "birth", "/khaiSinh/meNgaySinh", "\"14.03.1896\"", "/khaiSinh/meNgaySinh", "range" },
  { "birth", "/khaiSinh/nksDanToc", "\"77\"", "/khaiSinh/nksDanToc", "code_list" },
  { "birth", "/khaiSinh/nksQuocTich", "\"XX\"", "/khaiSinh/nksQuocTich", "code_list" },
  { "birth", "/khaiSinh/nksHoTenn", "\"A\"", "/khaiSinh/nksHoTenn", "unknown" },
  { "birth", "/khaiTu", "{}", "/khaiTu", "unknown" },
  { "birth", "/khaiSinh/nksNoiSinh/maXa", "\"14215\"", "/khaiSinh/nksNoiSinh/maXa", "consistency" },
  { "birth", "/khaiSinh/nksNoiSinh/maXa", "\"99999\"", "/khaiSinh/nksNoiSinh/maXa", "code_list" },
  { "birth", "/khaiSinh/nksNoiSinh/maHuyen", "\"271\"", "/khaiSinh/nksNoiSinh/maHuyen", "consistency" },
  { "birth", "/khaiSinh/nksNoiSinh/soNha", "\"1\"", "/khaiSinh/nksNoiSinh/soNha", "unknown" },
  { "birth", "/khaiSinh/ngayCapGCS", NULL, "/khaiSinh/ngayCapGCS", "required" },
  { "birth", "/khaiSinh/maGCS", "\"123.GCS.1001.26\"", "/khaiSinh/maGCS", "format" },
  { "birth", "/khaiSinh/meSoGiayToTuyThan", "\"00119601234\"", "/khaiSinh/meSoGiayToTuyThan", "format" },
  { "birth", "/khaiSinh/meHoTen", NULL, "/khaiSinh/meHoTen", "required" },
  { "birth", "/khaiSinh/nycSoDienThoai", "\"0912 345 678x\"", "/khaiSinh/nycSoDienThoai", "format" },
  { "birth", "/khaiSinh/nycEmail", "\"hùng@example.vn\"", "/khaiSinh/nycEmail", "format" },
  { "birth", "/khaiSinh/soLuongBanSao", "\"51\"", "/khaiSinh/soLuongBanSao", "range" },
  { "birth", "/bhyt/diaChiNhanThe", NULL, "/bhyt/diaChiNhanThe", "required" },
  { "birth", "/bhyt/noiDangKyKCB", "\"0100\"", "/bhyt/noiDangKyKCB", "format" },
  { "birth", "/thuongTru/chuHoDongY", "\"có\"", "/thuongTru/chuHoDongY", "type" },
  { "birth", "/thuongTru/noiDungDeNghi", "\"a\\u0007b\"", "/thuongTru/noiDungDeNghi", "format" },
  { "birth", "/maDonViTiepNhan", "\"0004\"", "/maDonViTiepNhan", "format" },
  { "death", "/khaiTu/nktNgayChet", "\"04.02.1948\"", "/khaiTu/nktNgayChet", "consistency" },
  { "death", "/khaiTu/maGBT", NULL, "/khaiTu/gbtLoai", "required" },
  { "death", "/khaiTu/nktGioPhutChet", "\"24:00\"", "/khaiTu/nktGioPhutChet", "format" },
  { "death", "/khaiTu/nktNguyenNhanChet", NULL, "/khaiTu/nktNguyenNhanChet", "required" },
  { "death", "/xoaThuongTru/laChuHo", "false", "/xoaThuongTru/chuHoMoi", "consistency" },
  { "death", "/xoaThuongTru/soThanhVienConLai", "101", "/xoaThuongTru/soThanhVienConLai", "range" },
  { "death", "/xoaThuongTru/chuHoMoi/soDinhDanh", "\"001048003321\"", "/xoaThuongTru/chuHoMoi/soDinhDanh", "consistency" },
  { "death", "/maiTang/taiKhoan", NULL, "/maiTang/taiKhoan", "required" },
  { "death", "/maiTang/taiKhoan/soTaiKhoan", "\"12 34\"", "/maiTang/taiKhoan/soTaiKhoan", "format" },
  { "death", "/maiTang/nguoiNhan/soGiayTo", "\"0011800098\"", "/maiTang/nguoiNhan/soGiayTo", "format" },
  { "death", "/maiTang/nguoiNhan/ngaySinh", "\"01.01.2999\"", "/maiTang/nguoiNhan/ngaySinh", "range" },
  /* The remaining members (§6.2). */
  { "death", "/xoaThuongTru/thanhVienConLai",
    "[{\"hoTen\":\"Phạm Thị Lan\",\"soDinhDanh\":\"001150001122\",\"quanHeVoiChuHoMoi\":\"Chủ hộ\"}]",
    "/xoaThuongTru/thanhVienConLai", "consistency" },
  { "death", "/xoaThuongTru/thanhVienConLai",
    "[{\"hoTen\":\"Lê Thị Mai\",\"soDinhDanh\":\"001180009876\",\"quanHeVoiChuHoMoi\":\"Con\"},"
    "{\"hoTen\":\"Lê Văn Nam\",\"soDinhDanh\":\"001185001234\",\"quanHeVoiChuHoMoi\":\"Cháu\"}]",
    "/xoaThuongTru/chuHoMoi/soDinhDanh", "consistency" },
  { "death", "/xoaThuongTru/thanhVienConLai",
    "[{\"hoTen\":\"Phạm Thị Lan\",\"soDinhDanh\":\"001150001122\",\"quanHeVoiChuHoMoi\":\"Chủ hộ\"},"
    "{\"hoTen\":\"Lê Thị Mai\",\"soDinhDanh\":\"00118000987\",\"quanHeVoiChuHoMoi\":\"Con\"}]",
    "/xoaThuongTru/thanhVienConLai/1/soDinhDanh", "format" },
  { "death", "/xoaThuongTru/thanhVienConLai",
    "[{\"hoTen\":\"Phạm Thị Lan\",\"soDinhDanh\":\"001150001122\",\"quanHeVoiChuHoMoi\":\"Chủ hộ\"},"
    "{\"hoTen\":\"Lê Thị Mai\",\"soDinhDanh\":\"001180009876\",\"quanHe\":\"Con\"}]",
    "/xoaThuongTru/thanhVienConLai/1/quanHe", "unknown" },
  { "death", "/xoaThuongTru/thanhVienConLai", "{}", "/xoaThuongTru/thanhVienConLai", "type" },
  { "death", "/xoaThuongTru/thanhVienConLai", "[1,{}]", "/xoaThuongTru/thanhVienConLai/0", "type" },
};

static void
test_variants (void **state)
{
  (void) state;
  for (gsize i = 0; i < G_N_ELEMENTS (variants); i++)
    {
      const Variant *v = &variants[i];
      g_autofree char *name = g_strconcat (v->sample, "-valid.json", NULL);
      g_autoptr (MotcuaDossier) d = sample (name);
      if (v->json == NULL)
        assert_true (motcua_dossier_remove (d, v->pointer));
      else
        {
          g_autoptr (JsonParser) parser = json_parser_new ();
          assert_true (json_parser_load_from_data (parser, v->json, -1, NULL));
          motcua_dossier_set (d, v->pointer, json_parser_get_root (parser), MOTCUA_SOURCE_CLERK, NULL);
        }
      g_autoptr (GPtrArray) p = motcua_validate_dossier (d, units);
      const MotcuaProblem *found = find (p, v->path, v->code);
      if (found == NULL || found->severity != MOTCUA_SEVERITY_ERROR)
        {
          dump (p);
          fail_msg ("variant %zu (%s = %s): no ERROR %s at %s", i, v->pointer,
                    v->json ? v->json : "removed", v->code, v->path);
        }
      /* Errors come first. */
      gboolean warned = FALSE;
      for (guint k = 0; k < p->len; k++)
        {
          MotcuaProblem *q = p->pdata[k];
          assert_false (warned && q->severity == MOTCUA_SEVERITY_ERROR);
          warned = q->severity == MOTCUA_SEVERITY_WARNING;
        }
    }
}

static void
test_members_ok (void **state)
{
  (void) state;
  g_autoptr (MotcuaDossier) d = sample ("death-valid.json");
  g_autoptr (JsonParser) parser = json_parser_new ();
  assert_true (json_parser_load_from_data (parser,
    "[{\"hoTen\":\"Phạm Thị Lan\",\"soDinhDanh\":\"001150001122\",\"quanHeVoiChuHoMoi\":\"Chủ hộ\"},"
    "{\"hoTen\":\"Lê Thị Mai\",\"soDinhDanh\":\"001180009876\",\"quanHeVoiChuHoMoi\":\"Con\"}]", -1, NULL));
  motcua_dossier_set (d, "/xoaThuongTru/thanhVienConLai", json_parser_get_root (parser),
                      MOTCUA_SOURCE_CLERK, NULL);
  g_autoptr (GPtrArray) p = motcua_validate_dossier (d, units);
  if (motcua_validate_has_errors (p))
    {
      dump (p);
      fail ();
    }
}

static void
test_normalize (void **state)
{
  (void) state;
  g_autoptr (MotcuaDossier) d = sample ("birth-valid.json");
  g_autofree char *birth = day (-14, FALSE);
  g_autofree char *loose = g_strdup_printf (" %d/%d/%s ", atoi (birth), atoi (birth + 3), birth + 6);
  motcua_dossier_set_string (d, "/khaiSinh/nksNgaySinh", loose, MOTCUA_SOURCE_CLERK, NULL);
  motcua_dossier_set_string (d, "/khaiSinh/nycSoDienThoai", "+84 912 345 678", MOTCUA_SOURCE_CLERK, NULL);
  motcua_dossier_set_string (d, "/khaiSinh/nksHoTen", "  Nguyễn  Minh Khang ", MOTCUA_SOURCE_CARD, "x");
  motcua_dossier_set_string (d, "/khaiSinh/maGCS", "00123.gcs.01001.26", MOTCUA_SOURCE_CLERK, NULL);
  g_autoptr (GPtrArray) p = motcua_validate_dossier (d, units);
  if (motcua_validate_has_errors (p))
    {
      dump (p);
      fail ();
    }
  assert_string_equal (motcua_dossier_get_string (d, "/khaiSinh/nksNgaySinh"), birth);
  assert_string_equal (motcua_dossier_get_string (d, "/khaiSinh/nycSoDienThoai"), "0912345678");
  assert_string_equal (motcua_dossier_get_string (d, "/khaiSinh/nksHoTen"), "Nguyễn Minh Khang");
  assert_string_equal (motcua_dossier_get_string (d, "/khaiSinh/maGCS"), "00123.GCS.01001.26");
  /* Normalising keeps the field's source. */
  assert_int_equal (motcua_dossier_get_source (d, "/khaiSinh/nksHoTen", NULL), MOTCUA_SOURCE_CARD);
}

static void
test_warnings (void **state)
{
  (void) state;
  g_autoptr (MotcuaDossier) d = sample ("death-valid.json");
  assert_true (motcua_dossier_remove (d, "/xoaThuongTru/chuHoMoi"));
  /* An unsettled conflict; an unverified card; an ID number whose
   * century/sex digit says female for a man. */
  motcua_dossier_set_string (d, "/khaiTu/nktHoTen", "Lê Văn Thành", MOTCUA_SOURCE_CARD, "001048003321");
  motcua_dossier_set_string (d, "/khaiTu/nktHoTen", "Lê Văn Thanh", MOTCUA_SOURCE_DEATH_NOTICE, "g");
  motcua_dossier_remove (d, "/khaiTu/nktXacThucThongTin");
  motcua_dossier_set_string (d, "/khaiTu/nktXacThucThongTin", "0", MOTCUA_SOURCE_CARD, "001048003321");
  motcua_dossier_set_string (d, "/khaiTu/nktSoGiayToTuyThan", "001148003321", MOTCUA_SOURCE_CLERK, NULL);
  g_autoptr (GPtrArray) p = motcua_validate_dossier (d, units);
  if (motcua_validate_has_errors (p))
    {
      dump (p);
      fail ();
    }
  const char *expected[][2] = {
    { "/xoaThuongTru/chuHoMoi", "household.no_new_head" },
    { "/khaiTu/nktHoTen", "conflict.unsettled" },
    { "/khaiTu/nktXacThucThongTin", "card.unverified" },
    { "/khaiTu/nktSoGiayToTuyThan", "id.century_sex" },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      const MotcuaProblem *w = find (p, expected[i][0], expected[i][1]);
      if (w == NULL)
        {
          dump (p);
          fail_msg ("no warning %s at %s", expected[i][1], expected[i][0]);
        }
      assert_int_equal (w->severity, MOTCUA_SEVERITY_WARNING);
    }
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_samples_valid),
    cmocka_unit_test (test_variants),
    cmocka_unit_test (test_members_ok),
    cmocka_unit_test (test_normalize),
    cmocka_unit_test (test_warnings),
  };
  return cmocka_run_group_tests (tests, setup, teardown);
}
