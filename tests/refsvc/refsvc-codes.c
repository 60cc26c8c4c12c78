/* refsvc-codes.c — the code lists of data/codes, loaded once
 *
 * refsvc_codes_load() reads the CSV files into hash tables and publishes
 * them with one atomic pointer store; afterwards they are only read, so
 * any number of connection threads may look codes up without a lock.
 * The first successful load wins and lives until the process ends. */
#define G_LOG_DOMAIN "refsvc-codes"

#include <string.h>

#include "refsvc-dossier-private.h"

typedef struct {
  GHashTable *provinces;      /* "01" → itself */
  GHashTable *communes;       /* "00004" → province code */
  GHashTable *districts;      /* legacy "001" → itself */
  GHashTable *legacy_pairs;   /* "001:00004" → itself */
  GHashTable *ethnicities;    /* "01" → itself */
  GHashTable *nationalities;  /* "VN" → itself */
} code_tables;

static code_tables *published;   /* set once, read atomically */
static GMutex load_lock;

static void
tables_free (code_tables *t)
{
  if (t == NULL)
    return;
  g_clear_pointer (&t->provinces, g_hash_table_unref);
  g_clear_pointer (&t->communes, g_hash_table_unref);
  g_clear_pointer (&t->districts, g_hash_table_unref);
  g_clear_pointer (&t->legacy_pairs, g_hash_table_unref);
  g_clear_pointer (&t->ethnicities, g_hash_table_unref);
  g_clear_pointer (&t->nationalities, g_hash_table_unref);
  g_free (t);
}

/* ---- CSV: RFC 4180 fields of one line ("" inside quotes is a quote) --- */

static GPtrArray *
csv_split (const char *line)
{
  GPtrArray *fields = g_ptr_array_new_with_free_func (g_free);
  GString *cur = g_string_new (NULL);
  gboolean quoted = FALSE;

  for (const char *p = line; *p != '\0'; p++)
    {
      if (quoted)
        {
          if (*p == '"' && p[1] == '"')
            g_string_append_c (cur, *p++);
          else if (*p == '"')
            quoted = FALSE;
          else
            g_string_append_c (cur, *p);
        }
      else if (*p == '"')
        quoted = TRUE;
      else if (*p == ',')
        {
          g_ptr_array_add (fields, g_string_free (cur, FALSE));
          cur = g_string_new (NULL);
        }
      else if (*p != '\r')
        g_string_append_c (cur, *p);
    }
  g_ptr_array_add (fields, g_string_free (cur, FALSE));
  return fields;
}

static gboolean
all_of (const char *s, gsize len, gboolean (*pred) (gchar c))
{
  if (s == NULL || strlen (s) != len)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    if (!pred (s[i]))
      return FALSE;
  return TRUE;
}

static gboolean is_digit (gchar c) { return g_ascii_isdigit (c); }
static gboolean is_upper (gchar c) { return c >= 'A' && c <= 'Z'; }

/* One CSV file: the header names the columns; each row gives the values
 * of the wanted columns to add_row.  Codes are checked on the way in. */
typedef gboolean (*row_fn) (code_tables *t, char **vals);

static gboolean
load_csv (code_tables *t, const char *dir, const char *file,
          const char *const *columns, guint ncol, row_fn add_row, GError **error)
{
  g_autofree char *path = g_build_filename (dir, file, NULL);
  g_autofree char *text = NULL;
  g_auto (GStrv) lines = NULL;
  gint idx[4] = { -1, -1, -1, -1 };
  guint rows = 0;

  g_assert (ncol <= G_N_ELEMENTS (idx));
  if (!g_file_get_contents (path, &text, NULL, error))
    return FALSE;
  if (!g_utf8_validate (text, -1, NULL))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "%s: not UTF-8", path);
      return FALSE;
    }
  lines = g_strsplit (g_str_has_prefix (text, "\xEF\xBB\xBF") ? text + 3 : text, "\n", -1);
  for (guint ln = 0; lines[ln] != NULL; ln++)
    {
      g_autoptr (GPtrArray) f = NULL;
      char *vals[4] = { NULL, NULL, NULL, NULL };

      if (lines[ln][0] == '\0' || g_str_equal (lines[ln], "\r"))
        continue;
      f = csv_split (lines[ln]);
      if (ln == 0)
        {
          for (guint c = 0; c < ncol; c++)
            for (guint k = 0; k < f->len; k++)
              if (g_str_equal (g_ptr_array_index (f, k), columns[c]))
                idx[c] = (gint) k;
          for (guint c = 0; c < ncol; c++)
            if (idx[c] < 0)
              {
                g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                             "%s: no column %s", path, columns[c]);
                return FALSE;
              }
          continue;
        }
      for (guint c = 0; c < ncol; c++)
        vals[c] = (guint) idx[c] < f->len ? g_ptr_array_index (f, idx[c]) : NULL;
      if (!add_row (t, vals))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       "%s:%u: malformed code", path, ln + 1);
          return FALSE;
        }
      rows++;
    }
  if (rows == 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "%s: no rows", path);
      return FALSE;
    }
  return TRUE;
}

static void
set_add (GHashTable *set, const char *key)
{
  char *k = g_strdup (key);
  g_hash_table_replace (set, k, k);
}

static gboolean
add_unit (code_tables *t, char **v)
{
  if (!all_of (v[0], 2, is_digit) || !all_of (v[1], 5, is_digit))
    return FALSE;
  set_add (t->provinces, v[0]);
  g_hash_table_replace (t->communes, g_strdup (v[1]), g_strdup (v[0]));
  return TRUE;
}

static gboolean
add_legacy (code_tables *t, char **v)
{
  if (!all_of (v[0], 3, is_digit) || !all_of (v[1], 5, is_digit))
    return FALSE;
  set_add (t->districts, v[0]);
  g_hash_table_add (t->legacy_pairs, g_strdup_printf ("%s:%s", v[0], v[1]));
  return TRUE;
}

static gboolean
add_ethnicity (code_tables *t, char **v)
{
  /* Rows without a code (none today) are skipped, not refused. */
  if (v[0] == NULL || v[0][0] == '\0')
    return TRUE;
  if (!all_of (v[0], 2, is_digit))
    return FALSE;
  set_add (t->ethnicities, v[0]);
  return TRUE;
}

static gboolean
add_nationality (code_tables *t, char **v)
{
  if (!all_of (v[0], 2, is_upper))
    return FALSE;
  set_add (t->nationalities, v[0]);
  return TRUE;
}

gboolean
refsvc_codes_load (const char *dir, GError **error)
{
  static const char *const units_cols[] = { "province_code", "commune_code" };
  static const char *const legacy_cols[] = { "old_district_code", "new_commune_code" };
  static const char *const code_col[] = { "code" };
  code_tables *t;
  gboolean ok;

  g_return_val_if_fail (dir != NULL, FALSE);
  g_mutex_lock (&load_lock);
  if (g_atomic_pointer_get (&published) != NULL)
    {
      g_mutex_unlock (&load_lock);
      return TRUE;
    }
  t = g_new0 (code_tables, 1);
  t->provinces = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  t->communes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  t->districts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  t->legacy_pairs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  t->ethnicities = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  t->nationalities = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  ok = load_csv (t, dir, "units-2025.csv", units_cols, 2, add_unit, error)
       && load_csv (t, dir, "units-legacy-to-2025.csv", legacy_cols, 2, add_legacy, error)
       && load_csv (t, dir, "ethnicities.csv", code_col, 1, add_ethnicity, error)
       && load_csv (t, dir, "nationalities.csv", code_col, 1, add_nationality, error);
  if (ok)
    g_atomic_pointer_set (&published, t);
  else
    tables_free (t);
  g_mutex_unlock (&load_lock);
  return ok;
}

static code_tables *
tables (void)
{
  return g_atomic_pointer_get (&published);
}

gboolean
refsvc_codes_loaded (void)
{
  return tables () != NULL;
}

static gboolean
in_set (GHashTable *(*pick) (code_tables *), const char *code)
{
  code_tables *t = tables ();

  return t != NULL && code != NULL && g_hash_table_contains (pick (t), code);
}

static GHashTable *pick_provinces (code_tables *t) { return t->provinces; }
static GHashTable *pick_districts (code_tables *t) { return t->districts; }
static GHashTable *pick_pairs (code_tables *t) { return t->legacy_pairs; }
static GHashTable *pick_ethnicities (code_tables *t) { return t->ethnicities; }
static GHashTable *pick_nationalities (code_tables *t) { return t->nationalities; }

gboolean
refsvc_codes_has_province (const char *code)
{
  return in_set (pick_provinces, code);
}

const char *
refsvc_codes_commune_province (const char *commune)
{
  code_tables *t = tables ();

  return (t != NULL && commune != NULL) ? g_hash_table_lookup (t->communes, commune) : NULL;
}

gboolean
refsvc_codes_has_legacy_district (const char *district)
{
  return in_set (pick_districts, district);
}

gboolean
refsvc_codes_legacy_pair (const char *district, const char *commune)
{
  char key[16];

  if (district == NULL || commune == NULL || strlen (district) != 3 || strlen (commune) != 5)
    return FALSE;
  g_snprintf (key, sizeof key, "%s:%s", district, commune);
  return in_set (pick_pairs, key);
}

gboolean
refsvc_codes_has_ethnicity (const char *code)
{
  return in_set (pick_ethnicities, code);
}

gboolean
refsvc_codes_has_nationality (const char *code)
{
  return in_set (pick_nationalities, code);
}
