/* sm-kdf.c — key derivation for secure messaging (ICAO 9303-11 §9.7.1)
 *
 * Shared by BAC (K_seed), PACE (K_pi, session keys) and Chip
 * Authentication v1 (keys straight from the ECDH shared secret). */
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "sm.h"

/* ICAO 9303-11 §9.7.1: keydata = H(K || c), c a 32-bit big-endian counter;
 * SHA-1 for 3DES and AES-128, SHA-256 for AES-192/256.  3DES keys are
 * Ka||Kb with odd parity bits adjusted. */
mc_status
mc_kdf (const uint8_t *secret, size_t secret_len, uint32_t counter,
        mc_sm_cipher cipher, size_t key_len, uint8_t *out)
{
  if (!secret || !out)
    return MC_ERR_INVALID_ARG;
  if (cipher == MC_SM_3DES ? key_len != 16
      : cipher != MC_SM_AES || (key_len != 16 && key_len != 24 && key_len != 32))
    return MC_ERR_INVALID_ARG;
  const EVP_MD *md = key_len <= 16 ? EVP_sha1 () : EVP_sha256 ();
  uint8_t c[4] = { counter >> 24, counter >> 16, counter >> 8, counter };
  uint8_t h[EVP_MAX_MD_SIZE];
  unsigned hl = 0;
  EVP_MD_CTX *ctx = EVP_MD_CTX_new ();
  if (!ctx)
    return MC_ERR_NOMEM;
  int ok = EVP_DigestInit_ex (ctx, md, NULL)
           && EVP_DigestUpdate (ctx, secret, secret_len)
           && EVP_DigestUpdate (ctx, c, sizeof c)
           && EVP_DigestFinal_ex (ctx, h, &hl)
           && hl >= key_len;
  EVP_MD_CTX_free (ctx);
  if (ok)
    {
      memcpy (out, h, key_len);
      if (cipher == MC_SM_3DES)
        for (size_t i = 0; i < key_len; i++)
          {
            uint8_t b = out[i] & 0xFE;
            int ones = 0;
            for (int j = 1; j < 8; j++)
              ones += (b >> j) & 1;
            out[i] = b | ((ones & 1) ? 0 : 1);
          }
    }
  OPENSSL_cleanse (h, sizeof h);
  return ok ? MC_OK : MC_ERR_CRYPTO;
}
