/* test-dossier.c — refsvc-dossier*.c and refsvc-codes.c: the envelope,
 * the birth and death payload tables (every kind of error with its JSON
 * Pointer), many errors at once, unknown members, NFC names, legacy
 * addresses, hostile JSON, and concurrent validation.
 *
 * The valid samples (samples/birth-valid.json, death-valid.json) are
 * changed one member at a time; dates in them are recent enough that the
 * child stays under 6 until 2032. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "motcua-config.h"
#include "refsvc-dossier-private.h"

/* ------------------------------------------------------------- helpers */

static char *
source_path (const char *rel)
{
  const char *root = g_getenv ("MOTCUA_SOURCE_ROOT");

  return g_build_filename (root ? root : MOTCUA_SOURCE_ROOT, rel, NULL);
}

static void
load_codes (void)
{
  g_autofree char *dir = source_path ("data/codes");
  g_autoptr (GError) err = NULL;

  if (!refsvc_codes_load (dir, &err))
    fail_msg ("refsvc_codes_load: %s", err->message);
}

static JsonNode *
sample (const char *name)
{
  g_autofree char *rel = g_strconcat ("tests/refsvc/samples/", name, NULL);
  g_autofree char *path = source_path (rel);
  g_autoptr (JsonParser) p = json_parser_new ();
  g_autoptr (GError) err = NULL;

  if (!json_parser_load_from_file (p, path, &err))
    fail_msg ("%s: %s", path, err->message);
  return json_parser_steal_root (p);
}

static GBytes *
to_bytes (JsonNode *root)
{
  g_autoptr (JsonGenerator) g = json_generator_new ();
  gsize len;
  char *s;

  json_generator_set_root (g, root);
  s = json_generator_to_data (g, &len);
  return g_bytes_new_take (s, len);
}

/* Sets (value = JSON text) or removes (value NULL) the member at path. */
static void
set_at (JsonNode *root, const char *path, const char *value)
{
  g_auto (GStrv) seg = g_strsplit (path + 1, "/", -1);
  guint n = g_strv_length (seg);
  JsonNode *node = root;

  for (guint i = 0; i + 1 < n; i++)
    {
      assert_true (JSON_NODE_HOLDS_OBJECT (node));
      node = json_object_get_member (json_node_get_object (node), seg[i]);
      assert_non_null (node);
    }
  if (value == NULL)
    json_object_remove_member (json_node_get_object (node), seg[n - 1]);
  else
    {
      g_autoptr (GError) err = NULL;
      JsonNode *v = json_from_string (value, &err);
      assert_non_null (v);
      json_object_set_member (json_node_get_object (node), seg[n - 1], v);
    }
}

static refsvc_error *
validate_node (refsvc_procedure proc, JsonNode *root)
{
  g_autoptr (GBytes) b = to_bytes (root);

  return refsvc_dossier_validate (proc, b, NULL);
}

static void
dump (const refsvc_error *e)
{
  for (guint i = 0; e && i < e->fields->len; i++)
    {
      const refsvc_field_error *f = g_ptr_array_index (e->fields, i);
      print_message ("    %s %s %s\n", f->path, f->code, f->message);
    }
}

static gboolean
has_field (const refsvc_error *e, const char *path, const char *code)
{
  for (guint i = 0; e && i < e->fields->len; i++)
    {
      const refsvc_field_error *f = g_ptr_array_index (e->fields, i);
      if (g_str_equal (f->path, path) && g_str_equal (f->code, code))
        return TRUE;
    }
  return FALSE;
}

static void
expect_field (const refsvc_error *e, const char *path, const char *code)
{
  if (!has_field (e, path, code))
    {
      dump (e);
      fail_msg ("expected %s at %s", code, path);
    }
}

/* One change to a sample, then the one expected field error. */
typedef struct {
  const char *path;
  const char *value;      /* JSON text, NULL = remove */
  const char *err_path;   /* NULL = same as path */
  const char *code;       /* NULL = the result must be valid */
} mutation;

static void
run_mutations (refsvc_procedure proc, const char *file, const mutation *m, gsize n)
{
  for (gsize i = 0; i < n; i++)
    {
      g_autoptr (JsonNode) root = sample (file);
      g_autoptr (refsvc_error) e = NULL;

      set_at (root, m[i].path, m[i].value);
      e = validate_node (proc, root);
      if (m[i].code == NULL)
        {
          if (e != NULL)
            {
              dump (e);
              fail_msg ("%s = %s should be valid", m[i].path, m[i].value);
            }
          continue;
        }
      if (e == NULL)
        fail_msg ("%s = %s accepted", m[i].path, m[i].value ? m[i].value : "(removed)");
      assert_string_equal (e->code, "dossier.invalid");
      assert_int_equal (e->http_status, 422);
      expect_field (e, m[i].err_path ? m[i].err_path : m[i].path, m[i].code);
    }
}

/* ----------------------------------------------------------- code lists */

static void
codes_missing_dir (void **state)
{
  g_autoptr (GError) err = NULL;
  g_autoptr (GBytes) b = g_bytes_new_static ("{}", 2);
  g_autoptr (refsvc_error) e = NULL;

  (void) state;
  /* Runs first: nothing is loaded yet, so validation is a set-up error. */
  assert_false (refsvc_codes_loaded ());
  e = refsvc_dossier_validate (REFSVC_BIRTH, b, NULL);
  assert_string_equal (e->code, "server.internal");
  assert_false (refsvc_codes_load ("/nonexistent/motcua-codes", &err));
  assert_non_null (err);
  assert_false (refsvc_codes_loaded ());
}

static void
codes_lookups (void **state)
{
  (void) state;
  load_codes ();
  load_codes ();  /* idempotent */
  assert_true (refsvc_codes_loaded ());
  assert_true (refsvc_codes_has_province ("01"));
  assert_true (refsvc_codes_has_province ("96"));
  assert_false (refsvc_codes_has_province ("36"));  /* Nam Định, merged in 2025 */
  assert_string_equal (refsvc_codes_commune_province ("00004"), "01");
  assert_string_equal (refsvc_codes_commune_province ("14215"), "37");
  assert_null (refsvc_codes_commune_province ("99999"));
  assert_true (refsvc_codes_has_legacy_district ("001"));
  assert_true (refsvc_codes_legacy_pair ("001", "00004"));
  assert_false (refsvc_codes_legacy_pair ("356", "00004"));
  assert_true (refsvc_codes_has_ethnicity ("01"));
  assert_true (refsvc_codes_has_ethnicity ("54"));
  assert_false (refsvc_codes_has_ethnicity ("77"));
  assert_true (refsvc_codes_has_nationality ("VN"));
  assert_false (refsvc_codes_has_nationality ("XX"));
  assert_string_equal (refsvc_procedure_name (REFSVC_BIRTH), "birth");
  assert_string_equal (refsvc_procedure_name (REFSVC_DEATH), "death");
}

/* ------------------------------------------------------------- samples */

static void
valid_samples (void **state)
{
  static const struct { refsvc_procedure proc; const char *file, *group; } s[] = {
    { REFSVC_BIRTH, "birth-valid.json", "khaiSinh" },
    { REFSVC_DEATH, "death-valid.json", "khaiTu" },
  };

  (void) state;
  load_codes ();
  for (gsize i = 0; i < G_N_ELEMENTS (s); i++)
    {
      g_autoptr (JsonNode) root = sample (s[i].file);
      g_autoptr (GBytes) b = to_bytes (root);
      g_autoptr (JsonNode) out = NULL;
      g_autoptr (refsvc_error) e = refsvc_dossier_validate (s[i].proc, b, &out);

      dump (e);
      assert_null (e);
      assert_non_null (out);
      assert_true (json_object_has_member (json_node_get_object (out), s[i].group));
    }
}

/* The whole sample file's bytes (not re-serialised) validate too. */
static void
sample_file_bytes (void **state)
{
  g_autofree char *path = source_path ("tests/refsvc/samples/death-valid.json");
  g_autofree char *text = NULL;
  gsize len;
  g_autoptr (GBytes) b = NULL;
  g_autoptr (refsvc_error) e = NULL;

  (void) state;
  load_codes ();
  assert_true (g_file_get_contents (path, &text, &len, NULL));
  b = g_bytes_new (text, len);
  e = refsvc_dossier_validate (REFSVC_DEATH, b, NULL);
  dump (e);
  assert_null (e);
}

/* ---------------------------------------------------------- birth group */

static void
birth_errors (void **state)
{
  static const mutation m[] = {
    { "/khaiSinh/nksHoTen", NULL, NULL, "required" },
    { "/khaiSinh/nksHoTen", "\"\"", NULL, "required" },
    { "/khaiSinh/nksHoTen", "null", NULL, "required" },
    { "/khaiSinh/nksHoTen", "\"Nguyễn Minh Khang 2\"", NULL, "format" },
    { "/khaiSinh/nksHoTen", "\"Nguyễn  Minh Khang\"", NULL, "format" },
    { "/khaiSinh/nksHoTen", "\" Nguyễn Minh Khang\"", NULL, "format" },
    { "/khaiSinh/nksHoTen", "\"H'Hen Niê\"", NULL, NULL },
    { "/khaiSinh/nksHoTen", "[\"Nguyễn\"]", NULL, "type" },
    { "/khaiSinh/nksGioiTinh", "\"M\"", NULL, "code_list" },
    { "/khaiSinh/nksGioiTinh", "1", NULL, "type" },
    { "/khaiSinh/nksNgaySinh", "\"2026-11-09\"", NULL, "format" },
    { "/khaiSinh/nksNgaySinh", "\"31.02.2026\"", NULL, "format" },
    { "/khaiSinh/nksNgaySinh", "\"9.11.2026\"", NULL, "format" },
    { "/khaiSinh/nksNgaySinh", "\"01.01.2999\"", NULL, "range" },
    { "/khaiSinh/nksNgaySinh", "\"01.01.1899\"", NULL, "range" },
    { "/khaiSinh/nksNgaySinh", "\"01.01.2015\"", NULL, "consistency" },   /* not under 6 */
    { "/khaiSinh/nksDanToc", "\"1\"", NULL, "format" },
    { "/khaiSinh/nksDanToc", "\"77\"", NULL, "code_list" },
    { "/khaiSinh/nksQuocTich", "\"vn\"", NULL, "format" },
    { "/khaiSinh/nksQuocTich", "\"XX\"", NULL, "code_list" },
    { "/khaiSinh/nksDanTocKhac", "null", NULL, NULL },
    { "/khaiSinh/nksLoaiKhaiSinh", "\"9\"", NULL, "code_list" },
    { "/khaiSinh/nksNgaySinhBangChu", "\"Ngày chín\\ntháng mười một\"", NULL, "format" },
    { "/khaiSinh/maGCS", "\"GCS-00123\"", NULL, "format" },
    { "/khaiSinh/maGCS", "\"00123.GCS.0100.26\"", NULL, "format" },
    { "/khaiSinh/maGCS", "\"00123.GBT.01001.26\"", NULL, "format" },
    { "/khaiSinh/maGCS", "\"5.GCS.XXXXX.25\"", NULL, NULL },
    { "/khaiSinh/ngayCapGCS", NULL, NULL, "required" },             /* maGCS given */
    { "/khaiSinh/maGCS", NULL, NULL, "required" },                  /* ngayCapGCS given */
    { "/khaiSinh/ngayCapGCS", "\"10.11.2026\"", NULL, "format" },
    { "/khaiSinh/ngayCapGCS", "\"20261101\"", NULL, "consistency" }, /* before birth */
    { "/khaiSinh/meNgaySinh", "\"10.11.2026\"", "/khaiSinh/nksNgaySinh", "consistency" },
    { "/khaiSinh/meSoGiayToTuyThan", "\"12345\"", NULL, "format" },
    { "/khaiSinh/meLoaiGiayToTuyThan", "\"2\"", NULL, NULL },       /* 12-digit CMND */
    { "/khaiSinh/meLoaiGiayToTuyThan", "\"5\"", NULL, "code_list" },
    { "/khaiSinh/meNoiCuTru", NULL, NULL, "required" },
    { "/khaiSinh/chaHoTen", NULL, NULL, "required" },               /* father block given */
    { "/khaiSinh/noiDangKy", "\"00003\"", NULL, "code_list" },
    { "/khaiSinh/soLuongBanSao", "\"99\"", NULL, "range" },
    { "/khaiSinh/soLuongBanSao", "\"hai\"", NULL, "format" },
    { "/khaiSinh/loaiDangKy", "\"0\"", NULL, "code_list" },
    { "/khaiSinh/nycSoDienThoai", "\"091 234 5678\"", NULL, "format" },
    { "/khaiSinh/nycSoDienThoai", "\"+84912345678\"", NULL, NULL },
    { "/khaiSinh/nycSoDienThoai", "\"02438253536\"", NULL, NULL },
    { "/khaiSinh/nycSoDienThoai", "\"+840912345678\"", NULL, "format" },
    { "/khaiSinh/nycEmail", "\"hung@\"", NULL, "format" },
    { "/khaiSinh/nycEmail", "\"hung@example\"", NULL, "format" },
    { "/khaiSinh/nycNgayCapGiayToTuyThan", "\"01.01.2999\"", NULL, "range" },
    { "/khaiSinh/nksNoiSinh", "\"Hà Nội\"", NULL, "type" },
    { "/khaiSinh/nksNoiSinh/maTinh", "\"37\"", "/khaiSinh/nksNoiSinh/maXa", "consistency" },
    { "/khaiSinh/nksNoiSinh/maTinh", "\"36\"", NULL, "code_list" },
    { "/khaiSinh/nksNoiSinh/maTinh", "\"1\"", NULL, "format" },
    { "/khaiSinh/nksNoiSinh/maXa", "\"99999\"", NULL, "code_list" },
    { "/khaiSinh/nksNoiSinh/maXa", "\"123\"", NULL, "format" },
    { "/khaiSinh/nksNoiSinh/maXa", "25", NULL, "type" },
    { "/khaiSinh/nksNoiSinh/maXa", NULL, NULL, "required" },
    { "/khaiSinh/nksNoiSinh/dcChiTiet", NULL, NULL, "required" },
    { "/khaiSinh/nksQueQuan/maXa", NULL, NULL, NULL },              /* a place: province suffices */
    { "/khaiSinh/nksQueQuan/dcChiTiet", NULL, NULL, NULL },
    { "/thuongTru/chuHoSoDinhDanh", "\"03609300456\"", NULL, "format" },
    { "/thuongTru/chuHoDongY", "\"yes\"", NULL, "type" },
    { "/thuongTru/quanHeVoiChuHo", "\"Con trai trưởng của chủ hộ, sống cùng từ khi sinh ra\"", NULL, "length" },
    { "/bhyt/noiDangKyKCB", "\"1005\"", NULL, "format" },
    { "/bhyt/phuongThucNhanThe", "\"3\"", NULL, "code_list" },
    { "/bhyt/diaChiNhanThe", NULL, NULL, "required" },               /* delivery by post */
    { "/bhyt", NULL, NULL, "required" },
    { "/thuongTru", "[]", NULL, "type" },
    { "/ngayLap", "\"01.11.2026\"", NULL, "consistency" },           /* before the birth */
    { "/maDonViTiepNhan", "\"0004\"", NULL, "format" },
  };

  (void) state;
  load_codes ();
  run_mutations (REFSVC_BIRTH, "birth-valid.json", m, G_N_ELEMENTS (m));
}

static void
birth_long_text (void **state)
{
  g_autoptr (JsonNode) root = sample ("birth-valid.json");
  g_autoptr (refsvc_error) e = NULL;
  GString *name = g_string_new ("\"");
  GString *words = g_string_new ("\"");

  (void) state;
  load_codes ();
  for (int i = 0; i < 101; i++)
    g_string_append (name, "ễ");            /* 101 letters, 202 bytes */
  g_string_append_c (name, '"');
  for (int i = 0; i < 201; i++)
    g_string_append_c (words, 'a');
  g_string_append_c (words, '"');
  set_at (root, "/khaiSinh/nksHoTen", name->str);
  set_at (root, "/khaiSinh/nksNgaySinhBangChu", words->str);
  e = validate_node (REFSVC_BIRTH, root);
  expect_field (e, "/khaiSinh/nksHoTen", "length");
  expect_field (e, "/khaiSinh/nksNgaySinhBangChu", "length");
  g_string_free (name, TRUE);
  g_string_free (words, TRUE);
}

/* Mother's block: optional for an abandoned child; the father's block
 * applies as soon as one cha… member is given. */
static void
birth_parent_blocks (void **state)
{
  static const char *const cha[] = {
    "chaHoTen", "chaNgaySinh", "chaDanToc", "chaQuocTich", "chaLoaiCuTru", "chaNoiCuTru",
    "chaLoaiGiayToTuyThan", "chaSoGiayToTuyThan", "chaXacThucThongTin",
  };
  static const char *const me[] = {
    "meHoTen", "meNgaySinh", "meDanToc", "meQuocTich", "meLoaiCuTru", "meNoiCuTru",
    "meLoaiGiayToTuyThan", "meSoGiayToTuyThan", "meXacThucThongTin",
  };
  g_autoptr (JsonNode) root = sample ("birth-valid.json");
  refsvc_error *e;

  (void) state;
  load_codes ();
  for (gsize i = 0; i < G_N_ELEMENTS (cha); i++)
    {
      g_autofree char *p = g_strconcat ("/khaiSinh/", cha[i], NULL);
      set_at (root, p, NULL);
    }
  e = validate_node (REFSVC_BIRTH, root);   /* no father at all: valid */
  dump (e);
  assert_null (e);

  for (gsize i = 0; i < G_N_ELEMENTS (me); i++)
    {
      g_autofree char *p = g_strconcat ("/khaiSinh/", me[i], NULL);
      set_at (root, p, NULL);
    }
  e = validate_node (REFSVC_BIRTH, root);   /* no mother, ordinary birth */
  expect_field (e, "/khaiSinh/meHoTen", "required");
  expect_field (e, "/khaiSinh/meNgaySinh", "required");
  expect_field (e, "/khaiSinh/meNoiCuTru", "required");
  refsvc_error_free (e);

  set_at (root, "/khaiSinh/nksLoaiKhaiSinh", "\"2\"");  /* abandoned child */
  e = validate_node (REFSVC_BIRTH, root);
  dump (e);
  assert_null (e);

  set_at (root, "/khaiSinh/chaQuocTich", "\"VN\"");     /* a lone father member */
  e = validate_node (REFSVC_BIRTH, root);
  expect_field (e, "/khaiSinh/chaHoTen", "required");
  expect_field (e, "/khaiSinh/chaNoiCuTru", "required");
  assert_false (has_field (e, "/khaiSinh/chaQuocTich", "required"));
  refsvc_error_free (e);
}

/* ---------------------------------------------------------- death group */

static void
death_errors (void **state)
{
  static const mutation m[] = {
    { "/khaiTu/nktHoTen", NULL, NULL, "required" },
    { "/khaiTu/nktNgayChet", "\"01.01.1940\"", NULL, "consistency" },  /* before birth */
    { "/khaiTu/nktNgayChet", "\"01.01.2999\"", NULL, "range" },
    { "/khaiTu/nktGioPhutChet", "\"4h30\"", NULL, "format" },
    { "/khaiTu/nktGioPhutChet", "\"24:00\"", NULL, "format" },
    { "/khaiTu/nktGioPhutChet", "\"23:59\"", NULL, NULL },
    { "/khaiTu/nktNguyenNhanChet", NULL, NULL, "required" },
    { "/khaiTu/nktNoiChet/maXa", "\"14215\"", NULL, "consistency" },
    { "/khaiTu/ngayCapGBT", "\"20261117\"", NULL, "consistency" },     /* before death */
    { "/khaiTu/ngayCapGBT", NULL, NULL, "required" },
    { "/khaiTu/maGBT", "\"00042.GCS.01001.26\"", NULL, "format" },
    { "/khaiTu/maGBT", NULL, "/khaiTu/gbtSo", "required" },            /* paper notice then */
    { "/khaiTu/nktLoaiGiayToTuyThan", "\"3\"", "/khaiTu/nktSoGiayToTuyThan", NULL },
    { "/khaiTu/nktSoGiayToTuyThan", "\"00104800332\"", NULL, "format" },
    { "/xoaThuongTru/laChuHo", "\"true\"", NULL, "type" },
    { "/xoaThuongTru/laChuHo", NULL, NULL, "required" },
    { "/xoaThuongTru/laChuHo", "false", "/xoaThuongTru/chuHoMoi", "consistency" },
    { "/xoaThuongTru/soThanhVienConLai", "0", "/xoaThuongTru/chuHoMoi", "consistency" },
    { "/xoaThuongTru/soThanhVienConLai", "-1", NULL, "range" },
    { "/xoaThuongTru/soThanhVienConLai", "101", NULL, "range" },
    { "/xoaThuongTru/soThanhVienConLai", "\"2\"", NULL, "type" },
    { "/xoaThuongTru/soThanhVienConLai", "2.5", NULL, "type" },
    { "/xoaThuongTru/chuHoMoi/soDinhDanh", "\"001048003321\"", NULL, "consistency" },
    { "/xoaThuongTru/chuHoMoi/hoTen", NULL, NULL, "required" },
    { "/xoaThuongTru/chuHoMoi", NULL, NULL, NULL },   /* head with members, no new head: valid */
    { "/maiTang/doiTuong", "\"9\"", NULL, "code_list" },
    { "/maiTang/hinhThucNhan", "\"tien mat\"", NULL, "code_list" },
    { "/maiTang/taiKhoan", NULL, NULL, "required" },                   /* CHUYEN_KHOAN */
    { "/maiTang/hinhThucNhan", "\"TIEN_MAT\"", NULL, NULL },
    { "/maiTang/taiKhoan/soTaiKhoan", "\"0011-004\"", NULL, "format" },
    { "/maiTang/taiKhoan/nganHang", NULL, NULL, "required" },
    { "/maiTang/thoiGianMaiTang", "\"17.11.2026\"", NULL, "consistency" },
    { "/maiTang/nguoiNhan", NULL, NULL, "required" },
    { "/maiTang/nguoiNhan/ngayCap", "\"2022-09-22\"", NULL, "format" },
    { "/maiTang/nguoiNhan/loaiGiayTo", "\"3\"", "/maiTang/nguoiNhan/soGiayTo", NULL },
    { "/maiTang/nguoiNhan/loaiGiayTo", "\"2\"", "/maiTang/nguoiNhan/soGiayTo", NULL },
    { "/ngayLap", "\"17.11.2026\"", NULL, "consistency" },             /* before the death */
  };

  (void) state;
  load_codes ();
  run_mutations (REFSVC_DEATH, "death-valid.json", m, G_N_ELEMENTS (m));
}

static void
death_id_types (void **state)
{
  g_autoptr (JsonNode) root = sample ("death-valid.json");
  refsvc_error *e;

  (void) state;
  load_codes ();
  /* Passport: upper-case letters and digits. */
  set_at (root, "/maiTang/nguoiNhan/loaiGiayTo", "\"3\"");
  set_at (root, "/maiTang/nguoiNhan/soGiayTo", "\"c1234567\"");
  e = validate_node (REFSVC_DEATH, root);
  expect_field (e, "/maiTang/nguoiNhan/soGiayTo", "format");
  refsvc_error_free (e);
  set_at (root, "/maiTang/nguoiNhan/soGiayTo", "\"C1234567\"");
  e = validate_node (REFSVC_DEATH, root);
  dump (e);
  assert_null (e);
  /* CMND: 9 digits. */
  set_at (root, "/maiTang/nguoiNhan/loaiGiayTo", "\"2\"");
  set_at (root, "/maiTang/nguoiNhan/soGiayTo", "\"C1234567\"");
  e = validate_node (REFSVC_DEATH, root);
  expect_field (e, "/maiTang/nguoiNhan/soGiayTo", "format");
  refsvc_error_free (e);
  set_at (root, "/maiTang/nguoiNhan/soGiayTo", "\"012345678\"");
  e = validate_node (REFSVC_DEATH, root);
  assert_null (e);
  /* The paper death notice instead of the electronic one. */
  set_at (root, "/khaiTu/maGBT", NULL);
  set_at (root, "/khaiTu/ngayCapGBT", NULL);
  e = validate_node (REFSVC_DEATH, root);
  expect_field (e, "/khaiTu/gbtLoai", "required");
  expect_field (e, "/khaiTu/gbtSo", "required");
  expect_field (e, "/khaiTu/gbtNgay", "required");
  expect_field (e, "/khaiTu/gbtCoQuanCap", "required");
  refsvc_error_free (e);
  set_at (root, "/khaiTu/gbtLoai", "\"Giấy báo tử\"");
  set_at (root, "/khaiTu/gbtSo", "\"125/GBT\"");
  set_at (root, "/khaiTu/gbtNgay", "\"18.11.2026\"");
  set_at (root, "/khaiTu/gbtCoQuanCap", "\"Trạm Y tế phường Ba Đình\"");
  e = validate_node (REFSVC_DEATH, root);
  dump (e);
  assert_null (e);
}

/* ------------------------------------------------- many errors, unknown */

static void
many_errors_listed (void **state)
{
  g_autoptr (JsonNode) root = sample ("birth-valid.json");
  g_autoptr (refsvc_error) e = NULL;
  g_autofree char *json = NULL;

  (void) state;
  load_codes ();
  set_at (root, "/khaiSinh/nksHoTen", NULL);
  set_at (root, "/khaiSinh/nksNgaySinh", "\"2026-11-09\"");
  set_at (root, "/khaiSinh/nksDanToc", "\"77\"");
  set_at (root, "/khaiSinh/meNoiCuTru/maXa", "\"14215\"");
  set_at (root, "/khaiSinh/nycEmail", "\"không phải email\"");
  set_at (root, "/thuongTru/chuHoSoDinhDanh", "\"0360930\"");
  set_at (root, "/bhyt/phuongThucNhanThe", "\"3\"");
  set_at (root, "/khaiSinh/nksHoTenNguoiKhai", "\"x\"");
  e = validate_node (REFSVC_BIRTH, root);
  assert_non_null (e);
  expect_field (e, "/khaiSinh/nksHoTen", "required");
  expect_field (e, "/khaiSinh/nksNgaySinh", "format");
  expect_field (e, "/khaiSinh/nksDanToc", "code_list");
  expect_field (e, "/khaiSinh/meNoiCuTru/maXa", "consistency");
  expect_field (e, "/khaiSinh/nycEmail", "format");
  expect_field (e, "/thuongTru/chuHoSoDinhDanh", "format");
  expect_field (e, "/bhyt/phuongThucNhanThe", "code_list");
  expect_field (e, "/khaiSinh/nksHoTenNguoiKhai", "unknown");
  assert_int_equal (e->fields->len, 8);
  /* Every field error carries a Vietnamese message. */
  for (guint i = 0; i < e->fields->len; i++)
    assert_true (strlen (((refsvc_field_error *) g_ptr_array_index (e->fields, i))->message) > 10);
  json = refsvc_error_to_json (e);
  assert_non_null (strstr (json, "\"/khaiSinh/nksDanToc\""));
}

static void
unknown_members (void **state)
{
  static const mutation m[] = {
    { "/khaiSinh/nksHoTenn", "\"x\"", NULL, "unknown" },           /* misspelt */
    { "/khaiSinh/nksNoiSinh/maQuan", "\"001\"", NULL, "unknown" }, /* inside an address */
    { "/extra", "1", NULL, "unknown" },
    { "/khaiTu", "{}", NULL, "unknown" },                          /* the other group */
    { "/thuongTru/chuHoMoi", "{}", NULL, "unknown" },
    { "/khaiSinh/a~b", "\"x\"", "/khaiSinh/a~0b", "unknown" },      /* RFC 6901 escaping */
  };

  (void) state;
  load_codes ();
  run_mutations (REFSVC_BIRTH, "birth-valid.json", m, G_N_ELEMENTS (m));
}

static void
wrong_group (void **state)
{
  g_autoptr (JsonNode) root = sample ("death-valid.json");
  g_autoptr (refsvc_error) e = validate_node (REFSVC_BIRTH, root);

  (void) state;
  load_codes ();
  expect_field (e, "/khaiSinh", "required");
  expect_field (e, "/thuongTru", "required");
  expect_field (e, "/khaiTu", "unknown");
  expect_field (e, "/maiTang", "unknown");
  /* Children of a missing object are not listed one by one. */
  assert_false (has_field (e, "/khaiSinh/nksHoTen", "required"));
}

/* ------------------------------------------------------ names, addresses */

static void
nfd_name_refused (void **state)
{
  g_autoptr (JsonNode) root = sample ("birth-valid.json");
  g_autofree char *nfd = g_utf8_normalize ("Nguyễn Minh Khang", -1, G_NORMALIZE_NFD);
  g_autofree char *value = g_strdup_printf ("\"%s\"", nfd);
  g_autoptr (refsvc_error) e = NULL;
  const refsvc_field_error *f;

  (void) state;
  load_codes ();
  assert_string_not_equal (nfd, "Nguyễn Minh Khang");
  set_at (root, "/khaiSinh/nksHoTen", value);
  e = validate_node (REFSVC_BIRTH, root);
  assert_non_null (e);
  assert_int_equal (e->fields->len, 1);
  f = g_ptr_array_index (e->fields, 0);
  assert_string_equal (f->path, "/khaiSinh/nksHoTen");
  assert_string_equal (f->code, "format");
  assert_non_null (strstr (f->message, "NFC"));
}

static void
legacy_address (void **state)
{
  static const mutation m[] = {
    /* Old district Ba Đình (001) → new ward Ba Đình (00004). */
    { "/khaiSinh/meNoiCuTru/maHuyen", "\"001\"", NULL, NULL },
    { "/thuongTru/noiThuongTru/maHuyen", "\"001\"", NULL, NULL },
    /* Old district Thành phố Nam Định: none of its communes went to 00004. */
    { "/khaiSinh/meNoiCuTru/maHuyen", "\"356\"", NULL, "consistency" },
    { "/khaiSinh/meNoiCuTru/maHuyen", "\"000\"", NULL, "code_list" },
    { "/khaiSinh/meNoiCuTru/maHuyen", "\"01\"", NULL, "format" },
    { "/khaiSinh/meNoiCuTru/maHuyen", "\"\"", NULL, NULL },
    { "/khaiSinh/meNoiCuTru/maHuyen", "null", NULL, NULL },
  };

  (void) state;
  load_codes ();
  run_mutations (REFSVC_BIRTH, "birth-valid.json", m, G_N_ELEMENTS (m));
}

/* ------------------------------------------------------- hostile payloads */

static void
bad_payload_bytes (void **state)
{
  static const char *const bad[] = {
    "", "   ", "not json", "[]", "\"text\"", "{\"a\":1,}", "{\"a\":1} {}",
    "var x = {}", "\xEF\xBB\xBF{}",
    "{\"khaiSinh\":{},\"khaiSinh\":{}}",                       /* duplicate member */
    "{\"khaiSinh\":{\"nksHoTen\":\"A\",\"nksHoTen\":\"B\"}}",  /* duplicate, nested */
    "{\"khaiSinh\":{\"nksHoTen\":\"A\\u0000B\"}}",             /* escaped NUL */
    "{\"khaiSinh\":{\"nksHoTen\":\"\xC3\x28\"}}",              /* invalid UTF-8 */
    /* What json-glib 1.6 would take but RFC 8259 does not. */
    "{/* c */\"a\":1}", "{'a':1}", "{\"a\":'x'}", "{\"a\":0x10}", "{\"a\":01}",
    "{\"a\":.5}", "{\"a\":1.}", "{\"a\":\"\\q\"}", "{\"a\":\"\\u12\"}", "{\"a\":\"tab\there\"}",
    "{\"a\":truex}", "{\"a\":1}}", "{\"a\":1}x",
  };
  GString *deep = g_string_new ("{\"a\":");

  (void) state;
  load_codes ();
  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr (GBytes) b = g_bytes_new_static (bad[i], strlen (bad[i]));
      g_autoptr (refsvc_error) e = refsvc_dossier_validate (REFSVC_BIRTH, b, NULL);
      if (e == NULL || !has_field (e, "", "format"))
        {
          dump (e);
          fail_msg ("payload #%zu accepted or not reported at \"\"", i);
        }
      assert_string_equal (e->code, "dossier.invalid");
    }
  for (int i = 0; i < 100000; i++)
    g_string_append_c (deep, '[');
  {
    g_autoptr (GBytes) b = g_bytes_new (deep->str, deep->len);
    g_autoptr (refsvc_error) e = refsvc_dossier_validate (REFSVC_DEATH, b, NULL);
    expect_field (e, "", "format");
  }
  g_string_free (deep, TRUE);
  {
    /* Just over 256 KiB. */
    gsize n = REFSVC_PAYLOAD_MAX + 1;
    char *big = g_malloc (n);
    memset (big, ' ', n);
    big[0] = '{';
    big[n - 1] = '}';
    g_autoptr (GBytes) b = g_bytes_new_take (big, n);
    g_autoptr (refsvc_error) e = refsvc_dossier_validate (REFSVC_BIRTH, b, NULL);
    expect_field (e, "", "length");
  }
}

/* Legal JSON the lexical pass must not refuse (the payload is then only
 * wrong for the schema, never for its syntax). */
static void
legal_json_syntax (void **state)
{
  static const char *const ok[] = {
    " \r\n\t{\"a\":[1,-0,0.5,-1.5e+10,2E-3,true,false,null,{},[]],\"b\":\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\"} \n",
    "{\"ngayLap\":\"20.11.2026\"}",
  };

  (void) state;
  load_codes ();
  for (gsize i = 0; i < G_N_ELEMENTS (ok); i++)
    {
      g_autoptr (GBytes) b = g_bytes_new_static (ok[i], strlen (ok[i]));
      g_autoptr (refsvc_error) e = refsvc_dossier_validate (REFSVC_BIRTH, b, NULL);
      assert_non_null (e);
      if (has_field (e, "", "format"))
        fail_msg ("legal JSON #%zu refused", i);
      expect_field (e, "/khaiSinh", "required");
    }
}

/* A hostile payload with thousands of unknown members: the list is capped. */
static void
error_list_capped (void **state)
{
  GString *s = g_string_new ("{");
  g_autoptr (GBytes) b = NULL;
  g_autoptr (refsvc_error) e = NULL;

  (void) state;
  load_codes ();
  for (int i = 0; i < 5000; i++)
    g_string_append_printf (s, "%s\"m%d\":0", i ? "," : "", i);
  g_string_append_c (s, '}');
  b = g_bytes_new_take (s->str, s->len);
  g_string_free (s, FALSE);
  e = refsvc_dossier_validate (REFSVC_DEATH, b, NULL);
  assert_non_null (e);
  assert_int_equal (e->fields->len, REFSVC_MAX_FIELD_ERRORS);
}

/* ------------------------------------------------------------- envelope */

static char *
b64 (const char *s)
{
  return g_base64_encode ((const guchar *) s, strlen (s));
}

static const char *const TX = "3f2b8c1e-4d5a-4b6c-9e7f-0a1b2c3d4e5f";

static refsvc_envelope *
parse_env (const char *body, refsvc_error **e)
{
  return refsvc_envelope_parse ((const guint8 *) body, strlen (body), e);
}

static void
envelope_valid (void **state)
{
  g_autofree char *p = b64 ("{\"a\":1}");
  g_autofree char *sig = b64 ("\x30\x03\x02\x01\x01");
  g_autofree char *body = g_strdup_printf (
    "{\"transactionId\":\"%s\",\"procedure\":\"death\",\"payload\":\"%s\",\"signature\":\"%s\"}",
    TX, p, sig);
  g_autofree char *body2 = g_strdup_printf (
    "{\"transactionId\":\"%s\",\"procedure\":\"birth\",\"payload\":\"%s\",\"signature\":\"%s\","
    "\"cardPresence\":{\"aaSignature\":\"AAEC\",\"dg15\":\"bw==\",\"sod\":\"d2I=\"}}",
    TX, p, sig);
  g_autofree char *body3 = g_strdup_printf (
    "{\"transactionId\":\"%s\",\"procedure\":\"birth\",\"payload\":\"%s\",\"signature\":\"%s\","
    "\"cardPresence\":{}}", TX, p, sig);
  refsvc_error *e = NULL;
  refsvc_envelope *env;
  gsize len;

  (void) state;
  env = parse_env (body, &e);
  assert_null (e);
  assert_non_null (env);
  assert_string_equal (env->transaction_id, TX);
  assert_int_equal (env->procedure, REFSVC_DEATH);
  assert_memory_equal (g_bytes_get_data (env->payload, &len), "{\"a\":1}", 7);
  assert_int_equal (len, 7);
  assert_int_equal (g_bytes_get_size (env->signature), 5);
  assert_null (env->aa_signature);
  assert_null (env->dg15);
  assert_null (env->sod);
  refsvc_envelope_free (env);

  env = parse_env (body2, &e);
  assert_null (e);
  assert_int_equal (env->procedure, REFSVC_BIRTH);
  assert_int_equal (g_bytes_get_size (env->aa_signature), 3);
  assert_memory_equal (g_bytes_get_data (env->dg15, NULL), "o", 1);
  assert_memory_equal (g_bytes_get_data (env->sod, NULL), "wb", 2);
  refsvc_envelope_free (env);

  env = parse_env (body3, &e);   /* {} = no proof */
  assert_null (e);
  assert_null (env->aa_signature);
  refsvc_envelope_free (env);
  refsvc_envelope_free (NULL);
}

typedef struct {
  const char *member;   /* replaced or added at the top level */
  const char *value;    /* JSON text; NULL = removed */
  const char *path;
  const char *code;
} env_case;

static void
envelope_errors (void **state)
{
  static const env_case c[] = {
    { "transactionId", NULL, "/transactionId", "required" },
    { "transactionId", "\"3F2B8C1E-4D5A-4B6C-9E7F-0A1B2C3D4E5F\"", "/transactionId", "format" },
    { "transactionId", "\"3f2b8c1e4d5a4b6c9e7f0a1b2c3d4e5f\"", "/transactionId", "format" },
    { "transactionId", "\"3f2b8c1e-4d5a-4b6c-1e7f-0a1b2c3d4e5f\"", "/transactionId", "format" },
    { "transactionId", "\"00000000-0000-0000-0000-000000000000\"", "/transactionId", "format" },
    { "transactionId", "42", "/transactionId", "type" },
    { "procedure", "\"marriage\"", "/procedure", "code_list" },
    { "procedure", NULL, "/procedure", "required" },
    { "payload", "\"\"", "/payload", "required" },
    { "payload", "\"not base64!\"", "/payload", "format" },
    { "payload", "\"eyJh\\nIjoxfQ==\"", "/payload", "format" },   /* a newline */
    { "payload", "\"eyJhIjoxfQ\"", "/payload", "format" },         /* no padding */
    { "payload", "\"QR==\"", "/payload", "format" },               /* non-canonical */
    { "payload", "\"eyJhIjoxfQ-_\"", "/payload", "format" },       /* base64url */
    { "payload", "{}", "/payload", "type" },
    { "signature", NULL, "/signature", "required" },
    { "signature", "\"AA=A\"", "/signature", "format" },
    { "cardPresence", "{\"aaSignature\":\"AAEC\"}", "/cardPresence/dg15", "required" },
    { "cardPresence", "{\"aaSignature\":\"AAEC\"}", "/cardPresence/sod", "required" },
    { "cardPresence", "{\"aaSignature\":\"AAEC\",\"dg15\":\"AA==\",\"sod\":\"AA==\",\"x\":1}",
      "/cardPresence/x", "unknown" },
    { "cardPresence", "\"yes\"", "/cardPresence", "type" },
    { "idempotencyKey", "\"x\"", "/idempotencyKey", "unknown" },
  };
  g_autofree char *p = b64 ("{\"a\":1}");

  (void) state;
  for (gsize i = 0; i < G_N_ELEMENTS (c); i++)
    {
      g_autoptr (JsonObject) o = json_object_new ();
      g_autoptr (JsonNode) root = json_node_init_object (json_node_alloc (), o);
      g_autofree char *member = g_strconcat ("/", c[i].member, NULL);
      g_autoptr (GBytes) b = NULL;
      refsvc_error *e = NULL;
      refsvc_envelope *env;

      json_object_set_string_member (o, "transactionId", TX);
      json_object_set_string_member (o, "procedure", "birth");
      json_object_set_string_member (o, "payload", p);
      json_object_set_string_member (o, "signature", "MAMCAQE=");
      set_at (root, member, c[i].value);
      b = to_bytes (root);
      env = refsvc_envelope_parse (g_bytes_get_data (b, NULL), g_bytes_get_size (b), &e);
      if (env != NULL)
        fail_msg ("case %zu (%s) accepted", i, c[i].member);
      assert_string_equal (e->code, "dossier.bad_envelope");
      assert_int_equal (e->http_status, 400);
      expect_field (e, c[i].path, c[i].code);
      refsvc_error_free (e);
    }
}

static void
envelope_limits (void **state)
{
  gsize n = REFSVC_PAYLOAD_MAX + 1;
  g_autofree guchar *big = g_malloc0 (n);
  g_autofree char *big64 = g_base64_encode (big, n);
  g_autofree char *ok64 = g_base64_encode (big, n - 1);
  g_autofree char *body = g_strdup_printf (
    "{\"transactionId\":\"%s\",\"procedure\":\"birth\",\"payload\":\"%s\",\"signature\":\"MAMCAQE=\"}",
    TX, big64);
  g_autofree char *body_ok = g_strdup_printf (
    "{\"transactionId\":\"%s\",\"procedure\":\"birth\",\"payload\":\"%s\",\"signature\":\"MAMCAQE=\"}",
    TX, ok64);
  refsvc_error *e = NULL;
  refsvc_envelope *env;

  (void) state;
  env = parse_env (body, &e);
  assert_null (env);
  expect_field (e, "/payload", "length");
  refsvc_error_free (e);
  e = NULL;
  env = parse_env (body_ok, &e);   /* exactly 256 KiB */
  assert_null (e);
  assert_int_equal (g_bytes_get_size (env->payload), REFSVC_PAYLOAD_MAX);
  refsvc_envelope_free (env);
}

static void
envelope_malformed (void **state)
{
  static const char *const bad[] = {
    "", "nope", "[1]", "{\"transactionId\":\"a\",\"transactionId\":\"b\"}", "{\"a\":", "\xff{}",
  };

  (void) state;
  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      refsvc_error *e = NULL;
      assert_null (parse_env (bad[i], &e));
      assert_non_null (e);
      assert_string_equal (e->code, "request.malformed_json");
      refsvc_error_free (e);
    }
  {
    /* Every envelope problem at once. */
    refsvc_error *e = NULL;
    assert_null (parse_env ("{\"transactionId\":\"X\",\"procedure\":\"b\",\"payload\":\"@\",\"z\":0}", &e));
    expect_field (e, "/transactionId", "format");
    expect_field (e, "/procedure", "code_list");
    expect_field (e, "/payload", "format");
    expect_field (e, "/signature", "required");
    expect_field (e, "/z", "unknown");
    assert_int_equal (e->fields->len, 5);
    refsvc_error_free (e);
  }
}

/* ----------------------------------------------------------- concurrency */

typedef struct {
  GBytes *birth, *death;
  gint    failures;
} shared_input;

static gpointer
validate_many (gpointer data)
{
  shared_input *in = data;

  for (int i = 0; i < 50; i++)
    {
      refsvc_error *a = refsvc_dossier_validate (REFSVC_BIRTH, in->birth, NULL);
      refsvc_error *b = refsvc_dossier_validate (REFSVC_DEATH, in->death, NULL);
      if (a != NULL || b != NULL)
        g_atomic_int_inc (&in->failures);
      refsvc_error_free (a);
      refsvc_error_free (b);
    }
  return NULL;
}

static void
concurrent_validation (void **state)
{
  g_autoptr (JsonNode) br = sample ("birth-valid.json");
  g_autoptr (JsonNode) dr = sample ("death-valid.json");
  shared_input in = { to_bytes (br), to_bytes (dr), 0 };
  GThread *t[8];

  (void) state;
  load_codes ();
  for (gsize i = 0; i < G_N_ELEMENTS (t); i++)
    t[i] = g_thread_new ("validate", validate_many, &in);
  for (gsize i = 0; i < G_N_ELEMENTS (t); i++)
    g_thread_join (t[i]);
  assert_int_equal (in.failures, 0);
  g_bytes_unref (in.birth);
  g_bytes_unref (in.death);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (codes_missing_dir),   /* must run before any load */
    cmocka_unit_test (codes_lookups),
    cmocka_unit_test (valid_samples),
    cmocka_unit_test (sample_file_bytes),
    cmocka_unit_test (birth_errors),
    cmocka_unit_test (birth_long_text),
    cmocka_unit_test (birth_parent_blocks),
    cmocka_unit_test (death_errors),
    cmocka_unit_test (death_id_types),
    cmocka_unit_test (many_errors_listed),
    cmocka_unit_test (unknown_members),
    cmocka_unit_test (wrong_group),
    cmocka_unit_test (nfd_name_refused),
    cmocka_unit_test (legacy_address),
    cmocka_unit_test (bad_payload_bytes),
    cmocka_unit_test (legal_json_syntax),
    cmocka_unit_test (error_list_capped),
    cmocka_unit_test (envelope_valid),
    cmocka_unit_test (envelope_errors),
    cmocka_unit_test (envelope_limits),
    cmocka_unit_test (envelope_malformed),
    cmocka_unit_test (concurrent_validation),
  };

  return cmocka_run_group_tests_name ("refsvc-dossier", tests, NULL, NULL);
}
