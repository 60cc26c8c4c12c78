/* mrz.h — TD1 machine-readable zone (ICAO 9303-3 §4.9, 9303-5 §4.2) */
#ifndef MC_MRZ_H
#define MC_MRZ_H

#include "motcua-card.h"

/* Check digit over len characters (7-3-1 weights); -1 on a character
 * outside 0-9 A-Z <. */
int       mc_mrz_check_digit (const char *s, size_t len);
/* Parses three 30-character TD1 lines (no line breaks).  Fills out even
 * when a check digit fails, with out->check_digits_ok = 0. */
mc_status mc_mrz_parse_td1 (const char *l1, const char *l2, const char *l3, mc_mrz *out);
/* MRZ_information for BAC and PACE-MRZ (ICAO 9303-11 §9.7.2): document
 * number, date of birth and date of expiry, each with its check digit. */
mc_status mc_mrz_key_info (const mc_access *a, char out[25]);

#endif
