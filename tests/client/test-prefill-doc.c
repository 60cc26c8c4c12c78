/* test-prefill-doc.c — hospital documents (motcua-doc-verify.c,
 * motcua-prefill-doc.c): packages signed by the reference service's test
 * signers (tests/refsvc/testsign-xml.c), verified against the test signing
 * CA and its CRL, mapped into real dossiers with the real 2025 units. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <glib.h>
#include <glib/gstdio.h>

#include "motcua-dossier.h"
#include "motcua-error.h"
#include "motcua-prefill.h"
#include "testsign.h"

#define GCS_CODE "00451.GCS.01001.26"
#define GBT_CODE "00042.GBT.01001.26"

static MotcuaDocTrust *trust;
static MotcuaUnits *units;

static int
setup (void **state)
{
  (void) state;
  g_autofree char *pki = testsign_pki_dir ();
  g_autofree char *ca = g_build_filename (pki, "signing-ca-TEST-ONLY.pem", NULL);
  g_autofree char *crl = g_build_filename (pki, "signing-ca-TEST-ONLY.crl", NULL);
  const char *paths[] = { ca, crl, NULL };
  g_autoptr(GError) error = NULL;
  trust = motcua_doc_trust_new (paths, &error);
  if (trust == NULL)
    fprintf (stderr, "trust: %s\n", error->message);
  const char *root = g_getenv ("MOTCUA_SOURCE_ROOT");
  g_autofree char *codes = g_build_filename (root ? root : ".", "data", "codes", NULL);
  units = motcua_units_load (codes, NULL);
  return trust && units ? 0 : -1;
}

static int
teardown (void **state)
{
  (void) state;
  g_clear_pointer (&trust, motcua_doc_trust_free);
  g_clear_pointer (&units, motcua_units_free);
  return 0;
}

static GPtrArray *
new_problems (void)
{
  return g_ptr_array_new_with_free_func ((GDestroyNotify) motcua_problem_free);
}

static MotcuaProblem *
find_problem (GPtrArray *problems, const char *path, const char *code)
{
  for (guint i = 0; i < problems->len; i++)
    {
      MotcuaProblem *p = g_ptr_array_index (problems, i);
      if (strcmp (p->path, path) == 0 && strcmp (p->code, code) == 0)
        return p;
    }
  return NULL;
}

/* A signed package; the test fails when testsign cannot make it. */
static GBytes *
document (int loai_hs, const char *signer, const char *const *overrides)
{
  GBytes *b = testsign_xml_document (loai_hs, loai_hs == 61 ? GCS_CODE : GBT_CODE, "01001",
                                     signer, overrides);
  assert_non_null (b);
  return b;
}

static gboolean
prefill (MotcuaDossier *d, GBytes *doc, GPtrArray *problems, GError **error)
{
  gsize len;
  const char *xml = g_bytes_get_data (doc, &len);
  return motcua_dossier_get_procedure (d) == MOTCUA_PROCEDURE_BIRTH
         ? motcua_prefill_from_birth_cert (d, xml, len, trust, units, problems, error)
         : motcua_prefill_from_death_notice (d, xml, len, trust, units, problems, error);
}

static void
assert_field (MotcuaDossier *d, const char *pointer, const char *value,
              MotcuaSourceKind kind, const char *ref)
{
  const char *got_ref = NULL;
  const char *got = motcua_dossier_get_string (d, pointer);
  if (got == NULL || strcmp (got, value) != 0)
    fail_msg ("%s: %s, expected %s", pointer, got ? got : "(absent)", value);
  /* Sources are kept per field: an address object's members share its. */
  g_autofree char *field = g_strdup (pointer);
  const char *addr[] = { "/maTinh", "/maXa", "/dcChiTiet" };
  for (gsize i = 0; i < G_N_ELEMENTS (addr); i++)
    if (g_str_has_suffix (field, addr[i]))
      field[strlen (field) - strlen (addr[i])] = '\0';
  assert_int_equal (motcua_dossier_get_source (d, field, &got_ref), kind);
  if (ref == NULL)
    assert_null (got_ref);
  else
    assert_string_equal (got_ref, ref);
}

/* ------------------------------------------------------------------------ */

static void
test_verify_valid (void **state)
{
  (void) state;
  g_autoptr(GBytes) gcs = document (61, "hospital-rsa-TEST-ONLY", NULL);
  g_autoptr(GBytes) gbt = document (60, "hospital-ec-TEST-ONLY", NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *signer = NULL;
  gsize len;
  const char *xml = g_bytes_get_data (gcs, &len);

  assert_true (motcua_doc_verify (trust, xml, len, &signer, &error));
  assert_null (error);
  assert_non_null (strstr (signer, "CN=Bệnh viện 01001 (TEST ONLY)"));
  g_clear_pointer (&signer, g_free);
  xml = g_bytes_get_data (gbt, &len);
  assert_true (motcua_doc_verify (trust, xml, len, &signer, &error));
  assert_non_null (strstr (signer, "EC (TEST ONLY)"));
}

static void
test_birth_cert (void **state)
{
  (void) state;
  g_autoptr(GBytes) gcs = document (61, "hospital-rsa-TEST-ONLY", NULL);
  g_autoptr(MotcuaDossier) d = motcua_dossier_new (MOTCUA_PROCEDURE_BIRTH, "00004");
  g_autoptr(GPtrArray) problems = new_problems ();
  g_autoptr(GError) error = NULL;
  const MotcuaSourceKind k = MOTCUA_SOURCE_BIRTH_CERT;

  assert_true (prefill (d, gcs, problems, &error));
  assert_null (error);
  assert_field (d, "/khaiSinh/maGCS", GCS_CODE, k, GCS_CODE);
  assert_field (d, "/khaiSinh/ngayCapGCS", "20261121", k, GCS_CODE);
  assert_field (d, "/khaiSinh/nksHoTen", "Trần Minh Khang", k, GCS_CODE);
  assert_field (d, "/khaiSinh/nksGioiTinh", "1", k, GCS_CODE);
  assert_field (d, "/khaiSinh/nksNgaySinh", "21.11.2026", k, GCS_CODE);
  assert_field (d, "/khaiSinh/nksNoiSinh/maTinh", "01", k, GCS_CODE);
  const char *xa = motcua_dossier_get_string (d, "/khaiSinh/nksNoiSinh/maXa");
  assert_non_null (xa);
  assert_string_equal (motcua_units_commune (units, xa)->name, "Phường Giảng Võ");
  assert_field (d, "/khaiSinh/nksNoiSinh/dcChiTiet", "Bệnh viện Phụ sản Hà Nội", k, GCS_CODE);
  assert_field (d, "/khaiSinh/meHoTen", "Nguyễn Thị Hoa", k, GCS_CODE);
  assert_field (d, "/khaiSinh/meNgaySinh", "15.03.1996", k, GCS_CODE);
  assert_field (d, "/khaiSinh/meDanToc", "01", k, GCS_CODE);
  assert_field (d, "/khaiSinh/meQuocTich", "VN", k, GCS_CODE);
  assert_field (d, "/khaiSinh/meLoaiGiayToTuyThan", "1", k, GCS_CODE);
  assert_field (d, "/khaiSinh/meSoGiayToTuyThan", "001196012345", k, GCS_CODE);
  assert_field (d, "/khaiSinh/meNoiCuTru/maTinh", "01", k, GCS_CODE);
  assert_field (d, "/khaiSinh/meNoiCuTru/maXa", "00004", k, GCS_CODE);
  assert_field (d, "/khaiSinh/meNoiCuTru/dcChiTiet", "Số 12 ngõ 45 phố Đội Cấn", k, GCS_CODE);
  assert_field (d, "/khaiSinh/chaHoTen", "Trần Văn Nam", k, GCS_CODE);
  assert_field (d, "/khaiSinh/chaNgaySinh", "02.07.1993", k, GCS_CODE);
  assert_field (d, "/khaiSinh/chaLoaiGiayToTuyThan", "1", k, GCS_CODE);
  assert_field (d, "/khaiSinh/chaSoGiayToTuyThan", "001093054321", k, GCS_CODE);
  /* Nothing from the (empty) surrogacy elements, no warnings. */
  assert_int_equal (problems->len, 0);
  assert_int_equal (motcua_dossier_get_conflicts (d)->len, 0);
}

static void
test_death_notice (void **state)
{
  (void) state;
  g_autoptr(GBytes) gbt = document (60, "hospital-ec-TEST-ONLY", NULL);
  g_autoptr(MotcuaDossier) d = motcua_dossier_new (MOTCUA_PROCEDURE_DEATH, "00004");
  g_autoptr(GPtrArray) problems = new_problems ();
  g_autoptr(GError) error = NULL;
  const MotcuaSourceKind k = MOTCUA_SOURCE_DEATH_NOTICE;

  assert_true (prefill (d, gbt, problems, &error));
  assert_null (error);
  assert_field (d, "/khaiTu/maGBT", GBT_CODE, k, GBT_CODE);
  assert_field (d, "/khaiTu/ngayCapGBT", "20261122", k, GBT_CODE);
  assert_field (d, "/khaiTu/nktHoTen", "Trần Văn Bình", k, GBT_CODE);
  assert_field (d, "/khaiTu/nktNgaySinh", "12.05.1948", k, GBT_CODE);
  assert_field (d, "/khaiTu/nktGioiTinh", "1", k, GBT_CODE);
  assert_field (d, "/khaiTu/nktDanToc", "01", k, GBT_CODE);
  assert_field (d, "/khaiTu/nktQuocTich", "VN", k, GBT_CODE);
  assert_field (d, "/khaiTu/nktLoaiGiayToTuyThan", "1", k, GBT_CODE);
  assert_field (d, "/khaiTu/nktSoGiayToTuyThan", "001048001234", k, GBT_CODE);
  assert_field (d, "/khaiTu/nktNgayCapGiayToTuyThan", "12.04.2021", k, GBT_CODE);
  assert_non_null (motcua_dossier_get_string (d, "/khaiTu/nktNoiCapGiayToTuyThan"));
  assert_field (d, "/khaiTu/nktNgayChet", "22.11.2026", k, GBT_CODE);
  assert_field (d, "/khaiTu/nktGioPhutChet", "15:45", k, GBT_CODE);
  assert_field (d, "/khaiTu/nktNguyenNhanChet", "Suy hô hấp do viêm phổi nặng", k, GBT_CODE);
  assert_field (d, "/khaiTu/nktNoiChet/maTinh", "01", k, GBT_CODE);
  const char *xa = motcua_dossier_get_string (d, "/khaiTu/nktNoiChet/maXa");
  assert_non_null (xa);
  assert_string_equal (motcua_units_commune (units, xa)->name, "Phường Hoàn Kiếm");
  assert_field (d, "/khaiTu/nktNoiChet/dcChiTiet", "Số 1 phố Tràng Thi", k, GBT_CODE);
  assert_field (d, "/khaiTu/nktLoaiCuTru", "1", k, GBT_CODE);
  assert_field (d, "/khaiTu/nktNoiCuTru/maTinh", "01", k, GBT_CODE);
  assert_field (d, "/khaiTu/nktNoiCuTru/maXa", "00008", k, GBT_CODE);
  assert_field (d, "/khaiTu/nktNoiCuTru/dcChiTiet", "Số 8 phố Kim Mã", k, GBT_CODE);
  assert_int_equal (problems->len, 0);
}

/* Refused documents leave the dossier byte for byte as it was. */
static void
assert_refused (MotcuaDossier *d, GBytes *doc, int code)
{
  g_autoptr(GPtrArray) problems = new_problems ();
  g_autoptr(GError) error = NULL;
  gsize before_len, after_len;
  g_autofree char *before = motcua_dossier_to_data (d, &before_len);

  assert_false (prefill (d, doc, problems, &error));
  assert_non_null (error);
  assert_true (g_error_matches (error, MOTCUA_ERROR, code));
  g_autofree char *after = motcua_dossier_to_data (d, &after_len);
  assert_int_equal (before_len, after_len);
  assert_memory_equal (before, after, before_len);
  assert_int_equal (problems->len, 0);
}

static GBytes *
replace (GBytes *doc, const char *from, const char *to)
{
  g_autofree char *s = g_strndup (g_bytes_get_data (doc, NULL), g_bytes_get_size (doc));
  char *at = strstr (s, from);
  assert_non_null (at);
  *at = '\0';
  char *out = g_strconcat (s, to, at + strlen (from), NULL);
  return g_bytes_new_take (out, strlen (out));
}

static void
test_refused_signatures (void **state)
{
  (void) state;
  g_autoptr(MotcuaDossier) d = motcua_dossier_new (MOTCUA_PROCEDURE_BIRTH, "00004");
  motcua_dossier_set_string (d, "/khaiSinh/nksHoTen", "Trần Minh Khôi", MOTCUA_SOURCE_CLERK, NULL);
  g_autoptr(GBytes) good = document (61, "hospital-rsa-TEST-ONLY", NULL);

  /* One byte of the child's name changed after signing. */
  g_autoptr(GBytes) tampered = replace (good, "Khang", "Khanh");
  assert_refused (d, tampered, MOTCUA_ERROR_DOCUMENT_SIGNATURE);
  /* The signer: not under the trusted CA, revoked, expired. */
  const char *signers[] = { "signer-rogue-TEST-ONLY", "signer-revoked-TEST-ONLY",
                            "signer-expired-TEST-ONLY" };
  for (gsize i = 0; i < G_N_ELEMENTS (signers); i++)
    {
      g_autoptr(GBytes) doc = document (61, signers[i], NULL);
      assert_refused (d, doc, MOTCUA_ERROR_DOCUMENT_SIGNATURE);
    }
  /* The messages tell revoked and expired apart. */
  g_autoptr(GBytes) revoked = document (61, "signer-revoked-TEST-ONLY", NULL);
  g_autoptr(GError) error = NULL;
  assert_false (motcua_doc_verify (trust, g_bytes_get_data (revoked, NULL),
                                   g_bytes_get_size (revoked), NULL, &error));
  assert_non_null (strstr (error->message, "revoked"));
  g_clear_error (&error);
  g_autoptr(GBytes) expired = document (61, "signer-expired-TEST-ONLY", NULL);
  assert_false (motcua_doc_verify (trust, g_bytes_get_data (expired, NULL),
                                   g_bytes_get_size (expired), NULL, &error));
  assert_non_null (strstr (error->message, "expired"));
  /* Unsigned: CHUKYDONVI emptied. */
  const char *xml = g_bytes_get_data (good, NULL);
  const char *s = strstr (xml, "<CHUKYDONVI>"), *e = strstr (xml, "</CHUKYDONVI>");
  assert_true (s && e && e > s);
  g_autofree char *sig = g_strndup (s, e - s + strlen ("</CHUKYDONVI>"));
  g_autoptr(GBytes) unsigned_doc = replace (good, sig, "<CHUKYDONVI/>");
  assert_refused (d, unsigned_doc, MOTCUA_ERROR_DOCUMENT_SIGNATURE);
}

static void
test_refused_format (void **state)
{
  (void) state;
  g_autoptr(MotcuaDossier) birth = motcua_dossier_new (MOTCUA_PROCEDURE_BIRTH, "00004");
  g_autoptr(MotcuaDossier) death = motcua_dossier_new (MOTCUA_PROCEDURE_DEATH, "00004");
  g_autoptr(GBytes) gcs = document (61, "hospital-rsa-TEST-ONLY", NULL);
  g_autoptr(GBytes) gbt = document (60, "hospital-rsa-TEST-ONLY", NULL);
  const char *xml = g_bytes_get_data (gcs, NULL);
  g_autoptr(GError) error = NULL;

  /* The wrong kind for the procedure, both ways. */
  assert_refused (birth, gbt, MOTCUA_ERROR_DOCUMENT_FORMAT);
  assert_refused (death, gcs, MOTCUA_ERROR_DOCUMENT_FORMAT);
  assert_false (motcua_prefill_from_death_notice (birth, g_bytes_get_data (gbt, NULL),
                                                  g_bytes_get_size (gbt), trust, units, NULL, &error));
  assert_true (g_error_matches (error, MOTCUA_ERROR, MOTCUA_ERROR_DOCUMENT_FORMAT));
  g_clear_error (&error);

  /* Not XML; truncated; a DTD (even with a valid signature after it). */
  g_autoptr(GBytes) junk = g_bytes_new_static ("not xml at all", 14);
  assert_refused (birth, junk, MOTCUA_ERROR_DOCUMENT_FORMAT);
  g_autoptr(GBytes) truncated = g_bytes_new (xml, g_bytes_get_size (gcs) / 2);
  assert_refused (birth, truncated, MOTCUA_ERROR_DOCUMENT_FORMAT);
  g_autoptr(GBytes) dtd = replace (gcs, "<HSDLGCS>",
                                   "<!DOCTYPE HSDLGCS [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
                                   "<HSDLGCS>");
  assert_refused (birth, dtd, MOTCUA_ERROR_DOCUMENT_FORMAT);
  /* Another root. */
  g_autoptr(GBytes) root1 = replace (gcs, "<HSDLGCS>", "<HSDLXYZ>");
  g_autoptr(GBytes) root2 = replace (root1, "</HSDLGCS>", "</HSDLXYZ>");
  assert_refused (birth, root2, MOTCUA_ERROR_DOCUMENT_FORMAT);
  /* Two signatures in CHUKYDONVI. */
  const char *s = strstr (xml, "<CHUKYDONVI>") + strlen ("<CHUKYDONVI>");
  const char *e = strstr (xml, "</CHUKYDONVI>");
  g_autofree char *sig = g_strndup (s, e - s);
  g_autofree char *dup = g_strconcat (sig, "</CHUKYDONVI>", NULL);
  g_autoptr(GBytes) doubled = replace (gcs, "</CHUKYDONVI>", dup);
  assert_refused (birth, doubled, MOTCUA_ERROR_DOCUMENT_FORMAT);
  /* Two document elements. */
  g_autoptr(GBytes) twodocs = replace (gcs, "<CHUKYDONVI>",
                                       "<GIAYCHUNGSINH Id=\"Id-x\"/><CHUKYDONVI>");
  assert_refused (birth, twodocs, MOTCUA_ERROR_DOCUMENT_FORMAT);
}

static void
test_prefill_rule (void **state)
{
  (void) state;
  g_autoptr(MotcuaDossier) d = motcua_dossier_new (MOTCUA_PROCEDURE_BIRTH, "00004");
  g_autoptr(GBytes) gcs = document (61, "hospital-ec-TEST-ONLY", NULL);
  g_autoptr(GPtrArray) problems = new_problems ();
  g_autoptr(GError) error = NULL;

  /* The clerk typed the child's name; a card gave the mother's name and
   * ID number, the name different from the certificate's. */
  motcua_dossier_set_string (d, "/khaiSinh/nksHoTen", "Trần Minh Khôi", MOTCUA_SOURCE_CLERK, NULL);
  motcua_dossier_set_string (d, "/khaiSinh/meHoTen", "Nguyễn Thị Lan", MOTCUA_SOURCE_CARD,
                            "001196012345");
  motcua_dossier_set_string (d, "/khaiSinh/meSoGiayToTuyThan", "001196012345",
                            MOTCUA_SOURCE_CARD, "001196012345");
  assert_true (prefill (d, gcs, problems, &error));

  assert_field (d, "/khaiSinh/nksHoTen", "Trần Minh Khôi", MOTCUA_SOURCE_CLERK, NULL);
  assert_field (d, "/khaiSinh/meHoTen", "Nguyễn Thị Lan", MOTCUA_SOURCE_CARD, "001196012345");
  assert_field (d, "/khaiSinh/meSoGiayToTuyThan", "001196012345", MOTCUA_SOURCE_CARD,
                "001196012345");
  GPtrArray *conflicts = motcua_dossier_get_conflicts (d);
  assert_int_equal (conflicts->len, 1);
  MotcuaConflict *c = g_ptr_array_index (conflicts, 0);
  assert_string_equal (c->path, "/khaiSinh/meHoTen");
  assert_int_equal (c->source, MOTCUA_SOURCE_CARD);
  assert_int_equal (c->offered_source, MOTCUA_SOURCE_BIRTH_CERT);
  assert_string_equal (c->offered_ref, GCS_CODE);
  assert_string_equal (json_node_get_string (c->offered), "Nguyễn Thị Hoa");
}

static void
test_addresses_and_dates (void **state)
{
  (void) state;
  const char *overrides[] = {
    "NOI_SINH_CON", "Trạm y tế, Thôn 3, Xã Không Tồn Tại, Tỉnh Không Có",
    "MATINH_CU_TRU", "01", "MAXA_CU_TRU", "99999",     /* not a 2025 commune */
    "NOI_CU_TRU_NND", "Số 12 ngõ 45 phố Đội Cấn, Phường Ba Đình, Thành phố Hà Nội",
    "NGAYSINH_NND", "1996",                             /* year only */
    "HO_TEN_CHA", "", "SO_CCCD_CHA_NND", NULL,          /* empty, absent */
    NULL,
  };
  g_autoptr(GBytes) gcs = document (61, "hospital-rsa-TEST-ONLY", overrides);
  g_autoptr(MotcuaDossier) d = motcua_dossier_new (MOTCUA_PROCEDURE_BIRTH, "00004");
  g_autoptr(GPtrArray) problems = new_problems ();
  g_autoptr(GError) error = NULL;

  assert_true (prefill (d, gcs, problems, &error));
  /* Place of birth unmatched: text only, a warning. */
  assert_null (motcua_dossier_get (d, "/khaiSinh/nksNoiSinh/maXa"));
  assert_string_equal (motcua_dossier_get_string (d, "/khaiSinh/nksNoiSinh/dcChiTiet"),
                       "Trạm y tế, Thôn 3, Xã Không Tồn Tại, Tỉnh Không Có");
  assert_non_null (find_problem (problems, "/khaiSinh/nksNoiSinh", "address.unmatched"));
  /* Invalid residence codes: the text decides. */
  assert_string_equal (motcua_dossier_get_string (d, "/khaiSinh/meNoiCuTru/maXa"), "00004");
  /* A year alone is not a dossier date. */
  assert_null (motcua_dossier_get (d, "/khaiSinh/meNgaySinh"));
  assert_non_null (find_problem (problems, "/khaiSinh/meNgaySinh", "document.date"));
  assert_null (motcua_dossier_get (d, "/khaiSinh/chaHoTen"));
  assert_null (motcua_dossier_get (d, "/khaiSinh/chaSoGiayToTuyThan"));
}

static void
test_trust_config (void **state)
{
  (void) state;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("motcua-doc-XXXXXX", NULL);
  const char *empty[] = { dir, NULL };
  const char *missing[] = { "/nonexistent/ca.pem", NULL };

  assert_null (motcua_doc_trust_new (empty, &error));
  assert_true (g_error_matches (error, MOTCUA_ERROR, MOTCUA_ERROR_CONFIG));
  g_clear_error (&error);
  assert_null (motcua_doc_trust_new (missing, &error));
  assert_true (g_error_matches (error, MOTCUA_ERROR, MOTCUA_ERROR_CONFIG));
  g_clear_error (&error);
  g_rmdir (dir);

  /* The PKI directory itself (all its *.pem and *.crl) works too, and a
   * trust without the CRL refuses every signer (fail closed). */
  g_autofree char *pki = testsign_pki_dir ();
  g_autofree char *ca = g_build_filename (pki, "signing-ca-TEST-ONLY.pem", NULL);
  const char *dir_paths[] = { pki, NULL }, *no_crl[] = { ca, NULL };
  g_autoptr(MotcuaDocTrust) t1 = motcua_doc_trust_new (dir_paths, &error);
  assert_non_null (t1);
  g_autoptr(MotcuaDocTrust) t2 = motcua_doc_trust_new (no_crl, &error);
  assert_non_null (t2);
  g_autoptr(GBytes) gcs = document (61, "hospital-rsa-TEST-ONLY", NULL);
  assert_true (motcua_doc_verify (t1, g_bytes_get_data (gcs, NULL), g_bytes_get_size (gcs),
                                  NULL, &error));
  assert_false (motcua_doc_verify (t2, g_bytes_get_data (gcs, NULL), g_bytes_get_size (gcs),
                                   NULL, &error));
  assert_true (g_error_matches (error, MOTCUA_ERROR, MOTCUA_ERROR_DOCUMENT_SIGNATURE));
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_verify_valid),
    cmocka_unit_test (test_birth_cert),
    cmocka_unit_test (test_death_notice),
    cmocka_unit_test (test_refused_signatures),
    cmocka_unit_test (test_refused_format),
    cmocka_unit_test (test_prefill_rule),
    cmocka_unit_test (test_addresses_and_dates),
    cmocka_unit_test (test_trust_config),
  };
  return cmocka_run_group_tests (tests, setup, teardown);
}
