/* fuzz-atr.c — arbitrary bytes as an ATR (card/atr.c) */
#include <stddef.h>
#include <stdint.h>

#include "atr.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static volatile uint8_t sink;

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  mc_atr_info info;
  if (mc_atr_parse (data, size, &info) != MC_OK)
    return 0;
  /* The historical bytes must lie inside the ATR: touch both ends. */
  if (info.n_historical)
    {
      if (info.historical < data || info.historical + info.n_historical > data + size)
        __builtin_trap ();
      sink ^= info.historical[0] ^ info.historical[info.n_historical - 1];
    }
  return 0;
}
