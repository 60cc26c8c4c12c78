/* motcua-sync-http.c — libcurl multi transfers to the liên thông service
 *
 * One multi handle per MotcuaSyncHttp: its connection pool is shared by
 * every request (keep-alive), HTTP/2 is asked for over TLS and multiplexed
 * when the server offers it, and at most max_parallel connections go to
 * the service.  Mutual TLS: the device certificate and key, and only the
 * configured service CA (no system store, no CA path).  Bearer tokens per
 * docs/protocol.md §5.  Nothing personal is logged: request bodies and
 * tokens never are. */
#define G_LOG_DOMAIN "motcua-sync"

#include <glib/gi18n.h>
#include <openssl/crypto.h>
#include <string.h>

#include "motcua-sync-private.h"

#define TOKEN_PATH "/v1/auth/token"
#define TOKEN_REFRESH_S 60

struct _MotcuaSyncHttp {
  CURLM   *multi;
  char    *base_url;
  char    *ca;
  char    *cert;
  char    *key;
  guint    timeout_s;
  guint    in_flight;
  GQueue   done;              /* finished MotcuaSyncRequest not yet collected */

  char    *token;             /* secret: wiped when dropped */
  gint64   token_deadline;    /* monotonic µs after which to refresh */
  guint    token_generation;  /* +1 per token fetched */
  gint64   token_retry_after; /* Retry-After of a refused token request */
};

/* ------------------------------------------------------------ requests */

MotcuaSyncRequest *
motcua_sync_request_new (const char *method, const char *path, GBytes *body)
{
  MotcuaSyncRequest *r = g_new0 (MotcuaSyncRequest, 1);
  r->method = g_strdup (method);
  r->path = g_strdup (path);
  r->body = body ? g_bytes_ref (body) : NULL;
  r->answer = g_byte_array_new ();
  return r;
}

static void
request_wipe_headers (MotcuaSyncRequest *r)
{
  /* The Authorization line holds the bearer token. */
  for (struct curl_slist *l = r->headers; l; l = l->next)
    OPENSSL_cleanse (l->data, strlen (l->data));
  curl_slist_free_all (r->headers);
  r->headers = NULL;
}

/* Forgets the answer (before a resend). */
static void
request_reset (MotcuaSyncRequest *r)
{
  r->curl_code = CURLE_OK;
  r->curl_error[0] = '\0';
  r->request_sent = FALSE;
  r->status = 0;
  g_byte_array_set_size (r->answer, 0);
  r->retry_after = 0;
  r->replay = FALSE;
  g_clear_pointer (&r->json, json_node_unref);
  r->error_code = NULL;
}

void
motcua_sync_request_free (MotcuaSyncRequest *r)
{
  if (r == NULL)
    return;
  g_free (r->method);
  g_free (r->path);
  if (r->body)
    {
      /* A submission body holds the dossier: wipe our copy. */
      gsize n = 0;
      gpointer data = g_bytes_unref_to_data (g_steal_pointer (&r->body), &n);
      OPENSSL_cleanse (data, n);
      g_free (data);
    }
  g_free (r->idempotency_key);
  g_byte_array_unref (r->answer);
  g_clear_pointer (&r->json, json_node_unref);
  if (r->easy)
    curl_easy_cleanup (r->easy);
  request_wipe_headers (r);
  g_free (r);
}

static gboolean
curl_code_is_local_tls (CURLcode c)
{
  switch (c)
    {
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED:
    case CURLE_SSL_ENGINE_INITFAILED:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
      return TRUE;
    default:
      return FALSE;
    }
}

gboolean
motcua_sync_request_is_device_refused (const MotcuaSyncRequest *r)
{
  if (r->curl_code != CURLE_OK)
    return curl_code_is_local_tls (r->curl_code);
  return r->status == 403 && r->error_code
         && (g_str_has_prefix (r->error_code, "tls.")
             || g_str_equal (r->error_code, "device.not_allowed"));
}

gboolean
motcua_sync_request_wants_token (const MotcuaSyncRequest *r)
{
  return r->curl_code == CURLE_OK && r->status == 401 && r->error_code
         && (g_str_equal (r->error_code, "auth.token_expired")
             || g_str_equal (r->error_code, "auth.token_invalid"));
}

void
motcua_sync_request_to_error (const MotcuaSyncRequest *r, GError **error)
{
  if (r->curl_code != CURLE_OK)
    {
      MotcuaErrorCode code = curl_code_is_local_tls (r->curl_code)
                             || r->curl_code == CURLE_SSL_CONNECT_ERROR
                             ? MOTCUA_ERROR_TLS : MOTCUA_ERROR_NETWORK;
      motcua_error_set (error, code, "%s",
                        r->curl_error[0] ? r->curl_error : curl_easy_strerror (r->curl_code));
      return;
    }
  const char *svc_code = r->error_code ? r->error_code : "";
  const char *svc_msg = NULL;
  if (r->json && JSON_NODE_HOLDS_OBJECT (r->json))
    {
      JsonObject *e = json_object_get_object_member (json_node_get_object (r->json), "error");
      if (e && json_object_has_member (e, "message"))
        svc_msg = json_object_get_string_member_with_default (e, "message", NULL);
    }
  MotcuaErrorCode code;
  if (r->status == 401)
    code = MOTCUA_ERROR_AUTH;
  else if (motcua_sync_request_is_device_refused (r) && g_str_has_prefix (svc_code, "tls."))
    code = MOTCUA_ERROR_TLS;
  else if (r->status == 429 || r->status == 503)
    code = MOTCUA_ERROR_SERVICE_BUSY;
  else if (r->status >= 500)
    code = MOTCUA_ERROR_SERVICE_ERROR;
  else if (r->status >= 400)
    code = MOTCUA_ERROR_SERVICE_REFUSED;
  else
    code = MOTCUA_ERROR_SERVICE_PROTOCOL;
  motcua_error_set (error, code, "HTTP %ld %s%s%s", r->status, svc_code,
                    svc_msg ? " — " : "", svc_msg ? svc_msg : "");
}

/* ------------------------------------------------------------ callbacks */

static size_t
on_body (char *data, size_t size, size_t nmemb, void *user)
{
  MotcuaSyncRequest *r = user;
  gsize len = size * nmemb;
  /* An answer is small; more than 4 MiB is not the protocol. */
  if (r->answer->len + len > 4 * 1024 * 1024)
    return 0;
  g_byte_array_append (r->answer, (const guint8 *) data, len);
  return len;
}

static gint64
parse_retry_after (const char *value)
{
  guint64 secs;
  if (g_ascii_string_to_unsigned (value, 10, 0, G_MAXINT64, &secs, NULL))
    return (gint64) MIN (secs, 86400);
  time_t when = curl_getdate (value, NULL);
  if (when < 0)
    return 0;
  gint64 d = (gint64) when - g_get_real_time () / G_USEC_PER_SEC;
  return CLAMP (d, 0, 86400);
}

static size_t
on_header (char *data, size_t size, size_t nmemb, void *user)
{
  MotcuaSyncRequest *r = user;
  gsize len = size * nmemb;
  if (len >= 5 && memcmp (data, "HTTP/", 5) == 0)
    {
      /* a new header block (after 100 Continue): forget the earlier one */
      r->retry_after = 0;
      r->replay = FALSE;
      return len;
    }
  const char *colon = memchr (data, ':', len);
  if (colon == NULL)
    return len;
  g_autofree char *name = g_ascii_strdown (data, colon - data);
  g_autofree char *value = g_strndup (colon + 1, len - (gsize) (colon + 1 - data));
  g_strstrip (value);
  if (g_str_equal (name, "retry-after"))
    r->retry_after = parse_retry_after (value);
  else if (g_str_equal (name, "idempotent-replay"))
    r->replay = g_ascii_strcasecmp (value, "true") == 0;
  return len;
}

/* ------------------------------------------------------------ the handle */

MotcuaSyncHttp *
motcua_sync_http_new (const MotcuaSyncConfig *config, GError **error)
{
  g_return_val_if_fail (config != NULL, NULL);
  if (config->service_url == NULL || !g_str_has_prefix (config->service_url, "https://"))
    {
      motcua_error_set (error, MOTCUA_ERROR_CONFIG, "service-url (https://…)");
      return NULL;
    }
  const struct { const char *name, *path; } files[] = {
    { "service-ca", config->service_ca }, { "client-cert", config->client_cert },
    { "client-key", config->client_key },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (files); i++)
    {
      if (files[i].path == NULL)
        {
          motcua_error_set (error, MOTCUA_ERROR_CONFIG, "%s", files[i].name);
          return NULL;
        }
      if (!g_str_has_prefix (files[i].path, "pkcs11:")
          && !g_file_test (files[i].path, G_FILE_TEST_IS_REGULAR))
        {
          motcua_error_set (error, MOTCUA_ERROR_CONFIG, "%s: %s", files[i].name, files[i].path);
          return NULL;
        }
    }
  curl_global_init (CURL_GLOBAL_DEFAULT);
  MotcuaSyncHttp *h = g_new0 (MotcuaSyncHttp, 1);
  h->multi = curl_multi_init ();
  h->base_url = g_strdup (config->service_url);
  while (g_str_has_suffix (h->base_url, "/"))
    h->base_url[strlen (h->base_url) - 1] = '\0';
  h->ca = g_strdup (config->service_ca);
  h->cert = g_strdup (config->client_cert);
  h->key = g_strdup (config->client_key);
  h->timeout_s = config->timeout_s ? config->timeout_s : 30;
  long parallel = config->max_parallel ? config->max_parallel : 4;
  curl_multi_setopt (h->multi, CURLMOPT_MAX_HOST_CONNECTIONS, parallel);
  curl_multi_setopt (h->multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, parallel);
  curl_multi_setopt (h->multi, CURLMOPT_MAXCONNECTS, parallel);
  curl_multi_setopt (h->multi, CURLMOPT_PIPELINING, (long) CURLPIPE_MULTIPLEX);
  g_queue_init (&h->done);
  return h;
}

void
motcua_sync_http_forget_token (MotcuaSyncHttp *h)
{
  if (h->token)
    OPENSSL_cleanse (h->token, strlen (h->token));
  g_clear_pointer (&h->token, g_free);
  h->token_deadline = 0;
}

void
motcua_sync_http_free (MotcuaSyncHttp *h)
{
  if (h == NULL)
    return;
  MotcuaSyncRequest *r;
  while ((r = motcua_sync_http_next_done (h)) != NULL)
    motcua_sync_request_free (r);
  curl_multi_cleanup (h->multi);
  motcua_sync_http_forget_token (h);
  g_free (h->base_url);
  g_free (h->ca);
  g_free (h->cert);
  g_free (h->key);
  g_free (h);
}

gint64
motcua_sync_http_take_retry_after (MotcuaSyncHttp *h)
{
  gint64 s = h->token_retry_after;
  h->token_retry_after = 0;
  return s;
}

guint
motcua_sync_http_tokens_fetched (MotcuaSyncHttp *h)
{
  return h->token_generation;
}

guint
motcua_sync_http_in_flight (MotcuaSyncHttp *h)
{
  return h->in_flight + g_queue_get_length (&h->done);
}

static void
http_setup_easy (MotcuaSyncHttp *h, MotcuaSyncRequest *r, gboolean with_token)
{
  CURL *e = r->easy = curl_easy_init ();
  g_autofree char *url = g_strconcat (h->base_url, r->path, NULL);
  curl_easy_setopt (e, CURLOPT_URL, url);
  curl_easy_setopt (e, CURLOPT_PROTOCOLS_STR, "https");
  curl_easy_setopt (e, CURLOPT_PRIVATE, r);
  curl_easy_setopt (e, CURLOPT_ERRORBUFFER, r->curl_error);
  curl_easy_setopt (e, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt (e, CURLOPT_HTTP_VERSION, (long) CURL_HTTP_VERSION_2TLS);
  curl_easy_setopt (e, CURLOPT_PIPEWAIT, 1L);
  curl_easy_setopt (e, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt (e, CURLOPT_CONNECTTIMEOUT, 10L);
  curl_easy_setopt (e, CURLOPT_TIMEOUT, (long) h->timeout_s);
  /* TLS: only the service CA; the device certificate and key. */
  curl_easy_setopt (e, CURLOPT_SSLVERSION, (long) CURL_SSLVERSION_TLSv1_2);
  curl_easy_setopt (e, CURLOPT_CAINFO, h->ca);
  curl_easy_setopt (e, CURLOPT_CAPATH, NULL);
  curl_easy_setopt (e, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt (e, CURLOPT_SSL_VERIFYHOST, 2L);
  curl_easy_setopt (e, CURLOPT_SSLCERT, h->cert);
  if (g_str_has_prefix (h->key, "pkcs11:"))
    {
      curl_easy_setopt (e, CURLOPT_SSLENGINE, "pkcs11");
      curl_easy_setopt (e, CURLOPT_SSLKEYTYPE, "ENG");
    }
  curl_easy_setopt (e, CURLOPT_SSLKEY, h->key);
  curl_easy_setopt (e, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt (e, CURLOPT_WRITEDATA, r);
  curl_easy_setopt (e, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt (e, CURLOPT_HEADERDATA, r);

  /* No "Expect: 100-continue": the bodies are small, and a dropped
   * connection must look the same whatever the body size. */
  r->headers = curl_slist_append (NULL, "Expect:");
  r->headers = curl_slist_append (r->headers, "Accept: application/json");
  if (with_token && h->token)
    {
      g_autofree char *auth = g_strconcat ("Authorization: Bearer ", h->token, NULL);
      r->headers = curl_slist_append (r->headers, auth);
      OPENSSL_cleanse (auth, strlen (auth));
    }
  r->token_generation = h->token_generation;
  if (r->idempotency_key)
    {
      g_autofree char *ik = g_strconcat ("Idempotency-Key: ", r->idempotency_key, NULL);
      r->headers = curl_slist_append (r->headers, ik);
    }
  if (g_str_equal (r->method, "POST"))
    {
      gsize len = 0;
      const void *data = r->body ? g_bytes_get_data (r->body, &len) : NULL;
      if (r->body)
        r->headers = curl_slist_append (r->headers, "Content-Type: application/json");
      curl_easy_setopt (e, CURLOPT_POST, 1L);
      curl_easy_setopt (e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t) len);
      curl_easy_setopt (e, CURLOPT_POSTFIELDS, data ? data : "");
    }
  else if (!g_str_equal (r->method, "GET"))
    curl_easy_setopt (e, CURLOPT_CUSTOMREQUEST, r->method);
  curl_easy_setopt (e, CURLOPT_HTTPHEADER, r->headers);
}

static void
http_start (MotcuaSyncHttp *h, MotcuaSyncRequest *r, gboolean with_token)
{
  request_reset (r);
  if (r->easy)
    curl_easy_cleanup (r->easy);
  request_wipe_headers (r);
  http_setup_easy (h, r, with_token);
  curl_multi_add_handle (h->multi, r->easy);
  h->in_flight++;
}

void
motcua_sync_http_start (MotcuaSyncHttp *h, MotcuaSyncRequest *r)
{
  g_return_if_fail (h != NULL && r != NULL);
  http_start (h, r, TRUE);
}

static void
http_finish (MotcuaSyncHttp *h, CURLMsg *msg)
{
  MotcuaSyncRequest *r = NULL;
  curl_easy_getinfo (msg->easy_handle, CURLINFO_PRIVATE, (char **) &r);
  r->curl_code = msg->data.result;
  curl_easy_getinfo (r->easy, CURLINFO_RESPONSE_CODE, &r->status);
  curl_off_t up = 0;
  curl_easy_getinfo (r->easy, CURLINFO_SIZE_UPLOAD_T, &up);
  r->request_sent = r->body == NULL || (gsize) up >= g_bytes_get_size (r->body);
  if (r->curl_code != CURLE_OK)
    r->status = 0;   /* a partial answer is no answer */
  curl_multi_remove_handle (h->multi, r->easy);
  curl_easy_cleanup (r->easy);
  r->easy = NULL;
  request_wipe_headers (r);
  h->in_flight--;

  if (r->status != 0 && r->answer->len > 0)
    {
      g_autoptr(JsonParser) p = json_parser_new_immutable ();
      if (json_parser_load_from_data (p, (const char *) r->answer->data,
                                      (gssize) r->answer->len, NULL))
        r->json = json_node_ref (json_parser_get_root (p));
    }
  if (r->json && JSON_NODE_HOLDS_OBJECT (r->json))
    {
      JsonObject *o = json_node_get_object (r->json);
      JsonNode *e = json_object_get_member (o, "error");
      if (e && JSON_NODE_HOLDS_OBJECT (e))
        r->error_code = json_object_get_string_member_with_default (json_node_get_object (e),
                                                                    "code", NULL);
    }
  g_queue_push_tail (&h->done, r);
}

/* Runs the transfers until something finished; FALSE when nothing is in
 * flight. */
static gboolean
http_step (MotcuaSyncHttp *h)
{
  if (h->in_flight == 0)
    return FALSE;
  for (;;)
    {
      int running = 0;
      curl_multi_perform (h->multi, &running);
      CURLMsg *msg;
      int left;
      gboolean any = FALSE;
      while ((msg = curl_multi_info_read (h->multi, &left)) != NULL)
        if (msg->msg == CURLMSG_DONE)
          {
            http_finish (h, msg);
            any = TRUE;
          }
      if (any)
        return TRUE;
      curl_multi_poll (h->multi, NULL, 0, 1000, NULL);
    }
}

MotcuaSyncRequest *
motcua_sync_http_next_done (MotcuaSyncHttp *h)
{
  g_return_val_if_fail (h != NULL, NULL);
  while (g_queue_is_empty (&h->done))
    if (!http_step (h))
      return NULL;
  return g_queue_pop_head (&h->done);
}

/* Runs until @r finished; the others that finish meanwhile stay queued. */
static void
http_wait_for (MotcuaSyncHttp *h, MotcuaSyncRequest *r)
{
  for (;;)
    {
      GList *l = g_queue_find (&h->done, r);
      if (l)
        {
          g_queue_delete_link (&h->done, l);
          return;
        }
      if (!http_step (h))
        return;
    }
}

/* ------------------------------------------------------------ tokens */

gboolean
motcua_sync_http_ensure_token (MotcuaSyncHttp *h, gboolean force, guint generation,
                               GError **error)
{
  g_return_val_if_fail (h != NULL, FALSE);
  if (force && generation != 0 && generation != h->token_generation && h->token)
    return TRUE;   /* already replaced since that request */
  if (!force && h->token && g_get_monotonic_time () < h->token_deadline)
    return TRUE;

  g_autoptr(MotcuaSyncRequest) r = motcua_sync_request_new ("POST", TOKEN_PATH, NULL);
  http_start (h, r, FALSE);
  http_wait_for (h, r);
  if (r->curl_code != CURLE_OK || r->status != 200)
    {
      if (r->curl_code == CURLE_OK && (r->status == 429 || r->status == 503))
        h->token_retry_after = r->retry_after > 0 ? r->retry_after : 30;
      motcua_sync_request_to_error (r, error);
      return FALSE;
    }
  JsonObject *o = r->json && JSON_NODE_HOLDS_OBJECT (r->json)
                  ? json_node_get_object (r->json) : NULL;
  const char *tok = o ? json_object_get_string_member_with_default (o, "access_token", NULL)
                      : NULL;
  gint64 ttl = o ? json_object_get_int_member_with_default (o, "expires_in", 0) : 0;
  if (tok == NULL || *tok == '\0' || strlen (tok) > 256 || ttl <= 0)
    {
      motcua_error_set (error, MOTCUA_ERROR_SERVICE_PROTOCOL, "%s", TOKEN_PATH);
      OPENSSL_cleanse (r->answer->data, r->answer->len);
      return FALSE;
    }
  motcua_sync_http_forget_token (h);
  h->token = g_strdup (tok);
  /* Refresh when less than a minute is left (measured on our clock from
   * now); a very short lifetime refreshes at half of it. */
  gint64 margin = MIN (TOKEN_REFRESH_S, ttl / 2);
  h->token_deadline = g_get_monotonic_time () + (ttl - margin) * G_USEC_PER_SEC;
  h->token_generation++;
  OPENSSL_cleanse (r->answer->data, r->answer->len);
  g_debug ("bearer token fetched (lifetime %" G_GINT64_FORMAT " s)", ttl);
  return TRUE;
}

MotcuaSyncRequest *
motcua_sync_http_call (MotcuaSyncHttp *h, const char *method, const char *path, GBytes *body,
                       GError **error)
{
  g_return_val_if_fail (h != NULL && method != NULL && path != NULL, NULL);
  if (!motcua_sync_http_ensure_token (h, FALSE, 0, error))
    return NULL;
  g_autoptr(MotcuaSyncRequest) r = motcua_sync_request_new (method, path, body);
  http_start (h, r, TRUE);
  http_wait_for (h, r);
  if (motcua_sync_request_wants_token (r))
    {
      if (!motcua_sync_http_ensure_token (h, TRUE, r->token_generation, error))
        return NULL;
      r->token_retries++;
      http_start (h, r, TRUE);
      http_wait_for (h, r);
    }
  return g_steal_pointer (&r);
}
