/* chip-auth.h — chip side of Active and Chip Authentication, and the
 * DG14/DG15 builders, for the card simulator and the unit tests.
 * Not part of libmotcua-card: a real card does this inside its chip. */
#ifndef CARDSIM_CHIP_AUTH_H
#define CARDSIM_CHIP_AUTH_H

#include <openssl/evp.h>
#include "sm.h"

/* ICAO 9303-11 §6.1: RSA keys sign with ISO/IEC 9796-2 scheme 1 (SHA-1,
 * trailer 0xBC, unless hash_nid is SHA-256/384/512: trailer 0x34CC ...);
 * EC keys sign SHA-hash(challenge) as plain r||s (BSI TR-03111).
 * hash_nid: NID_sha1, NID_sha256, ...  Returns 0 on success. */
int chip_aa_sign (EVP_PKEY *key, int hash_nid, const uint8_t *challenge, size_t len,
                  uint8_t *sig, size_t cap, size_t *sig_len);

/* ICAO 9303-11 §6.2 (CA version 1): the chip's half of the key agreement.
 * term_pub is the terminal's ephemeral public key as sent in the APDU
 * (uncompressed EC point, or DH public value).  Computes the shared
 * secret with chip_key and starts sm with the derived keys (SSC 0).
 * Returns 0 on success. */
int chip_ca_derive (EVP_PKEY *chip_key, const uint8_t *term_pub, size_t term_pub_len,
                    mc_sm_cipher cipher, size_t key_len, mc_sm *sm);

/* DG15 (tag 6F): SubjectPublicKeyInfo of the AA key.  *out is malloc'd. */
int chip_build_dg15 (EVP_PKEY *aa_key, uint8_t **out, size_t *out_len);

/* DG14 (tag 6E): SET OF SecurityInfo with ChipAuthenticationInfo
 * (ca_nid, version 1, key id 1), ChipAuthenticationPublicKeyInfo
 * (id-PK-ECDH or id-PK-DH with ca_key) and, when aa_key is an EC key,
 * ActiveAuthenticationInfo naming aa_sig_nid (e.g. NID_ecdsa_with_SHA256).
 * ca_key may be NULL (no CA).  *out is malloc'd. */
int chip_build_dg14 (EVP_PKEY *ca_key, int ca_nid, EVP_PKEY *aa_key, int aa_sig_nid,
                     uint8_t **out, size_t *out_len);

#endif
