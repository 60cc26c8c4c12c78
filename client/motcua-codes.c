/* motcua-codes.c — ethnicities, nationalities and religions from
 * data/codes.  See motcua-codes.h. */
#define G_LOG_DOMAIN "motcua-codes"

#include "motcua-codes.h"
#include "motcua-csv.h"
#include "motcua-error.h"
#include "motcua-text.h"
#include "motcua-config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

typedef struct {
  GHashTable *by_code;   /* code → display name */
  GHashTable *by_key;    /* name key → code */
} CodeList;

struct _MotcuaCodes {
  CodeList ethnicities, nationalities, religions;
};

static void
list_init (CodeList *l)
{
  l->by_code = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  l->by_key = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
}

static void
list_clear (CodeList *l)
{
  g_clear_pointer (&l->by_code, g_hash_table_unref);
  g_clear_pointer (&l->by_key, g_hash_table_unref);
}

static void
list_add_name (CodeList *l, const char *name, const char *code)
{
  g_autofree char *trimmed = g_strstrip (g_strdup (name));
  g_autofree char *key = trimmed[0] ? motcua_text_name_key (trimmed) : NULL;
  if (key != NULL && !g_hash_table_contains (l->by_key, key))
    g_hash_table_insert (l->by_key, g_steal_pointer (&key), g_strdup (code));
}

/* A row's fields: the code column, the name column and further name
 * columns (aliases split on @alias_sep when not NULL). */
typedef struct {
  const char *file, *header_start;
  guint code_len;         /* 2 */
  gboolean upper;         /* codes are A–Z, else digits */
  guint alias_column;     /* 0 = none */
  const char *alias_sep;
  guint extra_name_column; /* 0 = none */
} ListSpec;

static gboolean
code_ok (const ListSpec *s, const char *code)
{
  if (strlen (code) != s->code_len)
    return FALSE;
  for (const char *p = code; *p; p++)
    if (s->upper ? !g_ascii_isupper (*p) : !g_ascii_isdigit (*p))
      return FALSE;
  return TRUE;
}

static gboolean
load_list (CodeList *l, const char *dir, const ListSpec *s, GError **error)
{
  g_autofree char *path = g_build_filename (dir, s->file, NULL);
  g_autofree char *contents = NULL;
  g_autoptr (GError) local = NULL;

  if (!g_file_get_contents (path, &contents, NULL, &local))
    {
      motcua_error_set (error, MOTCUA_ERROR_CODE_LISTS, "%s", local->message);
      return FALSE;
    }
  if (!g_utf8_validate (contents, -1, NULL))
    {
      motcua_error_set (error, MOTCUA_ERROR_CODE_LISTS, "%s: not UTF-8", path);
      return FALSE;
    }
  g_auto (GStrv) lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      char *line = lines[i];
      gsize len = strlen (line);
      if (len > 0 && line[len - 1] == '\r')
        line[--len] = '\0';
      if (i == 0 && g_str_has_prefix (line, "\xEF\xBB\xBF"))
        line += 3;
      if (len == 0)
        continue;
      if (i == 0)
        {
          if (!g_str_has_prefix (line, s->header_start))
            {
              motcua_error_set (error, MOTCUA_ERROR_CODE_LISTS, "%s:1: unexpected header", path);
              return FALSE;
            }
          continue;
        }
      g_autoptr (GPtrArray) f = g_ptr_array_new_with_free_func (g_free);
      const char *why = motcua_csv_split (line, f);
      guint need = MAX (2, MAX (s->alias_column, s->extra_name_column) + 1);
      /* religions.csv lists recognised religions without a code: skipped. */
      if (why == NULL && f->len >= need && *(const char *) f->pdata[0] == '\0')
        continue;
      if (why != NULL || f->len < need || !code_ok (s, f->pdata[0]))
        {
          motcua_error_set (error, MOTCUA_ERROR_CODE_LISTS, "%s:%u: %s", path, i + 1,
                            why ? _(why) : "bad code or too few fields");
          return FALSE;
        }
      const char *code = f->pdata[0];
      if (g_hash_table_contains (l->by_code, code))
        {
          motcua_error_set (error, MOTCUA_ERROR_CODE_LISTS, "%s:%u: duplicate code", path, i + 1);
          return FALSE;
        }
      g_hash_table_insert (l->by_code, g_strdup (code), g_strdup (f->pdata[1]));
      list_add_name (l, f->pdata[1], code);
      if (s->extra_name_column)
        list_add_name (l, f->pdata[s->extra_name_column], code);
      if (s->alias_column)
        {
          g_auto (GStrv) aliases = g_strsplit (f->pdata[s->alias_column], s->alias_sep, -1);
          for (guint k = 0; aliases[k]; k++)
            list_add_name (l, aliases[k], code);
        }
    }
  if (g_hash_table_size (l->by_code) == 0)
    {
      motcua_error_set (error, MOTCUA_ERROR_CODE_LISTS, "%s: empty", path);
      return FALSE;
    }
  return TRUE;
}

MotcuaCodes *
motcua_codes_load (const char *codes_dir, GError **error)
{
  g_return_val_if_fail (codes_dir != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  static const ListSpec ethnicities = { "ethnicities.csv", "code,name,aliases", 2, FALSE, 2, ",", 4 };
  static const ListSpec nationalities = { "nationalities.csv", "code,name_vi,name_en", 2, TRUE, 0, NULL, 2 };
  static const ListSpec religions = { "religions.csv", "code,name", 2, FALSE, 0, NULL, 0 };
  g_autoptr (MotcuaCodes) c = g_new0 (MotcuaCodes, 1);
  list_init (&c->ethnicities);
  list_init (&c->nationalities);
  list_init (&c->religions);
  if (!load_list (&c->ethnicities, codes_dir, &ethnicities, error)
      || !load_list (&c->nationalities, codes_dir, &nationalities, error)
      || !load_list (&c->religions, codes_dir, &religions, error))
    return NULL;
  return g_steal_pointer (&c);
}

void
motcua_codes_free (MotcuaCodes *codes)
{
  if (codes == NULL)
    return;
  list_clear (&codes->ethnicities);
  list_clear (&codes->nationalities);
  list_clear (&codes->religions);
  g_free (codes);
}

char *
motcua_codes_default_dir (void)
{
  const char *env = g_getenv ("MOTCUA_CODES_DIR");
  if (env != NULL && *env != '\0')
    return g_strdup (env);
  g_autofree char *installed = g_build_filename (MOTCUA_DATADIR, "codes", NULL);
  if (g_file_test (installed, G_FILE_TEST_IS_DIR))
    return g_steal_pointer (&installed);
  return g_build_filename (MOTCUA_SOURCE_ROOT, "data", "codes", NULL);
}

static GMutex default_lock;
static MotcuaCodes *default_codes;

const MotcuaCodes *
motcua_codes_get_default (GError **error)
{
  g_autoptr (GMutexLocker) locker = g_mutex_locker_new (&default_lock);
  if (default_codes == NULL)
    {
      g_autofree char *dir = motcua_codes_default_dir ();
      default_codes = motcua_codes_load (dir, error);
    }
  return default_codes;
}

static const char *
list_lookup_name (const CodeList *l, const char *name)
{
  if (name == NULL)
    return NULL;
  g_autofree char *trimmed = g_strstrip (g_strdup (name));
  g_autofree char *key = motcua_text_name_key (trimmed);
  return key ? g_hash_table_lookup (l->by_key, key) : NULL;
}

gboolean
motcua_codes_has_ethnicity (const MotcuaCodes *codes, const char *code)
{
  g_return_val_if_fail (codes != NULL, FALSE);
  return code != NULL && g_hash_table_contains (codes->ethnicities.by_code, code);
}

const char *
motcua_codes_ethnicity_name (const MotcuaCodes *codes, const char *code)
{
  g_return_val_if_fail (codes != NULL, NULL);
  return code ? g_hash_table_lookup (codes->ethnicities.by_code, code) : NULL;
}

const char *
motcua_codes_ethnicity_from_name (const MotcuaCodes *codes, const char *name)
{
  g_return_val_if_fail (codes != NULL, NULL);
  return list_lookup_name (&codes->ethnicities, name);
}

gboolean
motcua_codes_has_nationality (const MotcuaCodes *codes, const char *code)
{
  g_return_val_if_fail (codes != NULL, FALSE);
  return code != NULL && g_hash_table_contains (codes->nationalities.by_code, code);
}

const char *
motcua_codes_nationality_from_name (const MotcuaCodes *codes, const char *name)
{
  g_return_val_if_fail (codes != NULL, NULL);
  if (name == NULL)
    return NULL;
  gpointer code;
  if (g_hash_table_lookup_extended (codes->nationalities.by_code, name, &code, NULL))
    return code;
  return list_lookup_name (&codes->nationalities, name);
}

gboolean
motcua_codes_has_religion (const MotcuaCodes *codes, const char *code)
{
  g_return_val_if_fail (codes != NULL, FALSE);
  return code != NULL && g_hash_table_contains (codes->religions.by_code, code);
}

const char *
motcua_codes_religion_from_name (const MotcuaCodes *codes, const char *name)
{
  g_return_val_if_fail (codes != NULL, NULL);
  return list_lookup_name (&codes->religions, name);
}
