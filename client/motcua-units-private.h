/* motcua-units-private.h — internals shared by motcua-units.c (loading,
 * look-ups) and motcua-units-address.c (free-text address matching) */
#pragma once

#include "motcua-units.h"

G_BEGIN_DECLS

typedef enum {
  T_NONE, T_PROVINCE, T_CITY, T_QUAN, T_HUYEN, T_THIXA,
  T_PHUONG, T_XA, T_THITRAN, T_DACKHU
} UnitType;

/* A name split into its type word and two comparison keys of the rest. */
typedef struct {
  UnitType type;
  const char *key;  /* motcua_text_name_key of the bare name (+ hyphens, zeros) */
  const char *bare; /* key without diacritics, đ → d */
} Name;

typedef struct { MotcuaUnitsCommune pub; Name name; } Commune;
typedef struct { const char *code, *name; Name n; } Province;

typedef struct {
  const char *old_commune_code; /* "" for the few district-level rows */
  const char *old_district_code;
  Name province, district, commune;
  const char *new_province_code, *new_commune_code;
  gboolean split;
} LegacyRow;

struct _MotcuaUnits {
  GStringChunk *strings;
  GPtrArray *provinces;      /* Province*, 2025 */
  GHashTable *province_by_code;
  GPtrArray *communes;       /* Commune*, file order */
  GHashTable *commune_by_code;
  GPtrArray *old_provinces;  /* Name*, distinct pre-2025 provinces */
  GPtrArray *legacy;         /* LegacyRow* */
  GHashTable *legacy_by_code; /* old commune code → GPtrArray of LegacyRow* (borrowed) */
};

/* Parses @text (valid UTF-8) into a #Name; strings interned in @chunk. */
gboolean motcua_units_name_parse (const char *text, GStringChunk *chunk, Name *out);
/* 0 = no match; 1 exact key and compatible type; 2 bare key, compatible;
 * 3 exact key, other type; 4 bare key, other type. */
int      motcua_units_name_match (const Name *want, const Name *have);
/* TRUE when @set (of strings) holds @s. */
gboolean motcua_units_in_set (GPtrArray *set, const char *s);
/* Appends a copy of @code to @codes unless it is there. */
void     motcua_units_add_code (GPtrArray *codes, const char *code);

/* TRUE when @district is a pre-2025 district code of the legacy list. */
gboolean motcua_units_legacy_district_known (const MotcuaUnits *u, const char *district);
/* TRUE when an old commune of @district became (part of) 2025 @commune. */
gboolean motcua_units_legacy_pair (const MotcuaUnits *u, const char *district,
                                   const char *commune);

G_END_DECLS
