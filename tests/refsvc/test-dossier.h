/* test-dossier.h — shared by the dossier unit tests (test-dossier*.c) */
#ifndef TEST_DOSSIER_H
#define TEST_DOSSIER_H

#include "refsvc-dossier-private.h"

char         *source_path (const char *rel);
void          load_codes (void);                       /* data/codes, once */
JsonNode     *sample (const char *name);               /* samples/<name> */
GBytes       *to_bytes (JsonNode *root);
/* Sets (value = JSON text) or removes (value NULL) the member at path. */
void          set_at (JsonNode *root, const char *path, const char *value);
refsvc_error *validate_node (refsvc_procedure proc, JsonNode *root);
void          dump (const refsvc_error *e);
gboolean      has_field (const refsvc_error *e, const char *path, const char *code);
void          expect_field (const refsvc_error *e, const char *path, const char *code);

/* One change to a sample, then the one expected field error. */
typedef struct {
  const char *path;
  const char *value;      /* JSON text, NULL = remove */
  const char *err_path;   /* NULL = same as path */
  const char *code;       /* NULL = the result must be valid */
} mutation;

void run_mutations (refsvc_procedure proc, const char *file, const mutation *m, gsize n);

/* test-dossier-syntax.c */
void bad_payload_bytes (void **state);
void legal_json_syntax (void **state);
void error_list_capped (void **state);
void envelope_valid (void **state);
void envelope_errors (void **state);
void envelope_limits (void **state);
void envelope_malformed (void **state);
void concurrent_validation (void **state);

#endif
