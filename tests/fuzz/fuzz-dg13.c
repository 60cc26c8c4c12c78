/* fuzz-dg13.c — DG13 (Vietnamese holder data) parser */
#include <string.h>

#include "lds.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  mc_identity id;
  memset (&id, 0, sizeof id);
  (void) mc_dg13_parse (data, size, &id);
  mc_identity_clear (&id);
  return 0;
}
