/* atr.c — ATR parsing: historical bytes and the card capabilities */
#include <string.h>

#include "atr.h"

/* ISO/IEC 7816-4 §8.1.1.2.7: card capabilities, compact-TLV tag 7, third
 * software function byte, bit b7 = "extended Lc and Le fields". */
#define MC_CAP_TAG 0x7
#define MC_CAP_EXTENDED 0x40

static void
mc_atr_scan_capabilities (mc_atr_info *out)
{
  const uint8_t *h = out->historical;
  size_t n = out->n_historical;

  /* Category indicator 0x80: the rest is compact-TLV objects (§8.1.1.1).
   * 0x00 puts a 3-byte status indicator at the end; 0x10 is followed by a
   * DIR data reference.  Only 0x80 and 0x00 carry capabilities. */
  if (n == 0 || (h[0] != 0x80 && h[0] != 0x00))
    return;
  size_t end = h[0] == 0x00 ? (n >= 4 ? n - 3 : 1) : n;
  size_t i = 1;
  while (i < end)
    {
      uint8_t tag = h[i] >> 4, len = h[i] & 0x0F;
      if (len > end - i - 1)
        return;
      if (tag == MC_CAP_TAG && len >= 3)
        out->extended_length = (h[i + 3] & MC_CAP_EXTENDED) != 0;
      i += 1 + (size_t) len;
    }
}

mc_status
mc_atr_parse (const uint8_t *atr, size_t len, mc_atr_info *out)
{
  if (atr == NULL || out == NULL)
    return MC_ERR_INVALID_ARG;
  memset (out, 0, sizeof *out);
  if (len < 2 || (atr[0] != 0x3B && atr[0] != 0x3F))
    return MC_ERR_MALFORMED;

  size_t k = atr[1] & 0x0F;   /* number of historical bytes */
  uint8_t y = atr[1] >> 4;    /* which of TA TB TC TD follow */
  size_t i = 2;
  int tck = 0;

  /* Interface bytes (7816-3 §8.2.2): each TDi announces the next group. */
  for (;;)
    {
      size_t count = (size_t) ((y & 1) + ((y >> 1) & 1) + ((y >> 2) & 1) + ((y >> 3) & 1));
      if (count > len - i)
        return MC_ERR_MALFORMED;
      if ((y & 0x8) == 0)
        {
          i += count;
          break;
        }
      uint8_t td = atr[i + count - 1];
      if ((td & 0x0F) != 0)
        tck = 1;   /* a protocol other than T=0 is offered: TCK present */
      y = td >> 4;
      i += count;
    }
  if (k > len - i)
    return MC_ERR_MALFORMED;
  out->historical = atr + i;
  out->n_historical = k;
  if (i + k + (size_t) tck > len)
    return MC_ERR_MALFORMED;
  mc_atr_scan_capabilities (out);
  return MC_OK;
}
