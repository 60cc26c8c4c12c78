/* secinfo.h — SecurityInfos of EF.CardAccess and DG14 (ICAO 9303-11 §9.2)
 *
 * libeac crashes on some malformed SecurityInfos, so the structure is
 * validated here (OpenSSL ASN.1 templates) before any of it reaches
 * OpenPACE.  Unknown SecurityInfo entries are skipped. */
#ifndef MC_SECINFO_H
#define MC_SECINFO_H

#include "motcua-card.h"

typedef struct {
  int has_pace;
  int pace_nid;          /* OpenPACE NID of the PACEInfo protocol */
  int pace_version;
  int pace_param_id;     /* standardized domain parameter id, -1 if none */

  int has_ca;            /* ChipAuthenticationInfo */
  int ca_nid;            /* e.g. NID_id_CA_ECDH_AES_CBC_CMAC_128 */
  int ca_version;
  long ca_key_id;        /* -1 when absent */
  int has_ca_pubkey;     /* ChipAuthenticationPublicKeyInfo */
  long ca_pubkey_key_id; /* -1 when absent */

  int has_aa;            /* ActiveAuthenticationInfo */
  int aa_sig_nid;        /* OpenSSL NID of the ECDSA signature algorithm, e.g. NID_ecdsa_with_SHA256 */
} mc_secinfos;

/* Parses a DER SET OF SecurityInfo (EF.CardAccess is exactly that; DG14
 * is that inside tag 6E: pass the inner bytes). */
mc_status mc_secinfos_parse (const uint8_t *der, size_t len, mc_secinfos *out);

#endif
