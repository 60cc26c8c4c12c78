/* refsvc-store.c — SQLite storage: connection, schema, statement cache, admin
 *
 * One connection, guarded by st->lock; every public call is one
 * BEGIN IMMEDIATE .. COMMIT, so each call is atomic and concurrent
 * submits of one transaction id serialise on the lock (the first stores,
 * the others see its row).  WAL + synchronous=NORMAL: a committed call
 * survives a crash of the service (not necessarily of the machine), which
 * is what the tests and the accept-then-drop fault need.
 *
 * Schema versions live in PRAGMA user_version; migrations[] holds one
 * script per version (index 0 brings an empty file to version 1). */
#include "refsvc-store-private.h"

#include <string.h>

G_DEFINE_QUARK (refsvc-store-error-quark, refsvc_store_error)

/* Times are unix seconds (INTEGER); JSON columns are compact JSON text. */
static const char *const migrations[] = {
  "CREATE TABLE dossiers ("
  "  dossier_id     TEXT PRIMARY KEY,"
  "  procedure      TEXT NOT NULL CHECK (procedure IN ('birth','death')),"
  "  unit           TEXT NOT NULL,"
  "  device_id      TEXT NOT NULL,"
  "  transaction_id TEXT NOT NULL UNIQUE,"
  "  received_at    INTEGER NOT NULL,"
  "  updated_at     INTEGER NOT NULL,"
  "  payload        BLOB NOT NULL,"
  "  payload_sha256 TEXT NOT NULL,"
  "  signature      BLOB NOT NULL,"
  "  signer         TEXT NOT NULL,"
  "  presence       TEXT NOT NULL CHECK (presence IN ('verified','absent')),"
  "  needs_new_head INTEGER NOT NULL DEFAULT 0,"
  "  round          INTEGER NOT NULL DEFAULT 0);"
  "CREATE INDEX dossiers_unit ON dossiers (unit, received_at);"
  "CREATE TABLE transactions ("
  "  transaction_id TEXT PRIMARY KEY,"
  "  request_sha256 BLOB NOT NULL,"
  "  http_status    INTEGER NOT NULL,"
  "  answer         TEXT NOT NULL,"
  "  dossier_id     TEXT NOT NULL REFERENCES dossiers (dossier_id),"
  "  kind           TEXT NOT NULL CHECK (kind IN ('submit','supplement')),"
  "  unit           TEXT NOT NULL,"
  "  created_at     INTEGER NOT NULL);"
  "CREATE TABLE systems ("
  "  dossier_id TEXT NOT NULL REFERENCES dossiers (dossier_id),"
  "  system     TEXT NOT NULL,"
  "  ord        INTEGER NOT NULL,"
  "  status     INTEGER NOT NULL,"
  "  updated_at INTEGER NOT NULL,"
  "  due_at     INTEGER,"
  "  reason     TEXT,"
  "  missing    TEXT,"
  "  round      INTEGER NOT NULL DEFAULT 0,"
  "  PRIMARY KEY (dossier_id, system));"
  "CREATE INDEX systems_due ON systems (due_at, dossier_id, ord) WHERE due_at IS NOT NULL;"
  /* unit is copied from the dossier so the changes feed is one index range */
  "CREATE TABLE events ("
  "  seq        INTEGER PRIMARY KEY AUTOINCREMENT,"
  "  dossier_id TEXT NOT NULL REFERENCES dossiers (dossier_id),"
  "  unit       TEXT NOT NULL,"
  "  system     TEXT NOT NULL,"
  "  status     INTEGER NOT NULL,"
  "  at         INTEGER NOT NULL,"
  "  reason     TEXT,"
  "  missing    TEXT);"
  "CREATE INDEX events_unit ON events (unit, seq);"
  "CREATE INDEX events_dossier ON events (dossier_id, seq);"
  "CREATE TABLE documents ("
  "  kind        INTEGER NOT NULL,"
  "  code        TEXT NOT NULL,"
  "  sha256      BLOB NOT NULL,"
  "  xml         BLOB NOT NULL,"
  "  ma_gd       TEXT NOT NULL UNIQUE,"
  "  received_at INTEGER NOT NULL,"
  "  facility    TEXT,"
  "  signer      TEXT NOT NULL,"
  "  fields      TEXT NOT NULL,"
  "  device_id   TEXT NOT NULL,"
  "  issues      INTEGER NOT NULL DEFAULT 1,"
  "  PRIMARY KEY (kind, code));"
  /* dossier number sequences, per id prefix (LTKS/LTKT), unit and day */
  "CREATE TABLE counters ("
  "  prefix TEXT NOT NULL,"
  "  unit   TEXT NOT NULL,"
  "  day    TEXT NOT NULL,"
  "  last   INTEGER NOT NULL,"
  "  PRIMARY KEY (prefix, unit, day));",
};

static gboolean
exec_sql (sqlite3 *db, const char *sql, GError **error)
{
  char *msg = NULL;
  if (sqlite3_exec (db, sql, NULL, NULL, &msg) == SQLITE_OK)
    return TRUE;
  g_set_error (error, REFSVC_STORE_ERROR_DOMAIN, 1, "SQLite: %s (%s)",
               msg ? msg : sqlite3_errmsg (db), sql);
  sqlite3_free (msg);
  return FALSE;
}

static int
pragma_int (sqlite3 *db, const char *sql)
{
  sqlite3_stmt *s = NULL;
  int v = -1;
  if (sqlite3_prepare_v2 (db, sql, -1, &s, NULL) == SQLITE_OK && sqlite3_step (s) == SQLITE_ROW)
    v = sqlite3_column_int (s, 0);
  sqlite3_finalize (s);
  return v;
}

static gboolean
migrate (sqlite3 *db, GError **error)
{
  const int latest = (int) G_N_ELEMENTS (migrations);
  if (!exec_sql (db, "BEGIN IMMEDIATE", error))
    return FALSE;
  int version = pragma_int (db, "PRAGMA user_version");
  if (version < 0 || version > latest) {
    g_set_error (error, REFSVC_STORE_ERROR_DOMAIN, 2,
                 "store schema version %d unknown (this build knows up to %d)", version, latest);
    exec_sql (db, "ROLLBACK", NULL);
    return FALSE;
  }
  for (int v = version; v < latest; v++) {
    char *bump = g_strdup_printf ("PRAGMA user_version = %d", v + 1);
    gboolean ok = exec_sql (db, migrations[v], error) && exec_sql (db, bump, error);
    g_free (bump);
    if (!ok) {
      exec_sql (db, "ROLLBACK", NULL);
      return FALSE;
    }
  }
  return exec_sql (db, "COMMIT", error);
}

static void
finalize_stmt (gpointer p)
{
  sqlite3_finalize (p);
}

refsvc_store *
refsvc_store_open (const char *path, GError **error)
{
  sqlite3 *db = NULL;
  int rc = sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE
                            | SQLITE_OPEN_NOMUTEX, NULL);
  if (rc != SQLITE_OK) {
    g_set_error (error, REFSVC_STORE_ERROR_DOMAIN, 1, "cannot open %s: %s", path,
                 db ? sqlite3_errmsg (db) : sqlite3_errstr (rc));
    sqlite3_close (db);
    return NULL;
  }
  sqlite3_busy_timeout (db, 5000);
  sqlite3_extended_result_codes (db, 1);
  if (!exec_sql (db, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;"
                 "PRAGMA foreign_keys = ON;", error)
      || !migrate (db, error)) {
    sqlite3_close (db);
    return NULL;
  }
  refsvc_store *st = g_new0 (refsvc_store, 1);
  g_mutex_init (&st->lock);
  st->db = db;
  st->stmts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, finalize_stmt);
  return st;
}

void
refsvc_store_close (refsvc_store *st)
{
  if (!st)
    return;
  g_hash_table_destroy (st->stmts);   /* finalises every statement */
  sqlite3_close (st->db);
  g_mutex_clear (&st->lock);
  g_free (st);
}

/* ---- helpers for the store's files (lock held) ---- */

sqlite3_stmt *
store_stmt (refsvc_store *st, const char *sql)
{
  sqlite3_stmt *s = g_hash_table_lookup (st->stmts, sql);
  if (s) {
    sqlite3_reset (s);
    sqlite3_clear_bindings (s);
    return s;
  }
  if (sqlite3_prepare_v3 (st->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s, NULL) != SQLITE_OK) {
    g_warning ("refsvc-store: cannot prepare (%s): %s", sqlite3_errmsg (st->db), sql);
    return NULL;
  }
  g_hash_table_insert (st->stmts, g_strdup (sql), s);
  return s;
}

gboolean
store_step_done (refsvc_store *st, sqlite3_stmt *s)
{
  if (!s)
    return FALSE;
  int rc = sqlite3_step (s);
  sqlite3_reset (s);
  if (rc == SQLITE_DONE)
    return TRUE;
  g_warning ("refsvc-store: %s (%s)", sqlite3_errmsg (st->db), sqlite3_sql (s));
  return FALSE;
}

gboolean
store_begin (refsvc_store *st)
{
  g_mutex_lock (&st->lock);
  if (exec_sql (st->db, "BEGIN IMMEDIATE", NULL))
    return TRUE;
  g_warning ("refsvc-store: BEGIN failed: %s", sqlite3_errmsg (st->db));
  g_mutex_unlock (&st->lock);
  return FALSE;
}

gboolean
store_end (refsvc_store *st, gboolean ok)
{
  /* Statements left mid-result would keep the read snapshot open. */
  for (sqlite3_stmt *s = sqlite3_next_stmt (st->db, NULL); s; s = sqlite3_next_stmt (st->db, s))
    sqlite3_reset (s);
  if (ok && !exec_sql (st->db, "COMMIT", NULL)) {
    g_warning ("refsvc-store: COMMIT failed: %s", sqlite3_errmsg (st->db));
    ok = FALSE;
  }
  if (!ok && sqlite3_get_autocommit (st->db) == 0)
    exec_sql (st->db, "ROLLBACK", NULL);
  g_mutex_unlock (&st->lock);
  return ok;
}

char *
store_col_text (sqlite3_stmt *s, int col)
{
  const unsigned char *t = sqlite3_column_text (s, col);
  return t ? g_strdup ((const char *) t) : NULL;
}

refsvc_procedure
store_procedure_parse (const char *name)
{
  return g_strcmp0 (name, "death") == 0 ? REFSVC_DEATH : REFSVC_BIRTH;
}

char *
store_sha256_hex (const guint8 *data, gsize len)
{
  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, data ? data : (const guint8 *) "", len);
}

JsonNode *
store_signer_json (const refsvc_signer *sg)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  refsvc_json_add_string (b, "subject", sg->subject);
  refsvc_json_add_string (b, "issuer", sg->issuer);
  refsvc_json_add_string (b, "serial", sg->serial);
  refsvc_json_add_string (b, "keyType", sg->key_type);
  if (sg->signing_time != 0) {
    g_autofree char *t = refsvc_iso8601 (sg->signing_time);
    refsvc_json_add_string (b, "signingTime", t);
  }
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

JsonNode *
store_parse_json (const char *text)
{
  if (!text)
    return NULL;
  return json_from_string (text, NULL);
}

char *
store_vn_time (gint64 t, const char *format)
{
  g_autoptr (GDateTime) utc = g_date_time_new_from_unix_utc (t);
  if (!utc)
    return g_strdup ("");
  g_autoptr (GDateTime) local = g_date_time_to_timezone (utc, refsvc_vn_timezone ());
  return local ? g_date_time_format (local, format) : g_strdup ("");
}

char *
refsvc_iso8601 (gint64 unix_seconds)
{
  g_autoptr (GDateTime) dt = g_date_time_new_from_unix_utc (unix_seconds);
  if (!dt)   /* outside years 1..9999 */
    return g_strdup (unix_seconds < 0 ? "0001-01-01T00:00:00Z" : "9999-12-31T23:59:59Z");
  return g_date_time_format (dt, "%Y-%m-%dT%H:%M:%SZ");
}

/* ---- admin ---- */

static gint64
count_rows (refsvc_store *st, const char *sql)
{
  sqlite3_stmt *s = store_stmt (st, sql);
  gint64 n = (s && sqlite3_step (s) == SQLITE_ROW) ? sqlite3_column_int64 (s, 0) : -1;
  if (s)
    sqlite3_reset (s);
  return n;
}

JsonNode *
refsvc_store_admin_counts (refsvc_store *st)
{
  static const struct { const char *name, *sql; } counts[] = {
    { "dossiers", "SELECT count(*) FROM dossiers" },
    { "documents", "SELECT count(*) FROM documents" },
    { "events", "SELECT count(*) FROM events" },
    { "transactions", "SELECT count(*) FROM transactions" },
    { "supplements", "SELECT count(*) FROM transactions WHERE kind = 'supplement'" },
  };
  if (!store_begin (st))
    return NULL;
  g_autoptr (JsonBuilder) b = json_builder_new ();
  gboolean ok = TRUE;
  json_builder_begin_object (b);
  for (gsize i = 0; i < G_N_ELEMENTS (counts); i++) {
    gint64 n = count_rows (st, counts[i].sql);
    ok = ok && n >= 0;
    json_builder_set_member_name (b, counts[i].name);
    json_builder_add_int_value (b, n);
  }
  json_builder_end_object (b);
  if (!store_end (st, ok) || !ok)
    return NULL;
  return json_builder_get_root (b);
}

/* {"dossiers": [{"dossierId", "transactionId", "procedure", "unit",
 * "deviceId", "receivedAt", "round", "cardPresence",
 * "systems": {"hoTich": "DA_TIEP_NHAN", ...}}]}: one joined query, grouped
 * by dossier (rows arrive ordered by dossier, then system). */
static void
admin_dossier_begin (JsonBuilder *b, sqlite3_stmt *s)
{
  static const char *const names[] = { "dossierId", "transactionId", "procedure", "unit",
                                       "deviceId" };
  g_autofree char *at = refsvc_iso8601 (sqlite3_column_int64 (s, 5));
  json_builder_begin_object (b);
  for (int i = 0; i < 5; i++) {
    json_builder_set_member_name (b, names[i]);
    json_builder_add_string_value (b, (const char *) sqlite3_column_text (s, i));
  }
  refsvc_json_add_string (b, "receivedAt", at);
  json_builder_set_member_name (b, "round");
  json_builder_add_int_value (b, sqlite3_column_int (s, 6));
  refsvc_json_add_string (b, "cardPresence", (const char *) sqlite3_column_text (s, 7));
  json_builder_set_member_name (b, "systems");
  json_builder_begin_object (b);
}

JsonNode *
refsvc_store_admin_dossiers (refsvc_store *st)
{
  if (!store_begin (st))
    return NULL;
  sqlite3_stmt *s = store_stmt (st, "SELECT d.dossier_id, d.transaction_id, d.procedure, d.unit,"
                                    " d.device_id, d.received_at, d.round, d.presence,"
                                    " s.system, s.status FROM dossiers d"
                                    " JOIN systems s ON s.dossier_id = d.dossier_id"
                                    " ORDER BY d.received_at, d.dossier_id, s.ord");
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autofree char *current = NULL;
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "dossiers");
  json_builder_begin_array (b);
  int rc = SQLITE_ERROR;
  while (s && (rc = sqlite3_step (s)) == SQLITE_ROW) {
    const char *id = (const char *) sqlite3_column_text (s, 0);
    if (!current || strcmp (current, id) != 0) {
      if (current) {
        json_builder_end_object (b);   /* systems */
        json_builder_end_object (b);   /* dossier */
      }
      g_free (current);
      current = g_strdup (id);
      admin_dossier_begin (b, s);
    }
    json_builder_set_member_name (b, (const char *) sqlite3_column_text (s, 8));
    json_builder_add_string_value (b, refsvc_status_code (sqlite3_column_int (s, 9)));
  }
  if (current) {
    json_builder_end_object (b);
    json_builder_end_object (b);
  }
  json_builder_end_array (b);
  json_builder_end_object (b);
  gboolean ok = rc == SQLITE_DONE;
  if (!store_end (st, ok) || !ok)
    return NULL;
  return json_builder_get_root (b);
}
