/* test-dossier-syntax.c — bytes before the schema: hostile and lenient
 * JSON, the capped error list, the submission envelope (UUIDs, strict
 * base64, size limits, card-presence parts) and concurrent validation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "test-dossier.h"

/* ------------------------------------------------------- hostile payloads */

void
bad_payload_bytes (void **state)
{
  static const char *const bad[] = {
    "", "   ", "not json", "[]", "\"text\"", "{\"a\":1,}", "{\"a\":1} {}",
    "var x = {}", "\xEF\xBB\xBF{}",
    "{\"khaiSinh\":{},\"khaiSinh\":{}}",                       /* duplicate member */
    "{\"khaiSinh\":{\"nksHoTen\":\"A\",\"nksHoTen\":\"B\"}}",  /* duplicate, nested */
    "{\"khaiSinh\":{\"nksHoTen\":\"A\\u0000B\"}}",             /* escaped NUL */
    "{\"khaiSinh\":{\"nksHoTen\":\"\xC3\x28\"}}",              /* invalid UTF-8 */
    /* What json-glib 1.6 would take but RFC 8259 does not. */
    "{/* c */\"a\":1}", "{'a':1}", "{\"a\":'x'}", "{\"a\":0x10}", "{\"a\":01}",
    "{\"a\":.5}", "{\"a\":1.}", "{\"a\":\"\\q\"}", "{\"a\":\"\\u12\"}", "{\"a\":\"tab\there\"}",
    "{\"a\":truex}", "{\"a\":1}}", "{\"a\":1}x",
    /* Lone or reversed UTF-16 surrogates (json-glib makes invalid UTF-8). */
    "{\"a\":\"\\ud800x\"}", "{\"a\":\"\\udc00\"}", "{\"\\ud800\":1}",
    "{\"a\":\"\\ud800\\u0041\"}", "{\"a\":\"\\udc00\\ud800\"}",
  };
  GString *deep = g_string_new ("{\"a\":");

  (void) state;
  load_codes ();
  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr (GBytes) b = g_bytes_new_static (bad[i], strlen (bad[i]));
      g_autoptr (refsvc_error) e = refsvc_dossier_validate (REFSVC_BIRTH, b, NULL);
      if (e == NULL || !has_field (e, "", "format"))
        {
          dump (e);
          fail_msg ("payload #%zu accepted or not reported at \"\"", i);
        }
      assert_string_equal (e->code, "dossier.invalid");
    }
  for (int i = 0; i < 100000; i++)
    g_string_append_c (deep, '[');
  {
    g_autoptr (GBytes) b = g_bytes_new (deep->str, deep->len);
    g_autoptr (refsvc_error) e = refsvc_dossier_validate (REFSVC_DEATH, b, NULL);
    expect_field (e, "", "format");
  }
  g_string_free (deep, TRUE);
  {
    /* Just over 256 KiB. */
    gsize n = REFSVC_PAYLOAD_MAX + 1;
    char *big = g_malloc (n);
    memset (big, ' ', n);
    big[0] = '{';
    big[n - 1] = '}';
    g_autoptr (GBytes) b = g_bytes_new_take (big, n);
    g_autoptr (refsvc_error) e = refsvc_dossier_validate (REFSVC_BIRTH, b, NULL);
    expect_field (e, "", "length");
  }
}

/* Legal JSON the lexical pass must not refuse (the payload is then only
 * wrong for the schema, never for its syntax). */
void
legal_json_syntax (void **state)
{
  static const char *const ok[] = {
    " \r\n\t{\"a\":[1,-0,0.5,-1.5e+10,2E-3,true,false,null,{},[]],\"b\":\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\"} \n",
    "{\"ngayLap\":\"20.11.2026\"}",
    "{\"a\":\"\\ud83d\\ude00 \\uD83D\\uDE00\"}",   /* a surrogate pair (U+1F600) */
  };

  (void) state;
  load_codes ();
  for (gsize i = 0; i < G_N_ELEMENTS (ok); i++)
    {
      g_autoptr (GBytes) b = g_bytes_new_static (ok[i], strlen (ok[i]));
      g_autoptr (refsvc_error) e = refsvc_dossier_validate (REFSVC_BIRTH, b, NULL);
      assert_non_null (e);
      if (has_field (e, "", "format"))
        fail_msg ("legal JSON #%zu refused", i);
      expect_field (e, "/khaiSinh", "required");
    }
}

/* A hostile payload with thousands of unknown members: the list is capped. */
void
error_list_capped (void **state)
{
  GString *s = g_string_new ("{");
  g_autoptr (GBytes) b = NULL;
  g_autoptr (refsvc_error) e = NULL;

  (void) state;
  load_codes ();
  for (int i = 0; i < 5000; i++)
    g_string_append_printf (s, "%s\"m%d\":0", i ? "," : "", i);
  g_string_append_c (s, '}');
  b = g_bytes_new_take (s->str, s->len);
  g_string_free (s, FALSE);
  e = refsvc_dossier_validate (REFSVC_DEATH, b, NULL);
  assert_non_null (e);
  assert_int_equal (e->fields->len, REFSVC_MAX_FIELD_ERRORS);
}

/* ------------------------------------------------------------- envelope */

static char *
b64 (const char *s)
{
  return g_base64_encode ((const guchar *) s, strlen (s));
}

static const char *const TX = "3f2b8c1e-4d5a-4b6c-9e7f-0a1b2c3d4e5f";

static refsvc_envelope *
parse_env (const char *body, refsvc_error **e)
{
  return refsvc_envelope_parse ((const guint8 *) body, strlen (body), e);
}

void
envelope_valid (void **state)
{
  g_autofree char *p = b64 ("{\"a\":1}");
  g_autofree char *sig = b64 ("\x30\x03\x02\x01\x01");
  g_autofree char *body = g_strdup_printf (
    "{\"transactionId\":\"%s\",\"procedure\":\"death\",\"payload\":\"%s\",\"signature\":\"%s\"}",
    TX, p, sig);
  g_autofree char *body2 = g_strdup_printf (
    "{\"transactionId\":\"%s\",\"procedure\":\"birth\",\"payload\":\"%s\",\"signature\":\"%s\","
    "\"cardPresence\":{\"aaSignature\":\"AAEC\",\"dg15\":\"bw==\",\"sod\":\"d2I=\"}}",
    TX, p, sig);
  g_autofree char *body3 = g_strdup_printf (
    "{\"transactionId\":\"%s\",\"procedure\":\"birth\",\"payload\":\"%s\",\"signature\":\"%s\","
    "\"cardPresence\":{}}", TX, p, sig);
  refsvc_error *e = NULL;
  refsvc_envelope *env;
  gsize len;

  (void) state;
  env = parse_env (body, &e);
  assert_null (e);
  assert_non_null (env);
  assert_string_equal (env->transaction_id, TX);
  assert_int_equal (env->procedure, REFSVC_DEATH);
  assert_memory_equal (g_bytes_get_data (env->payload, &len), "{\"a\":1}", 7);
  assert_int_equal (len, 7);
  assert_int_equal (g_bytes_get_size (env->signature), 5);
  assert_null (env->aa_signature);
  assert_null (env->dg15);
  assert_null (env->sod);
  refsvc_envelope_free (env);

  env = parse_env (body2, &e);
  assert_null (e);
  assert_int_equal (env->procedure, REFSVC_BIRTH);
  assert_int_equal (g_bytes_get_size (env->aa_signature), 3);
  assert_memory_equal (g_bytes_get_data (env->dg15, NULL), "o", 1);
  assert_memory_equal (g_bytes_get_data (env->sod, NULL), "wb", 2);
  refsvc_envelope_free (env);

  env = parse_env (body3, &e);   /* {} = no proof */
  assert_null (e);
  assert_null (env->aa_signature);
  refsvc_envelope_free (env);
  refsvc_envelope_free (NULL);
}

typedef struct {
  const char *member;   /* replaced or added at the top level */
  const char *value;    /* JSON text; NULL = removed */
  const char *path;
  const char *code;
} env_case;

void
envelope_errors (void **state)
{
  static const env_case c[] = {
    { "transactionId", NULL, "/transactionId", "required" },
    { "transactionId", "\"3F2B8C1E-4D5A-4B6C-9E7F-0A1B2C3D4E5F\"", "/transactionId", "format" },
    { "transactionId", "\"3f2b8c1e4d5a4b6c9e7f0a1b2c3d4e5f\"", "/transactionId", "format" },
    { "transactionId", "\"3f2b8c1e-4d5a-4b6c-1e7f-0a1b2c3d4e5f\"", "/transactionId", "format" },
    { "transactionId", "\"00000000-0000-0000-0000-000000000000\"", "/transactionId", "format" },
    { "transactionId", "42", "/transactionId", "type" },
    { "procedure", "\"marriage\"", "/procedure", "code_list" },
    { "procedure", NULL, "/procedure", "required" },
    { "payload", "\"\"", "/payload", "required" },
    { "payload", "\"not base64!\"", "/payload", "format" },
    { "payload", "\"eyJh\\nIjoxfQ==\"", "/payload", "format" },   /* a newline */
    { "payload", "\"eyJhIjoxfQ\"", "/payload", "format" },         /* no padding */
    { "payload", "\"QR==\"", "/payload", "format" },               /* non-canonical */
    { "payload", "\"eyJhIjoxfQ-_\"", "/payload", "format" },       /* base64url */
    { "payload", "{}", "/payload", "type" },
    { "signature", NULL, "/signature", "required" },
    { "signature", "\"AA=A\"", "/signature", "format" },
    { "cardPresence", "{\"aaSignature\":\"AAEC\"}", "/cardPresence/dg15", "required" },
    { "cardPresence", "{\"aaSignature\":\"AAEC\"}", "/cardPresence/sod", "required" },
    { "cardPresence", "{\"aaSignature\":\"AAEC\",\"dg15\":\"AA==\",\"sod\":\"AA==\",\"x\":1}",
      "/cardPresence/x", "unknown" },
    { "cardPresence", "\"yes\"", "/cardPresence", "type" },
    { "idempotencyKey", "\"x\"", "/idempotencyKey", "unknown" },
  };
  g_autofree char *p = b64 ("{\"a\":1}");

  (void) state;
  for (gsize i = 0; i < G_N_ELEMENTS (c); i++)
    {
      g_autoptr (JsonObject) o = json_object_new ();
      g_autoptr (JsonNode) root = json_node_init_object (json_node_alloc (), o);
      g_autofree char *member = g_strconcat ("/", c[i].member, NULL);
      g_autoptr (GBytes) b = NULL;
      refsvc_error *e = NULL;
      refsvc_envelope *env;

      json_object_set_string_member (o, "transactionId", TX);
      json_object_set_string_member (o, "procedure", "birth");
      json_object_set_string_member (o, "payload", p);
      json_object_set_string_member (o, "signature", "MAMCAQE=");
      set_at (root, member, c[i].value);
      b = to_bytes (root);
      env = refsvc_envelope_parse (g_bytes_get_data (b, NULL), g_bytes_get_size (b), &e);
      if (env != NULL)
        fail_msg ("case %zu (%s) accepted", i, c[i].member);
      assert_string_equal (e->code, "dossier.bad_envelope");
      assert_int_equal (e->http_status, 400);
      expect_field (e, c[i].path, c[i].code);
      refsvc_error_free (e);
    }
}

void
envelope_limits (void **state)
{
  gsize n = REFSVC_PAYLOAD_MAX + 1;
  g_autofree guchar *big = g_malloc0 (n);
  g_autofree char *big64 = g_base64_encode (big, n);
  g_autofree char *ok64 = g_base64_encode (big, n - 1);
  g_autofree char *body = g_strdup_printf (
    "{\"transactionId\":\"%s\",\"procedure\":\"birth\",\"payload\":\"%s\",\"signature\":\"MAMCAQE=\"}",
    TX, big64);
  g_autofree char *body_ok = g_strdup_printf (
    "{\"transactionId\":\"%s\",\"procedure\":\"birth\",\"payload\":\"%s\",\"signature\":\"MAMCAQE=\"}",
    TX, ok64);
  refsvc_error *e = NULL;
  refsvc_envelope *env;

  (void) state;
  env = parse_env (body, &e);
  assert_null (env);
  expect_field (e, "/payload", "length");
  refsvc_error_free (e);
  e = NULL;
  env = parse_env (body_ok, &e);   /* exactly 256 KiB */
  assert_null (e);
  assert_int_equal (g_bytes_get_size (env->payload), REFSVC_PAYLOAD_MAX);
  refsvc_envelope_free (env);
}

void
envelope_malformed (void **state)
{
  static const char *const bad[] = {
    "", "nope", "[1]", "{\"transactionId\":\"a\",\"transactionId\":\"b\"}", "{\"a\":", "\xff{}",
  };

  (void) state;
  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      refsvc_error *e = NULL;
      assert_null (parse_env (bad[i], &e));
      assert_non_null (e);
      assert_string_equal (e->code, "request.malformed_json");
      refsvc_error_free (e);
    }
  {
    /* Every envelope problem at once. */
    refsvc_error *e = NULL;
    assert_null (parse_env ("{\"transactionId\":\"X\",\"procedure\":\"b\",\"payload\":\"@\",\"z\":0}", &e));
    expect_field (e, "/transactionId", "format");
    expect_field (e, "/procedure", "code_list");
    expect_field (e, "/payload", "format");
    expect_field (e, "/signature", "required");
    expect_field (e, "/z", "unknown");
    assert_int_equal (e->fields->len, 5);
    refsvc_error_free (e);
  }
}

/* ----------------------------------------------------------- concurrency */

typedef struct {
  GBytes *birth, *death;
  gint    failures;
} shared_input;

static gpointer
validate_many (gpointer data)
{
  shared_input *in = data;

  for (int i = 0; i < 50; i++)
    {
      refsvc_error *a = refsvc_dossier_validate (REFSVC_BIRTH, in->birth, NULL);
      refsvc_error *b = refsvc_dossier_validate (REFSVC_DEATH, in->death, NULL);
      if (a != NULL || b != NULL)
        g_atomic_int_inc (&in->failures);
      refsvc_error_free (a);
      refsvc_error_free (b);
    }
  return NULL;
}

void
concurrent_validation (void **state)
{
  g_autoptr (JsonNode) br = sample ("birth-valid.json");
  g_autoptr (JsonNode) dr = sample ("death-valid.json");
  shared_input in = { to_bytes (br), to_bytes (dr), 0 };
  GThread *t[8];

  (void) state;
  load_codes ();
  for (gsize i = 0; i < G_N_ELEMENTS (t); i++)
    t[i] = g_thread_new ("validate", validate_many, &in);
  for (gsize i = 0; i < G_N_ELEMENTS (t); i++)
    g_thread_join (t[i]);
  assert_int_equal (in.failures, 0);
  g_bytes_unref (in.birth);
  g_bytes_unref (in.death);
}
