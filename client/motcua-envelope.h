/* motcua-envelope.h — the request body of POST /v1/dossiers
 *
 * docs/protocol.md §8.1: {"transactionId","procedure","payload" (base64 of
 * the exact payload bytes),"signature" (base64 DER CMS over those bytes),
 * "cardPresence" (optional)}.  The body is built once, stored encrypted in
 * the queue and resent byte for byte, which is what makes a resend an
 * idempotent replay at the service. */
#pragma once

#include <glib.h>

#include "motcua-card.h"
#include "motcua-dossier.h"

G_BEGIN_DECLS

/* A new lowercase RFC 4122 version-4 UUID. */
char   *motcua_envelope_new_transaction_id (void);

/* The card-presence proof (docs/protocol.md §11): Active Authentication by
 * @card over the first 8 bytes of SHA-256(@payload), with the DG15 and
 * EF.SOD read in the card's session.  Returns the JSON object text members
 * as a new JsonNode, or NULL with MOTCUA_ERROR_CARD_PRESENCE. */
JsonNode *motcua_envelope_card_presence (mc_card *card, GBytes *payload, GError **error);

/* The body; @card_presence may be NULL. */
GBytes *motcua_envelope_build (const char *transaction_id, MotcuaProcedure procedure,
                               GBytes *payload, GBytes *cms, JsonNode *card_presence);

/* Reads back the transaction id (and, when not NULL, the procedure) of a
 * body built above; FALSE when it is not one. */
gboolean motcua_envelope_peek (GBytes *body, char **transaction_id, MotcuaProcedure *procedure);

G_END_DECLS
