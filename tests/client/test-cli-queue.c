/* test-cli-queue.c — `motcua-cli queue …` and `motcua-cli report` run as a
 * process against a real queue file (made here through the queue API with
 * the service's sample dossiers) and a PEM device key: outputs, exit codes,
 * and no personal data in lists, exports and reports */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include <cmocka.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <sqlite3.h>

#include "motcua-error.h"
#include "motcua-queue.h"

typedef struct {
  char *dir, *db, *key_path, *conf_path;
  char **envp;
  GPtrArray *secrets;           /* personal data of the sample dossiers */
  gint64 b_queued, b_supplement, b_draft, d_refused, d_signed, d_cancelled;
  char *b_queued_tx, *b_name;
} Fixture;

typedef struct {
  int status;                   /* exit code */
  char *out, *err;
} Run;

static void
run_clear (Run *r)
{
  g_free (r->out);
  g_free (r->err);
  memset (r, 0, sizeof *r);
}

/* ---- the queue -------------------------------------------------------------- */

static char *
write_key (const char *dir)
{
  char *path = g_build_filename (dir, "device.pem", NULL);
  EVP_PKEY *pkey = EVP_RSA_gen (2048);
  BIO *b = BIO_new_file (path, "w");
  assert_non_null (b);
  assert_int_equal (PEM_write_bio_PrivateKey (b, pkey, NULL, NULL, 0, NULL, NULL), 1);
  BIO_free (b);
  EVP_PKEY_free (pkey);
  return path;
}

/* Names and ID numbers anywhere in @node. */
static void
collect_secrets (JsonNode *node, const char *member, GPtrArray *out)
{
  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObject *o = json_node_get_object (node);
      g_autoptr(GList) names = json_object_get_members (o);
      for (GList *l = names; l; l = l->next)
        collect_secrets (json_object_get_member (o, l->data), l->data, out);
    }
  else if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING
           && member != NULL
           && (strstr (member, "HoTen") || strstr (member, "SoGiayTo")
               || g_strrstr (member, "inhDanh")))
    g_ptr_array_add (out, g_strdup (json_node_get_string (node)));
}

static MotcuaDossier *
sample_dossier (Fixture *f, const char *name)
{
  g_autofree char *path = g_build_filename (g_getenv ("MOTCUA_SOURCE_ROOT"), "tests", "refsvc",
                                            "samples", name, NULL);
  g_autoptr(JsonParser) p = json_parser_new ();
  assert_true (json_parser_load_from_file (p, path, NULL));
  collect_secrets (json_parser_get_root (p), NULL, f->secrets);
  JsonObject *file = json_object_new ();
  json_object_set_string_member (file, "format", "motcua-dossier/1");
  json_object_set_string_member (file, "procedure", g_str_has_prefix (name, "birth") ? "birth" : "death");
  json_object_set_member (file, "payload", json_node_copy (json_parser_get_root (p)));
  g_autoptr(JsonNode) root = json_node_init_object (json_node_alloc (), file);
  json_object_unref (file);
  g_autofree char *data = json_to_string (root, FALSE);
  g_autoptr(GError) error = NULL;
  MotcuaDossier *d = motcua_dossier_new_from_data (data, strlen (data), &error);
  assert_null (error);
  return d;
}

static gint64
add (Fixture *f, MotcuaQueue *q, const char *sample, MotcuaItemState until)
{
  g_autoptr(MotcuaDossier) d = sample_dossier (f, sample);
  g_autoptr(GError) error = NULL;
  gint64 id = 0;
  assert_true (motcua_queue_add_draft (q, d, "clerk-1", &id, &error));
  if (until == MOTCUA_ITEM_DRAFT)
    return id;
  g_autoptr(MotcuaQueueItem) item = motcua_queue_get_by_id (q, id, &error);
  g_autofree char *body = g_strdup_printf ("{\"transactionId\":\"%s\",\"procedure\":\"%s\","
                                           "\"payload\":\"e30=\",\"signature\":\"AA==\"}",
                                           item->transaction_id,
                                           motcua_procedure_name (item->procedure));
  g_autoptr(GBytes) b = g_bytes_new (body, strlen (body));
  assert_true (motcua_queue_set_signed (q, id, b, "clerk-1", &error));
  if (until == MOTCUA_ITEM_SIGNED)
    return id;
  assert_true (motcua_queue_release (q, id, "clerk-1", &error));
  assert_null (error);
  return id;
}

static void
accept (MotcuaQueue *q, gint64 id, const char *dossier_id)
{
  g_autoptr(GPtrArray) c = motcua_queue_claim (q, G_MAXINT64 / 2, 1, NULL);
  assert_int_equal (c->len, 1);
  assert_int_equal (((MotcuaQueueItem *) g_ptr_array_index (c, 0))->id, id);
  assert_true (motcua_queue_mark_accepted (q, id, dossier_id, NULL));
}

static void
system_status (MotcuaQueue *q, const char *dossier_id, const char *system, int code,
               const char *name, const char *reason, char **missing)
{
  MotcuaSystemStatus s = { .system = (char *) system, .status = code,
                           .status_name = (char *) name, .reason = (char *) reason,
                           .missing = missing, .updated_at = g_get_real_time () / G_USEC_PER_SEC };
  assert_true (motcua_queue_update_system (q, dossier_id, &s, NULL));
}

static void
raw_exec (Fixture *f, const char *sql)
{
  sqlite3 *db = NULL;
  assert_int_equal (sqlite3_open (f->db, &db), SQLITE_OK);
  int rc = sqlite3_exec (db, sql, NULL, NULL, NULL);
  sqlite3_close (db);
  assert_int_equal (rc, SQLITE_OK);
}

static int
setup (void **state)
{
  Fixture *f = g_new0 (Fixture, 1);
  f->dir = g_dir_make_tmp ("motcua-cli-queue-XXXXXX", NULL);
  f->db = g_build_filename (f->dir, "queue.db", NULL);
  f->key_path = write_key (f->dir);
  f->conf_path = g_build_filename (f->dir, "motcua.conf", NULL);
  f->secrets = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *conf = g_strdup_printf ("[motcua]\ndevice-key-file=%s\nqueue=%s\n"
                                           "actor=clerk-test\nretention-days=90\n",
                                           f->key_path, f->db);
  assert_true (g_file_set_contents (f->conf_path, conf, -1, NULL));

  /* The CLI sees only this configuration. */
  f->envp = g_get_environ ();
  g_auto(GStrv) names = g_listenv ();
  for (gsize i = 0; names[i]; i++)
    if (g_str_has_prefix (names[i], "MOTCUA_") && !g_str_equal (names[i], "MOTCUA_SOURCE_ROOT"))
      f->envp = g_environ_unsetenv (f->envp, names[i]);
  f->envp = g_environ_setenv (f->envp, "MOTCUA_CONF", f->conf_path, TRUE);
  f->envp = g_environ_setenv (f->envp, "XDG_CONFIG_HOME", f->dir, TRUE);
  f->envp = g_environ_setenv (f->envp, "XDG_DATA_HOME", f->dir, TRUE);

  g_autoptr(GError) error = NULL;
  g_autoptr(MotcuaDeviceKey) key = motcua_device_key_open_file (f->key_path, &error);
  assert_non_null (key);
  g_autoptr(MotcuaQueue) q = motcua_queue_open (f->db, key, &error);
  assert_non_null (q);
  /* Oldest first: the queued one is claimed first, fails once, is
   * skipped; the next two are accepted. */
  f->b_queued = add (f, q, "birth-valid.json", MOTCUA_ITEM_QUEUED);
  f->b_supplement = add (f, q, "birth-valid.json", MOTCUA_ITEM_QUEUED);
  f->d_refused = add (f, q, "death-valid.json", MOTCUA_ITEM_QUEUED);
  g_autoptr(GPtrArray) first = motcua_queue_claim (q, G_MAXINT64 / 2, 1, NULL);
  assert_int_equal (((MotcuaQueueItem *) first->pdata[0])->id, f->b_queued);
  assert_true (motcua_queue_mark_retry (q, f->b_queued, g_get_real_time () / G_USEC_PER_SEC,
                                        "network", "down", 3600, NULL));
  accept (q, f->b_supplement, "HS-B2");
  accept (q, f->d_refused, "HS-D1");
  f->b_draft = add (f, q, "birth-valid.json", MOTCUA_ITEM_DRAFT);
  f->d_signed = add (f, q, "death-valid.json", MOTCUA_ITEM_SIGNED);
  f->d_cancelled = add (f, q, "death-valid.json", MOTCUA_ITEM_SIGNED);
  assert_true (motcua_queue_cancel (q, f->d_cancelled, "clerk-1", NULL));
  system_status (q, "HS-B2", "hoTich", 10, "DA_TRA_KET_QUA", NULL, NULL);
  char *missing[] = { (char *) "/thuongTru/chuHoQuanHe", NULL };
  system_status (q, "HS-B2", "cuTru", 5, "YEU_CAU_BO_SUNG", "Thiếu quan hệ với chủ hộ", missing);
  system_status (q, "HS-D1", "hoTich", 3, "TU_CHOI", "Giấy báo tử không hợp lệ", NULL);

  g_autoptr(MotcuaQueueItem) bq = motcua_queue_get_by_id (q, f->b_queued, NULL);
  f->b_queued_tx = g_strdup (bq->transaction_id);
  f->b_name = motcua_queue_load_subject (q, f->b_queued, NULL);
  assert_string_equal (f->b_name, "Nguyễn Minh Khang");
  /* The CLI runs with the queue closed: nothing of ours is held open. */
  *state = f;
  return 0;
}

static int
teardown (void **state)
{
  Fixture *f = *state;
  const char *files[] = { "queue.db", "queue.db-wal", "queue.db-shm", "queue.db.lock",
                          "device.pem", "motcua.conf" };
  for (gsize i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autofree char *p = g_build_filename (f->dir, files[i], NULL);
      g_unlink (p);
    }
  g_rmdir (f->dir);
  g_free (f->dir);
  g_free (f->db);
  g_free (f->key_path);
  g_free (f->conf_path);
  g_free (f->b_queued_tx);
  g_free (f->b_name);
  g_strfreev (f->envp);
  g_ptr_array_unref (f->secrets);
  g_free (f);
  return 0;
}

/* ---- running the CLI ---------------------------------------------------------- */

static Run
cli (Fixture *f, ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_ptr_array_add (argv, (char *) MOTCUA_CLI_PATH);
  va_list ap;
  va_start (ap, f);
  for (const char *a; (a = va_arg (ap, const char *)) != NULL;)
    g_ptr_array_add (argv, (char *) a);
  va_end (ap);
  g_ptr_array_add (argv, NULL);
  Run r = { 0 };
  int wait_status = 0;
  g_autoptr(GError) error = NULL;
  assert_true (g_spawn_sync (NULL, (char **) argv->pdata, f->envp, G_SPAWN_DEFAULT, NULL, NULL,
                             &r.out, &r.err, &wait_status, &error));
  assert_true (WIFEXITED (wait_status));
  r.status = WEXITSTATUS (wait_status);
  return r;
}

static JsonNode *
parse (const char *text)
{
  g_autoptr(JsonParser) p = json_parser_new ();
  g_autoptr(GError) error = NULL;
  if (!json_parser_load_from_data (p, text, -1, &error))
    fail_msg ("not JSON (%s): %s", error->message, text);
  return json_node_copy (json_parser_get_root (p));
}

static void
assert_no_personal_data (Fixture *f, const char *text)
{
  assert_true (f->secrets->len >= 10);
  for (guint i = 0; i < f->secrets->len; i++)
    if (strstr (text, f->secrets->pdata[i]) != NULL)
      fail_msg ("personal data \"%s\" in output", (char *) f->secrets->pdata[i]);
}

static JsonObject *
find_item (JsonArray *a, gint64 id)
{
  for (guint i = 0; i < json_array_get_length (a); i++)
    if (json_object_get_int_member (json_array_get_object_element (a, i), "id") == id)
      return json_array_get_object_element (a, i);
  return NULL;
}

static MotcuaQueueItem *
reopen_get (Fixture *f, gint64 id)
{
  g_autoptr(MotcuaDeviceKey) key = motcua_device_key_open_file (f->key_path, NULL);
  g_autoptr(MotcuaQueue) q = motcua_queue_open (f->db, key, NULL);
  assert_non_null (q);
  return motcua_queue_get_by_id (q, id, NULL);
}

static char *
today_vn (int plus_days)
{
  g_autoptr(GTimeZone) tz = g_time_zone_new_offset (7 * 3600);
  g_autoptr(GDateTime) now = g_date_time_new_now (tz);
  g_autoptr(GDateTime) d = g_date_time_add_days (now, plus_days);
  return g_date_time_format (d, "%d/%m/%Y");
}

/* ---- tests -------------------------------------------------------------------- */

static void
test_list (void **state)
{
  Fixture *f = *state;
  Run r = cli (f, "queue", "list", "--json", NULL);
  assert_int_equal (r.status, 0);
  assert_no_personal_data (f, r.out);
  g_autoptr(JsonNode) all = parse (r.out);
  JsonArray *a = json_node_get_array (all);
  assert_int_equal (json_array_get_length (a), 6);
  JsonObject *bq = find_item (a, f->b_queued);
  assert_non_null (bq);
  assert_string_equal (json_object_get_string_member (bq, "state"), "queued");
  assert_int_equal (json_object_get_int_member (bq, "attempts"), 1);
  assert_string_equal (json_object_get_string_member (bq, "lastErrorCode"), "network");
  assert_false (json_object_has_member (bq, "subjectName"));
  run_clear (&r);

  r = cli (f, "queue", "list", "--procedure", "death", "--json", NULL);
  assert_int_equal (r.status, 0);
  g_autoptr(JsonNode) death = parse (r.out);
  assert_int_equal (json_array_get_length (json_node_get_array (death)), 3);
  run_clear (&r);
  r = cli (f, "queue", "list", "--state", "supplement", "--json", NULL);
  g_autoptr(JsonNode) sup = parse (r.out);
  assert_int_equal (json_array_get_length (json_node_get_array (sup)), 1);
  assert_non_null (find_item (json_node_get_array (sup), f->b_supplement));
  run_clear (&r);
  r = cli (f, "queue", "list", "--limit", "2", "--json", NULL);
  g_autoptr(JsonNode) two = parse (r.out);
  assert_int_equal (json_array_get_length (json_node_get_array (two)), 2);
  run_clear (&r);

  /* Stuck: the queued item has been in its state for three days. */
  raw_exec (f, "UPDATE items SET state_since = state_since - 3 * 86400 WHERE state = 3");
  r = cli (f, "queue", "list", "--stuck-days", "2", "--json", NULL);
  assert_int_equal (r.status, 0);
  g_autoptr(JsonNode) stuck = parse (r.out);
  assert_int_equal (json_array_get_length (json_node_get_array (stuck)), 1);
  assert_non_null (find_item (json_node_get_array (stuck), f->b_queued));
  run_clear (&r);

  /* The text table: header, Vietnamese state label, no names... */
  r = cli (f, "queue", "list", NULL);
  assert_int_equal (r.status, 0);
  assert_non_null (strstr (r.out, "Mã giao dịch"));
  assert_non_null (strstr (r.out, f->b_queued_tx));
  assert_non_null (strstr (r.out, motcua_item_state_label (MOTCUA_ITEM_QUEUED)));
  assert_non_null (strstr (r.out, "HS-D1"));
  assert_no_personal_data (f, r.out);
  run_clear (&r);
  /* ...unless asked for the counter screen. */
  r = cli (f, "queue", "list", "--names", NULL);
  assert_int_equal (r.status, 0);
  assert_non_null (strstr (r.out, f->b_name));
  run_clear (&r);
  r = cli (f, "queue", "list", "--names", "--json", NULL);
  g_autoptr(JsonNode) named = parse (r.out);
  assert_string_equal (json_object_get_string_member (find_item (json_node_get_array (named),
                                                                 f->b_queued), "subjectName"),
                       f->b_name);
  run_clear (&r);

  /* Usage errors. */
  r = cli (f, "queue", "list", "--state", "lost", NULL);
  assert_int_equal (r.status, 2);
  run_clear (&r);
  r = cli (f, "queue", "list", "--procedure", "marriage", NULL);
  assert_int_equal (r.status, 2);
  run_clear (&r);
  r = cli (f, "queue", "list", "extra", NULL);
  assert_int_equal (r.status, 2);
  run_clear (&r);
  r = cli (f, "queue", "frobnicate", NULL);
  assert_int_equal (r.status, 2);
  run_clear (&r);
}

static void
test_show (void **state)
{
  Fixture *f = *state;
  Run r = cli (f, "queue", "show", "HS-B2", "--json", NULL);
  assert_int_equal (r.status, 0);
  assert_no_personal_data (f, r.out);
  g_autoptr(JsonNode) n = parse (r.out);
  JsonObject *o = json_node_get_object (n);
  assert_int_equal (json_object_get_int_member (o, "id"), f->b_supplement);
  assert_string_equal (json_object_get_string_member (o, "state"), "supplement");
  JsonArray *systems = json_object_get_array_member (o, "systems");
  assert_int_equal (json_array_get_length (systems), 2);
  gboolean seen_cutru = FALSE;
  for (guint i = 0; i < 2; i++)
    {
      JsonObject *s = json_array_get_object_element (systems, i);
      if (!g_str_equal (json_object_get_string_member (s, "system"), "cuTru"))
        continue;
      seen_cutru = TRUE;
      assert_string_equal (json_object_get_string_member (s, "reason"), "Thiếu quan hệ với chủ hộ");
      JsonArray *m = json_object_get_array_member (s, "missing");
      assert_int_equal (json_array_get_length (m), 1);
      assert_string_equal (json_array_get_string_element (m, 0), "/thuongTru/chuHoQuanHe");
    }
  assert_true (seen_cutru);
  JsonArray *audit = json_object_get_array_member (o, "audit");
  assert_true (json_array_get_length (audit) >= 4);
  for (guint i = 0; i < json_array_get_length (audit); i++)
    assert_int_equal (json_object_get_int_member (json_array_get_object_element (audit, i), "item"),
                      f->b_supplement);
  run_clear (&r);

  /* Text, by transaction id. */
  r = cli (f, "queue", "show", f->b_queued_tx, NULL);
  assert_int_equal (r.status, 0);
  assert_non_null (strstr (r.out, f->b_queued_tx));
  assert_non_null (strstr (r.out, "network"));
  assert_no_personal_data (f, r.out);
  run_clear (&r);
  r = cli (f, "queue", "show", "HS-D1", NULL);
  assert_non_null (strstr (r.out, "Giấy báo tử không hợp lệ"));
  run_clear (&r);

  r = cli (f, "queue", "show", "999999", NULL);
  assert_int_equal (r.status, 15);
  assert_non_null (strstr (r.err, "queue.not_found"));
  run_clear (&r);
  r = cli (f, "queue", "show", "HS-NONE", "--json", NULL);
  assert_int_equal (r.status, 15);
  g_autoptr(JsonNode) e = parse (r.out);
  assert_string_equal (json_object_get_string_member (
                         json_object_get_object_member (json_node_get_object (e), "error"), "code"),
                       "queue.not_found");
  run_clear (&r);
  r = cli (f, "queue", "show", NULL);
  assert_int_equal (r.status, 2);
  run_clear (&r);
}

static void
test_retry_cancel (void **state)
{
  Fixture *f = *state;
  g_autoptr(MotcuaQueueItem) before = reopen_get (f, f->b_queued);
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  assert_true (before->next_attempt_at > now);   /* the one-hour Retry-After */

  g_autofree char *id = g_strdup_printf ("%" G_GINT64_FORMAT, f->b_queued);
  Run r = cli (f, "queue", "retry", id, NULL);
  assert_int_equal (r.status, 0);
  run_clear (&r);
  g_autoptr(MotcuaQueueItem) after = reopen_get (f, f->b_queued);
  assert_int_equal (after->state, MOTCUA_ITEM_QUEUED);
  assert_true (after->next_attempt_at <= g_get_real_time () / G_USEC_PER_SEC);
  assert_int_equal (after->attempts, 1);

  r = cli (f, "queue", "retry", "HS-B2", NULL);   /* at the service */
  assert_int_equal (r.status, 16);
  run_clear (&r);
  r = cli (f, "queue", "retry", "424242", NULL);
  assert_int_equal (r.status, 15);
  run_clear (&r);

  g_autofree char *draft = g_strdup_printf ("%" G_GINT64_FORMAT, f->b_draft);
  r = cli (f, "queue", "cancel", draft, "--json", NULL);
  assert_int_equal (r.status, 0);
  g_autoptr(JsonNode) n = parse (r.out);
  assert_string_equal (json_object_get_string_member (json_node_get_object (n), "state"), "cancelled");
  run_clear (&r);
  /* The actor comes from the configuration. */
  r = cli (f, "queue", "show", draft, "--json", NULL);
  g_autoptr(JsonNode) shown = parse (r.out);
  JsonArray *audit = json_object_get_array_member (json_node_get_object (shown), "audit");
  JsonObject *last = json_array_get_object_element (audit, json_array_get_length (audit) - 1);
  assert_string_equal (json_object_get_string_member (last, "actor"), "clerk-test");
  run_clear (&r);

  r = cli (f, "queue", "cancel", draft, NULL);    /* already cancelled */
  assert_int_equal (r.status, 16);
  run_clear (&r);
  r = cli (f, "queue", "cancel", "HS-D1", NULL);
  assert_int_equal (r.status, 16);
  run_clear (&r);
  r = cli (f, "queue", "cancel", "HS-NONE", NULL);
  assert_int_equal (r.status, 15);
  run_clear (&r);
  r = cli (f, "queue", "cancel", NULL);
  assert_int_equal (r.status, 2);
  run_clear (&r);
}

static void
test_export (void **state)
{
  Fixture *f = *state;
  Run r = cli (f, "queue", "export", NULL);
  assert_int_equal (r.status, 0);
  assert_no_personal_data (f, r.out);
  g_auto(GStrv) lines = g_strsplit (g_strchomp (r.out), "\n", -1);
  assert_int_equal (g_strv_length (lines), 6);
  gint64 prev = 0;
  for (gsize i = 0; lines[i]; i++)
    {
      g_autoptr(JsonNode) n = parse (lines[i]);
      gint64 id = json_object_get_int_member (json_node_get_object (n), "id");
      assert_true (id > prev);   /* oldest first */
      prev = id;
    }
  run_clear (&r);

  r = cli (f, "queue", "export", "--json", NULL);
  assert_int_equal (r.status, 0);
  assert_no_personal_data (f, r.out);
  g_autoptr(JsonNode) a = parse (r.out);
  assert_int_equal (json_array_get_length (json_node_get_array (a)), 6);
  assert_non_null (find_item (json_node_get_array (a), f->d_cancelled));
  run_clear (&r);
}

static void
test_audit_verify (void **state)
{
  Fixture *f = *state;
  guint entries = 0;
  {
    g_autoptr(MotcuaDeviceKey) key = motcua_device_key_open_file (f->key_path, NULL);
    g_autoptr(MotcuaQueue) q = motcua_queue_open (f->db, key, NULL);
    assert_true (motcua_queue_verify_audit (q, &entries, NULL));
  }
  assert_true (entries > 10);
  Run r = cli (f, "queue", "audit-verify", "--json", NULL);
  assert_int_equal (r.status, 0);
  g_autoptr(JsonNode) n = parse (r.out);
  assert_int_equal (json_object_get_int_member (json_node_get_object (n), "entries"), entries);
  run_clear (&r);
  r = cli (f, "queue", "audit-verify", NULL);
  assert_int_equal (r.status, 0);
  g_autofree char *count = g_strdup_printf (": %u\n", entries);
  assert_non_null (strstr (r.out, count));
  run_clear (&r);

  raw_exec (f, "DROP TRIGGER audit_no_update; UPDATE audit SET actor = 'someone' WHERE seq = 3");
  r = cli (f, "queue", "audit-verify", NULL);
  assert_int_equal (r.status, 14);
  assert_non_null (strstr (r.err, "audit"));
  run_clear (&r);
}

static void
test_purge (void **state)
{
  Fixture *f = *state;
  g_autofree char *sql = g_strdup_printf ("UPDATE items SET final_at = final_at - 10 * 86400 "
                                          "WHERE id = %" G_GINT64_FORMAT, f->d_cancelled);
  raw_exec (f, sql);
  Run r = cli (f, "queue", "purge", NULL);          /* retention-days = 90 */
  assert_int_equal (r.status, 0);
  assert_non_null (strstr (r.out, ": 0\n"));
  run_clear (&r);
  r = cli (f, "queue", "purge", "--days", "5", "--json", NULL);
  assert_int_equal (r.status, 0);
  g_autoptr(JsonNode) n = parse (r.out);
  assert_int_equal (json_object_get_int_member (json_node_get_object (n), "purged"), 1);
  run_clear (&r);
  g_autoptr(MotcuaQueueItem) it = reopen_get (f, f->d_cancelled);
  assert_true (it->purged);
  g_autoptr(MotcuaQueueItem) other = reopen_get (f, f->d_refused);
  assert_false (other->purged);   /* final, but only now */

  r = cli (f, "queue", "purge", "--days", "0", NULL);
  assert_int_equal (r.status, 2);
  run_clear (&r);
  r = cli (f, "queue", "purge", "--days", "many", NULL);
  assert_int_equal (r.status, 2);
  run_clear (&r);
}

static void
test_report (void **state)
{
  Fixture *f = *state;
  raw_exec (f, "UPDATE items SET state_since = state_since - 3 * 86400 WHERE state = 3");
  g_autofree char *today = today_vn (0), *yesterday = today_vn (-1), *tomorrow = today_vn (1);
  Run r = cli (f, "report", "--from", yesterday, "--to", today, "--stuck-days", "2", "--json", NULL);
  assert_int_equal (r.status, 0);
  assert_no_personal_data (f, r.out);
  g_autoptr(JsonNode) n = parse (r.out);
  JsonObject *o = json_node_get_object (n);
  JsonArray *groups = json_object_get_array_member (o, "groups");
  JsonObject *birth = json_array_get_object_element (groups, 0);
  JsonObject *death = json_array_get_object_element (groups, 1);
  assert_int_equal (json_object_get_int_member (birth, "total"), 3);
  assert_int_equal (json_object_get_int_member (death, "total"), 3);
  assert_int_equal (json_object_get_int_member (death, "cancelled"), 1);
  JsonObject *ht = json_array_get_object_element (json_object_get_array_member (birth, "systems"), 0);
  assert_int_equal (json_object_get_int_member (ht, "daTraKetQua"), 1);
  JsonArray *stuck = json_object_get_array_member (o, "stuck");
  assert_int_equal (json_array_get_length (stuck), 1);
  assert_int_equal (json_object_get_int_member (json_array_get_object_element (stuck, 0), "id"),
                    f->b_queued);
  JsonArray *refusals = json_object_get_array_member (o, "refusals");
  assert_int_equal (json_array_get_length (refusals), 1);
  assert_string_equal (json_object_get_string_member (json_array_get_object_element (refusals, 0),
                                                      "dossierId"), "HS-D1");
  run_clear (&r);

  /* A period after today holds nothing; the end day is included. */
  r = cli (f, "report", "--from", tomorrow, "--to", tomorrow, "--json", NULL);
  g_autoptr(JsonNode) empty = parse (r.out);
  JsonObject *eb = json_array_get_object_element (
    json_object_get_array_member (json_node_get_object (empty), "groups"), 0);
  assert_int_equal (json_object_get_int_member (eb, "total"), 0);
  run_clear (&r);

  r = cli (f, "report", "--from", today, "--to", today, "--csv", NULL);
  assert_int_equal (r.status, 0);
  assert_memory_equal (r.out, "\xEF\xBB\xBF", 3);
  assert_non_null (strstr (r.out, "Liên thông khai sinh,Hệ thống ĐKQLHTĐT dùng chung,3,"));
  assert_no_personal_data (f, r.out);
  run_clear (&r);

  r = cli (f, "report", "--from", today, "--to", today, "--stuck-days", "2", NULL);
  assert_int_equal (r.status, 0);
  assert_non_null (strstr (r.out, "Liên thông khai tử"));
  assert_non_null (strstr (r.out, "HS-D1"));
  assert_non_null (strstr (r.out, f->b_queued_tx));
  assert_no_personal_data (f, r.out);
  run_clear (&r);

  const char *bad[][6] = {
    { "report", "--from", "2026-11-01", NULL },
    { "report", "--from", "2026-11-31", "--to", "2026-12-01", NULL },
    { "report", "--from", "2026-12-01", "--to", "2026-11-01", NULL },
    { "report", "--from", "2026-11-01", "--to", "2026-11-30", "--csv" },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      r = i == 3 ? cli (f, bad[i][0], bad[i][1], bad[i][2], bad[i][3], bad[i][4], bad[i][5], "--json", NULL)
                 : cli (f, bad[i][0], bad[i][1], bad[i][2], bad[i][3], bad[i][4], bad[i][5], NULL);
      assert_int_equal (r.status, 2);
      run_clear (&r);
    }
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown (test_list, setup, teardown),
    cmocka_unit_test_setup_teardown (test_show, setup, teardown),
    cmocka_unit_test_setup_teardown (test_retry_cancel, setup, teardown),
    cmocka_unit_test_setup_teardown (test_export, setup, teardown),
    cmocka_unit_test_setup_teardown (test_audit_verify, setup, teardown),
    cmocka_unit_test_setup_teardown (test_purge, setup, teardown),
    cmocka_unit_test_setup_teardown (test_report, setup, teardown),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
