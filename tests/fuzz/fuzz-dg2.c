/* fuzz-dg2.c — DG2 (face) parser: the image found must lie in the input */
#include <stdlib.h>

#include "lds.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  mc_dg2_info info;
  if (mc_dg2_parse (data, size, &info) == MC_OK
      && (info.offset > size || info.len > size - info.offset || info.len == 0))
    abort ();
  return 0;
}
