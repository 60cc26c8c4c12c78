/* refsvc-gateway.c — the BHXH gateway endpoints for hospital documents
 *
 * Shaped like the real gateway (docs/protocol-hospital.md,
 * bhxh-gateway.md): form-urlencoded requests, every answer HTTP 200 with
 * a result code in the body (MaKetQua / maKetQua), an account whose
 * password is sent as MD5 hex.  Unlike the real one it also requires a
 * hospital device certificate (mutual TLS), says why in "MoTaLoi" and
 * "error", and is idempotent by document code. */
#define G_LOG_DOMAIN "refsvc-gateway"

#include <string.h>

#include "refsvc-server.h"

#define FILE_MAX (5u << 20)   /* decoded document size; beyond: MaKetQua 1001 */

static GHashTable *
parse_form (const refsvc_request *req)
{
  const char *ct = refsvc_request_header (req, "Content-Type");

  if (ct == NULL || g_ascii_strncasecmp (ct, "application/x-www-form-urlencoded", 33) != 0
      || req->body_len > G_MAXSSIZE)
    return NULL;
  return g_uri_parse_params ((const char *) req->body, (gssize) req->body_len, "&",
                             G_URI_PARAMS_WWW_FORM, NULL);
}

/* Answers {result_member: code, ...extra} with HTTP 200, as the gateway does. */
static void
gateway_answer (refsvc_response *resp, JsonBuilder *b)
{
  g_autoptr (JsonNode) root = NULL;

  json_builder_end_object (b);
  root = json_builder_get_root (b);
  refsvc_response_node (resp, 200, root);
}

/* {"MaKetQua": code, "MoTaLoi": vi, "error": {...}} */
static void
gateway_refuse (refsvc_response *resp, const char *member, const char *result,
                refsvc_error *e)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  const char *why = NULL;
  g_autofree char *ej = refsvc_error_to_json (e);
  g_autoptr (JsonNode) en = refsvc_json_parse_object ((const guint8 *) ej, strlen (ej), &why);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, member);
  json_builder_add_string_value (b, result);
  refsvc_json_add_string (b, "MoTaLoi", e->message_vi);
  if (en != NULL)
    {
      json_builder_set_member_name (b, "error");
      json_builder_add_value (b, json_node_copy (json_object_get_member (json_node_get_object (en),
                                                                         "error")));
    }
  refsvc_error_free (e);
  gateway_answer (resp, b);
}

static gboolean
account_ok (refsvc *svc, const char *username, const char *password)
{
  return username != NULL && password != NULL
         && g_str_equal (username, svc->cfg.gw_username)
         && g_ascii_strcasecmp (password, svc->cfg.gw_password_md5) == 0;
}

/* POST /api/token/take */
static void
gw_token (const refsvc_request *req, refsvc_response *resp)
{
  refsvc *svc = req->svc;
  g_autoptr (GHashTable) form = parse_form (req);
  g_autoptr (JsonBuilder) b = NULL;
  g_autofree char *access = NULL, *id = NULL;

  if (form == NULL)
    {
      gateway_refuse (resp, "maKetQua", "500", refsvc_error_new ("request.malformed_form"));
      return;
    }
  if (!account_ok (svc, g_hash_table_lookup (form, "username"), g_hash_table_lookup (form, "password")))
    {
      gateway_refuse (resp, "maKetQua", "401", refsvc_error_new ("gateway.auth"));
      return;
    }
  refsvc_tokens_gateway_issue (svc->tokens, svc->cfg.gw_username, 3600, &access, &id);
  refsvc_stat_inc (svc, REFSVC_STAT_TOKENS);
  b = json_builder_new ();
  json_builder_begin_object (b);
  refsvc_json_add_string (b, "maKetQua", "200");
  json_builder_set_member_name (b, "APIKey");
  json_builder_begin_object (b);
  refsvc_json_add_string (b, "access_token", access);
  refsvc_json_add_string (b, "id_token", id);
  refsvc_json_add_string (b, "token_type", "Bearer");
  refsvc_json_add_string (b, "username", svc->cfg.gw_username);
  refsvc_json_add_string (b, "expires_in", "3600");
  json_builder_end_object (b);
  gateway_answer (resp, b);
}

/* POST /api/hososuckhoe/guiGiayToDienTu */
static void
gw_send (const refsvc_request *req, refsvc_response *resp)
{
  refsvc *svc = req->svc;
  g_autoptr (GHashTable) form = parse_form (req);
  g_autoptr (GBytes) xml = NULL;
  g_autoptr (refsvc_xmldoc) doc = NULL;
  g_autoptr (JsonBuilder) b = NULL;
  g_autofree char *ma_gd = NULL, *received = NULL;
  refsvc_error *err = NULL;
  const char *loai, *file, *facility, *why = NULL;
  refsvc_doc_kind kind;
  refsvc_store_result res;

  if (form == NULL)
    {
      gateway_refuse (resp, "MaKetQua", "500", refsvc_error_new ("request.malformed_form"));
      return;
    }
  facility = g_hash_table_lookup (form, "maCskcb");
  if (!account_ok (svc, g_hash_table_lookup (form, "username"), g_hash_table_lookup (form, "password"))
      || !refsvc_tokens_gateway_check (svc->tokens, svc->cfg.gw_username,
                                       g_hash_table_lookup (form, "token"),
                                       g_hash_table_lookup (form, "id_token"))
      || facility == NULL || !g_str_equal (facility, svc->cfg.gw_facility))
    {
      gateway_refuse (resp, "MaKetQua", "401", refsvc_error_new ("gateway.auth"));
      return;
    }
  loai = g_hash_table_lookup (form, "loaiHs");
  if (loai != NULL && g_str_equal (loai, "61"))
    kind = REFSVC_DOC_BIRTH_CERT;
  else if (loai != NULL && g_str_equal (loai, "60"))
    kind = REFSVC_DOC_DEATH_NOTICE;
  else
    {
      err = refsvc_error_new ("xml.wrong_kind");
      refsvc_error_add_field (err, "loaiHs", "code_list", "loaiHs phải là 60 (giấy báo tử) hoặc 61 (giấy chứng sinh).");
      gateway_refuse (resp, "MaKetQua", "205", err);
      return;
    }
  file = g_hash_table_lookup (form, "fileBase64Str");
  if (file == NULL || *file == '\0'
      || (xml = refsvc_base64_decode_strict (file, FILE_MAX, &why)) == NULL)
    {
      if (g_strcmp0 (why, "length") == 0)
        gateway_refuse (resp, "MaKetQua", "1001", refsvc_error_new ("request.too_large"));
      else
        gateway_refuse (resp, "MaKetQua", "205", refsvc_error_new ("gateway.bad_file"));
      return;
    }
  doc = refsvc_xmldoc_parse (svc->trust, kind, g_bytes_get_data (xml, NULL), g_bytes_get_size (xml), &err);
  if (doc == NULL)
    {
      gateway_refuse (resp, "MaKetQua", "205", err);
      return;
    }
  if (doc->facility == NULL)
    doc->facility = g_strdup (facility);
  else if (!g_str_equal (doc->facility, facility))
    {
      /* tracnn's CTDT007: the document's facility is the sender's. */
      err = refsvc_error_new ("xml.invalid");
      refsvc_error_add_field (err, "/GIAYBAOTU/MACSKCB", "consistency",
                              "Mã cơ sở KCB trên giấy báo tử khác mã cơ sở gửi.");
      gateway_refuse (resp, "MaKetQua", "205", err);
      return;
    }

  res = refsvc_store_put_document (svc->store, doc, xml, req->device->id,
                                   refsvc_clock_now (svc->clock), &ma_gd, &received);
  if (res == REFSVC_STORE_CONFLICT)
    {
      gateway_refuse (resp, "MaKetQua", "1002", refsvc_error_new ("document.conflict"));
      return;
    }
  if (res != REFSVC_STORE_CREATED && res != REFSVC_STORE_REPLAY)
    {
      gateway_refuse (resp, "MaKetQua", "500", refsvc_error_new ("server.internal"));
      return;
    }
  if (res == REFSVC_STORE_CREATED)
    {
      refsvc_stat_inc (svc, REFSVC_STAT_DOCUMENTS);
      resp->committed = TRUE;
    }
  else
    {
      refsvc_stat_inc (svc, REFSVC_STAT_DOCUMENT_DUPLICATES);
      resp->replayed = TRUE;
    }
  b = json_builder_new ();
  json_builder_begin_object (b);
  refsvc_json_add_string (b, "MaKetQua", "200");
  refsvc_json_add_string (b, "MaGD", ma_gd);
  refsvc_json_add_string (b, "ThoiGianTiepNhan", received);
  gateway_answer (resp, b);
}

const refsvc_route refsvc_gateway_routes[] = {
  { "POST", "/api/token/take", REFSVC_ROUTE_HOSPITAL, gw_token },
  { "POST", "/api/hososuckhoe/guiGiayToDienTu", REFSVC_ROUTE_HOSPITAL, gw_send },
  { NULL, NULL, 0, NULL }
};
