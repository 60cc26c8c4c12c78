/* test-store.c — the SQLite store: idempotent submits, dossier numbers,
 * status documents, the changes feed, hospital documents, durability. */
#include "test-store-common.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>
#include <sqlite3.h>

static JsonObject *
obj (JsonNode *n)
{
  return json_node_get_object (n);
}

static gint64
count (refsvc_store *st, const char *what)
{
  g_autoptr (JsonNode) n = refsvc_store_admin_counts (st);
  assert_non_null (n);
  return json_object_get_int_member (obj (n), what);
}

static void
test_schema (void **state)
{
  store_fixture *f = *state;
  sqlite3 *db = NULL;
  assert_int_equal (sqlite3_open (f->path, &db), SQLITE_OK);
  sqlite3_stmt *s = NULL;
  assert_int_equal (sqlite3_prepare_v2 (db, "PRAGMA user_version", -1, &s, NULL), SQLITE_OK);
  assert_int_equal (sqlite3_step (s), SQLITE_ROW);
  assert_int_equal (sqlite3_column_int (s, 0), 1);
  sqlite3_finalize (s);
  assert_int_equal (sqlite3_prepare_v2 (db, "PRAGMA journal_mode", -1, &s, NULL), SQLITE_OK);
  assert_int_equal (sqlite3_step (s), SQLITE_ROW);
  assert_string_equal ((const char *) sqlite3_column_text (s, 0), "wal");
  sqlite3_finalize (s);
  sqlite3_close (db);
}

static void
test_newer_schema_refused (void **state)
{
  store_fixture *f = *state;
  sqlite3 *db = NULL;
  assert_int_equal (sqlite3_open (f->path, &db), SQLITE_OK);
  assert_int_equal (sqlite3_exec (db, "PRAGMA user_version = 99", NULL, NULL, NULL), SQLITE_OK);
  sqlite3_close (db);
  GError *error = NULL;
  refsvc_store *other = refsvc_store_open (f->path, &error);
  assert_null (other);
  assert_non_null (error);
  assert_non_null (strstr (error->message, "99"));
  g_error_free (error);
}

static void
test_submit_answer (void **state)
{
  store_fixture *f = *state;
  refsvc_backoffice_config bo = test_bo_defaults ();
  test_sub *t = test_sub_new (REFSVC_BIRTH, "6f1c1a9e-2b7d-4c1e-9a57-3d2f1e0b8c4a", "00004",
                              NULL, 1);
  guint status = 0;
  g_autofree char *answer = NULL;
  assert_int_equal (refsvc_store_submit (f->st, &t->sub, &bo, T0, &status, &answer),
                    REFSVC_STORE_CREATED);
  assert_int_equal (status, 201);
  g_autoptr (JsonNode) n = test_parse (answer);
  JsonObject *o = obj (n);
  assert_string_equal (json_object_get_string_member (o, "dossierId"),
                       "LTKS-00004-261123-000001");
  assert_string_equal (json_object_get_string_member (o, "transactionId"), t->tx);
  assert_string_equal (json_object_get_string_member (o, "procedure"), "birth");
  assert_string_equal (json_object_get_string_member (o, "receivedAt"), "2026-11-23T10:00:00Z");
  g_autofree char *sha = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, t->payload);
  assert_string_equal (json_object_get_string_member (o, "payloadSha256"), sha);
  assert_string_equal (json_object_get_string_member (o, "cardPresence"), "verified");
  JsonObject *sg = json_object_get_object_member (o, "signer");
  assert_string_equal (json_object_get_string_member (sg, "subject"), t->signer.subject);
  assert_string_equal (json_object_get_string_member (sg, "issuer"), t->signer.issuer);
  assert_string_equal (json_object_get_string_member (sg, "serial"), "1a2b3c");
  assert_string_equal (json_object_get_string_member (sg, "keyType"), "EC-P-256");
  assert_string_equal (json_object_get_string_member (sg, "signingTime"),
                       "2026-11-23T09:59:00Z");
  JsonArray *systems = json_object_get_array_member (o, "systems");
  assert_int_equal (json_array_get_length (systems), 3);
  static const char *const names[] = { "hoTich", "cuTru", "bhxh" };
  for (guint i = 0; i < 3; i++) {
    JsonObject *s = json_array_get_object_element (systems, i);
    assert_string_equal (json_object_get_string_member (s, "system"), names[i]);
    assert_string_equal (json_object_get_string_member (s, "status"),
                         i == 0 ? "MOI_DANG_KY" : "CHUA_GUI_DI");
    assert_int_equal (json_object_get_int_member (s, "statusCode"), i == 0 ? 1 : 0);
    assert_string_equal (json_object_get_string_member (s, "statusLabel"),
                         i == 0 ? "Mới đăng ký" : "Chưa gửi đi");
    assert_string_equal (json_object_get_string_member (s, "updatedAt"), "2026-11-23T10:00:00Z");
  }
  test_sub_free (t);
}

static void
test_replay_and_conflict (void **state)
{
  store_fixture *f = *state;
  refsvc_backoffice_config bo = test_bo_defaults ();
  g_autofree char *tx = test_uuid ();
  test_sub *t = test_sub_new (REFSVC_DEATH, tx, "00004", NULL, 0);
  guint s1 = 0, s2 = 0, s3 = 7;
  g_autofree char *a1 = NULL, *a2 = NULL, *a3 = NULL;
  assert_int_equal (refsvc_store_submit (f->st, &t->sub, &bo, T0, &s1, &a1), REFSVC_STORE_CREATED);
  /* Later, same bytes: the stored answer byte for byte, not a new one. */
  assert_int_equal (refsvc_store_submit (f->st, &t->sub, &bo, T0 + 5000, &s2, &a2),
                    REFSVC_STORE_REPLAY);
  assert_int_equal (s2, 201);
  assert_string_equal (a2, a1);
  /* Same id, other bytes: conflict, nothing stored, no answer. */
  test_sub *other = test_sub_new (REFSVC_DEATH, tx, "00004", NULL, 2);
  assert_int_equal (refsvc_store_submit (f->st, &other->sub, &bo, T0, &s3, &a3),
                    REFSVC_STORE_CONFLICT);
  assert_null (a3);
  assert_int_equal (s3, 0);
  /* Same bytes from another unit: not a replay of someone else's answer. */
  test_sub *foreign = test_sub_new (REFSVC_DEATH, tx, "00008", NULL, 0);
  assert_int_equal (refsvc_store_submit (f->st, &foreign->sub, &bo, T0, &s3, &a3),
                    REFSVC_STORE_CONFLICT);
  assert_int_equal (count (f->st, "dossiers"), 1);
  assert_int_equal (count (f->st, "transactions"), 1);
  assert_int_equal (count (f->st, "events"), 3);
  test_sub_free (t);
  test_sub_free (other);
  test_sub_free (foreign);
}

/* The service's early look-up of resends (before re-validating them). */
static void
test_lookup_transaction (void **state)
{
  store_fixture *f = *state;
  refsvc_backoffice_config bo = test_bo_defaults ();
  g_autofree char *tx = test_uuid ();
  test_sub *t = test_sub_new (REFSVC_BIRTH, tx, "00004", NULL, 0);
  test_sub *other = test_sub_new (REFSVC_BIRTH, tx, "00004", NULL, 1);
  guint status = 9;
  g_autofree char *answer = NULL, *looked = NULL;
  char *none = NULL;
  assert_int_equal (refsvc_store_lookup_transaction (f->st, tx, t->sha, "00004", NULL, &status, &none),
                    REFSVC_STORE_NOT_FOUND);
  assert_null (none);
  assert_int_equal (status, 0);
  assert_int_equal (refsvc_store_submit (f->st, &t->sub, &bo, T0, &status, &answer),
                    REFSVC_STORE_CREATED);
  assert_int_equal (refsvc_store_lookup_transaction (f->st, tx, t->sha, "00004", NULL, &status, &looked),
                    REFSVC_STORE_REPLAY);
  assert_int_equal (status, 201);
  assert_string_equal (looked, answer);
  assert_int_equal (refsvc_store_lookup_transaction (f->st, tx, other->sha, "00004", NULL, &status, &none),
                    REFSVC_STORE_CONFLICT);
  assert_null (none);
  /* The same bytes from another unit, or sent as a supplement: conflicts,
   * never another unit's answer. */
  assert_int_equal (refsvc_store_lookup_transaction (f->st, tx, t->sha, "00008", NULL, &status, &none),
                    REFSVC_STORE_CONFLICT);
  assert_null (none);
  assert_int_equal (refsvc_store_lookup_transaction (f->st, tx, t->sha, "00004", "LTKS-00004-261123-000001",
                                                    &status, &none),
                    REFSVC_STORE_CONFLICT);
  assert_null (none);
  assert_int_equal (refsvc_store_lookup_transaction (f->st, NULL, t->sha, "00004", NULL, &status, &none),
                    REFSVC_STORE_ERROR);
  assert_int_equal (count (f->st, "transactions"), 1);
  test_sub_free (t);
  test_sub_free (other);
}

static char *
submit_id (refsvc_store *st, refsvc_procedure p, const char *unit, gint64 now)
{
  g_autofree char *tx = test_uuid ();
  refsvc_backoffice_config bo = test_bo_defaults ();
  test_sub *t = test_sub_new (p, tx, unit, NULL, 0);
  char *id = test_submit (st, t, &bo, now);
  test_sub_free (t);
  return id;
}

static void
test_dossier_numbers (void **state)
{
  store_fixture *f = *state;
  static const struct { refsvc_procedure p; const char *unit; gint64 at; const char *id; } cases[] = {
    { REFSVC_BIRTH, "00004", T0, "LTKS-00004-261123-000001" },
    { REFSVC_BIRTH, "00004", T0 + 60, "LTKS-00004-261123-000002" },
    { REFSVC_DEATH, "00004", T0, "LTKT-00004-261123-000001" },
    { REFSVC_BIRTH, "00008", T0, "LTKS-00008-261123-000001" },
    /* 16:59:59Z is still 23:59:59 on the 23rd in Vietnam; 17:00Z is the 24th */
    { REFSVC_BIRTH, "00004", T0 + 7 * 3600 - 1, "LTKS-00004-261123-000003" },
    { REFSVC_BIRTH, "00004", T0 + 7 * 3600, "LTKS-00004-261124-000001" },
    { REFSVC_DEATH, "00004", T0 + 7 * 3600, "LTKT-00004-261124-000001" },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autofree char *id = submit_id (f->st, cases[i].p, cases[i].unit, cases[i].at);
    assert_string_equal (id, cases[i].id);
  }
}

/* ---- concurrency ---- */

typedef struct {
  refsvc_store       *st;
  test_sub           *t;
  refsvc_store_result result;
  guint               status;
  char               *answer;
  GMutex             *gate_lock;
  GCond              *gate;
  gboolean           *open;
} racer;

static gpointer
race (gpointer p)
{
  racer *r = p;
  refsvc_backoffice_config bo = test_bo_defaults ();
  g_mutex_lock (r->gate_lock);
  while (!*r->open)
    g_cond_wait (r->gate, r->gate_lock);
  g_mutex_unlock (r->gate_lock);
  r->result = refsvc_store_submit (r->st, &r->t->sub, &bo, T0, &r->status, &r->answer);
  return NULL;
}

/* n threads released together; same_tx: all send one transaction. */
static void
run_race (refsvc_store *st, guint n, gboolean same_tx, racer *rs)
{
  GMutex lock;
  GCond gate;
  gboolean open = FALSE;
  g_mutex_init (&lock);
  g_cond_init (&gate);
  g_autofree char *shared = test_uuid ();
  GThread *threads[16];
  for (guint i = 0; i < n; i++) {
    g_autofree char *own = test_uuid ();
    rs[i] = (racer) { .st = st, .gate_lock = &lock, .gate = &gate, .open = &open,
                      .t = test_sub_new (REFSVC_BIRTH, same_tx ? shared : own, "00004", NULL, 0) };
    threads[i] = g_thread_new ("racer", race, &rs[i]);
  }
  g_mutex_lock (&lock);
  open = TRUE;
  g_cond_broadcast (&gate);
  g_mutex_unlock (&lock);
  for (guint i = 0; i < n; i++)
    g_thread_join (threads[i]);
  g_mutex_clear (&lock);
  g_cond_clear (&gate);
}

static void
test_concurrent_same_transaction (void **state)
{
  store_fixture *f = *state;
  racer rs[8];
  run_race (f->st, 8, TRUE, rs);
  int created = 0, replayed = 0;
  for (int i = 0; i < 8; i++) {
    created += rs[i].result == REFSVC_STORE_CREATED;
    replayed += rs[i].result == REFSVC_STORE_REPLAY;
    assert_int_equal (rs[i].status, 201);
    assert_string_equal (rs[i].answer, rs[0].answer);
  }
  assert_int_equal (created, 1);
  assert_int_equal (replayed, 7);
  assert_int_equal (count (f->st, "dossiers"), 1);
  for (int i = 0; i < 8; i++) {
    g_free (rs[i].answer);
    test_sub_free (rs[i].t);
  }
}

static void
test_concurrent_distinct (void **state)
{
  store_fixture *f = *state;
  racer rs[8];
  run_race (f->st, 8, FALSE, rs);
  g_autoptr (GHashTable) ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  for (int i = 0; i < 8; i++) {
    assert_int_equal (rs[i].result, REFSVC_STORE_CREATED);
    g_autoptr (JsonNode) n = test_parse (rs[i].answer);
    g_hash_table_add (ids, g_strdup (json_object_get_string_member (obj (n), "dossierId")));
  }
  /* eight numbers, 000001 .. 000008, none twice */
  for (int i = 1; i <= 8; i++) {
    g_autofree char *id = g_strdup_printf ("LTKS-00004-261123-%06d", i);
    assert_true (g_hash_table_contains (ids, id));
  }
  for (int i = 0; i < 8; i++) {
    g_free (rs[i].answer);
    test_sub_free (rs[i].t);
  }
}

/* ---- status documents ---- */

static void
test_status_document (void **state)
{
  store_fixture *f = *state;
  refsvc_backoffice_config bo = test_bo_defaults ();
  g_autofree char *tx = test_uuid ();
  test_sub *t = test_sub_new (REFSVC_DEATH, tx, "00004", NULL, 0);
  g_autofree char *id = test_submit (f->st, t, &bo, T0);
  g_autoptr (JsonNode) doc = refsvc_store_dossier_status (f->st, id, "00004");
  assert_non_null (doc);
  JsonObject *o = obj (doc);
  assert_string_equal (json_object_get_string_member (o, "dossierId"), id);
  assert_string_equal (json_object_get_string_member (o, "transactionId"), tx);
  assert_string_equal (json_object_get_string_member (o, "procedure"), "death");
  assert_string_equal (json_object_get_string_member (o, "receivedAt"), "2026-11-23T10:00:00Z");
  static const struct { const char *system, *name, *status; } want[] = {
    { "hoTich", "Hộ tịch — Đăng ký khai tử", "MOI_DANG_KY" },
    { "cuTru", "Cư trú — Xóa đăng ký thường trú", "CHUA_GUI_DI" },
    { "ldtbxh", "LĐTBXH — Trợ cấp mai táng phí", "CHUA_GUI_DI" },
  };
  JsonArray *systems = json_object_get_array_member (o, "systems");
  assert_int_equal (json_array_get_length (systems), 3);
  for (guint i = 0; i < 3; i++) {
    JsonObject *s = json_array_get_object_element (systems, i);
    assert_string_equal (json_object_get_string_member (s, "system"), want[i].system);
    assert_string_equal (json_object_get_string_member (s, "name"), want[i].name);
    assert_string_equal (json_object_get_string_member (s, "status"), want[i].status);
    assert_false (json_object_has_member (s, "reason"));
    assert_false (json_object_has_member (s, "missing"));
    JsonArray *h = json_object_get_array_member (s, "history");
    assert_int_equal (json_array_get_length (h), 1);
    JsonObject *e = json_array_get_object_element (h, 0);
    assert_string_equal (json_object_get_string_member (e, "status"), want[i].status);
    assert_string_equal (json_object_get_string_member (e, "at"), "2026-11-23T10:00:00Z");
  }
  /* the same document by transaction id; none for other units */
  g_autoptr (JsonNode) by_tx = refsvc_store_dossier_by_transaction (f->st, tx, "00004");
  assert_non_null (by_tx);
  assert_true (json_node_equal (by_tx, doc));
  g_autoptr (JsonNode) any = refsvc_store_dossier_status (f->st, id, NULL);
  assert_true (json_node_equal (any, doc));
  assert_null (refsvc_store_dossier_status (f->st, id, "00008"));
  assert_null (refsvc_store_dossier_by_transaction (f->st, tx, "00008"));
  assert_null (refsvc_store_dossier_status (f->st, "LTKT-00004-261123-000099", NULL));
  assert_null (refsvc_store_dossier_by_transaction (f->st, "no-such-id", NULL));
  test_sub_free (t);
}

/* ---- changes ---- */

static void
test_changes_paging (void **state)
{
  store_fixture *f = *state;
  refsvc_backoffice_config bo = test_bo_defaults ();
  /* three dossiers of 00004 (9 events), two of 00008 interleaved (6) */
  static const char *const units[] = { "00004", "00008", "00004", "00008", "00004" };
  for (gsize i = 0; i < G_N_ELEMENTS (units); i++)
    g_free (submit_id (f->st, i % 2 ? REFSVC_DEATH : REFSVC_BIRTH, units[i], T0 + (gint64) i));
  refsvc_store_advance (f->st, &bo, T0 + 700);   /* + one hoTich event each */

  gint64 since = 0, last_seq = 0;
  guint total = 0, pages = 0;
  gboolean more = TRUE;
  while (more) {
    g_autoptr (JsonNode) page = refsvc_store_changes (f->st, "00004", since, 4);
    assert_non_null (page);
    JsonArray *ch = json_object_get_array_member (obj (page), "changes");
    more = json_object_get_boolean_member (obj (page), "more");
    assert_true (json_array_get_length (ch) <= 4);
    for (guint i = 0; i < json_array_get_length (ch); i++) {
      JsonObject *c = json_array_get_object_element (ch, i);
      gint64 seq = g_ascii_strtoll (json_object_get_string_member (c, "cursor"), NULL, 10);
      assert_true (seq > last_seq);
      last_seq = seq;
      assert_true (g_str_has_prefix (json_object_get_string_member (c, "dossierId"),
                                     "LTKS-00004-"));
      assert_non_null (json_object_get_string_member (c, "transactionId"));
      assert_string_equal (json_object_get_string_member (c, "procedure"), "birth");
      assert_non_null (json_object_get_string_member (c, "system"));
      assert_non_null (json_object_get_string_member (c, "statusLabel"));
      assert_non_null (json_object_get_string_member (c, "at"));
      total++;
    }
    const char *next = json_object_get_string_member (obj (page), "nextCursor");
    g_autofree char *expect = g_strdup_printf ("%" G_GINT64_FORMAT, last_seq);
    assert_string_equal (next, expect);
    since = g_ascii_strtoll (next, NULL, 10);
    pages++;
  }
  assert_int_equal (total, 12);
  assert_int_equal (pages, 3);   /* 4 + 4 + 4, the last with more = false */

  /* past the end: empty, the cursor stays, more = false */
  g_autoptr (JsonNode) end = refsvc_store_changes (f->st, "00004", since, 4);
  assert_int_equal (json_array_get_length (json_object_get_array_member (obj (end), "changes")), 0);
  g_autofree char *same = g_strdup_printf ("%" G_GINT64_FORMAT, since);
  assert_string_equal (json_object_get_string_member (obj (end), "nextCursor"), same);
  assert_false (json_object_get_boolean_member (obj (end), "more"));

  /* the other unit sees only its own 8; limit 0 means the default (500) */
  g_autoptr (JsonNode) b = refsvc_store_changes (f->st, "00008", 0, 0);
  JsonArray *bch = json_object_get_array_member (obj (b), "changes");
  assert_int_equal (json_array_get_length (bch), 8);
  for (guint i = 0; i < 8; i++)
    assert_true (g_str_has_prefix (json_object_get_string_member (
                   json_array_get_object_element (bch, i), "dossierId"), "LTKT-00008-"));
  g_autoptr (JsonNode) none = refsvc_store_changes (f->st, "00099", -5, 10);
  assert_int_equal (json_array_get_length (json_object_get_array_member (obj (none), "changes")), 0);
  assert_string_equal (json_object_get_string_member (obj (none), "nextCursor"), "0");
}

/* ---- durability ---- */

static void
test_reopen (void **state)
{
  store_fixture *f = *state;
  refsvc_backoffice_config bo = test_bo_defaults ();
  g_autofree char *tx = test_uuid ();
  test_sub *t = test_sub_new (REFSVC_BIRTH, tx, "00004", NULL, 0);
  guint status = 0;
  g_autofree char *answer = NULL, *again = NULL;
  assert_int_equal (refsvc_store_submit (f->st, &t->sub, &bo, T0, &status, &answer),
                    REFSVC_STORE_CREATED);
  assert_int_equal (refsvc_store_advance (f->st, &bo, T0 + 600), 1);
  refsvc_xmldoc d = test_make_doc (REFSVC_DOC_BIRTH_CERT, "GCS-1", TRUE);
  g_autoptr (GBytes) xml = g_bytes_new_static ("<x/>", 4);
  g_autofree char *gd = NULL, *at = NULL, *gd2 = NULL, *at2 = NULL;
  assert_int_equal (refsvc_store_put_document (f->st, &d, xml, "h", T0, &gd, &at),
                    REFSVC_STORE_CREATED);
  g_autoptr (JsonNode) doc = refsvc_store_dossier_status (f->st, "LTKS-00004-261123-000001", NULL);
  g_autoptr (JsonNode) changes = refsvc_store_changes (f->st, NULL, 0, 100);

  store_fixture_reopen (f);

  g_autoptr (JsonNode) doc2 = refsvc_store_dossier_status (f->st, "LTKS-00004-261123-000001", NULL);
  assert_true (json_node_equal (doc, doc2));
  g_autoptr (JsonNode) changes2 = refsvc_store_changes (f->st, NULL, 0, 100);
  assert_true (json_node_equal (changes, changes2));
  assert_int_equal (refsvc_store_submit (f->st, &t->sub, &bo, T0, &status, &again),
                    REFSVC_STORE_REPLAY);
  assert_string_equal (again, answer);
  assert_int_equal (refsvc_store_put_document (f->st, &d, xml, "h", T0 + 5, &gd2, &at2),
                    REFSVC_STORE_REPLAY);
  assert_string_equal (gd2, gd);
  /* the day's sequence goes on; the pipeline goes on from the file */
  g_autofree char *id = submit_id (f->st, REFSVC_BIRTH, "00004", T0 + 10);
  assert_string_equal (id, "LTKS-00004-261123-000002");
  assert_int_equal (refsvc_store_advance (f->st, &bo, T0 + 600 + 1800), 2);
  assert_string_equal (test_status_of (f->st, "LTKS-00004-261123-000001", "hoTich"), "DANG_XU_LY");
  json_object_unref (d.fields);
  test_sub_free (t);
}

/* ---- admin, helpers ---- */

static void
test_admin (void **state)
{
  store_fixture *f = *state;
  g_free (submit_id (f->st, REFSVC_BIRTH, "00004", T0));
  g_free (submit_id (f->st, REFSVC_DEATH, "00008", T0 + 1));
  g_autoptr (JsonNode) c = refsvc_store_admin_counts (f->st);
  assert_int_equal (json_object_get_int_member (obj (c), "dossiers"), 2);
  assert_int_equal (json_object_get_int_member (obj (c), "documents"), 0);
  assert_int_equal (json_object_get_int_member (obj (c), "events"), 6);
  g_autoptr (JsonNode) l = refsvc_store_admin_dossiers (f->st);
  JsonArray *a = json_object_get_array_member (obj (l), "dossiers");
  assert_int_equal (json_array_get_length (a), 2);
  JsonObject *d0 = json_array_get_object_element (a, 0);
  JsonObject *d1 = json_array_get_object_element (a, 1);
  assert_string_equal (json_object_get_string_member (d0, "dossierId"), "LTKS-00004-261123-000001");
  assert_string_equal (json_object_get_string_member (d0, "unit"), "00004");
  assert_string_equal (json_object_get_string_member (d0, "deviceId"), "counter-00004-01");
  assert_string_equal (json_object_get_string_member (d1, "procedure"), "death");
  JsonObject *s1 = json_object_get_object_member (d1, "systems");
  assert_string_equal (json_object_get_string_member (s1, "hoTich"), "MOI_DANG_KY");
  assert_string_equal (json_object_get_string_member (s1, "ldtbxh"), "CHUA_GUI_DI");
  /* empty store: an empty list */
  store_fixture_teardown (state);
  store_fixture_setup (state);
  f = *state;
  g_autoptr (JsonNode) e = refsvc_store_admin_dossiers (f->st);
  assert_int_equal (json_array_get_length (json_object_get_array_member (obj (e), "dossiers")), 0);
}

static void
test_helpers (void **state)
{
  (void) state;
  g_autofree char *a = refsvc_iso8601 (T0);
  assert_string_equal (a, "2026-11-23T10:00:00Z");
  g_autofree char *b = refsvc_iso8601 (0);
  assert_string_equal (b, "1970-01-01T00:00:00Z");
  g_autofree char *c = refsvc_iso8601 (G_MAXINT64);
  assert_string_equal (c, "9999-12-31T23:59:59Z");
  static const struct { refsvc_status s; const char *code, *label; } t[] = {
    { REFSVC_ST_CHUA_GUI_DI, "CHUA_GUI_DI", "Chưa gửi đi" },
    { REFSVC_ST_MOI_DANG_KY, "MOI_DANG_KY", "Mới đăng ký" },
    { REFSVC_ST_DA_TIEP_NHAN, "DA_TIEP_NHAN", "Đã tiếp nhận" },
    { REFSVC_ST_TU_CHOI, "TU_CHOI", "Từ chối tiếp nhận" },
    { REFSVC_ST_DANG_XU_LY, "DANG_XU_LY", "Đang xử lý" },
    { REFSVC_ST_YEU_CAU_BO_SUNG, "YEU_CAU_BO_SUNG", "Yêu cầu bổ sung" },
    { REFSVC_ST_DA_XU_LY_XONG, "DA_XU_LY_XONG", "Đã xử lý xong" },
    { REFSVC_ST_DA_TRA_KET_QUA, "DA_TRA_KET_QUA", "Đã trả kết quả" },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (t); i++) {
    assert_string_equal (refsvc_status_code (t[i].s), t[i].code);
    assert_string_equal (refsvc_status_label (t[i].s), t[i].label);
    g_autofree char *nfc = g_utf8_normalize (t[i].label, -1, G_NORMALIZE_NFC);
    assert_string_equal (nfc, t[i].label);
  }
  assert_string_equal (refsvc_status_code (7), "UNKNOWN");
}

static void
test_bad_arguments (void **state)
{
  store_fixture *f = *state;
  refsvc_backoffice_config bo = test_bo_defaults ();
  test_sub *t = test_sub_new (REFSVC_BIRTH, "x", "00004", NULL, 0);
  guint status = 1;
  char *answer = (char *) "sentinel";
  t->sub.signer = NULL;
  assert_int_equal (refsvc_store_submit (f->st, &t->sub, &bo, T0, &status, &answer),
                    REFSVC_STORE_ERROR);
  t->sub.signer = &t->signer;
  t->sub.procedure = 7;
  assert_int_equal (refsvc_store_submit (f->st, &t->sub, &bo, T0, &status, &answer),
                    REFSVC_STORE_ERROR);
  t->sub.procedure = REFSVC_BIRTH;
  answer = NULL;
  assert_int_equal (refsvc_store_supplement (f->st, "LTKS-00004-261123-000001", &t->sub, &bo, T0,
                                             &status, &answer), REFSVC_STORE_NOT_FOUND);
  assert_int_equal (refsvc_store_supplement (f->st, NULL, &t->sub, &bo, T0, &status, &answer),
                    REFSVC_STORE_NOT_FOUND);
  assert_null (answer);
  assert_null (refsvc_store_dossier_status (f->st, NULL, NULL));
  assert_int_equal (count (f->st, "dossiers"), 0);
  test_sub_free (t);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown (test_schema, store_fixture_setup, store_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_newer_schema_refused, store_fixture_setup,
                                     store_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_submit_answer, store_fixture_setup, store_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_replay_and_conflict, store_fixture_setup,
                                     store_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_lookup_transaction, store_fixture_setup,
                                     store_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_dossier_numbers, store_fixture_setup, store_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_concurrent_same_transaction, store_fixture_setup,
                                     store_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_concurrent_distinct, store_fixture_setup,
                                     store_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_status_document, store_fixture_setup, store_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_changes_paging, store_fixture_setup, store_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_reopen, store_fixture_setup, store_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_admin, store_fixture_setup, store_fixture_teardown),
    cmocka_unit_test (test_helpers),
    cmocka_unit_test_setup_teardown (test_bad_arguments, store_fixture_setup, store_fixture_teardown),
  };
  return cmocka_run_group_tests_name ("refsvc-store", tests, NULL, NULL);
}
