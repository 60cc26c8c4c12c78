/* service-harness-data.c — payloads, envelopes, JSON look-ups and answer
 * checks for the service tests (see service-harness.h). */
#include "service-harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "motcua-config.h"
#include "testsign.h"

/* ------------------------------------------------------------ JSON */

JsonNode *
svc_json_at (JsonNode *root, const char *pointer)
{
  if (!root || !pointer)
    return NULL;
  if (!*pointer)
    return root;
  g_auto(GStrv) parts = g_strsplit (pointer + (pointer[0] == '/'), "/", -1);
  JsonNode *n = root;
  for (size_t i = 0; n && parts[i]; i++)
    {
      /* RFC 6901 unescaping: ~1 → '/', ~0 → '~'. */
      g_autoptr(GString) key = g_string_new (NULL);
      for (const char *p = parts[i]; *p; p++)
        {
          if (p[0] == '~' && (p[1] == '0' || p[1] == '1'))
            {
              g_string_append_c (key, p[1] == '1' ? '/' : '~');
              p++;
            }
          else
            g_string_append_c (key, *p);
        }
      if (JSON_NODE_HOLDS_OBJECT (n))
        {
          JsonObject *o = json_node_get_object (n);
          n = json_object_has_member (o, key->str) ? json_object_get_member (o, key->str) : NULL;
        }
      else if (JSON_NODE_HOLDS_ARRAY (n))
        {
          JsonArray *a = json_node_get_array (n);
          char *end = NULL;
          guint64 idx = g_ascii_strtoull (key->str, &end, 10);
          n = (end && !*end && *key->str && idx < json_array_get_length (a))
                ? json_array_get_element (a, (guint) idx) : NULL;
        }
      else
        n = NULL;
    }
  return n;
}

const char *
svc_json_str (JsonNode *root, const char *pointer)
{
  JsonNode *n = svc_json_at (root, pointer);
  return n && JSON_NODE_HOLDS_VALUE (n) && json_node_get_value_type (n) == G_TYPE_STRING
           ? json_node_get_string (n) : NULL;
}

gint64
svc_json_int (JsonNode *root, const char *pointer)
{
  JsonNode *n = svc_json_at (root, pointer);
  if (!n || !JSON_NODE_HOLDS_VALUE (n))
    return -1;
  GType t = json_node_get_value_type (n);
  if (t == G_TYPE_INT64)
    return json_node_get_int (n);
  if (t == G_TYPE_DOUBLE)
    return (gint64) json_node_get_double (n);
  return -1;
}

gboolean
svc_json_bool (JsonNode *root, const char *pointer)
{
  JsonNode *n = svc_json_at (root, pointer);
  return n && JSON_NODE_HOLDS_VALUE (n) && json_node_get_value_type (n) == G_TYPE_BOOLEAN
         && json_node_get_boolean (n);
}

guint
svc_json_len (JsonNode *root, const char *pointer)
{
  JsonNode *n = svc_json_at (root, pointer);
  return n && JSON_NODE_HOLDS_ARRAY (n) ? json_array_get_length (json_node_get_array (n)) : 0;
}

char *
svc_json_text (JsonNode *node)
{
  return node ? json_to_string (node, FALSE) : g_strdup ("(null)");
}

/* ------------------------------------------------------------ payloads */

GBytes *
svc_sample (const char *name)
{
  const char *env = g_getenv ("MOTCUA_SOURCE_ROOT");
  g_autofree char *path = g_build_filename (env && *env ? env : MOTCUA_SOURCE_ROOT,
                                            "tests", "refsvc", "samples", name, NULL);
  char *text = NULL;
  gsize len = 0;
  if (!g_file_get_contents (path, &text, &len, NULL))
    {
      fprintf (stderr, "service-harness: no sample %s\n", path);
      return NULL;
    }
  return g_bytes_new_take (text, len);
}

GBytes *
svc_json_patch (GBytes *json, const char *pointer, const char *value)
{
  g_autoptr(JsonParser) p = json_parser_new ();
  gsize len = 0;
  const char *data = g_bytes_get_data (json, &len);
  if (!json_parser_load_from_data (p, data, (gssize) len, NULL))
    return NULL;
  g_autoptr(JsonNode) root = json_node_copy (json_parser_get_root (p));
  JsonNode *repl = NULL;
  if (value)
    {
      g_autoptr(JsonParser) vp = json_parser_new ();
      if (!json_parser_load_from_data (vp, value, -1, NULL))
        return NULL;
      repl = json_node_copy (json_parser_get_root (vp));
    }
  /* Walk to the parent object, creating missing objects. */
  g_auto(GStrv) parts = g_strsplit (pointer + (pointer[0] == '/'), "/", -1);
  guint n = g_strv_length (parts);
  JsonNode *cur = root;
  for (guint i = 0; i + 1 < n; i++)
    {
      JsonNode *next = svc_json_at (cur, parts[i]);
      if (!next && JSON_NODE_HOLDS_OBJECT (cur))
        {
          json_object_set_object_member (json_node_get_object (cur), parts[i], json_object_new ());
          next = svc_json_at (cur, parts[i]);
        }
      cur = next;
      if (!cur)
        break;
    }
  if (!cur || n == 0)
    {
      if (repl)
        json_node_unref (repl);
      return NULL;
    }
  if (JSON_NODE_HOLDS_OBJECT (cur))
    {
      JsonObject *o = json_node_get_object (cur);
      if (repl)
        json_object_set_member (o, parts[n - 1], g_steal_pointer (&repl));
      else if (json_object_has_member (o, parts[n - 1]))
        json_object_remove_member (o, parts[n - 1]);
    }
  else if (JSON_NODE_HOLDS_ARRAY (cur))
    {
      /* Rebuild the array: element idx replaced (or dropped). */
      JsonArray *a = json_node_get_array (cur);
      guint idx = (guint) atoi (parts[n - 1]);
      JsonArray *b = json_array_new ();
      for (guint i = 0; i < json_array_get_length (a); i++)
        if (i != idx)
          json_array_add_element (b, json_node_copy (json_array_get_element (a, i)));
        else if (repl)
          json_array_add_element (b, g_steal_pointer (&repl));
      json_node_take_array (cur, b);
    }
  if (repl)
    json_node_unref (repl);
  g_autoptr(JsonGenerator) g = json_generator_new ();
  json_generator_set_root (g, root);
  gsize out_len = 0;
  char *out = json_generator_to_data (g, &out_len);
  return g_bytes_new_take (out, out_len);
}

GBytes *
svc_json_patch_all (GBytes *json, const char *const *edits)
{
  GBytes *cur = g_bytes_ref (json);
  for (size_t i = 0; cur && edits[i]; i += 2)
    {
      GBytes *next = svc_json_patch (cur, edits[i], edits[i + 1]);
      g_bytes_unref (cur);
      cur = next;
    }
  return cur;
}

static char *
b64 (GBytes *b)
{
  gsize len = 0;
  const guint8 *d = g_bytes_get_data (b, &len);
  return g_base64_encode (d, len);
}

char *
svc_envelope (const char *transaction_id, const char *procedure, GBytes *payload,
              GBytes *signature, GBytes *aa, GBytes *dg15, GBytes *sod)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "transactionId");
  json_builder_add_string_value (b, transaction_id);
  json_builder_set_member_name (b, "procedure");
  json_builder_add_string_value (b, procedure);
  g_autofree char *p64 = b64 (payload);
  json_builder_set_member_name (b, "payload");
  json_builder_add_string_value (b, p64);
  if (signature)
    {
      g_autofree char *s64 = b64 (signature);
      json_builder_set_member_name (b, "signature");
      json_builder_add_string_value (b, s64);
    }
  if (aa && dg15 && sod)
    {
      g_autofree char *a64 = b64 (aa), *d64 = b64 (dg15), *o64 = b64 (sod);
      json_builder_set_member_name (b, "cardPresence");
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "aaSignature");
      json_builder_add_string_value (b, a64);
      json_builder_set_member_name (b, "dg15");
      json_builder_add_string_value (b, d64);
      json_builder_set_member_name (b, "sod");
      json_builder_add_string_value (b, o64);
      json_builder_end_object (b);
    }
  json_builder_end_object (b);
  g_autoptr(JsonNode) root = json_builder_get_root (b);
  return json_to_string (root, FALSE);
}

char *
svc_signed_envelope (const char *transaction_id, const char *procedure, GBytes *payload,
                     const char *signer, gboolean with_presence)
{
  gsize len = 0;
  const guint8 *d = g_bytes_get_data (payload, &len);
  g_autoptr(GBytes) sig = testsign_cms (signer, d, len);
  if (!sig)
    {
      fprintf (stderr, "service-harness: testsign_cms(%s) failed\n", signer);
      return NULL;
    }
  g_autoptr(GBytes) aa = NULL, dg15 = NULL, sod = NULL;
  if (with_presence && !testsign_presence ("cccd-2021", d, len, &aa, &dg15, &sod))
    {
      fprintf (stderr, "service-harness: testsign_presence failed\n");
      return NULL;
    }
  return svc_envelope (transaction_id, procedure, payload, sig, aa, dg15, sod);
}

/* ------------------------------------------------------------ checks */

static void
describe (const svc_response *r, const char *what)
{
  fprintf (stderr, "service check failed: %s\n  status %ld, curl %d (%s)\n  body: %.2000s\n",
           what, r->status, (int) r->curl_code, r->curl_error, r->body ? r->body : "");
}

static gboolean
is_vietnamese (const char *s)
{
  if (!s || !*s || !g_utf8_validate (s, -1, NULL))
    return FALSE;
  g_autofree char *nfc = g_utf8_normalize (s, -1, G_NORMALIZE_NFC);
  if (!nfc || strcmp (nfc, s))
    return FALSE;
  for (const char *p = s; *p; p = g_utf8_next_char (p))
    if (g_utf8_get_char (p) > 0x7f && g_unichar_isalpha (g_utf8_get_char (p)))
      return TRUE;
  return FALSE;
}

gboolean
svc_check_error (const svc_response *r, long status, const char *code)
{
  JsonNode *j = r->json;
  if (r->status != status)
    {
      g_autofree char *w = g_strdup_printf ("expected HTTP %ld %s", status, code);
      describe (r, w);
      return FALSE;
    }
  const char *got = svc_json_str (j, "/error/code");
  if (!got || strcmp (got, code))
    {
      g_autofree char *w = g_strdup_printf ("expected error code %s", code);
      describe (r, w);
      return FALSE;
    }
  if (svc_json_int (j, "/error/status") != status)
    {
      describe (r, "error.status differs from the HTTP status");
      return FALSE;
    }
  const char *vi = svc_json_str (j, "/error/message");
  const char *en = svc_json_str (j, "/error/message_en");
  if (!is_vietnamese (vi) || !en || !*en || !strcmp (vi, en))
    {
      describe (r, "error.message is not a Vietnamese NFC text (or message_en missing)");
      return FALSE;
    }
  return TRUE;
}

gboolean
svc_check_field (const svc_response *r, const char *path)
{
  guint n = svc_json_len (r->json, "/error/fields");
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *pp = g_strdup_printf ("/error/fields/%u/path", i);
      g_autofree char *pc = g_strdup_printf ("/error/fields/%u/code", i);
      g_autofree char *pm = g_strdup_printf ("/error/fields/%u/message", i);
      const char *got = svc_json_str (r->json, pp);
      if (got && !strcmp (got, path))
        {
          if (!svc_json_str (r->json, pc) || !is_vietnamese (svc_json_str (r->json, pm)))
            {
              describe (r, "field error without a code or a Vietnamese message");
              return FALSE;
            }
          return TRUE;
        }
    }
  g_autofree char *w = g_strdup_printf ("error.fields[] does not list %s", path);
  describe (r, w);
  return FALSE;
}

gboolean
svc_check_retry_after (const svc_response *r)
{
  const char *h = svc_response_header (r, "Retry-After");
  gint64 body = svc_json_int (r->json, "/error/retryAfter");
  if (!h || body <= 0 || g_ascii_strtoll (h, NULL, 10) != body)
    {
      g_autofree char *w = g_strdup_printf ("Retry-After header '%s' vs error.retryAfter %"
                                            G_GINT64_FORMAT, h ? h : "(none)", body);
      describe (r, w);
      return FALSE;
    }
  return TRUE;
}

gboolean
svc_check_dropped (const svc_response *r)
{
  switch (r->curl_code)
    {
    case CURLE_GOT_NOTHING:
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_PARTIAL_FILE:
    case CURLE_SSL_CONNECT_ERROR:
      if (r->status == 0)
        return TRUE;
      break;
    default:
      break;
    }
  describe (r, "expected a dropped connection (curl error, no answer)");
  return FALSE;
}

JsonNode *
svc_system (JsonNode *doc, const char *system)
{
  guint n = svc_json_len (doc, "/systems");
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *p = g_strdup_printf ("/systems/%u", i);
      JsonNode *s = svc_json_at (doc, p);
      const char *name = svc_json_str (s, "/system");
      if (name && !strcmp (name, system))
        return s;
    }
  return NULL;
}

const char *
svc_system_status (JsonNode *doc, const char *system)
{
  const char *st = svc_json_str (svc_system (doc, system), "/status");
  return st ? st : "";
}

gboolean
svc_group_start (svc_service **svc, GBytes **birth, GBytes **death)
{
  *svc = NULL;
  *birth = svc_sample ("birth-valid.json");
  if (death != NULL)
    *death = svc_sample ("death-valid.json");
  if (*birth == NULL || (death != NULL && *death == NULL))
    return FALSE;
  *svc = svc_start (NULL);
  return *svc != NULL;
}

gboolean
svc_group_stop (svc_service *svc, GBytes **birth, GBytes **death)
{
  g_clear_pointer (birth, g_bytes_unref);
  if (death != NULL)
    g_clear_pointer (death, g_bytes_unref);
  return svc_stop (svc);
}
