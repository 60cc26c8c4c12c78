/* test-client-sync.c — the client's syncer against the reference service
 *
 * A real motcua-refsvc (stepped clock), a real queue file (SQLite,
 * encrypted with a TEST-ONLY device key file), envelopes signed with the
 * TEST-ONLY clerk key.  For each fault switch of docs/protocol.md §20.4 a
 * batch of dossiers is drained with repeated motcua_sync_run_once passes;
 * time is advanced through the syncer's clock to each item's
 * next_attempt_at (no sleeping, no timing thresholds).  Then: every item
 * ACCEPTED (or further), each transaction stored exactly once at the
 * service, and the local dossier id equal to the service's.  Last, the
 * back office's clock is advanced and the per-system statuses must arrive
 * through the changes feed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <glib/gstdio.h>

#include "motcua-envelope.h"
#include "motcua-error.h"
#include "motcua-queue.h"
#include "motcua-signer.h"
#include "motcua-sync.h"
#include "service-harness.h"

#define BATCH 12
#define MAX_PASSES 200

static svc_service *svc;
static GBytes *birth, *death;
static MotcuaSigner *signer;
static MotcuaDeviceKey *device_key;
static char *tmp_dir;
static gint64 test_now;

static gint64
test_clock (gpointer data)
{
  (void) data;
  return test_now;
}

static char *
pki (const char *name)
{
  return g_build_filename (svc->pki_dir, name, NULL);
}

static int
setup (void **state)
{
  (void) state;
  if (!svc_group_start (&svc, &birth, &death))
    return -1;
  g_autofree char *cert = pki ("clerk-rsa-TEST-ONLY.pem");
  g_autofree char *key = pki ("clerk-rsa-TEST-ONLY.key");
  g_autoptr(GError) error = NULL;
  signer = motcua_signer_open_file (cert, key, &error);
  if (signer == NULL)
    {
      fprintf (stderr, "signer: %s\n", error->message);
      return -1;
    }
  /* The device key of the queue: any RSA key file will do in tests. */
  device_key = motcua_device_key_open_file (key, &error);
  if (device_key == NULL)
    {
      fprintf (stderr, "device key: %s\n", error->message);
      return -1;
    }
  tmp_dir = g_dir_make_tmp ("motcua-sync-XXXXXX", NULL);
  return tmp_dir ? 0 : -1;
}

static int
teardown (void **state)
{
  (void) state;
  motcua_signer_free (signer);
  motcua_device_key_free (device_key);
  if (tmp_dir)
    {
      g_autoptr(GDir) d = g_dir_open (tmp_dir, 0, NULL);
      const char *n;
      while (d && (n = g_dir_read_name (d)) != NULL)
        {
          g_autofree char *p = g_build_filename (tmp_dir, n, NULL);
          g_unlink (p);
        }
      g_rmdir (tmp_dir);
      g_free (tmp_dir);
    }
  return svc_group_stop (svc, &birth, &death) ? 0 : -1;
}

static int
clear_faults (void **state)
{
  (void) state;
  long st = 0;
  g_autoptr(JsonNode) n = svc_admin (svc, "DELETE", "/admin/faults", NULL, &st);
  test_now = g_get_real_time () / G_USEC_PER_SEC;
  return st == 200 ? 0 : -1;
}

/* ------------------------------------------------------------ fixtures */

static MotcuaSync *
make_sync (const char *queue_path, guint max_parallel, MotcuaDeviceKey *key)
{
  MotcuaSyncConfig c = { 0 };
  c.service_url = g_strdup (svc->url);
  c.service_ca = pki ("service-ca-TEST-ONLY.pem");
  c.client_cert = pki (SVC_COUNTER ".pem");
  c.client_key = pki (SVC_COUNTER ".key");
  c.max_parallel = max_parallel;
  c.timeout_s = 20;
  g_autoptr(GError) error = NULL;
  MotcuaSync *s = motcua_sync_new (&c, queue_path, key, &error);
  g_assert_no_error (error);
  motcua_sync_config_clear (&c);
  motcua_sync_set_clock (s, test_clock, NULL);
  return s;
}

static char *
new_queue_path (const char *name)
{
  static guint n;
  g_autofree char *file = g_strdup_printf ("%s-%u.db", name, n++);
  return g_build_filename (tmp_dir, file, NULL);
}

/* Enqueues @n dossiers (births and deaths alternately), each with its own
 * transaction id, signed, released: QUEUED and due now. */
static GArray *
enqueue (MotcuaQueue *q, guint n)
{
  GArray *ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GError) error = NULL;
      MotcuaProcedure proc = i % 2 ? MOTCUA_PROCEDURE_DEATH : MOTCUA_PROCEDURE_BIRTH;
      GBytes *payload = proc == MOTCUA_PROCEDURE_BIRTH ? birth : death;
      g_autoptr(MotcuaDossier) d = motcua_dossier_new (proc, "00004");
      gint64 id = 0;
      assert_true (motcua_queue_add_draft (q, d, "test", &id, &error));
      g_autoptr(MotcuaQueueItem) item = motcua_queue_get_by_id (q, id, &error);
      assert_non_null (item);
      g_autoptr(GBytes) cms = motcua_signer_sign_cms (signer, payload, &error);
      g_assert_no_error (error);
      g_autoptr(GBytes) body = motcua_envelope_build (item->transaction_id, proc, payload, cms,
                                                      NULL);
      assert_non_null (body);
      assert_true (motcua_queue_set_signed (q, id, body, "test", &error));
      assert_true (motcua_queue_release (q, id, "test", &error));
      g_array_append_val (ids, id);
    }
  return ids;
}

static guint
pending (MotcuaQueue *q)
{
  guint counts[MOTCUA_ITEM_CANCELLED + 1] = { 0 };
  g_autoptr(GError) error = NULL;
  assert_true (motcua_queue_count (q, counts, &error));
  return counts[MOTCUA_ITEM_QUEUED] + counts[MOTCUA_ITEM_SENDING];
}

/* Passes until nothing is left to send, moving the clock to the next due
 * item between passes.  Sums the stats into @total. */
static void
drain (MotcuaSync *s, MotcuaQueue *q, MotcuaSyncStats *total)
{
  memset (total, 0, sizeof *total);
  for (guint pass = 0; pass < MAX_PASSES && pending (q) > 0; pass++)
    {
      MotcuaSyncStats st = { 0 };
      g_autoptr(GError) error = NULL;
      assert_true (motcua_sync_run_once (s, &st, &error));
      total->sent += st.sent;
      total->accepted += st.accepted;
      total->retried += st.retried;
      total->rejected += st.rejected;
      total->status_updates += st.status_updates;
      gint64 due = motcua_queue_next_due (q, &error);
      g_assert_no_error (error);
      /* The next due item, or at least a second on (a Retry-After that
       * came with a token request holds the whole service). */
      test_now = MAX (due, test_now + 1);
    }
  assert_int_equal (pending (q), 0);
}

/* Every item accepted (or further), stored once at the service, with the
 * service's dossier id. */
static void
check_all_stored_once (MotcuaQueue *q, GArray *ids)
{
  for (guint i = 0; i < ids->len; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(MotcuaQueueItem) item = motcua_queue_get_by_id (q, g_array_index (ids, gint64, i),
                                                                &error);
      assert_non_null (item);
      if (item->state != MOTCUA_ITEM_ACCEPTED && item->state != MOTCUA_ITEM_PROCESSING)
        fail_msg ("item %u: state %s (%s)", i, motcua_item_state_name (item->state),
                  item->last_error_code ? item->last_error_code : "");
      assert_non_null (item->dossier_id);
      assert_int_equal (svc_admin_count_transaction (svc, item->transaction_id), 1);
      g_autofree char *path = g_strconcat ("/v1/dossiers/by-transaction/", item->transaction_id,
                                           NULL);
      g_autoptr(svc_response) r = svc_get_as (svc, SVC_COUNTER, path);
      assert_int_equal (r->status, 200);
      assert_string_equal (svc_json_str (r->json, "/dossierId"), item->dossier_id);
    }
}

/* One fault batch: set @faults, enqueue, drain, check. */
static void
run_fault (const char *faults, const char *counter, guint max_parallel, MotcuaSyncStats *total)
{
  g_autofree char *path = new_queue_path ("fault");
  g_autoptr(GError) error = NULL;
  g_autoptr(MotcuaQueue) q = motcua_queue_open (path, device_key, &error);
  g_assert_no_error (error);
  g_autoptr(GArray) ids = enqueue (q, BATCH);
  g_autoptr(MotcuaSync) s = make_sync (path, max_parallel, device_key);
  gint64 before = counter ? svc_stat (svc, counter) : 0;
  gint64 stored0 = svc_stat (svc, "/stored/dossiers");
  if (faults)
    assert_true (svc_set_faults (svc, faults));
  drain (s, q, total);
  assert_int_equal (clear_faults (NULL), 0);
  if (counter)
    assert_true (svc_stat (svc, counter) > before);
  assert_int_equal (total->accepted, BATCH);
  assert_int_equal (total->rejected, 0);
  assert_int_equal (svc_stat (svc, "/stored/dossiers"), stored0 + BATCH);
  check_all_stored_once (q, ids);
}

/* ------------------------------------------------------------ tests */

/* The HTTP layer alone (no queue): tokens, a status, a document. */
static void
test_fetch (void **state)
{
  (void) state;
  g_autoptr(MotcuaSync) s = make_sync (NULL, 2, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) none = motcua_sync_fetch_document (s, MOTCUA_PROCEDURE_BIRTH,
                                                       "99999.GCS.01001.26", &error);
  assert_null (none);
  assert_true (g_error_matches (error, MOTCUA_ERROR, MOTCUA_ERROR_DOCUMENT_NOT_FOUND));
  g_clear_error (&error);

  g_autofree char *tx = g_uuid_string_random ();
  g_autofree char *env = svc_signed_envelope (tx, "birth", birth, "clerk-rsa-TEST-ONLY", FALSE);
  g_autoptr(svc_response) r = svc_submit_as (svc, SVC_COUNTER, env);
  assert_int_equal (r->status, 201);
  const char *id = svc_json_str (r->json, "/dossierId");
  g_autoptr(JsonNode) doc = motcua_sync_fetch_status (s, id, &error);
  g_assert_no_error (error);
  assert_string_equal (svc_json_str (doc, "/transactionId"), tx);
  assert_string_equal (svc_system_status (doc, "hoTich"), "MOI_DANG_KY");

  /* Tokens expire mid-run: one new token, the call still answers. */
  gint64 t0 = svc_stat (svc, "/tokensIssued");
  g_autoptr(JsonNode) ex = svc_admin (svc, "POST", "/admin/tokens/expire", NULL, NULL);
  g_autoptr(JsonNode) again = motcua_sync_fetch_status (s, id, &error);
  g_assert_no_error (error);
  assert_non_null (again);
  assert_int_equal (svc_stat (svc, "/tokensIssued"), t0 + 1);

  /* Another unit's dossier is not found (the service's 404). */
  g_autoptr(JsonNode) missing = motcua_sync_fetch_status (s, "LTKS-00004-000000-999999", &error);
  assert_null (missing);
  assert_true (g_error_matches (error, MOTCUA_ERROR, MOTCUA_ERROR_SERVICE_REFUSED));
  assert_non_null (strstr (error->message, "dossier.not_found"));
  assert_true (motcua_sync_is_online (s));
}

static void
test_clean (void **state)
{
  (void) state;
  MotcuaSyncStats st;
  run_fault (NULL, NULL, 4, &st);
  assert_int_equal (st.sent, BATCH);
  assert_int_equal (st.retried, 0);
}

static void
test_latency (void **state)
{
  (void) state;
  MotcuaSyncStats st;
  run_fault ("{\"latencyMs\":30}", "/faults/latencyInjected", 4, &st);
}

static void
test_drop (void **state)
{
  (void) state;
  MotcuaSyncStats st;
  run_fault ("{\"drop\":{\"count\":3,\"ratio\":0.2},\"pathPrefix\":\"/v1/dossiers\"}",
             "/faults/drop", 4, &st);
}

static void
test_error500 (void **state)
{
  (void) state;
  MotcuaSyncStats st;
  run_fault ("{\"error500\":{\"count\":4,\"ratio\":0.2},\"pathPrefix\":\"/v1/dossiers\"}",
             "/faults/error500", 4, &st);
  assert_true (st.retried >= 4);
}

static void
test_too_many (void **state)
{
  (void) state;
  MotcuaSyncStats st;
  run_fault ("{\"tooManyRequests\":{\"count\":3},\"retryAfter\":7,"
             "\"pathPrefix\":\"/v1/dossiers\"}", "/faults/tooManyRequests",
             4, &st);
  assert_true (st.retried >= 1);
}

static void
test_unavailable (void **state)
{
  (void) state;
  MotcuaSyncStats st;
  run_fault ("{\"unavailable\":{\"count\":2,\"ratio\":0.1},\"retryAfter\":3}",
             "/faults/unavailable", 2, &st);
}

static void
test_accept_then_drop (void **state)
{
  (void) state;
  MotcuaSyncStats st;
  gint64 dup0 = svc_stat (svc, "/duplicates");
  run_fault ("{\"acceptThenDrop\":{\"count\":4,\"ratio\":0.2},\"pathPrefix\":\"/v1/dossiers\"}",
             "/faults/acceptThenDrop", 4, &st);
  /* Each committed-then-dropped submission came back as a replay. */
  assert_true (svc_stat (svc, "/duplicates") >= dup0 + 4);
}

/* Tokens expire between passes, with requests about to go out. */
static void
test_token_expiry (void **state)
{
  (void) state;
  g_autofree char *path = new_queue_path ("token");
  g_autoptr(GError) error = NULL;
  g_autoptr(MotcuaQueue) q = motcua_queue_open (path, device_key, &error);
  g_assert_no_error (error);
  g_autoptr(MotcuaSync) s = make_sync (path, 3, device_key);
  g_autoptr(GArray) first = enqueue (q, 2);
  MotcuaSyncStats st;
  drain (s, q, &st);
  g_autoptr(GArray) ids = enqueue (q, BATCH);
  gint64 t0 = svc_stat (svc, "/tokensIssued");
  g_autoptr(JsonNode) ex = svc_admin (svc, "POST", "/admin/tokens/expire", NULL, NULL);
  assert_true (svc_json_int (ex, "/expired") >= 1);
  drain (s, q, &st);
  assert_int_equal (st.accepted, BATCH);
  assert_int_equal (st.retried, 0);
  /* The requests in flight with the old token were resent once each, and
   * one new token served them all. */
  assert_true (st.sent > BATCH && st.sent <= BATCH + 3);
  assert_int_equal (svc_stat (svc, "/tokensIssued"), t0 + 1);
  check_all_stored_once (q, ids);
  check_all_stored_once (q, first);
}

/* ------------------------------------------------------------ statuses */

static JsonObject *
admin_systems (JsonNode *list, const char *transaction_id)
{
  JsonArray *a = json_object_get_array_member (json_node_get_object (list), "dossiers");
  for (guint i = 0; i < json_array_get_length (a); i++)
    {
      JsonObject *d = json_array_get_object_element (a, i);
      if (g_strcmp0 (json_object_get_string_member (d, "transactionId"), transaction_id) == 0)
        return json_object_get_object_member (d, "systems");
    }
  return NULL;
}

/* Local per-system statuses equal the service's; the item's state follows
 * them (motcua-queue.h); returns how many items are in @want. */
static guint
check_statuses (MotcuaQueue *q, GArray *ids, MotcuaItemState want)
{
  g_autoptr(JsonNode) list = svc_admin (svc, "GET", "/admin/dossiers", NULL, NULL);
  assert_non_null (list);
  guint n = 0;
  for (guint i = 0; i < ids->len; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(MotcuaQueueItem) item = motcua_queue_get_by_id (q, g_array_index (ids, gint64, i),
                                                                &error);
      assert_non_null (item);
      JsonObject *sys = admin_systems (list, item->transaction_id);
      assert_non_null (sys);
      gboolean refused = FALSE, supplement = FALSE, done = TRUE;
      g_autoptr(GList) names = json_object_get_members (sys);
      for (GList *l = names; l; l = l->next)
        {
          const char *svc_status = json_object_get_string_member (sys, l->data);
          const MotcuaSystemStatus *local = NULL;
          for (guint k = 0; item->systems && k < item->systems->len; k++)
            {
              const MotcuaSystemStatus *ss = g_ptr_array_index (item->systems, k);
              if (g_strcmp0 (ss->system, l->data) == 0)
                local = ss;
            }
          if (local == NULL)
            fail_msg ("item %u: no local status for %s", i, (const char *) l->data);
          else
            assert_string_equal (local->status_name, svc_status);
          refused |= g_str_equal (svc_status, "TU_CHOI");
          supplement |= g_str_equal (svc_status, "YEU_CAU_BO_SUNG");
          done &= g_str_equal (svc_status, "DA_TRA_KET_QUA");
        }
      MotcuaItemState expect = refused ? MOTCUA_ITEM_REFUSED
                               : supplement ? MOTCUA_ITEM_SUPPLEMENT
                               : done ? MOTCUA_ITEM_DONE : MOTCUA_ITEM_PROCESSING;
      assert_string_equal (motcua_item_state_name (item->state), motcua_item_state_name (expect));
      if (item->state == want)
        n++;
    }
  return n;
}

static void
test_statuses (void **state)
{
  (void) state;
  g_autofree char *path = new_queue_path ("status");
  g_autoptr(GError) error = NULL;
  g_autoptr(MotcuaQueue) q = motcua_queue_open (path, device_key, &error);
  g_assert_no_error (error);
  g_autoptr(MotcuaSync) s = make_sync (path, 4, device_key);
  long st_code = 0;
  g_autoptr(JsonNode) bo = svc_admin (svc, "PUT", "/admin/backoffice",
                                      "{\"refuseRatio\":0.25,\"supplementRatio\":0.3}", &st_code);
  assert_int_equal (st_code, 200);
  g_autoptr(GArray) ids = enqueue (q, BATCH);
  MotcuaSyncStats st;
  drain (s, q, &st);
  assert_int_equal (st.accepted, BATCH);
  /* The first statuses (set at acceptance) came through the feed. */
  assert_true (st.status_updates >= BATCH);
  check_statuses (q, ids, 0);

  /* Reception: refusals appear. */
  g_autoptr(JsonNode) adv = svc_admin (svc, "POST", "/admin/clock/advance",
                                       "{\"seconds\":700}", NULL);
  assert_true (svc_json_int (adv, "/transitions") > 0);
  MotcuaSyncStats st2 = { 0 };
  assert_true (motcua_sync_run_once (s, &st2, &error));
  assert_true (st2.status_updates > 0);
  check_statuses (q, ids, 0);

  /* The whole pipeline: every dossier ends refused, asking for a
   * supplement, or done. */
  g_autoptr(JsonNode) adv2 = svc_admin (svc, "POST", "/admin/clock/advance",
                                        "{\"seconds\":200000}", NULL);
  assert_true (svc_json_int (adv2, "/transitions") > 0);
  assert_true (motcua_sync_run_once (s, &st2, &error));
  guint refused = check_statuses (q, ids, MOTCUA_ITEM_REFUSED);
  guint supplement = check_statuses (q, ids, MOTCUA_ITEM_SUPPLEMENT);
  guint done = check_statuses (q, ids, MOTCUA_ITEM_DONE);
  fprintf (stderr, "statuses: %u refused, %u supplement, %u done\n", refused, supplement, done);
  assert_int_equal (refused + supplement + done, BATCH);
  /* A second pass finds nothing new. */
  assert_true (motcua_sync_run_once (s, &st2, &error));
  assert_int_equal (st2.status_updates, 0);
  g_autoptr(JsonNode) bo2 = svc_admin (svc, "PUT", "/admin/backoffice",
                                       "{\"refuseRatio\":0,\"supplementRatio\":0}", NULL);
}

int
main (void)
{
  svc_global_init ();
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup (test_fetch, clear_faults),
    cmocka_unit_test_setup (test_clean, clear_faults),
    cmocka_unit_test_setup (test_latency, clear_faults),
    cmocka_unit_test_setup (test_drop, clear_faults),
    cmocka_unit_test_setup (test_error500, clear_faults),
    cmocka_unit_test_setup (test_too_many, clear_faults),
    cmocka_unit_test_setup (test_unavailable, clear_faults),
    cmocka_unit_test_setup (test_accept_then_drop, clear_faults),
    cmocka_unit_test_setup (test_token_expiry, clear_faults),
    cmocka_unit_test_setup (test_statuses, clear_faults),
  };
  return cmocka_run_group_tests_name ("client-sync", tests, setup, teardown);
}
