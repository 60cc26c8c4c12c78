/* test-tokens.c — SoftHSM2 test tokens for the client tests */
#include <string.h>

#include <glib/gstdio.h>

#include "test-tokens.h"

static const char *
source_root (void)
{
  const char *root = g_getenv ("MOTCUA_SOURCE_ROOT");
  return root && *root ? root : ".";
}

char *
test_pki_path (const char *name)
{
  return g_build_filename (source_root (), "certs", "test", "service", name, NULL);
}

static void
rm_rf (const char *path)
{
  g_autoptr (GDir) d = g_dir_open (path, 0, NULL);
  const char *n;

  while (d != NULL && (n = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *p = g_build_filename (path, n, NULL);
      if (g_file_test (p, G_FILE_TEST_IS_DIR) && !g_file_test (p, G_FILE_TEST_IS_SYMLINK))
        rm_rf (p);
      else
        g_unlink (p);
    }
  g_rmdir (path);
}

void
test_tokens_free (TestTokens *t)
{
  if (t == NULL)
    return;
  if (t->dir != NULL)
    rm_rf (t->dir);
  g_free (t->dir);
  if (t->vars != NULL)
    g_hash_table_unref (t->vars);
  g_free (t);
}

const char *
test_tokens_get (TestTokens *t, const char *var)
{
  return g_hash_table_lookup (t->vars, var);
}

/* `export VAR='value'` lines into @vars. */
static void
parse_exports (GHashTable *vars, const char *out)
{
  g_auto (GStrv) lines = g_strsplit (out, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *l = lines[i];
      if (!g_str_has_prefix (l, "export "))
        continue;
      l += strlen ("export ");
      const char *eq = strchr (l, '=');
      if (eq == NULL)
        continue;
      g_autofree char *value = g_strdup (eq + 1);
      gsize n = strlen (value);
      if (n >= 2 && value[0] == '\'' && value[n - 1] == '\'')
        {
          value[n - 1] = '\0';
          memmove (value, value + 1, n - 1);
        }
      g_hash_table_insert (vars, g_strndup (l, (gsize) (eq - l)), g_steal_pointer (&value));
    }
}

TestTokens *
test_tokens_new (void)
{
  g_autoptr (GError) error = NULL;
  TestTokens *t = g_new0 (TestTokens, 1);
  g_autofree char *script = g_build_filename (source_root (), "tests", "client", "make-tokens.sh", NULL);
  g_autofree char *out = NULL, *err = NULL;
  int status = 0;

  t->vars = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  t->dir = g_dir_make_tmp ("motcua-tokens-XXXXXX", &error);
  if (t->dir == NULL)
    goto fail;
  const char *argv[] = { "/bin/sh", script, t->dir, NULL };
  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err, &status, &error)
      || !g_spawn_check_wait_status (status, &error))
    goto fail;
  parse_exports (t->vars, out);
  t->module = g_hash_table_lookup (t->vars, "MOTCUA_TOKEN_MODULE");
  t->pin = g_hash_table_lookup (t->vars, "MOTCUA_TOKEN_PIN");
  const char *conf = g_hash_table_lookup (t->vars, "SOFTHSM2_CONF");
  if (t->module == NULL || t->pin == NULL || conf == NULL)
    goto fail;
  g_setenv ("SOFTHSM2_CONF", conf, TRUE);
  return t;
fail:
  g_printerr ("make-tokens.sh failed: %s\n%s\n", error ? error->message : "missing variables",
              err ? err : "");
  test_tokens_free (t);
  return NULL;
}
