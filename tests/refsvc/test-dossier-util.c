/* test-dossier-util.c — helpers of the dossier tests: samples, JSON
 * Pointer edits, field-error assertions. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "motcua-config.h"
#include "test-dossier.h"

char *
source_path (const char *rel)
{
  const char *root = g_getenv ("MOTCUA_SOURCE_ROOT");

  return g_build_filename (root ? root : MOTCUA_SOURCE_ROOT, rel, NULL);
}

void
load_codes (void)
{
  g_autofree char *dir = source_path ("data/codes");
  g_autoptr (GError) err = NULL;

  if (!refsvc_codes_load (dir, &err))
    fail_msg ("refsvc_codes_load: %s", err->message);
}

JsonNode *
sample (const char *name)
{
  g_autofree char *rel = g_strconcat ("tests/refsvc/samples/", name, NULL);
  g_autofree char *path = source_path (rel);
  g_autoptr (JsonParser) p = json_parser_new ();
  g_autoptr (GError) err = NULL;

  if (!json_parser_load_from_file (p, path, &err))
    fail_msg ("%s: %s", path, err->message);
  return json_parser_steal_root (p);
}

GBytes *
to_bytes (JsonNode *root)
{
  g_autoptr (JsonGenerator) g = json_generator_new ();
  gsize len;
  char *s;

  json_generator_set_root (g, root);
  s = json_generator_to_data (g, &len);
  return g_bytes_new_take (s, len);
}

/* Sets (value = JSON text) or removes (value NULL) the member at path. */
void
set_at (JsonNode *root, const char *path, const char *value)
{
  g_auto (GStrv) seg = g_strsplit (path + 1, "/", -1);
  guint n = g_strv_length (seg);
  JsonNode *node = root;

  for (guint i = 0; i + 1 < n; i++)
    {
      assert_true (JSON_NODE_HOLDS_OBJECT (node));
      node = json_object_get_member (json_node_get_object (node), seg[i]);
      assert_non_null (node);
    }
  if (value == NULL)
    json_object_remove_member (json_node_get_object (node), seg[n - 1]);
  else
    {
      g_autoptr (GError) err = NULL;
      JsonNode *v = json_from_string (value, &err);
      assert_non_null (v);
      json_object_set_member (json_node_get_object (node), seg[n - 1], v);
    }
}

refsvc_error *
validate_node (refsvc_procedure proc, JsonNode *root)
{
  g_autoptr (GBytes) b = to_bytes (root);

  return refsvc_dossier_validate (proc, b, NULL);
}

void
dump (const refsvc_error *e)
{
  for (guint i = 0; e && i < e->fields->len; i++)
    {
      const refsvc_field_error *f = g_ptr_array_index (e->fields, i);
      print_message ("    %s %s %s\n", f->path, f->code, f->message);
    }
}

gboolean
has_field (const refsvc_error *e, const char *path, const char *code)
{
  for (guint i = 0; e && i < e->fields->len; i++)
    {
      const refsvc_field_error *f = g_ptr_array_index (e->fields, i);
      if (g_str_equal (f->path, path) && g_str_equal (f->code, code))
        return TRUE;
    }
  return FALSE;
}

void
expect_field (const refsvc_error *e, const char *path, const char *code)
{
  if (!has_field (e, path, code))
    {
      dump (e);
      fail_msg ("expected %s at %s", code, path);
    }
}

/* One change to a sample, then the one expected field error. */
void
run_mutations (refsvc_procedure proc, const char *file, const mutation *m, gsize n)
{
  for (gsize i = 0; i < n; i++)
    {
      g_autoptr (JsonNode) root = sample (file);
      g_autoptr (refsvc_error) e = NULL;

      set_at (root, m[i].path, m[i].value);
      e = validate_node (proc, root);
      if (m[i].code == NULL)
        {
          if (e != NULL)
            {
              dump (e);
              fail_msg ("%s = %s should be valid", m[i].path, m[i].value);
            }
          continue;
        }
      if (e == NULL)
        fail_msg ("%s = %s accepted", m[i].path, m[i].value ? m[i].value : "(removed)");
      assert_string_equal (e->code, "dossier.invalid");
      assert_int_equal (e->http_status, 422);
      expect_field (e, m[i].err_path ? m[i].err_path : m[i].path, m[i].code);
    }
}
