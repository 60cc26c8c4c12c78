/* motcua-queue-private.h — shared pieces of the queue's modules */
#pragma once

#include <sqlite3.h>

#include "motcua-error.h"
#include "motcua-queue.h"

G_BEGIN_DECLS

struct _MotcuaQueue {
  sqlite3 *db;
  char    *path;
  guint8  *key;                 /* MOTCUA_DATA_KEY_LEN bytes, mlock'ed when possible */
  gboolean key_locked;
  int      lock_fd;             /* path.lock: this connection's claim lock */
  gint64   owner;               /* this connection's claim id (a locked byte) */
};

/* Columns of items read by motcua_queue_item_from_row(), in order. */
#define MOTCUA_QUEUE_ITEM_COLUMNS \
  "id, transaction_id, procedure, state, unit, actor, dossier_id, created_at, " \
  "state_since, final_at, attempts, next_attempt_at, last_error_code, " \
  "last_error_message, purged"

/* SQLite failures → MOTCUA_ERROR_QUEUE_IO with SQLite's message (never data). */
void     motcua_queue_sql_error (MotcuaQueue *q, GError **error, const char *what);
gboolean motcua_queue_exec (MotcuaQueue *q, const char *sql, GError **error);
gboolean motcua_queue_begin (MotcuaQueue *q, GError **error);     /* BEGIN IMMEDIATE */
gboolean motcua_queue_commit (MotcuaQueue *q, GError **error);
void     motcua_queue_rollback (MotcuaQueue *q);
sqlite3_stmt *motcua_queue_prepare (MotcuaQueue *q, const char *sql, GError **error);
gint64   motcua_queue_now (void);

/* An empty array of MotcuaSystemStatus. */
GPtrArray *motcua_queue_systems_new (void);
/* An item with its system statuses, from a row of MOTCUA_QUEUE_ITEM_COLUMNS. */
MotcuaQueueItem *motcua_queue_item_from_row (MotcuaQueue *q, sqlite3_stmt *st);
/* Sets state, state_since (and final_at for a final state). */
gboolean motcua_queue_set_state (MotcuaQueue *q, gint64 id, MotcuaItemState state, gint64 now,
                                 GError **error);
/* The state and transaction id of @id, inside the caller's transaction. */
gboolean motcua_queue_peek_state (MotcuaQueue *q, gint64 id, MotcuaItemState *state,
                                  char **transaction_id, GError **error);

/* Inside a transaction: checks @id is in one of @allowed (0-terminated,
 * else MOTCUA_ERROR_BAD_STATE), moves it to @to and writes the audit entry. */
gboolean motcua_queue_transition (MotcuaQueue *q, gint64 id, const MotcuaItemState *allowed,
                                  MotcuaItemState to, const char *actor, const char *action,
                                  gint64 now, GError **error);
/* Commits when @ok, else rolls back; returns whether the change landed. */
gboolean motcua_queue_finish (MotcuaQueue *q, gboolean ok, GError **error);

/* The back-office systems of a group, NULL-terminated (protocol.md §12.1). */
const char *const *motcua_queue_group_systems (MotcuaProcedure p);

/* motcua-queue-crypt.c: the data key (inside the open transaction) and
 * AES-256-GCM values bound to (transaction id, column). */
gboolean motcua_queue_crypt_init (MotcuaQueue *q, MotcuaDeviceKey *key, GError **error);
void     motcua_queue_crypt_clear (MotcuaQueue *q);
GBytes  *motcua_queue_seal (MotcuaQueue *q, const char *transaction_id, const char *column,
                            const void *data, gsize len, GError **error);
/* Plaintext in a GBytes that wipes itself when freed. */
GBytes  *motcua_queue_unseal (MotcuaQueue *q, const char *transaction_id, const char *column,
                              const void *blob, gsize len, GError **error);

/* motcua-queue-audit.c: one audit row, inside the caller's transaction. */
gboolean motcua_queue_audit_append (MotcuaQueue *q, gint64 item_id, const char *actor,
                                    const char *action, const char *detail, gint64 at,
                                    GError **error);

G_END_DECLS
