/* test-service-dossiers.c — submitting dossiers and reading them back
 *
 * One motcua-refsvc process for the group.  Valid birth and death dossiers
 * (RSA and EC clerks, the kiosk signer, with and without card presence),
 * the 201 answer's shape, idempotency (replay, conflict, eight concurrent
 * resends stored once), status, by-transaction, the changes feed with
 * cursors, and unit scoping.  Refusals: test-service-refusals.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "service-harness.h"

static svc_service *svc;
static GBytes *birth, *death;

static int
setup (void **state)
{
  (void) state;
  return svc_group_start (&svc, &birth, &death) ? 0 : -1;
}

static int
teardown (void **state)
{
  (void) state;
  return svc_group_stop (svc, &birth, &death) ? 0 : -1;
}

static svc_response *
send_as (const char *device, const char *envelope)
{
  return svc_submit_as (svc, device, envelope);
}

static svc_response *
get_as (const char *device, const char *path)
{
  return svc_get_as (svc, device, path);
}

static char *
sha256_hex (GBytes *b)
{
  return g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, b);
}

/* ------------------------------------------------------------ accepted */

static void
check_system (JsonNode *doc, const char *system, const char *status, gint64 code,
              const char *label)
{
  JsonNode *s = svc_system (doc, system);
  assert_non_null (s);
  assert_string_equal (svc_json_str (s, "/status"), status);
  assert_int_equal (svc_json_int (s, "/statusCode"), code);
  assert_string_equal (svc_json_str (s, "/statusLabel"), label);
  assert_non_null (svc_json_str (s, "/updatedAt"));
}

/* The 201 answer (docs/protocol.md §Submitting). */
static void
check_accepted (const svc_response *r, const char *procedure, const char *txid,
                GBytes *payload, const char *key_type, const char *presence)
{
  if (r->status != 201)
    fprintf (stderr, "answer %ld: %s\n", r->status, r->body);
  assert_int_equal (r->status, 201);
  assert_null (svc_response_header (r, "Idempotent-Replay"));
  JsonNode *j = r->json;
  const char *id = svc_json_str (j, "/dossierId");
  assert_non_null (id);
  g_autofree char *pattern = g_strdup_printf ("^%s-00004-[0-9]{6}-[0-9]{6}$",
                                              !strcmp (procedure, "birth") ? "LTKS" : "LTKT");
  assert_true (g_regex_match_simple (pattern, id, 0, 0));
  assert_string_equal (svc_json_str (j, "/transactionId"), txid);
  assert_string_equal (svc_json_str (j, "/procedure"), procedure);
  g_autoptr(GDateTime) at = g_date_time_new_from_iso8601 (svc_json_str (j, "/receivedAt"), NULL);
  assert_non_null (at);
  g_autofree char *sha = sha256_hex (payload);
  assert_string_equal (svc_json_str (j, "/payloadSha256"), sha);
  assert_non_null (svc_json_str (j, "/signer/subject"));
  assert_non_null (svc_json_str (j, "/signer/issuer"));
  assert_non_null (svc_json_str (j, "/signer/serial"));
  assert_string_equal (svc_json_str (j, "/signer/keyType"), key_type);
  assert_non_null (svc_json_str (j, "/signer/signingTime"));
  assert_string_equal (svc_json_str (j, "/cardPresence"), presence);
  assert_int_equal (svc_json_len (j, "/systems"), 3);
  check_system (j, "hoTich", "MOI_DANG_KY", 1, "Mới đăng ký");
  check_system (j, "cuTru", "CHUA_GUI_DI", 0, "Chưa gửi đi");
  check_system (j, !strcmp (procedure, "birth") ? "bhxh" : "ldtbxh", "CHUA_GUI_DI", 0,
                "Chưa gửi đi");
  const char *loc = svc_response_header (r, "Location");
  if (loc)
    {
      g_autofree char *want = g_strconcat ("/v1/dossiers/", id, NULL);
      assert_true (g_str_has_suffix (loc, want));
    }
}

static void
accepted (const char *device, const char *procedure, GBytes *payload, const char *signer,
          gboolean presence, const char *key_type)
{
  g_autofree char *txid = g_uuid_string_random ();
  g_autofree char *env = svc_signed_envelope (txid, procedure, payload, signer, presence);
  assert_non_null (env);
  g_autoptr(svc_response) r = send_as (device, env);
  check_accepted (r, procedure, txid, payload, key_type, presence ? "verified" : "absent");
}

static void
test_birth_rsa (void **state)
{
  (void) state;
  accepted (SVC_COUNTER, "birth", birth, "clerk-rsa-TEST-ONLY", FALSE, "RSA-2048");
}

static void
test_birth_ec (void **state)
{
  (void) state;
  accepted (SVC_COUNTER, "birth", birth, "clerk-ec-TEST-ONLY", FALSE, "EC-P-256");
}

static void
test_death (void **state)
{
  (void) state;
  accepted (SVC_COUNTER, "death", death, "clerk-rsa-TEST-ONLY", FALSE, "RSA-2048");
  accepted (SVC_COUNTER, "death", death, "clerk-ec-TEST-ONLY", FALSE, "EC-P-256");
}

static void
test_kiosk_with_presence (void **state)
{
  (void) state;
  accepted (SVC_KIOSK, "birth", birth, "kiosk-sign-TEST-ONLY", TRUE, "EC-P-256");
  accepted (SVC_COUNTER, "death", death, "clerk-ec-TEST-ONLY", TRUE, "EC-P-256");
}

/* ------------------------------------------------------------ idempotency */

static void
test_replay (void **state)
{
  (void) state;
  gint64 d0 = svc_stat (svc, "/stored/dossiers"), dup0 = svc_stat (svc, "/duplicates");
  g_autofree char *txid = g_uuid_string_random ();
  g_autofree char *env = svc_signed_envelope (txid, "birth", birth, "clerk-ec-TEST-ONLY", FALSE);
  g_autoptr(svc_response) a = send_as (SVC_COUNTER, env);
  assert_int_equal (a->status, 201);
  g_autoptr(svc_response) b = send_as (SVC_COUNTER, env);
  assert_int_equal (b->status, 201);
  assert_int_equal (a->body_len, b->body_len);
  assert_memory_equal (a->body, b->body, a->body_len);
  assert_string_equal (svc_response_header (b, "Idempotent-Replay"), "true");
  /* The kiosk of the same unit resending it gets the same answer too. */
  g_autoptr(svc_response) c = send_as (SVC_KIOSK, env);
  assert_int_equal (c->status, 201);
  assert_memory_equal (a->body, c->body, a->body_len);
  assert_int_equal (svc_stat (svc, "/stored/dossiers"), d0 + 1);
  assert_int_equal (svc_stat (svc, "/duplicates"), dup0 + 2);
  assert_int_equal (svc_admin_count_transaction (svc, txid), 1);

  /* Same id, other bytes: refused, nothing changes. */
  const char *edit[] = { "/khaiSinh/nycSoDienThoai", "\"0912345679\"", NULL };
  g_autoptr(GBytes) other = svc_json_patch_all (birth, edit);
  g_autofree char *env2 = svc_signed_envelope (txid, "birth", other, "clerk-ec-TEST-ONLY", FALSE);
  g_autoptr(svc_response) d = send_as (SVC_COUNTER, env2);
  assert_true (svc_check_error (d, 409, "dossier.transaction_conflict"));
  assert_int_equal (svc_admin_count_transaction (svc, txid), 1);
  /* Even the same payload with another signature is other bytes. */
  g_autofree char *env3 = svc_signed_envelope (txid, "birth", birth, "clerk-rsa-TEST-ONLY", FALSE);
  g_autoptr(svc_response) e = send_as (SVC_COUNTER, env3);
  assert_true (svc_check_error (e, 409, "dossier.transaction_conflict"));
  assert_int_equal (svc_stat (svc, "/stored/dossiers"), d0 + 1);
}

typedef struct {
  const char   *env;
  const char   *token;
  GMutex       *lock;
  GCond        *cond;
  int          *waiting;
  svc_response *answer;
} resend_job;

static gpointer
resend (gpointer data)
{
  resend_job *j = data;
  g_autoptr(svc_client) c = svc_client_new (svc->url, svc->pki_dir, SVC_COUNTER);
  /* Connect (TLS handshake) first, so that the eight POSTs really leave together. */
  svc_response *warm = svc_client_request (c, "GET", "/v1/changes?since=0&limit=1", j->token,
                                           NULL, NULL, 0, NULL);
  svc_response_free (warm);
  g_mutex_lock (j->lock);
  if (--*j->waiting == 0)
    g_cond_broadcast (j->cond);
  while (*j->waiting > 0)
    g_cond_wait (j->cond, j->lock);
  g_mutex_unlock (j->lock);
  j->answer = svc_client_request (c, "POST", "/v1/dossiers", j->token, "application/json",
                                  j->env, strlen (j->env), NULL);
  return NULL;
}

static void
test_concurrent_resends (void **state)
{
  (void) state;
  enum { N = 8 };
  gint64 d0 = svc_stat (svc, "/stored/dossiers"), dup0 = svc_stat (svc, "/duplicates");
  g_autofree char *txid = g_uuid_string_random ();
  g_autofree char *env = svc_signed_envelope (txid, "death", death, "clerk-ec-TEST-ONLY", TRUE);
  g_autofree char *tok = svc_token (svc, SVC_COUNTER);
  GMutex lock;
  GCond cond;
  g_mutex_init (&lock);
  g_cond_init (&cond);
  int waiting = N;
  resend_job jobs[N];
  GThread *threads[N];
  for (int i = 0; i < N; i++)
    {
      jobs[i] = (resend_job) { env, tok, &lock, &cond, &waiting, NULL };
      threads[i] = g_thread_new ("resend", resend, &jobs[i]);
    }
  for (int i = 0; i < N; i++)
    g_thread_join (threads[i]);
  g_mutex_clear (&lock);
  g_cond_clear (&cond);

  int originals = 0;
  for (int i = 0; i < N; i++)
    {
      svc_response *r = jobs[i].answer;
      if (r->status != 201)
        fprintf (stderr, "resend %d: %ld %s\n", i, r->status, r->body);
      assert_int_equal (r->status, 201);
      assert_int_equal (r->body_len, jobs[0].answer->body_len);
      assert_memory_equal (r->body, jobs[0].answer->body, r->body_len);
      originals += svc_response_header (r, "Idempotent-Replay") == NULL;
    }
  for (int i = 0; i < N; i++)
    svc_response_free (jobs[i].answer);
  assert_int_equal (originals, 1);
  assert_int_equal (svc_admin_count_transaction (svc, txid), 1);
  assert_int_equal (svc_stat (svc, "/stored/dossiers"), d0 + 1);
  assert_int_equal (svc_stat (svc, "/duplicates"), dup0 + N - 1);
}

/* ------------------------------------------------------------ reading back */

static char *
submit_ok (const char *device, const char *procedure, GBytes *payload, char **txid_out)
{
  g_autofree char *txid = g_uuid_string_random ();
  g_autofree char *env = svc_signed_envelope (txid, procedure, payload, "clerk-ec-TEST-ONLY",
                                              FALSE);
  g_autoptr(svc_response) r = send_as (device, env);
  assert_int_equal (r->status, 201);
  if (txid_out)
    *txid_out = g_steal_pointer (&txid);
  return g_strdup (svc_json_str (r->json, "/dossierId"));
}

static void
test_status (void **state)
{
  (void) state;
  g_autofree char *txid = NULL;
  g_autofree char *id = submit_ok (SVC_COUNTER, "death", death, &txid);
  g_autofree char *path = g_strconcat ("/v1/dossiers/", id, NULL);
  g_autoptr(svc_response) r = get_as (SVC_COUNTER, path);
  assert_int_equal (r->status, 200);
  assert_string_equal (svc_json_str (r->json, "/dossierId"), id);
  assert_string_equal (svc_json_str (r->json, "/transactionId"), txid);
  assert_string_equal (svc_json_str (r->json, "/procedure"), "death");
  assert_non_null (svc_json_str (r->json, "/receivedAt"));
  static const char *const systems[] = { "hoTich", "cuTru", "ldtbxh" };
  for (int i = 0; i < 3; i++)
    {
      JsonNode *s = svc_system (r->json, systems[i]);
      assert_non_null (s);
      assert_non_null (svc_json_str (s, "/name"));
      assert_true (g_utf8_validate (svc_json_str (s, "/name"), -1, NULL));
      assert_int_equal (svc_json_len (s, "/history"), 1);
      assert_string_equal (svc_json_str (s, "/history/0/status"), svc_json_str (s, "/status"));
      assert_non_null (svc_json_str (s, "/history/0/at"));
    }
  assert_string_equal (svc_system_status (r->json, "hoTich"), "MOI_DANG_KY");
  /* By transaction: the same document. */
  g_autofree char *by = g_strconcat ("/v1/dossiers/by-transaction/", txid, NULL);
  g_autoptr(svc_response) r2 = get_as (SVC_COUNTER, by);
  assert_int_equal (r2->status, 200);
  assert_string_equal (r2->body, r->body);
  /* The kiosk of the same unit sees it; unit 00008 does not. */
  g_autoptr(svc_response) r3 = get_as (SVC_KIOSK, path);
  assert_int_equal (r3->status, 200);
  g_autoptr(svc_response) r4 = get_as (SVC_COUNTER_B, path);
  assert_true (svc_check_error (r4, 404, "dossier.not_found"));
  g_autoptr(svc_response) r5 = get_as (SVC_COUNTER_B, by);
  assert_true (svc_check_error (r5, 404, "dossier.not_found"));
  /* Unknown ids. */
  g_autoptr(svc_response) r6 = get_as (SVC_COUNTER, "/v1/dossiers/LTKT-00004-000000-999999");
  assert_true (svc_check_error (r6, 404, "dossier.not_found"));
  g_autofree char *unknown = g_uuid_string_random ();
  g_autofree char *nobody = g_strconcat ("/v1/dossiers/by-transaction/", unknown, NULL);
  g_autoptr(svc_response) r7 = get_as (SVC_COUNTER, nobody);
  assert_true (svc_check_error (r7, 404, "dossier.not_found"));
}

/* Every change of the unit from cursor 0, pages of limit; checks paging. */
static GPtrArray *
all_changes (const char *device, guint limit)
{
  GPtrArray *ids = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *cursor = g_strdup ("0");
  gint64 last = 0;
  for (int page = 0; page < 10000; page++)
    {
      g_autofree char *path = g_strdup_printf ("/v1/changes?since=%s&limit=%u", cursor, limit);
      g_autoptr(svc_response) r = get_as (device, path);
      assert_int_equal (r->status, 200);
      guint n = svc_json_len (r->json, "/changes");
      assert_true (n <= limit);
      for (guint i = 0; i < n; i++)
        {
          g_autofree char *pc = g_strdup_printf ("/changes/%u/cursor", i);
          g_autofree char *pd = g_strdup_printf ("/changes/%u/dossierId", i);
          g_autofree char *ps = g_strdup_printf ("/changes/%u/status", i);
          gint64 c = g_ascii_strtoll (svc_json_str (r->json, pc), NULL, 10);
          assert_true (c > last);   /* strictly increasing, none repeated */
          last = c;
          assert_non_null (svc_json_str (r->json, ps));
          g_ptr_array_add (ids, g_strdup (svc_json_str (r->json, pd)));
        }
      const char *next = svc_json_str (r->json, "/nextCursor");
      assert_non_null (next);
      if (n > 0)
        assert_int_equal (g_ascii_strtoll (next, NULL, 10), last);
      g_free (cursor);
      cursor = g_strdup (next);
      if (!svc_json_bool (r->json, "/more"))
        {
          /* The end: asking again from there gives nothing new. */
          g_autofree char *again = g_strdup_printf ("/v1/changes?since=%s", cursor);
          g_autoptr(svc_response) r2 = get_as (device, again);
          assert_int_equal (svc_json_len (r2->json, "/changes"), 0);
          assert_false (svc_json_bool (r2->json, "/more"));
          assert_string_equal (svc_json_str (r2->json, "/nextCursor"), cursor);
          return ids;
        }
      assert_int_equal (n, limit);
    }
  fail_msg ("the changes feed never ended");
  return ids;
}

static gboolean
contains (GPtrArray *a, const char *s)
{
  for (guint i = 0; i < a->len; i++)
    if (!g_strcmp0 (a->pdata[i], s))
      return TRUE;
  return FALSE;
}

static void
test_changes_and_units (void **state)
{
  (void) state;
  g_autofree char *a = submit_ok (SVC_COUNTER, "birth", birth, NULL);
  g_autofree char *b = submit_ok (SVC_KIOSK, "death", death, NULL);
  g_autofree char *c = submit_ok (SVC_COUNTER_B, "birth", birth, NULL);
  assert_true (g_str_has_prefix (c, "LTKS-00008-"));
  g_autoptr(GPtrArray) big = all_changes (SVC_COUNTER, 1000);
  g_autoptr(GPtrArray) small = all_changes (SVC_COUNTER, 2);
  g_autoptr(GPtrArray) one = all_changes (SVC_COUNTER, 1);
  /* Same events whatever the page size. */
  assert_int_equal (big->len, small->len);
  assert_int_equal (big->len, one->len);
  for (guint i = 0; i < big->len; i++)
    assert_string_equal (big->pdata[i], small->pdata[i]);
  /* One initial event per system: 3 per dossier. */
  assert_true (big->len >= 6);
  assert_true (contains (big, a) && contains (big, b));
  assert_false (contains (big, c));
  g_autoptr(GPtrArray) other = all_changes (SVC_COUNTER_B, 2);
  assert_true (contains (other, c));
  assert_false (contains (other, a));
  assert_false (contains (other, b));
  for (guint i = 0; i < other->len; i++)
    assert_true (g_str_has_prefix (other->pdata[i], "LTKS-00008-")
                 || g_str_has_prefix (other->pdata[i], "LTKT-00008-"));
}

int
main (void)
{
  svc_global_init ();
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_birth_rsa),
    cmocka_unit_test (test_birth_ec),
    cmocka_unit_test (test_death),
    cmocka_unit_test (test_kiosk_with_presence),
    cmocka_unit_test (test_replay),
    cmocka_unit_test (test_concurrent_resends),
    cmocka_unit_test (test_status),
    cmocka_unit_test (test_changes_and_units),
  };
  int rc = cmocka_run_group_tests_name ("service-dossiers", tests, setup, teardown);
  curl_global_cleanup ();
  return rc;
}
