/* motcua-validate.h — whole-dossier validation and normalisation
 *
 * Runs the rules of docs/protocol-dossiers.md (required fields per part,
 * formats, code lists, consistency) plus the client's warnings (ID-number
 * structure, a card's data disagreeing with the dossier, conflicts left
 * unsettled).  Every problem has a JSON Pointer, a machine code and a
 * Vietnamese message (motcua-fields.h).  A dossier with no ERROR is what
 * the reference service accepts. */
#pragma once

#include "motcua-dossier.h"
#include "motcua-fields.h"
#include "motcua-units.h"

G_BEGIN_DECLS

/* Normalises in place what has one right form (NFC, trimmed blanks, dates
 * to dd.MM.yyyy, times to HH:mm, phone numbers to 0xxxxxxxxx, upper-case
 * ID letters) without changing what a document says, then validates.
 * Returns a new array of MotcuaProblem, errors first; never NULL. */
GPtrArray *motcua_validate_dossier (MotcuaDossier *dossier, const MotcuaUnits *units);

/* TRUE when @problems holds at least one ERROR. */
gboolean   motcua_validate_has_errors (GPtrArray *problems);

G_END_DECLS
