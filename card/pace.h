/* pace.h — PACE, terminal side, through OpenPACE (ICAO 9303-11 §4.4) */
#ifndef MC_PACE_H
#define MC_PACE_H

#include <openssl/buffer.h>

#include "apdu.h"

/* card_access is EF.CardAccess (a DER SET OF SecurityInfo, already
 * validated with mc_secinfos_parse).  Uses the CAN when a->can is set,
 * else the MRZ information.  On success ch->sm is active. */
mc_status mc_pace_run (mc_channel *ch, const uint8_t *card_access, size_t ca_len,
                       const mc_access *a);

/* Tests only: as mc_pace_run, and hook (when not NULL) is called with the
 * OpenPACE EAC_CTX * once it is set up, before the first APDU, so a test
 * can substitute key generation (ICAO 9303-11 App. G worked example). */
typedef void (*mc_pace_hook) (void *eac_ctx, void *user);
mc_status mc_pace_run_with (mc_channel *ch, const uint8_t *card_access, size_t ca_len,
                            const mc_access *a, mc_pace_hook hook, void *user);

/* A new BUF_MEM holding a copy of d (NULL on allocation failure). */
BUF_MEM *mc_pace_buf (const uint8_t *d, size_t n);

#endif
