/* test-prefill.c — prefill from a chip card read (motcua-prefill.c) */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <glib.h>

#include "motcua-config.h"
#include "motcua-error.h"
#include "motcua-prefill.h"

static MotcuaUnits *units;

/* What a 2024 card gives for the mother of the birth sample. */
static mc_identity *
mother_card (void)
{
  mc_identity *id = calloc (1, sizeof *id);
  id->id_number = strdup ("001196012345");
  id->full_name = strdup ("Trần Thị Thu Hà");
  id->date_of_birth = strdup ("1996-03-14");
  id->sex = strdup ("Nữ");
  id->nationality = strdup ("Việt Nam");
  id->ethnicity = strdup ("Kinh");
  id->religion = strdup ("Không");
  id->place_of_residence = strdup ("Số 12 ngõ 34 phố Đội Cấn, Phường Ba Đình, Thành phố Hà Nội");
  id->date_of_issue = strdup ("2024-08-01");
  id->has_mrz = 1;
  strcpy (id->mrz.document_code, "IT");
  return id;
}

static mc_verdict
verdict (mc_verdict_status s)
{
  mc_verdict v;
  memset (&v, 0, sizeof v);
  v.status = s;
  return v;
}

static GPtrArray *
new_problems (void)
{
  return g_ptr_array_new_with_free_func ((GDestroyNotify) motcua_problem_free);
}

static gboolean
has_problem (GPtrArray *problems, const char *code)
{
  for (guint i = 0; i < problems->len; i++)
    if (g_str_equal (((MotcuaProblem *) problems->pdata[i])->code, code))
      return TRUE;
  return FALSE;
}

static int
setup (void **state)
{
  (void) state;
  g_autofree char *dir = g_build_filename (MOTCUA_SOURCE_ROOT, "data", "codes", NULL);
  g_setenv ("MOTCUA_CODES_DIR", dir, TRUE);
  units = motcua_units_load (dir, NULL);
  return units ? 0 : -1;
}

static int
teardown (void **state)
{
  (void) state;
  motcua_units_free (units);
  return 0;
}

static void
test_mother (void **state)
{
  (void) state;
  g_autoptr(MotcuaDossier) d = motcua_dossier_new (MOTCUA_PROCEDURE_BIRTH, "00004");
  mc_identity *id = mother_card ();
  mc_verdict v = verdict (MC_VERDICT_GENUINE);
  g_autoptr(GPtrArray) problems = new_problems ();
  g_autoptr(GError) error = NULL;
  assert_true (motcua_prefill_from_card (d, MOTCUA_ROLE_MOTHER, id, &v, units, problems, &error));
  assert_string_equal (motcua_dossier_get_string (d, "/khaiSinh/meHoTen"), "Trần Thị Thu Hà");
  assert_string_equal (motcua_dossier_get_string (d, "/khaiSinh/meNgaySinh"), "14.03.1996");
  assert_string_equal (motcua_dossier_get_string (d, "/khaiSinh/meDanToc"), "01");
  assert_string_equal (motcua_dossier_get_string (d, "/khaiSinh/meQuocTich"), "VN");
  assert_string_equal (motcua_dossier_get_string (d, "/khaiSinh/meLoaiGiayToTuyThan"), "1");
  assert_string_equal (motcua_dossier_get_string (d, "/khaiSinh/meSoGiayToTuyThan"), "001196012345");
  assert_string_equal (motcua_dossier_get_string (d, "/khaiSinh/meXacThucThongTin"), "1");
  assert_string_equal (motcua_dossier_get_string (d, "/khaiSinh/meNoiCuTru/maTinh"), "01");
  assert_string_equal (motcua_dossier_get_string (d, "/khaiSinh/meNoiCuTru/maXa"), "00004");
  const char *ref = NULL;
  assert_int_equal (motcua_dossier_get_source (d, "/khaiSinh/meHoTen", &ref), MOTCUA_SOURCE_CARD);
  assert_string_equal (ref, "001196012345");
  /* The mother has no sex field: nothing written beside her members. */
  assert_null (motcua_dossier_get (d, "/khaiSinh/meGioiTinh"));
  assert_int_equal (problems->len, 0);
  mc_identity_free (id);
}

static void
test_requester_and_claimant (void **state)
{
  (void) state;
  g_autoptr(MotcuaDossier) d = motcua_dossier_new (MOTCUA_PROCEDURE_DEATH, "00004");
  mc_identity *id = mother_card ();
  mc_verdict v = verdict (MC_VERDICT_GENUINE);
  assert_true (motcua_prefill_from_card (d, MOTCUA_ROLE_REQUESTER, id, &v, units, NULL, NULL));
  assert_true (motcua_prefill_from_card (d, MOTCUA_ROLE_CLAIMANT, id, &v, units, NULL, NULL));
  assert_string_equal (motcua_dossier_get_string (d, "/khaiTu/nycHoTen"), "Trần Thị Thu Hà");
  assert_string_equal (motcua_dossier_get_string (d, "/khaiTu/nycNgayCapGiayToTuyThan"), "01.08.2024");
  assert_string_equal (motcua_dossier_get_string (d, "/khaiTu/nycNoiCapGiayToTuyThan"), "Bộ Công an");
  assert_string_equal (motcua_dossier_get_string (d, "/maiTang/nguoiNhan/hoTen"), "Trần Thị Thu Hà");
  assert_string_equal (motcua_dossier_get_string (d, "/maiTang/nguoiNhan/ngaySinh"), "14.03.1996");
  assert_string_equal (motcua_dossier_get_string (d, "/maiTang/nguoiNhan/soGiayTo"), "001196012345");
  /* The 2021 card's issuer. */
  strcpy (id->mrz.document_code, "ID");
  g_autoptr(MotcuaDossier) d2 = motcua_dossier_new (MOTCUA_PROCEDURE_DEATH, "00004");
  assert_true (motcua_prefill_from_card (d2, MOTCUA_ROLE_DECEASED, id, &v, units, NULL, NULL));
  assert_string_equal (motcua_dossier_get_string (d2, "/khaiTu/nktNoiCapGiayToTuyThan"),
                       "Cục Cảnh sát quản lý hành chính về trật tự xã hội");
  assert_string_equal (motcua_dossier_get_string (d2, "/khaiTu/nktGioiTinh"), "2");
  mc_identity_free (id);
}

static void
test_clerk_kept_and_conflicts (void **state)
{
  (void) state;
  g_autoptr(MotcuaDossier) d = motcua_dossier_new (MOTCUA_PROCEDURE_BIRTH, "00004");
  motcua_dossier_set_string (d, "/khaiSinh/meNgaySinh", "15.03.1996", MOTCUA_SOURCE_CLERK, NULL);
  motcua_dossier_set_string (d, "/khaiSinh/meHoTen", "Trần Thị Thu Hằng", MOTCUA_SOURCE_BIRTH_CERT,
                             "00123.GCS.01001.26");
  mc_identity *id = mother_card ();
  mc_verdict v = verdict (MC_VERDICT_GENUINE);
  assert_true (motcua_prefill_from_card (d, MOTCUA_ROLE_MOTHER, id, &v, units, NULL, NULL));
  /* The clerk's value stays; the certificate's name stays and the card's
   * differing name is a conflict to settle. */
  assert_string_equal (motcua_dossier_get_string (d, "/khaiSinh/meNgaySinh"), "15.03.1996");
  assert_string_equal (motcua_dossier_get_string (d, "/khaiSinh/meHoTen"), "Trần Thị Thu Hằng");
  GPtrArray *conflicts = motcua_dossier_get_conflicts (d);
  assert_int_equal (conflicts->len, 1);
  const MotcuaConflict *c = conflicts->pdata[0];
  assert_string_equal (c->path, "/khaiSinh/meHoTen");
  assert_int_equal (c->offered_source, MOTCUA_SOURCE_CARD);
  mc_identity_free (id);
}

static void
test_refusals (void **state)
{
  (void) state;
  g_autoptr(MotcuaDossier) d = motcua_dossier_new (MOTCUA_PROCEDURE_BIRTH, "00004");
  mc_identity *id = mother_card ();
  g_autoptr(GError) error = NULL;

  mc_verdict failed = verdict (MC_VERDICT_FAILED);
  assert_false (motcua_prefill_from_card (d, MOTCUA_ROLE_MOTHER, id, &failed, units, NULL, &error));
  assert_true (g_error_matches (error, MOTCUA_ERROR, MOTCUA_ERROR_CARD_NOT_GENUINE));
  assert_null (motcua_dossier_get (d, "/khaiSinh/meHoTen"));
  g_clear_error (&error);

  mc_verdict ok = verdict (MC_VERDICT_GENUINE);
  assert_false (motcua_prefill_from_card (d, MOTCUA_ROLE_DECEASED, id, &ok, units, NULL, &error));
  assert_true (g_error_matches (error, MOTCUA_ERROR, MOTCUA_ERROR_DOSSIER_INVALID));
  g_clear_error (&error);

  g_autoptr(GPtrArray) problems = new_problems ();
  mc_verdict unverified = verdict (MC_VERDICT_UNVERIFIED);
  free (id->place_of_residence);
  id->place_of_residence = strdup ("Thôn Không Tồn Tại, Xã Chẳng Có, Tỉnh Mơ Hồ");
  assert_true (motcua_prefill_from_card (d, MOTCUA_ROLE_FATHER, id, &unverified, units, problems, &error));
  assert_true (has_problem (problems, "card.unverified"));
  assert_true (has_problem (problems, "address.unmatched") || has_problem (problems, "address.ambiguous"));
  assert_string_equal (motcua_dossier_get_string (d, "/khaiSinh/chaXacThucThongTin"), "0");
  assert_null (motcua_dossier_get (d, "/khaiSinh/chaNoiCuTru/maXa"));
  assert_non_null (motcua_dossier_get_string (d, "/khaiSinh/chaNoiCuTru/dcChiTiet"));
  mc_identity_free (id);
}

static void
test_role_names (void **state)
{
  (void) state;
  for (MotcuaRole r = MOTCUA_ROLE_MOTHER; r <= MOTCUA_ROLE_CLAIMANT; r++)
    assert_int_equal (motcua_role_from_name (motcua_role_name (r)), r);
  assert_int_equal (motcua_role_from_name ("uncle"), 0);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_mother),
    cmocka_unit_test (test_requester_and_claimant),
    cmocka_unit_test (test_clerk_kept_and_conflicts),
    cmocka_unit_test (test_refusals),
    cmocka_unit_test (test_role_names),
  };
  return cmocka_run_group_tests (tests, setup, teardown);
}
