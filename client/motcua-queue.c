/* motcua-queue.c — the queue file: open, schema and migrations, resume,
 * close, state names, items as JSON, the feed cursor, retention */
#define _GNU_SOURCE             /* F_OFD_SETLK, F_OFD_GETLK */
#define G_LOG_DOMAIN "motcua-queue"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <openssl/rand.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "motcua-queue-private.h"

#define BUSY_TIMEOUT_MS 5000

/* Migration n takes the schema from version n to n + 1; never edit one
 * that has shipped, append a new one. */
static const char *const migrations[] = {
  /* 0 → 1 */
  "CREATE TABLE items ("
  "  id INTEGER PRIMARY KEY,"
  "  transaction_id TEXT NOT NULL UNIQUE,"
  "  procedure INTEGER NOT NULL,"
  "  state INTEGER NOT NULL,"
  "  unit TEXT, actor TEXT,"
  "  dossier_id TEXT UNIQUE,"
  "  created_at INTEGER NOT NULL,"
  "  state_since INTEGER NOT NULL,"
  "  final_at INTEGER NOT NULL DEFAULT 0,"
  "  attempts INTEGER NOT NULL DEFAULT 0,"
  "  next_attempt_at INTEGER NOT NULL DEFAULT 0,"
  "  last_error_code TEXT, last_error_message TEXT,"
  "  claimed_by INTEGER,"
  "  purged INTEGER NOT NULL DEFAULT 0,"
  "  dossier BLOB, subject BLOB, request BLOB);"    /* encrypted */
  "CREATE INDEX items_state ON items (state, next_attempt_at);"
  "CREATE INDEX items_created ON items (created_at);"
  "CREATE TABLE systems ("
  "  item_id INTEGER NOT NULL REFERENCES items (id) ON DELETE CASCADE,"
  "  system TEXT NOT NULL, status INTEGER NOT NULL, status_name TEXT,"
  "  reason TEXT, missing TEXT, updated_at INTEGER NOT NULL,"
  "  PRIMARY KEY (item_id, system));"
  "CREATE TABLE audit ("
  "  seq INTEGER PRIMARY KEY, at INTEGER NOT NULL, item_id INTEGER NOT NULL,"
  "  actor TEXT NOT NULL, action TEXT NOT NULL, detail TEXT NOT NULL,"
  "  hash BLOB NOT NULL);"
  "CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit"
  "  BEGIN SELECT RAISE (ABORT, 'audit log is append-only'); END;"
  "CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit"
  "  BEGIN SELECT RAISE (ABORT, 'audit log is append-only'); END;",
};

#define SCHEMA_VERSION ((gint64) G_N_ELEMENTS (migrations))

gint64
motcua_queue_now (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

void
motcua_queue_sql_error (MotcuaQueue *q, GError **error, const char *what)
{
  motcua_error_set (error, MOTCUA_ERROR_QUEUE_IO, "%s: %s", what,
                    q->db != NULL ? sqlite3_errmsg (q->db) : "no database");
}

gboolean
motcua_queue_exec (MotcuaQueue *q, const char *sql, GError **error)
{
  if (sqlite3_exec (q->db, sql, NULL, NULL, NULL) != SQLITE_OK)
    {
      motcua_queue_sql_error (q, error, "exec");
      return FALSE;
    }
  return TRUE;
}

gboolean
motcua_queue_begin (MotcuaQueue *q, GError **error)
{
  return motcua_queue_exec (q, "BEGIN IMMEDIATE", error);
}

gboolean
motcua_queue_commit (MotcuaQueue *q, GError **error)
{
  if (motcua_queue_exec (q, "COMMIT", error))
    return TRUE;
  motcua_queue_rollback (q);
  return FALSE;
}

void
motcua_queue_rollback (MotcuaQueue *q)
{
  if (!sqlite3_get_autocommit (q->db))
    sqlite3_exec (q->db, "ROLLBACK", NULL, NULL, NULL);
}

sqlite3_stmt *
motcua_queue_prepare (MotcuaQueue *q, const char *sql, GError **error)
{
  sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v2 (q->db, sql, -1, &st, NULL) != SQLITE_OK)
    {
      motcua_queue_sql_error (q, error, "prepare");
      return NULL;
    }
  return st;
}

static gboolean
meta_get_int (MotcuaQueue *q, const char *key, gint64 *out, GError **error)
{
  sqlite3_stmt *st = motcua_queue_prepare (q, "SELECT value FROM meta WHERE key = ?", error);
  if (st == NULL)
    return FALSE;
  sqlite3_bind_text (st, 1, key, -1, SQLITE_STATIC);
  int rc = sqlite3_step (st);
  *out = rc == SQLITE_ROW ? sqlite3_column_int64 (st, 0) : 0;
  sqlite3_finalize (st);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      motcua_queue_sql_error (q, error, "meta");
      return FALSE;
    }
  return TRUE;
}

static gboolean
migrate (MotcuaQueue *q, GError **error)
{
  if (!motcua_queue_exec (q, "CREATE TABLE IF NOT EXISTS meta "
                          "(key TEXT PRIMARY KEY, value)", error))
    return FALSE;
  gint64 version = 0;
  if (!meta_get_int (q, "schema_version", &version, error))
    return FALSE;
  if (version > SCHEMA_VERSION)
    {
      motcua_error_set (error, MOTCUA_ERROR_QUEUE_OPEN,
                        "schema version %" G_GINT64_FORMAT " is newer than this program's %"
                        G_GINT64_FORMAT, version, SCHEMA_VERSION);
      return FALSE;
    }
  for (; version < SCHEMA_VERSION; version++)
    if (!motcua_queue_exec (q, migrations[version], error))
      return FALSE;
  g_autofree char *sql = g_strdup_printf ("INSERT OR REPLACE INTO meta VALUES "
                                          "('schema_version', %" G_GINT64_FORMAT ")",
                                          SCHEMA_VERSION);
  return motcua_queue_exec (q, sql, error);
}

/* The claim lock: each connection holds an OFD write lock on one byte of
 * path.lock (its owner id); an item SENDING under an owner whose byte is
 * free was left by a connection that is gone (crash, kill, close). */
static gboolean
owner_alive (MotcuaQueue *q, gint64 owner)
{
#ifdef F_OFD_GETLK
  if (q->lock_fd < 0)
    return FALSE;
  struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = owner, .l_len = 1 };
  if (fcntl (q->lock_fd, F_OFD_GETLK, &fl) != 0)
    return FALSE;
  return fl.l_type != F_UNLCK;
#else
  (void) q; (void) owner;
  return FALSE;
#endif
}

static void
take_owner_lock (MotcuaQueue *q)
{
  g_autofree char *lock_path = g_strconcat (q->path, ".lock", NULL);
  q->lock_fd = g_open (lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  for (int tries = 0; tries < 8; tries++)
    {
      /* RAND_bytes, not g_random: a forked child must not draw its
       * parent's next id. */
      guint64 r = 0;
      if (RAND_bytes ((unsigned char *) &r, sizeof r) != 1)
        r = (guint64) g_get_monotonic_time () ^ ((guint64) getpid () << 40);
      q->owner = (gint64) (r & G_GINT64_CONSTANT (0x3fffffffffffffff));
      if (q->owner == 0)
        continue;
#ifdef F_OFD_SETLK
      if (q->lock_fd < 0)
        return;
      struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = q->owner, .l_len = 1 };
      if (fcntl (q->lock_fd, F_OFD_SETLK, &fl) == 0)
        return;
#else
      return;
#endif
    }
}

/* SENDING items whose claimer is gone go back to QUEUED, due now. */
static gboolean
resume (MotcuaQueue *q, gboolean only_mine, GError **error)
{
  sqlite3_stmt *st = motcua_queue_prepare (q, "SELECT id, claimed_by FROM items WHERE state = ?",
                                           error);
  if (st == NULL)
    return FALSE;
  sqlite3_bind_int (st, 1, MOTCUA_ITEM_SENDING);
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  int rc;
  while ((rc = sqlite3_step (st)) == SQLITE_ROW)
    {
      gint64 id = sqlite3_column_int64 (st, 0), owner = sqlite3_column_int64 (st, 1);
      gboolean gone = only_mine ? owner == q->owner
                                : owner == 0 || (owner != q->owner && !owner_alive (q, owner));
      if (gone)
        g_array_append_val (ids, id);
    }
  sqlite3_finalize (st);
  if (rc != SQLITE_DONE)
    {
      motcua_queue_sql_error (q, error, "resume");
      return FALSE;
    }
  gint64 now = motcua_queue_now ();
  for (guint i = 0; i < ids->len; i++)
    {
      gint64 id = g_array_index (ids, gint64, i);
      if (!motcua_queue_set_state (q, id, MOTCUA_ITEM_QUEUED, now, error))
        return FALSE;
      g_autofree char *sql = g_strdup_printf ("UPDATE items SET claimed_by = NULL, "
                                              "next_attempt_at = %" G_GINT64_FORMAT
                                              " WHERE id = %" G_GINT64_FORMAT, now, id);
      if (!motcua_queue_exec (q, sql, error)
          || !motcua_queue_audit_append (q, id, "system", "resume",
                                         "sending → queued (interrupted send)", now, error))
        return FALSE;
    }
  return TRUE;
}

/* Creates the file with mode 0600 before SQLite writes anything; SQLite
 * gives the -wal and -shm files the database file's mode. */
static gboolean
create_private (const char *path, GError **error)
{
  int fd = g_open (path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      int e = errno;
      motcua_error_set (error, MOTCUA_ERROR_QUEUE_OPEN, "%s: %s", path, g_strerror (e));
      return FALSE;
    }
  struct stat sb;
  if (fstat (fd, &sb) == 0 && sb.st_size == 0)
    (void) fchmod (fd, 0600);
  close (fd);
  return TRUE;
}

MotcuaQueue *
motcua_queue_open (const char *path, MotcuaDeviceKey *key, GError **error)
{
  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (key != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  g_autofree char *dir = g_path_get_dirname (path);
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int e = errno;
      motcua_error_set (error, MOTCUA_ERROR_QUEUE_OPEN, "%s: %s", dir, g_strerror (e));
      return NULL;
    }
  if (!create_private (path, error))
    return NULL;

  g_autoptr(MotcuaQueue) q = g_new0 (MotcuaQueue, 1);
  q->path = g_strdup (path);
  q->lock_fd = -1;
  if (sqlite3_open_v2 (path, &q->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_FULLMUTEX, NULL)
      != SQLITE_OK)
    {
      motcua_error_set (error, MOTCUA_ERROR_QUEUE_OPEN, "%s",
                        q->db ? sqlite3_errmsg (q->db) : "out of memory");
      return NULL;
    }
  sqlite3_extended_result_codes (q->db, 1);
  sqlite3_busy_timeout (q->db, BUSY_TIMEOUT_MS);
  g_autoptr(GError) local = NULL;
  if (!motcua_queue_exec (q, "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;"
                          "PRAGMA foreign_keys = ON; PRAGMA secure_delete = ON;", &local))
    {
      motcua_error_set (error, MOTCUA_ERROR_QUEUE_OPEN, "%s", local->message);
      return NULL;
    }
  take_owner_lock (q);

  if (!motcua_queue_begin (q, &local) || !migrate (q, &local))
    {
      motcua_queue_rollback (q);
      motcua_error_set (error, MOTCUA_ERROR_QUEUE_OPEN, "%s",
                        local ? local->message : "schema");
      return NULL;
    }
  if (!motcua_queue_crypt_init (q, key, error) || !resume (q, FALSE, error))
    {
      motcua_queue_rollback (q);
      return NULL;
    }
  if (!motcua_queue_commit (q, error))
    return NULL;
  return g_steal_pointer (&q);
}

void
motcua_queue_close (MotcuaQueue *q)
{
  if (q == NULL)
    return;
  if (q->db != NULL)
    {
      /* Our own claims go back now rather than at the next open. */
      if (q->key != NULL && motcua_queue_begin (q, NULL))
        {
          if (resume (q, TRUE, NULL))
            motcua_queue_commit (q, NULL);
          else
            motcua_queue_rollback (q);
        }
      sqlite3_close_v2 (q->db);
    }
  if (q->lock_fd >= 0)
    close (q->lock_fd);
  motcua_queue_crypt_clear (q);
  g_free (q->path);
  g_free (q);
}

const char *
motcua_queue_get_path (MotcuaQueue *q)
{
  g_return_val_if_fail (q != NULL, NULL);
  return q->path;
}

char *
motcua_queue_get_cursor (MotcuaQueue *q, GError **error)
{
  g_return_val_if_fail (q != NULL, NULL);
  sqlite3_stmt *st = motcua_queue_prepare (q, "SELECT value FROM meta WHERE key = 'cursor'",
                                           error);
  if (st == NULL)
    return NULL;
  int rc = sqlite3_step (st);
  char *out = g_strdup (rc == SQLITE_ROW && sqlite3_column_text (st, 0)
                        ? (const char *) sqlite3_column_text (st, 0) : "");
  sqlite3_finalize (st);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      g_free (out);
      motcua_queue_sql_error (q, error, "cursor");
      return NULL;
    }
  return out;
}

gboolean
motcua_queue_set_cursor (MotcuaQueue *q, const char *cursor, GError **error)
{
  g_return_val_if_fail (q != NULL, FALSE);
  g_return_val_if_fail (cursor != NULL, FALSE);
  sqlite3_stmt *st = motcua_queue_prepare (q, "INSERT OR REPLACE INTO meta VALUES ('cursor', ?)",
                                           error);
  if (st == NULL)
    return FALSE;
  sqlite3_bind_text (st, 1, cursor, -1, SQLITE_TRANSIENT);
  int rc = sqlite3_step (st);
  sqlite3_finalize (st);
  if (rc != SQLITE_DONE)
    {
      motcua_queue_sql_error (q, error, "cursor");
      return FALSE;
    }
  return TRUE;
}

gboolean
motcua_queue_purge (MotcuaQueue *q, gint64 now, guint days, guint *purged, GError **error)
{
  g_return_val_if_fail (q != NULL, FALSE);
  if (purged)
    *purged = 0;
  if (!motcua_queue_begin (q, error))
    return FALSE;
  sqlite3_stmt *st = motcua_queue_prepare (q, "SELECT id FROM items WHERE purged = 0 "
                                           "AND final_at > 0 AND final_at <= ?", error);
  if (st == NULL)
    {
      motcua_queue_rollback (q);
      return FALSE;
    }
  sqlite3_bind_int64 (st, 1, now - (gint64) days * 86400);
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  while (sqlite3_step (st) == SQLITE_ROW)
    {
      gint64 id = sqlite3_column_int64 (st, 0);
      g_array_append_val (ids, id);
    }
  sqlite3_finalize (st);
  for (guint i = 0; i < ids->len; i++)
    {
      gint64 id = g_array_index (ids, gint64, i);
      g_autofree char *sql = g_strdup_printf ("UPDATE items SET dossier = NULL, subject = NULL, "
                                              "request = NULL, purged = 1 WHERE id = %"
                                              G_GINT64_FORMAT, id);
      g_autofree char *detail = g_strdup_printf ("retention %u days", days);
      /* secure_delete overwrites the freed cells: no VACUUM needed. */
      if (!motcua_queue_exec (q, sql, error)
          || !motcua_queue_audit_append (q, id, "system", "purge", detail, now, error))
        {
          motcua_queue_rollback (q);
          return FALSE;
        }
    }
  if (!motcua_queue_commit (q, error))
    return FALSE;
  if (purged)
    *purged = ids->len;
  return TRUE;
}

/* ---- names ---- */

static const struct { const char *name; const char *label; } states[] = {
  [MOTCUA_ITEM_DRAFT] = { "draft", N_("Đang soạn (draft)") },
  [MOTCUA_ITEM_SIGNED] = { "signed", N_("Đã ký, chưa đưa vào hàng đợi (signed)") },
  [MOTCUA_ITEM_QUEUED] = { "queued", N_("Đang chờ gửi (queued)") },
  [MOTCUA_ITEM_SENDING] = { "sending", N_("Đang gửi (sending)") },
  [MOTCUA_ITEM_ACCEPTED] = { "accepted", N_("Đã gửi, hệ thống liên thông đã nhận (accepted)") },
  [MOTCUA_ITEM_PROCESSING] = { "processing", N_("Đang xử lý (processing)") },
  [MOTCUA_ITEM_DONE] = { "done", N_("Đã trả kết quả (done)") },
  [MOTCUA_ITEM_REFUSED] = { "refused", N_("Bị từ chối tiếp nhận (refused)") },
  [MOTCUA_ITEM_SUPPLEMENT] = { "supplement", N_("Yêu cầu bổ sung (supplement requested)") },
  [MOTCUA_ITEM_REJECTED] = { "rejected", N_("Yêu cầu gửi bị từ chối (rejected by the service)") },
  [MOTCUA_ITEM_CANCELLED] = { "cancelled", N_("Đã huỷ (cancelled)") },
};

const char *
motcua_item_state_name (MotcuaItemState s)
{
  if (s < MOTCUA_ITEM_DRAFT || s > MOTCUA_ITEM_CANCELLED)
    return "unknown";
  return states[s].name;
}

MotcuaItemState
motcua_item_state_from_name (const char *name)
{
  for (int s = MOTCUA_ITEM_DRAFT; name != NULL && s <= MOTCUA_ITEM_CANCELLED; s++)
    if (g_ascii_strcasecmp (states[s].name, name) == 0)
      return s;
  return 0;
}

const char *
motcua_item_state_label (MotcuaItemState s)
{
  if (s < MOTCUA_ITEM_DRAFT || s > MOTCUA_ITEM_CANCELLED)
    return _("Không rõ (unknown)");
  return g_dgettext (GETTEXT_PACKAGE, states[s].label);
}

gboolean
motcua_item_state_is_final (MotcuaItemState s)
{
  return s == MOTCUA_ITEM_DONE || s == MOTCUA_ITEM_REFUSED || s == MOTCUA_ITEM_REJECTED
         || s == MOTCUA_ITEM_CANCELLED;
}

static void
system_status_free (MotcuaSystemStatus *s)
{
  g_free (s->system);
  g_free (s->status_name);
  g_free (s->reason);
  g_strfreev (s->missing);
  g_free (s);
}

void
motcua_queue_item_free (MotcuaQueueItem *item)
{
  if (item == NULL)
    return;
  g_free (item->transaction_id);
  g_free (item->unit);
  g_free (item->actor);
  g_free (item->dossier_id);
  g_free (item->last_error_code);
  g_free (item->last_error_message);
  if (item->systems)
    g_ptr_array_unref (item->systems);
  g_free (item);
}

GPtrArray *
motcua_queue_systems_new (void)
{
  return g_ptr_array_new_with_free_func ((GDestroyNotify) system_status_free);
}

static void
add_time (JsonBuilder *b, const char *name, gint64 t)
{
  json_builder_set_member_name (b, name);
  if (t <= 0)
    {
      json_builder_add_null_value (b);
      return;
    }
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc (t);
  g_autofree char *s = dt ? g_date_time_format_iso8601 (dt) : NULL;
  if (s)
    json_builder_add_string_value (b, s);
  else
    json_builder_add_null_value (b);
}

static void
add_string (JsonBuilder *b, const char *name, const char *value)
{
  json_builder_set_member_name (b, name);
  if (value)
    json_builder_add_string_value (b, value);
  else
    json_builder_add_null_value (b);
}

JsonNode *
motcua_queue_item_to_json (const MotcuaQueueItem *item)
{
  g_return_val_if_fail (item != NULL, NULL);
  g_autoptr(JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "id");
  json_builder_add_int_value (b, item->id);
  add_string (b, "transactionId", item->transaction_id);
  add_string (b, "procedure", motcua_procedure_name (item->procedure));
  add_string (b, "state", motcua_item_state_name (item->state));
  add_string (b, "stateLabel", motcua_item_state_label (item->state));
  add_string (b, "unit", item->unit);
  add_string (b, "actor", item->actor);
  add_string (b, "dossierId", item->dossier_id);
  add_time (b, "createdAt", item->created_at);
  add_time (b, "stateSince", item->state_since);
  add_time (b, "finalAt", item->final_at);
  json_builder_set_member_name (b, "attempts");
  json_builder_add_int_value (b, item->attempts);
  add_time (b, "nextAttemptAt", item->state == MOTCUA_ITEM_QUEUED ? item->next_attempt_at : 0);
  add_string (b, "lastErrorCode", item->last_error_code);
  add_string (b, "lastErrorMessage", item->last_error_message);
  json_builder_set_member_name (b, "purged");
  json_builder_add_boolean_value (b, item->purged);
  json_builder_set_member_name (b, "systems");
  json_builder_begin_array (b);
  for (guint i = 0; item->systems && i < item->systems->len; i++)
    {
      const MotcuaSystemStatus *s = g_ptr_array_index (item->systems, i);
      json_builder_begin_object (b);
      add_string (b, "system", s->system);
      json_builder_set_member_name (b, "statusCode");
      json_builder_add_int_value (b, s->status);
      add_string (b, "status", s->status_name);
      add_string (b, "reason", s->reason);
      json_builder_set_member_name (b, "missing");
      json_builder_begin_array (b);
      for (guint k = 0; s->missing && s->missing[k]; k++)
        json_builder_add_string_value (b, s->missing[k]);
      json_builder_end_array (b);
      add_time (b, "updatedAt", s->updated_at);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}
