/* motcua-csv.h — one line of a CSV code list (RFC 4180 quoting)
 *
 * The code lists under data/codes are UTF-8 CSV files without embedded
 * newlines; every module that reads one splits its lines here. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Splits line (no newline) into newly allocated strings appended to
 * fields (a GPtrArray with g_free as free function).  Returns NULL on
 * success, else an untranslated N_() description of the fault (unclosed
 * quote, text after a closing quote, a quote inside an unquoted field);
 * translate it with _(). */
const char *motcua_csv_split (const char *line, GPtrArray *fields);

G_END_DECLS
