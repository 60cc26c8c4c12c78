/* motcua-queue.h — the durable, encrypted queue of submissions
 *
 * One SQLite file in WAL mode (synchronous=FULL: a commit that returned is
 * on disk, so a dossier the clerk saw "queued" survives a power cut; the
 * cost is one fsync per commit, measured in bench/).  Several connections
 * (the UI, the sync thread, the CLI) may open the same file; writes are
 * short transactions with a busy timeout.
 *
 * One item per submission, keyed by its transaction id (a UUID made at
 * enqueue time and never changed: resends are idempotent at the service).
 *
 *   DRAFT → SIGNED → QUEUED → SENDING → ACCEPTED → PROCESSING
 *                      ↑  ↓ (retry)          ↘ DONE | REFUSED | SUPPLEMENT
 *                      └──┘                    (per-system statuses)
 *   SENDING → REJECTED       the service refused the request itself (4xx)
 *   DRAFT | SIGNED | QUEUED → CANCELLED   (a clerk's decision)
 *
 * SENDING is claimed by one syncer at a time; an item left SENDING by a
 * crash goes back to QUEUED when a queue is opened (resume), and is sent
 * again with the same bytes.
 *
 * Personal data (the dossier, the request body, names for lists) are
 * stored only encrypted: AES-256-GCM under a data key wrapped by the device
 * key (motcua-device-key.h), the item's transaction id and column name as
 * additional data so a ciphertext cannot be moved to another item.  State,
 * times, codes and the service's dossier id are stored in clear: they are
 * not personal and the reports need them.
 *
 * Retention: motcua_queue_purge() deletes the encrypted personal data of
 * items whose final status is older than N days; the item row (state,
 * times, systems, reason codes) stays for reports.
 *
 * Audit: every state change appends a row to an append-only, hash-chained
 * log (who, what, when, item; SHA-256 over the previous hash and the row).
 * motcua_queue_verify_audit() walks the chain. */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

#include "motcua-device-key.h"
#include "motcua-dossier.h"

G_BEGIN_DECLS

typedef enum {
  MOTCUA_ITEM_DRAFT = 1,
  MOTCUA_ITEM_SIGNED,
  MOTCUA_ITEM_QUEUED,
  MOTCUA_ITEM_SENDING,
  MOTCUA_ITEM_ACCEPTED,         /* 201 from the service: it has the dossier */
  MOTCUA_ITEM_PROCESSING,       /* back-office systems are working on it */
  MOTCUA_ITEM_DONE,             /* every system returned its result */
  MOTCUA_ITEM_REFUSED,          /* a system refused it (TU_CHOI) */
  MOTCUA_ITEM_SUPPLEMENT,       /* a system asks for a supplement */
  MOTCUA_ITEM_REJECTED,         /* the service refused the request (4xx) */
  MOTCUA_ITEM_CANCELLED,
} MotcuaItemState;

const char     *motcua_item_state_name (MotcuaItemState s);   /* "queued" */
MotcuaItemState motcua_item_state_from_name (const char *name);  /* 0: unknown */
/* Vietnamese label for lists: "Đang chờ gửi", … */
const char     *motcua_item_state_label (MotcuaItemState s);
/* TRUE for DONE, REFUSED, REJECTED, CANCELLED (SUPPLEMENT is not final:
 * a supplement moves the dossier on). */
gboolean        motcua_item_state_is_final (MotcuaItemState s);

/* One back-office system's status for an accepted dossier
 * (docs/protocol.md §12). */
typedef struct {
  char  *system;                /* "hoTich", "cuTru", "bhxh", "ldtbxh" */
  int    status;                /* national code: 0,1,2,3,4,5,9,10 */
  char  *status_name;           /* "DA_TIEP_NHAN", … */
  char  *reason;                /* refusal / supplement reason, or NULL */
  char **missing;               /* JSON Pointers asked for, or NULL */
  gint64 updated_at;            /* unix seconds */
} MotcuaSystemStatus;

typedef struct {
  gint64  id;                   /* local row id */
  char   *transaction_id;       /* lowercase UUID */
  MotcuaProcedure procedure;
  MotcuaItemState state;
  char   *unit;                 /* receiving unit code */
  char   *actor;                /* who created it (clerk/device id) */
  char   *dossier_id;           /* the service's id once accepted, else NULL */
  gint64  created_at;           /* unix seconds */
  gint64  state_since;          /* when it entered its state */
  gint64  final_at;             /* when it reached a final state, or 0 */
  guint   attempts;             /* send attempts so far */
  gint64  next_attempt_at;      /* QUEUED: not before this */
  char   *last_error_code;      /* e.g. "network", "service.busy", or NULL */
  char   *last_error_message;
  gboolean purged;              /* personal data removed by retention */
  GPtrArray *systems;           /* MotcuaSystemStatus, may be empty */
} MotcuaQueueItem;

void motcua_queue_item_free (MotcuaQueueItem *item);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MotcuaQueueItem, motcua_queue_item_free)
/* The item as JSON (no personal data); a new node. */
JsonNode *motcua_queue_item_to_json (const MotcuaQueueItem *item);

typedef struct _MotcuaQueue MotcuaQueue;

/* Opens (creating when absent, mode 0600) the queue at @path.  The first
 * open makes a data key and stores it wrapped by @key; later opens need the
 * same device key (MOTCUA_ERROR_QUEUE_KEY otherwise).  Items left SENDING
 * go back to QUEUED. */
MotcuaQueue *motcua_queue_open (const char *path, MotcuaDeviceKey *key, GError **error);
void         motcua_queue_close (MotcuaQueue *q);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MotcuaQueue, motcua_queue_close)
const char  *motcua_queue_get_path (MotcuaQueue *q);

/* A new DRAFT with a new transaction id; the dossier file bytes and the
 * subject's name are stored encrypted.  *id_out gets the row id. */
gboolean motcua_queue_add_draft (MotcuaQueue *q, MotcuaDossier *dossier, const char *actor,
                                 gint64 *id_out, GError **error);
/* DRAFT → SIGNED: stores the request body to send (the envelope,
 * motcua-envelope.h), encrypted.  The body's transactionId must be the
 * item's. */
gboolean motcua_queue_set_signed (MotcuaQueue *q, gint64 id, GBytes *request_body,
                                  const char *actor, GError **error);
/* SIGNED → QUEUED, due now. */
gboolean motcua_queue_release (MotcuaQueue *q, gint64 id, const char *actor, GError **error);

/* The item, or NULL with MOTCUA_ERROR_NOT_FOUND. @key: a row id ("17"),
 * a transaction id or a service dossier id. */
MotcuaQueueItem *motcua_queue_get (MotcuaQueue *q, const char *key, GError **error);
MotcuaQueueItem *motcua_queue_get_by_id (MotcuaQueue *q, gint64 id, GError **error);
/* The decrypted dossier / request body / subject name.  MOTCUA_ERROR_PURGED
 * after retention. */
MotcuaDossier *motcua_queue_load_dossier (MotcuaQueue *q, gint64 id, GError **error);
GBytes       *motcua_queue_load_request (MotcuaQueue *q, gint64 id, GError **error);
char         *motcua_queue_load_subject (MotcuaQueue *q, gint64 id, GError **error);

typedef struct {
  MotcuaItemState state;        /* 0: any */
  MotcuaProcedure procedure;    /* 0: any */
  gint64 created_from;          /* unix seconds, 0: no bound */
  gint64 created_to;            /* exclusive, 0: no bound */
  gint64 stuck_since;           /* >0: only non-final items in their state since before this */
  guint  limit;                 /* 0: no limit */
} MotcuaQueueFilter;

/* Items matching @filter (NULL: all), newest first. */
GPtrArray *motcua_queue_list (MotcuaQueue *q, const MotcuaQueueFilter *filter, GError **error);
/* Count per state: counts[state] for state 1..MOTCUA_ITEM_CANCELLED. */
gboolean   motcua_queue_count (MotcuaQueue *q, guint counts[MOTCUA_ITEM_CANCELLED + 1],
                               GError **error);

/* For a syncer: claims up to @max QUEUED items due at @now (oldest first),
 * moving them to SENDING.  A stuck item (many failures) has a later
 * next_attempt_at and so never blocks others. */
GPtrArray *motcua_queue_claim (MotcuaQueue *q, gint64 now, guint max, GError **error);
/* Earliest next_attempt_at among QUEUED items, or 0 when none. */
gint64     motcua_queue_next_due (MotcuaQueue *q, GError **error);
/* SENDING → ACCEPTED with the service's dossier id. */
gboolean   motcua_queue_mark_accepted (MotcuaQueue *q, gint64 id, const char *dossier_id,
                                       GError **error);
/* SENDING → QUEUED after a failed attempt: attempts+1, next attempt after
 * the back-off (motcua-backoff.h) or @retry_after seconds when the service
 * said so (whichever is later). */
gboolean   motcua_queue_mark_retry (MotcuaQueue *q, gint64 id, gint64 now, const char *code,
                                    const char *message, gint64 retry_after, GError **error);
/* SENDING → REJECTED: the service refused the request; not retried. */
gboolean   motcua_queue_mark_rejected (MotcuaQueue *q, gint64 id, const char *code,
                                       const char *message, GError **error);
/* Records one system's status for the accepted item with @dossier_id and
 * recomputes the item's state: any TU_CHOI → REFUSED, else any
 * YEU_CAU_BO_SUNG → SUPPLEMENT, else every system DA_TRA_KET_QUA → DONE,
 * else PROCESSING.  Unknown dossier ids are ignored (TRUE). */
gboolean   motcua_queue_update_system (MotcuaQueue *q, const char *dossier_id,
                                       const MotcuaSystemStatus *status, GError **error);

/* Manual retry: QUEUED → due now (attempt counter kept). */
gboolean   motcua_queue_retry (MotcuaQueue *q, gint64 id, const char *actor, GError **error);
/* DRAFT, SIGNED or QUEUED → CANCELLED.  An item being sent or already at
 * the service cannot be cancelled (MOTCUA_ERROR_BAD_STATE). */
gboolean   motcua_queue_cancel (MotcuaQueue *q, gint64 id, const char *actor, GError **error);

/* The changes-feed cursor (docs/protocol.md §14), "" when never polled. */
char      *motcua_queue_get_cursor (MotcuaQueue *q, GError **error);
gboolean   motcua_queue_set_cursor (MotcuaQueue *q, const char *cursor, GError **error);

/* Deletes personal data of items final for more than @days days at @now;
 * *purged (may be NULL) gets how many. */
gboolean   motcua_queue_purge (MotcuaQueue *q, gint64 now, guint days, guint *purged,
                               GError **error);

/* Appends an audit entry (also done by every state change above). */
gboolean   motcua_queue_audit (MotcuaQueue *q, gint64 item_id, const char *actor,
                               const char *action, const char *detail, GError **error);
/* Walks the hash chain: MOTCUA_ERROR_AUDIT_BROKEN with the first bad
 * entry's number when a row was changed, removed or inserted. */
gboolean   motcua_queue_verify_audit (MotcuaQueue *q, guint *entries, GError **error);
/* The audit log as JSON array (no personal data). */
JsonNode  *motcua_queue_audit_to_json (MotcuaQueue *q, gint64 item_id /* 0: all */,
                                       GError **error);

G_END_DECLS
