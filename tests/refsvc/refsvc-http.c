/* refsvc-http.c — the two libmicrohttpd daemons and request dispatch
 *
 * API daemon: HTTPS with client certificates requested (GnuTLS inside
 * libmicrohttpd); the peer chain is verified by refsvc-trust.c with
 * OpenSSL and CRLs, once per connection, and a refusal is answered as
 * HTTP 403 with a tls.* code so the client can tell the clerk why.
 * Admin daemon: plain HTTP, bound to 127.0.0.1, refuses other peers.
 *
 * One thread per connection: an injected latency or a slow client holds
 * up only its own connection.  Returning MHD_NO from the access handler
 * closes the connection without an answer, which is how "drop" (before
 * anything is done) and "acceptThenDrop" (after the write committed) are
 * made. */
#define G_LOG_DOMAIN "refsvc-http"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include <gnutls/gnutls.h>
#include <microhttpd.h>

#include "refsvc-server.h"

#define API_BODY_MAX      (1u << 20)          /* /v1: 1 MiB (payload ≤ 256 KiB) */
#define GATEWAY_BODY_MAX  (8u << 20)          /* /api: 5 MiB file + form overhead */

/* Per connection: the verified device (or why it is refused). */
typedef struct {
  gboolean      checked;
  const char   *tls_code;
  refsvc_device device;
} conn_ctx;

/* Per request. */
typedef struct {
  GByteArray  *body;
  gsize        limit;
  gboolean     too_large;
  refsvc_fault fault;
  guint        latency_ms;
  guint        retry_after;
} req_ctx;

/* ------------------------------------------------------------------------ */
/* Answers                                                                  */

void
refsvc_response_clear (refsvc_response *r)
{
  g_clear_pointer (&r->content_type, g_free);
  g_clear_pointer (&r->body, g_free);
  g_clear_pointer (&r->location, g_free);
  memset (r, 0, sizeof *r);
}

void
refsvc_response_json (refsvc_response *r, guint status, char *json)
{
  g_free (r->body);
  r->status = status;
  r->body = json;
  r->body_len = json != NULL ? strlen (json) : 0;
}

void
refsvc_response_node (refsvc_response *r, guint status, JsonNode *node)
{
  refsvc_response_json (r, status, refsvc_json_to_string (node));
}

void
refsvc_response_take_error (refsvc_response *r, refsvc_error *e)
{
  r->retry_after = e->retry_after;
  refsvc_response_json (r, e->http_status, refsvc_error_to_json (e));
  refsvc_error_free (e);
}

void
refsvc_response_error (refsvc_response *r, const char *code)
{
  refsvc_response_take_error (r, refsvc_error_new (code));
}

/* ------------------------------------------------------------------------ */
/* JSON helpers                                                             */

const char *
refsvc_request_header (const refsvc_request *req, const char *name)
{
  return MHD_lookup_connection_value (req->conn, MHD_HEADER_KIND, name);
}

const char *
refsvc_request_query (const refsvc_request *req, const char *name)
{
  return MHD_lookup_connection_value (req->conn, MHD_GET_ARGUMENT_KIND, name);
}

/* ------------------------------------------------------------------------ */
/* Routing                                                                  */

/* Matches path against pattern ("{}" = one non-empty segment). */
static gboolean
route_match (const char *pattern, const char *path, char *params[2])
{
  g_auto (GStrv) ps = g_strsplit (pattern, "/", -1);
  g_auto (GStrv) xs = g_strsplit (path, "/", -1);
  guint np = 0;

  if (g_strv_length (ps) != g_strv_length (xs))
    return FALSE;
  for (guint i = 0; ps[i] != NULL; i++)
    {
      if (g_str_equal (ps[i], "{}"))
        {
          if (xs[i][0] == '\0' || ++np > 2)
            return FALSE;
          continue;
        }
      if (!g_str_equal (ps[i], xs[i]))
        return FALSE;
    }
  np = 0;
  for (guint i = 0; ps[i] != NULL; i++)
    if (g_str_equal (ps[i], "{}"))
      params[np++] = g_strdup (xs[i]);
  return TRUE;
}

/* Finds the route; *path_known tells 405 from 404. */
static const refsvc_route *
route_find (const refsvc_route *const tables[], const char *method, const char *path,
            char *params[2], gboolean *path_known)
{
  *path_known = FALSE;
  for (guint t = 0; tables[t] != NULL; t++)
    for (const refsvc_route *r = tables[t]; r->method != NULL; r++)
      {
        char *tmp[2] = { NULL, NULL };

        if (!route_match (r->pattern, path, tmp))
          continue;
        *path_known = TRUE;
        if (g_str_equal (r->method, method))
          {
            params[0] = tmp[0];
            params[1] = tmp[1];
            return r;
          }
        g_free (tmp[0]);
        g_free (tmp[1]);
      }
  return NULL;
}

/* ------------------------------------------------------------------------ */
/* Client certificates                                                      */

static void
check_peer (refsvc *svc, struct MHD_Connection *conn, conn_ctx *cc)
{
  const union MHD_ConnectionInfo *ci;
  g_autoptr (GPtrArray) chain = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);

  cc->checked = TRUE;
  ci = MHD_get_connection_info (conn, MHD_CONNECTION_INFO_GNUTLS_SESSION);
  if (ci != NULL && ci->tls_session != NULL)
    {
      unsigned int n = 0;
      const gnutls_datum_t *certs = gnutls_certificate_get_peers (ci->tls_session, &n);

      for (unsigned int i = 0; certs != NULL && i < n && i < 8; i++)
        g_ptr_array_add (chain, g_bytes_new (certs[i].data, certs[i].size));
    }
  cc->tls_code = refsvc_trust_check_device (svc->trust, chain, &cc->device);
}

static gboolean
kind_allowed (const refsvc_route *r, refsvc_device_kind kind)
{
  if (kind == REFSVC_DEVICE_HOSPITAL)
    return (r->flags & REFSVC_ROUTE_HOSPITAL) != 0;
  return (r->flags & REFSVC_ROUTE_DOSSIERS) != 0;
}

/* Bearer token from "Authorization: Bearer x". */
static const char *
bearer_of (struct MHD_Connection *conn)
{
  const char *h = MHD_lookup_connection_value (conn, MHD_HEADER_KIND, "Authorization");

  if (h == NULL)
    return NULL;
  if (g_ascii_strncasecmp (h, "Bearer ", 7) != 0)
    return "";
  h += 7;
  while (*h == ' ')
    h++;
  return h;
}

/* ------------------------------------------------------------------------ */
/* Dispatch                                                                 */

static enum MHD_Result
queue (struct MHD_Connection *conn, refsvc_response *resp)
{
  struct MHD_Response *m;
  enum MHD_Result ret;

  m = MHD_create_response_from_buffer (resp->body_len, resp->body ? resp->body : (char *) "",
                                       MHD_RESPMEM_MUST_COPY);
  if (m == NULL)
    return MHD_NO;
  MHD_add_response_header (m, MHD_HTTP_HEADER_CONTENT_TYPE,
                           resp->content_type ? resp->content_type
                                              : "application/json; charset=utf-8");
  MHD_add_response_header (m, "Cache-Control", "no-store");
  if (resp->replayed)
    MHD_add_response_header (m, "Idempotent-Replay", "true");
  if (resp->location != NULL)
    MHD_add_response_header (m, MHD_HTTP_HEADER_LOCATION, resp->location);
  if (resp->retry_after > 0)
    {
      char v[16];
      g_snprintf (v, sizeof v, "%u", resp->retry_after);
      MHD_add_response_header (m, MHD_HTTP_HEADER_RETRY_AFTER, v);
    }
  ret = MHD_queue_response (conn, resp->status, m);
  MHD_destroy_response (m);
  return ret;
}

static void
fault_answer (refsvc *svc, refsvc_fault fault, guint retry_after, refsvc_response *resp)
{
  refsvc_error *e;

  switch (fault)
    {
    case REFSVC_FAULT_ERROR500:
      refsvc_stat_inc (svc, REFSVC_STAT_FAULT_ERROR500);
      refsvc_response_error (resp, "server.internal");
      return;
    case REFSVC_FAULT_TOO_MANY:
      refsvc_stat_inc (svc, REFSVC_STAT_FAULT_TOO_MANY);
      e = refsvc_error_new ("server.busy");
      break;
    default:
      refsvc_stat_inc (svc, REFSVC_STAT_FAULT_UNAVAILABLE);
      e = refsvc_error_new ("server.unavailable");
      break;
    }
  e->retry_after = MAX (retry_after, 1);
  refsvc_response_take_error (resp, e);
}

/* Runs the request once its body is complete.  Returns FALSE when the
 * connection must be closed without an answer (acceptThenDrop). */
static gboolean
dispatch (refsvc *svc, gboolean is_api, struct MHD_Connection *conn, conn_ctx *cc,
          req_ctx *rc, const char *method, const char *url, refsvc_response *resp)
{
  static const refsvc_route *const api_tables[] = { refsvc_api_routes, refsvc_gateway_routes, NULL };
  static const refsvc_route *const admin_tables[] = { refsvc_admin_routes, NULL };
  refsvc_request req = { 0 };
  const refsvc_route *route;
  gboolean path_known;

  req.svc = svc;
  req.conn = conn;
  req.method = method;
  req.path = url;
  req.body = rc->body->data;
  req.body_len = rc->body->len;

  if (rc->latency_ms > 0)
    {
      refsvc_stat_inc (svc, REFSVC_STAT_LATENCY_INJECTED);
      g_usleep ((gulong) rc->latency_ms * 1000);
    }
  if (rc->fault != REFSVC_FAULT_NONE)
    {
      fault_answer (svc, rc->fault, rc->retry_after, resp);
      return TRUE;
    }

  route = route_find (is_api ? api_tables : admin_tables, method, url, req.params, &path_known);
  if (route == NULL)
    {
      refsvc_response_error (resp, path_known ? "request.method_not_allowed" : "request.not_found");
      return TRUE;
    }
  if (is_api)
    {
      if (!cc->checked)
        check_peer (svc, conn, cc);
      if (cc->tls_code != NULL)
        {
          refsvc_response_error (resp, cc->tls_code);
          goto out;
        }
      req.device = &cc->device;
      if (!kind_allowed (route, cc->device.kind))
        {
          refsvc_response_error (resp, "device.not_allowed");
          goto out;
        }
      if (route->flags & REFSVC_ROUTE_TOKEN)
        {
          const char *code = refsvc_tokens_check (svc->tokens, bearer_of (conn), &cc->device);
          if (code != NULL)
            {
              refsvc_response_error (resp, code);
              goto out;
            }
        }
    }
  if (rc->too_large)
    {
      refsvc_response_error (resp, "request.too_large");
      goto out;
    }
  route->handler (&req, resp);

out:
  g_free (req.params[0]);
  g_free (req.params[1]);
  return TRUE;
}

static enum MHD_Result
handle (void *cls, struct MHD_Connection *conn, const char *url, const char *method,
        const char *version, const char *upload_data, size_t *upload_data_size,
        void **con_cls, gboolean is_api)
{
  refsvc *svc = cls;
  req_ctx *rc = *con_cls;
  const union MHD_ConnectionInfo *ci;
  conn_ctx *cc;
  refsvc_response resp = { 0 };
  enum MHD_Result ret;
  gboolean answer;

  (void) version;
  if (rc == NULL)
    {
      rc = g_new0 (req_ctx, 1);
      rc->body = g_byte_array_new ();
      rc->limit = g_str_has_prefix (url, "/api/") ? GATEWAY_BODY_MAX : API_BODY_MAX;
      if (is_api)
        rc->fault = refsvc_faults_decide (svc->faults, url, &rc->latency_ms, &rc->retry_after);
      *con_cls = rc;
      return MHD_YES;
    }
  if (rc->fault == REFSVC_FAULT_DROP)
    {
      /* Mid-request: after the headers (and the first part of the body,
       * if any), before anything is done. */
      refsvc_stat_inc (svc, REFSVC_STAT_FAULT_DROP);
      return MHD_NO;
    }
  if (*upload_data_size > 0)
    {
      if (rc->too_large || rc->body->len + *upload_data_size > rc->limit)
        rc->too_large = TRUE;
      else
        g_byte_array_append (rc->body, (const guint8 *) upload_data, (guint) *upload_data_size);
      *upload_data_size = 0;
      return MHD_YES;
    }

  ci = MHD_get_connection_info (conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
  cc = ci != NULL ? ci->socket_context : NULL;
  if (cc == NULL)
    return MHD_NO;
  if (is_api)
    refsvc_stat_inc (svc, REFSVC_STAT_REQUESTS);
  answer = dispatch (svc, is_api, conn, cc, rc, method, url, &resp);
  if (answer && resp.committed && is_api
      && refsvc_faults_take_accept_then_drop (svc->faults, url))
    {
      refsvc_stat_inc (svc, REFSVC_STAT_FAULT_ACCEPT_THEN_DROP);
      answer = FALSE;
    }
  if (!answer)
    {
      refsvc_response_clear (&resp);
      return MHD_NO;
    }
  if (is_api && resp.status >= 400 && resp.status < 500)
    refsvc_stat_inc (svc, REFSVC_STAT_REJECTED);
  ret = queue (conn, &resp);
  refsvc_response_clear (&resp);
  return ret;
}

static enum MHD_Result
handle_api (void *cls, struct MHD_Connection *conn, const char *url, const char *method,
            const char *version, const char *upload_data, size_t *upload_data_size,
            void **con_cls)
{
  return handle (cls, conn, url, method, version, upload_data, upload_data_size, con_cls, TRUE);
}

static enum MHD_Result
handle_admin (void *cls, struct MHD_Connection *conn, const char *url, const char *method,
              const char *version, const char *upload_data, size_t *upload_data_size,
              void **con_cls)
{
  return handle (cls, conn, url, method, version, upload_data, upload_data_size, con_cls, FALSE);
}

static void
request_completed (void *cls, struct MHD_Connection *conn, void **con_cls,
                   enum MHD_RequestTerminationCode toe)
{
  req_ctx *rc = *con_cls;

  (void) cls;
  (void) conn;
  (void) toe;
  if (rc == NULL)
    return;
  g_byte_array_unref (rc->body);
  g_free (rc);
  *con_cls = NULL;
}

static void
connection_notify (void *cls, struct MHD_Connection *conn, void **socket_context,
                   enum MHD_ConnectionNotificationCode toe)
{
  (void) cls;
  (void) conn;
  if (toe == MHD_CONNECTION_NOTIFY_STARTED)
    *socket_context = g_new0 (conn_ctx, 1);
  else
    g_clear_pointer (socket_context, g_free);
}

/* The admin interface answers loopback peers only. */
static enum MHD_Result
admin_accept (void *cls, const struct sockaddr *addr, socklen_t addrlen)
{
  (void) cls;
  if (addr->sa_family == AF_INET && addrlen >= sizeof (struct sockaddr_in))
    return (ntohl (((const struct sockaddr_in *) addr)->sin_addr.s_addr) >> 24) == 127
           ? MHD_YES : MHD_NO;
  if (addr->sa_family == AF_INET6 && addrlen >= sizeof (struct sockaddr_in6))
    return IN6_IS_ADDR_LOOPBACK (&((const struct sockaddr_in6 *) addr)->sin6_addr)
           ? MHD_YES : MHD_NO;
  return MHD_NO;
}

/* ------------------------------------------------------------------------ */
/* Start and stop                                                           */

static char *
read_pem (const char *dir, const char *name, GError **error)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  char *data = NULL;

  if (!g_file_get_contents (path, &data, NULL, error))
    return NULL;
  return data;
}

static guint16
bound_port (struct MHD_Daemon *d)
{
  const union MHD_DaemonInfo *di = MHD_get_daemon_info (d, MHD_DAEMON_INFO_BIND_PORT);

  return di != NULL ? di->port : 0;
}

gboolean
refsvc_http_start (refsvc *svc, GError **error)
{
  g_autofree char *key = NULL, *cert = NULL, *trust = NULL;
  struct sockaddr_storage ss = { 0 };
  struct sockaddr_in admin_sa = { 0 };
  unsigned int flags = MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD
                       | MHD_USE_POLL | MHD_USE_TLS | MHD_USE_ERROR_LOG;

  if ((key = read_pem (svc->cfg.pki_dir, "server-TEST-ONLY.key", error)) == NULL
      || (cert = read_pem (svc->cfg.pki_dir, "server-TEST-ONLY.pem", error)) == NULL
      || (trust = read_pem (svc->cfg.pki_dir, "device-ca-TEST-ONLY.pem", error)) == NULL)
    return FALSE;

  if (inet_pton (AF_INET, svc->cfg.listen, &((struct sockaddr_in *) &ss)->sin_addr) == 1)
    {
      ((struct sockaddr_in *) &ss)->sin_family = AF_INET;
      ((struct sockaddr_in *) &ss)->sin_port = htons (svc->cfg.port);
    }
  else if (inet_pton (AF_INET6, svc->cfg.listen, &((struct sockaddr_in6 *) &ss)->sin6_addr) == 1)
    {
      ((struct sockaddr_in6 *) &ss)->sin6_family = AF_INET6;
      ((struct sockaddr_in6 *) &ss)->sin6_port = htons (svc->cfg.port);
      flags |= MHD_USE_IPv6;
    }
  else
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "--listen %s: not an IP address", svc->cfg.listen);
      return FALSE;
    }

  svc->api = MHD_start_daemon (flags, 0, NULL, NULL, handle_api, svc,
                               MHD_OPTION_SOCK_ADDR, (struct sockaddr *) &ss,
                               MHD_OPTION_HTTPS_MEM_KEY, key,
                               MHD_OPTION_HTTPS_MEM_CERT, cert,
                               MHD_OPTION_HTTPS_MEM_TRUST, trust,
                               MHD_OPTION_HTTPS_PRIORITIES, "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2",
                               MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t) (256 * 1024),
                               MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int) 120,
                               MHD_OPTION_NOTIFY_COMPLETED, request_completed, svc,
                               MHD_OPTION_NOTIFY_CONNECTION, connection_notify, svc,
                               MHD_OPTION_END);
  if (svc->api == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   "cannot start the HTTPS daemon on %s:%u", svc->cfg.listen, svc->cfg.port);
      return FALSE;
    }
  svc->api_port = bound_port (svc->api);

  admin_sa.sin_family = AF_INET;
  admin_sa.sin_port = htons (svc->cfg.admin_port);
  admin_sa.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  svc->admin = MHD_start_daemon (MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD
                                 | MHD_USE_POLL | MHD_USE_ERROR_LOG,
                                 0, admin_accept, NULL, handle_admin, svc,
                                 MHD_OPTION_SOCK_ADDR, (struct sockaddr *) &admin_sa,
                                 MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int) 120,
                                 MHD_OPTION_NOTIFY_COMPLETED, request_completed, svc,
                                 MHD_OPTION_NOTIFY_CONNECTION, connection_notify, svc,
                                 MHD_OPTION_END);
  if (svc->admin == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   "cannot start the admin daemon on 127.0.0.1:%u", svc->cfg.admin_port);
      return FALSE;
    }
  svc->admin_port = bound_port (svc->admin);
  return TRUE;
}

void
refsvc_http_stop (refsvc *svc)
{
  g_clear_pointer (&svc->api, MHD_stop_daemon);
  g_clear_pointer (&svc->admin, MHD_stop_daemon);
}
