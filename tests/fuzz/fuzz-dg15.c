/* fuzz-dg15.c — Active Authentication verification (card/aa.c) on
 * arbitrary DG15 and signature bytes.
 *
 * Input: [nid selector 1][challenge 8][DG15 length 2, big-endian][DG15][signature] */
#include <stddef.h>
#include <stdint.h>

#include <openssl/objects.h>

#include "aa.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  static const int nids[] = {
    NID_undef, NID_ecdsa_with_SHA1, NID_ecdsa_with_SHA224, NID_ecdsa_with_SHA256,
    NID_ecdsa_with_SHA384, NID_ecdsa_with_SHA512, NID_sha256WithRSAEncryption,
    NID_sha256,
  };
  if (size < 11)
    return 0;
  int nid = nids[data[0] % (sizeof nids / sizeof nids[0])];
  const uint8_t *chal = data + 1;
  size_t dg15_len = ((size_t) data[9] << 8) | data[10];
  data += 11;
  size = size - 11;
  if (dg15_len > size)
    dg15_len = size;
  mc_aa_verify (data, dg15_len, nid, chal, data + dg15_len, size - dg15_len);
  return 0;
}
