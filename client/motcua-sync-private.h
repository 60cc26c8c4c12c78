/* motcua-sync-private.h — pieces shared by motcua-sync*.c (not installed)
 *
 * MotcuaSyncHttp is one libcurl multi handle with its connection pool, the
 * mutual-TLS options and the bearer token.  Requests are started with
 * motcua_sync_http_start() and collected, one finished request at a time,
 * with motcua_sync_http_next_done(); motcua_sync_http_call() is the blocking
 * form (it runs the same multi, so it reuses the same connections, and
 * keeps whatever else finished meanwhile for next_done).
 *
 * Not thread-safe: one MotcuaSyncHttp per thread. */
#pragma once

#include <curl/curl.h>
#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "motcua-error.h"
#include "motcua-sync.h"

G_BEGIN_DECLS

typedef struct _MotcuaSyncHttp MotcuaSyncHttp;

typedef struct {
  /* what to send */
  char     *method;             /* "GET" or "POST" */
  char     *path;               /* "/v1/dossiers", already escaped */
  GBytes   *body;               /* POST body (JSON) or NULL */
  char     *idempotency_key;    /* header, or NULL */
  gint64    item_id;            /* queue item, 0 for other requests */
  guint     token_retries;      /* resends after an auth.* answer so far */

  /* what came back */
  CURLcode  curl_code;          /* CURLE_OK when an answer arrived */
  char      curl_error[CURL_ERROR_SIZE];
  gboolean  request_sent;       /* the whole body left before a failure */
  long      status;             /* HTTP status, 0 when none */
  GByteArray *answer;           /* body bytes */
  gint64    retry_after;        /* Retry-After in seconds, 0 when absent */
  gboolean  replay;             /* Idempotent-Replay: true */
  JsonNode *json;               /* the answer parsed, or NULL */
  const char *error_code;       /* /error/code of the answer, or NULL */

  /* private */
  CURL     *easy;
  struct curl_slist *headers;
  guint     token_generation;
} MotcuaSyncRequest;

MotcuaSyncRequest *motcua_sync_request_new (const char *method, const char *path, GBytes *body);
void               motcua_sync_request_free (MotcuaSyncRequest *r);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MotcuaSyncRequest, motcua_sync_request_free)

/* The error of a finished request without a usable answer, as a
 * MOTCUA_ERROR (network, TLS, busy, service error, refused, auth). */
void motcua_sync_request_to_error (const MotcuaSyncRequest *r, GError **error);
/* TRUE when the request is refused because the device is not admitted
 * (TLS handshake failures, 403 tls.* or device.not_allowed). */
gboolean motcua_sync_request_is_device_refused (const MotcuaSyncRequest *r);
/* TRUE for a 401 whose code says: get a new token and resend once. */
gboolean motcua_sync_request_wants_token (const MotcuaSyncRequest *r);

MotcuaSyncHttp *motcua_sync_http_new (const MotcuaSyncConfig *config, GError **error);
void            motcua_sync_http_free (MotcuaSyncHttp *h);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MotcuaSyncHttp, motcua_sync_http_free)

/* Gets a bearer token when there is none, it has less than 60 s left, or
 * @force (after an auth.* answer to a request made with the current
 * token: @generation is that request's token_generation, 0 = any).
 * Blocking. */
gboolean motcua_sync_http_ensure_token (MotcuaSyncHttp *h, gboolean force, guint generation,
                                        GError **error);
/* Drops the token so that the next request fetches one (tests). */
void     motcua_sync_http_forget_token (MotcuaSyncHttp *h);
/* The Retry-After of the last token request refused with 429/503 (0:
 * none), then forgotten. */
gint64   motcua_sync_http_take_retry_after (MotcuaSyncHttp *h);
/* How many tokens were fetched so far. */
guint    motcua_sync_http_tokens_fetched (MotcuaSyncHttp *h);

/* Starts @r (taken over) with the current token; never blocks. */
void     motcua_sync_http_start (MotcuaSyncHttp *h, MotcuaSyncRequest *r);
guint    motcua_sync_http_in_flight (MotcuaSyncHttp *h);
/* Waits for the next finished request (the caller owns it); NULL when
 * none is in flight. */
MotcuaSyncRequest *motcua_sync_http_next_done (MotcuaSyncHttp *h);

/* Blocking request with a token (fetched as needed; on auth.token_expired
 * or auth.token_invalid a new one and one resend).  Returns the finished
 * request (any status), or NULL with @error when no token could be had. */
MotcuaSyncRequest *motcua_sync_http_call (MotcuaSyncHttp *h, const char *method,
                                          const char *path, GBytes *body, GError **error);

/* Called for each queue item whose state a feed event may have changed. */
typedef void (*MotcuaSyncItemFunc) (gpointer user_data, gint64 id, MotcuaItemState state);

/* The changes feed (motcua-sync-status.c): every page since the queue's
 * cursor, applied with motcua_queue_update_system, the cursor stored after
 * each page.  *updates counts the system statuses recorded; @changed (may
 * be NULL) is told each item touched. */
gboolean motcua_sync_poll_changes (MotcuaSyncHttp *h, MotcuaQueue *q, guint *updates,
                                   MotcuaSyncItemFunc changed, gpointer user_data,
                                   GError **error);

/* motcua-sync.c: the caller's HTTP handle (and, when @queue is not NULL,
 * the caller's queue connection, opened on first use), locked for one
 * blocking call; NULL with @error when the queue does not open. */
MotcuaSyncHttp *motcua_sync_caller_lock (MotcuaSync *self, gboolean http_only,
                                         MotcuaQueue **queue, GError **error);
void            motcua_sync_caller_unlock (MotcuaSync *self);
/* Records whether @r got an answer (online) and emits "online-changed". */
void            motcua_sync_note_answer (MotcuaSync *self, const MotcuaSyncRequest *r);
void            motcua_sync_set_online (MotcuaSync *self, gboolean online);
/* One "systems" array member or change event as a system status; FALSE
 * when it lacks the system, status or code. */
gboolean motcua_sync_status_from_json (JsonObject *o, const char *time_member,
                                       MotcuaSystemStatus *out);
void     motcua_sync_status_clear (MotcuaSystemStatus *s);

/* ------------------------------------------------------------ the object */

struct _MotcuaSync {
  GObject parent_instance;

  MotcuaSyncConfig config;
  char            *queue_path;
  MotcuaDeviceKey *key;          /* not owned; NULL: no queue (fetch_* only) */

  GMutex           caller_lock;  /* the caller's http + queue */
  MotcuaSyncHttp  *http;
  MotcuaQueue     *queue;

  GMutex           lock;         /* everything below */
  GCond            cond;
  GThread         *thread;
  gboolean         stopping;
  gboolean         woken;
  gboolean         online;
  gint64           not_before;   /* unix s: no request before (Retry-After) */
  GMainContext    *signal_ctx;   /* of the caller of start(), or NULL */
  MotcuaSyncClock  clock;
  gpointer         clock_data;

  GNetworkMonitor *monitor;
  gulong           monitor_id;
};

gint64       motcua_sync_now (MotcuaSync *self);        /* the clock (set_clock) */
gboolean     motcua_sync_stopping (MotcuaSync *self);
void         motcua_sync_item_changed (gpointer self, gint64 id, MotcuaItemState state);
MotcuaQueue *motcua_sync_open_queue (MotcuaSync *self, GError **error);
/* One pass (motcua-sync-pass.c): sends what is due, then, when @poll,
 * the changes feed. */
gboolean     motcua_sync_pass (MotcuaSync *self, MotcuaQueue *q, MotcuaSyncHttp *h,
                               MotcuaSyncStats *stats, gboolean poll, GError **error);

G_END_DECLS
