/* aa.h — Active Authentication, terminal side (ICAO 9303-11 §6.1) */
#ifndef MC_AA_H
#define MC_AA_H

#include "apdu.h"
#include "secinfo.h"

/* INTERNAL AUTHENTICATE with challenge; returns the raw signature. */
mc_status mc_aa_sign (mc_channel *ch, const uint8_t challenge[8],
                      uint8_t *sig, size_t cap, size_t *sig_len);
/* Verifies sig over challenge with the DG15 public key (tag 6F around a
 * SubjectPublicKeyInfo).  RSA: ISO/IEC 9796-2 scheme 1 with message
 * recovery (trailer BC = SHA-1, or xxCC with a hash identifier).  ECDSA:
 * plain r||s (BSI TR-03111) with the hash named by aa_sig_nid from DG14
 * (ecdsa-with-SHAxxx; 0 when DG14 has no ActiveAuthenticationInfo: then
 * SHA-256/384/512 by key size).  RSA ignores aa_sig_nid.
 * MC_OK when valid, MC_ERR_CRYPTO when the signature is wrong,
 * MC_ERR_MALFORMED when DG15 does not parse. */
mc_status mc_aa_verify (const uint8_t *dg15, size_t dg15_len, int aa_sig_nid,
                        const uint8_t challenge[8], const uint8_t *sig, size_t sig_len);

#endif
