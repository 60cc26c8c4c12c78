/* ca.h — Chip Authentication version 1, terminal side (ICAO 9303-11 §6.2)
 *
 * Ephemeral-static ECDH (or DH) with the chip's static key from DG14.  On
 * success secure messaging restarts with keys derived from the shared
 * secret (SSC = 0); the chip proves its key by answering under them. */
#ifndef MC_CA_H
#define MC_CA_H

#include "apdu.h"
#include "secinfo.h"

/* dg14 is the whole file (tag 6E).  MC_OK: the chip answered under the new
 * keys; MC_ERR_SM or MC_ERR_CRYPTO: authentication failed;
 * MC_ERR_NOT_SUPPORTED: DG14 offers no CA. */
mc_status mc_ca_run (mc_channel *ch, const uint8_t *dg14, size_t dg14_len);

#endif
