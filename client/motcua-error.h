/* motcua-error.h — the client's error domain: one code per failure a user
 * or a script must tell apart, a stable machine name and a Vietnamese message.
 *
 * Every GError set by client/ is in MOTCUA_ERROR.  Its message starts with
 * the Vietnamese text of motcua_error_message() and may add a detail after
 * ": " (never personal data).  The machine names ("pin.incorrect") are what
 * `motcua-cli --json` prints and what docs/cli.md lists. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define MOTCUA_ERROR (motcua_error_quark ())
GQuark motcua_error_quark (void);

typedef enum {
  MOTCUA_ERROR_FAILED = 1,            /* internal error */
  MOTCUA_ERROR_CONFIG,                /* missing or bad configuration */
  MOTCUA_ERROR_IO,                    /* a local file could not be read/written */

  /* dossiers and prefill */
  MOTCUA_ERROR_DOSSIER_FORMAT = 100,  /* a dossier file that does not parse */
  MOTCUA_ERROR_DOSSIER_INVALID,       /* validation found errors */
  MOTCUA_ERROR_CARD_NOT_GENUINE,      /* the card's verdict is FAILED: no prefill */
  MOTCUA_ERROR_DOCUMENT_NOT_FOUND,    /* no birth certificate / death notice by that code */
  MOTCUA_ERROR_DOCUMENT_FORMAT,       /* the document does not parse */
  MOTCUA_ERROR_DOCUMENT_SIGNATURE,    /* its XML-DSig does not verify */
  MOTCUA_ERROR_CODE_LISTS,            /* the code lists (data/codes) did not load */

  /* signing and keys */
  MOTCUA_ERROR_TOKEN_MODULE = 200,    /* the PKCS#11 module does not load */
  MOTCUA_ERROR_TOKEN_ABSENT,          /* no token (or no matching token) */
  MOTCUA_ERROR_KEY_NOT_FOUND,         /* no private key / certificate on it */
  MOTCUA_ERROR_PIN_INCORRECT,         /* wrong PIN, tries remain */
  MOTCUA_ERROR_PIN_LOCKED,            /* PIN locked */
  MOTCUA_ERROR_PIN_CANCELLED,         /* PIN entry cancelled (PIN pad) */
  MOTCUA_ERROR_SIGN_FAILED,           /* the token refused to sign */
  MOTCUA_ERROR_CERTIFICATE,           /* signer certificate expired/unusable */
  MOTCUA_ERROR_CARD_PRESENCE,         /* the card could not prove presence */

  /* the queue */
  MOTCUA_ERROR_QUEUE_OPEN = 300,      /* the queue database does not open */
  MOTCUA_ERROR_QUEUE_IO,              /* SQLite failed (disk full, I/O) */
  MOTCUA_ERROR_QUEUE_KEY,             /* the data key cannot be unwrapped */
  MOTCUA_ERROR_QUEUE_CORRUPT,         /* a record fails authentication */
  MOTCUA_ERROR_NOT_FOUND,             /* no such queue item */
  MOTCUA_ERROR_BAD_STATE,             /* not allowed in the item's state */
  MOTCUA_ERROR_AUDIT_BROKEN,          /* the audit hash chain is broken */
  MOTCUA_ERROR_PURGED,                /* personal data already purged */

  /* the service */
  MOTCUA_ERROR_NETWORK = 400,         /* no connection, timeout, dropped */
  MOTCUA_ERROR_TLS,                   /* TLS failed (server not trusted, cert refused) */
  MOTCUA_ERROR_AUTH,                  /* token refused */
  MOTCUA_ERROR_SERVICE_BUSY,          /* 429/503: retry later */
  MOTCUA_ERROR_SERVICE_ERROR,         /* 5xx */
  MOTCUA_ERROR_SERVICE_REFUSED,       /* 4xx: the service refuses this request */
  MOTCUA_ERROR_SERVICE_PROTOCOL,      /* an answer that breaks the protocol */
} MotcuaErrorCode;

/* "pin.incorrect", …; "failed" for unknown codes. */
const char *motcua_error_code_name (int code);
/* The Vietnamese message (with the English in brackets), never NULL. */
const char *motcua_error_message (int code);
/* Sets @error to @code with motcua_error_message() and, when @detail_fmt
 * is not NULL, ": " and the formatted detail. */
void motcua_error_set (GError **error, MotcuaErrorCode code, const char *detail_fmt, ...)
  G_GNUC_PRINTF (3, 4);

G_END_DECLS
