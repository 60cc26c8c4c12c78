/* motcua-codes.h — the code lists of data/codes other than administrative
 * units (motcua-units.h): ethnicities, nationalities and religions.
 *
 * Names are matched on motcua_text_name_key() (case, NFC/NFD, tone
 * placement), ethnicities also by their aliases ("Việt" → 01 Kinh) and
 * nationalities also by the English name.  A #MotcuaCodes is immutable
 * after loading and may be shared between threads. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _MotcuaCodes MotcuaCodes;

/* Reads ethnicities.csv, nationalities.csv and religions.csv from
 * @codes_dir; MOTCUA_ERROR_CODE_LISTS naming the file and line on any
 * fault. */
MotcuaCodes *motcua_codes_load (const char *codes_dir, GError **error);
void         motcua_codes_free (MotcuaCodes *codes);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MotcuaCodes, motcua_codes_free)

/* The directory of the code lists: $MOTCUA_CODES_DIR, else the installed
 * MOTCUA_DATADIR/codes, else the source tree's data/codes.  Newly allocated. */
char *motcua_codes_default_dir (void);
/* The lists of motcua_codes_default_dir(), loaded once (thread-safe) and
 * kept for the life of the process.  NULL with @error set when they do not
 * load (a later call tries again). */
const MotcuaCodes *motcua_codes_get_default (GError **error);

gboolean    motcua_codes_has_ethnicity (const MotcuaCodes *codes, const char *code);
/* "Kinh" for "01"; NULL when unknown. */
const char *motcua_codes_ethnicity_name (const MotcuaCodes *codes, const char *code);
/* The code of an ethnicity's name or alias ("Kinh", "Việt" → "01"); NULL
 * when none matches. */
const char *motcua_codes_ethnicity_from_name (const MotcuaCodes *codes, const char *name);

gboolean    motcua_codes_has_nationality (const MotcuaCodes *codes, const char *code);
/* The ISO code of a nationality's Vietnamese or English name ("Việt Nam"
 * → "VN"), or of an upper-case code given as is; NULL when none. */
const char *motcua_codes_nationality_from_name (const MotcuaCodes *codes, const char *name);

gboolean    motcua_codes_has_religion (const MotcuaCodes *codes, const char *code);
/* The code of a religion's name ("Phật giáo" → "01"); NULL for "Không"
 * (none) and unknown names. */
const char *motcua_codes_religion_from_name (const MotcuaCodes *codes, const char *name);

G_END_DECLS
