/* fuzz-sm-unwrap.c — secure messaging parsers on arbitrary bytes
 * (card/sm.c): the terminal's response unwrap and the chip's command
 * unwrap, 3DES and AES, fixed keys (ICAO 9303-11 App. D.3 session keys;
 * the SSCs make the App. D.4 seeds verify, so decryption and padding
 * checks are reached).  The first input byte picks the cipher. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "apdu.h"
#include "sm.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static const uint8_t k_enc[16] = { 0x97, 0x9E, 0xC1, 0x3B, 0x1C, 0xBF, 0xE9, 0xDC,
                                   0xD0, 0x1A, 0xB0, 0xFE, 0xD3, 0x07, 0xEA, 0xE5 };
static const uint8_t k_mac[16] = { 0xF1, 0xCB, 0x1F, 0x1F, 0xB5, 0xAD, 0xF2, 0x08,
                                   0x80, 0x6B, 0x89, 0xDC, 0x57, 0x9D, 0xC1, 0xF8 };
/* Before D.4's first response (…27) and before its first command (…26). */
static const uint8_t ssc[8] = { 0x88, 0x70, 0x22, 0x12, 0x0C, 0x06, 0xC2, 0x27 };
static const uint8_t ssc_cmd[8] = { 0x88, 0x70, 0x22, 0x12, 0x0C, 0x06, 0xC2, 0x26 };

static uint8_t out[MC_RAPDU_MAX + 64];

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  if (size < 1)
    return 0;
  mc_sm_cipher cipher = (data[0] & 1) ? MC_SM_AES : MC_SM_3DES;
  data++;
  size--;
  mc_sm sm;
  size_t n;
  uint16_t sw;

  if (mc_sm_start (&sm, cipher, k_enc, k_mac, 16, ssc, 8) != MC_OK)
    return 0;
  (void) mc_sm_unwrap_response (&sm, data, size, out, sizeof out, &n, &sw);
  /* A small output buffer too: must fail cleanly when data does not fit. */
  if (mc_sm_start (&sm, cipher, k_enc, k_mac, 16, ssc, 8) != MC_OK)
    return 0;
  (void) mc_sm_unwrap_response (&sm, data, size, out, 8, &n, &sw);

  if (mc_sm_start (&sm, cipher, k_enc, k_mac, 16, ssc_cmd, 8) != MC_OK)
    return 0;
  (void) mc_sm_unwrap_command (&sm, data, size, out, sizeof out, &n);

  /* Round trip: the terminal wraps the input taken as a plain APDU; the
   * chip must unwrap it to the same bytes. */
  mc_apdu a;
  if (mc_apdu_decode (data, size, &a) == MC_OK)
    {
      mc_sm t, c;
      static uint8_t prot[MC_APDU_MAX];
      size_t pn;
      mc_sm_start (&t, cipher, k_enc, k_mac, 16, ssc, 8);
      mc_sm_start (&c, cipher, k_enc, k_mac, 16, ssc, 8);
      if (mc_sm_wrap_command (&t, data, size, prot, sizeof prot, &pn) == MC_OK)
        {
          if (mc_sm_unwrap_command (&c, prot, pn, out, sizeof out, &n) != MC_OK)
            __builtin_trap ();
          /* Short/extended form may differ; the fields must not. */
          mc_apdu b;
          if (mc_apdu_decode (out, n, &b) != MC_OK || b.ins != a.ins || b.p1 != a.p1
              || b.p2 != a.p2 || b.lc != a.lc || b.le != a.le
              || (a.lc && memcmp (a.data, b.data, a.lc) != 0))
            __builtin_trap ();
        }
      mc_sm_clear (&t);
      mc_sm_clear (&c);
    }
  mc_sm_clear (&sm);
  return 0;
}
