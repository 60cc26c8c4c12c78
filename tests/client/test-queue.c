/* test-queue.c — the durable queue on a real SQLite file: every transition
 * and refused transition, resume after a crash, two syncers claiming, a
 * stuck item, manual retry and cancel, retention, the wrong device key */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "motcua-backoff.h"
#include "motcua-error.h"
#include "motcua-queue.h"

typedef struct {
  char *dir, *db, *key_path, *other_key_path;
  MotcuaDeviceKey *key;
  MotcuaQueue *q;
} Fixture;

static char *
write_key (const char *dir, const char *name)
{
  char *path = g_build_filename (dir, name, NULL);
  EVP_PKEY *pkey = EVP_RSA_gen (2048);
  BIO *b = BIO_new_file (path, "w");
  assert_non_null (b);
  assert_int_equal (PEM_write_bio_PrivateKey (b, pkey, NULL, NULL, 0, NULL, NULL), 1);
  BIO_free (b);
  EVP_PKEY_free (pkey);
  return path;
}

static int
setup (void **state)
{
  Fixture *f = g_new0 (Fixture, 1);
  f->dir = g_dir_make_tmp ("motcua-queue-XXXXXX", NULL);
  f->db = g_build_filename (f->dir, "queue.db", NULL);
  f->key_path = write_key (f->dir, "device.pem");
  f->other_key_path = write_key (f->dir, "other.pem");
  g_autoptr(GError) error = NULL;
  f->key = motcua_device_key_open_file (f->key_path, &error);
  assert_null (error);
  f->q = motcua_queue_open (f->db, f->key, &error);
  assert_null (error);
  assert_non_null (f->q);
  *state = f;
  return 0;
}

static int
teardown (void **state)
{
  Fixture *f = *state;
  motcua_queue_close (f->q);
  motcua_device_key_free (f->key);
  const char *suffixes[] = { "", "-wal", "-shm", ".lock" };
  for (gsize i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *p = g_strconcat (f->db, suffixes[i], NULL);
      g_unlink (p);
    }
  g_unlink (f->key_path);
  g_unlink (f->other_key_path);
  g_rmdir (f->dir);
  g_free (f->db);
  g_free (f->key_path);
  g_free (f->other_key_path);
  g_free (f->dir);
  g_free (f);
  return 0;
}

static MotcuaDossier *
new_dossier (MotcuaProcedure p, const char *name)
{
  MotcuaDossier *d = motcua_dossier_new (p, "00004");
  motcua_dossier_set_string (d, p == MOTCUA_PROCEDURE_BIRTH ? "/khaiSinh/nksHoTen"
                                                            : "/khaiTu/nktHoTen",
                             name, MOTCUA_SOURCE_CLERK, NULL);
  return d;
}

static GBytes *
body_for (MotcuaQueue *q, gint64 id)
{
  g_autoptr(MotcuaQueueItem) item = motcua_queue_get_by_id (q, id, NULL);
  assert_non_null (item);
  char *s = g_strdup_printf ("{\"transactionId\":\"%s\",\"procedure\":\"%s\","
                             "\"payload\":\"e30=\",\"signature\":\"AA==\"}",
                             item->transaction_id, motcua_procedure_name (item->procedure));
  return g_bytes_new_take (s, strlen (s));
}

/* A new QUEUED item (draft, signed, released). */
static gint64
enqueue (MotcuaQueue *q, MotcuaProcedure p)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MotcuaDossier) d = new_dossier (p, "Lê Văn Tám");
  gint64 id = 0;
  assert_true (motcua_queue_add_draft (q, d, "clerk-1", &id, &error));
  g_autoptr(GBytes) body = body_for (q, id);
  assert_true (motcua_queue_set_signed (q, id, body, "clerk-1", &error));
  assert_true (motcua_queue_release (q, id, "clerk-1", &error));
  assert_null (error);
  return id;
}

static MotcuaItemState
state_of (MotcuaQueue *q, gint64 id)
{
  g_autoptr(MotcuaQueueItem) item = motcua_queue_get_by_id (q, id, NULL);
  assert_non_null (item);
  return item->state;
}

#define assert_error(err, code) do { \
    assert_non_null (err); \
    assert_true (g_error_matches ((err), MOTCUA_ERROR, (code))); \
    g_clear_error (&(err)); \
  } while (0)

static void
set_system (MotcuaQueue *q, const char *dossier_id, const char *system, int code,
            const char *name, const char *reason)
{
  MotcuaSystemStatus s = { .system = (char *) system, .status = code,
                           .status_name = (char *) name, .reason = (char *) reason };
  g_autoptr(GError) error = NULL;
  assert_true (motcua_queue_update_system (q, dossier_id, &s, &error));
  assert_null (error);
}

static void
test_transitions (void **state)
{
  Fixture *f = *state;
  MotcuaQueue *q = f->q;
  GError *error = NULL;
  g_autoptr(MotcuaDossier) d = new_dossier (MOTCUA_PROCEDURE_BIRTH, "Lê Thị Hoa");
  gint64 id = 0;
  assert_true (motcua_queue_add_draft (q, d, "clerk-1", &id, &error));
  assert_true (id > 0);
  g_autoptr(MotcuaQueueItem) item = motcua_queue_get_by_id (q, id, &error);
  assert_int_equal (item->state, MOTCUA_ITEM_DRAFT);
  assert_string_equal (item->unit, "00004");
  assert_string_equal (item->actor, "clerk-1");
  assert_int_equal (strlen (item->transaction_id), 36);

  /* DRAFT: no release, no claim; a body for another transaction refused. */
  assert_false (motcua_queue_release (q, id, "clerk-1", &error));
  assert_error (error, MOTCUA_ERROR_BAD_STATE);
  g_autoptr(GBytes) wrong = g_bytes_new_static ("{\"transactionId\":\"00000000-0000-4000-8000-000000000000\"}", 56);
  assert_false (motcua_queue_set_signed (q, id, wrong, "clerk-1", &error));
  assert_non_null (error);
  g_clear_error (&error);
  assert_int_equal (state_of (q, id), MOTCUA_ITEM_DRAFT);

  g_autoptr(GBytes) body = body_for (q, id);
  assert_true (motcua_queue_set_signed (q, id, body, "clerk-1", &error));
  assert_int_equal (state_of (q, id), MOTCUA_ITEM_SIGNED);
  assert_false (motcua_queue_set_signed (q, id, body, "clerk-1", &error));
  assert_error (error, MOTCUA_ERROR_BAD_STATE);
  assert_false (motcua_queue_retry (q, id, "clerk-1", &error));
  assert_error (error, MOTCUA_ERROR_BAD_STATE);

  assert_true (motcua_queue_release (q, id, "clerk-1", &error));
  assert_int_equal (state_of (q, id), MOTCUA_ITEM_QUEUED);
  assert_false (motcua_queue_release (q, id, "clerk-1", &error));
  assert_error (error, MOTCUA_ERROR_BAD_STATE);
  assert_false (motcua_queue_mark_accepted (q, 999, "X", &error));
  assert_error (error, MOTCUA_ERROR_NOT_FOUND);

  /* The stored bytes come back. */
  g_autoptr(GBytes) back = motcua_queue_load_request (q, id, &error);
  assert_true (g_bytes_equal (back, body));
  g_autofree char *subject = motcua_queue_load_subject (q, id, &error);
  assert_string_equal (subject, "Lê Thị Hoa");
  g_autoptr(MotcuaDossier) d2 = motcua_queue_load_dossier (q, id, &error);
  assert_null (error);
  assert_string_equal (motcua_dossier_get_subject_name (d2), "Lê Thị Hoa");

  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  g_autoptr(GPtrArray) claimed = motcua_queue_claim (q, now, 10, &error);
  assert_int_equal (claimed->len, 1);
  assert_int_equal (state_of (q, id), MOTCUA_ITEM_SENDING);
  assert_false (motcua_queue_cancel (q, id, "clerk-1", &error));
  assert_error (error, MOTCUA_ERROR_BAD_STATE);
  assert_false (motcua_queue_retry (q, id, "clerk-1", &error));
  assert_error (error, MOTCUA_ERROR_BAD_STATE);

  /* A failed attempt: back to QUEUED with a back-off (≥ Retry-After). */
  assert_true (motcua_queue_mark_retry (q, id, now, "service.busy", "busy", 60, &error));
  g_autoptr(MotcuaQueueItem) r = motcua_queue_get_by_id (q, id, &error);
  assert_int_equal (r->state, MOTCUA_ITEM_QUEUED);
  assert_int_equal (r->attempts, 1);
  assert_true (r->next_attempt_at >= now + 60);
  assert_string_equal (r->last_error_code, "service.busy");
  g_autoptr(GPtrArray) none = motcua_queue_claim (q, now, 10, &error);
  assert_int_equal (none->len, 0);
  assert_int_equal (motcua_queue_next_due (q, &error), r->next_attempt_at);

  /* Manual retry: due now, attempts kept. */
  assert_true (motcua_queue_retry (q, id, "clerk-1", &error));
  g_autoptr(MotcuaQueueItem) r2 = motcua_queue_get_by_id (q, id, &error);
  assert_int_equal (r2->attempts, 1);
  assert_true (r2->next_attempt_at <= g_get_real_time () / G_USEC_PER_SEC);
  g_autoptr(GPtrArray) again = motcua_queue_claim (q, g_get_real_time () / G_USEC_PER_SEC, 10,
                                                   &error);
  assert_int_equal (again->len, 1);

  assert_true (motcua_queue_mark_accepted (q, id, "HS-2026-000001", &error));
  assert_int_equal (state_of (q, id), MOTCUA_ITEM_ACCEPTED);
  /* The same answer twice (a replay) is harmless. */
  assert_true (motcua_queue_mark_accepted (q, id, "HS-2026-000001", &error));
  assert_false (motcua_queue_mark_retry (q, id, now, "network", "x", 0, &error));
  assert_error (error, MOTCUA_ERROR_BAD_STATE);
  assert_false (motcua_queue_cancel (q, id, "clerk-1", &error));
  assert_error (error, MOTCUA_ERROR_BAD_STATE);

  /* Lookup by row id, transaction id, dossier id. */
  g_autoptr(MotcuaQueueItem) by_tx = motcua_queue_get (q, item->transaction_id, &error);
  assert_int_equal (by_tx->id, id);
  g_autoptr(MotcuaQueueItem) by_ds = motcua_queue_get (q, "HS-2026-000001", &error);
  assert_int_equal (by_ds->id, id);
  g_autofree char *num = g_strdup_printf ("%" G_GINT64_FORMAT, id);
  g_autoptr(MotcuaQueueItem) by_id = motcua_queue_get (q, num, &error);
  assert_int_equal (by_id->id, id);
  assert_null (motcua_queue_get (q, "nothing-here", &error));
  assert_error (error, MOTCUA_ERROR_NOT_FOUND);

  /* Per-system statuses and the overall rule. */
  set_system (q, "HS-2026-000001", "hoTich", 1, "MOI_DANG_KY", NULL);
  assert_int_equal (state_of (q, id), MOTCUA_ITEM_PROCESSING);
  set_system (q, "HS-2026-000001", "hoTich", 10, "DA_TRA_KET_QUA", NULL);
  set_system (q, "HS-2026-000001", "cuTru", 5, "YEU_CAU_BO_SUNG", "Thiếu chủ hộ mới");
  assert_int_equal (state_of (q, id), MOTCUA_ITEM_SUPPLEMENT);
  assert_false (motcua_item_state_is_final (MOTCUA_ITEM_SUPPLEMENT));
  set_system (q, "HS-2026-000001", "cuTru", 10, "DA_TRA_KET_QUA", NULL);
  assert_int_equal (state_of (q, id), MOTCUA_ITEM_PROCESSING);
  set_system (q, "HS-2026-000001", "bhxh", 10, "DA_TRA_KET_QUA", NULL);
  g_autoptr(MotcuaQueueItem) done = motcua_queue_get_by_id (q, id, &error);
  assert_int_equal (done->state, MOTCUA_ITEM_DONE);
  assert_true (done->final_at > 0);
  assert_int_equal (done->systems->len, 3);
  /* Unknown dossier ids are ignored. */
  set_system (q, "HS-unknown", "hoTich", 3, "TU_CHOI", "x");

  /* Refused by a system. */
  gint64 id2 = enqueue (q, MOTCUA_PROCEDURE_DEATH);
  g_autoptr(GPtrArray) c2 = motcua_queue_claim (q, g_get_real_time () / G_USEC_PER_SEC, 10, &error);
  assert_int_equal (c2->len, 1);
  assert_true (motcua_queue_mark_accepted (q, id2, "HS-2026-000002", &error));
  set_system (q, "HS-2026-000002", "hoTich", 3, "TU_CHOI", "Sai định dạng ngày chết");
  assert_int_equal (state_of (q, id2), MOTCUA_ITEM_REFUSED);

  /* Rejected by the service. */
  gint64 id3 = enqueue (q, MOTCUA_PROCEDURE_BIRTH);
  g_autoptr(GPtrArray) c3 = motcua_queue_claim (q, g_get_real_time () / G_USEC_PER_SEC, 10, &error);
  assert_int_equal (c3->len, 1);
  assert_true (motcua_queue_mark_rejected (q, id3, "dossier.invalid", "bad", &error));
  assert_int_equal (state_of (q, id3), MOTCUA_ITEM_REJECTED);
  assert_false (motcua_queue_mark_accepted (q, id3, "HS-X", &error));
  assert_error (error, MOTCUA_ERROR_BAD_STATE);

  /* Cancel from DRAFT, SIGNED, QUEUED; nothing after. */
  gint64 id4 = enqueue (q, MOTCUA_PROCEDURE_BIRTH);
  assert_true (motcua_queue_cancel (q, id4, "clerk-2", &error));
  assert_int_equal (state_of (q, id4), MOTCUA_ITEM_CANCELLED);
  assert_false (motcua_queue_cancel (q, id4, "clerk-2", &error));
  assert_error (error, MOTCUA_ERROR_BAD_STATE);
  assert_false (motcua_queue_retry (q, id4, "clerk-2", &error));
  assert_error (error, MOTCUA_ERROR_BAD_STATE);
  gint64 id5 = 0;
  assert_true (motcua_queue_add_draft (q, d, "clerk-1", &id5, &error));
  assert_true (motcua_queue_cancel (q, id5, "clerk-1", &error));
  assert_null (error);

  guint counts[MOTCUA_ITEM_CANCELLED + 1];
  assert_true (motcua_queue_count (q, counts, &error));
  assert_int_equal (counts[MOTCUA_ITEM_DONE], 1);
  assert_int_equal (counts[MOTCUA_ITEM_REFUSED], 1);
  assert_int_equal (counts[MOTCUA_ITEM_REJECTED], 1);
  assert_int_equal (counts[MOTCUA_ITEM_CANCELLED], 2);
  MotcuaQueueFilter flt = { .state = MOTCUA_ITEM_CANCELLED };
  g_autoptr(GPtrArray) cancelled = motcua_queue_list (q, &flt, &error);
  assert_int_equal (cancelled->len, 2);
  MotcuaQueueFilter death = { .procedure = MOTCUA_PROCEDURE_DEATH };
  g_autoptr(GPtrArray) deaths = motcua_queue_list (q, &death, &error);
  assert_int_equal (deaths->len, 1);
  g_autoptr(GPtrArray) all = motcua_queue_list (q, NULL, &error);
  assert_int_equal (all->len, 5);

  /* Names round-trip. */
  for (int s = MOTCUA_ITEM_DRAFT; s <= MOTCUA_ITEM_CANCELLED; s++)
    assert_int_equal (motcua_item_state_from_name (motcua_item_state_name (s)), s);
  assert_int_equal (motcua_item_state_from_name ("bogus"), 0);

  /* Cursor. */
  g_autofree char *c0 = motcua_queue_get_cursor (q, &error);
  assert_string_equal (c0, "");
  assert_true (motcua_queue_set_cursor (q, "c-42", &error));
  g_autofree char *c1 = motcua_queue_get_cursor (q, &error);
  assert_string_equal (c1, "c-42");
  assert_null (error);
}

static MotcuaQueue *
reopen (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  MotcuaQueue *q = motcua_queue_open (f->db, f->key, &error);
  assert_null (error);
  assert_non_null (q);
  return q;
}

static void
test_resume_after_crash (void **state)
{
  Fixture *f = *state;
  gint64 id = enqueue (f->q, MOTCUA_PROCEDURE_BIRTH);
  g_autofree char *id_text = g_strdup_printf ("%" G_GINT64_FORMAT, id);

  /* A child process claims the item and dies without any cleanup. */
  pid_t pid = fork ();
  assert_true (pid >= 0);
  if (pid == 0)
    {
      MotcuaQueue *cq = motcua_queue_open (f->db, f->key, NULL);
      GPtrArray *c = cq ? motcua_queue_claim (cq, G_MAXINT64 / 2, 10, NULL) : NULL;
      _exit (c != NULL && c->len == 1 ? 0 : 1);
    }
  int status = 0;
  assert_int_equal (waitpid (pid, &status, 0), pid);
  assert_true (WIFEXITED (status) && WEXITSTATUS (status) == 0);
  assert_int_equal (state_of (f->q, id), MOTCUA_ITEM_SENDING);

  /* The next open puts it back, due now, and says so in the audit log. */
  MotcuaQueue *q2 = reopen (f);
  g_autoptr(MotcuaQueueItem) item = motcua_queue_get_by_id (q2, id, NULL);
  assert_int_equal (item->state, MOTCUA_ITEM_QUEUED);
  assert_true (item->next_attempt_at <= g_get_real_time () / G_USEC_PER_SEC);
  g_autoptr(GBytes) body = motcua_queue_load_request (q2, id, NULL);
  assert_non_null (body);   /* same bytes to resend */

  /* A live claimer's item is left alone by another open ... */
  g_autoptr(GPtrArray) c = motcua_queue_claim (q2, g_get_real_time () / G_USEC_PER_SEC, 10, NULL);
  assert_int_equal (c->len, 1);
  MotcuaQueue *q3 = reopen (f);
  assert_int_equal (state_of (q3, id), MOTCUA_ITEM_SENDING);
  /* ... and comes back when its connection closes. */
  motcua_queue_close (q2);
  assert_int_equal (state_of (q3, id), MOTCUA_ITEM_QUEUED);
  motcua_queue_close (q3);
  guint n = 0;
  assert_true (motcua_queue_verify_audit (f->q, &n, NULL));
  assert_true (n > 0);
}

typedef struct {
  Fixture *f;
  GArray *ids;
} Claimer;

static gpointer
claimer_thread (gpointer data)
{
  Claimer *c = data;
  MotcuaQueue *q = motcua_queue_open (c->f->db, c->f->key, NULL);
  g_assert_nonnull (q);
  for (;;)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) got = motcua_queue_claim (q, G_MAXINT64 / 2, 3, &error);
      g_assert_no_error (error);
      if (got->len == 0)
        break;
      for (guint i = 0; i < got->len; i++)
        {
          MotcuaQueueItem *it = g_ptr_array_index (got, i);
          g_array_append_val (c->ids, it->id);
          g_autofree char *dossier_id = g_strdup_printf ("HS-%" G_GINT64_FORMAT, it->id);
          g_assert_true (motcua_queue_mark_accepted (q, it->id, dossier_id, &error));
        }
    }
  motcua_queue_close (q);
  return NULL;
}

static void
test_claim_two_connections (void **state)
{
  Fixture *f = *state;
  const guint N = 40;
  for (guint i = 0; i < N; i++)
    enqueue (f->q, MOTCUA_PROCEDURE_BIRTH);
  Claimer a = { f, g_array_new (FALSE, FALSE, sizeof (gint64)) };
  Claimer b = { f, g_array_new (FALSE, FALSE, sizeof (gint64)) };
  GThread *ta = g_thread_new ("a", claimer_thread, &a);
  GThread *tb = g_thread_new ("b", claimer_thread, &b);
  g_thread_join (ta);
  g_thread_join (tb);
  assert_int_equal (a.ids->len + b.ids->len, N);
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  Claimer *cs[] = { &a, &b };
  for (int k = 0; k < 2; k++)
    for (guint i = 0; i < cs[k]->ids->len; i++)
      assert_true (g_hash_table_add (seen, g_memdup2 (&g_array_index (cs[k]->ids, gint64, i),
                                                      sizeof (gint64))));
  assert_int_equal (g_hash_table_size (seen), N);
  guint counts[MOTCUA_ITEM_CANCELLED + 1];
  assert_true (motcua_queue_count (f->q, counts, NULL));
  assert_int_equal (counts[MOTCUA_ITEM_ACCEPTED], N);
  g_array_unref (a.ids);
  g_array_unref (b.ids);
}

static void
test_stuck_does_not_block (void **state)
{
  Fixture *f = *state;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  gint64 stuck = enqueue (f->q, MOTCUA_PROCEDURE_BIRTH);
  for (int i = 0; i < 12; i++)
    {
      g_autoptr(GPtrArray) c = motcua_queue_claim (f->q, G_MAXINT64 / 2, 1, NULL);
      assert_int_equal (c->len, 1);
      assert_true (motcua_queue_mark_retry (f->q, stuck, now, "network", "down", 0, NULL));
    }
  g_autoptr(MotcuaQueueItem) s = motcua_queue_get_by_id (f->q, stuck, NULL);
  assert_int_equal (s->attempts, 12);
  assert_true (s->next_attempt_at >= now + MOTCUA_BACKOFF_CAP_S / 2);

  gint64 fresh = enqueue (f->q, MOTCUA_PROCEDURE_DEATH);
  g_autoptr(GPtrArray) c = motcua_queue_claim (f->q, g_get_real_time () / G_USEC_PER_SEC, 5, NULL);
  assert_int_equal (c->len, 1);
  assert_int_equal (((MotcuaQueueItem *) g_ptr_array_index (c, 0))->id, fresh);
  assert_int_equal (state_of (f->q, stuck), MOTCUA_ITEM_QUEUED);

  /* The stuck list shows it once its state is old enough. */
  MotcuaQueueFilter flt = { .stuck_since = now + 1 };
  g_autoptr(GPtrArray) st = motcua_queue_list (f->q, &flt, NULL);
  assert_true (st->len >= 1);
}

static void
test_purge (void **state)
{
  Fixture *f = *state;
  GError *error = NULL;
  gint64 done = enqueue (f->q, MOTCUA_PROCEDURE_BIRTH);
  gint64 pending = enqueue (f->q, MOTCUA_PROCEDURE_BIRTH);
  gint64 cancelled = enqueue (f->q, MOTCUA_PROCEDURE_DEATH);
  assert_true (motcua_queue_cancel (f->q, cancelled, "clerk", &error));
  g_autoptr(GPtrArray) c = motcua_queue_claim (f->q, G_MAXINT64 / 2, 1, NULL);
  assert_int_equal (c->len, 1);
  assert_true (motcua_queue_mark_rejected (f->q, done, "dossier.invalid", "x", &error));
  guint before[MOTCUA_ITEM_CANCELLED + 1], after[MOTCUA_ITEM_CANCELLED + 1];
  assert_true (motcua_queue_count (f->q, before, &error));

  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  guint purged = 99;
  assert_true (motcua_queue_purge (f->q, now, 90, &purged, &error));
  assert_int_equal (purged, 0);          /* not old enough */
  assert_true (motcua_queue_purge (f->q, now + 91 * 86400, 90, &purged, &error));
  assert_int_equal (purged, 2);
  assert_true (motcua_queue_count (f->q, after, &error));
  assert_memory_equal (before, after, sizeof before);

  assert_null (motcua_queue_load_dossier (f->q, done, &error));
  assert_error (error, MOTCUA_ERROR_PURGED);
  assert_null (motcua_queue_load_subject (f->q, cancelled, &error));
  assert_error (error, MOTCUA_ERROR_PURGED);
  g_autoptr(MotcuaQueueItem) it = motcua_queue_get_by_id (f->q, done, &error);
  assert_true (it->purged);
  assert_int_equal (it->state, MOTCUA_ITEM_REJECTED);
  g_autofree char *subject = motcua_queue_load_subject (f->q, pending, &error);
  assert_non_null (subject);
  assert_null (error);
}

static void
test_wrong_key (void **state)
{
  Fixture *f = *state;
  g_autoptr(GError) error = NULL;
  g_autoptr(MotcuaDeviceKey) other = motcua_device_key_open_file (f->other_key_path, &error);
  assert_non_null (other);
  g_autoptr(MotcuaQueue) q = motcua_queue_open (f->db, other, &error);
  assert_null (q);
  assert_true (g_error_matches (error, MOTCUA_ERROR, MOTCUA_ERROR_QUEUE_KEY));
  /* The file is private. */
  GStatBuf sb;
  assert_int_equal (g_stat (f->db, &sb), 0);
  assert_int_equal (sb.st_mode & 0777, 0600);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown (test_transitions, setup, teardown),
    cmocka_unit_test_setup_teardown (test_resume_after_crash, setup, teardown),
    cmocka_unit_test_setup_teardown (test_claim_two_connections, setup, teardown),
    cmocka_unit_test_setup_teardown (test_stuck_does_not_block, setup, teardown),
    cmocka_unit_test_setup_teardown (test_purge, setup, teardown),
    cmocka_unit_test_setup_teardown (test_wrong_key, setup, teardown),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
