/* motcua-cli-private.h — shared pieces of the motcua-cli commands */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

#include "motcua-card.h"

G_BEGIN_DECLS

/* Exit codes, documented in `motcua-cli --help` and docs/cli.md. */
enum {
  MOTCUA_EXIT_OK = 0,            /* done; for card read: the card is genuine */
  MOTCUA_EXIT_USAGE = 2,         /* bad command line */
  MOTCUA_EXIT_UNVERIFIED = 3,    /* card read, authenticity not verifiable */
  MOTCUA_EXIT_FAILED = 4,        /* card read, authenticity check FAILED */
  MOTCUA_EXIT_ACCESS_DENIED = 5, /* wrong or missing access data (CAN, MRZ) */
  MOTCUA_EXIT_NO_CARD = 6,       /* no reader or no card */
  MOTCUA_EXIT_CARD_ERROR = 7,    /* card removed, malformed data, reader error */
  MOTCUA_EXIT_NO_SERVICE = 8,    /* pcscd not reachable */
  MOTCUA_EXIT_CANCELLED = 9,     /* interrupted (Ctrl-C) */
};

gboolean motcua_cli_parse (int *argc, char ***argv, const char *name, const char *summary,
                           const GOptionEntry *entries, int *rc);
char    *motcua_cli_hex (const uint8_t *data, size_t len);
/* Prints and frees node. */
void     motcua_cli_print_json (JsonNode *node);
/* Loads the given trust-store paths, or the default locations when none
 * (see docs/cli.md).  *out is NULL when nothing was found. */
mc_status motcua_cli_load_trust (char **paths, mc_trust_store **out);
int      motcua_cli_exit_for_status (mc_status st);
int      motcua_cli_card_error (mc_status st, const char *what);

int      motcua_cli_card (int argc, char **argv);

G_END_DECLS
