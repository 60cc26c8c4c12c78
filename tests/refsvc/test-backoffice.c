/* test-backoffice.c — the simulated back office under a stepped clock:
 * progression, cascade, refusals, supplements, the head-of-household rule,
 * determinism. */
#include "test-store-common.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

static JsonObject *
obj (JsonNode *n)
{
  return json_node_get_object (n);
}

static char *
iso (gint64 t)
{
  return refsvc_iso8601 (t);
}

/* Asserts the history of one system: statuses and times, in order. */
typedef struct { const char *status; gint64 at; } step;

static void
assert_history (refsvc_store *st, const char *id, const char *system, const step *want, guint n)
{
  g_autoptr (JsonNode) doc = refsvc_store_dossier_status (st, id, NULL);
  assert_non_null (doc);
  JsonObject *s = test_system (doc, system);
  JsonArray *h = json_object_get_array_member (s, "history");
  if (json_array_get_length (h) != n) {
    g_autofree char *text = json_to_string (doc, TRUE);
    fail_msg ("%s: %u events, want %u: %s", system, json_array_get_length (h), n, text);
  }
  for (guint i = 0; i < n; i++) {
    JsonObject *e = json_array_get_object_element (h, i);
    g_autofree char *at = iso (want[i].at);
    assert_string_equal (json_object_get_string_member (e, "status"), want[i].status);
    assert_string_equal (json_object_get_string_member (e, "at"), at);
  }
  /* the current status is the last event's */
  assert_string_equal (json_object_get_string_member (s, "status"), want[n - 1].status);
  g_autofree char *updated = iso (want[n - 1].at);
  assert_string_equal (json_object_get_string_member (s, "updatedAt"), updated);
}

static char *
submit (refsvc_store *st, refsvc_procedure p, const char *unit, const char *payload,
        const refsvc_backoffice_config *bo, gint64 now)
{
  g_autofree char *tx = test_uuid ();
  test_sub *t = test_sub_new (p, tx, unit, payload, 0);
  char *id = test_submit (st, t, bo, now);
  test_sub_free (t);
  return id;
}

/* Each configured duration in turn, checking every status on the way. */
static void
test_birth_stepped (void **state)
{
  store_fixture *f = *state;
  refsvc_backoffice_config bo = test_bo_defaults ();
  g_autofree char *id = submit (f->st, REFSVC_BIRTH, "00004", NULL, &bo, T0);
  const gint64 t1 = T0 + 600, t2 = t1 + 1800, t3 = t2 + 86400;   /* hoTich */
  const gint64 d1 = t3 + 600, d2 = d1 + 1800, d3 = d2 + 86400;   /* downstream */

  assert_int_equal (refsvc_store_advance (f->st, &bo, T0), 0);
  assert_int_equal (refsvc_store_advance (f->st, &bo, t1 - 1), 0);
  assert_string_equal (test_status_of (f->st, id, "hoTich"), "MOI_DANG_KY");
  assert_int_equal (refsvc_store_advance (f->st, &bo, t1), 1);
  assert_string_equal (test_status_of (f->st, id, "hoTich"), "DA_TIEP_NHAN");
  assert_int_equal (refsvc_store_advance (f->st, &bo, t2 - 1), 0);
  assert_int_equal (refsvc_store_advance (f->st, &bo, t2), 1);
  assert_string_equal (test_status_of (f->st, id, "hoTich"), "DANG_XU_LY");
  assert_string_equal (test_status_of (f->st, id, "cuTru"), "CHUA_GUI_DI");
  assert_int_equal (refsvc_store_advance (f->st, &bo, t3 - 1), 0);
  /* processed: hoTich done, and the cascade sends cuTru and bhxh */
  assert_int_equal (refsvc_store_advance (f->st, &bo, t3), 3);
  assert_string_equal (test_status_of (f->st, id, "hoTich"), "DA_XU_LY_XONG");
  assert_string_equal (test_status_of (f->st, id, "cuTru"), "MOI_DANG_KY");
  assert_string_equal (test_status_of (f->st, id, "bhxh"), "MOI_DANG_KY");
  assert_int_equal (refsvc_store_advance (f->st, &bo, d1), 2);
  assert_string_equal (test_status_of (f->st, id, "bhxh"), "DA_TIEP_NHAN");
  assert_int_equal (refsvc_store_advance (f->st, &bo, d2), 2);
  assert_string_equal (test_status_of (f->st, id, "hoTich"), "DA_XU_LY_XONG");
  /* hoTich returns its result return_s (3600) after t3 */
  assert_int_equal (refsvc_store_advance (f->st, &bo, t3 + 3600), 1);
  assert_string_equal (test_status_of (f->st, id, "hoTich"), "DA_TRA_KET_QUA");
  assert_int_equal (refsvc_store_advance (f->st, &bo, d3), 2);
  assert_string_equal (test_status_of (f->st, id, "cuTru"), "DA_XU_LY_XONG");
  assert_int_equal (refsvc_store_advance (f->st, &bo, d3 + 3600), 2);
  assert_int_equal (refsvc_store_advance (f->st, &bo, d3 + 10 * 86400), 0);

  const step hotich[] = { { "MOI_DANG_KY", T0 }, { "DA_TIEP_NHAN", t1 }, { "DANG_XU_LY", t2 },
                          { "DA_XU_LY_XONG", t3 }, { "DA_TRA_KET_QUA", t3 + 3600 } };
  const step down[] = { { "CHUA_GUI_DI", T0 }, { "MOI_DANG_KY", t3 }, { "DA_TIEP_NHAN", d1 },
                        { "DANG_XU_LY", d2 }, { "DA_XU_LY_XONG", d3 },
                        { "DA_TRA_KET_QUA", d3 + 3600 } };
  assert_history (f->st, id, "hoTich", hotich, 5);
  assert_history (f->st, id, "cuTru", down, 6);
  assert_history (f->st, id, "bhxh", down, 6);
}

/* One late tick applies everything at the times it was due, in order. */
static void
test_one_late_tick (void **state)
{
  store_fixture *f = *state;
  refsvc_backoffice_config bo = { .seed = 1, .receive_s = 10, .start_s = 20, .process_s = 30,
                                  .return_s = 40 };
  g_autofree char *id = submit (f->st, REFSVC_DEATH, "00004", NULL, &bo, T0);
  /* 4 hoTich + 2 cascade + 4 cuTru + 4 ldtbxh */
  assert_int_equal (refsvc_store_advance (f->st, &bo, T0 + 365 * 86400), 14);
  const step hotich[] = { { "MOI_DANG_KY", T0 }, { "DA_TIEP_NHAN", T0 + 10 },
                          { "DANG_XU_LY", T0 + 30 }, { "DA_XU_LY_XONG", T0 + 60 },
                          { "DA_TRA_KET_QUA", T0 + 100 } };
  const step down[] = { { "CHUA_GUI_DI", T0 }, { "MOI_DANG_KY", T0 + 60 },
                        { "DA_TIEP_NHAN", T0 + 70 }, { "DANG_XU_LY", T0 + 90 },
                        { "DA_XU_LY_XONG", T0 + 120 }, { "DA_TRA_KET_QUA", T0 + 160 } };
  assert_history (f->st, id, "hoTich", hotich, 5);
  assert_history (f->st, id, "cuTru", down, 6);
  assert_history (f->st, id, "ldtbxh", down, 6);
  /* the feed lists them in time order too */
  g_autoptr (JsonNode) ch = refsvc_store_changes (f->st, "00004", 0, 100);
  JsonArray *a = json_object_get_array_member (obj (ch), "changes");
  assert_int_equal (json_array_get_length (a), 17);
  for (guint i = 1; i < json_array_get_length (a); i++) {
    const char *prev = json_object_get_string_member (json_array_get_object_element (a, i - 1), "at");
    const char *cur = json_object_get_string_member (json_array_get_object_element (a, i), "at");
    assert_true (strcmp (prev, cur) <= 0);
  }
}

static gboolean
in_list (const char *s, const char *const *list)
{
  for (; *list; list++)
    if (strcmp (s, *list) == 0)
      return TRUE;
  return FALSE;
}

static void
test_refuse_all (void **state)
{
  store_fixture *f = *state;
  refsvc_backoffice_config bo = test_bo_defaults ();
  bo.refuse_ratio = 1;
  g_autofree char *id = submit (f->st, REFSVC_BIRTH, "00004", NULL, &bo, T0);
  assert_int_equal (refsvc_store_advance (f->st, &bo, T0 + 600), 1);
  g_autoptr (JsonNode) doc = refsvc_store_dossier_status (f->st, id, NULL);
  JsonObject *h = test_system (doc, "hoTich");
  assert_string_equal (json_object_get_string_member (h, "status"), "TU_CHOI");
  assert_int_equal (json_object_get_int_member (h, "statusCode"), 3);
  assert_string_equal (json_object_get_string_member (h, "statusLabel"), "Từ chối tiếp nhận");
  static const char *const reasons[] = {
    "Sai định dạng ngày sinh của người được khai sinh",
    "Giấy chứng sinh không khớp dữ liệu của cơ sở y tế",
    "Họ tên chưa chuẩn hoá Unicode (TCVN 6909:2001)",
    "Mã đơn vị hành chính nơi cư trú không tồn tại", NULL };
  assert_true (in_list (json_object_get_string_member (h, "reason"), reasons));
  assert_false (json_object_has_member (h, "missing"));
  /* the history entry carries the reason too */
  JsonArray *hist = json_object_get_array_member (h, "history");
  JsonObject *last = json_array_get_object_element (hist, 1);
  assert_string_equal (json_object_get_string_member (last, "reason"),
                       json_object_get_string_member (h, "reason"));
  /* refused: nothing moves any more, downstream never sent */
  assert_int_equal (refsvc_store_advance (f->st, &bo, T0 + 365 * 86400), 0);
  assert_string_equal (test_status_of (f->st, id, "cuTru"), "CHUA_GUI_DI");
  assert_string_equal (test_status_of (f->st, id, "bhxh"), "CHUA_GUI_DI");
}

static void
supplement (refsvc_store *st, const char *id, test_sub *t, const refsvc_backoffice_config *bo,
            gint64 now, refsvc_store_result want, char **answer)
{
  guint status = 0;
  char *a = NULL;
  assert_int_equal (refsvc_store_supplement (st, id, &t->sub, bo, now, &status, &a), want);
  if (want == REFSVC_STORE_CREATED || want == REFSVC_STORE_REPLAY)
    assert_int_equal (status, 202);
  else
    assert_null (a);
  if (answer)
    *answer = a;
  else
    g_free (a);
}

static void
test_supplement_flow (void **state)
{
  store_fixture *f = *state;
  refsvc_backoffice_config bo = test_bo_defaults ();
  bo.supplement_ratio = 1;
  g_autofree char *tx = test_uuid ();
  test_sub *orig = test_sub_new (REFSVC_BIRTH, tx, "00004", NULL, 0);
  g_autofree char *id = test_submit (f->st, orig, &bo, T0);
  const gint64 t3 = T0 + 600 + 1800 + 86400;

  /* nothing asked yet: refused */
  g_autofree char *stx = test_uuid ();
  test_sub *sup = test_sub_new (REFSVC_BIRTH, stx, "00004",
                                "{\"khaiSinh\":{\"nycSoDienThoai\":\"0912345678\"}}", 0);
  supplement (f->st, id, sup, &bo, T0 + 10, REFSVC_STORE_REFUSED, NULL);

  assert_int_equal (refsvc_store_advance (f->st, &bo, t3), 3);
  g_autoptr (JsonNode) doc = refsvc_store_dossier_status (f->st, id, NULL);
  JsonObject *h = test_system (doc, "hoTich");
  assert_string_equal (json_object_get_string_member (h, "status"), "YEU_CAU_BO_SUNG");
  assert_int_equal (json_object_get_int_member (h, "statusCode"), 5);
  JsonArray *missing = json_object_get_array_member (h, "missing");
  assert_int_equal (json_array_get_length (missing), 1);
  const char *ptr = json_array_get_string_element (missing, 0);
  assert_true (strcmp (ptr, "/khaiSinh/nycSoDienThoai") == 0
               || strcmp (ptr, "/khaiSinh/nksNgaySinhBangChu") == 0);
  assert_true (g_str_has_prefix (json_object_get_string_member (h, "reason"), "Thiếu "));
  /* the history entry carries reason and missing too */
  JsonArray *hh = json_object_get_array_member (h, "history");
  JsonObject *asked = json_array_get_object_element (hh, 3);
  assert_string_equal (json_object_get_string_member (asked, "status"), "YEU_CAU_BO_SUNG");
  assert_string_equal (json_array_get_string_element (
                         json_object_get_array_member (asked, "missing"), 0), ptr);
  /* the feed carries them as well */
  g_autoptr (JsonNode) feed = refsvc_store_changes (f->st, "00004", 0, 100);
  JsonArray *fa = json_object_get_array_member (obj (feed), "changes");
  JsonObject *lastc = json_array_get_object_element (fa, json_array_get_length (fa) - 1);
  assert_string_equal (json_object_get_string_member (lastc, "status"), "YEU_CAU_BO_SUNG");
  assert_string_equal (json_object_get_string_member (lastc, "reason"),
                       json_object_get_string_member (h, "reason"));
  assert_string_equal (json_array_get_string_element (
                         json_object_get_array_member (lastc, "missing"), 0), ptr);
  /* waiting for the citizen: no timer */
  assert_int_equal (refsvc_store_advance (f->st, &bo, t3 + 30 * 86400), 0);
  assert_string_equal (test_status_of (f->st, id, "cuTru"), "CHUA_GUI_DI");

  /* wrong unit: not found; wrong procedure: refused; unknown: not found */
  test_sub *foreign = test_sub_new (REFSVC_BIRTH, stx, "00008", NULL, 0);
  supplement (f->st, id, foreign, &bo, t3 + 100, REFSVC_STORE_NOT_FOUND, NULL);
  test_sub *death = test_sub_new (REFSVC_DEATH, stx, "00004", NULL, 0);
  supplement (f->st, id, death, &bo, t3 + 100, REFSVC_STORE_REFUSED, NULL);
  supplement (f->st, "LTKS-00004-261123-000077", sup, &bo, t3 + 100, REFSVC_STORE_NOT_FOUND, NULL);
  /* a supplement reusing the submit's transaction id: conflict */
  test_sub *reuse = test_sub_new (REFSVC_BIRTH, tx, "00004", NULL, 0);
  supplement (f->st, id, reuse, &bo, t3 + 100, REFSVC_STORE_CONFLICT, NULL);

  /* the supplement: hoTich processes again from now */
  const gint64 ts = t3 + 7200;
  g_autofree char *answer = NULL, *again = NULL;
  supplement (f->st, id, sup, &bo, ts, REFSVC_STORE_CREATED, &answer);
  g_autoptr (JsonNode) after = test_parse (answer);
  JsonObject *h2 = test_system (after, "hoTich");
  assert_string_equal (json_object_get_string_member (h2, "status"), "DANG_XU_LY");
  assert_false (json_object_has_member (h2, "missing"));
  assert_false (json_object_has_member (h2, "reason"));
  g_autofree char *ts_iso = iso (ts);
  assert_string_equal (json_object_get_string_member (h2, "updatedAt"), ts_iso);
  /* replay answers the same bytes, even though the state moved on */
  bo.supplement_ratio = 0;
  assert_int_equal (refsvc_store_advance (f->st, &bo, ts + 86400), 3);
  supplement (f->st, id, sup, &bo, ts + 86400, REFSVC_STORE_REPLAY, &again);
  assert_string_equal (again, answer);
  /* the supplement's id cannot be reused as a submit, nor by another dossier */
  guint st = 0;
  g_autofree char *a = NULL;
  assert_int_equal (refsvc_store_submit (f->st, &sup->sub, &bo, ts, &st, &a), REFSVC_STORE_CONFLICT);
  /* by its transaction id the supplement finds its dossier */
  g_autoptr (JsonNode) by_tx = refsvc_store_dossier_by_transaction (f->st, stx, "00004");
  assert_string_equal (json_object_get_string_member (obj (by_tx), "dossierId"), id);

  const step want[] = { { "MOI_DANG_KY", T0 }, { "DA_TIEP_NHAN", T0 + 600 },
                        { "DANG_XU_LY", T0 + 2400 }, { "YEU_CAU_BO_SUNG", t3 },
                        { "DANG_XU_LY", ts }, { "DA_XU_LY_XONG", ts + 86400 } };
  assert_history (f->st, id, "hoTich", want, 6);
  assert_string_equal (test_status_of (f->st, id, "bhxh"), "MOI_DANG_KY");
  /* the stored payload now is the supplement's: a second supplement is refused */
  g_autofree char *tx3 = test_uuid ();
  test_sub *third = test_sub_new (REFSVC_BIRTH, tx3, "00004", NULL, 0);
  supplement (f->st, id, third, &bo, ts + 86401, REFSVC_STORE_REFUSED, NULL);
  test_sub_free (orig);
  test_sub_free (sup);
  test_sub_free (foreign);
  test_sub_free (death);
  test_sub_free (reuse);
  test_sub_free (third);
}

/* Two systems waiting at once: one supplement reopens both. */
static void
test_supplement_reopens_all (void **state)
{
  store_fixture *f = *state;
  refsvc_backoffice_config bo = test_bo_defaults ();
  g_autofree char *id = submit (f->st, REFSVC_BIRTH, "00004", NULL, &bo, T0);
  const gint64 t3 = T0 + 600 + 1800 + 86400, d3 = t3 + 600 + 1800 + 86400;
  assert_int_equal (refsvc_store_advance (f->st, &bo, t3), 5);   /* 3 + cascade 2 */
  bo.supplement_ratio = 1;
  /* hoTich returns; cuTru and bhxh: received, processing, supplement asked */
  assert_int_equal (refsvc_store_advance (f->st, &bo, d3), 7);
  assert_string_equal (test_status_of (f->st, id, "hoTich"), "DA_TRA_KET_QUA");
  g_autoptr (JsonNode) doc = refsvc_store_dossier_status (f->st, id, NULL);
  JsonArray *m = json_object_get_array_member (test_system (doc, "bhxh"), "missing");
  const char *bhxh_missing = json_array_get_string_element (m, 0);
  assert_true (strcmp (bhxh_missing, "/bhyt/noiDangKyKCB") == 0
               || strcmp (bhxh_missing, "/bhyt/diaChiNhanThe") == 0);
  assert_string_equal (test_status_of (f->st, id, "cuTru"), "YEU_CAU_BO_SUNG");
  g_autofree char *tx = test_uuid ();
  test_sub *sup = test_sub_new (REFSVC_BIRTH, tx, "00004", NULL, 0);
  supplement (f->st, id, sup, &bo, d3 + 5, REFSVC_STORE_CREATED, NULL);
  assert_string_equal (test_status_of (f->st, id, "cuTru"), "DANG_XU_LY");
  assert_string_equal (test_status_of (f->st, id, "bhxh"), "DANG_XU_LY");
  bo.supplement_ratio = 0;
  assert_int_equal (refsvc_store_advance (f->st, &bo, d3 + 5 + 86400 + 3600), 4);
  assert_string_equal (test_status_of (f->st, id, "cuTru"), "DA_TRA_KET_QUA");
  assert_string_equal (test_status_of (f->st, id, "bhxh"), "DA_TRA_KET_QUA");
  test_sub_free (sup);
}

/* A supplement arriving before anyone ticked the clock up to its time:
 * the store catches the dossier up first, so the history stays in order. */
static void
test_supplement_without_tick (void **state)
{
  store_fixture *f = *state;
  refsvc_backoffice_config bo = test_bo_defaults ();
  bo.supplement_ratio = 1;
  g_autofree char *id = submit (f->st, REFSVC_BIRTH, "00004", NULL, &bo, T0);
  const gint64 t3 = T0 + 600 + 1800 + 86400;
  g_autofree char *tx = test_uuid ();
  test_sub *sup = test_sub_new (REFSVC_BIRTH, tx, "00004", NULL, 0);
  supplement (f->st, id, sup, &bo, t3 - 1, REFSVC_STORE_REFUSED, NULL);
  supplement (f->st, id, sup, &bo, t3 + 5, REFSVC_STORE_CREATED, NULL);
  const step want[] = { { "MOI_DANG_KY", T0 }, { "DA_TIEP_NHAN", T0 + 600 },
                        { "DANG_XU_LY", T0 + 2400 }, { "YEU_CAU_BO_SUNG", t3 },
                        { "DANG_XU_LY", t3 + 5 } };
  assert_history (f->st, id, "hoTich", want, 5);
  test_sub_free (sup);
}

static const char head_no_successor[] =
  "{\"khaiTu\":{\"nktHoTen\":\"Lê Văn Cường\"},"
  "\"xoaThuongTru\":{\"laChuHo\":true,\"soThanhVienConLai\":2}}";
static const char head_with_successor[] =
  "{\"khaiTu\":{\"nktHoTen\":\"Lê Văn Cường\"},"
  "\"xoaThuongTru\":{\"laChuHo\":true,\"soThanhVienConLai\":2,"
  "\"chuHoMoi\":{\"hoTen\":\"Lê Thị Dung\",\"soDinhDanh\":\"001190000123\"}}}";
static const char head_alone[] =
  "{\"khaiTu\":{\"nktHoTen\":\"Lê Văn Cường\"},"
  "\"xoaThuongTru\":{\"laChuHo\":true,\"soThanhVienConLai\":0}}";

static void
test_head_of_household (void **state)
{
  store_fixture *f = *state;
  refsvc_backoffice_config bo = test_bo_defaults ();
  g_autofree char *ruled = submit (f->st, REFSVC_DEATH, "00004", head_no_successor, &bo, T0);
  g_autofree char *named = submit (f->st, REFSVC_DEATH, "00004", head_with_successor, &bo, T0);
  g_autofree char *alone = submit (f->st, REFSVC_DEATH, "00004", head_alone, &bo, T0);
  const gint64 d3 = T0 + 2 * (600 + 1800 + 86400);
  refsvc_store_advance (f->st, &bo, d3);
  g_autoptr (JsonNode) doc = refsvc_store_dossier_status (f->st, ruled, NULL);
  JsonObject *c = test_system (doc, "cuTru");
  assert_string_equal (json_object_get_string_member (c, "status"), "YEU_CAU_BO_SUNG");
  assert_string_equal (json_object_get_string_member (c, "reason"),
                       "Người chết là chủ hộ, hộ còn thành viên nhưng chưa có chủ hộ mới");
  JsonArray *m = json_object_get_array_member (c, "missing");
  assert_int_equal (json_array_get_length (m), 1);
  assert_string_equal (json_array_get_string_element (m, 0), "/xoaThuongTru/chuHoMoi");
  /* the rule touches only residence */
  assert_string_equal (test_status_of (f->st, ruled, "ldtbxh"), "DA_XU_LY_XONG");
  assert_string_equal (test_status_of (f->st, named, "cuTru"), "DA_XU_LY_XONG");
  assert_string_equal (test_status_of (f->st, alone, "cuTru"), "DA_XU_LY_XONG");

  /* a supplement that still names no new head is asked again */
  g_autofree char *tx1 = test_uuid ();
  test_sub *same = test_sub_new (REFSVC_DEATH, tx1, "00004", head_no_successor, 0);
  supplement (f->st, ruled, same, &bo, d3 + 10, REFSVC_STORE_CREATED, NULL);
  /* ruled: cuTru asked again, ldtbxh returns; the two others return both */
  assert_int_equal (refsvc_store_advance (f->st, &bo, d3 + 10 + 86400), 6);
  assert_string_equal (test_status_of (f->st, ruled, "cuTru"), "YEU_CAU_BO_SUNG");
  /* one that names the new head goes through (the rule is re-evaluated) */
  g_autofree char *tx2 = test_uuid ();
  test_sub *fixed = test_sub_new (REFSVC_DEATH, tx2, "00004", head_with_successor, 0);
  fixed->sub.payload_root = NULL;   /* the store parses the bytes itself then */
  supplement (f->st, ruled, fixed, &bo, d3 + 20 + 86400, REFSVC_STORE_CREATED, NULL);
  assert_int_equal (refsvc_store_advance (f->st, &bo, d3 + 20 + 2 * 86400), 1);
  assert_string_equal (test_status_of (f->st, ruled, "cuTru"), "DA_XU_LY_XONG");
  test_sub_free (same);
  test_sub_free (fixed);
}

/* The outcome of each (seed, dossier, system, round) is fixed: two stores
 * fed the same dossiers refuse the same ones; both outcomes occur. */
static void
outcomes (store_fixture *f, guint64 seed, GString *out)
{
  refsvc_backoffice_config bo = test_bo_defaults ();
  bo.refuse_ratio = 0.5;
  bo.seed = seed;
  g_autoptr (GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  for (int i = 0; i < 40; i++)
    g_ptr_array_add (ids, submit (f->st, REFSVC_BIRTH, "00004", NULL, &bo, T0));
  refsvc_store_advance (f->st, &bo, T0 + 600);
  for (guint i = 0; i < ids->len; i++) {
    const char *s = test_status_of (f->st, g_ptr_array_index (ids, i), "hoTich");
    g_string_append_c (out, strcmp (s, "TU_CHOI") == 0 ? 'R' : 'a');
  }
}

static void
test_deterministic (void **state)
{
  store_fixture *f = *state;
  g_autoptr (GString) a = g_string_new (NULL), b = g_string_new (NULL), c = g_string_new (NULL);
  outcomes (f, 7, a);
  store_fixture_teardown (state);
  store_fixture_setup (state);
  outcomes (*state, 7, b);
  store_fixture_teardown (state);
  store_fixture_setup (state);
  outcomes (*state, 8, c);
  assert_string_equal (a->str, b->str);
  assert_string_not_equal (a->str, c->str);
  assert_non_null (strchr (a->str, 'R'));
  assert_non_null (strchr (a->str, 'a'));
}

/* Reception and processing draw independently: with both ratios at 0.5,
 * the dossiers received are themselves split by the processing draw. */
static void
test_independent_draws (void **state)
{
  store_fixture *f = *state;
  refsvc_backoffice_config bo = test_bo_defaults ();
  bo.refuse_ratio = 0.5;
  bo.supplement_ratio = 0.5;
  g_autoptr (GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  for (int i = 0; i < 40; i++)
    g_ptr_array_add (ids, submit (f->st, REFSVC_BIRTH, "00004", NULL, &bo, T0));
  refsvc_store_advance (f->st, &bo, T0 + 600 + 1800 + 86400);
  guint refused = 0, asked = 0, done = 0;
  for (guint i = 0; i < ids->len; i++) {
    const char *s = test_status_of (f->st, g_ptr_array_index (ids, i), "hoTich");
    refused += strcmp (s, "TU_CHOI") == 0;
    asked += strcmp (s, "YEU_CAU_BO_SUNG") == 0;
    done += strcmp (s, "DA_XU_LY_XONG") == 0;
  }
  assert_int_equal (refused + asked + done, 40);
  assert_true (refused > 0 && asked > 0 && done > 0);
}

static void
test_needs_new_head_parsing (void **state)
{
  (void) state;
  /* the same rule as the store applies, on hostile or odd shapes */
  static const struct { const char *json; gboolean want; } cases[] = {
    { "{\"xoaThuongTru\":{\"laChuHo\":true,\"soThanhVienConLai\":1}}", TRUE },
    { "{\"xoaThuongTru\":{\"laChuHo\":\"true\",\"soThanhVienConLai\":\"3\"}}", TRUE },
    { "{\"xoaThuongTru\":{\"laChuHo\":true,\"soThanhVienConLai\":1,\"chuHoMoi\":null}}", TRUE },
    { "{\"xoaThuongTru\":{\"laChuHo\":true,\"soThanhVienConLai\":1,\"chuHoMoi\":{}}}", TRUE },
    { "{\"xoaThuongTru\":{\"laChuHo\":true,\"soThanhVienConLai\":1,\"chuHoMoi\":\"\"}}", TRUE },
    { "{\"xoaThuongTru\":{\"laChuHo\":true,\"soThanhVienConLai\":1,\"chuHoMoi\":\"X\"}}", FALSE },
    { "{\"xoaThuongTru\":{\"laChuHo\":false,\"soThanhVienConLai\":1}}", FALSE },
    { "{\"xoaThuongTru\":{\"laChuHo\":true}}", FALSE },
    { "{\"xoaThuongTru\":[1,2]}", FALSE },
    { "{\"xoaThuongTru\":{\"laChuHo\":[true],\"soThanhVienConLai\":{}}}", FALSE },
    { "[]", FALSE },
    { "{}", FALSE },
  };
  refsvc_backoffice_config bo = test_bo_defaults ();
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++) {
    store_fixture *f = NULL;
    store_fixture_setup ((void **) &f);
    g_autofree char *id = submit (f->st, REFSVC_DEATH, "00004", cases[i].json, &bo, T0);
    refsvc_store_advance (f->st, &bo, T0 + 2 * (600 + 1800 + 86400));
    assert_string_equal (test_status_of (f->st, id, "cuTru"),
                         cases[i].want ? "YEU_CAU_BO_SUNG" : "DA_XU_LY_XONG");
    store_fixture_teardown ((void **) &f);
  }
}

int
main (void)
{
#define T(fn) cmocka_unit_test_setup_teardown (fn, store_fixture_setup, store_fixture_teardown)
  const struct CMUnitTest tests[] = {
    T (test_birth_stepped),
    T (test_one_late_tick),
    T (test_refuse_all),
    T (test_supplement_flow),
    T (test_supplement_reopens_all),
    T (test_supplement_without_tick),
    T (test_head_of_household),
    T (test_deterministic),
    T (test_independent_draws),
    cmocka_unit_test (test_needs_new_head_parsing),
  };
  return cmocka_run_group_tests_name ("refsvc-backoffice", tests, NULL, NULL);
}
