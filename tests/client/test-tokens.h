/* test-tokens.h — SoftHSM2 test tokens for the client tests
 * (tests/client/make-tokens.sh run in a fresh temporary directory). */
#pragma once

#include <glib.h>

typedef struct {
  char *dir;             /* temporary state directory (removed by _free) */
  char *module;          /* MOTCUA_TOKEN_MODULE: the SoftHSM2 module */
  char *pin;             /* MOTCUA_TOKEN_PIN */
  GHashTable *vars;      /* every exported VAR → value */
} TestTokens;

/* Runs make-tokens.sh into a new temporary directory, sets SOFTHSM2_CONF
 * for this process and returns the variables; NULL (with a message on
 * stderr) when it fails. */
TestTokens *test_tokens_new (void);
const char *test_tokens_get (TestTokens *t, const char *var);
void        test_tokens_free (TestTokens *t);
/* $MOTCUA_SOURCE_ROOT/certs/test/service/NAME (newly allocated). */
char       *test_pki_path (const char *name);
