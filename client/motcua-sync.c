/* motcua-sync.c — the syncer: passes over the queue, its thread, signals
 *
 * A pass claims the items due now and keeps up to max_parallel
 * submissions in flight on one libcurl multi handle (motcua-sync-http.c),
 * refilling as each answer comes back, and maps each answer to a queue
 * transition (docs/protocol.md §8, §9, §17.3, §18):
 *   201/200 (a replay too)          → ACCEPTED with the dossier id
 *   401 auth.token_expired/invalid  → new token, the same bytes once more
 *   409 dossier.transaction_conflict, other 4xx → REJECTED with the code
 *   403 tls.* / device.not_allowed  → back to QUEUED, and the pass stops
 *   429/503                         → QUEUED after Retry-After; the whole
 *                                     service is left alone until then
 *   5xx, no answer, timeouts        → QUEUED with the back-off
 * An answer lost after the request left (a dropped connection, a killed
 * process) is not a failure of the dossier: the resend carries the same
 * bytes and the service answers it as a replay.  Then the changes feed
 * is polled (motcua-sync-status.c).
 *
 * The caller's blocking calls (run_once, fetch_*) use one HTTP handle and
 * queue connection under caller_lock; the background thread has its own. */
#define G_LOG_DOMAIN "motcua-sync"

#include <gio/gio.h>
#include <glib/gi18n.h>
#include <string.h>

#include "motcua-sync-private.h"

G_DEFINE_FINAL_TYPE (MotcuaSync, motcua_sync, G_TYPE_OBJECT)

enum { SIGNAL_ITEM_CHANGED, SIGNAL_ONLINE_CHANGED, N_SIGNALS };
static guint signals[N_SIGNALS];

/* One queue open at a time: opening unwraps the data key with the device
 * key, which is not known to be thread-safe. */
static GMutex open_lock;

void
motcua_sync_config_clear (MotcuaSyncConfig *c)
{
  if (c == NULL)
    return;
  g_clear_pointer (&c->service_url, g_free);
  g_clear_pointer (&c->service_ca, g_free);
  g_clear_pointer (&c->client_cert, g_free);
  g_clear_pointer (&c->client_key, g_free);
}

/* ------------------------------------------------------------ signals */

typedef struct {
  MotcuaSync *self;
  guint       signal;
  gint64      id;
  int         state;
  gboolean    online;
} Emission;

static gboolean
emission_run (gpointer data)
{
  Emission *e = data;
  if (e->signal == SIGNAL_ITEM_CHANGED)
    g_signal_emit (e->self, signals[SIGNAL_ITEM_CHANGED], 0, e->id, e->state);
  else
    g_signal_emit (e->self, signals[SIGNAL_ONLINE_CHANGED], 0, e->online);
  return G_SOURCE_REMOVE;
}

static void
emission_free (gpointer data)
{
  Emission *e = data;
  g_object_unref (e->self);
  g_free (e);
}

static void
sync_emit (MotcuaSync *self, Emission e)
{
  g_mutex_lock (&self->lock);
  GMainContext *ctx = self->signal_ctx ? g_main_context_ref (self->signal_ctx) : NULL;
  g_mutex_unlock (&self->lock);
  Emission *copy = g_memdup2 (&e, sizeof e);
  copy->self = g_object_ref (self);
  if (ctx == NULL)
    {
      /* Not started: we are in the caller's own thread (run_once). */
      emission_run (copy);
      emission_free (copy);
      return;
    }
  g_main_context_invoke_full (ctx, G_PRIORITY_DEFAULT, emission_run, copy, emission_free);
  g_main_context_unref (ctx);
}

void
motcua_sync_item_changed (gpointer data, gint64 id, MotcuaItemState state)
{
  sync_emit (data, (Emission) { .signal = SIGNAL_ITEM_CHANGED, .id = id, .state = state });
}

void
motcua_sync_note_answer (MotcuaSync *self, const MotcuaSyncRequest *r)
{
  motcua_sync_set_online (self, r->curl_code == CURLE_OK && r->status != 0);
}

void
motcua_sync_set_online (MotcuaSync *self, gboolean online)
{
  g_mutex_lock (&self->lock);
  gboolean changed = online != self->online;
  self->online = online;
  g_mutex_unlock (&self->lock);
  if (changed)
    sync_emit (self, (Emission) { .signal = SIGNAL_ONLINE_CHANGED, .online = online });
}

/* ------------------------------------------------------------ object */

static void
motcua_sync_finalize (GObject *object)
{
  MotcuaSync *self = MOTCUA_SYNC (object);
  motcua_sync_stop (self);
  motcua_sync_http_free (self->http);
  g_clear_pointer (&self->queue, motcua_queue_close);
  motcua_sync_config_clear (&self->config);
  g_free (self->queue_path);
  g_mutex_clear (&self->caller_lock);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->cond);
  G_OBJECT_CLASS (motcua_sync_parent_class)->finalize (object);
}

static void
motcua_sync_class_init (MotcuaSyncClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = motcua_sync_finalize;
  signals[SIGNAL_ITEM_CHANGED] =
    g_signal_new ("item-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 2, G_TYPE_INT64, G_TYPE_INT);
  signals[SIGNAL_ONLINE_CHANGED] =
    g_signal_new ("online-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                  NULL, NULL, G_TYPE_NONE, 1, G_TYPE_BOOLEAN);
}

static void
motcua_sync_init (MotcuaSync *self)
{
  g_mutex_init (&self->caller_lock);
  g_mutex_init (&self->lock);
  g_cond_init (&self->cond);
  self->online = TRUE;   /* until a request says otherwise */
}

/* @key may be NULL: then only fetch_status / fetch_document work (without
 * recording), and no pass runs.  @key is not copied: keep it alive as
 * long as the syncer. */
MotcuaSync *
motcua_sync_new (const MotcuaSyncConfig *config, const char *queue_path, MotcuaDeviceKey *key,
                 GError **error)
{
  g_return_val_if_fail (config != NULL, NULL);
  g_autoptr(MotcuaSyncHttp) http = motcua_sync_http_new (config, error);
  if (http == NULL)
    return NULL;
  if (key != NULL && queue_path == NULL)
    {
      motcua_error_set (error, MOTCUA_ERROR_CONFIG, "queue");
      return NULL;
    }
  MotcuaSync *self = g_object_new (MOTCUA_TYPE_SYNC, NULL);
  self->config.service_url = g_strdup (config->service_url);
  self->config.service_ca = g_strdup (config->service_ca);
  self->config.client_cert = g_strdup (config->client_cert);
  self->config.client_key = g_strdup (config->client_key);
  self->config.max_parallel = CLAMP (config->max_parallel ? config->max_parallel : 4, 1, 64);
  self->config.poll_interval_s = config->poll_interval_s ? MAX (config->poll_interval_s, 5) : 30;
  self->config.timeout_s = config->timeout_s ? config->timeout_s : 30;
  self->queue_path = g_strdup (queue_path);
  self->key = key;
  self->http = g_steal_pointer (&http);
  return self;
}

void
motcua_sync_set_clock (MotcuaSync *self, MotcuaSyncClock clock, gpointer user_data)
{
  g_return_if_fail (MOTCUA_IS_SYNC (self));
  g_mutex_lock (&self->lock);
  self->clock = clock;
  self->clock_data = user_data;
  g_mutex_unlock (&self->lock);
}

gint64
motcua_sync_now (MotcuaSync *self)
{
  g_mutex_lock (&self->lock);
  MotcuaSyncClock clock = self->clock;
  gpointer data = self->clock_data;
  g_mutex_unlock (&self->lock);
  return clock ? clock (data) : g_get_real_time () / G_USEC_PER_SEC;
}

MotcuaQueue *
motcua_sync_open_queue (MotcuaSync *self, GError **error)
{
  if (self->key == NULL)
    {
      motcua_error_set (error, MOTCUA_ERROR_CONFIG, _("chưa có khoá thiết bị (no device key)"));
      return NULL;
    }
  g_mutex_lock (&open_lock);
  MotcuaQueue *q = motcua_queue_open (self->queue_path, self->key, error);
  g_mutex_unlock (&open_lock);
  return q;
}

MotcuaSyncHttp *
motcua_sync_caller_lock (MotcuaSync *self, gboolean http_only, MotcuaQueue **queue,
                         GError **error)
{
  g_mutex_lock (&self->caller_lock);
  if (queue)
    *queue = NULL;
  if (!http_only && self->queue == NULL && self->key != NULL)
    {
      self->queue = motcua_sync_open_queue (self, error);
      if (self->queue == NULL)
        {
          g_mutex_unlock (&self->caller_lock);
          return NULL;
        }
    }
  if (queue && !http_only)
    *queue = self->queue;
  return self->http;
}

void
motcua_sync_caller_unlock (MotcuaSync *self)
{
  g_mutex_unlock (&self->caller_lock);
}

gboolean
motcua_sync_stopping (MotcuaSync *self)
{
  g_mutex_lock (&self->lock);
  gboolean s = self->stopping;
  g_mutex_unlock (&self->lock);
  return s;
}


/* ------------------------------------------------------------ the thread */

static void
sync_sleep (MotcuaSync *self, gint64 seconds)
{
  gint64 until = g_get_monotonic_time () + seconds * G_USEC_PER_SEC;
  g_mutex_lock (&self->lock);
  while (!self->stopping && !self->woken)
    if (!g_cond_wait_until (&self->cond, &self->lock, until))
      break;
  self->woken = FALSE;
  g_mutex_unlock (&self->lock);
}

/* Seconds until something is worth a pass: an item due, the next feed
 * poll, the end of a Retry-After. */
static gint64
sync_next_wake (MotcuaSync *self, MotcuaQueue *q, gint64 next_poll_mono)
{
  gint64 now = motcua_sync_now (self);
  gint64 wait = (next_poll_mono - g_get_monotonic_time ()) / G_USEC_PER_SEC + 1;
  g_autoptr(GError) error = NULL;
  gint64 due = motcua_queue_next_due (q, &error);
  if (due > 0)
    wait = MIN (wait, due - now);
  g_mutex_lock (&self->lock);
  gint64 not_before = self->not_before;
  g_mutex_unlock (&self->lock);
  if (not_before > now)
    wait = MAX (wait, not_before - now);
  return CLAMP (wait, 0, 3600);
}

static gpointer
sync_thread (gpointer data)
{
  MotcuaSync *self = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(MotcuaSyncHttp) h = motcua_sync_http_new (&self->config, &error);
  MotcuaQueue *q = NULL;
  gint64 next_poll = 0;
  while (h && !motcua_sync_stopping (self))
    {
      if (q == NULL && (q = motcua_sync_open_queue (self, &error)) == NULL)
        {
          g_warning ("%s", error->message);
          g_clear_error (&error);
          sync_sleep (self, 30);
          continue;
        }
      gboolean poll = g_get_monotonic_time () >= next_poll;
      MotcuaSyncStats st = { 0 };
      if (!motcua_sync_pass (self, q, h, &st, poll, &error))
        {
          g_warning ("%s", error->message);
          g_clear_error (&error);
          /* A queue error: reopen after a while. */
          g_clear_pointer (&q, motcua_queue_close);
          sync_sleep (self, 5);
          continue;
        }
      if (poll)
        next_poll = g_get_monotonic_time () + self->config.poll_interval_s * G_USEC_PER_SEC;
      if (st.sent || st.status_updates)
        g_message ("sync: %u sent, %u accepted, %u retried, %u rejected, %u statuses",
                   st.sent, st.accepted, st.retried, st.rejected, st.status_updates);
      gint64 wait = sync_next_wake (self, q, next_poll);
      if (wait > 0)
        sync_sleep (self, wait);
    }
  if (h == NULL)
    g_warning ("%s", error->message);
  g_clear_pointer (&q, motcua_queue_close);
  return NULL;
}

static void
on_network_changed (GNetworkMonitor *monitor, gboolean available, gpointer data)
{
  (void) monitor;
  if (available)
    motcua_sync_wake (data);
}

void
motcua_sync_start (MotcuaSync *self)
{
  g_return_if_fail (MOTCUA_IS_SYNC (self));
  g_return_if_fail (self->key != NULL);
  g_mutex_lock (&self->lock);
  if (self->thread)
    {
      g_mutex_unlock (&self->lock);
      return;
    }
  self->stopping = FALSE;
  self->woken = FALSE;
  self->signal_ctx = g_main_context_ref_thread_default ();
  g_mutex_unlock (&self->lock);
  self->monitor = g_object_ref (g_network_monitor_get_default ());
  self->monitor_id = g_signal_connect (self->monitor, "network-changed",
                                       G_CALLBACK (on_network_changed), self);
  GThread *t = g_thread_new ("motcua-sync", sync_thread, self);
  g_mutex_lock (&self->lock);
  self->thread = t;
  g_mutex_unlock (&self->lock);
}

void
motcua_sync_wake (MotcuaSync *self)
{
  g_return_if_fail (MOTCUA_IS_SYNC (self));
  g_mutex_lock (&self->lock);
  self->woken = TRUE;
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->lock);
}

void
motcua_sync_stop (MotcuaSync *self)
{
  g_return_if_fail (MOTCUA_IS_SYNC (self));
  g_mutex_lock (&self->lock);
  GThread *t = g_steal_pointer (&self->thread);
  self->stopping = TRUE;
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->lock);
  if (t)
    g_thread_join (t);
  if (self->monitor)
    {
      g_clear_signal_handler (&self->monitor_id, self->monitor);
      g_clear_object (&self->monitor);
    }
  g_mutex_lock (&self->lock);
  g_clear_pointer (&self->signal_ctx, g_main_context_unref);
  g_mutex_unlock (&self->lock);
}

gboolean
motcua_sync_is_online (MotcuaSync *self)
{
  g_return_val_if_fail (MOTCUA_IS_SYNC (self), FALSE);
  g_mutex_lock (&self->lock);
  gboolean online = self->online;
  g_mutex_unlock (&self->lock);
  return online;
}
