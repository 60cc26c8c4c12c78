/* refsvc-store-status.c — status documents and the changes feed
 *
 * Status (docs/protocol.md §Status): per system its current status and
 * its whole history, events in the order they happened (seq).
 * Changes: every event of the caller's unit with seq > since, in seq
 * order; the cursor is the event's seq as a decimal string.  Events are
 * never rewritten, so a cursor stays valid for good. */
#include "refsvc-store-private.h"

#include <string.h>

/* "status", "statusCode", "statusLabel", <time_name>, "reason"?, "missing"?
 * from columns status, time, reason, missing starting at col. */
static void
add_status_members (JsonBuilder *b, sqlite3_stmt *s, int col, const char *time_name)
{
  refsvc_status status = sqlite3_column_int (s, col);
  g_autofree char *at = refsvc_iso8601 (sqlite3_column_int64 (s, col + 1));
  refsvc_json_add_string (b, "status", refsvc_status_code (status));
  json_builder_set_member_name (b, "statusCode");
  json_builder_add_int_value (b, status);
  refsvc_json_add_string (b, "statusLabel", refsvc_status_label (status));
  refsvc_json_add_string (b, time_name, at);
  const char *reason = (const char *) sqlite3_column_text (s, col + 2);
  if (reason)
    refsvc_json_add_string (b, "reason", reason);
  JsonNode *missing = store_parse_json ((const char *) sqlite3_column_text (s, col + 3));
  if (missing) {
    json_builder_set_member_name (b, "missing");
    json_builder_add_value (b, missing);   /* takes it */
  }
}

static gboolean
add_history (refsvc_store *st, JsonBuilder *b, const char *dossier_id, const char *system)
{
  sqlite3_stmt *s = store_stmt (st, "SELECT status, at, reason, missing FROM events"
                                    " WHERE dossier_id = ? AND system = ? ORDER BY seq");
  if (!s)
    return FALSE;
  sqlite3_bind_text (s, 1, dossier_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (s, 2, system, -1, SQLITE_TRANSIENT);
  json_builder_set_member_name (b, "history");
  json_builder_begin_array (b);
  int rc;
  while ((rc = sqlite3_step (s)) == SQLITE_ROW) {
    json_builder_begin_object (b);
    add_status_members (b, s, 0, "at");
    json_builder_end_object (b);
  }
  json_builder_end_array (b);
  sqlite3_reset (s);
  return rc == SQLITE_DONE;
}

static gboolean
add_systems (refsvc_store *st, JsonBuilder *b, const char *dossier_id, refsvc_procedure p)
{
  sqlite3_stmt *s = store_stmt (st, "SELECT system, status, updated_at, reason, missing"
                                    " FROM systems WHERE dossier_id = ? ORDER BY ord");
  if (!s)
    return FALSE;
  sqlite3_bind_text (s, 1, dossier_id, -1, SQLITE_TRANSIENT);
  json_builder_set_member_name (b, "systems");
  json_builder_begin_array (b);
  gboolean ok = TRUE;
  int rc;
  while (ok && (rc = sqlite3_step (s)) == SQLITE_ROW) {
    g_autofree char *system = store_col_text (s, 0);
    json_builder_begin_object (b);
    refsvc_json_add_string (b, "system", system);
    refsvc_json_add_string (b, "name", bo_system_name (p, system));
    add_status_members (b, s, 1, "updatedAt");
    ok = add_history (st, b, dossier_id, system);
    json_builder_end_object (b);
  }
  json_builder_end_array (b);
  sqlite3_reset (s);
  return ok && rc == SQLITE_DONE;
}

JsonNode *
store_status_doc (refsvc_store *st, const char *dossier_id, const char *unit)
{
  sqlite3_stmt *s = store_stmt (st, "SELECT transaction_id, procedure, unit, received_at"
                                    " FROM dossiers WHERE dossier_id = ?");
  if (!s || !dossier_id)
    return NULL;
  sqlite3_bind_text (s, 1, dossier_id, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (s) != SQLITE_ROW
      || (unit && g_strcmp0 ((const char *) sqlite3_column_text (s, 2), unit) != 0)) {
    sqlite3_reset (s);
    return NULL;
  }
  g_autofree char *tx = store_col_text (s, 0);
  g_autofree char *proc = store_col_text (s, 1);
  g_autofree char *received = refsvc_iso8601 (sqlite3_column_int64 (s, 3));
  sqlite3_reset (s);
  refsvc_procedure p = store_procedure_parse (proc);

  g_autoptr (JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  refsvc_json_add_string (b, "dossierId", dossier_id);
  refsvc_json_add_string (b, "transactionId", tx);
  refsvc_json_add_string (b, "procedure", refsvc_procedure_name (p));
  refsvc_json_add_string (b, "receivedAt", received);
  gboolean ok = add_systems (st, b, dossier_id, p);
  json_builder_end_object (b);
  return ok ? json_builder_get_root (b) : NULL;
}

JsonNode *
refsvc_store_dossier_status (refsvc_store *st, const char *dossier_id, const char *unit)
{
  if (!st || !dossier_id || !store_begin (st))
    return NULL;
  JsonNode *doc = store_status_doc (st, dossier_id, unit);
  if (!store_end (st, doc != NULL))
    g_clear_pointer (&doc, json_node_unref);
  return doc;
}

JsonNode *
refsvc_store_dossier_by_transaction (refsvc_store *st, const char *transaction_id,
                                     const char *unit)
{
  if (!st || !transaction_id || !store_begin (st))
    return NULL;
  /* Supplements' transaction ids name their dossier too. */
  sqlite3_stmt *s = store_stmt (st, "SELECT dossier_id FROM transactions"
                                    " WHERE transaction_id = ?");
  JsonNode *doc = NULL;
  if (s) {
    sqlite3_bind_text (s, 1, transaction_id, -1, SQLITE_TRANSIENT);
    g_autofree char *id = sqlite3_step (s) == SQLITE_ROW ? store_col_text (s, 0) : NULL;
    sqlite3_reset (s);
    doc = id ? store_status_doc (st, id, unit) : NULL;
  }
  if (!store_end (st, doc != NULL))
    g_clear_pointer (&doc, json_node_unref);
  return doc;
}

/* ---- changes ---- */

#define CHANGES_DEFAULT_LIMIT 500
#define CHANGES_MAX_LIMIT     1000

static void
add_change (JsonBuilder *b, sqlite3_stmt *s)
{
  g_autofree char *cursor = g_strdup_printf ("%" G_GINT64_FORMAT, (gint64) sqlite3_column_int64 (s, 0));
  json_builder_begin_object (b);
  refsvc_json_add_string (b, "cursor", cursor);
  refsvc_json_add_string (b, "dossierId", (const char *) sqlite3_column_text (s, 1));
  refsvc_json_add_string (b, "transactionId", (const char *) sqlite3_column_text (s, 2));
  refsvc_json_add_string (b, "procedure", (const char *) sqlite3_column_text (s, 3));
  refsvc_json_add_string (b, "system", (const char *) sqlite3_column_text (s, 4));
  add_status_members (b, s, 5, "at");
  json_builder_end_object (b);
}

JsonNode *
refsvc_store_changes (refsvc_store *st, const char *unit, gint64 since, guint limit)
{
  if (!st)
    return NULL;
  if (limit == 0)
    limit = CHANGES_DEFAULT_LIMIT;
  limit = MIN (limit, CHANGES_MAX_LIMIT);
  since = MAX (since, 0);
  if (!store_begin (st))
    return NULL;
  /* unit NULL: every unit (admin and tests).  Two statements, so that the
   * unit's one uses the (unit, seq) index. */
#define CHANGES_SQL(where) \
  "SELECT e.seq, e.dossier_id, d.transaction_id, d.procedure, e.system, e.status, e.at," \
  " e.reason, e.missing FROM events e JOIN dossiers d ON d.dossier_id = e.dossier_id" \
  " WHERE " where "e.seq > ?2 ORDER BY e.seq LIMIT ?3"
  sqlite3_stmt *s = store_stmt (st, unit ? CHANGES_SQL ("e.unit = ?1 AND ") : CHANGES_SQL (""));
  g_autoptr (JsonBuilder) b = json_builder_new ();
  gint64 next = since;
  gboolean more = FALSE;
  int rc = SQLITE_ERROR;
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "changes");
  json_builder_begin_array (b);
  if (s) {
    if (unit)
      sqlite3_bind_text (s, 1, unit, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64 (s, 2, since);
    sqlite3_bind_int64 (s, 3, (gint64) limit + 1);   /* one more tells "more" */
    guint n = 0;
    while ((rc = sqlite3_step (s)) == SQLITE_ROW) {
      if (n == limit) {
        more = TRUE;
        rc = SQLITE_DONE;
        break;
      }
      add_change (b, s);
      next = sqlite3_column_int64 (s, 0);
      n++;
    }
  }
  json_builder_end_array (b);
  g_autofree char *cursor = g_strdup_printf ("%" G_GINT64_FORMAT, next);
  refsvc_json_add_string (b, "nextCursor", cursor);
  json_builder_set_member_name (b, "more");
  json_builder_add_boolean_value (b, more);
  json_builder_end_object (b);
  gboolean ok = rc == SQLITE_DONE;
  if (!store_end (st, ok) || !ok)
    return NULL;
  return json_builder_get_root (b);
}
