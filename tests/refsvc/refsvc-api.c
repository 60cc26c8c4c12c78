/* refsvc-api.c — the /v1 endpoints (docs/protocol.md)
 *
 * By the time a handler runs, refsvc-http.c has verified the device
 * certificate, the device kind and (for REFSVC_ROUTE_TOKEN routes) the
 * bearer token.  Submissions are then checked in the contract's order:
 * envelope → idempotency → payload → CMS signature → card presence →
 * store (which settles replays and conflicts atomically). */
#define G_LOG_DOMAIN "refsvc-api"

#include <string.h>

#include <openssl/crypto.h>

#include "refsvc-server.h"

static gboolean
is_json (const refsvc_request *req)
{
  const char *ct = refsvc_request_header (req, "Content-Type");

  return ct != NULL && g_ascii_strncasecmp (ct, "application/json", 16) == 0
         && (ct[16] == '\0' || ct[16] == ';' || ct[16] == ' ');
}

/* ------------------------------------------------------------------------ */
/* POST /v1/auth/token                                                       */

static void
api_token (const refsvc_request *req, refsvc_response *resp)
{
  refsvc *svc = req->svc;
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonNode) root = NULL;
  g_autofree char *token = NULL, *expires = NULL;
  gint64 ttl, expires_at = 0;
  static const char *const kinds[] = { "", "counter", "kiosk", "hospital" };

  g_mutex_lock (&svc->bo_lock);
  ttl = svc->cfg.token_ttl;
  g_mutex_unlock (&svc->bo_lock);
  token = refsvc_tokens_issue (svc->tokens, req->device, ttl, &expires_at);
  expires = refsvc_iso8601 (expires_at);
  refsvc_stat_inc (svc, REFSVC_STAT_TOKENS);

  json_builder_begin_object (b);
  refsvc_json_add_string (b, "access_token", token);
  refsvc_json_add_string (b, "token_type", "Bearer");
  json_builder_set_member_name (b, "expires_in");
  json_builder_add_int_value (b, ttl);
  refsvc_json_add_string (b, "expires_at", expires);
  json_builder_set_member_name (b, "device");
  json_builder_begin_object (b);
  refsvc_json_add_string (b, "id", req->device->id);
  refsvc_json_add_string (b, "kind", kinds[req->device->kind <= 3 ? req->device->kind : 0]);
  refsvc_json_add_string (b, "unit", req->device->unit);
  json_builder_end_object (b);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  refsvc_response_node (resp, 200, root);
  OPENSSL_cleanse (token, strlen (token));
}

/* ------------------------------------------------------------------------ */
/* Submissions                                                              */

/* The dossierId of a stored answer, for the Location header. */
static char *
answer_dossier_id (const char *answer)
{
  const char *why = NULL;
  g_autoptr (JsonNode) root = refsvc_json_parse_object ((const guint8 *) answer, strlen (answer), &why);
  JsonObject *o;

  if (root == NULL)
    return NULL;
  o = json_node_get_object (root);
  return json_object_has_member (o, "dossierId")
         ? g_strdup (json_object_get_string_member (o, "dossierId")) : NULL;
}

/* Location of a new dossier (not of a supplement). */
static void
set_location (refsvc_response *resp, const char *supplemented, const char *answer)
{
  g_autofree char *id = NULL;

  if (supplemented != NULL || (id = answer_dossier_id (answer)) == NULL)
    return;
  resp->location = g_strconcat ("/v1/dossiers/", id, NULL);
}

/* The stored answer of a resend, byte for byte, marked as a replay. */
static void
answer_replay (refsvc_response *resp, const char *supplemented, guint status, char *answer)
{
  resp->replayed = TRUE;
  set_location (resp, supplemented, answer);
  refsvc_response_json (resp, status, answer);
}

/* POST /v1/dossiers (dossier_id NULL) and its supplements. */
static void
submit (const refsvc_request *req, refsvc_response *resp, const char *dossier_id)
{
  refsvc *svc = req->svc;
  refsvc_error *err = NULL;
  g_autoptr (refsvc_envelope) env = NULL;
  g_autoptr (JsonNode) root = NULL;
  const char *key, *code;
  refsvc_signer signer;
  refsvc_submission sub = { 0 };
  refsvc_backoffice_config bo;
  guint8 sha[32];
  gsize sha_len = sizeof sha;
  g_autoptr (GChecksum) ck = g_checksum_new (G_CHECKSUM_SHA256);
  guint status = 0;
  g_autofree char *answer = NULL;
  refsvc_store_result res;

  memset (&signer, 0, sizeof signer);
  if (!is_json (req))
    {
      refsvc_response_error (resp, "request.unsupported_media_type");
      return;
    }
  env = refsvc_envelope_parse (req->body, req->body_len, &err);
  if (env == NULL)
    {
      refsvc_response_take_error (resp, err);
      return;
    }
  key = refsvc_request_header (req, "Idempotency-Key");
  if (key != NULL && g_ascii_strcasecmp (key, env->transaction_id) != 0)
    {
      err = refsvc_error_new ("dossier.bad_envelope");
      refsvc_error_add_field (err, "/transactionId", "consistency",
                              "Idempotency-Key phải trùng với transactionId.");
      refsvc_response_take_error (resp, err);
      return;
    }
  g_checksum_update (ck, req->body, req->body_len);
  g_checksum_get_digest (ck, sha, &sha_len);

  /* A resend is answered from the store before anything else is checked:
   * what was accepted once stays accepted (even if, say, the signer's
   * certificate was revoked since). */
  res = refsvc_store_lookup_transaction (svc->store, env->transaction_id, sha,
                                         req->device->unit, dossier_id, &status, &answer);
  if (res == REFSVC_STORE_REPLAY)
    {
      refsvc_stat_inc (svc, REFSVC_STAT_DUPLICATES);
      answer_replay (resp, dossier_id, status, g_steal_pointer (&answer));
      return;
    }
  if (res == REFSVC_STORE_CONFLICT)
    {
      refsvc_stat_inc (svc, REFSVC_STAT_CONFLICTS);
      refsvc_response_error (resp, "dossier.transaction_conflict");
      return;
    }

  if ((err = refsvc_dossier_validate (env->procedure, env->payload, &root)) != NULL)
    {
      refsvc_response_take_error (resp, err);
      return;
    }
  code = refsvc_trust_verify_cms (svc->trust,
                                  g_bytes_get_data (env->payload, NULL), g_bytes_get_size (env->payload),
                                  g_bytes_get_data (env->signature, NULL), g_bytes_get_size (env->signature),
                                  &signer);
  if (code != NULL)
    {
      refsvc_response_error (resp, code);
      return;
    }
  if (env->aa_signature != NULL)
    {
      code = refsvc_presence_verify (svc->trust,
                                     g_bytes_get_data (env->payload, NULL), g_bytes_get_size (env->payload),
                                     env->aa_signature, env->dg15, env->sod);
      if (code != NULL)
        {
          refsvc_response_error (resp, code);
          return;
        }
    }

  sub.transaction_id = env->transaction_id;
  sub.procedure = env->procedure;
  sub.unit = req->device->unit;
  sub.device_id = req->device->id;
  sub.request_sha256 = sha;
  sub.payload = env->payload;
  sub.payload_root = root;
  sub.signature = env->signature;
  sub.signer = &signer;
  sub.presence_verified = env->aa_signature != NULL;
  bo = refsvc_bo_config (svc);
  if (dossier_id == NULL)
    res = refsvc_store_submit (svc->store, &sub, &bo, refsvc_clock_now (svc->clock), &status, &answer);
  else
    res = refsvc_store_supplement (svc->store, dossier_id, &sub, &bo,
                                   refsvc_clock_now (svc->clock), &status, &answer);
  switch (res)
    {
    case REFSVC_STORE_CREATED:
      refsvc_stat_inc (svc, dossier_id ? REFSVC_STAT_SUPPLEMENTS : REFSVC_STAT_DOSSIERS);
      resp->committed = TRUE;
      set_location (resp, dossier_id, answer);
      refsvc_response_json (resp, status, g_steal_pointer (&answer));
      break;
    case REFSVC_STORE_REPLAY:   /* a concurrent resend won the race */
      refsvc_stat_inc (svc, REFSVC_STAT_DUPLICATES);
      answer_replay (resp, dossier_id, status, g_steal_pointer (&answer));
      break;
    case REFSVC_STORE_CONFLICT:
      refsvc_stat_inc (svc, REFSVC_STAT_CONFLICTS);
      refsvc_response_error (resp, "dossier.transaction_conflict");
      break;
    case REFSVC_STORE_NOT_FOUND:
      refsvc_response_error (resp, "dossier.not_found");
      break;
    case REFSVC_STORE_REFUSED:
      refsvc_response_error (resp, "dossier.not_awaiting_supplement");
      break;
    default:
      refsvc_response_error (resp, "server.internal");
      break;
    }
}

static void
api_submit (const refsvc_request *req, refsvc_response *resp)
{
  submit (req, resp, NULL);
}

static void
api_supplement (const refsvc_request *req, refsvc_response *resp)
{
  submit (req, resp, req->params[0]);
}

/* ------------------------------------------------------------------------ */
/* Status and changes                                                       */

static void
answer_or (refsvc_response *resp, JsonNode *node, const char *not_found)
{
  if (node == NULL)
    {
      refsvc_response_error (resp, not_found);
      return;
    }
  refsvc_response_node (resp, 200, node);
  json_node_unref (node);
}

static void
api_status (const refsvc_request *req, refsvc_response *resp)
{
  refsvc_tick (req->svc);
  answer_or (resp, refsvc_store_dossier_status (req->svc->store, req->params[0], req->device->unit),
             "dossier.not_found");
}

static void
api_by_transaction (const refsvc_request *req, refsvc_response *resp)
{
  refsvc_tick (req->svc);
  answer_or (resp, refsvc_store_dossier_by_transaction (req->svc->store, req->params[0],
                                                        req->device->unit),
             "dossier.not_found");
}

/* A decimal query parameter in [min, max]; FALSE when malformed. */
static gboolean
query_int (const refsvc_request *req, const char *name, gint64 def, gint64 min, gint64 max,
           gint64 *out)
{
  const char *v = refsvc_request_query (req, name);
  guint64 n;

  *out = def;
  if (v == NULL)
    return TRUE;
  if (!g_ascii_string_to_unsigned (v, 10, (guint64) min, (guint64) max, &n, NULL))
    return FALSE;
  *out = (gint64) n;
  return TRUE;
}

static void
api_changes (const refsvc_request *req, refsvc_response *resp)
{
  gint64 since, limit;

  if (!query_int (req, "since", 0, 0, G_MAXINT64, &since)
      || !query_int (req, "limit", 500, 1, 1000, &limit))
    {
      refsvc_error *e = refsvc_error_new ("request.bad_parameter");
      refsvc_error_add_field (e, "since", "format", "since phải là số nguyên không âm.");
      refsvc_error_add_field (e, "limit", "range", "limit phải từ 1 đến 1000.");
      refsvc_response_take_error (resp, e);
      return;
    }
  refsvc_tick (req->svc);
  answer_or (resp, refsvc_store_changes (req->svc->store, req->device->unit, since, (guint) limit),
             "server.internal");
}

/* ------------------------------------------------------------------------ */
/* Hospital documents                                                        */

static void
api_birth_certificate (const refsvc_request *req, refsvc_response *resp)
{
  answer_or (resp, refsvc_store_get_document (req->svc->store, REFSVC_DOC_BIRTH_CERT, req->params[0]),
             "document.not_found");
}

static void
api_death_notice (const refsvc_request *req, refsvc_response *resp)
{
  answer_or (resp, refsvc_store_get_document (req->svc->store, REFSVC_DOC_DEATH_NOTICE, req->params[0]),
             "document.not_found");
}

const refsvc_route refsvc_api_routes[] = {
  { "POST", "/v1/auth/token", REFSVC_ROUTE_ANY_DEVICE, api_token },
  { "POST", "/v1/dossiers", REFSVC_ROUTE_TOKEN | REFSVC_ROUTE_DOSSIERS, api_submit },
  { "GET", "/v1/dossiers/by-transaction/{}", REFSVC_ROUTE_TOKEN | REFSVC_ROUTE_DOSSIERS, api_by_transaction },
  { "GET", "/v1/dossiers/{}", REFSVC_ROUTE_TOKEN | REFSVC_ROUTE_DOSSIERS, api_status },
  { "POST", "/v1/dossiers/{}/supplements", REFSVC_ROUTE_TOKEN | REFSVC_ROUTE_DOSSIERS, api_supplement },
  { "GET", "/v1/changes", REFSVC_ROUTE_TOKEN | REFSVC_ROUTE_DOSSIERS, api_changes },
  { "GET", "/v1/birth-certificates/{}", REFSVC_ROUTE_TOKEN | REFSVC_ROUTE_ANY_DEVICE, api_birth_certificate },
  { "GET", "/v1/death-notices/{}", REFSVC_ROUTE_TOKEN | REFSVC_ROUTE_ANY_DEVICE, api_death_notice },
  { NULL, NULL, 0, NULL }
};
