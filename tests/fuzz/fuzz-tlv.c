/* fuzz-tlv.c — walks arbitrary bytes as nested BER-TLV (card/tlv.c) */
#include <stddef.h>
#include <stdint.h>

#include "tlv.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static volatile uint8_t sink;

static void
walk (const uint8_t *buf, size_t len, int depth)
{
  size_t off = 0;
  while (off < len)
    {
      mc_tlv t;
      if (mc_tlv_read (buf + off, len - off, &t) != MC_OK)
        return;
      /* Touch the first and last value bytes: ASan catches an over-read. */
      if (t.len)
        sink ^= t.value[0] ^ t.value[t.len - 1];
      uint32_t tag;
      size_t hl, vl;
      if (mc_tlv_read_header (buf + off, len - off, &tag, &hl, &vl) != MC_OK
          || tag != t.tag || hl != t.header_len || vl != t.len)
        __builtin_trap ();
      /* Re-encoding the header must give a size the reader agrees on. */
      uint8_t h[16];
      size_t n = mc_tlv_put_header (t.tag, t.len, h, sizeof h);
      if (n == 0 || mc_tlv_size (t.tag, t.len) != n + t.len)
        __builtin_trap ();
      if (t.constructed && depth < 16)
        walk (t.value, t.len, depth + 1);
      off += t.header_len + t.len;
    }
  mc_tlv f;
  (void) mc_tlv_find (buf, len, 0x5F1F, &f);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  walk (data, size, 0);
  return 0;
}
