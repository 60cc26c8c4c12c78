/* pa.h — Passive Authentication (ICAO 9303-11 §5.1, 9303-10 §4.6.2)
 *
 * EF.SOD is a CMS SignedData whose content is an LDSSecurityObject (hash
 * of each DG).  PA checks the signature with the Document Signer
 * certificate, the chain from it to a CSCA in the trust store (and CRLs),
 * then each read DG's hash against the SOD. */
#ifndef MC_PA_H
#define MC_PA_H

#include <openssl/x509.h>

#include "motcua-card.h"

typedef struct {
  int     number;
  uint8_t hash[64];
  size_t  hash_len;
} mc_sod_hash;

typedef struct {
  int         hash_nid;         /* LDSSecurityObject hashAlgorithm */
  mc_sod_hash hashes[16];
  size_t      n_hashes;
  char        signer_subject[256];
  mc_check    signature;        /* CMS signature and certificate chain */
} mc_sod;

/* Parses EF.SOD (tag 77) and verifies it against ts at time now.  Returns
 * MC_OK when the SOD parsed (whatever the signature verdict, which is in
 * out->signature: PASSED, FAILED for a bad signature / revoked / expired
 * signer / bad chain, UNVERIFIED when no CSCA in ts issued the signer);
 * MC_ERR_MALFORMED when it does not parse. */
mc_status mc_sod_verify (const uint8_t *sod, size_t len, const mc_trust_store *ts,
                         time_t now, mc_sod *out);
/* Compares a DG's bytes with its hash in the SOD: MC_CHECK_PASSED,
 * MC_CHECK_FAILED (mismatch, or a DG the SOD does not list). */
mc_check_result mc_sod_check_dg (const mc_sod *sod, int number,
                                 const uint8_t *data, size_t len);

/* Internal, from trust-store.c: the store's X509_STORE (owned by ts) and
 * whether ts holds a CRL issued by the given name. */
X509_STORE *mc_trust_store_get_x509_store (const mc_trust_store *ts);
int         mc_trust_store_has_crl_for (const mc_trust_store *ts, const X509_NAME *issuer);

#endif
