/* refsvc-dossier.c — the submission envelope and the payload check
 *
 * POST /v1/dossiers carries {transactionId, procedure, payload, signature,
 * cardPresence?}; the payload is the base64 of the exact dossier bytes the
 * signature covers.  This file decodes the envelope strictly (every
 * problem listed), parses JSON without json-glib's leniencies, and hands
 * the payload to the group tables (refsvc-dossier-rules.c).
 * Contract: docs/protocol-dossiers.md. */
#define G_LOG_DOMAIN "refsvc-dossier"

#include <string.h>

#include "refsvc-dossier-private.h"

const char *
refsvc_procedure_name (refsvc_procedure p)
{
  switch (p)
    {
    case REFSVC_BIRTH: return "birth";
    case REFSVC_DEATH: return "death";
    default: return "unknown";
    }
}

/* ---- Strict JSON ------------------------------------------------------- */

/* json-glib 1.6 is lenient where RFC 8259 is not: it takes comments,
 * single quotes, hex and leading-zero numbers, unknown escapes, raw
 * control characters and text after the value; it has no nesting limit
 * (deep input overflows the stack) and cuts strings at an escaped NUL, so
 * the values checked would differ from the bytes that were signed.  This
 * lexical pass refuses all of that; json-glib then builds the tree.  It
 * checks tokens only — the structure is json-glib's job. */
#define MSG_NOT_JSON "Nội dung không phải JSON hợp lệ (RFC 8259)."

static gboolean
is_ws (guint8 c)
{
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static gboolean
is_digit (guint8 c)
{
  return c >= '0' && c <= '9';
}

static gsize
skip_digits (const guint8 *d, gsize len, gsize j)
{
  while (j < len && is_digit (d[j]))
    j++;
  return j;
}

/* -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? followed by a delimiter.
 * Returns the index after the number, or 0 when malformed. */
static gsize
lex_number (const guint8 *d, gsize len, gsize j)
{
  if (j < len && d[j] == '-')
    j++;
  if (j >= len || !is_digit (d[j]))
    return 0;
  j = d[j] == '0' ? j + 1 : skip_digits (d, len, j);
  if (j < len && d[j] == '.')
    {
      if (++j >= len || !is_digit (d[j]))
        return 0;
      j = skip_digits (d, len, j);
    }
  if (j < len && (d[j] == 'e' || d[j] == 'E'))
    {
      if (++j < len && (d[j] == '+' || d[j] == '-'))
        j++;
      if (j >= len || !is_digit (d[j]))
        return 0;
      j = skip_digits (d, len, j);
    }
  if (j < len && !is_ws (d[j]) && strchr (",}]", d[j]) == NULL)
    return 0;
  return j;
}

/* The value of 4 hex digits at d[i], or -1. */
static int
hex4 (const guint8 *d, gsize len, gsize i)
{
  int v = 0;

  if (i + 4 > len)
    return -1;
  for (gsize k = i; k < i + 4; k++)
    {
      if (!g_ascii_isxdigit (d[k]))
        return -1;
      v = v * 16 + g_ascii_xdigit_value (d[k]);
    }
  return v;
}

/* After the opening quote; returns the index after the closing quote, or
 * 0 when malformed (*why set). */
static gsize
lex_string (const guint8 *d, gsize len, gsize j, const char **why)
{
  for (; j < len; j++)
    {
      if (d[j] == '"')
        return j + 1;
      if (d[j] < 0x20)
        break;
      if (d[j] != '\\')
        continue;
      if (++j >= len)
        break;
      if (d[j] == 'u')
        {
          int v = hex4 (d, len, j + 1), lo;

          if (v < 0)
            break;
          if (v == 0)
            {
              *why = "Chuỗi không được chứa ký tự NUL (\\u0000).";
              return 0;
            }
          j += 4;
          /* UTF-16 surrogates only in pairs: json-glib would turn a lone
           * one into invalid UTF-8. */
          if (v >= 0xDC00 && v <= 0xDFFF)
            break;
          if (v >= 0xD800 && v <= 0xDBFF)
            {
              if (len - j < 7 || d[j + 1] != '\\' || d[j + 2] != 'u'
                  || (lo = hex4 (d, len, j + 3)) < 0xDC00 || lo > 0xDFFF)
                break;
              j += 6;
            }
        }
      else if (strchr ("\"\\/bfnrt", d[j]) == NULL || d[j] == '\0')
        break;
    }
  *why = MSG_NOT_JSON;
  return 0;
}

static gsize
lex_literal (const guint8 *d, gsize len, gsize j)
{
  static const char *const words[] = { "true", "false", "null" };

  for (gsize w = 0; w < G_N_ELEMENTS (words); w++)
    {
      gsize n = strlen (words[w]);
      if (len - j >= n && memcmp (d + j, words[w], n) == 0
          && (j + n == len || !g_ascii_isalnum (d[j + n])))
        return j + n;
    }
  return 0;
}

static gboolean
json_lint (const guint8 *d, gsize len, const char **why)
{
  gsize i = 0;
  guint depth = 0;
  gboolean closed = FALSE;   /* the top-level object has ended */

  while (i < len && is_ws (d[i]))
    i++;
  if (i == len || d[i] != '{')
    {
      *why = "Nội dung phải là một đối tượng JSON ({…}).";
      return FALSE;
    }
  *why = MSG_NOT_JSON;
  for (; i < len; )
    {
      guint8 c = d[i];
      gsize next = i + 1;

      if (is_ws (c))
        {
          i = next;
          continue;
        }
      if (closed)
        return FALSE;   /* text after the top-level object */
      if (c == '{' || c == '[')
        {
          if (++depth > REFSVC_JSON_MAX_DEPTH)
            {
              *why = "Cấu trúc JSON lồng nhau quá sâu.";
              return FALSE;
            }
        }
      else if (c == '}' || c == ']')
        {
          if (depth == 0)
            return FALSE;
          closed = --depth == 0;
        }
      else if (c == '"')
        next = lex_string (d, len, i + 1, why);
      else if (c == '-' || is_digit (c))
        next = lex_number (d, len, i);
      else if (c >= 'a' && c <= 'z')
        next = lex_literal (d, len, i);
      else if (c != ',' && c != ':')
        return FALSE;
      if (next == 0)
        return FALSE;
      i = next;
    }
  return TRUE;
}

/* Duplicate member names: JSON allows them, json-glib keeps the last one,
 * another reader may keep the first — two readings of one signed dossier.
 * "object-member" fires once per member parsed, so a name seen twice in
 * the same object is a duplicate. */
typedef struct {
  GHashTable *names_by_object;  /* JsonObject * → set of names */
  gboolean    duplicate;
} dup_state;

static void
on_object_member (JsonParser *parser, JsonObject *object, const char *name, gpointer user)
{
  dup_state *st = user;
  GHashTable *names = g_hash_table_lookup (st->names_by_object, object);

  (void) parser;
  if (names == NULL)
    {
      names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
      g_hash_table_insert (st->names_by_object, object, names);
    }
  if (!g_hash_table_add (names, g_strdup (name)))
    st->duplicate = TRUE;
}

JsonNode *
refsvc_json_parse_object (const guint8 *data, gsize len, const char **why)
{
  g_autoptr (JsonParser) parser = NULL;
  dup_state st = { NULL, FALSE };
  g_autoptr (GError) error = NULL;
  JsonNode *root;
  gboolean ok;

  if (data == NULL || len == 0)
    {
      *why = "Nội dung rỗng.";
      return NULL;
    }
  if (len > G_MAXSSIZE || !g_utf8_validate ((const char *) data, (gssize) len, NULL))
    {
      *why = "Nội dung không phải UTF-8 hợp lệ.";
      return NULL;
    }
  if (!json_lint (data, len, why))
    return NULL;

  parser = json_parser_new ();
  st.names_by_object = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL,
                                              (GDestroyNotify) g_hash_table_unref);
  g_signal_connect (parser, "object-member", G_CALLBACK (on_object_member), &st);
  ok = json_parser_load_from_data (parser, (const char *) data, (gssize) len, &error)
       && !json_parser_has_assignment (parser, NULL);
  g_hash_table_unref (st.names_by_object);
  if (!ok)
    {
      *why = "Nội dung không phải JSON hợp lệ.";
      return NULL;
    }
  if (st.duplicate)
    {
      *why = "Một tên trường xuất hiện hai lần trong cùng một đối tượng JSON.";
      return NULL;
    }
  root = json_parser_steal_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_clear_pointer (&root, json_node_unref);
      *why = "Nội dung phải là một đối tượng JSON ({…}).";
      return NULL;
    }
  return root;
}

/* ---- Envelope ---------------------------------------------------------- */

void
refsvc_envelope_free (refsvc_envelope *env)
{
  if (env == NULL)
    return;
  g_free (env->transaction_id);
  g_clear_pointer (&env->payload, g_bytes_unref);
  g_clear_pointer (&env->signature, g_bytes_unref);
  g_clear_pointer (&env->aa_signature, g_bytes_unref);
  g_clear_pointer (&env->dg15, g_bytes_unref);
  g_clear_pointer (&env->sod, g_bytes_unref);
  g_free (env);
}

static int
b64_value (char c)
{
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

/* RFC 4648 §4 base64, strictly: the standard alphabet, padded to a
 * multiple of 4, no whitespace, zero unused bits (one encoding per byte
 * string).  *code is "format" or "length" on failure. */
GBytes *
refsvc_base64_decode_strict (const char *s, gsize max, const char **code)
{
  gsize n = strlen (s), pad = 0, out_len;
  guchar *out;

  if (n % 4 != 0)
    {
      *code = "format";
      return NULL;
    }
  if (n > 0 && s[n - 1] == '=')
    pad = (n > 1 && s[n - 2] == '=') ? 2 : 1;
  if (n / 4 * 3 - pad > max)
    {
      *code = "length";
      return NULL;
    }
  for (gsize i = 0; i < n - pad; i++)
    if (b64_value (s[i]) < 0)
      {
        *code = "format";
        return NULL;
      }
  if ((pad == 2 && (b64_value (s[n - 3]) & 0x0f) != 0)
      || (pad == 1 && (b64_value (s[n - 2]) & 0x03) != 0))
    {
      *code = "format";
      return NULL;
    }
  out = g_base64_decode (s, &out_len);
  return g_bytes_new_take (out, out_len);
}

/* A lowercase RFC 4122 UUID: version 1–8, variant 10xx. */
static gboolean
uuid_ok (const char *s)
{
  if (!g_uuid_string_is_valid (s))
    return FALSE;
  for (const char *p = s; *p != '\0'; p++)
    if (g_ascii_isupper (*p))
      return FALSE;
  return s[14] >= '1' && s[14] <= '8' && strchr ("89ab", s[19]) != NULL;
}

static void
env_add (refsvc_error **e, const char *path, const char *code, const char *msg)
{
  if (*e == NULL)
    *e = refsvc_error_new ("dossier.bad_envelope");
  refsvc_error_add_field (*e, path, code, msg);
}

/* The string member, or NULL after reporting (required unless optional). */
static const char *
env_string (JsonObject *o, const char *path, const char *name, refsvc_error **e)
{
  JsonNode *n = json_object_get_member (o, name);

  if (n == NULL || JSON_NODE_HOLDS_NULL (n))
    {
      env_add (e, path, "required", "Thiếu thông tin bắt buộc.");
      return NULL;
    }
  if (!JSON_NODE_HOLDS_VALUE (n) || json_node_get_value_type (n) != G_TYPE_STRING)
    {
      env_add (e, path, "type", "Giá trị phải là chuỗi ký tự.");
      return NULL;
    }
  return json_node_get_string (n);
}

static GBytes *
env_base64 (JsonObject *o, const char *path, const char *name, gsize max, refsvc_error **e)
{
  const char *s = env_string (o, path, name, e);
  const char *code = NULL;
  GBytes *b;

  if (s == NULL)
    return NULL;
  if (s[0] == '\0')
    {
      env_add (e, path, "required", "Thiếu thông tin bắt buộc.");
      return NULL;
    }
  b = refsvc_base64_decode_strict (s, max, &code);
  if (b == NULL && g_str_equal (code, "length"))
    {
      g_autofree char *m = g_strdup_printf ("Dữ liệu vượt quá %" G_GSIZE_FORMAT " byte.", max);
      env_add (e, path, "length", m);
    }
  else if (b == NULL)
    env_add (e, path, "format",
             "Phải là base64 chuẩn (RFC 4648 §4, có đệm '=', không có dấu cách hay xuống dòng).");
  return b;
}

static void
env_unknown (JsonObject *o, const char *base, const char *const *known, refsvc_error **e)
{
  g_autoptr (GList) names = json_object_get_members (o);

  for (GList *l = names; l != NULL; l = l->next)
    if (!g_strv_contains (known, l->data))
      {
        g_autofree char *valid = g_utf8_make_valid (l->data, -1);
        g_auto (GStrv) parts = g_strsplit (valid, "~", -1);
        g_autofree char *t = g_strjoinv ("~0", parts);
        g_auto (GStrv) parts2 = g_strsplit (t, "/", -1);
        g_autofree char *esc = g_strjoinv ("~1", parts2);
        g_autofree char *path = g_strconcat (base, "/", esc, NULL);
        env_add (e, path, "unknown", "Trường này không có trong gói hồ sơ.");
      }
}

static void
env_card_presence (JsonObject *o, refsvc_envelope *env, refsvc_error **e)
{
  static const char *const known[] = { "aaSignature", "dg15", "sod", NULL };
  JsonNode *n = json_object_get_member (o, "cardPresence");
  JsonObject *cp;

  /* Absent, null or {}: no proof.  Otherwise all three parts. */
  if (n == NULL || JSON_NODE_HOLDS_NULL (n))
    return;
  if (!JSON_NODE_HOLDS_OBJECT (n))
    {
      env_add (e, "/cardPresence", "type", "Giá trị phải là một đối tượng JSON.");
      return;
    }
  cp = json_node_get_object (n);
  if (json_object_get_size (cp) == 0)
    return;
  env_unknown (cp, "/cardPresence", known, e);
  env->aa_signature = env_base64 (cp, "/cardPresence/aaSignature", "aaSignature",
                                  REFSVC_AA_SIGNATURE_MAX, e);
  env->dg15 = env_base64 (cp, "/cardPresence/dg15", "dg15", REFSVC_DG15_MAX, e);
  env->sod = env_base64 (cp, "/cardPresence/sod", "sod", REFSVC_SOD_MAX, e);
}

refsvc_envelope *
refsvc_envelope_parse (const guint8 *body, gsize len, refsvc_error **err)
{
  static const char *const known[] = { "transactionId", "procedure", "payload", "signature",
                                       "cardPresence", NULL };
  g_autoptr (JsonNode) root = NULL;
  g_autoptr (refsvc_envelope) env = NULL;
  refsvc_error *e = NULL;
  const char *why = NULL;
  JsonObject *o;
  const char *s;

  g_return_val_if_fail (err != NULL, NULL);
  *err = NULL;
  root = refsvc_json_parse_object (body, len, &why);
  if (root == NULL)
    {
      *err = refsvc_error_new ("request.malformed_json");
      refsvc_error_add_field (*err, "", "format", why);
      return NULL;
    }
  o = json_node_get_object (root);
  env = g_new0 (refsvc_envelope, 1);
  env_unknown (o, "", known, &e);

  if ((s = env_string (o, "/transactionId", "transactionId", &e)) != NULL)
    {
      if (uuid_ok (s))
        env->transaction_id = g_strdup (s);
      else
        env_add (&e, "/transactionId", "format",
                 "Mã giao dịch phải là UUID (RFC 4122) viết thường, "
                 "ví dụ 3f2b8c1e-4d5a-4b6c-9e7f-0a1b2c3d4e5f.");
    }
  if ((s = env_string (o, "/procedure", "procedure", &e)) != NULL)
    {
      if (g_str_equal (s, "birth"))
        env->procedure = REFSVC_BIRTH;
      else if (g_str_equal (s, "death"))
        env->procedure = REFSVC_DEATH;
      else
        env_add (&e, "/procedure", "code_list", "Thủ tục phải là \"birth\" hoặc \"death\".");
    }
  env->payload = env_base64 (o, "/payload", "payload", REFSVC_PAYLOAD_MAX, &e);
  env->signature = env_base64 (o, "/signature", "signature", REFSVC_SIGNATURE_MAX, &e);
  env_card_presence (o, env, &e);

  if (e != NULL)
    {
      *err = e;
      return NULL;
    }
  return g_steal_pointer (&env);
}

/* ---- The payload ------------------------------------------------------- */

refsvc_error *
refsvc_dossier_validate (refsvc_procedure proc, GBytes *payload, JsonNode **out_root)
{
  const guint8 *data;
  gsize len = 0;
  const char *why = NULL;
  JsonNode *root;
  refsvc_vctx ctx;

  if (out_root != NULL)
    *out_root = NULL;
  /* Without code lists every commune would be refused: a set-up error. */
  if (!refsvc_codes_loaded () || payload == NULL
      || (proc != REFSVC_BIRTH && proc != REFSVC_DEATH))
    return refsvc_error_new ("server.internal");

  data = g_bytes_get_data (payload, &len);
  if (len > REFSVC_PAYLOAD_MAX)
    {
      refsvc_error *e = refsvc_error_new ("dossier.invalid");
      refsvc_error_add_field (e, "", "length", "Hồ sơ vượt quá 262144 byte.");
      return e;
    }
  root = refsvc_json_parse_object (data, len, &why);
  if (root == NULL)
    {
      refsvc_error *e = refsvc_error_new ("dossier.invalid");
      refsvc_error_add_field (e, "", "format", why);
      return e;
    }

  refsvc_vctx_init (&ctx, root);
  refsvc_rules_check (&ctx, proc);
  if (ctx.err != NULL)
    {
      json_node_unref (root);
      return ctx.err;
    }
  if (out_root != NULL)
    *out_root = root;
  else
    json_node_unref (root);
  return NULL;
}
