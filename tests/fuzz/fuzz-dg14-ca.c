/* fuzz-dg14-ca.c — Chip Authentication key extraction and validation
 * (mc_ca_parse in card/ca.c, over mc_secinfos_parse) on an arbitrary DG14
 * file (tag 6E).  No APDU is sent. */
#include <stddef.h>
#include <stdint.h>

#include "ca.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  mc_ca_params p;
  if (mc_ca_parse (data, size, &p) == MC_OK)
    mc_ca_params_clear (&p);
  return 0;
}
