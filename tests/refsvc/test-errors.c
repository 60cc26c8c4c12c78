/* test-errors.c — the error-code table: well formed, unique, documented
 *
 * Every code the service can answer with must be in docs/protocol.md's
 * table with the same HTTP status and Vietnamese message, so a client
 * author reading the contract sees exactly what the service sends. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "motcua-config.h"
#include "refsvc.h"

static gboolean
code_well_formed (const char *code)
{
  const char *dot = strchr (code, '.');

  if (dot == NULL || dot == code || dot[1] == '\0')
    return FALSE;
  for (const char *p = code; *p; p++)
    if (!(g_ascii_islower (*p) || g_ascii_isdigit (*p) || *p == '_' || *p == '.'))
      return FALSE;
  return TRUE;
}

static void
table_well_formed (void **state)
{
  g_autoptr (GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  const refsvc_error_def *d;

  (void) state;
  for (d = refsvc_error_table (); d->code != NULL; d++)
    {
      assert_true (code_well_formed (d->code));
      assert_true (g_hash_table_add (seen, (gpointer) d->code));   /* unique */
      assert_true (d->http_status >= 400 && d->http_status < 600);
      assert_true (d->vi[0] != '\0' && d->en[0] != '\0');
      assert_true (g_utf8_validate (d->vi, -1, NULL));
      {
        g_autofree char *nfc = g_utf8_normalize (d->vi, -1, G_NORMALIZE_NFC);
        assert_string_equal (nfc, d->vi);
      }
      assert_int_equal (refsvc_error_status (d->code), d->http_status);
    }
  assert_true (g_hash_table_size (seen) > 30);
  /* An unregistered code is a programming error answered as server.internal. */
  assert_int_equal (refsvc_error_status ("no.such_code"), 500);
}

/* The row "| `code` | status | vi | en | ..." of docs/protocol.md. */
static void
documented (void **state)
{
  g_autofree char *path = g_build_filename (MOTCUA_SOURCE_ROOT, "docs", "protocol.md", NULL);
  g_autofree char *doc = NULL;

  (void) state;
  assert_true (g_file_get_contents (path, &doc, NULL, NULL));
  for (const refsvc_error_def *d = refsvc_error_table (); d->code != NULL; d++)
    {
      g_autofree char *row = g_strdup_printf ("| `%s` | %u | %s |", d->code, d->http_status, d->vi);
      if (strstr (doc, row) == NULL)
        fail_msg ("docs/protocol.md lacks the row %s", row);
    }
}

static void
error_json (void **state)
{
  g_autoptr (refsvc_error) e = refsvc_error_new ("dossier.invalid");
  g_autofree char *text = NULL;
  g_autoptr (JsonNode) root = NULL;
  JsonObject *o;

  (void) state;
  for (guint i = 0; i < REFSVC_MAX_FIELD_ERRORS + 5; i++)
    refsvc_error_add_field (e, "/khaiSinh/nksHoTen", "required", "Thiếu họ tên.");
  assert_int_equal (e->fields->len, REFSVC_MAX_FIELD_ERRORS);   /* capped */
  e->retry_after = 7;
  text = refsvc_error_to_json (e);
  root = json_from_string (text, NULL);
  assert_non_null (root);
  o = json_object_get_object_member (json_node_get_object (root), "error");
  assert_string_equal (json_object_get_string_member (o, "code"), "dossier.invalid");
  assert_int_equal (json_object_get_int_member (o, "status"), 422);
  assert_string_equal (json_object_get_string_member (o, "message"), "Hồ sơ có trường không hợp lệ.");
  assert_int_equal (json_array_get_length (json_object_get_array_member (o, "fields")),
                    REFSVC_MAX_FIELD_ERRORS);
  assert_int_equal (json_object_get_int_member (o, "retryAfter"), 7);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (table_well_formed),
    cmocka_unit_test (documented),
    cmocka_unit_test (error_json),
  };

  return cmocka_run_group_tests (tests, NULL, NULL);
}
