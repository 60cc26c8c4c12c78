/* test-envelope.c — submission bodies, transaction ids, configuration */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "motcua-conf.h"
#include "motcua-envelope.h"
#include "motcua-error.h"

static void
test_transaction_ids (void **state)
{
  (void) state;
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  for (int i = 0; i < 1000; i++)
    {
      char *id = motcua_envelope_new_transaction_id ();
      /* Lowercase RFC 4122 version 4: xxxxxxxx-xxxx-4xxx-[89ab]xxx-xxxxxxxxxxxx */
      assert_true (g_regex_match_simple ("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$",
                                         id, 0, 0));
      assert_true (g_hash_table_add (seen, id));
    }
}

static void
test_build_and_peek (void **state)
{
  (void) state;
  const char payload_text[] = "{\"khaiSinh\":{\"nksHoTen\":\"Nguyễn Minh Khang\"}}";
  const guint8 cms_bytes[] = { 0x30, 0x80, 0x06, 0x09, 0x2a, 0x86, 0x48 };
  g_autoptr(GBytes) payload = g_bytes_new_static (payload_text, strlen (payload_text));
  g_autoptr(GBytes) cms = g_bytes_new_static (cms_bytes, sizeof cms_bytes);
  const char *tx = "3f2b8c1e-7a4d-4c2e-9b1f-5d6e7a8b9c0d";

  g_autoptr(GBytes) body = motcua_envelope_build (tx, MOTCUA_PROCEDURE_BIRTH, payload, cms, NULL);
  assert_non_null (body);
  /* The same inputs give the same bytes: resends are byte for byte. */
  g_autoptr(GBytes) again = motcua_envelope_build (tx, MOTCUA_PROCEDURE_BIRTH, payload, cms, NULL);
  assert_true (g_bytes_equal (body, again));

  g_autofree char *got_tx = NULL;
  MotcuaProcedure proc = 0;
  assert_true (motcua_envelope_peek (body, &got_tx, &proc));
  assert_string_equal (got_tx, tx);
  assert_int_equal (proc, MOTCUA_PROCEDURE_BIRTH);

  gsize len;
  const char *data = g_bytes_get_data (body, &len);
  g_autoptr(JsonParser) parser = json_parser_new ();
  assert_true (json_parser_load_from_data (parser, data, (gssize) len, NULL));
  JsonObject *o = json_node_get_object (json_parser_get_root (parser));
  gsize dlen;
  g_autofree guchar *decoded = g_base64_decode (json_object_get_string_member (o, "payload"), &dlen);
  assert_int_equal (dlen, strlen (payload_text));
  assert_memory_equal (decoded, payload_text, dlen);
  g_autofree guchar *sig = g_base64_decode (json_object_get_string_member (o, "signature"), &dlen);
  assert_int_equal (dlen, sizeof cms_bytes);
  assert_false (json_object_has_member (o, "cardPresence"));
}

static void
test_presence_member (void **state)
{
  (void) state;
  g_autoptr(GBytes) payload = g_bytes_new_static ("{}", 2);
  g_autoptr(GBytes) cms = g_bytes_new_static ("\x30\x00", 2);
  g_autoptr(JsonParser) p = json_parser_new ();
  assert_true (json_parser_load_from_data (p, "{\"aaSignature\":\"AA==\",\"dg15\":\"bw==\",\"sod\":\"dw==\"}", -1, NULL));
  g_autoptr(GBytes) body = motcua_envelope_build ("00000000-0000-4000-8000-000000000000",
                                                  MOTCUA_PROCEDURE_DEATH, payload, cms,
                                                  json_parser_get_root (p));
  gsize len;
  const char *data = g_bytes_get_data (body, &len);
  g_autofree char *text = g_strndup (data, len);
  assert_non_null (strstr (text, "\"cardPresence\":{\"aaSignature\":\"AA==\""));
  assert_non_null (strstr (text, "\"procedure\":\"death\""));
}

static void
test_peek_refuses (void **state)
{
  (void) state;
  const char *bad[] = {
    "", "[]", "{\"transactionId\":1,\"procedure\":\"birth\"}",
    "{\"transactionId\":\"x\",\"procedure\":\"marriage\"}", "{\"procedure\":\"birth\"}", "{\"transactionId\":\"x\"",
  };
  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GBytes) b = g_bytes_new_static (bad[i], strlen (bad[i]));
      assert_false (motcua_envelope_peek (b, NULL, NULL));
    }
}

/* ------------------------------------------------------------ configuration */

static char *
write_conf (const char *dir, const char *text)
{
  char *path = g_build_filename (dir, "motcua.conf", NULL);
  assert_true (g_file_set_contents (path, text, -1, NULL));
  return path;
}

static void
test_conf_layers (void **state)
{
  (void) state;
  g_autofree char *dir = g_dir_make_tmp ("motcua-conf-XXXXXX", NULL);
  g_autofree char *path = write_conf (dir,
      "[motcua]\nservice-url = https://lienthong.example.vn:8443/\nservice-ca = /etc/ca.pem\n"
      "client-cert = /c.pem\nclient-key = /k.pem\nunit = 00004\nretention-days = 30\nmax-parallel = 8\n");
  g_setenv ("MOTCUA_CONF", path, TRUE);
  g_setenv ("XDG_CONFIG_HOME", dir, TRUE);   /* no user file there */
  g_setenv ("MOTCUA_UNIT", "00008", TRUE);   /* the environment wins */
  g_autoptr(GError) error = NULL;
  g_autoptr(MotcuaConf) c = motcua_conf_load (&error);
  assert_non_null (c);
  assert_string_equal (c->unit, "00008");
  assert_int_equal (c->retention_days, 30);
  assert_int_equal (c->max_parallel, 8);
  assert_non_null (c->queue_path);
  assert_non_null (c->codes_dir);

  MotcuaSyncConfig sc = { 0 };
  assert_true (motcua_conf_sync_config (c, &sc, &error));
  assert_string_equal (sc.service_url, "https://lienthong.example.vn:8443");
  assert_int_equal (sc.max_parallel, 8);
  motcua_sync_config_clear (&sc);

  /* No signer and no device key configured: clear configuration errors. */
  g_autoptr(MotcuaSigner) s = motcua_conf_open_signer (c, &error);
  assert_null (s);
  assert_true (g_error_matches (error, MOTCUA_ERROR, MOTCUA_ERROR_CONFIG));
  g_clear_error (&error);
  g_autoptr(MotcuaDeviceKey) k = motcua_conf_open_device_key (c, NULL, &error);
  assert_null (k);
  assert_true (g_error_matches (error, MOTCUA_ERROR, MOTCUA_ERROR_CONFIG));
  g_unsetenv ("MOTCUA_UNIT");
  g_unsetenv ("MOTCUA_CONF");
  g_unlink (path);
  g_rmdir (dir);
}

static void
test_conf_bad (void **state)
{
  (void) state;
  g_autofree char *dir = g_dir_make_tmp ("motcua-conf-XXXXXX", NULL);
  const char *bad[] = { "[motcua]\nretention-days = zero\n", "[motcua]\nmax-parallel = 0\n", "no group\n" };
  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autofree char *path = write_conf (dir, bad[i]);
      g_setenv ("MOTCUA_CONF", path, TRUE);
      g_autoptr(GError) error = NULL;
      MotcuaConf *c = motcua_conf_load (&error);
      assert_null (c);
      assert_true (g_error_matches (error, MOTCUA_ERROR, MOTCUA_ERROR_CONFIG));
      assert_non_null (strstr (error->message, "motcua.conf"));
      g_unlink (path);
    }
  g_unsetenv ("MOTCUA_CONF");
  g_rmdir (dir);
}

static void
test_error_names (void **state)
{
  (void) state;
  assert_string_equal (motcua_error_code_name (MOTCUA_ERROR_PIN_LOCKED), "pin.locked");
  assert_string_equal (motcua_error_code_name (12345), "failed");
  g_autoptr(GError) e = NULL;
  motcua_error_set (&e, MOTCUA_ERROR_NETWORK, "%s", "timeout");
  assert_true (g_str_has_prefix (e->message, "Mất kết nối"));
  assert_true (g_str_has_suffix (e->message, ": timeout"));
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_transaction_ids),
    cmocka_unit_test (test_build_and_peek),
    cmocka_unit_test (test_presence_member),
    cmocka_unit_test (test_peek_refuses),
    cmocka_unit_test (test_conf_layers),
    cmocka_unit_test (test_conf_bad),
    cmocka_unit_test (test_error_names),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
