/* apdu.h — command APDUs and the channel that carries them
 *
 * A channel sends APDUs through a transport (PC/SC in production, a plain
 * function in unit tests), wraps them in secure messaging once a session
 * is established, counts traffic and honours cancellation. */
#ifndef MC_APDU_H
#define MC_APDU_H

#include "motcua-card.h"
#include "sm.h"

#define MC_APDU_MAX 65544   /* extended header + 65535 data + 3 byte Le */
#define MC_RAPDU_MAX 65538  /* 65536 data + SW */

typedef struct {
  uint8_t cla, ins, p1, p2;
  const uint8_t *data;
  size_t lc;        /* 0: no command data */
  size_t le;        /* 0: no Le; 256 (short) or 65536 (extended) = maximum */
  int extended;     /* force extended length encoding */
} mc_apdu;

/* ISO 7816-4 §5.1 encoding (cases 1-4, short or extended).  Extended is
 * used when a->extended, lc > 255 or le > 256. */
mc_status mc_apdu_encode (const mc_apdu *a, uint8_t *out, size_t cap, size_t *out_len);
/* Parses an encoded command APDU (any case, short or extended).  a->data
 * points into buf; Le 00 / 0000 decode as 256 / 65536.  MC_ERR_MALFORMED
 * when the bytes are no valid APDU. */
mc_status mc_apdu_decode (const uint8_t *buf, size_t len, mc_apdu *a);

/* Raw transport: sends cmd, writes the response including SW1 SW2. */
typedef mc_status (*mc_transmit_fn) (void *user, const uint8_t *cmd, size_t cmd_len,
                                     uint8_t *resp, size_t *resp_len /* in: cap */);

typedef struct {
  mc_transmit_fn transmit;
  void          *user;
  mc_sm          sm;          /* active when sm.active */
  const volatile int *cancel; /* optional: non-zero aborts before the next APDU */
  unsigned       apdus;
  unsigned long  bytes_in, bytes_out;
} mc_channel;

void mc_channel_init (mc_channel *ch, mc_transmit_fn fn, void *user);
/* Sends cmd (through SM when active) and returns the plain response data
 * and status word.  resp may be NULL when no data is expected.  Returns
 * MC_OK whenever the card gave a status word (map *sw with
 * mc_sw_to_status); under SM a bare unprotected SW such as 6982 or 6A82 is
 * returned that way too.  A failed SM check (or a bare 6987/6988) returns
 * MC_ERR_SM and ends the SM session.  More data than resp_cap holds:
 * MC_ERR_MALFORMED.  Handles 61xx (GET RESPONSE) and 6Cxx for plain APDUs. */
mc_status mc_channel_transceive (mc_channel *ch, const mc_apdu *cmd,
                                 uint8_t *resp, size_t resp_cap, size_t *resp_len,
                                 uint16_t *sw);
/* Maps a status word to an mc_status (9000 → MC_OK, 6982, 6A82, ...). */
mc_status mc_sw_to_status (uint16_t sw);

#endif
