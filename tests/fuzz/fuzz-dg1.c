/* fuzz-dg1.c — DG1 (MRZ) parser */
#include "lds.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  mc_mrz m;
  (void) mc_dg1_parse (data, size, &m);
  return 0;
}
