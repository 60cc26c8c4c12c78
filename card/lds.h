/* lds.h — Logical Data Structure parsing (ICAO 9303-10 §4.6, 4.7)
 *
 * File identifiers, short EF identifiers and the parsers for the data
 * groups the Vietnamese card carries.  Every parser takes the whole file
 * as read from the card, including its outer tag. */
#ifndef MC_LDS_H
#define MC_LDS_H

#include "motcua-card.h"

/* Internal file numbers: DGn = n, plus these. */
#define MC_FILE_COM        0x1E
#define MC_FILE_SOD        0x1D
#define MC_FILE_CARDACCESS 0x1C

typedef struct {
  int      number;   /* 1..16, MC_FILE_COM, MC_FILE_SOD, MC_FILE_CARDACCESS */
  uint16_t fid;      /* file identifier, e.g. 0x0101 for DG1 */
  uint8_t  sfi;      /* short EF identifier, e.g. 0x01 */
  uint8_t  tag;      /* outer tag, e.g. 0x61 for DG1 */
} mc_lds_file;

/* NULL when number names no LDS file. */
const mc_lds_file *mc_lds_file_by_number (int number);
const mc_lds_file *mc_lds_file_by_tag (uint8_t tag);

/* EF.COM (tag 60): LDS version and the tags of the DGs present. */
typedef struct {
  char    lds_version[5];     /* "0107" */
  char    unicode_version[7]; /* "040000" */
  uint8_t tags[32];
  size_t  n_tags;
} mc_com;
mc_status mc_com_parse (const uint8_t *buf, size_t len, mc_com *out);

/* DG1 (tag 61, MRZ in 5F1F). */
mc_status mc_dg1_parse (const uint8_t *buf, size_t len, mc_mrz *out);

/* DG2 (tag 75): finds the first facial image in the biometric template
 * (ISO/IEC 19794-5 inside 5F2E or 7F2E) and its format. */
typedef struct {
  mc_face_format format;
  size_t offset;   /* offset of the image bytes in the DG2 buffer */
  size_t len;
} mc_dg2_info;
mc_status mc_dg2_parse (const uint8_t *buf, size_t len, mc_dg2_info *out);

/* DG13 (tag 6D): the Vietnamese holder data.  Fills the DG13 fields of id
 * (dates normalised to ISO 8601 when they parse); unknown fields are kept
 * in id->other_fields.  On error id is left without partial allocations. */
mc_status mc_dg13_parse (const uint8_t *buf, size_t len, mc_identity *id);

/* Normalises a card date ("dd/mm/yyyy", "ddmmyyyy", "yyyymmdd",
 * "yyyy-mm-dd", "dd-mm-yyyy", "dd.mm.yyyy") to "YYYY-MM-DD".  0 on success. */
int mc_lds_normalise_date (const char *in, char out[11]);

/* Frees the strings of an identity, wiping them, and zeroes the struct
 * (the struct itself is not freed). */
void mc_identity_clear (mc_identity *id);

#endif
