/* motcua-units.c — administrative units: loading the 2025 codes and the
 * legacy mapping, look-ups.  Free-text address matching is in
 * motcua-units-address.c.  See motcua-units.h. */
#define G_LOG_DOMAIN "motcua-units"

#include "motcua-units-private.h"
#include "motcua-text.h"
#include "motcua-csv.h"

#include <string.h>
#include <glib/gi18n-lib.h>

G_DEFINE_QUARK (motcua-units-error-quark, motcua_units_error)

/* ---- Names ---------------------------------------------------------------- */

static const struct { const char *text; UnitType type; gboolean ascii; } prefixes[] = {
  { "thành phố", T_CITY, FALSE }, { "tp.", T_CITY, FALSE }, { "tp", T_CITY, FALSE },
  { "tỉnh", T_PROVINCE, FALSE }, { "quận", T_QUAN, FALSE }, { "q.", T_QUAN, FALSE },
  { "huyện", T_HUYEN, FALSE }, { "h.", T_HUYEN, FALSE }, { "thị xã", T_THIXA, FALSE },
  { "tx.", T_THIXA, FALSE }, { "tx", T_THIXA, FALSE }, { "thị trấn", T_THITRAN, FALSE },
  { "tt.", T_THITRAN, FALSE }, { "tt", T_THITRAN, FALSE }, { "phường", T_PHUONG, FALSE },
  { "p.", T_PHUONG, FALSE }, { "xã", T_XA, FALSE }, { "x.", T_XA, FALSE },
  { "đặc khu", T_DACKHU, FALSE }, { "t.", T_PROVINCE, FALSE },
  { "thanh pho", T_CITY, TRUE }, { "tinh", T_PROVINCE, TRUE }, { "quan", T_QUAN, TRUE },
  { "huyen", T_HUYEN, TRUE }, { "thi xa", T_THIXA, TRUE }, { "thi tran", T_THITRAN, TRUE },
  { "phuong", T_PHUONG, TRUE }, { "xa", T_XA, TRUE }, { "dac khu", T_DACKHU, TRUE },
};

/* Diacritics removed (NFD, marks dropped, đ → d), NFC. */
static char *
strip_marks (const char *s)
{
  g_autofree char *d = g_utf8_normalize (s, -1, G_NORMALIZE_NFD);
  GString *out = g_string_sized_new (strlen (d));
  for (const char *p = d; *p; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      if (g_unichar_ismark (c))
        continue;
      if (c == 0x0111 || c == 0x0110)
        c = 'd';
      g_string_append_unichar (out, c);
    }
  return g_string_free (out, FALSE);
}

/* Parses @text (valid UTF-8) into a #Name; strings interned in @chunk. */
gboolean
motcua_units_name_parse (const char *text, GStringChunk *chunk, Name *out)
{
  out->type = T_NONE;
  out->key = out->bare = "";
  GString *dehyphen = g_string_new (text);
  g_string_replace (dehyphen, "–", " ", 0); /* en dash */
  g_strdelimit (dehyphen->str, "-", ' ');
  g_autofree char *key = motcua_text_name_key (dehyphen->str);
  g_string_free (dehyphen, TRUE);
  if (key == NULL)
    return FALSE;
  gboolean ascii = TRUE;
  for (const char *p = key; *p; p++)
    ascii = ascii && !(*p & 0x80);

  const char *rest = key;
  for (guint i = 0; i < G_N_ELEMENTS (prefixes); i++)
    {
      gsize len = strlen (prefixes[i].text);
      if ((prefixes[i].ascii && !ascii) || strncmp (key, prefixes[i].text, len) != 0)
        continue;
      const char *r = key + len;
      if (prefixes[i].text[len - 1] != '.' && *r != ' ')
        continue;
      for (; *r == ' '; r++)
        ;
      if (*r == '\0')
        continue;
      out->type = prefixes[i].type;
      rest = r;
      break;
    }

  /* Drop leading zeros of numbers: "phường 01" = "phường 1". */
  GString *norm = g_string_new (NULL);
  for (const char *p = rest; *p; p++)
    if (*p != '0' || !g_ascii_isdigit (p[1]) || (norm->len && norm->str[norm->len - 1] != ' '))
      g_string_append_c (norm, *p);
  g_autofree char *bare = strip_marks (norm->str);
  out->key = g_string_chunk_insert_const (chunk, norm->str);
  out->bare = g_string_chunk_insert_const (chunk, bare);
  g_string_free (norm, TRUE);
  return TRUE;
}

/* 0 = no match; 1 exact key and compatible type; 2 bare key, compatible;
 * 3 exact key, other type; 4 bare key, other type. */
int
motcua_units_name_match (const Name *want, const Name *have)
{
  gboolean type_ok = want->type == T_NONE || want->type == have->type;
  if (strcmp (want->key, have->key) == 0)
    return type_ok ? 1 : 3;
  if (strcmp (want->bare, have->bare) == 0)
    return type_ok ? 2 : 4;
  return 0;
}

/* ---- CSV ------------------------------------------------------------------- */

typedef gboolean (*RowFunc) (MotcuaUnits *u, char **f, const char **why);

static gboolean
load_csv (MotcuaUnits *u, const char *dir, const char *file, const char *header,
          RowFunc row, GError **error)
{
  g_autofree char *path = g_build_filename (dir, file, NULL);
  g_autofree char *data = NULL;
  gsize len = 0;
  g_autoptr (GError) local = NULL;
  if (!g_file_get_contents (path, &data, &len, &local))
    return g_set_error (error, MOTCUA_UNITS_ERROR, MOTCUA_UNITS_ERROR_IO,
                        _("Không đọc được danh mục đơn vị hành chính %s: %s"), path,
                        local->message), FALSE;
  if (!g_utf8_validate_len (data, len, NULL))
    return g_set_error (error, MOTCUA_UNITS_ERROR, MOTCUA_UNITS_ERROR_MALFORMED,
                        _("%s: không phải UTF-8 hợp lệ"), file), FALSE;
  g_auto (GStrv) lines = g_strsplit (data, "\n", -1);
  guint n_cols = 1;
  for (const char *h = header; *h; h++)
    n_cols += *h == ',';

  for (guint i = 0; lines[i] != NULL; i++)
    {
      char *line = lines[i];
      gsize l = strlen (line);
      if (l > 0 && line[l - 1] == '\r')
        line[--l] = '\0';
      if (l == 0 && lines[i + 1] == NULL)
        break; /* final newline */
      const char *why = NULL;
      g_autoptr (GPtrArray) f = g_ptr_array_new_with_free_func (g_free);
      if (i == 0 && strcmp (line, header) != 0)
        why = N_("tiêu đề cột không đúng");
      else if (i > 0 && (why = motcua_csv_split (line, f)) == NULL && f->len != n_cols)
        why = N_("số trường không đúng");
      else if (i > 0 && why == NULL)
        {
          g_ptr_array_add (f, NULL);
          row (u, (char **) f->pdata, &why);
        }
      if (why != NULL)
        return g_set_error (error, MOTCUA_UNITS_ERROR, MOTCUA_UNITS_ERROR_MALFORMED,
                            _("%s, dòng %u: %s"), file, i + 1, _(why)), FALSE;
    }
  return TRUE;
}

static gboolean
all_digits (const char *s, gsize n)
{
  gsize i = 0;
  for (; g_ascii_isdigit (s[i]); i++)
    ;
  return i == n && s[i] == '\0';
}

static gboolean
row_2025 (MotcuaUnits *u, char **f, const char **why)
{
  /* province_code,province_name,commune_code,commune_name,commune_type */
  if (!all_digits (f[0], 2) || !all_digits (f[2], 5))
    return (*why = N_("mã tỉnh phải có 2 chữ số, mã xã 5 chữ số")), FALSE;
  if (*f[1] == '\0' || *f[3] == '\0')
    return (*why = N_("thiếu tên đơn vị")), FALSE;
  if (strcmp (f[4], "phường") != 0 && strcmp (f[4], "xã") != 0 && strcmp (f[4], "đặc khu") != 0)
    return (*why = N_("loại đơn vị không hợp lệ (phường, xã, đặc khu)")), FALSE;
  if (g_hash_table_contains (u->commune_by_code, f[2]))
    return (*why = N_("mã xã bị trùng")), FALSE;

  Province *p = g_hash_table_lookup (u->province_by_code, f[0]);
  if (p == NULL)
    {
      p = g_new0 (Province, 1);
      p->code = g_string_chunk_insert_const (u->strings, f[0]);
      p->name = g_string_chunk_insert_const (u->strings, f[1]);
      motcua_units_name_parse (f[1], u->strings, &p->n);
      g_ptr_array_add (u->provinces, p);
      g_hash_table_insert (u->province_by_code, (char *) p->code, p);
    }
  else if (strcmp (p->name, f[1]) != 0)
    return (*why = N_("cùng mã tỉnh nhưng khác tên tỉnh")), FALSE;

  Commune *c = g_new0 (Commune, 1);
  c->pub.code = g_string_chunk_insert_const (u->strings, f[2]);
  c->pub.name = g_string_chunk_insert_const (u->strings, f[3]);
  c->pub.type = g_string_chunk_insert_const (u->strings, f[4]);
  c->pub.province_code = p->code;
  motcua_units_name_parse (f[3], u->strings, &c->name);
  g_ptr_array_add (u->communes, c);
  g_hash_table_insert (u->commune_by_code, (char *) c->pub.code, c);
  return TRUE;
}

static gboolean
row_legacy (MotcuaUnits *u, char **f, const char **why)
{
  /* old_province_code,old_province_name,old_district_code,old_district_name,
   * old_commune_code,old_commune_name,new_province_code,new_commune_code,split,note */
  if (!all_digits (f[0], 2) || !all_digits (f[2], 3) || (*f[4] && !all_digits (f[4], 5)))
    return (*why = N_("mã tỉnh, huyện hoặc xã cũ sai dạng")), FALSE;
  const Commune *c = g_hash_table_lookup (u->commune_by_code, f[7]);
  if (c == NULL || strcmp (c->pub.province_code, f[6]) != 0)
    return (*why = N_("mã xã mới không có trong danh mục 2025 hoặc không thuộc tỉnh mới")), FALSE;
  if (strcmp (f[8], "0") != 0 && strcmp (f[8], "1") != 0)
    return (*why = N_("cột split phải là 0 hoặc 1")), FALSE;
  if (*f[1] == '\0' || *f[3] == '\0')
    return (*why = N_("thiếu tên tỉnh hoặc huyện cũ")), FALSE;

  LegacyRow *r = g_new0 (LegacyRow, 1);
  r->old_commune_code = g_string_chunk_insert_const (u->strings, f[4]);
  r->old_district_code = g_string_chunk_insert_const (u->strings, f[2]);
  motcua_units_name_parse (f[1], u->strings, &r->province);
  motcua_units_name_parse (f[3], u->strings, &r->district);
  motcua_units_name_parse (f[5], u->strings, &r->commune);
  r->new_province_code = c->pub.province_code;
  r->new_commune_code = c->pub.code;
  r->split = f[8][0] == '1';
  g_ptr_array_add (u->legacy, r);

  gboolean seen = FALSE;
  for (guint i = 0; i < u->old_provinces->len && !seen; i++)
    seen = ((Name *) u->old_provinces->pdata[i])->key == r->province.key;
  if (!seen)
    g_ptr_array_add (u->old_provinces, &r->province);

  if (*r->old_commune_code)
    {
      GPtrArray *list = g_hash_table_lookup (u->legacy_by_code, r->old_commune_code);
      if (list == NULL)
        g_hash_table_insert (u->legacy_by_code, (char *) r->old_commune_code,
                             list = g_ptr_array_new ());
      g_ptr_array_add (list, r);
    }
  return TRUE;
}

MotcuaUnits *
motcua_units_load (const char *codes_dir, GError **error)
{
  g_return_val_if_fail (codes_dir != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  g_autoptr (MotcuaUnits) u = g_new0 (MotcuaUnits, 1);
  u->strings = g_string_chunk_new (64 * 1024);
  u->provinces = g_ptr_array_new_with_free_func (g_free);
  u->province_by_code = g_hash_table_new (g_str_hash, g_str_equal);
  u->communes = g_ptr_array_new_with_free_func (g_free);
  u->commune_by_code = g_hash_table_new (g_str_hash, g_str_equal);
  u->old_provinces = g_ptr_array_new ();
  u->legacy = g_ptr_array_new_with_free_func (g_free);
  u->legacy_by_code = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                             (GDestroyNotify) g_ptr_array_unref);

  if (!load_csv (u, codes_dir, "units-2025.csv",
                 "province_code,province_name,commune_code,commune_name,commune_type",
                 row_2025, error)
      || !load_csv (u, codes_dir, "units-legacy-to-2025.csv",
                    "old_province_code,old_province_name,old_district_code,old_district_name,"
                    "old_commune_code,old_commune_name,new_province_code,new_commune_code,split,note",
                    row_legacy, error))
    return NULL;
  if (u->communes->len == 0)
    return g_set_error (error, MOTCUA_UNITS_ERROR, MOTCUA_UNITS_ERROR_MALFORMED,
                        _("%s: danh mục trống"), "units-2025.csv"), NULL;
  return g_steal_pointer (&u);
}

void
motcua_units_free (MotcuaUnits *u)
{
  if (u == NULL)
    return;
  g_clear_pointer (&u->legacy_by_code, g_hash_table_unref);
  g_clear_pointer (&u->legacy, g_ptr_array_unref);
  g_clear_pointer (&u->old_provinces, g_ptr_array_unref);
  g_clear_pointer (&u->commune_by_code, g_hash_table_unref);
  g_clear_pointer (&u->communes, g_ptr_array_unref);
  g_clear_pointer (&u->province_by_code, g_hash_table_unref);
  g_clear_pointer (&u->provinces, g_ptr_array_unref);
  g_clear_pointer (&u->strings, g_string_chunk_free);
  g_free (u);
}

/* ---- Look-ups -------------------------------------------------------------- */

const char *
motcua_units_province_name (const MotcuaUnits *units, const char *code)
{
  g_return_val_if_fail (units != NULL, NULL);
  if (code == NULL)
    return NULL;
  const Province *p = g_hash_table_lookup (units->province_by_code, code);
  return p ? p->name : NULL;
}

const MotcuaUnitsCommune *
motcua_units_commune (const MotcuaUnits *units, const char *code)
{
  g_return_val_if_fail (units != NULL, NULL);
  if (code == NULL)
    return NULL;
  const Commune *c = g_hash_table_lookup (units->commune_by_code, code);
  return c ? &c->pub : NULL;
}

gboolean
motcua_units_commune_in_province (const MotcuaUnits *units, const char *commune_code,
                                  const char *province_code)
{
  g_return_val_if_fail (units != NULL, FALSE);
  const MotcuaUnitsCommune *c = motcua_units_commune (units, commune_code);
  return c != NULL && province_code != NULL && strcmp (c->province_code, province_code) == 0;
}

gboolean
motcua_units_in_set (GPtrArray *set, const char *s)
{
  for (guint i = 0; i < set->len; i++)
    if (strcmp (set->pdata[i], s) == 0)
      return TRUE;
  return FALSE;
}

/* Appends @code to @codes unless present. */
void
motcua_units_add_code (GPtrArray *codes, const char *code)
{
  if (!motcua_units_in_set (codes, code))
    g_ptr_array_add (codes, g_strdup (code));
}

char **
motcua_units_from_legacy (const MotcuaUnits *units, const char *old_commune_code, gboolean *split)
{
  g_return_val_if_fail (units != NULL, NULL);
  if (split)
    *split = FALSE;
  if (old_commune_code == NULL || *old_commune_code == '\0')
    return NULL;
  GPtrArray *rows = g_hash_table_lookup (units->legacy_by_code, old_commune_code);
  if (rows == NULL)
    return NULL;
  GPtrArray *codes = g_ptr_array_new ();
  for (guint i = 0; i < rows->len; i++)
    {
      const LegacyRow *r = rows->pdata[i];
      motcua_units_add_code (codes, r->new_commune_code);
      if (split && r->split)
        *split = TRUE;
    }
  g_ptr_array_add (codes, NULL);
  return (char **) g_ptr_array_free (codes, FALSE);
}

gboolean
motcua_units_legacy_district_known (const MotcuaUnits *u, const char *district)
{
  for (guint i = 0; district != NULL && i < u->legacy->len; i++)
    if (strcmp (((LegacyRow *) u->legacy->pdata[i])->old_district_code, district) == 0)
      return TRUE;
  return FALSE;
}

gboolean
motcua_units_legacy_pair (const MotcuaUnits *u, const char *district, const char *commune)
{
  for (guint i = 0; district != NULL && commune != NULL && i < u->legacy->len; i++)
    {
      const LegacyRow *r = u->legacy->pdata[i];
      if (strcmp (r->old_district_code, district) == 0 && strcmp (r->new_commune_code, commune) == 0)
        return TRUE;
    }
  return FALSE;
}
