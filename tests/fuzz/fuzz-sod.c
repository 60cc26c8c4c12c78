/* fuzz-sod.c — EF.SOD parsing and verification against an empty store */
#include <time.h>

#include "pa.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  static mc_trust_store *ts;
  if (!ts && mc_trust_store_new (&ts) != MC_OK)
    return 0;
  mc_sod sod;
  if (mc_sod_verify (data, size, ts, (time_t) 1767225600, &sod) == MC_OK)
    (void) mc_sod_check_dg (&sod, 1, data, size);
  return 0;
}
