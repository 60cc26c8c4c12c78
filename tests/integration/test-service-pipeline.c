/* test-service-pipeline.c — the simulated back office under the stepped clock
 *
 * Each scenario runs against its own motcua-refsvc process (so the clock
 * and the back-office configuration are its own): birth and death
 * dossiers through every status of every system, each transition at the
 * exact configured time; refusal at reception (refuseRatio 1); a
 * supplement asked (supplementRatio 1), sent, and the dossier finished;
 * the head-of-household death rule. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "service-harness.h"

/* The durations every scenario sets (the documented defaults). */
#define R 600     /* receive */
#define S 1800    /* start */
#define P 86400   /* process */
#define T 3600    /* return */

static svc_service *svc;
static GBytes *birth, *death;

static int
setup (void **state)
{
  (void) state;
  if (!svc_group_start (&svc, &birth, &death))
    return -1;
  long st = 0;
  g_autoptr(JsonNode) c = svc_admin (svc, "PUT", "/admin/clock", "{\"mode\":\"stepped\"}", &st);
  if (st != 200 || g_strcmp0 (svc_json_str (c, "/mode"), "stepped"))
    return -1;
  g_autofree char *bo = g_strdup_printf ("{\"refuseRatio\":0,\"supplementRatio\":0,\"seed\":1,"
                                         "\"receiveSeconds\":%d,\"startSeconds\":%d,"
                                         "\"processSeconds\":%d,\"returnSeconds\":%d}", R, S, P, T);
  g_autoptr(JsonNode) b = svc_admin (svc, "PUT", "/admin/backoffice", bo, &st);
  return st == 200 ? 0 : -1;
}

static int
teardown (void **state)
{
  (void) state;
  return svc_group_stop (svc, &birth, &death) ? 0 : -1;
}

static void
backoffice (const char *json)
{
  long st = 0;
  g_autoptr(JsonNode) n = svc_admin (svc, "PUT", "/admin/backoffice", json, &st);
  assert_int_equal (st, 200);
}

/* Moves the virtual clock; returns the number of transitions made. */
static gint64
advance (gint64 seconds)
{
  g_autofree char *body = g_strdup_printf ("{\"seconds\":%" G_GINT64_FORMAT "}", seconds);
  long st = 0;
  g_autoptr(JsonNode) before = svc_admin (svc, "GET", "/admin/clock", NULL, NULL);
  g_autoptr(JsonNode) n = svc_admin (svc, "POST", "/admin/clock/advance", body, &st);
  assert_int_equal (st, 200);
  assert_int_equal (svc_json_int (n, "/nowUnix"), svc_json_int (before, "/nowUnix") + seconds);
  return svc_json_int (n, "/transitions");
}

static char *
submit (const char *procedure, GBytes *payload, JsonNode **answer)
{
  g_autofree char *txid = g_uuid_string_random ();
  g_autofree char *env = svc_signed_envelope (txid, procedure, payload, "clerk-rsa-TEST-ONLY",
                                              FALSE);
  g_autoptr(svc_response) r = svc_submit_as (svc, SVC_COUNTER, env);
  if (r->status != 201)
    fprintf (stderr, "submit: %ld %s\n", r->status, r->body);
  assert_int_equal (r->status, 201);
  if (answer)
    *answer = json_node_ref (r->json);
  return g_strdup (svc_json_str (r->json, "/dossierId"));
}

static JsonNode *
status_of (const char *id)
{
  g_autofree char *path = g_strconcat ("/v1/dossiers/", id, NULL);
  g_autoptr(svc_response) r = svc_get_as (svc, SVC_COUNTER, path);
  assert_int_equal (r->status, 200);
  return json_node_ref (r->json);
}

/* The three systems' statuses, e.g. "DA_TIEP_NHAN CHUA_GUI_DI CHUA_GUI_DI". */
static void
expect (const char *id, const char *const systems[3], const char *hoTich, const char *second,
        const char *third)
{
  g_autoptr(JsonNode) doc = status_of (id);
  const char *want[3] = { hoTich, second, third };
  for (int i = 0; i < 3; i++)
    if (strcmp (svc_system_status (doc, systems[i]), want[i]))
      {
        g_autofree char *text = svc_json_text (doc);
        fail_msg ("%s: %s is %s, expected %s\n%s", id, systems[i],
                  svc_system_status (doc, systems[i]), want[i], text);
      }
}

static gint64
unix_of (const char *iso)
{
  g_autoptr(GDateTime) dt = iso ? g_date_time_new_from_iso8601 (iso, NULL) : NULL;
  assert_non_null (dt);
  return g_date_time_to_unix (dt);
}

static gint64
code_of (const char *status)
{
  static const struct { const char *s; gint64 c; const char *label; } codes[] = {
    { "CHUA_GUI_DI", 0, "Chưa gửi đi" }, { "MOI_DANG_KY", 1, "Mới đăng ký" },
    { "DA_TIEP_NHAN", 2, "Đã tiếp nhận" }, { "TU_CHOI", 3, "Từ chối tiếp nhận" },
    { "DANG_XU_LY", 4, "Đang xử lý" }, { "YEU_CAU_BO_SUNG", 5, "Yêu cầu bổ sung" },
    { "DA_XU_LY_XONG", 9, "Đã xử lý xong" }, { "DA_TRA_KET_QUA", 10, "Đã trả kết quả" },
  };
  for (size_t i = 0; i < G_N_ELEMENTS (codes); i++)
    if (!strcmp (codes[i].s, status))
      return codes[i].c;
  return -1;
}

/* A system's history: statuses (space separated) and times relative to
 * t0, e.g. "MOI_DANG_KY@0 DA_TIEP_NHAN@600". */
static void
expect_history (JsonNode *doc, const char *system, gint64 t0, const char *want)
{
  JsonNode *s = svc_system (doc, system);
  assert_non_null (s);
  g_autoptr(GString) got = g_string_new (NULL);
  guint n = svc_json_len (s, "/history");
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *ps = g_strdup_printf ("/history/%u/status", i);
      g_autofree char *pc = g_strdup_printf ("/history/%u/statusCode", i);
      g_autofree char *pa = g_strdup_printf ("/history/%u/at", i);
      const char *st = svc_json_str (s, ps);
      assert_non_null (st);
      assert_int_equal (svc_json_int (s, pc), code_of (st));
      g_string_append_printf (got, "%s%s@%" G_GINT64_FORMAT, i ? " " : "", st,
                              unix_of (svc_json_str (s, pa)) - t0);
    }
  if (strcmp (got->str, want))
    fail_msg ("%s history:\n  got      %s\n  expected %s", system, got->str, want);
}

static const char *const BIRTH[3] = { "hoTich", "cuTru", "bhxh" };
static const char *const DEATH[3] = { "hoTich", "cuTru", "ldtbxh" };

/* ------------------------------------------------------------ scenarios */

static void
run_full (const char *procedure, GBytes *payload, const char *const sys[3])
{
  g_autoptr(JsonNode) answer = NULL;
  g_autofree char *id = submit (procedure, payload, &answer);
  gint64 t0 = unix_of (svc_json_str (answer, "/receivedAt"));
  expect (id, sys, "MOI_DANG_KY", "CHUA_GUI_DI", "CHUA_GUI_DI");
  assert_int_equal (advance (R - 1), 0);
  expect (id, sys, "MOI_DANG_KY", "CHUA_GUI_DI", "CHUA_GUI_DI");
  assert_int_equal (advance (1), 1);
  expect (id, sys, "DA_TIEP_NHAN", "CHUA_GUI_DI", "CHUA_GUI_DI");
  assert_int_equal (advance (S), 1);
  expect (id, sys, "DANG_XU_LY", "CHUA_GUI_DI", "CHUA_GUI_DI");
  assert_true (advance (P) >= 1);
  /* hoTich done: the downstream systems are sent the dossier. */
  expect (id, sys, "DA_XU_LY_XONG", "MOI_DANG_KY", "MOI_DANG_KY");
  assert_true (advance (R) >= 2);
  expect (id, sys, "DA_XU_LY_XONG", "DA_TIEP_NHAN", "DA_TIEP_NHAN");
  assert_true (advance (S) >= 2);
  expect (id, sys, "DA_XU_LY_XONG", "DANG_XU_LY", "DANG_XU_LY");
  advance (T - R - S);
  expect (id, sys, "DA_TRA_KET_QUA", "DANG_XU_LY", "DANG_XU_LY");
  advance (P - (T - R - S));
  expect (id, sys, "DA_TRA_KET_QUA", "DA_XU_LY_XONG", "DA_XU_LY_XONG");
  advance (T);
  expect (id, sys, "DA_TRA_KET_QUA", "DA_TRA_KET_QUA", "DA_TRA_KET_QUA");
  /* Final: nothing moves any more. */
  assert_int_equal (advance (10 * P), 0);

  g_autoptr(JsonNode) doc = status_of (id);
  g_autofree char *ho = g_strdup_printf ("MOI_DANG_KY@0 DA_TIEP_NHAN@%d DANG_XU_LY@%d "
                                         "DA_XU_LY_XONG@%d DA_TRA_KET_QUA@%d",
                                         R, R + S, R + S + P, R + S + P + T);
  expect_history (doc, sys[0], t0, ho);
  int d = R + S + P;
  g_autofree char *down = g_strdup_printf ("CHUA_GUI_DI@0 MOI_DANG_KY@%d DA_TIEP_NHAN@%d "
                                           "DANG_XU_LY@%d DA_XU_LY_XONG@%d DA_TRA_KET_QUA@%d",
                                           d, d + R, d + R + S, d + R + S + P, d + R + S + P + T);
  expect_history (doc, sys[1], t0, down);
  expect_history (doc, sys[2], t0, down);

  /* The changes feed holds the same 5 + 6 + 6 events, in cursor order. */
  g_autoptr(svc_response) ch = svc_get_as (svc, SVC_COUNTER, "/v1/changes?since=0&limit=1000");
  assert_int_equal (ch->status, 200);
  guint n = svc_json_len (ch->json, "/changes"), mine = 0;
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *p = g_strdup_printf ("/changes/%u/dossierId", i);
      mine += !g_strcmp0 (svc_json_str (ch->json, p), id);
    }
  assert_int_equal (mine, 17);
}

static void
test_birth_pipeline (void **state)
{
  (void) state;
  run_full ("birth", birth, BIRTH);
}

static void
test_death_pipeline (void **state)
{
  (void) state;
  run_full ("death", death, DEATH);
}

static void
test_refused (void **state)
{
  (void) state;
  backoffice ("{\"refuseRatio\":1}");
  g_autofree char *id = submit ("birth", birth, NULL);
  advance (R);
  expect (id, BIRTH, "TU_CHOI", "CHUA_GUI_DI", "CHUA_GUI_DI");
  g_autoptr(JsonNode) doc = status_of (id);
  JsonNode *h = svc_system (doc, "hoTich");
  assert_int_equal (svc_json_int (h, "/statusCode"), 3);
  assert_string_equal (svc_json_str (h, "/statusLabel"), "Từ chối tiếp nhận");
  const char *reason = svc_json_str (h, "/reason");
  assert_non_null (reason);
  assert_true (g_utf8_strlen (reason, -1) > 10);
  /* Refusal is final, downstream never sent. */
  assert_int_equal (advance (10 * (R + S + P + T)), 0);
  expect (id, BIRTH, "TU_CHOI", "CHUA_GUI_DI", "CHUA_GUI_DI");
  /* Nothing to supplement. */
  g_autofree char *tx = g_uuid_string_random ();
  g_autofree char *env = svc_signed_envelope (tx, "birth", birth, "clerk-rsa-TEST-ONLY", FALSE);
  g_autofree char *path = g_strdup_printf ("/v1/dossiers/%s/supplements", id);
  g_autofree char *tok = svc_token (svc, SVC_COUNTER);
  g_autoptr(svc_response) r = svc_request (svc, "POST", path, SVC_COUNTER, tok,
                                           "application/json", env, strlen (env));
  assert_true (svc_check_error (r, 409, "dossier.not_awaiting_supplement"));
}

static svc_response *
supplement_env (const char *device, const char *id, const char *env)
{
  g_autofree char *path = g_strdup_printf ("/v1/dossiers/%s/supplements", id);
  g_autofree char *tok = svc_token (svc, device);
  return svc_request (svc, "POST", path, device, tok, "application/json", env, strlen (env));
}

static svc_response *
supplement (const char *device, const char *id, GBytes *payload, const char *txid)
{
  g_autofree char *env = svc_signed_envelope (txid, "birth", payload, "clerk-ec-TEST-ONLY", FALSE);
  return supplement_env (device, id, env);
}

static void
test_supplement (void **state)
{
  (void) state;
  backoffice ("{\"supplementRatio\":1}");
  g_autofree char *id = submit ("birth", birth, NULL);
  advance (R + S + P);
  expect (id, BIRTH, "YEU_CAU_BO_SUNG", "CHUA_GUI_DI", "CHUA_GUI_DI");
  g_autoptr(JsonNode) doc = status_of (id);
  JsonNode *h = svc_system (doc, "hoTich");
  assert_int_equal (svc_json_int (h, "/statusCode"), 5);
  assert_non_null (svc_json_str (h, "/reason"));
  assert_true (svc_json_len (h, "/missing") >= 1);
  const char *missing = svc_json_str (h, "/missing/0");
  assert_non_null (missing);
  assert_true (g_str_has_prefix (missing, "/khaiSinh/"));
  /* It waits: no time-driven transition. */
  assert_int_equal (advance (10 * P), 0);

  /* Other unit, unknown dossier, invalid payload: refused. */
  g_autofree char *tx = g_uuid_string_random ();
  g_autoptr(svc_response) other = supplement (SVC_COUNTER_B, id, birth, tx);
  assert_true (svc_check_error (other, 404, "dossier.not_found"));
  g_autoptr(svc_response) unknown = supplement (SVC_COUNTER, "LTKS-00004-000000-999999", birth, tx);
  assert_true (svc_check_error (unknown, 404, "dossier.not_found"));
  const char *bad[] = { "/khaiSinh/nksHoTen", NULL, NULL };
  g_autoptr(GBytes) invalid = svc_json_patch_all (birth, bad);
  g_autoptr(svc_response) inv = supplement (SVC_COUNTER, id, invalid, tx);
  assert_true (svc_check_error (inv, 422, "dossier.invalid"));

  /* The corrected dossier: the asked field filled in (with the sample's
   * value when it has one: the pick depends on the dossier id, so on the
   * day, and the value must pass that field's check). */
  backoffice ("{\"supplementRatio\":0}");
  g_autoptr(JsonParser) jp = json_parser_new ();
  assert_true (json_parser_load_from_data (jp, g_bytes_get_data (birth, NULL),
                                           (gssize) g_bytes_get_size (birth), NULL));
  JsonNode *had = svc_json_at (json_parser_get_root (jp), missing);
  g_autofree char *value = had ? svc_json_text (had) : g_strdup ("\"Bổ sung theo yêu cầu\"");
  g_autoptr(GBytes) fixed = svc_json_patch (birth, missing, value);
  assert_non_null (fixed);
  g_autofree char *env = svc_signed_envelope (tx, "birth", fixed, "clerk-ec-TEST-ONLY", FALSE);
  g_autoptr(svc_response) ok = supplement_env (SVC_COUNTER, id, env);
  if (ok->status != 202)
    fprintf (stderr, "supplement: %ld %s\n", ok->status, ok->body);
  assert_int_equal (ok->status, 202);
  assert_string_equal (svc_json_str (ok->json, "/dossierId"), id);
  assert_string_equal (svc_system_status (ok->json, "hoTich"), "DANG_XU_LY");
  /* Sent twice (the answer was lost): the same answer, replayed. */
  g_autoptr(svc_response) again = supplement_env (SVC_COUNTER, id, env);
  assert_int_equal (again->status, 202);
  assert_string_equal (svc_response_header (again, "Idempotent-Replay"), "true");
  assert_string_equal (again->body, ok->body);
  assert_int_equal (svc_stat (svc, "/stored/supplements"), 1);
  /* The same transaction id with other bytes: a conflict. */
  g_autoptr(svc_response) clash = supplement (SVC_COUNTER, id, birth, tx);
  assert_true (svc_check_error (clash, 409, "dossier.transaction_conflict"));

  advance (P);
  expect (id, BIRTH, "DA_XU_LY_XONG", "MOI_DANG_KY", "MOI_DANG_KY");
  advance (T);
  expect (id, BIRTH, "DA_TRA_KET_QUA", "DANG_XU_LY", "DANG_XU_LY");
  g_autoptr(JsonNode) done = status_of (id);
  JsonNode *hh = svc_system (done, "hoTich");
  guint n = svc_json_len (hh, "/history");
  assert_int_equal (n, 7);
  assert_string_equal (svc_json_str (hh, "/history/3/status"), "YEU_CAU_BO_SUNG");
  assert_true (svc_json_len (hh, "/history/3/missing") >= 1);
  assert_non_null (svc_json_str (hh, "/history/3/reason"));
  assert_string_equal (svc_json_str (hh, "/history/4/status"), "DANG_XU_LY");
  /* Once done, a supplement is refused. */
  g_autofree char *tx2 = g_uuid_string_random ();
  g_autoptr(svc_response) late = supplement (SVC_COUNTER, id, fixed, tx2);
  assert_true (svc_check_error (late, 409, "dossier.not_awaiting_supplement"));
}

/* Deceased head of a household with members left and no new head: the
 * residence system asks for the new head (a rule, not a random draw). */
static void
test_head_of_household (void **state)
{
  (void) state;
  const char *edits[] = {
    "/xoaThuongTru/laChuHo", "true",
    "/xoaThuongTru/soThanhVienConLai", "2",
    "/xoaThuongTru/chuHoMoi", NULL,
    NULL
  };
  g_autoptr(GBytes) head = svc_json_patch_all (death, edits);
  assert_non_null (head);
  g_autofree char *id = submit ("death", head, NULL);
  advance (R + S + P);
  expect (id, DEATH, "DA_XU_LY_XONG", "MOI_DANG_KY", "MOI_DANG_KY");
  advance (R + S + P);
  expect (id, DEATH, "DA_TRA_KET_QUA", "YEU_CAU_BO_SUNG", "DA_XU_LY_XONG");
  g_autoptr(JsonNode) doc = status_of (id);
  JsonNode *cu = svc_system (doc, "cuTru");
  assert_string_equal (svc_json_str (cu, "/reason"),
                       "Người chết là chủ hộ, hộ còn thành viên nhưng chưa có chủ hộ mới");
  assert_int_equal (svc_json_len (cu, "/missing"), 1);
  assert_string_equal (svc_json_str (cu, "/missing/0"), "/xoaThuongTru/chuHoMoi");
  /* The same in the changes feed. */
  g_autoptr(svc_response) ch = svc_get_as (svc, SVC_COUNTER, "/v1/changes?since=0&limit=1000");
  guint n = svc_json_len (ch->json, "/changes");
  gboolean seen = FALSE;
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *p = g_strdup_printf ("/changes/%u", i);
      JsonNode *c = svc_json_at (ch->json, p);
      if (!g_strcmp0 (svc_json_str (c, "/dossierId"), id)
          && !g_strcmp0 (svc_json_str (c, "/status"), "YEU_CAU_BO_SUNG"))
        {
          seen = TRUE;
          assert_string_equal (svc_json_str (c, "/system"), "cuTru");
          assert_string_equal (svc_json_str (c, "/missing/0"), "/xoaThuongTru/chuHoMoi");
        }
    }
  assert_true (seen);
  /* A head with no one left in the household needs no new head. */
  const char *alone[] = {
    "/xoaThuongTru/laChuHo", "true",
    "/xoaThuongTru/soThanhVienConLai", "0",
    "/xoaThuongTru/chuHoMoi", NULL,
    NULL
  };
  g_autoptr(GBytes) single = svc_json_patch_all (death, alone);
  g_autofree char *id2 = submit ("death", single, NULL);
  advance (2 * (R + S + P));
  expect (id2, DEATH, "DA_TRA_KET_QUA", "DA_XU_LY_XONG", "DA_XU_LY_XONG");
}

static void
test_clock_admin (void **state)
{
  (void) state;
  long st = 0;
  g_autoptr(JsonNode) bad = svc_admin (svc, "PUT", "/admin/clock", "{\"mode\":\"warp\"}", &st);
  assert_int_equal (st, 400);
  g_autoptr(JsonNode) neg = svc_admin (svc, "POST", "/admin/clock/advance", "{\"seconds\":-5}", &st);
  assert_int_equal (st, 400);
  g_autoptr(JsonNode) bo = svc_admin (svc, "PUT", "/admin/backoffice", "{\"refuseRatio\":2}", &st);
  assert_int_equal (st, 400);
  g_autoptr(JsonNode) got = svc_admin (svc, "GET", "/admin/backoffice", NULL, &st);
  assert_int_equal (svc_json_int (got, "/receiveSeconds"), R);
  assert_int_equal (svc_json_int (got, "/processSeconds"), P);
}

#define GROUP(name, fn) \
  do { \
    const struct CMUnitTest t[] = { cmocka_unit_test (fn) }; \
    rc |= cmocka_run_group_tests_name (name, t, setup, teardown); \
  } while (0)

int
main (void)
{
  svc_global_init ();
  int rc = 0;
  GROUP ("service-pipeline-birth", test_birth_pipeline);
  GROUP ("service-pipeline-death", test_death_pipeline);
  GROUP ("service-pipeline-refused", test_refused);
  GROUP ("service-pipeline-supplement", test_supplement);
  GROUP ("service-pipeline-head-of-household", test_head_of_household);
  GROUP ("service-pipeline-clock", test_clock_admin);
  curl_global_cleanup ();
  return rc;
}
