/* test-queue-crypt.c — personal data encrypted at rest: the raw bytes of
 * the database, its WAL and shared-memory files hold no name or ID number;
 * a flipped ciphertext byte or a ciphertext moved to another row or column
 * fails authentication */
#define _GNU_SOURCE   /* memmem */
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

static const char *const secrets[] = {
  "Nguyễn Thị Hồng Nhung", "Trần Văn Quý", "Phạm Đức Anh", "001196012345", "079203004567",
};

/* TRUE when @needle occurs in the file (absent files hold nothing). */
static gboolean
file_contains (const char *path, const char *needle)
{
  g_autofree char *data = NULL;
  gsize len = 0;
  if (!g_file_get_contents (path, &data, &len, NULL))
    return FALSE;
  return memmem (data, len, needle, strlen (needle)) != NULL;
}

static void
assert_no_secrets (Fixture *f)
{
  const char *suffixes[] = { "", "-wal", "-shm" };
  for (gsize s = 0; s < G_N_ELEMENTS (suffixes); s++)
    {
      g_autofree char *p = g_strconcat (f->db, suffixes[s], NULL);
      for (gsize i = 0; i < G_N_ELEMENTS (secrets); i++)
        {
          g_autofree char *upper = g_utf8_strup (secrets[i], -1);
          if (file_contains (p, secrets[i]) || file_contains (p, upper))
            fail_msg ("%s holds '%s' in clear", p, secrets[i]);
        }
    }
}

static gint64
add_secret_item (MotcuaQueue *q)
{
  g_autoptr(MotcuaDossier) d = motcua_dossier_new (MOTCUA_PROCEDURE_BIRTH, "00004");
  motcua_dossier_set_string (d, "/khaiSinh/nksHoTen", secrets[0], MOTCUA_SOURCE_CLERK, NULL);
  motcua_dossier_set_string (d, "/khaiSinh/meHoTen", secrets[1], MOTCUA_SOURCE_CARD, secrets[3]);
  motcua_dossier_set_string (d, "/khaiSinh/chaHoTen", secrets[2], MOTCUA_SOURCE_CARD, secrets[4]);
  motcua_dossier_set_string (d, "/khaiSinh/meSoGiayToTuyThan", secrets[3], MOTCUA_SOURCE_CARD,
                             secrets[3]);
  motcua_dossier_set_string (d, "/khaiSinh/chaSoGiayToTuyThan", secrets[4], MOTCUA_SOURCE_CARD,
                             secrets[4]);
  /* The dossier really holds them (else the test proves nothing). */
  g_autofree char *data = motcua_dossier_to_data (d, NULL);
  for (gsize i = 0; i < G_N_ELEMENTS (secrets); i++)
    assert_non_null (strstr (data, secrets[i]));
  g_autoptr(GError) error = NULL;
  gint64 id = 0;
  assert_true (motcua_queue_add_draft (q, d, "clerk-1", &id, &error));
  g_autoptr(MotcuaQueueItem) item = motcua_queue_get_by_id (q, id, &error);
  g_autofree char *body = g_strdup_printf ("{\"transactionId\":\"%s\",\"procedure\":\"birth\","
                                           "\"payload\":{\"me\":\"%s\",\"so\":\"%s\"}}",
                                           item->transaction_id, secrets[1], secrets[3]);
  g_autoptr(GBytes) b = g_bytes_new (body, strlen (body));
  assert_true (motcua_queue_set_signed (q, id, b, "clerk-1", &error));
  assert_true (motcua_queue_release (q, id, "clerk-1", &error));
  assert_null (error);
  return id;
}

static void
test_at_rest (void **state)
{
  Fixture *f = *state;
  for (int i = 0; i < 5; i++)
    add_secret_item (f->q);
  /* While open (WAL and shm present) ... */
  g_autofree char *wal = g_strconcat (f->db, "-wal", NULL);
  assert_true (g_file_test (wal, G_FILE_TEST_EXISTS));
  assert_no_secrets (f);
  /* ... after a purge of a final item ... */
  g_autoptr(GPtrArray) c = motcua_queue_claim (f->q, G_MAXINT64 / 2, 1, NULL);
  MotcuaQueueItem *it = g_ptr_array_index (c, 0);
  assert_true (motcua_queue_mark_rejected (f->q, it->id, "x", "x", NULL));
  assert_true (motcua_queue_purge (f->q, G_MAXINT64 / 4, 0, NULL, NULL));
  assert_no_secrets (f);
  /* ... and after close (checkpointed into the main file). */
  motcua_queue_close (f->q);
  f->q = NULL;
  assert_no_secrets (f);
  /* And the data comes back under the key. */
  g_autoptr(GError) error = NULL;
  f->q = motcua_queue_open (f->db, f->key, &error);
  g_autoptr(GPtrArray) all = motcua_queue_list (f->q, NULL, &error);
  MotcuaQueueItem *last = g_ptr_array_index (all, 0);
  g_autofree char *subject = motcua_queue_load_subject (f->q, last->id, &error);
  assert_string_equal (subject, secrets[0]);
}

/* Runs @sql on a second, raw connection. */
static void
raw_exec (Fixture *f, const char *sql)
{
  sqlite3 *db = NULL;
  assert_int_equal (sqlite3_open (f->db, &db), SQLITE_OK);
  sqlite3_busy_timeout (db, 5000);
  char *msg = NULL;
  if (sqlite3_exec (db, sql, NULL, NULL, &msg) != SQLITE_OK)
    fail_msg ("%s: %s", sql, msg);
  sqlite3_close (db);
}

/* Flips one byte of a stored value, on a second raw connection. */
static void
raw_flip (Fixture *f, gint64 id, const char *column, int offset)
{
  sqlite3 *db = NULL;
  assert_int_equal (sqlite3_open (f->db, &db), SQLITE_OK);
  sqlite3_busy_timeout (db, 5000);
  g_autofree char *sel = g_strdup_printf ("SELECT %s FROM items WHERE id = ?", column);
  sqlite3_stmt *st = NULL;
  assert_int_equal (sqlite3_prepare_v2 (db, sel, -1, &st, NULL), SQLITE_OK);
  sqlite3_bind_int64 (st, 1, id);
  assert_int_equal (sqlite3_step (st), SQLITE_ROW);
  int len = sqlite3_column_bytes (st, 0);
  assert_true (len > offset);
  g_autofree guint8 *buf = g_memdup2 (sqlite3_column_blob (st, 0), len);
  sqlite3_finalize (st);
  buf[offset] ^= 0x01;
  g_autofree char *upd = g_strdup_printf ("UPDATE items SET %s = ? WHERE id = ?", column);
  assert_int_equal (sqlite3_prepare_v2 (db, upd, -1, &st, NULL), SQLITE_OK);
  sqlite3_bind_blob (st, 1, buf, len, SQLITE_STATIC);
  sqlite3_bind_int64 (st, 2, id);
  assert_int_equal (sqlite3_step (st), SQLITE_DONE);
  sqlite3_finalize (st);
  sqlite3_close (db);
}

static void
test_flipped_byte (void **state)
{
  Fixture *f = *state;
  gint64 id = add_secret_item (f->q);
  raw_flip (f, id, "request", 30);
  g_autoptr(GError) error = NULL;
  assert_null (motcua_queue_load_request (f->q, id, &error));
  assert_true (g_error_matches (error, MOTCUA_ERROR, MOTCUA_ERROR_QUEUE_CORRUPT));
  g_clear_error (&error);
  /* A flipped version byte too. */
  raw_flip (f, id, "dossier", 0);
  assert_null (motcua_queue_load_dossier (f->q, id, &error));
  assert_true (g_error_matches (error, MOTCUA_ERROR, MOTCUA_ERROR_QUEUE_CORRUPT));
  g_clear_error (&error);
  /* The other columns are intact. */
  g_autofree char *subject = motcua_queue_load_subject (f->q, id, &error);
  assert_string_equal (subject, secrets[0]);
}

static void
test_moved_ciphertext (void **state)
{
  Fixture *f = *state;
  gint64 a = add_secret_item (f->q);
  gint64 b = add_secret_item (f->q);
  g_autoptr(GError) error = NULL;
  /* Another row's ciphertext, same column. */
  g_autofree char *sql = g_strdup_printf ("UPDATE items SET subject = (SELECT subject FROM items "
                                          "WHERE id = %" G_GINT64_FORMAT ") WHERE id = %"
                                          G_GINT64_FORMAT, a, b);
  raw_exec (f, sql);
  assert_null (motcua_queue_load_subject (f->q, b, &error));
  assert_true (g_error_matches (error, MOTCUA_ERROR, MOTCUA_ERROR_QUEUE_CORRUPT));
  g_clear_error (&error);
  /* The same row's ciphertext of another column. */
  g_autofree char *sql2 = g_strdup_printf ("UPDATE items SET request = dossier WHERE id = %"
                                           G_GINT64_FORMAT, a);
  raw_exec (f, sql2);
  assert_null (motcua_queue_load_request (f->q, a, &error));
  assert_true (g_error_matches (error, MOTCUA_ERROR, MOTCUA_ERROR_QUEUE_CORRUPT));
  g_clear_error (&error);
  /* A truncated value. */
  g_autofree char *sql3 = g_strdup_printf ("UPDATE items SET dossier = substr(dossier, 1, 10) "
                                           "WHERE id = %" G_GINT64_FORMAT, a);
  raw_exec (f, sql3);
  assert_null (motcua_queue_load_dossier (f->q, a, &error));
  assert_true (g_error_matches (error, MOTCUA_ERROR, MOTCUA_ERROR_QUEUE_CORRUPT));
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown (test_at_rest, setup, teardown),
    cmocka_unit_test_setup_teardown (test_flipped_byte, setup, teardown),
    cmocka_unit_test_setup_teardown (test_moved_ciphertext, setup, teardown),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
