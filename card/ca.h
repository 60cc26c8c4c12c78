/* ca.h — Chip Authentication version 1, terminal side (ICAO 9303-11 §6.2)
 *
 * Ephemeral-static ECDH (or DH) with the chip's static key from DG14.  On
 * success secure messaging restarts with keys derived from the shared
 * secret (SSC = 0); the chip proves its key by answering under them. */
#ifndef MC_CA_H
#define MC_CA_H

#include <openssl/evp.h>

#include "apdu.h"
#include "secinfo.h"

/* dg14 is the whole file (tag 6E).  MC_OK: the chip answered under the new
 * keys; MC_ERR_SM or MC_ERR_CRYPTO: authentication failed;
 * MC_ERR_NOT_SUPPORTED: DG14 offers no CA. */
mc_status mc_ca_run (mc_channel *ch, const uint8_t *dg14, size_t dg14_len);

/* What mc_ca_run takes from DG14, exposed for tests and fuzzing. */
typedef struct {
  int          protocol_nid; /* NID_id_CA_(EC)DH_{3DES_CBC_CBC,AES_CBC_CMAC_*} */
  mc_sm_cipher cipher;
  size_t       key_len;      /* session key length: 16, 24 or 32 */
  long         key_id;       /* sent as DO'84' when >= 0 */
  EVP_PKEY    *chip_key;     /* the chip's static public key */
} mc_ca_params;

/* Validates DG14 (whole file, tag 6E) and picks the CA protocol and key.
 * MC_ERR_MALFORMED, MC_ERR_NOT_SUPPORTED (no CA), or MC_OK; on MC_OK free
 * with mc_ca_params_clear. */
mc_status mc_ca_parse (const uint8_t *dg14, size_t dg14_len, mc_ca_params *out);
void      mc_ca_params_clear (mc_ca_params *p);

#endif
