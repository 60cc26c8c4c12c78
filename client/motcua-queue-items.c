/* motcua-queue-items.c — items: drafts, signing, release, reading, lists,
 * counts, manual retry and cancel; the shared state-change helper */
#define G_LOG_DOMAIN "motcua-queue"

#include <openssl/crypto.h>
#include <string.h>

#include "motcua-queue-private.h"

gboolean
motcua_queue_set_state (MotcuaQueue *q, gint64 id, MotcuaItemState state, gint64 now,
                        GError **error)
{
  sqlite3_stmt *st = motcua_queue_prepare (q, "UPDATE items SET state = ?, state_since = ?, "
                                           "final_at = ? WHERE id = ?", error);
  if (st == NULL)
    return FALSE;
  sqlite3_bind_int (st, 1, state);
  sqlite3_bind_int64 (st, 2, now);
  sqlite3_bind_int64 (st, 3, motcua_item_state_is_final (state) ? now : 0);
  sqlite3_bind_int64 (st, 4, id);
  int rc = sqlite3_step (st);
  sqlite3_finalize (st);
  if (rc != SQLITE_DONE)
    {
      motcua_queue_sql_error (q, error, "state");
      return FALSE;
    }
  return TRUE;
}

gboolean
motcua_queue_peek_state (MotcuaQueue *q, gint64 id, MotcuaItemState *state,
                         char **transaction_id, GError **error)
{
  sqlite3_stmt *st = motcua_queue_prepare (q, "SELECT state, transaction_id FROM items "
                                           "WHERE id = ?", error);
  if (st == NULL)
    return FALSE;
  sqlite3_bind_int64 (st, 1, id);
  int rc = sqlite3_step (st);
  if (rc == SQLITE_ROW)
    {
      *state = sqlite3_column_int (st, 0);
      if (transaction_id)
        *transaction_id = g_strdup ((const char *) sqlite3_column_text (st, 1));
    }
  sqlite3_finalize (st);
  if (rc == SQLITE_DONE)
    {
      motcua_error_set (error, MOTCUA_ERROR_NOT_FOUND, "%" G_GINT64_FORMAT, id);
      return FALSE;
    }
  if (rc != SQLITE_ROW)
    {
      motcua_queue_sql_error (q, error, "item");
      return FALSE;
    }
  return TRUE;
}

gboolean
motcua_queue_transition (MotcuaQueue *q, gint64 id, const MotcuaItemState *allowed, MotcuaItemState to,
            const char *actor, const char *action, gint64 now, GError **error)
{
  MotcuaItemState cur = 0;
  if (!motcua_queue_peek_state (q, id, &cur, NULL, error))
    return FALSE;
  gboolean ok = FALSE;
  for (const MotcuaItemState *a = allowed; *a; a++)
    ok = ok || *a == cur;
  if (!ok)
    {
      motcua_error_set (error, MOTCUA_ERROR_BAD_STATE, "%s → %s",
                        motcua_item_state_name (cur), motcua_item_state_name (to));
      return FALSE;
    }
  g_autofree char *detail = g_strdup_printf ("%s → %s", motcua_item_state_name (cur),
                                             motcua_item_state_name (to));
  return (cur == to || motcua_queue_set_state (q, id, to, now, error))
         && motcua_queue_audit_append (q, id, actor, action, detail, now, error);
}

gboolean
motcua_queue_finish (MotcuaQueue *q, gboolean ok, GError **error)
{
  if (!ok)
    {
      motcua_queue_rollback (q);
      return FALSE;
    }
  return motcua_queue_commit (q, error);
}

static void
bind_bytes (sqlite3_stmt *st, int i, GBytes *b)
{
  gsize len = 0;
  const void *d = g_bytes_get_data (b, &len);
  sqlite3_bind_blob (st, i, d, (int) len, SQLITE_TRANSIENT);
}

gboolean
motcua_queue_add_draft (MotcuaQueue *q, MotcuaDossier *dossier, const char *actor,
                        gint64 *id_out, GError **error)
{
  g_return_val_if_fail (q != NULL, FALSE);
  g_return_val_if_fail (MOTCUA_IS_DOSSIER (dossier), FALSE);

  g_autofree char *txid = g_uuid_string_random ();
  gsize len = 0;
  char *data = motcua_dossier_to_data (dossier, &len);
  if (data == NULL)
    {
      motcua_error_set (error, MOTCUA_ERROR_DOSSIER_FORMAT, NULL);
      return FALSE;
    }
  g_autoptr(GBytes) sealed = motcua_queue_seal (q, txid, "dossier", data, len, error);
  OPENSSL_cleanse (data, len);
  g_free (data);
  const char *subject = motcua_dossier_get_subject_name (dossier);
  if (subject == NULL)
    subject = "";
  g_autoptr(GBytes) sealed_subject = sealed ? motcua_queue_seal (q, txid, "subject", subject,
                                                                 strlen (subject), error) : NULL;
  if (sealed_subject == NULL)
    return FALSE;

  gint64 now = motcua_queue_now ();
  if (!motcua_queue_begin (q, error))
    return FALSE;
  sqlite3_stmt *st = motcua_queue_prepare (q, "INSERT INTO items (transaction_id, procedure, "
                                           "state, unit, actor, created_at, state_since, "
                                           "dossier, subject) VALUES (?,?,?,?,?,?,?,?,?)", error);
  if (st == NULL)
    return motcua_queue_finish (q, FALSE, error);
  sqlite3_bind_text (st, 1, txid, -1, SQLITE_STATIC);
  sqlite3_bind_int (st, 2, motcua_dossier_get_procedure (dossier));
  sqlite3_bind_int (st, 3, MOTCUA_ITEM_DRAFT);
  sqlite3_bind_text (st, 4, motcua_dossier_get_string (dossier, "/maDonViTiepNhan"), -1,
                     SQLITE_TRANSIENT);
  sqlite3_bind_text (st, 5, actor, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (st, 6, now);
  sqlite3_bind_int64 (st, 7, now);
  bind_bytes (st, 8, sealed);
  bind_bytes (st, 9, sealed_subject);
  int rc = sqlite3_step (st);
  sqlite3_finalize (st);
  if (rc != SQLITE_DONE)
    {
      motcua_queue_sql_error (q, error, "insert");
      return motcua_queue_finish (q, FALSE, error);
    }
  gint64 id = sqlite3_last_insert_rowid (q->db);
  g_autofree char *detail = g_strdup_printf ("draft %s",
                                             motcua_procedure_name (motcua_dossier_get_procedure (dossier)));
  if (!motcua_queue_finish (q, motcua_queue_audit_append (q, id, actor, "draft", detail, now, error), error))
    return FALSE;
  if (id_out)
    *id_out = id;
  return TRUE;
}

/* The transactionId member of a request body, or NULL. */
static char *
body_transaction_id (GBytes *body)
{
  gsize len = 0;
  const char *d = g_bytes_get_data (body, &len);
  g_autoptr(JsonParser) p = json_parser_new ();
  if (d == NULL || !json_parser_load_from_data (p, d, (gssize) len, NULL))
    return NULL;
  JsonNode *root = json_parser_get_root (p);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return NULL;
  const char *t = json_object_get_string_member_with_default (json_node_get_object (root),
                                                              "transactionId", NULL);
  return g_strdup (t);
}

gboolean
motcua_queue_set_signed (MotcuaQueue *q, gint64 id, GBytes *request_body, const char *actor,
                         GError **error)
{
  g_return_val_if_fail (q != NULL, FALSE);
  g_return_val_if_fail (request_body != NULL, FALSE);
  if (!motcua_queue_begin (q, error))
    return FALSE;
  MotcuaItemState cur = 0;
  g_autofree char *txid = NULL;
  if (!motcua_queue_peek_state (q, id, &cur, &txid, error))
    return motcua_queue_finish (q, FALSE, error);
  g_autofree char *body_txid = body_transaction_id (request_body);
  if (body_txid == NULL || g_ascii_strcasecmp (body_txid, txid) != 0)
    {
      motcua_error_set (error, MOTCUA_ERROR_FAILED, "the request's transactionId is not the item's");
      return motcua_queue_finish (q, FALSE, error);
    }
  gsize len = 0;
  const void *d = g_bytes_get_data (request_body, &len);
  g_autoptr(GBytes) sealed = motcua_queue_seal (q, txid, "request", d, len, error);
  static const MotcuaItemState from[] = { MOTCUA_ITEM_DRAFT, 0 };
  gint64 now = motcua_queue_now ();
  if (sealed == NULL
      || !motcua_queue_transition (q, id, from, MOTCUA_ITEM_SIGNED, actor, "sign", now, error))
    return motcua_queue_finish (q, FALSE, error);
  sqlite3_stmt *st = motcua_queue_prepare (q, "UPDATE items SET request = ? WHERE id = ?", error);
  if (st == NULL)
    return motcua_queue_finish (q, FALSE, error);
  bind_bytes (st, 1, sealed);
  sqlite3_bind_int64 (st, 2, id);
  int rc = sqlite3_step (st);
  sqlite3_finalize (st);
  if (rc != SQLITE_DONE)
    motcua_queue_sql_error (q, error, "request");
  return motcua_queue_finish (q, rc == SQLITE_DONE, error);
}

static gboolean
set_due (MotcuaQueue *q, gint64 id, gint64 when, GError **error)
{
  g_autofree char *sql = g_strdup_printf ("UPDATE items SET next_attempt_at = %" G_GINT64_FORMAT
                                          " WHERE id = %" G_GINT64_FORMAT, when, id);
  return motcua_queue_exec (q, sql, error);
}

gboolean
motcua_queue_release (MotcuaQueue *q, gint64 id, const char *actor, GError **error)
{
  g_return_val_if_fail (q != NULL, FALSE);
  static const MotcuaItemState from[] = { MOTCUA_ITEM_SIGNED, 0 };
  gint64 now = motcua_queue_now ();
  if (!motcua_queue_begin (q, error))
    return FALSE;
  return motcua_queue_finish (q, motcua_queue_transition (q, id, from, MOTCUA_ITEM_QUEUED, actor, "release", now, error)
                    && set_due (q, id, now, error), error);
}

gboolean
motcua_queue_retry (MotcuaQueue *q, gint64 id, const char *actor, GError **error)
{
  g_return_val_if_fail (q != NULL, FALSE);
  static const MotcuaItemState from[] = { MOTCUA_ITEM_QUEUED, 0 };
  gint64 now = motcua_queue_now ();
  if (!motcua_queue_begin (q, error))
    return FALSE;
  return motcua_queue_finish (q, motcua_queue_transition (q, id, from, MOTCUA_ITEM_QUEUED, actor, "manual_retry", now, error)
                    && set_due (q, id, now, error), error);
}

gboolean
motcua_queue_cancel (MotcuaQueue *q, gint64 id, const char *actor, GError **error)
{
  g_return_val_if_fail (q != NULL, FALSE);
  static const MotcuaItemState from[] = { MOTCUA_ITEM_DRAFT, MOTCUA_ITEM_SIGNED,
                                          MOTCUA_ITEM_QUEUED, 0 };
  gint64 now = motcua_queue_now ();
  if (!motcua_queue_begin (q, error))
    return FALSE;
  return motcua_queue_finish (q, motcua_queue_transition (q, id, from, MOTCUA_ITEM_CANCELLED, actor, "cancel", now, error),
                 error);
}

/* ---- reading ---- */

static char *
col_text (sqlite3_stmt *st, int i)
{
  return g_strdup ((const char *) sqlite3_column_text (st, i));
}

static void
load_systems (MotcuaQueue *q, MotcuaQueueItem *item)
{
  item->systems = motcua_queue_systems_new ();
  sqlite3_stmt *st = motcua_queue_prepare (q, "SELECT system, status, status_name, reason, "
                                           "missing, updated_at FROM systems WHERE item_id = ? "
                                           "ORDER BY rowid", NULL);
  if (st == NULL)
    return;
  sqlite3_bind_int64 (st, 1, item->id);
  while (sqlite3_step (st) == SQLITE_ROW)
    {
      MotcuaSystemStatus *s = g_new0 (MotcuaSystemStatus, 1);
      s->system = col_text (st, 0);
      s->status = sqlite3_column_int (st, 1);
      s->status_name = col_text (st, 2);
      s->reason = col_text (st, 3);
      const char *missing = (const char *) sqlite3_column_text (st, 4);
      if (missing && *missing)
        s->missing = g_strsplit (missing, "\n", -1);
      s->updated_at = sqlite3_column_int64 (st, 5);
      g_ptr_array_add (item->systems, s);
    }
  sqlite3_finalize (st);
}

MotcuaQueueItem *
motcua_queue_item_from_row (MotcuaQueue *q, sqlite3_stmt *st)
{
  MotcuaQueueItem *item = g_new0 (MotcuaQueueItem, 1);
  item->id = sqlite3_column_int64 (st, 0);
  item->transaction_id = col_text (st, 1);
  item->procedure = sqlite3_column_int (st, 2);
  item->state = sqlite3_column_int (st, 3);
  item->unit = col_text (st, 4);
  item->actor = col_text (st, 5);
  item->dossier_id = col_text (st, 6);
  item->created_at = sqlite3_column_int64 (st, 7);
  item->state_since = sqlite3_column_int64 (st, 8);
  item->final_at = sqlite3_column_int64 (st, 9);
  item->attempts = (guint) sqlite3_column_int64 (st, 10);
  item->next_attempt_at = sqlite3_column_int64 (st, 11);
  item->last_error_code = col_text (st, 12);
  item->last_error_message = col_text (st, 13);
  item->purged = sqlite3_column_int (st, 14) != 0;
  load_systems (q, item);
  return item;
}

static MotcuaQueueItem *
get_where (MotcuaQueue *q, const char *where, const char *text, gint64 num, GError **error)
{
  g_autofree char *sql = g_strdup_printf ("SELECT " MOTCUA_QUEUE_ITEM_COLUMNS
                                          " FROM items WHERE %s", where);
  sqlite3_stmt *st = motcua_queue_prepare (q, sql, error);
  if (st == NULL)
    return NULL;
  if (text)
    sqlite3_bind_text (st, 1, text, -1, SQLITE_TRANSIENT);
  else
    sqlite3_bind_int64 (st, 1, num);
  int rc = sqlite3_step (st);
  MotcuaQueueItem *item = rc == SQLITE_ROW ? motcua_queue_item_from_row (q, st) : NULL;
  sqlite3_finalize (st);
  if (rc == SQLITE_DONE)
    motcua_error_set (error, MOTCUA_ERROR_NOT_FOUND, "%s", text ? text : "");
  else if (rc != SQLITE_ROW)
    motcua_queue_sql_error (q, error, "item");
  return item;
}

MotcuaQueueItem *
motcua_queue_get_by_id (MotcuaQueue *q, gint64 id, GError **error)
{
  g_return_val_if_fail (q != NULL, NULL);
  MotcuaQueueItem *item = get_where (q, "id = ?", NULL, id, error);
  return item;
}

MotcuaQueueItem *
motcua_queue_get (MotcuaQueue *q, const char *key, GError **error)
{
  g_return_val_if_fail (q != NULL, NULL);
  g_return_val_if_fail (key != NULL, NULL);
  char *end = NULL;
  gint64 id = g_ascii_strtoll (key, &end, 10);
  if (*key != '\0' && end != NULL && *end == '\0' && id > 0)
    return get_where (q, "id = ?", NULL, id, error);
  g_autofree char *lower = g_ascii_strdown (key, -1);
  g_autoptr(GError) local = NULL;
  MotcuaQueueItem *item = get_where (q, "transaction_id = ?", lower, 0, &local);
  if (item == NULL && g_error_matches (local, MOTCUA_ERROR, MOTCUA_ERROR_NOT_FOUND))
    return get_where (q, "dossier_id = ?", key, 0, error);
  if (local)
    g_propagate_error (error, g_steal_pointer (&local));
  return item;
}

static GBytes *
load_column (MotcuaQueue *q, gint64 id, const char *column, GError **error)
{
  g_autofree char *sql = g_strdup_printf ("SELECT transaction_id, purged, %s FROM items "
                                          "WHERE id = ?", column);
  sqlite3_stmt *st = motcua_queue_prepare (q, sql, error);
  if (st == NULL)
    return NULL;
  sqlite3_bind_int64 (st, 1, id);
  int rc = sqlite3_step (st);
  GBytes *out = NULL;
  if (rc == SQLITE_ROW && sqlite3_column_int (st, 1))
    motcua_error_set (error, MOTCUA_ERROR_PURGED, NULL);
  else if (rc == SQLITE_ROW && sqlite3_column_type (st, 2) == SQLITE_NULL)
    motcua_error_set (error, MOTCUA_ERROR_BAD_STATE, "no %s yet", column);
  else if (rc == SQLITE_ROW)
    out = motcua_queue_unseal (q, (const char *) sqlite3_column_text (st, 0), column,
                               sqlite3_column_blob (st, 2), sqlite3_column_bytes (st, 2), error);
  else if (rc == SQLITE_DONE)
    motcua_error_set (error, MOTCUA_ERROR_NOT_FOUND, "%" G_GINT64_FORMAT, id);
  else
    motcua_queue_sql_error (q, error, column);
  sqlite3_finalize (st);
  return out;
}

MotcuaDossier *
motcua_queue_load_dossier (MotcuaQueue *q, gint64 id, GError **error)
{
  g_return_val_if_fail (q != NULL, NULL);
  g_autoptr(GBytes) data = load_column (q, id, "dossier", error);
  if (data == NULL)
    return NULL;
  gsize len = 0;
  const char *d = g_bytes_get_data (data, &len);
  return motcua_dossier_new_from_data (d, len, error);
}

GBytes *
motcua_queue_load_request (MotcuaQueue *q, gint64 id, GError **error)
{
  g_return_val_if_fail (q != NULL, NULL);
  return load_column (q, id, "request", error);
}

char *
motcua_queue_load_subject (MotcuaQueue *q, gint64 id, GError **error)
{
  g_return_val_if_fail (q != NULL, NULL);
  g_autoptr(GBytes) data = load_column (q, id, "subject", error);
  if (data == NULL)
    return NULL;
  gsize len = 0;
  const char *d = g_bytes_get_data (data, &len);
  return g_strndup (d, len);
}

GPtrArray *
motcua_queue_list (MotcuaQueue *q, const MotcuaQueueFilter *filter, GError **error)
{
  g_return_val_if_fail (q != NULL, NULL);
  MotcuaQueueFilter none = { 0 };
  if (filter == NULL)
    filter = &none;
  GString *sql = g_string_new ("SELECT " MOTCUA_QUEUE_ITEM_COLUMNS " FROM items WHERE 1");
  if (filter->state)
    g_string_append (sql, " AND state = :state");
  if (filter->procedure)
    g_string_append (sql, " AND procedure = :proc");
  if (filter->created_from)
    g_string_append (sql, " AND created_at >= :from");
  if (filter->created_to)
    g_string_append (sql, " AND created_at < :to");
  if (filter->stuck_since > 0)
    g_string_append_printf (sql, " AND state_since < :stuck AND state NOT IN (%d, %d, %d, %d)",
                            MOTCUA_ITEM_DONE, MOTCUA_ITEM_REFUSED, MOTCUA_ITEM_REJECTED,
                            MOTCUA_ITEM_CANCELLED);
  g_string_append (sql, " ORDER BY created_at DESC, id DESC");
  if (filter->limit)
    g_string_append_printf (sql, " LIMIT %u", filter->limit);
  g_autofree char *text = g_string_free (sql, FALSE);
  sqlite3_stmt *st = motcua_queue_prepare (q, text, error);
  if (st == NULL)
    return NULL;
  sqlite3_bind_int (st, sqlite3_bind_parameter_index (st, ":state"), filter->state);
  sqlite3_bind_int (st, sqlite3_bind_parameter_index (st, ":proc"), filter->procedure);
  sqlite3_bind_int64 (st, sqlite3_bind_parameter_index (st, ":from"), filter->created_from);
  sqlite3_bind_int64 (st, sqlite3_bind_parameter_index (st, ":to"), filter->created_to);
  sqlite3_bind_int64 (st, sqlite3_bind_parameter_index (st, ":stuck"), filter->stuck_since);
  GPtrArray *out = g_ptr_array_new_with_free_func ((GDestroyNotify) motcua_queue_item_free);
  int rc;
  while ((rc = sqlite3_step (st)) == SQLITE_ROW)
    g_ptr_array_add (out, motcua_queue_item_from_row (q, st));
  sqlite3_finalize (st);
  if (rc != SQLITE_DONE)
    {
      g_ptr_array_unref (out);
      motcua_queue_sql_error (q, error, "list");
      return NULL;
    }
  return out;
}

gboolean
motcua_queue_count (MotcuaQueue *q, guint counts[MOTCUA_ITEM_CANCELLED + 1], GError **error)
{
  g_return_val_if_fail (q != NULL, FALSE);
  memset (counts, 0, sizeof (guint) * (MOTCUA_ITEM_CANCELLED + 1));
  sqlite3_stmt *st = motcua_queue_prepare (q, "SELECT state, count(*) FROM items GROUP BY state",
                                           error);
  if (st == NULL)
    return FALSE;
  int rc;
  while ((rc = sqlite3_step (st)) == SQLITE_ROW)
    {
      int s = sqlite3_column_int (st, 0);
      if (s >= MOTCUA_ITEM_DRAFT && s <= MOTCUA_ITEM_CANCELLED)
        counts[s] = (guint) sqlite3_column_int64 (st, 1);
    }
  sqlite3_finalize (st);
  if (rc != SQLITE_DONE)
    {
      motcua_queue_sql_error (q, error, "count");
      return FALSE;
    }
  return TRUE;
}
