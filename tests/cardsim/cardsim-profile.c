/* cardsim-profile.c — personalisation profiles: "key = value" lines in
 * UTF-8, '#' starts a comment line.  Values are stored NFC-normalised. */
#include <stdlib.h>
#include <string.h>
#include "cardsim-int.h"

static const char *const known_keys[] = {
  "id_number", "full_name", "date_of_birth", "sex", "nationality", "ethnicity",
  "religion", "place_of_origin", "place_of_residence", "identifying_marks",
  "date_of_issue", "date_of_expiry", "father_name", "mother_name", "spouse_name",
  "old_id_number", "generation", "face", "keys", "personal_id_hex", NULL
};

static int
known (const char *k)
{
  for (int i = 0; known_keys[i]; i++)
    if (strcmp (known_keys[i], k) == 0)
      return 1;
  return 0;
}

int
cardsim_profile_load (const char *path, cardsim_profile *p, char **error)
{
  gchar *text = NULL;
  GError *err = NULL;
  memset (p, 0, sizeof *p);
  p->kv = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  if (!g_file_get_contents (path, &text, NULL, &err))
    {
      *error = strdup (err->message);
      g_error_free (err);
      return -1;
    }
  if (!g_utf8_validate (text, -1, NULL))
    {
      *error = strdup ("profile is not UTF-8");
      g_free (text);
      return -1;
    }
  gchar **lines = g_strsplit (text, "\n", -1);
  g_free (text);
  int rc = 0;
  for (int i = 0; lines[i]; i++)
    {
      gchar *line = g_strstrip (lines[i]);
      if (!*line || *line == '#')
        continue;
      gchar *eq = strchr (line, '=');
      if (!eq)
        {
          *error = g_strdup_printf ("%s:%d: expected key = value", path, i + 1);
          rc = -1;
          break;
        }
      *eq = 0;
      gchar *key = g_strstrip (line);
      gchar *val = g_strstrip (eq + 1);
      if (!known (key))
        {
          *error = g_strdup_printf ("%s:%d: unknown key '%s'", path, i + 1, key);
          rc = -1;
          break;
        }
      if (!*val)
        continue;
      gchar *v = g_utf8_normalize (val, -1, G_NORMALIZE_NFC);
      /* a relative face path is relative to the profile */
      if (strcmp (key, "face") == 0 && !g_path_is_absolute (v))
        {
          gchar *dir = g_path_get_dirname (path);
          gchar *abs = g_build_filename (dir, v, NULL);
          g_free (dir);
          g_free (v);
          v = abs;
        }
      g_hash_table_replace (p->kv, g_strdup (key), v);
    }
  g_strfreev (lines);
  if (rc != 0)
    {
      /* error strings from g_strdup_printf are g_malloc'd = malloc'd */
      return rc;
    }
  const char *gen = cardsim_profile_get (p, "generation");
  p->generation = gen ? atoi (gen) : 2021;
  if (p->generation != 2021 && p->generation != 2024)
    {
      *error = strdup ("profile: generation must be 2021 or 2024");
      return -1;
    }
  return 0;
}

const char *
cardsim_profile_get (const cardsim_profile *p, const char *key)
{
  if (!p->kv)
    return NULL;
  return g_hash_table_lookup (p->kv, key);
}

static void
wipe_value (gpointer k, gpointer v, gpointer u)
{
  (void) k; (void) u;
  memset (v, 0, strlen (v));
}

void
cardsim_profile_clear (cardsim_profile *p)
{
  if (p->kv)
    {
      g_hash_table_foreach (p->kv, wipe_value, NULL);
      g_hash_table_destroy (p->kv);
    }
  p->kv = NULL;
}
