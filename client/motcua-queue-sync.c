/* motcua-queue-sync.c — the syncer's side: claim, the answers of the
 * service, back-off, per-system statuses and the overall state rule */
#define G_LOG_DOMAIN "motcua-queue"

#include <string.h>

#include "motcua-backoff.h"
#include "motcua-queue-private.h"

#define SYNC_ACTOR "sync"
#define SERVICE_ACTOR "service"

GPtrArray *
motcua_queue_claim (MotcuaQueue *q, gint64 now, guint max, GError **error)
{
  g_return_val_if_fail (q != NULL, NULL);
  GPtrArray *out = g_ptr_array_new_with_free_func ((GDestroyNotify) motcua_queue_item_free);
  if (max == 0)
    return out;
  /* BEGIN IMMEDIATE takes the write lock before reading: two syncers
   * cannot both see an item QUEUED and both take it. */
  if (!motcua_queue_begin (q, error))
    {
      g_ptr_array_unref (out);
      return NULL;
    }
  sqlite3_stmt *st = motcua_queue_prepare (q, "SELECT id FROM items WHERE state = ? AND "
                                           "next_attempt_at <= ? ORDER BY next_attempt_at, id "
                                           "LIMIT ?", error);
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  int rc = SQLITE_ERROR;
  if (st != NULL)
    {
      sqlite3_bind_int (st, 1, MOTCUA_ITEM_QUEUED);
      sqlite3_bind_int64 (st, 2, now);
      sqlite3_bind_int64 (st, 3, max);
      while ((rc = sqlite3_step (st)) == SQLITE_ROW)
        {
          gint64 id = sqlite3_column_int64 (st, 0);
          g_array_append_val (ids, id);
        }
      sqlite3_finalize (st);
      if (rc != SQLITE_DONE)
        motcua_queue_sql_error (q, error, "claim");
    }
  gboolean ok = rc == SQLITE_DONE;
  static const MotcuaItemState from[] = { MOTCUA_ITEM_QUEUED, 0 };
  for (guint i = 0; ok && i < ids->len; i++)
    {
      gint64 id = g_array_index (ids, gint64, i);
      g_autofree char *sql = g_strdup_printf ("UPDATE items SET claimed_by = %" G_GINT64_FORMAT
                                              " WHERE id = %" G_GINT64_FORMAT, q->owner, id);
      ok = motcua_queue_transition (q, id, from, MOTCUA_ITEM_SENDING, SYNC_ACTOR, "claim", now,
                                    error)
           && motcua_queue_exec (q, sql, error);
    }
  if (!motcua_queue_finish (q, ok, error))
    {
      g_ptr_array_unref (out);
      return NULL;
    }
  for (guint i = 0; i < ids->len; i++)
    {
      MotcuaQueueItem *item = motcua_queue_get_by_id (q, g_array_index (ids, gint64, i), NULL);
      if (item)
        g_ptr_array_add (out, item);
    }
  return out;
}

gint64
motcua_queue_next_due (MotcuaQueue *q, GError **error)
{
  g_return_val_if_fail (q != NULL, 0);
  sqlite3_stmt *st = motcua_queue_prepare (q, "SELECT min(next_attempt_at) FROM items "
                                           "WHERE state = ?", error);
  if (st == NULL)
    return 0;
  sqlite3_bind_int (st, 1, MOTCUA_ITEM_QUEUED);
  gint64 out = 0;
  int rc = sqlite3_step (st);
  if (rc == SQLITE_ROW)
    out = sqlite3_column_int64 (st, 0);
  else
    motcua_queue_sql_error (q, error, "next due");
  sqlite3_finalize (st);
  return out;
}

/* The answer of a send is recorded for an item still SENDING, or QUEUED
 * again when another connection resumed it meanwhile. */
static const MotcuaItemState answered_from[] = { MOTCUA_ITEM_SENDING, MOTCUA_ITEM_QUEUED, 0 };

static gboolean
update_columns (MotcuaQueue *q, gint64 id, const char *sql_set, const char *t1, const char *t2,
                gint64 n1, GError **error)
{
  g_autofree char *sql = g_strdup_printf ("UPDATE items SET %s WHERE id = :id", sql_set);
  sqlite3_stmt *st = motcua_queue_prepare (q, sql, error);
  if (st == NULL)
    return FALSE;
  sqlite3_bind_int64 (st, sqlite3_bind_parameter_index (st, ":id"), id);
  sqlite3_bind_text (st, sqlite3_bind_parameter_index (st, ":t1"), t1, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (st, sqlite3_bind_parameter_index (st, ":t2"), t2, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (st, sqlite3_bind_parameter_index (st, ":n1"), n1);
  int rc = sqlite3_step (st);
  sqlite3_finalize (st);
  if (rc != SQLITE_DONE)
    {
      motcua_queue_sql_error (q, error, "update");
      return FALSE;
    }
  return TRUE;
}

gboolean
motcua_queue_mark_accepted (MotcuaQueue *q, gint64 id, const char *dossier_id, GError **error)
{
  g_return_val_if_fail (q != NULL, FALSE);
  g_return_val_if_fail (dossier_id != NULL, FALSE);
  if (!motcua_queue_begin (q, error))
    return FALSE;
  g_autoptr(MotcuaQueueItem) item = motcua_queue_get_by_id (q, id, error);
  if (item == NULL)
    return motcua_queue_finish (q, FALSE, error);
  /* A second answer for the same dossier (a resumed, resent item replayed
   * by the service) changes nothing. */
  if (item->dossier_id != NULL && strcmp (item->dossier_id, dossier_id) == 0)
    return motcua_queue_finish (q, TRUE, error);
  gint64 now = motcua_queue_now ();
  g_autofree char *detail = g_strdup_printf ("dossier %s", dossier_id);
  gboolean ok = motcua_queue_transition (q, id, answered_from, MOTCUA_ITEM_ACCEPTED, SYNC_ACTOR,
                                         "accepted", now, error)
    && update_columns (q, id, "dossier_id = :t1, claimed_by = NULL, last_error_code = NULL, "
                       "last_error_message = NULL, attempts = attempts + 1", dossier_id, NULL, 0,
                       error)
    && motcua_queue_audit_append (q, id, SYNC_ACTOR, "dossier_id", detail, now, error);
  return motcua_queue_finish (q, ok, error);
}

gboolean
motcua_queue_mark_retry (MotcuaQueue *q, gint64 id, gint64 now, const char *code,
                         const char *message, gint64 retry_after, GError **error)
{
  g_return_val_if_fail (q != NULL, FALSE);
  if (!motcua_queue_begin (q, error))
    return FALSE;
  g_autoptr(MotcuaQueueItem) item = motcua_queue_get_by_id (q, id, error);
  if (item == NULL)
    return motcua_queue_finish (q, FALSE, error);
  guint attempts = item->attempts < G_MAXINT ? item->attempts + 1 : item->attempts;
  gint64 delay = motcua_backoff_delay (attempts, g_random_double (), MAX (retry_after, 0),
                                       MOTCUA_BACKOFF_BASE_S, MOTCUA_BACKOFF_CAP_S);
  g_autofree char *detail = g_strdup_printf ("attempt %u failed (%s), next in %" G_GINT64_FORMAT
                                             " s", attempts, code ? code : "?", delay);
  gboolean ok = motcua_queue_transition (q, id, answered_from, MOTCUA_ITEM_QUEUED, SYNC_ACTOR,
                                         "retry", now, error)
    && update_columns (q, id, "attempts = :n1, last_error_code = :t1, last_error_message = :t2, claimed_by = NULL",
                       code, message, attempts, error)
    && update_columns (q, id, "next_attempt_at = :n1", NULL, NULL, now + delay, error)
    && motcua_queue_audit_append (q, id, SYNC_ACTOR, "backoff", detail, now, error);
  return motcua_queue_finish (q, ok, error);
}

gboolean
motcua_queue_mark_rejected (MotcuaQueue *q, gint64 id, const char *code, const char *message,
                            GError **error)
{
  g_return_val_if_fail (q != NULL, FALSE);
  gint64 now = motcua_queue_now ();
  if (!motcua_queue_begin (q, error))
    return FALSE;
  g_autofree char *detail = g_strdup_printf ("refused by the service: %s", code ? code : "?");
  gboolean ok = motcua_queue_transition (q, id, answered_from, MOTCUA_ITEM_REJECTED, SYNC_ACTOR,
                                         "rejected", now, error)
    && update_columns (q, id, "last_error_code = :t1, last_error_message = :t2, "
                       "claimed_by = NULL, attempts = attempts + 1", code, message, 0, error)
    && motcua_queue_audit_append (q, id, SYNC_ACTOR, "rejected_code", detail, now, error);
  return motcua_queue_finish (q, ok, error);
}

/* The systems of each group (docs/protocol.md §12.1). */
static const char *const birth_systems[] = { "hoTich", "cuTru", "bhxh", NULL };
static const char *const death_systems[] = { "hoTich", "cuTru", "ldtbxh", NULL };

const char *const *
motcua_queue_group_systems (MotcuaProcedure p)
{
  return p == MOTCUA_PROCEDURE_DEATH ? death_systems : birth_systems;
}

#define STATUS_TU_CHOI 3
#define STATUS_YEU_CAU_BO_SUNG 5
#define STATUS_DA_TRA_KET_QUA 10

/* The overall state from the systems' statuses (motcua-queue.h). */
static MotcuaItemState
overall_state (const MotcuaQueueItem *item)
{
  gboolean supplement = FALSE;
  guint returned = 0;
  for (guint i = 0; i < item->systems->len; i++)
    {
      const MotcuaSystemStatus *s = g_ptr_array_index (item->systems, i);
      if (s->status == STATUS_TU_CHOI)
        return MOTCUA_ITEM_REFUSED;
      supplement |= s->status == STATUS_YEU_CAU_BO_SUNG;
    }
  if (supplement)
    return MOTCUA_ITEM_SUPPLEMENT;
  for (const char *const *sys = motcua_queue_group_systems (item->procedure); *sys; sys++)
    for (guint i = 0; i < item->systems->len; i++)
      {
        const MotcuaSystemStatus *s = g_ptr_array_index (item->systems, i);
        if (g_strcmp0 (s->system, *sys) == 0 && s->status == STATUS_DA_TRA_KET_QUA)
          returned++;
      }
  return returned == g_strv_length ((char **) motcua_queue_group_systems (item->procedure))
         ? MOTCUA_ITEM_DONE : MOTCUA_ITEM_PROCESSING;
}

gboolean
motcua_queue_update_system (MotcuaQueue *q, const char *dossier_id,
                            const MotcuaSystemStatus *status, GError **error)
{
  g_return_val_if_fail (q != NULL, FALSE);
  g_return_val_if_fail (dossier_id != NULL, FALSE);
  g_return_val_if_fail (status != NULL && status->system != NULL, FALSE);
  if (!motcua_queue_begin (q, error))
    return FALSE;
  g_autoptr(MotcuaQueueItem) item = NULL;
  sqlite3_stmt *st = motcua_queue_prepare (q, "SELECT " MOTCUA_QUEUE_ITEM_COLUMNS
                                           " FROM items WHERE dossier_id = ?", error);
  if (st == NULL)
    return motcua_queue_finish (q, FALSE, error);
  sqlite3_bind_text (st, 1, dossier_id, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (st) == SQLITE_ROW)
    item = motcua_queue_item_from_row (q, st);
  sqlite3_finalize (st);
  if (item == NULL || item->state < MOTCUA_ITEM_ACCEPTED || item->state == MOTCUA_ITEM_REJECTED
      || item->state == MOTCUA_ITEM_CANCELLED)
    return motcua_queue_finish (q, TRUE, error);        /* not ours (yet): ignored */

  /* Unchanged statuses (the feed repeats) leave no trace. */
  for (guint i = 0; i < item->systems->len; i++)
    {
      const MotcuaSystemStatus *s = g_ptr_array_index (item->systems, i);
      if (g_strcmp0 (s->system, status->system) == 0 && s->status == status->status
          && g_strcmp0 (s->reason, status->reason) == 0)
        return motcua_queue_finish (q, TRUE, error);
    }

  gint64 now = motcua_queue_now ();
  gint64 updated = status->updated_at > 0 ? status->updated_at : now;
  g_autofree char *missing = status->missing ? g_strjoinv ("\n", status->missing) : NULL;
  st = motcua_queue_prepare (q, "INSERT OR REPLACE INTO systems VALUES (?, ?, ?, ?, ?, ?, ?)",
                             error);
  if (st == NULL)
    return motcua_queue_finish (q, FALSE, error);
  sqlite3_bind_int64 (st, 1, item->id);
  sqlite3_bind_text (st, 2, status->system, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int (st, 3, status->status);
  sqlite3_bind_text (st, 4, status->status_name, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (st, 5, status->reason, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (st, 6, missing, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (st, 7, updated);
  int rc = sqlite3_step (st);
  sqlite3_finalize (st);
  if (rc != SQLITE_DONE)
    {
      motcua_queue_sql_error (q, error, "systems");
      return motcua_queue_finish (q, FALSE, error);
    }
  g_autofree char *detail = g_strdup_printf ("%s: %s (%d)", status->system,
                                             status->status_name ? status->status_name : "?",
                                             status->status);
  gboolean ok = motcua_queue_audit_append (q, item->id, SERVICE_ACTOR, "status", detail, now,
                                           error);
  /* Recompute from the stored statuses. */
  g_autoptr(MotcuaQueueItem) fresh = ok ? motcua_queue_get_by_id (q, item->id, error) : NULL;
  ok = ok && fresh != NULL;
  if (ok)
    {
      MotcuaItemState to = overall_state (fresh);
      if (to != fresh->state)
        {
          static const MotcuaItemState any[] = {
            MOTCUA_ITEM_ACCEPTED, MOTCUA_ITEM_PROCESSING, MOTCUA_ITEM_SUPPLEMENT,
            MOTCUA_ITEM_DONE, MOTCUA_ITEM_REFUSED, 0
          };
          ok = motcua_queue_transition (q, item->id, any, to, SERVICE_ACTOR, "state", now, error);
        }
    }
  return motcua_queue_finish (q, ok, error);
}
