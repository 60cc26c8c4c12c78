/* bac.h — Basic Access Control, terminal side (ICAO 9303-11 §4.3) */
#ifndef MC_BAC_H
#define MC_BAC_H

#include "apdu.h"

/* K_seed = first 16 bytes of SHA-1(MRZ_information). */
mc_status mc_bac_kseed (const mc_access *a, uint8_t kseed[16]);
/* GET CHALLENGE + EXTERNAL AUTHENTICATE; on success ch->sm is active. */
mc_status mc_bac_authenticate (mc_channel *ch, const uint8_t kseed[16]);
/* Same with fixed RND.IFD and K.IFD (tests against ICAO 9303-11 App. D). */
mc_status mc_bac_authenticate_with (mc_channel *ch, const uint8_t kseed[16],
                                    const uint8_t rnd_ifd[8], const uint8_t k_ifd[16]);

#endif
