/* motcua-dossier-private.h — internals shared by motcua-dossier.c (the
 * object, the prefill rule, derived fields) and motcua-dossier-file.c (the
 * dossier file) */
#pragma once

#include "motcua-dossier.h"

G_BEGIN_DECLS

typedef struct {
  MotcuaSourceKind kind;
  char *ref;
} MotcuaSource;

struct _MotcuaDossier {
  GObject parent_instance;
  MotcuaProcedure procedure;
  JsonNode *payload;          /* an object */
  GHashTable *sources;        /* JSON Pointer → MotcuaSource* */
  GPtrArray *conflicts;       /* MotcuaConflict* */
};

/* An empty dossier of @procedure (no parts, no sources). */
MotcuaDossier *motcua_dossier_new_empty (MotcuaProcedure procedure);
void motcua_dossier_put_source (MotcuaDossier *self, const char *pointer,
                                MotcuaSourceKind kind, const char *ref);
/* Replaces @pointer's value (transfer full) keeping its source: for
 * normalisation.  FALSE when the pointer cannot be set. */
gboolean motcua_dossier_replace (MotcuaDossier *self, const char *pointer, JsonNode *value);
/* A copy of @node with every string (values and member names) in NFC. */
JsonNode *motcua_dossier_nfc_copy (JsonNode *node);

G_END_DECLS
