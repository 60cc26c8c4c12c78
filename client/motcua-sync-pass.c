/* motcua-sync-pass.c — one pass: send what is due, record each answer
 *
 * The mapping of answers to queue transitions is described at the top of
 * motcua-sync.c.  Up to max_parallel submissions are in flight; each
 * finished one frees a slot that the next claim fills. */
#define G_LOG_DOMAIN "motcua-sync"

#include <glib/gi18n.h>
#include <string.h>

#include "motcua-sync-private.h"

#define DEFAULT_RETRY_AFTER_S 30   /* 429/503 without Retry-After */

typedef struct {
  MotcuaSync      *self;
  MotcuaQueue     *q;
  MotcuaSyncHttp  *h;
  MotcuaSyncStats *stats;
  gint64           now;          /* claims are for items due at the pass start */
  gboolean         halt;         /* claim nothing more in this pass */
  GHashTable      *sent;         /* item ids sent in this pass */
  GError          *error;        /* the first queue error */
} Pass;

static void
pass_queue_error (Pass *p, GError *e)
{
  if (p->error == NULL)
    p->error = e;
  else
    g_error_free (e);
  p->halt = TRUE;
}

static void
pass_retry (Pass *p, gint64 id, const char *code, const char *message, gint64 retry_after)
{
  GError *e = NULL;
  if (!motcua_queue_mark_retry (p->q, id, motcua_sync_now (p->self), code, message,
                                retry_after, &e))
    {
      pass_queue_error (p, e);
      return;
    }
  p->stats->retried++;
  motcua_sync_item_changed (p->self, id, MOTCUA_ITEM_QUEUED);
}

static void
pass_reject (Pass *p, gint64 id, const char *code, const char *message)
{
  GError *e = NULL;
  if (!motcua_queue_mark_rejected (p->q, id, code, message, &e))
    {
      pass_queue_error (p, e);
      return;
    }
  p->stats->rejected++;
  motcua_sync_item_changed (p->self, id, MOTCUA_ITEM_REJECTED);
}

static void
pass_accept (Pass *p, gint64 id, const char *dossier_id)
{
  GError *e = NULL;
  if (!motcua_queue_mark_accepted (p->q, id, dossier_id, &e))
    {
      pass_queue_error (p, e);
      return;
    }
  p->stats->accepted++;
  motcua_sync_item_changed (p->self, id, MOTCUA_ITEM_ACCEPTED);
}

/* The service's message for an error answer (Vietnamese, not personal). */
static const char *
answer_message (const MotcuaSyncRequest *r)
{
  if (r->json == NULL || !JSON_NODE_HOLDS_OBJECT (r->json))
    return NULL;
  JsonObject *o = json_node_get_object (r->json);
  JsonNode *e = json_object_get_member (o, "error");
  if (e == NULL || !JSON_NODE_HOLDS_OBJECT (e))
    return NULL;
  return json_object_get_string_member_with_default (json_node_get_object (e), "message", NULL);
}

/* The dossier id of a 201 (or its replay), checked against the request. */
static const char *
answer_dossier_id (const MotcuaSyncRequest *r)
{
  if (r->json == NULL || !JSON_NODE_HOLDS_OBJECT (r->json))
    return NULL;
  JsonObject *o = json_node_get_object (r->json);
  const char *id = json_object_get_string_member_with_default (o, "dossierId", NULL);
  const char *tx = json_object_get_string_member_with_default (o, "transactionId", NULL);
  if (id == NULL || *id == '\0' || strlen (id) > 64 || tx == NULL
      || (r->idempotency_key && g_ascii_strcasecmp (tx, r->idempotency_key) != 0))
    return NULL;
  return id;
}

/* Records one finished submission; TRUE when @r was started again (a
 * resend after a new token) and must not be freed. */
static gboolean
pass_handle (Pass *p, MotcuaSyncRequest *r)
{
  gint64 id = r->item_id;
  motcua_sync_note_answer (p->self, r);
  if (r->curl_code != CURLE_OK)
    {
      /* No answer.  Sent or not, the resend is safe (same bytes). */
      MotcuaErrorCode code = motcua_sync_request_is_device_refused (r) ? MOTCUA_ERROR_TLS
                                                                       : MOTCUA_ERROR_NETWORK;
      if (code == MOTCUA_ERROR_TLS)
        p->halt = TRUE;
      pass_retry (p, id, motcua_error_code_name (code), r->curl_error[0] ? r->curl_error
                  : curl_easy_strerror (r->curl_code), 0);
      return FALSE;
    }
  if (motcua_sync_request_wants_token (r) && r->token_retries == 0)
    {
      g_autoptr(GError) e = NULL;
      if (motcua_sync_http_ensure_token (p->h, TRUE, r->token_generation, &e))
        {
          r->token_retries++;
          motcua_sync_http_start (p->h, r);
          p->stats->sent++;
          return TRUE;
        }
      p->halt = TRUE;
      pass_retry (p, id, motcua_error_code_name (e->code), e->message, 0);
      return FALSE;
    }
  const char *svc_code = r->error_code;
  const char *message = answer_message (r);
  switch (r->status)
    {
    case 200:
    case 201:
      {
        const char *dossier_id = answer_dossier_id (r);
        if (dossier_id)
          pass_accept (p, id, dossier_id);
        else
          pass_retry (p, id, motcua_error_code_name (MOTCUA_ERROR_SERVICE_PROTOCOL),
                      "201 without a matching dossierId", 0);
        return FALSE;
      }
    case 429:
    case 503:
      {
        /* Overload is service-wide: nothing more until Retry-After. */
        gint64 wait = r->retry_after > 0 ? r->retry_after : DEFAULT_RETRY_AFTER_S;
        gint64 now = motcua_sync_now (p->self);
        g_mutex_lock (&p->self->lock);
        p->self->not_before = MAX (p->self->not_before, now + wait);
        g_mutex_unlock (&p->self->lock);
        p->halt = TRUE;
        pass_retry (p, id, svc_code ? svc_code : "service.busy", message, wait);
        return FALSE;
      }
    default:
      break;
    }
  if (motcua_sync_request_is_device_refused (r) || r->status == 401)
    {
      /* The device is not admitted, or a token that fails twice: the
       * dossier is fine, the device is not.  Keep it; tell the operator. */
      p->halt = TRUE;
      g_warning ("the service refuses this device: HTTP %ld %s", r->status,
                 svc_code ? svc_code : "");
      pass_retry (p, id, svc_code ? svc_code : "service.auth", message, 0);
      return FALSE;
    }
  if (r->status >= 400 && r->status < 500)
    {
      g_autofree char *fallback = g_strdup_printf ("http.%ld", r->status);
      pass_reject (p, id, svc_code ? svc_code : fallback, message);
      return FALSE;
    }
  /* 5xx, or a status the protocol does not have: resend later. */
  g_autofree char *fallback = g_strdup_printf ("http.%ld", r->status);
  pass_retry (p, id, svc_code ? svc_code : fallback, message, 0);
  return FALSE;
}

/* Claims and starts submissions until max_parallel are in flight. */
static void
pass_fill (Pass *p)
{
  guint max = p->self->config.max_parallel;
  while (!p->halt && !motcua_sync_stopping (p->self)
         && motcua_sync_http_in_flight (p->h) < max)
    {
      GError *e = NULL;
      g_autoptr(GPtrArray) items = motcua_queue_claim (p->q, p->now,
                                                       max - motcua_sync_http_in_flight (p->h),
                                                       &e);
      if (items == NULL)
        {
          pass_queue_error (p, e);
          return;
        }
      if (items->len == 0)
        return;
      for (guint i = 0; i < items->len; i++)
        {
          MotcuaQueueItem *item = g_ptr_array_index (items, i);
          if (g_hash_table_contains (p->sent, &item->id))
            {
              /* Due again within the pass (a zero back-off): next pass. */
              pass_retry (p, item->id, item->last_error_code, item->last_error_message, 1);
              p->halt = TRUE;
              continue;
            }
          g_hash_table_add (p->sent, g_memdup2 (&item->id, sizeof item->id));
          g_autoptr(GBytes) body = motcua_queue_load_request (p->q, item->id, &e);
          if (body == NULL)
            {
              /* Unreadable or missing request bytes never get better. */
              pass_reject (p, item->id, motcua_error_code_name (e->code), e->message);
              g_clear_error (&e);
              continue;
            }
          MotcuaSyncRequest *r = motcua_sync_request_new ("POST", "/v1/dossiers", body);
          r->item_id = item->id;
          r->idempotency_key = g_strdup (item->transaction_id);
          motcua_sync_http_start (p->h, r);
          p->stats->sent++;
          motcua_sync_item_changed (p->self, item->id, MOTCUA_ITEM_SENDING);
        }
    }
}

gboolean
motcua_sync_pass (MotcuaSync *self, MotcuaQueue *q, MotcuaSyncHttp *h, MotcuaSyncStats *stats,
                  gboolean poll, GError **error)
{
  Pass p = { .self = self, .q = q, .h = h, .stats = stats, .now = motcua_sync_now (self) };
  g_mutex_lock (&self->lock);
  gint64 not_before = self->not_before;
  g_mutex_unlock (&self->lock);
  if (p.now < not_before)
    return TRUE;   /* the service asked us to wait */

  g_autoptr(GError) token_error = NULL;
  if (!motcua_sync_http_ensure_token (h, FALSE, 0, &token_error))
    {
      /* Offline or not admitted: nothing was claimed, nothing to record. */
      g_debug ("no token: %s", token_error->message);
      gint64 wait = motcua_sync_http_take_retry_after (h);
      if (wait > 0)
        {
          g_mutex_lock (&self->lock);
          self->not_before = MAX (self->not_before, p.now + wait);
          g_mutex_unlock (&self->lock);
        }
      if (token_error->code == MOTCUA_ERROR_NETWORK || token_error->code == MOTCUA_ERROR_TLS)
        motcua_sync_set_online (self, FALSE);
      return TRUE;
    }

  p.sent = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  for (;;)
    {
      pass_fill (&p);
      MotcuaSyncRequest *r = motcua_sync_http_next_done (h);
      if (r == NULL)
        break;
      if (!pass_handle (&p, r))
        motcua_sync_request_free (r);
    }
  g_hash_table_unref (p.sent);
  if (p.error)
    {
      g_propagate_error (error, p.error);
      return FALSE;
    }

  g_mutex_lock (&self->lock);
  not_before = self->not_before;
  g_mutex_unlock (&self->lock);
  if (poll && !p.halt && motcua_sync_now (self) >= not_before)
    {
      g_autoptr(GError) e = NULL;
      if (!motcua_sync_poll_changes (h, q, &stats->status_updates, motcua_sync_item_changed,
                                     self, &e))
        {
          if (e->domain == MOTCUA_ERROR && e->code >= MOTCUA_ERROR_QUEUE_OPEN
              && e->code < MOTCUA_ERROR_NETWORK)
            {
              g_propagate_error (error, g_steal_pointer (&e));
              return FALSE;
            }
          g_debug ("changes feed: %s", e->message);
        }
    }
  return TRUE;
}

gboolean
motcua_sync_run_once (MotcuaSync *self, MotcuaSyncStats *stats, GError **error)
{
  g_return_val_if_fail (MOTCUA_IS_SYNC (self), FALSE);
  MotcuaSyncStats local = { 0 };
  if (stats == NULL)
    stats = &local;
  memset (stats, 0, sizeof *stats);
  if (self->key == NULL)
    {
      motcua_error_set (error, MOTCUA_ERROR_CONFIG, _("chưa có khoá thiết bị (no device key)"));
      return FALSE;
    }
  MotcuaQueue *q = NULL;
  MotcuaSyncHttp *h = motcua_sync_caller_lock (self, FALSE, &q, error);
  if (h == NULL)
    return FALSE;
  gboolean ok = motcua_sync_pass (self, q, h, stats, TRUE, error);
  motcua_sync_caller_unlock (self);
  return ok;
}
