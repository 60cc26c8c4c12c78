/* motcua-sync-status.c — statuses from the service: the changes feed
 * (docs/protocol.md §14), one dossier's status (§13) and hospital
 * documents for prefill (§16.3) */
#define G_LOG_DOMAIN "motcua-sync"

#include <glib/gi18n.h>
#include <openssl/crypto.h>
#include <string.h>

#include "motcua-sync-private.h"

#define FEED_LIMIT 500
#define FEED_MAX_PAGES 10000   /* 5 million events: a runaway guard only */

void
motcua_sync_status_clear (MotcuaSystemStatus *s)
{
  g_clear_pointer (&s->system, g_free);
  g_clear_pointer (&s->status_name, g_free);
  g_clear_pointer (&s->reason, g_free);
  g_clear_pointer (&s->missing, g_strfreev);
  memset (s, 0, sizeof *s);
}

static gint64
parse_time (const char *text)
{
  if (text == NULL)
    return 0;
  g_autoptr(GDateTime) dt = g_date_time_new_from_iso8601 (text, NULL);
  return dt ? g_date_time_to_unix (dt) : 0;
}

gboolean
motcua_sync_status_from_json (JsonObject *o, const char *time_member, MotcuaSystemStatus *out)
{
  memset (out, 0, sizeof *out);
  const char *system = json_object_get_string_member_with_default (o, "system", NULL);
  const char *status = json_object_get_string_member_with_default (o, "status", NULL);
  JsonNode *code = json_object_get_member (o, "statusCode");
  if (system == NULL || *system == '\0' || status == NULL || *status == '\0' || code == NULL
      || json_node_get_value_type (code) != G_TYPE_INT64)
    return FALSE;
  out->system = g_strdup (system);
  out->status_name = g_strdup (status);
  out->status = (int) CLAMP (json_node_get_int (code), -1, 1000);
  out->reason = g_strdup (json_object_get_string_member_with_default (o, "reason", NULL));
  out->updated_at = parse_time (json_object_get_string_member_with_default (o, time_member,
                                                                            NULL));
  JsonArray *missing = json_object_has_member (o, "missing")
                       && JSON_NODE_HOLDS_ARRAY (json_object_get_member (o, "missing"))
                       ? json_object_get_array_member (o, "missing") : NULL;
  if (missing && json_array_get_length (missing) > 0)
    {
      GPtrArray *m = g_ptr_array_new ();
      for (guint i = 0; i < json_array_get_length (missing); i++)
        {
          JsonNode *n = json_array_get_element (missing, i);
          if (JSON_NODE_HOLDS_VALUE (n) && json_node_get_value_type (n) == G_TYPE_STRING)
            g_ptr_array_add (m, g_strdup (json_node_get_string (n)));
        }
      g_ptr_array_add (m, NULL);
      out->missing = (char **) g_ptr_array_free (m, FALSE);
    }
  return TRUE;
}

static JsonObject *
answer_object (MotcuaSyncRequest *r)
{
  return r->json && JSON_NODE_HOLDS_OBJECT (r->json) ? json_node_get_object (r->json) : NULL;
}

/* One page of the feed: applied, then the cursor stored. */
static gboolean
feed_apply_page (MotcuaQueue *q, JsonObject *o, guint *updates, gboolean *more,
                 MotcuaSyncItemFunc changed, gpointer user_data, GError **error)
{
  JsonNode *changes = json_object_get_member (o, "changes");
  const char *next = json_object_get_string_member_with_default (o, "nextCursor", NULL);
  if (changes == NULL || !JSON_NODE_HOLDS_ARRAY (changes) || next == NULL || *next == '\0'
      || strlen (next) > 64)
    {
      motcua_error_set (error, MOTCUA_ERROR_SERVICE_PROTOCOL, "/v1/changes");
      return FALSE;
    }
  JsonArray *a = json_node_get_array (changes);
  for (guint i = 0; i < json_array_get_length (a); i++)
    {
      JsonNode *n = json_array_get_element (a, i);
      if (!JSON_NODE_HOLDS_OBJECT (n))
        continue;
      JsonObject *ev = json_node_get_object (n);
      const char *dossier_id = json_object_get_string_member_with_default (ev, "dossierId",
                                                                           NULL);
      MotcuaSystemStatus st;
      if (dossier_id == NULL || !motcua_sync_status_from_json (ev, "at", &st))
        {
          g_debug ("changes feed: event %u without dossier or status skipped", i);
          continue;
        }
      gboolean ok = motcua_queue_update_system (q, dossier_id, &st, error);
      motcua_sync_status_clear (&st);
      if (!ok)
        return FALSE;
      (*updates)++;
      if (changed)
        {
          g_autoptr(MotcuaQueueItem) item = motcua_queue_get (q, dossier_id, NULL);
          if (item)
            changed (user_data, item->id, item->state);
        }
    }
  if (!motcua_queue_set_cursor (q, next, error))
    return FALSE;
  *more = json_object_get_boolean_member_with_default (o, "more", FALSE)
          && json_array_get_length (a) > 0;
  return TRUE;
}

gboolean
motcua_sync_poll_changes (MotcuaSyncHttp *h, MotcuaQueue *q, guint *updates,
                          MotcuaSyncItemFunc changed, gpointer user_data, GError **error)
{
  g_return_val_if_fail (h != NULL && q != NULL && updates != NULL, FALSE);
  for (guint page = 0; page < FEED_MAX_PAGES; page++)
    {
      g_autofree char *cursor = motcua_queue_get_cursor (q, error);
      if (cursor == NULL)
        return FALSE;
      g_autofree char *since = g_uri_escape_string (*cursor ? cursor : "0", NULL, FALSE);
      g_autofree char *path = g_strdup_printf ("/v1/changes?since=%s&limit=%d", since,
                                               FEED_LIMIT);
      g_autoptr(MotcuaSyncRequest) r = motcua_sync_http_call (h, "GET", path, NULL, error);
      if (r == NULL)
        return FALSE;
      if (r->curl_code != CURLE_OK || r->status != 200)
        {
          motcua_sync_request_to_error (r, error);
          return FALSE;
        }
      JsonObject *o = answer_object (r);
      gboolean more = FALSE;
      if (o == NULL)
        {
          motcua_error_set (error, MOTCUA_ERROR_SERVICE_PROTOCOL, "/v1/changes");
          return FALSE;
        }
      if (!feed_apply_page (q, o, updates, &more, changed, user_data, error))
        return FALSE;
      if (!more)
        return TRUE;
    }
  return TRUE;
}

/* ------------------------------------------------------------ one dossier */

JsonNode *
motcua_sync_fetch_status (MotcuaSync *self, const char *dossier_id, GError **error)
{
  g_return_val_if_fail (MOTCUA_IS_SYNC (self), NULL);
  g_return_val_if_fail (dossier_id != NULL && *dossier_id != '\0', NULL);
  g_autofree char *esc = g_uri_escape_string (dossier_id, NULL, FALSE);
  g_autofree char *path = g_strconcat ("/v1/dossiers/", esc, NULL);

  MotcuaQueue *q = NULL;
  MotcuaSyncHttp *h = motcua_sync_caller_lock (self, FALSE, &q, error);
  if (h == NULL)
    return NULL;
  JsonNode *result = NULL;
  g_autoptr(MotcuaSyncRequest) r = motcua_sync_http_call (h, "GET", path, NULL, error);
  if (r == NULL)
    goto out;
  motcua_sync_note_answer (self, r);
  if (r->curl_code != CURLE_OK || r->status != 200 || answer_object (r) == NULL)
    {
      if (r->curl_code == CURLE_OK && r->status == 200)
        motcua_error_set (error, MOTCUA_ERROR_SERVICE_PROTOCOL, "/v1/dossiers/{id}");
      else
        motcua_sync_request_to_error (r, error);
      goto out;
    }
  JsonObject *o = answer_object (r);
  JsonNode *systems = json_object_get_member (o, "systems");
  if (q && systems && JSON_NODE_HOLDS_ARRAY (systems))
    {
      const char *id = json_object_get_string_member_with_default (o, "dossierId", dossier_id);
      JsonArray *a = json_node_get_array (systems);
      for (guint i = 0; i < json_array_get_length (a); i++)
        {
          JsonNode *n = json_array_get_element (a, i);
          MotcuaSystemStatus st;
          if (!JSON_NODE_HOLDS_OBJECT (n)
              || !motcua_sync_status_from_json (json_node_get_object (n), "updatedAt", &st))
            continue;
          gboolean ok = motcua_queue_update_system (q, id, &st, error);
          motcua_sync_status_clear (&st);
          if (!ok)
            goto out;
        }
    }
  result = json_node_ref (r->json);
out:
  motcua_sync_caller_unlock (self);
  return result;
}

/* ------------------------------------------------------------ documents */

GBytes *
motcua_sync_fetch_document (MotcuaSync *self, MotcuaProcedure procedure, const char *code,
                            GError **error)
{
  g_return_val_if_fail (MOTCUA_IS_SYNC (self), NULL);
  g_return_val_if_fail (code != NULL && *code != '\0', NULL);
  g_return_val_if_fail (procedure == MOTCUA_PROCEDURE_BIRTH
                        || procedure == MOTCUA_PROCEDURE_DEATH, NULL);
  g_autofree char *esc = g_uri_escape_string (code, NULL, FALSE);
  g_autofree char *path = g_strconcat (procedure == MOTCUA_PROCEDURE_BIRTH
                                       ? "/v1/birth-certificates/" : "/v1/death-notices/",
                                       esc, NULL);
  MotcuaSyncHttp *h = motcua_sync_caller_lock (self, TRUE, NULL, error);
  if (h == NULL)
    return NULL;
  GBytes *doc = NULL;
  g_autoptr(MotcuaSyncRequest) r = motcua_sync_http_call (h, "GET", path, NULL, error);
  if (r == NULL)
    goto out;
  motcua_sync_note_answer (self, r);
  if (r->curl_code == CURLE_OK && r->status == 404 && r->error_code
      && g_str_equal (r->error_code, "document.not_found"))
    {
      motcua_error_set (error, MOTCUA_ERROR_DOCUMENT_NOT_FOUND, NULL);
      goto out;
    }
  if (r->curl_code != CURLE_OK || r->status != 200)
    {
      motcua_sync_request_to_error (r, error);
      goto out;
    }
  JsonObject *o = answer_object (r);
  const char *b64 = o ? json_object_get_string_member_with_default (o, "document", NULL) : NULL;
  gsize len = 0;
  guchar *raw = b64 && *b64 ? g_base64_decode (b64, &len) : NULL;
  if (raw == NULL || len == 0)
    {
      g_free (raw);
      motcua_error_set (error, MOTCUA_ERROR_SERVICE_PROTOCOL, "document");
      goto out;
    }
  doc = g_bytes_new_take (raw, len);
out:
  /* The answer holds personal data (names in "fields"). */
  if (r)
    OPENSSL_cleanse (r->answer->data, r->answer->len);
  motcua_sync_caller_unlock (self);
  return doc;
}
