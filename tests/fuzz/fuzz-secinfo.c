/* fuzz-secinfo.c — SecurityInfos (EF.CardAccess, DG14 content) */
#include <eac/eac.h>

#include "secinfo.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  static int init;
  if (!init)
    {
      EAC_init ();
      init = 1;
    }
  mc_secinfos si;
  (void) mc_secinfos_parse (data, size, &si);
  return 0;
}
