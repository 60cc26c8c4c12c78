/* card-session.h — the card session, shared by card.c and card-verify.c */
#ifndef MC_CARD_SESSION_H
#define MC_CARD_SESSION_H

#include <time.h>

#include "apdu.h"
#include "card-file.h"
#include "pa.h"
#include "reader.h"

#define MC_SLOT_COUNT 32   /* file numbers 1..16, 0x1C..0x1E fit below 32 */

struct mc_card {
  mc_context      *ctx;
  mc_pcsc_card    *pcsc;
  mc_channel       ch;
  mc_chunking      chunking;
  mc_access        access;        /* kept to re-open the session; wiped */
  int              have_access;
  mc_access_method method;

  struct {
    uint8_t *data;
    size_t   len;
  } files[MC_SLOT_COUNT];

  int          verified;
  int          have_sod;
  mc_sod       sod;
  mc_verdict   verdict;

  struct timespec t0;
  double ms_text, ms_total;
};

double    mc_ms_since (const struct timespec *t0);
/* Ends a public operation: consumes a cancel that stopped it, reads the clock. */
mc_status mc_card_finish (mc_card *card, mc_status st);
/* Reads a whole LDS file into card->files[number] (once per session). */
mc_status mc_card_read_file (mc_card *card, int number);
/* Opens (or re-opens) secure messaging with the stored access data. */
mc_status mc_card_open_session (mc_card *card);

#endif
