/* test-dossier.c — refsvc-dossier*.c and refsvc-codes.c: code lists, the
 * birth and death payload tables (every kind of error with its JSON
 * Pointer), many errors at once, unknown members, NFC names, legacy
 * addresses.  Envelope, hostile JSON and concurrency: test-dossier-syntax.c.
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

#include "test-dossier.h"

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
    /* test-dossier-syntax.c */
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
