/* test-audit.c — the hash-chained audit log: the chain verifies, the
 * triggers refuse UPDATE and DELETE, and with them dropped an edited,
 * removed or truncated entry is found */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <sqlite3.h>

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

/* Some history: drafts, signing, release, a claim, an answer. */
static void
make_history (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  for (int i = 0; i < 3; i++)
    {
      g_autoptr(MotcuaDossier) d = new_dossier (MOTCUA_PROCEDURE_DEATH, "Đỗ Văn Bình");
      gint64 id = 0;
      assert_true (motcua_queue_add_draft (f->q, d, "clerk-7", &id, &error));
      g_autoptr(GBytes) body = body_for (f->q, id);
      assert_true (motcua_queue_set_signed (f->q, id, body, "clerk-7", &error));
      assert_true (motcua_queue_release (f->q, id, "clerk-7", &error));
    }
  g_autoptr(GPtrArray) c = motcua_queue_claim (f->q, G_MAXINT64 / 2, 1, &error);
  MotcuaQueueItem *it = g_ptr_array_index (c, 0);
  assert_true (motcua_queue_mark_accepted (f->q, it->id, "HS-1", &error));
  assert_true (motcua_queue_audit (f->q, it->id, "clerk-7", "print", "receipt printed", &error));
  assert_null (error);
}

/* @sql on a raw connection; returns SQLite's result code. */
static int
raw_exec (Fixture *f, const char *sql)
{
  sqlite3 *db = NULL;
  assert_int_equal (sqlite3_open (f->db, &db), SQLITE_OK);
  sqlite3_busy_timeout (db, 5000);
  int rc = sqlite3_exec (db, sql, NULL, NULL, NULL);
  sqlite3_close (db);
  return rc;
}

static void
assert_broken_at (Fixture *f, const char *what)
{
  g_autoptr(GError) error = NULL;
  guint n = 0;
  assert_false (motcua_queue_verify_audit (f->q, &n, &error));
  assert_true (g_error_matches (error, MOTCUA_ERROR, MOTCUA_ERROR_AUDIT_BROKEN));
  if (strstr (error->message, what) == NULL)
    fail_msg ("'%s' does not name %s", error->message, what);
}

static void
test_chain_verifies (void **state)
{
  Fixture *f = *state;
  g_autoptr(GError) error = NULL;
  guint n = 0;
  assert_true (motcua_queue_verify_audit (f->q, &n, &error));
  assert_int_equal (n, 0);
  make_history (f);
  assert_true (motcua_queue_verify_audit (f->q, &n, &error));
  /* 3 × (draft, sign, release) + claim + accepted + dossier_id + print */
  assert_int_equal (n, 13);
  g_autoptr(JsonNode) all = motcua_queue_audit_to_json (f->q, 0, &error);
  assert_int_equal (json_array_get_length (json_node_get_array (all)), 13);
  JsonObject *first = json_array_get_object_element (json_node_get_array (all), 0);
  assert_string_equal (json_object_get_string_member (first, "actor"), "clerk-7");
  assert_string_equal (json_object_get_string_member (first, "action"), "draft");
  assert_int_equal (strlen (json_object_get_string_member (first, "hash")), 64);
  g_autoptr(JsonNode) one = motcua_queue_audit_to_json (f->q, 1, &error);
  /* item 1: draft, sign, release, then claimed first: claim, accepted,
   * dossier_id, print */
  assert_int_equal (json_array_get_length (json_node_get_array (one)), 7);
  /* Survives a reopen. */
  motcua_queue_close (f->q);
  f->q = motcua_queue_open (f->db, f->key, &error);
  assert_true (motcua_queue_verify_audit (f->q, &n, &error));
  assert_int_equal (n, 13);
}

static void
test_triggers_refuse (void **state)
{
  Fixture *f = *state;
  make_history (f);
  assert_int_equal (raw_exec (f, "UPDATE audit SET actor = 'someone' WHERE seq = 2") & 0xff,
                    SQLITE_CONSTRAINT);
  assert_int_equal (raw_exec (f, "DELETE FROM audit WHERE seq = 2") & 0xff, SQLITE_CONSTRAINT);
  guint n = 0;
  assert_true (motcua_queue_verify_audit (f->q, &n, NULL));
  assert_int_equal (n, 13);
}

static void
test_edited_row (void **state)
{
  Fixture *f = *state;
  make_history (f);
  assert_int_equal (raw_exec (f, "DROP TRIGGER audit_no_update;"
                              "UPDATE audit SET actor = 'clerk-9' WHERE seq = 5"), SQLITE_OK);
  assert_broken_at (f, "entry 5 ");
}

static void
test_deleted_row (void **state)
{
  Fixture *f = *state;
  make_history (f);
  assert_int_equal (raw_exec (f, "DROP TRIGGER audit_no_delete;"
                              "DELETE FROM audit WHERE seq = 4"), SQLITE_OK);
  assert_broken_at (f, "entry 4 ");
}

static void
test_truncated_log (void **state)
{
  Fixture *f = *state;
  make_history (f);
  assert_int_equal (raw_exec (f, "DROP TRIGGER audit_no_delete;"
                              "DELETE FROM audit WHERE seq >= 12"), SQLITE_OK);
  assert_broken_at (f, "entry 12 ");
}

static void
test_inserted_row (void **state)
{
  Fixture *f = *state;
  make_history (f);
  /* A forged row in the middle with a made-up hash. */
  assert_int_equal (raw_exec (f, "DROP TRIGGER audit_no_delete; DROP TRIGGER audit_no_update;"
                              "UPDATE audit SET seq = seq + 100 WHERE seq >= 7;"
                              "UPDATE audit SET seq = seq - 99 WHERE seq >= 107;"
                              "INSERT INTO audit VALUES (7, 0, 1, 'x', 'cancel', '', zeroblob(32))"),
                    SQLITE_OK);
  assert_broken_at (f, "entry 7 ");
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown (test_chain_verifies, setup, teardown),
    cmocka_unit_test_setup_teardown (test_triggers_refuse, setup, teardown),
    cmocka_unit_test_setup_teardown (test_edited_row, setup, teardown),
    cmocka_unit_test_setup_teardown (test_deleted_row, setup, teardown),
    cmocka_unit_test_setup_teardown (test_truncated_log, setup, teardown),
    cmocka_unit_test_setup_teardown (test_inserted_row, setup, teardown),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
