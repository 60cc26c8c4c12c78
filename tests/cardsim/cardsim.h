/* cardsim.h — the virtual CCCD's card logic (no sockets)
 *
 * A card built from a profile file: it answers command APDUs like the
 * Vietnamese chip ID card (ICAO 9303 eMRTD, TD1, DG13).  The vpcd main
 * (cardsim-main.c) and the unit and integration tests drive it in-process. */
#ifndef CARDSIM_H
#define CARDSIM_H

#include <stddef.h>
#include <stdint.h>
#include "sm.h"

typedef struct {
  int corrupt_mac;  /* flip a MAC byte in SM responses */
  int tamper_dg;    /* change a byte of DG n after the SOD was signed (0: no) */
  int rogue_csca;   /* sign the SOD with ds-rogue (chain to an untrusted CSCA) */
  int expired_ds;   /* sign the SOD with ds-expired */
  int no_extended;  /* no extended length: Le > 223 or extended APDU → 6700 */
  int bac_only;     /* no EF.CardAccess (6A82), PACE refused */
} cardsim_faults;

typedef struct cardsim cardsim;

/* Builds the card from profile_path; certificates and chip keys come from
 * pki_dir.  On failure returns -1 and *error (malloc'd) says why. */
int    cardsim_new (const char *profile_path, const char *pki_dir,
                    const cardsim_faults *faults, cardsim **out, char **error);
void   cardsim_free (cardsim *c);

/* The ATR (ISO 14443 style, PC/SC part 3) */
size_t cardsim_atr (const cardsim *c, uint8_t *atr, size_t cap);
/* Power off, power on or reset: drops SM and the selection. */
void   cardsim_reset (cardsim *c);
/* Processes one command APDU; returns the response length (data + SW,
 * always >= 2 when cap >= 2). */
size_t cardsim_process (cardsim *c, const uint8_t *cmd, size_t cmd_len,
                        uint8_t *resp, size_t cap);

/* For tests. */
const mc_sm *cardsim_sm (const cardsim *c);
const char  *cardsim_can (const cardsim *c);
/* File bytes as served (EF.COM 0x1E, EF.SOD 0x1D, EF.CardAccess 0x1C,
 * DGn = n).  0 on success. */
int cardsim_file (const cardsim *c, int number, const uint8_t **data, size_t *len);
/* The access data the card accepts, for tests ("YYMMDD"). */
void cardsim_mrz_keys (const cardsim *c, char doc[10], char dob[7], char doe[7]);

#endif
