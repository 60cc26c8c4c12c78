/* fuzz-pace.c — the PACE terminal (card/pace.c) against a card whose
 * answers are the fuzz input: a sequence of records, each a 2-byte
 * big-endian length and that many response bytes (data + SW).  When the
 * input runs out the card answers 6F00.  EF.CardAccess is the valid one
 * (PACE ECDH-GM AES-128, brainpoolP256r1), as mc_pace_run requires. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <eac/eac.h>

#include "pace.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

typedef struct {
  const uint8_t *p;
  size_t left;
} feed;

static mc_status
fuzz_transmit (void *user, const uint8_t *cmd, size_t cmd_len, uint8_t *resp, size_t *resp_len)
{
  feed *f = user;
  (void) cmd;
  (void) cmd_len;
  size_t n = 0;
  if (f->left >= 2)
    {
      n = (size_t) (f->p[0] << 8 | f->p[1]);
      f->p += 2;
      f->left -= 2;
      if (n > f->left)
        n = f->left;
    }
  if (n < 2 || n > *resp_len)
    {
      resp[0] = 0x6F;
      resp[1] = 0x00;
      *resp_len = 2;
      f->p += n > f->left ? f->left : n;
      f->left -= n > f->left ? f->left : n;
      return MC_OK;
    }
  memcpy (resp, f->p, n);
  f->p += n;
  f->left -= n;
  *resp_len = n;
  return MC_OK;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  static int init;
  static const uint8_t card_access[] = {
    0x31, 0x14, 0x30, 0x12, 0x06, 0x0A, 0x04, 0x00, 0x7F, 0x00, 0x07, 0x02, 0x02,
    0x04, 0x02, 0x02, 0x02, 0x01, 0x02, 0x02, 0x01, 0x0D
  };
  if (!init)
    {
      EAC_init ();
      init = 1;
    }
  feed f = { data, size };
  mc_channel ch;
  mc_channel_init (&ch, fuzz_transmit, &f);
  mc_access a;
  memset (&a, 0, sizeof a);
  memcpy (a.can, "123456", 7);
  mc_pace_run (&ch, card_access, sizeof card_access, &a);
  mc_sm_clear (&ch.sm);
  return 0;
}
