/* lds-dg1.c — DG1, the machine-readable zone (ICAO 9303-10 §4.7.1)
 *
 * 61 { 5F1F <MRZ> }.  The Vietnamese card is TD1: three lines of 30
 * characters, stored without separators (90 bytes). */
#include <string.h>

#include <openssl/crypto.h>

#include "lds.h"
#include "mrz.h"
#include "tlv.h"

#define MC_TD1_LINE 30

mc_status
mc_dg1_parse (const uint8_t *buf, size_t len, mc_mrz *out)
{
  mc_tlv outer, mrz;
  char lines[3][MC_TD1_LINE + 1];
  mc_status s;

  if (!buf || !out)
    return MC_ERR_INVALID_ARG;
  if ((s = mc_tlv_read (buf, len, &outer)) != MC_OK)
    return s;
  if (outer.tag != 0x61 || outer.header_len + outer.len != len)
    return MC_ERR_MALFORMED;
  if (mc_tlv_find (outer.value, outer.len, 0x5F1F, &mrz) != MC_OK
      || mrz.len != 3 * MC_TD1_LINE)
    return MC_ERR_MALFORMED;
  for (size_t i = 0; i < mrz.len; i++)
    {
      uint8_t c = mrz.value[i];
      if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || c == '<'))
        return MC_ERR_MALFORMED;
    }
  for (int i = 0; i < 3; i++)
    {
      memcpy (lines[i], mrz.value + i * MC_TD1_LINE, MC_TD1_LINE);
      lines[i][MC_TD1_LINE] = '\0';
    }
  s = mc_mrz_parse_td1 (lines[0], lines[1], lines[2], out);
  OPENSSL_cleanse (lines, sizeof lines);
  return s;
}
