/* refsvc-admin.c — the loopback-only admin interface, for tests
 *
 * Plain HTTP on 127.0.0.1 (refsvc-http.c refuses other peers): counters,
 * stored dossiers, fault switches, token expiry, the back-office clock and
 * its configuration.  Never part of the contract a client may rely on. */
#define G_LOG_DOMAIN "refsvc-admin"

#include <string.h>

#include "refsvc-server.h"

static const char *const stat_names[REFSVC_STAT_N] = {
  [REFSVC_STAT_REQUESTS] = "requests",
  [REFSVC_STAT_REJECTED] = "rejected",
  [REFSVC_STAT_TOKENS] = "tokensIssued",
  [REFSVC_STAT_DOSSIERS] = "dossiersCreated",
  [REFSVC_STAT_SUPPLEMENTS] = "supplements",
  [REFSVC_STAT_DUPLICATES] = "duplicates",
  [REFSVC_STAT_CONFLICTS] = "conflicts",
  [REFSVC_STAT_DOCUMENTS] = "documentsCreated",
  [REFSVC_STAT_DOCUMENT_DUPLICATES] = "documentDuplicates",
  [REFSVC_STAT_LATENCY_INJECTED] = "latencyInjected",
  [REFSVC_STAT_FAULT_DROP] = "drop",
  [REFSVC_STAT_FAULT_ERROR500] = "error500",
  [REFSVC_STAT_FAULT_TOO_MANY] = "tooManyRequests",
  [REFSVC_STAT_FAULT_UNAVAILABLE] = "unavailable",
  [REFSVC_STAT_FAULT_ACCEPT_THEN_DROP] = "acceptThenDrop",
};

/* The request body as a JSON object, or an error answer. */
static JsonObject *
body_object (const refsvc_request *req, refsvc_response *resp, JsonNode **holder)
{
  const char *why = NULL;

  *holder = refsvc_json_parse_object (req->body, req->body_len, &why);
  if (*holder == NULL)
    {
      refsvc_response_error (resp, "request.malformed_json");
      return NULL;
    }
  return json_node_get_object (*holder);
}

static void
bad_parameter (refsvc_response *resp, const char *path, const char *message)
{
  refsvc_error *e = refsvc_error_new ("request.bad_parameter");

  refsvc_error_add_field (e, path, "format", message);
  refsvc_response_take_error (resp, e);
}

/* A number member in [min, max] (integer or double). */
static gboolean
get_number (JsonObject *o, const char *name, double min, double max, double *out)
{
  JsonNode *n;
  GType t;

  if (!json_object_has_member (o, name))
    return TRUE;
  n = json_object_get_member (o, name);
  if (!JSON_NODE_HOLDS_VALUE (n))
    return FALSE;
  t = json_node_get_value_type (n);
  if (t == G_TYPE_INT64)
    *out = (double) json_node_get_int (n);
  else if (t == G_TYPE_DOUBLE)
    *out = json_node_get_double (n);
  else
    return FALSE;
  return *out >= min && *out <= max;
}

/* ------------------------------------------------------------------------ */

static void
admin_stats (const refsvc_request *req, refsvc_response *resp)
{
  refsvc *svc = req->svc;
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonNode) root = NULL;
  JsonNode *counts = refsvc_store_admin_counts (svc->store);

  json_builder_begin_object (b);
  for (int i = 0; i < REFSVC_STAT_N; i++)
    {
      if (i == REFSVC_STAT_LATENCY_INJECTED)
        {
          json_builder_set_member_name (b, "faults");
          json_builder_begin_object (b);
        }
      json_builder_set_member_name (b, stat_names[i]);
      json_builder_add_int_value (b, g_atomic_int_get (&svc->stats[i]));
    }
  json_builder_end_object (b);
  json_builder_set_member_name (b, "stored");
  json_builder_add_value (b, counts ? counts : json_node_new (JSON_NODE_NULL));
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  refsvc_response_node (resp, 200, root);
}

static void
admin_dossiers (const refsvc_request *req, refsvc_response *resp)
{
  g_autoptr (JsonNode) n = refsvc_store_admin_dossiers (req->svc->store);

  if (n == NULL)
    refsvc_response_error (resp, "server.internal");
  else
    refsvc_response_node (resp, 200, n);
}

static void
admin_faults_get (const refsvc_request *req, refsvc_response *resp)
{
  g_autoptr (JsonNode) n = refsvc_faults_to_json (req->svc->faults);

  refsvc_response_node (resp, 200, n);
}

static void
admin_faults_put (const refsvc_request *req, refsvc_response *resp)
{
  g_autoptr (JsonNode) holder = NULL;
  g_autofree char *message = NULL;
  JsonObject *o = body_object (req, resp, &holder);

  if (o == NULL)
    return;
  if (!refsvc_faults_set (req->svc->faults, o, &message))
    {
      bad_parameter (resp, "/", message);
      return;
    }
  admin_faults_get (req, resp);
}

static void
admin_faults_delete (const refsvc_request *req, refsvc_response *resp)
{
  refsvc_faults_clear (req->svc->faults);
  admin_faults_get (req, resp);
}

static void
admin_tokens_expire (const refsvc_request *req, refsvc_response *resp)
{
  guint n = refsvc_tokens_expire_all (req->svc->tokens);

  refsvc_response_json (resp, 200, g_strdup_printf ("{\"expired\":%u}", n));
}

static void
admin_tokens_put (const refsvc_request *req, refsvc_response *resp)
{
  refsvc *svc = req->svc;
  g_autoptr (JsonNode) holder = NULL;
  JsonObject *o = body_object (req, resp, &holder);
  double ttl = -1;

  if (o == NULL)
    return;
  if (!get_number (o, "ttl", 1, 86400, &ttl) || ttl < 0)
    {
      bad_parameter (resp, "/ttl", "ttl: số giây từ 1 đến 86400");
      return;
    }
  g_mutex_lock (&svc->bo_lock);
  svc->cfg.token_ttl = (gint64) ttl;
  g_mutex_unlock (&svc->bo_lock);
  refsvc_response_json (resp, 200, g_strdup_printf ("{\"ttl\":%" G_GINT64_FORMAT "}", (gint64) ttl));
}

static void
clock_answer (refsvc *svc, refsvc_response *resp, int transitions)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonNode) root = NULL;
  gint64 now = refsvc_clock_now (svc->clock);
  g_autofree char *iso = refsvc_iso8601 (now);

  json_builder_begin_object (b);
  refsvc_json_add_string (b, "mode", refsvc_clock_is_stepped (svc->clock) ? "stepped" : "realtime");
  json_builder_set_member_name (b, "speed");
  json_builder_add_double_value (b, refsvc_clock_speed (svc->clock));
  refsvc_json_add_string (b, "now", iso);
  json_builder_set_member_name (b, "nowUnix");
  json_builder_add_int_value (b, now);
  if (transitions >= 0)
    {
      json_builder_set_member_name (b, "transitions");
      json_builder_add_int_value (b, transitions);
    }
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  refsvc_response_node (resp, 200, root);
}

static void
admin_clock_get (const refsvc_request *req, refsvc_response *resp)
{
  clock_answer (req->svc, resp, -1);
}

static void
admin_clock_put (const refsvc_request *req, refsvc_response *resp)
{
  refsvc *svc = req->svc;
  g_autoptr (JsonNode) holder = NULL;
  JsonObject *o = body_object (req, resp, &holder);
  const char *mode;
  double speed = 0;

  if (o == NULL)
    return;
  mode = json_object_get_string_member_with_default (o, "mode", "");
  if (!g_str_equal (mode, "stepped") && !g_str_equal (mode, "realtime"))
    {
      bad_parameter (resp, "/mode", "mode: \"stepped\" hoặc \"realtime\"");
      return;
    }
  if (!get_number (o, "speed", 0.001, 1e7, &speed))
    {
      bad_parameter (resp, "/speed", "speed: số dương");
      return;
    }
  refsvc_tick (svc);
  refsvc_clock_set_mode (svc->clock, g_str_equal (mode, "stepped"), speed);
  clock_answer (svc, resp, -1);
}

static void
admin_clock_advance (const refsvc_request *req, refsvc_response *resp)
{
  refsvc *svc = req->svc;
  g_autoptr (JsonNode) holder = NULL;
  JsonObject *o = body_object (req, resp, &holder);
  refsvc_backoffice_config bo;
  double seconds = -1;
  guint n;

  if (o == NULL)
    return;
  if (!get_number (o, "seconds", 0, 10.0 * 365 * 86400, &seconds) || seconds < 0)
    {
      bad_parameter (resp, "/seconds", "seconds: số giây không âm");
      return;
    }
  bo = refsvc_bo_config (svc);
  n = refsvc_store_advance (svc->store, &bo, refsvc_clock_advance (svc->clock, (gint64) seconds));
  clock_answer (svc, resp, (int) n);
}

static void
backoffice_answer (refsvc *svc, refsvc_response *resp)
{
  refsvc_backoffice_config bo = refsvc_bo_config (svc);

  refsvc_response_json (resp, 200,
    g_strdup_printf ("{\"refuseRatio\":%g,\"supplementRatio\":%g,\"seed\":%" G_GUINT64_FORMAT
                     ",\"receiveSeconds\":%" G_GINT64_FORMAT ",\"startSeconds\":%" G_GINT64_FORMAT
                     ",\"processSeconds\":%" G_GINT64_FORMAT ",\"returnSeconds\":%" G_GINT64_FORMAT "}",
                     bo.refuse_ratio, bo.supplement_ratio, bo.seed, bo.receive_s, bo.start_s,
                     bo.process_s, bo.return_s));
}

static void
admin_backoffice_get (const refsvc_request *req, refsvc_response *resp)
{
  backoffice_answer (req->svc, resp);
}

static void
admin_backoffice_put (const refsvc_request *req, refsvc_response *resp)
{
  refsvc *svc = req->svc;
  g_autoptr (JsonNode) holder = NULL;
  JsonObject *o = body_object (req, resp, &holder);
  refsvc_backoffice_config bo;
  double refuse, supplement, seed, rec, start, proc, ret;

  if (o == NULL)
    return;
  bo = refsvc_bo_config (svc);
  refuse = bo.refuse_ratio;
  supplement = bo.supplement_ratio;
  seed = (double) bo.seed;
  rec = (double) bo.receive_s;
  start = (double) bo.start_s;
  proc = (double) bo.process_s;
  ret = (double) bo.return_s;
  if (!get_number (o, "refuseRatio", 0, 1, &refuse) || !get_number (o, "supplementRatio", 0, 1, &supplement)
      || !get_number (o, "seed", 0, 9007199254740992.0, &seed)
      || !get_number (o, "receiveSeconds", 0, 1e9, &rec) || !get_number (o, "startSeconds", 0, 1e9, &start)
      || !get_number (o, "processSeconds", 0, 1e9, &proc) || !get_number (o, "returnSeconds", 0, 1e9, &ret))
    {
      bad_parameter (resp, "/", "refuseRatio/supplementRatio trong [0,1]; các thời lượng là số giây không âm");
      return;
    }
  g_mutex_lock (&svc->bo_lock);
  svc->cfg.bo.refuse_ratio = refuse;
  svc->cfg.bo.supplement_ratio = supplement;
  svc->cfg.bo.seed = (guint64) seed;
  svc->cfg.bo.receive_s = (gint64) rec;
  svc->cfg.bo.start_s = (gint64) start;
  svc->cfg.bo.process_s = (gint64) proc;
  svc->cfg.bo.return_s = (gint64) ret;
  g_mutex_unlock (&svc->bo_lock);
  backoffice_answer (svc, resp);
}

const refsvc_route refsvc_admin_routes[] = {
  { "GET", "/admin/stats", 0, admin_stats },
  { "GET", "/admin/dossiers", 0, admin_dossiers },
  { "GET", "/admin/faults", 0, admin_faults_get },
  { "PUT", "/admin/faults", 0, admin_faults_put },
  { "DELETE", "/admin/faults", 0, admin_faults_delete },
  { "POST", "/admin/tokens/expire", 0, admin_tokens_expire },
  { "PUT", "/admin/tokens", 0, admin_tokens_put },
  { "GET", "/admin/clock", 0, admin_clock_get },
  { "PUT", "/admin/clock", 0, admin_clock_put },
  { "POST", "/admin/clock/advance", 0, admin_clock_advance },
  { "GET", "/admin/backoffice", 0, admin_backoffice_get },
  { "PUT", "/admin/backoffice", 0, admin_backoffice_put },
  { NULL, NULL, 0, NULL }
};
