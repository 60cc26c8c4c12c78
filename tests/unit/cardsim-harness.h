/* cardsim-harness.h — the card simulator in-process, for unit tests
 *
 * The simulator's card logic (tests/cardsim, no sockets) driven straight
 * through an mc_transmit_fn, so protocol code can be tested against the
 * chip side without pcscd. */
#ifndef CARDSIM_HARNESS_H
#define CARDSIM_HARNESS_H

#include "apdu.h"
#include "cardsim.h"

/* The repository root ($MOTCUA_SOURCE_ROOT, else the configured one). */
const char *harness_source_root (void);
/* A card personalised from tests/cardsim/profiles/PROFILE with the test
 * PKI; fails the running cmocka test when it cannot be made. */
cardsim  *harness_make_card (const char *profile, const cardsim_faults *f);
/* mc_transmit_fn into the card passed as user. */
mc_status harness_card_transmit (void *user, const uint8_t *cmd, size_t cmd_len,
                                 uint8_t *resp, size_t *resp_len);

#endif
