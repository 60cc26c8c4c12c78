/* motcua-fields.h — field-level validation and normalisation of dossiers
 *
 * Each check appends #MotcuaProblem items (a JSON Pointer path given by the
 * caller, a stable machine code, a severity and a Vietnamese message) to a
 * GPtrArray created with
 *   g_ptr_array_new_with_free_func ((GDestroyNotify) motcua_problem_free).
 * @problems may be NULL when the caller only wants the result.
 *
 * The checks judge a value that is present: whether a field is required is
 * the dossier's business, so an empty string is reported as a format error.
 *
 * Machine codes used here:
 *   id.length, id.digits                        ERROR
 *   id.province, id.century_sex, id.birth_year  WARNING (structure per
 *       Thông tư 07/2016/TT-BCA, whose basis expired 1 July 2024)
 *   date.format, date.invalid, time.format, phone.format, email.format  ERROR
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum { MOTCUA_SEVERITY_WARNING = 1, MOTCUA_SEVERITY_ERROR = 2 } MotcuaSeverity;

typedef struct {
  char *path;               /* JSON Pointer of the field, e.g. "/me/soDinhDanh" */
  char *code;               /* stable machine code, e.g. "id.length" */
  MotcuaSeverity severity;
  char *message;            /* Vietnamese, NFC, already translated */
} MotcuaProblem;

/* Copies every string; @path NULL is stored as "". */
MotcuaProblem *motcua_problem_new (const char *path, const char *code, MotcuaSeverity s,
                                   const char *message);
void motcua_problem_free (MotcuaProblem *p);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MotcuaProblem, motcua_problem_free)

#define MOTCUA_FIELDS_ERROR (motcua_fields_error_quark ())
GQuark motcua_fields_error_quark (void);
typedef enum { MOTCUA_FIELDS_ERROR_DATA } MotcuaFieldsError;

/* Loads the pre-2025 province codes (column old_province_code of
 * @codes_dir/units-legacy-to-2025.csv) used by the ID-number province
 * check.  Thread-safe; the first successful load wins and later calls return
 * TRUE without reading again.  Until it has succeeded the province check is
 * skipped (no problem reported). */
gboolean motcua_fields_load (const char *codes_dir, GError **error);

/* The 12-digit personal ID number (số định danh cá nhân).
 * Not 12 characters → ERROR id.length; not all ASCII digits → ERROR id.digits.
 * Then, warnings only: digits 1–3 must be "0" + a pre-2025 province code
 * (id.province); digit 4 encodes century and sex — 1900s 0 male / 1 female,
 * 2000s 2/3, 2100s 4/5, 2200s 6/7, 2300s 8/9 (id.century_sex); digits 5–6
 * are the last two digits of the birth year (id.birth_year).
 * @birth_date: the date of birth, "YYYY-MM-DD" (any form accepted by
 * motcua_fields_parse_date() also works) or NULL/unparsable = unknown;
 * @sex: 'M', 'F' or 0 = unknown.  Checks needing an unknown value are
 * skipped; a birth year before 1900 or after 2399 skips the century part.
 * Returns TRUE when no ERROR was found (warnings allowed). */
gboolean motcua_fields_check_id_number (const char *id, const char *birth_date, char sex,
                                        const char *path, GPtrArray *problems);

typedef enum {
  MOTCUA_DATE_DOTTED,   /* dd.MM.yyyy */
  MOTCUA_DATE_COMPACT,  /* yyyyMMdd */
  MOTCUA_DATE_ISO,      /* yyyy-MM-dd */
} MotcuaDateFormat;

/* Parses a calendar date, surrounding blanks ignored:
 *   d/m/yyyy, d.m.yyyy, d-m-yyyy (day and month 1 or 2 digits, one separator);
 *   yyyy-m-d (also with / or .);
 *   8 digits: yyyyMMdd when they start with 19 or 20 and form a valid date
 *   that way, otherwise ddMMyyyy.  (The two readings can only both be valid
 *   for a ddMMyyyy year below 1300, so this is unambiguous in practice.)
 * The year has exactly 4 digits.  Impossible dates (31/02, 29/02/2023) are
 * refused.  Returns FALSE and leaves @out untouched when refused. */
gboolean motcua_fields_parse_date (const char *text, GDate *out);

/* A new string in @format; NULL when @date is not valid. */
char *motcua_fields_format_date (const GDate *date, MotcuaDateFormat format);

/* parse + format in one: returns the canonical form, or NULL after appending
 * ERROR date.format (not a date shape) or date.invalid (no such day). */
char *motcua_fields_normalize_date (const char *text, MotcuaDateFormat format,
                                    const char *path, GPtrArray *problems);

/* A time of day: "H:mm", "HH:mm", "HH:mm:ss" (seconds dropped), "8h30",
 * "8h", "08H30".  Hours 0–23, minutes and seconds 0–59. */
gboolean motcua_fields_parse_time (const char *text, guint *hour, guint *minute);

/* Returns "HH:mm", or NULL after appending ERROR time.format. */
char *motcua_fields_normalize_time (const char *text, const char *path, GPtrArray *problems);

/* A Vietnamese phone number.  Spaces, dots, dashes and parentheses are
 * removed; a leading +84, 0084 or 84 becomes 0 ("+84 (0) 912…" too).  The
 * result must be a mobile number (10 digits, 0[35789]…) or a landline
 * (10–11 digits, 02…).  Returns the national form ("0912345678"), or NULL
 * after appending ERROR phone.format. */
char *motcua_fields_normalize_phone (const char *text, const char *path, GPtrArray *problems);

/* An e-mail address, deliberately simple: exactly one @, local part 1–64
 * printable ASCII characters without blanks, quotes or a leading, trailing
 * or doubled dot; a domain of at least two dot-separated labels (letters,
 * digits, hyphens or non-ASCII bytes; no label empty or starting/ending with
 * a hyphen); at most 254 characters in all.  No surrounding blanks.
 * Returns TRUE, or FALSE after appending ERROR email.format. */
gboolean motcua_fields_check_email (const char *text, const char *path, GPtrArray *problems);

G_END_DECLS
