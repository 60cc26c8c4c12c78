/* atr.h — what the ATR says about the card (ISO/IEC 7816-3 §8, 7816-4 §8.1.1) */
#ifndef MC_ATR_H
#define MC_ATR_H

#include "motcua-card.h"

typedef struct {
  const uint8_t *historical;  /* points into the ATR */
  size_t n_historical;
  int extended_length;        /* card capabilities: extended Lc and Le */
} mc_atr_info;

/* Parses an ATR.  A contactless reader builds the ATR from the ATS per
 * PC/SC part 3 §3.1.3.2.3, so the historical bytes carry the same card
 * capabilities.  MC_ERR_MALFORMED when the ATR is inconsistent. */
mc_status mc_atr_parse (const uint8_t *atr, size_t len, mc_atr_info *out);

#endif
