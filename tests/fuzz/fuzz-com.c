/* fuzz-com.c — EF.COM parser */
#include "lds.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  mc_com c;
  (void) mc_com_parse (data, size, &c);
  return 0;
}
