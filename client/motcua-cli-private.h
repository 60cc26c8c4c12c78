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
  MOTCUA_EXIT_INVALID = 10,      /* the dossier has validation errors */
  MOTCUA_EXIT_PIN = 11,          /* wrong PIN (tries remain) or PIN entry cancelled */
  MOTCUA_EXIT_PIN_LOCKED = 12,   /* PIN locked */
  MOTCUA_EXIT_TOKEN = 13,        /* no token, no key, signing failed */
  MOTCUA_EXIT_QUEUE = 14,        /* the queue cannot be opened or written */
  MOTCUA_EXIT_NOT_FOUND = 15,    /* no such dossier / item / document */
  MOTCUA_EXIT_STATE = 16,        /* not allowed in the item's state */
  MOTCUA_EXIT_NETWORK = 17,      /* the service could not be reached (work is kept) */
  MOTCUA_EXIT_REFUSED = 18,      /* the service refused the request */
  MOTCUA_EXIT_CONFIG = 19,       /* configuration missing or wrong */
  MOTCUA_EXIT_DATA = 20,         /* a file or document is malformed or not authentic */
};

/* The exit code for a MOTCUA_ERROR (MOTCUA_EXIT_DATA for other domains). */
int      motcua_cli_exit_for_error (const GError *error);
/* Prints "motcua-cli: <code>: <message>" to stderr, or with @json an object
 * {"error":{"code":…,"message":…}} to stdout. */
void     motcua_cli_print_error (const GError *error, gboolean json);
/* The PIN for a token: $MOTCUA_PIN (@env_name) when set, else asked on the
 * terminal without echo; NULL when none could be had.  Free with
 * motcua_cli_pin_free(), which wipes it. */
char    *motcua_cli_read_pin (const char *env_name, const char *prompt);
void     motcua_cli_pin_free (char *pin);
/* Validation problems (MotcuaProblem) as a JSON array: path, code,
 * severity, message.  @problems may be NULL. */
JsonNode *motcua_cli_problems_json (GPtrArray *problems);

/* Like motcua_cli_parse() but wants exactly @n_args positional arguments
 * (named @args_name in the usage line), left in (*argv)[1..n]. */
gboolean motcua_cli_parse_args (int *argc, char ***argv, const char *name, const char *summary,
                                const char *args_name, const GOptionEntry *entries,
                                int n_args, int *rc);
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

/* A card on the reader, authenticated with @can, identity read, verified
 * (motcua-cli-card-session.c). */
typedef struct {
  mc_context     *ctx;
  mc_card        *card;
  mc_identity    *identity;
  mc_trust_store *trust;
  mc_verdict      verdict;
} MotcuaCliCardSession;
mc_status motcua_cli_card_read_session (const char *reader, const char *can, char **trust_paths,
                                        MotcuaCliCardSession **out);
void      motcua_cli_card_session_free (MotcuaCliCardSession *s);
/* The card-presence proof over @payload from the card on the reader. */
JsonNode *motcua_cli_card_presence (const char *reader, const char *can, char **trust_paths,
                                    GBytes *payload, GError **error);

int      motcua_cli_card (int argc, char **argv);
int      motcua_cli_submit (int argc, char **argv);
int      motcua_cli_dossier (int argc, char **argv);
int      motcua_cli_hospital (int argc, char **argv);
int      motcua_cli_queue (int argc, char **argv);
int      motcua_cli_report (int argc, char **argv);
int      motcua_cli_sync (int argc, char **argv);
int      motcua_cli_status (int argc, char **argv);

G_END_DECLS
