/* sm.h — ICAO 9303-11 §9.8 secure messaging (3DES and AES)
 *
 * Both directions are here: the terminal side (wrap command, unwrap
 * response) used by the library, and the chip side (unwrap command, wrap
 * response) used by the card simulator in tests/.  Key derivation per
 * ICAO 9303-11 §9.7.1 lives here too, shared by BAC, PACE and CA. */
#ifndef MC_SM_H
#define MC_SM_H

#include "motcua-card.h"

typedef enum {
  MC_SM_3DES = 1,  /* 2-key 3DES-CBC, ISO 9797-1 MAC alg. 3 (retail MAC) */
  MC_SM_AES,       /* AES-CBC, AES-CMAC truncated to 8 bytes */
} mc_sm_cipher;

typedef struct {
  int          active;
  mc_sm_cipher cipher;
  size_t       key_len;   /* 16 for 3DES; 16, 24 or 32 for AES */
  uint8_t      k_enc[32];
  uint8_t      k_mac[32];
  uint8_t      ssc[16];   /* 8 bytes used for 3DES, 16 for AES */
} mc_sm;

/* Key derivation function (ICAO 9303-11 §9.7.1): counter 1 = K_Enc,
 * 2 = K_MAC, 3 = K_pi.  SHA-1 for 3DES and AES-128, SHA-256 above; 3DES
 * keys get odd parity. */
#define MC_KDF_ENC 1
#define MC_KDF_MAC 2
#define MC_KDF_PI  3
mc_status mc_kdf (const uint8_t *secret, size_t secret_len, uint32_t counter,
                  mc_sm_cipher cipher, size_t key_len, uint8_t *out);

/* Starts a session.  ssc NULL means all zero (PACE, CA); BAC passes its
 * 8-byte SSC (a shorter ssc is right-aligned in the block). */
mc_status mc_sm_start (mc_sm *sm, mc_sm_cipher cipher, const uint8_t *k_enc,
                       const uint8_t *k_mac, size_t key_len,
                       const uint8_t *ssc, size_t ssc_len);
void      mc_sm_clear (mc_sm *sm);

/* Terminal side.  cmd is an unprotected command APDU as bytes (CLA INS P1
 * P2 [Lc data] [Le]); out receives the protected APDU. */
mc_status mc_sm_wrap_command (mc_sm *sm, const uint8_t *cmd, size_t cmd_len,
                              uint8_t *out, size_t cap, size_t *out_len);
/* resp is the protected response including SW; out receives the plain
 * data, *sw the plain status word (from DO'99').  Checks the MAC. */
mc_status mc_sm_unwrap_response (mc_sm *sm, const uint8_t *resp, size_t resp_len,
                                 uint8_t *out, size_t cap, size_t *out_len, uint16_t *sw);

/* Chip side (simulator).  out receives the unprotected command APDU. */
mc_status mc_sm_unwrap_command (mc_sm *sm, const uint8_t *cmd, size_t cmd_len,
                                uint8_t *out, size_t cap, size_t *out_len);
mc_status mc_sm_wrap_response (mc_sm *sm, const uint8_t *data, size_t data_len, uint16_t sw,
                               uint8_t *out, size_t cap, size_t *out_len);

/* Low-level pieces, exposed for tests and for BAC.  mc_sm_mac pads msg
 * itself (ISO 9797-1 method 2) before the retail MAC / CMAC, as every ICAO
 * SM and BAC MAC does; mc_iso_pad returns the padded length, 0 when cap
 * is too small. */
mc_status mc_sm_mac (mc_sm_cipher cipher, const uint8_t *key, size_t key_len,
                     const uint8_t *msg, size_t msg_len, uint8_t mac[8]);
size_t    mc_iso_pad (uint8_t *buf, size_t len, size_t cap, size_t block);

#endif
