/* cardsim-int.h — internals shared by the simulator's source files */
#ifndef CARDSIM_INT_H
#define CARDSIM_INT_H

#include <glib.h>
#include <openssl/evp.h>
#include <eac/eac.h>
#include <eac/pace.h>
#include "cardsim.h"

/* A personalisation profile: key=value lines, UTF-8.  Missing keys are
 * NULL. */
typedef struct {
  GHashTable *kv;   /* char* → char* */
  int generation;   /* 2021 or 2024 */
} cardsim_profile;

int         cardsim_profile_load (const char *path, cardsim_profile *p, char **error);
void        cardsim_profile_clear (cardsim_profile *p);
const char *cardsim_profile_get (const cardsim_profile *p, const char *key);

#define CARDSIM_N_FILES 32  /* index: DGn = n, 0x1C..0x1E */

typedef struct {
  uint8_t *data;
  size_t   len;
} cardsim_buf;

enum {
  CS_PACE_NONE = 0,
  CS_PACE_SET,     /* MSE:Set AT accepted, expecting GA 1 */
  CS_PACE_NONCE,   /* nonce sent, expecting mapping data */
  CS_PACE_MAPPED,  /* expecting the ephemeral key */
  CS_PACE_KEYED,   /* expecting the terminal's token */
};

struct cardsim {
  cardsim_faults faults;
  cardsim_profile profile;
  char can[7];
  char mrz_info[25];         /* document number, DOB, expiry with check digits */
  char doc[10], dob[7], doe[7];

  cardsim_buf files[CARDSIM_N_FILES];

  EVP_PKEY *aa_key;
  int aa_hash_nid;
  EVP_PKEY *ca_key;

  /* session state */
  int app_selected;
  int selected_file;         /* 0: none */
  int access_granted;        /* BAC or PACE done */
  mc_sm sm;
  uint8_t rnd_ic[8];
  int have_challenge;

  int pace_state;
  int pace_ref;              /* 1 MRZ, 2 CAN */
  EAC_CTX *pace_ctx;
  PACE_SEC *pace_sec;
  BUF_MEM *pace_term_eph;    /* the terminal's ephemeral public key */

  int ca_pending;            /* MSE:Set AT for CA received */
  mc_sm next_sm;             /* keys to switch to after this response */
  int switch_sm;
};

/* Response builder used by the command handlers. */
typedef struct {
  uint8_t *data;
  size_t   len;
  size_t   cap;
  uint16_t sw;
} cardsim_resp;

/* A parsed plain command APDU. */
typedef struct {
  uint8_t cla, ins, p1, p2;
  const uint8_t *data;
  size_t lc;
  size_t le;       /* 0: absent; else expected length (256 / 65536 max) */
  int has_le;
  int extended;
} cardsim_apdu;

int  cardsim_apdu_parse (const uint8_t *cmd, size_t len, cardsim_apdu *out);

/* Personalisation (cardsim-lds.c, cardsim-sod.c). */
int  cardsim_build_files (cardsim *c, const char *pki_dir, char **error);
int  cardsim_build_sod (cardsim *c, const char *pki_dir, char **error);
void cardsim_buf_set (cardsim_buf *b, uint8_t *data, size_t len);
/* Wraps value in an ASN.1 tag (application class when app). */
int  cardsim_wrap (int tag, int app, int constructed, const uint8_t *v, size_t vlen,
                   uint8_t **out, size_t *out_len);

/* Chip side of the access protocols (cardsim-access.c). */
void cardsim_get_challenge (cardsim *c, const cardsim_apdu *a, cardsim_resp *r);
void cardsim_external_auth (cardsim *c, const cardsim_apdu *a, cardsim_resp *r);
void cardsim_mse (cardsim *c, const cardsim_apdu *a, cardsim_resp *r);
void cardsim_general_auth (cardsim *c, const cardsim_apdu *a, cardsim_resp *r);
void cardsim_internal_auth (cardsim *c, const cardsim_apdu *a, cardsim_resp *r);
void cardsim_pace_clear (cardsim *c);

int  cardsim_resp_put (cardsim_resp *r, const uint8_t *d, size_t n);

#endif
