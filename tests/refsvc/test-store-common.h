/* test-store-common.h — fixtures shared by test-store.c and test-backoffice.c
 *
 * A real SQLite file in a fresh temporary directory, and submissions made
 * by hand (the dossier validator and the CMS check are other modules). */
#ifndef TEST_STORE_COMMON_H
#define TEST_STORE_COMMON_H

#include "refsvc.h"

/* 2026-11-23T10:00:00Z (17:00 in Vietnam) */
#define T0 ((gint64) 1795428000)

typedef struct {
  char         *dir;
  char         *path;
  refsvc_store *st;
} store_fixture;

/* setup/teardown for cmocka (*state = store_fixture *). */
int  store_fixture_setup (void **state);
int  store_fixture_teardown (void **state);
/* Closes and opens the same file again. */
void store_fixture_reopen (store_fixture *f);

typedef struct {
  refsvc_submission sub;
  refsvc_signer     signer;
  char             *tx;
  char             *unit;
  char             *device;
  guint8            sha[32];   /* of a made-up request body */
  GBytes           *payload;
  GBytes           *signature;
  JsonNode         *root;
} test_sub;

/* payload_json NULL: a small valid-looking payload of the procedure.
 * variant changes the request bytes (and so its SHA-256), not the payload. */
test_sub *test_sub_new (refsvc_procedure p, const char *tx, const char *unit,
                        const char *payload_json, int variant);
void      test_sub_free (test_sub *t);

/* A random lowercase RFC 4122 UUID (caller frees). */
char *test_uuid (void);

refsvc_backoffice_config test_bo_defaults (void);

/* Parses JSON text; fails the test when it is not JSON. */
JsonNode   *test_parse (const char *text);
/* Member of a status document's (or submit answer's) systems[] entry. */
JsonObject *test_system (JsonNode *doc, const char *system);
const char *test_system_status (JsonNode *doc, const char *system);
/* Submits t; asserts CREATED; returns the dossier id (caller frees). */
char       *test_submit (refsvc_store *st, test_sub *t, const refsvc_backoffice_config *bo,
                         gint64 now);
/* Current status of one system of a dossier, as a string code (static). */
const char *test_status_of (refsvc_store *st, const char *dossier_id, const char *system);

/* A parsed hospital document made by hand (fields: MA_GCS/MA_GBT and
 * HO_TEN_CON; facility 01001).  The caller unrefs .fields. */
refsvc_xmldoc test_make_doc (refsvc_doc_kind kind, const char *code, gboolean first_issue);

#endif
