/* motcua-units.h — Vietnamese administrative units (two levels since
 * 1 July 2025, Quyết định 19/2025/QĐ-TTg), the legacy three-level mapping
 * and matching of free-text addresses printed on older cards.
 *
 * Data: @codes_dir/units-2025.csv (34 provinces, 3,321 communes) and
 * @codes_dir/units-legacy-to-2025.csv (old commune → new commune(s), with a
 * `split` flag); see data/codes/SOURCES.md.  A #MotcuaUnits is immutable
 * after loading and may be shared between threads for reading. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define MOTCUA_UNITS_ERROR (motcua_units_error_quark ())
GQuark motcua_units_error_quark (void);

/* Stable machine codes of load errors. */
typedef enum {
  MOTCUA_UNITS_ERROR_IO,        /* a file could not be read */
  MOTCUA_UNITS_ERROR_MALFORMED, /* bad UTF-8, header, quoting, field count or value;
                                 * the message names the file and line */
} MotcuaUnitsError;

typedef struct _MotcuaUnits MotcuaUnits;

/* A 2025 commune; all strings are owned by the #MotcuaUnits. */
typedef struct {
  const char *code;          /* 5 digits, e.g. "00004" */
  const char *name;          /* with its type word, e.g. "Phường Ba Đình" */
  const char *type;          /* "phường", "xã" or "đặc khu" */
  const char *province_code; /* 2 digits, e.g. "01" */
} MotcuaUnitsCommune;

/**
 * motcua_units_load:
 * @codes_dir: the directory holding the two CSV files
 * @error: return location for a #MOTCUA_UNITS_ERROR
 *
 * Reads and checks both files (RFC 4180 quoting; embedded newlines are not
 * allowed).  A row with the wrong number of fields, an unterminated or
 * misplaced quote, a code of the wrong shape, an unknown commune type, a
 * duplicate 2025 commune code, a legacy row pointing at a 2025 commune that
 * does not exist or a `split` other than 0/1 refuses the whole load.
 *
 * Returns: (transfer full) (nullable): the units, or %NULL with @error set.
 */
MotcuaUnits *motcua_units_load (const char *codes_dir, GError **error);
void motcua_units_free (MotcuaUnits *units);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MotcuaUnits, motcua_units_free)

/* Returns: (nullable): the 2025 province name ("Thành phố Hà Nội") of
 * @code ("01"), or %NULL when unknown. */
const char *motcua_units_province_name (const MotcuaUnits *units, const char *code);

/* Returns: (nullable): the 2025 commune of @code ("00004"), or %NULL. */
const MotcuaUnitsCommune *motcua_units_commune (const MotcuaUnits *units, const char *code);

/* TRUE when 2025 commune @commune_code exists and lies in province
 * @province_code. */
gboolean motcua_units_commune_in_province (const MotcuaUnits *units, const char *commune_code,
                                           const char *province_code);

/**
 * motcua_units_from_legacy:
 * @units: the units
 * @old_commune_code: a pre-2025 commune code (5 digits, Quyết định 124/2004)
 * @split: (out) (optional): set to %TRUE when the old commune was split
 *   between several new communes
 *
 * Returns: (transfer full) (nullable): the 2025 commune code(s) the old
 * commune became — one code, or (when split) the candidates in file order,
 * among which the clerk must choose by the actual address; %NULL when the
 * old code is unknown.  Free with g_strfreev().
 */
char **motcua_units_from_legacy (const MotcuaUnits *units, const char *old_commune_code,
                                 gboolean *split);

typedef enum {
  MOTCUA_UNITS_MATCH_NONE,          /* no commune found (province_code may still be set) */
  MOTCUA_UNITS_MATCH_EXACT,         /* a 2025 commune, by name and type */
  MOTCUA_UNITS_MATCH_LEGACY_UNIQUE, /* an old commune that became exactly one 2025 commune */
  MOTCUA_UNITS_MATCH_AMBIGUOUS,     /* several candidates, or one that needs confirming:
                                     * the clerk must choose */
} MotcuaUnitsConfidence;

typedef struct {
  MotcuaUnitsConfidence confidence;
  char *province_code; /* 2025 province, or NULL when unknown / not shared by the candidates */
  char *commune_code;  /* 2025 commune; set only for EXACT and LEGACY_UNIQUE */
  char *detail;        /* the part before the commune ("Thôn 3", "Số 12 ngõ 5"), NFC,
                        * "" when none; NULL when no commune was found */
  GPtrArray *candidates; /* (element-type utf8) 2025 commune codes: the one found, or the
                          * candidates of AMBIGUOUS; empty for NONE.  Never NULL. */
} MotcuaUnitsAddressMatch;

void motcua_units_address_match_free (MotcuaUnitsAddressMatch *m);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MotcuaUnitsAddressMatch, motcua_units_address_match_free)

/**
 * motcua_units_match_address:
 * @units: the units
 * @text: a free-text address, e.g. "Số 12 ngõ 5, Phường Trúc Bạch, Quận Ba
 *   Đình, Thành phố Hà Nội" (the card's "nơi thường trú")
 *
 * Splits @text on commas (and semicolons) and matches from the end.  A
 * trailing "Việt Nam" is ignored.  Comparison is on NFC + case folding +
 * one tone placement (motcua_text_name_key()), hyphens as spaces, leading
 * zeros of numbers dropped ("Phường 01" = "Phường 1"); when nothing matches
 * that way, diacritics are ignored too ("Ha Noi").  Type words may be written
 * in full or abbreviated: "Tỉnh"/"T.", "Thành phố"/"TP."/"TP", "Quận"/"Q.",
 * "Huyện"/"H.", "Thị xã"/"TX.", "Thị trấn"/"TT.", "Phường"/"P.", "Xã"/"X.",
 * "Đặc khu", or left out.
 *
 * 1. The last part is the province: a 2025 province, or a pre-2025 one
 *    ("Tỉnh Bắc Giang"; "TP.HCM" is understood); otherwise the result is NONE.
 * 2. If the part before it is a district (Quận/Huyện/Thị xã/Thành phố, or
 *    without a type word the name of an old district of that province), the
 *    part before the district is matched among the old communes of that
 *    district (this is how same-named old communes are told apart).
 * 3. Else the part before the province is tried as a 2025 commune of that
 *    province (or of the provinces the old province went into) → EXACT.
 * 4. Else it is matched among the old communes of the whole old province.
 *    The old commune(s) found are mapped to 2025: one code → LEGACY_UNIQUE;
 *    several (a split commune, or same-named old communes) → AMBIGUOUS.
 * 5. A match whose type word disagrees with the unit's ("Xã Phúc Xá" for
 *    Phường Phúc Xá), or a commune found outside the district written, is
 *    never EXACT or LEGACY_UNIQUE: it is returned as AMBIGUOUS with its
 *    candidate(s), for the clerk to confirm.
 *
 * Candidates are in file order.  Everything before the commune part is
 * @detail, joined with ", ".
 *
 * Returns: (transfer full): the result, never %NULL (NONE for text that is
 * not valid UTF-8).
 */
MotcuaUnitsAddressMatch *motcua_units_match_address (const MotcuaUnits *units, const char *text);

G_END_DECLS
