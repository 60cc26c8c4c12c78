/* motcua-units-address.c — matching free-text addresses (the card's
 * "nơi thường trú") to 2025 units.  See motcua_units_match_address() in
 * motcua-units.h. */
#define G_LOG_DOMAIN "motcua-units"

#include "motcua-units-private.h"

#include <string.h>

/* ---- Free-text addresses ------------------------------------------------------ */

void
motcua_units_address_match_free (MotcuaUnitsAddressMatch *m)
{
  if (m == NULL)
    return;
  g_free (m->province_code);
  g_free (m->commune_code);
  g_free (m->detail);
  g_clear_pointer (&m->candidates, g_ptr_array_unref);
  g_free (m);
}

static gboolean
is_commune_type (UnitType t)
{
  return t == T_NONE || t == T_PHUONG || t == T_XA || t == T_THITRAN || t == T_DACKHU;
}

/* Keeps in @out the codes seen with the best (lowest non-zero) tier. */
static void
keep_best (int t, int *best, GPtrArray *out, const char *code)
{
  if (t == 0 || (*best && t > *best))
    return;
  if (t < *best || *best == 0)
    g_ptr_array_set_size (out, 0);
  *best = t;
  motcua_units_add_code (out, code);
}

/* The 2025 communes of the provinces in @provs best matching @want, as codes
 * in @out.  Returns the best tier (0 = none). */
static int
find_2025 (const MotcuaUnits *u, GPtrArray *provs, const Name *want, int max_tier, GPtrArray *out)
{
  int best = 0;
  for (guint i = 0; i < u->communes->len; i++)
    {
      const Commune *c = u->communes->pdata[i];
      int t = motcua_units_in_set (provs, c->pub.province_code) ? motcua_units_name_match (want, &c->name) : 0;
      keep_best (t <= max_tier ? t : 0, &best, out, c->pub.code);
    }
  return best;
}

/* Old communes of old province @prov (and old district @dist when not NULL)
 * best matching @want, mapped to 2025 codes in @out.  Returns the tier. */
static int
find_legacy (const MotcuaUnits *u, const Name *prov, const Name *dist, const Name *want,
             GPtrArray *out)
{
  int best = 0;
  for (guint i = 0; i < u->legacy->len; i++)
    {
      const LegacyRow *r = u->legacy->pdata[i];
      if (r->province.key != prov->key || *r->commune.key == '\0')
        continue;
      int dt = dist ? motcua_units_name_match (dist, &r->district) : 1;
      int t = motcua_units_name_match (want, &r->commune);
      keep_best (dt && t ? MAX (t, dt) : 0, &best, out, r->new_commune_code);
    }
  return best;
}

static gboolean
is_old_district (const MotcuaUnits *u, const Name *prov, const Name *want)
{
  for (guint i = 0; i < u->legacy->len; i++)
    {
      const LegacyRow *r = u->legacy->pdata[i];
      int t = r->province.key == prov->key ? motcua_units_name_match (want, &r->district) : 0;
      if (t == 1 || t == 2)
        return TRUE;
    }
  return FALSE;
}

static void
finish (const MotcuaUnits *u, MotcuaUnitsAddressMatch *m, GPtrArray *codes, int tier,
        gboolean legacy, char **parts, guint n_detail)
{
  for (guint i = 0; i < codes->len; i++)
    g_ptr_array_add (m->candidates, g_strdup (codes->pdata[i]));
  if (codes->len == 1 && tier <= 2)
    {
      m->confidence = legacy ? MOTCUA_UNITS_MATCH_LEGACY_UNIQUE : MOTCUA_UNITS_MATCH_EXACT;
      m->commune_code = g_strdup (codes->pdata[0]);
    }
  else
    m->confidence = MOTCUA_UNITS_MATCH_AMBIGUOUS;
  /* The province: shared by all candidates. */
  const char *prov = motcua_units_commune (u, codes->pdata[0])->province_code;
  for (guint i = 1; i < codes->len && prov; i++)
    if (strcmp (motcua_units_commune (u, codes->pdata[i])->province_code, prov) != 0)
      prov = NULL;
  g_free (m->province_code);
  m->province_code = g_strdup (prov);
  char *saved = parts[n_detail];
  parts[n_detail] = NULL;
  m->detail = g_strjoinv (", ", parts);
  parts[n_detail] = saved;
}

MotcuaUnitsAddressMatch *
motcua_units_match_address (const MotcuaUnits *units, const char *text)
{
  g_return_val_if_fail (units != NULL, NULL);

  MotcuaUnitsAddressMatch *m = g_new0 (MotcuaUnitsAddressMatch, 1);
  m->candidates = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *nfc = text ? g_utf8_normalize (text, -1, G_NORMALIZE_NFC) : NULL;
  if (nfc == NULL)
    return m;

  g_autoptr (GStringChunk) chunk = g_string_chunk_new (256);
  g_auto (GStrv) raw = g_strsplit_set (nfc, ",;", -1);
  g_autoptr (GPtrArray) parts = g_ptr_array_new ();
  for (guint i = 0; raw[i]; i++)
    if (*g_strstrip (raw[i]))
      g_ptr_array_add (parts, raw[i]);
  guint n = parts->len;
  Name last;
  if (n > 0 && motcua_units_name_parse (parts->pdata[n - 1], chunk, &last)
      && (strcmp (last.bare, "viet nam") == 0 || strcmp (last.bare, "vn") == 0))
    n--;
  g_ptr_array_set_size (parts, n);
  g_ptr_array_add (parts, NULL);
  char **pv = (char **) parts->pdata;
  if (n == 0 || !motcua_units_name_parse (pv[n - 1], chunk, &last))
    return m;
  if (strcmp (last.bare, "hcm") == 0)
    motcua_units_name_parse ("Hồ Chí Minh", chunk, &last);

  /* 1. Province: a 2025 one and/or a pre-2025 one. */
  const Province *prov = NULL;
  const Name *old_prov = NULL;
  for (int tier = 1; tier <= 4 && !prov && !old_prov; tier++)
    {
      for (guint i = 0; i < units->provinces->len; i++)
        if (motcua_units_name_match (&last, &((Province *) units->provinces->pdata[i])->n) == tier)
          prov = units->provinces->pdata[i];
      for (guint i = 0; i < units->old_provinces->len; i++)
        if (motcua_units_name_match (&last, units->old_provinces->pdata[i]) == tier)
          old_prov = units->old_provinces->pdata[i];
    }
  if (!prov && !old_prov)
    return m;
  g_autoptr (GPtrArray) provs = g_ptr_array_new_with_free_func (g_free);
  if (prov)
    motcua_units_add_code (provs, prov->code);
  else
    for (guint i = 0; i < units->legacy->len; i++)
      {
        const LegacyRow *r = units->legacy->pdata[i];
        if (r->province.key == old_prov->key)
          motcua_units_add_code (provs, r->new_province_code);
      }
  if (provs->len == 1)
    m->province_code = g_strdup (provs->pdata[0]);
  if (n < 2)
    return m;

  g_autoptr (GPtrArray) codes = g_ptr_array_new_with_free_func (g_free);
  Name part;
  guint idx = n - 2;
  motcua_units_name_parse (pv[idx], chunk, &part);

  /* 2. Legacy with a district: commune, district, province. */
  int tier = 0;
  gboolean district = part.type == T_QUAN || part.type == T_HUYEN || part.type == T_THIXA
                      || part.type == T_CITY
                      || (old_prov && part.type == T_NONE && is_old_district (units, old_prov, &part));
  Name cpart;
  if (district && idx > 0 && old_prov)
    {
      motcua_units_name_parse (pv[idx - 1], chunk, &cpart);
      if ((tier = find_legacy (units, old_prov, &part, &cpart, codes)))
        {
          finish (units, m, codes, tier, TRUE, pv, idx - 1);
          return m;
        }
    }
  /* 3. A 2025 commune, type word agreeing. */
  if (is_commune_type (part.type) && (tier = find_2025 (units, provs, &part, 2, codes)))
    {
      finish (units, m, codes, tier, FALSE, pv, idx);
      return m;
    }
  /* 4. Legacy without a district (or with one not found in the file). */
  gboolean typed_district = district && part.type != T_NONE;
  if (typed_district && idx == 0)
    return m;
  guint ci = typed_district ? idx - 1 : idx;
  motcua_units_name_parse (pv[ci], chunk, &cpart);
  if (old_prov && (tier = find_legacy (units, old_prov, NULL, &cpart, codes)))
    {
      if (typed_district) /* the district written does not hold that commune */
        tier = MAX (tier, 3);
      finish (units, m, codes, tier, TRUE, pv, ci);
      return m;
    }
  /* 5. A 2025 commune with another type word, or after a district part. */
  if ((tier = find_2025 (units, provs, &cpart, 4, codes)))
    finish (units, m, codes, tier, FALSE, pv, ci);
  return m;
}
