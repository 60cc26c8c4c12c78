/* motcua-sync.h — draining the queue to the liên thông service
 *
 * libcurl multi interface: keep-alive, HTTP/2 when the server offers it,
 * mutual TLS with the device certificate and only the configured service
 * CA trusted; at most @max_parallel requests in flight.  Bearer tokens
 * (docs/protocol.md §5) are fetched and refreshed as needed.  Each pass
 * claims due items, sends them (same bytes every time), records the answer
 * and polls the changes feed for per-system statuses.
 *
 * motcua_sync_run_once() is one blocking pass (CLI `sync --once`, tests).
 * motcua_sync_start() runs passes in its own thread with its own queue
 * connection, sleeping until the next item is due, motcua_sync_wake() is
 * called (new item, manual retry) or the network comes back
 * (GNetworkMonitor); no caller ever blocks on the network.
 * motcua_sync_stop() lets in-flight requests finish (or time out) and
 * joins the thread; an interrupted send is resent on the next start. */
#pragma once

#include <glib-object.h>

#include "motcua-device-key.h"
#include "motcua-queue.h"

G_BEGIN_DECLS

typedef struct {
  char  *service_url;           /* https://host:port, no trailing slash */
  char  *service_ca;            /* PEM: the only CA trusted for the server */
  char  *client_cert;           /* PEM device certificate */
  char  *client_key;            /* PEM device key (or a PKCS#11 URI) */
  guint  max_parallel;          /* default 4 */
  guint  poll_interval_s;       /* changes feed, default 30 */
  guint  timeout_s;             /* per request, default 30 */
} MotcuaSyncConfig;

void motcua_sync_config_clear (MotcuaSyncConfig *c);

typedef struct {
  guint sent;                   /* requests made */
  guint accepted;               /* items now ACCEPTED */
  guint retried;                /* items put back with a back-off */
  guint rejected;               /* items REJECTED */
  guint status_updates;         /* system statuses recorded */
} MotcuaSyncStats;

#define MOTCUA_TYPE_SYNC (motcua_sync_get_type ())
G_DECLARE_FINAL_TYPE (MotcuaSync, motcua_sync, MOTCUA, SYNC, GObject)

/* @queue_path and @key: the thread opens its own connection. */
MotcuaSync *motcua_sync_new (const MotcuaSyncConfig *config, const char *queue_path,
                             MotcuaDeviceKey *key, GError **error);

/* One pass: sends every item due now, then polls the changes feed once.
 * FALSE only when the pass could not run at all (queue, configuration);
 * network failures are recorded on the items and counted in @stats. */
gboolean motcua_sync_run_once (MotcuaSync *self, MotcuaSyncStats *stats, GError **error);

/* Tests: the clock used for due times and back-offs (unix seconds);
 * NULL restores the real clock.  Tokens and sleeps stay on real time. */
typedef gint64 (*MotcuaSyncClock) (gpointer user_data);
void motcua_sync_set_clock (MotcuaSync *self, MotcuaSyncClock clock, gpointer user_data);

/* Background thread; signals are emitted in the thread-default main
 * context of the caller of motcua_sync_start():
 *   "item-changed" (gint64 id, int state)
 *   "online-changed" (gboolean online) */
void     motcua_sync_start (MotcuaSync *self);
void     motcua_sync_wake (MotcuaSync *self);
void     motcua_sync_stop (MotcuaSync *self);
gboolean motcua_sync_is_online (MotcuaSync *self);

/* The status of one dossier straight from the service
 * (GET /v1/dossiers/{id}), recorded in the queue too.  Blocking: for the
 * CLI's `status ID`. */
JsonNode *motcua_sync_fetch_status (MotcuaSync *self, const char *dossier_id, GError **error);

/* A hospital document by code for prefill (GET /v1/birth-certificates/{maGCS}
 * or /v1/death-notices/{maGBT}): the signed XML.  Blocking. */
GBytes   *motcua_sync_fetch_document (MotcuaSync *self, MotcuaProcedure procedure,
                                      const char *code, GError **error);

G_END_DECLS
