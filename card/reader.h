/* reader.h — internal: PC/SC context, cancellation and card connection
 *
 * The public half (mc_context_*) is declared in motcua-card.h; this header
 * gives card.c the cancellation flag and the PC/SC card connection.
 *
 * Cancellation semantics.  mc_context_cancel() sets a sticky flag and calls
 * SCardCancel().  The flag stays set until a blocking call on the context
 * observes it and returns MC_ERR_CANCELLED; that call clears it (with
 * mc_context_cancel_take).  So a cancel issued while a job is between two
 * operations cancels the next one instead of being lost.  Code that starts
 * a new job on the user's explicit request (not in response to a cancel) may
 * drop a stale cancel with mc_context_cancel_reset().
 */
#ifndef MC_READER_H
#define MC_READER_H

#include "motcua-card.h"

/* ---------------------------------------------------------------- cancel */

/* Non-zero once mc_context_cancel() was called; give it to
 * mc_channel.cancel so the channel stops before the next APDU. */
const volatile int *mc_context_cancel_flag (mc_context *ctx);
/* Returns 1 and clears the flag when a cancel was pending, else 0.  Call
 * it when returning MC_ERR_CANCELLED. */
int  mc_context_cancel_take (mc_context *ctx);
void mc_context_cancel_reset (mc_context *ctx);

/* Maps a PC/SC return code (LONG) to an mc_status. */
mc_status mc_pcsc_status (long rv);

/* ---------------------------------------------------------------- card */

typedef struct mc_pcsc_card mc_pcsc_card;

/* Connects to the card in reader (NULL: the first reader with a card that
 * is not in use, else the first with a card), protocol T=0 or T=1.
 *
 * The share mode is SCARD_SHARE_EXCLUSIVE, with no fallback to SHARED: a
 * secure-messaging session (send sequence counter, selected application)
 * must not see APDUs from other applications, and middleware that probes
 * every inserted card (a browser's PKCS#11 module, OpenSC) would break it
 * with confusing MAC errors.  Such probes are short, so a sharing violation
 * is retried for about 2 s (cancellable) before MC_ERR_READER. */
mc_status mc_pcsc_connect (mc_context *ctx, const char *reader, mc_pcsc_card **out);
/* mc_transmit_fn (apdu.h): user is the mc_pcsc_card.  A card that left,
 * was reset by someone else or whose reader went away gives
 * MC_ERR_CARD_REMOVED; a lost pcscd gives MC_ERR_NO_SERVICE. */
mc_status mc_pcsc_transmit (void *pcsc_card, const uint8_t *cmd, size_t len,
                            uint8_t *resp, size_t *resp_len);
/* Resets the card (SCardReconnect with SCARD_RESET_CARD): ends any
 * secure-messaging session.  The ATR is refreshed. */
mc_status mc_pcsc_reset (mc_pcsc_card *c);
const uint8_t *mc_pcsc_atr (mc_pcsc_card *c, size_t *len);
const char *mc_pcsc_reader_name (mc_pcsc_card *c);
/* The reader's maximum APDU data size from PC/SC v2 part 10
 * FEATURE_GET_TLV_PROPERTIES (dwMaxAPDUDataSize), 0 when it does not tell. */
int  mc_pcsc_reader_max_apdu (mc_pcsc_card *c);
/* reset: SCARD_RESET_CARD, else SCARD_LEAVE_CARD.  NULL is allowed. */
void mc_pcsc_disconnect (mc_pcsc_card *c, int reset);

#endif
