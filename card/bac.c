/* bac.c — Basic Access Control, terminal side (ICAO 9303-11 §4.3)
 *
 *   K_seed = SHA-1(MRZ_information)[0..16)          (§9.7.2)
 *   GET CHALLENGE → RND.IC
 *   S = RND.IFD || RND.IC || K.IFD, E_IFD = 3DES(K_Enc, S),
 *   M_IFD = MAC(K_MAC, E_IFD); EXTERNAL AUTHENTICATE E_IFD || M_IFD
 *   chip: E_IC || M_IC, R = RND.IC || RND.IFD || K.IC
 *   session keys from K.IFD xor K.IC (§9.7.1); SSC = RND.IC[4..8) ||
 *   RND.IFD[4..8) (§9.8.2). */
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "bac.h"
#include "mrz.h"

mc_status
mc_bac_kseed (const mc_access *a, uint8_t kseed[16])
{
  if (!a || !kseed)
    return MC_ERR_INVALID_ARG;
  char info[25];
  mc_status st = mc_mrz_key_info (a, info);
  if (st != MC_OK)
    return st;
  uint8_t h[20];
  unsigned hl = 0;
  if (!EVP_Digest (info, 24, h, &hl, EVP_sha1 (), NULL) || hl != 20)
    st = MC_ERR_CRYPTO;
  else
    memcpy (kseed, h, 16);
  OPENSSL_cleanse (info, sizeof info);
  OPENSSL_cleanse (h, sizeof h);
  return st;
}

/* 2-key 3DES-CBC, IV 0, no padding (len is a multiple of 8). */
static mc_status
bac_3des (int enc, const uint8_t key[16], const uint8_t *in, size_t len, uint8_t *out)
{
  static const uint8_t iv[8];
  EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new ();
  if (!ctx)
    return MC_ERR_NOMEM;
  int ol = 0, fl = 0;
  int ok = EVP_CipherInit_ex (ctx, EVP_des_ede_cbc (), NULL, key, iv, enc)
           && EVP_CIPHER_CTX_set_padding (ctx, 0)
           && EVP_CipherUpdate (ctx, out, &ol, in, (int) len)
           && EVP_CipherFinal_ex (ctx, out + ol, &fl)
           && (size_t) (ol + fl) == len;
  EVP_CIPHER_CTX_free (ctx);
  return ok ? MC_OK : MC_ERR_CRYPTO;
}

/* Maps a refused EXTERNAL AUTHENTICATE (6300, 6982, 6A80...) to access
 * denied; a card without BAC (6D00, 6E00) stays "not supported". */
static mc_status
bac_refused (uint16_t sw)
{
  mc_status st = mc_sw_to_status (sw);
  return st == MC_ERR_NOT_SUPPORTED ? st : MC_ERR_ACCESS_DENIED;
}

typedef struct {
  uint8_t k_enc[16], k_mac[16];
  uint8_t rnd_ic[8];
  uint8_t s[32], e[40], resp[64], r[32];
  uint8_t mac[8], seed[16], ks_enc[16], ks_mac[16], ssc[8];
} bac_state;

static mc_status
bac_run (mc_channel *ch, const uint8_t kseed[16], const uint8_t rnd_ifd[8],
         const uint8_t k_ifd[16], bac_state *b)
{
  size_t n = 0;
  uint16_t sw = 0;
  mc_status st;

  /* BAC runs in the clear: drop any earlier session. */
  mc_sm_clear (&ch->sm);
  mc_apdu gc = { .cla = 0x00, .ins = 0x84, .le = 8 };
  st = mc_channel_transceive (ch, &gc, b->rnd_ic, sizeof b->rnd_ic, &n, &sw);
  if (st != MC_OK)
    return st == MC_ERR_MALFORMED ? MC_ERR_CARD_STATUS : st;
  if (sw != 0x9000)
    return mc_sw_to_status (sw) == MC_ERR_NOT_SUPPORTED ? MC_ERR_NOT_SUPPORTED
                                                        : MC_ERR_CARD_STATUS;
  if (n != 8)
    return MC_ERR_MALFORMED;

  if ((st = mc_kdf (kseed, 16, MC_KDF_ENC, MC_SM_3DES, 16, b->k_enc)) != MC_OK
      || (st = mc_kdf (kseed, 16, MC_KDF_MAC, MC_SM_3DES, 16, b->k_mac)) != MC_OK)
    return st;
  memcpy (b->s, rnd_ifd, 8);
  memcpy (b->s + 8, b->rnd_ic, 8);
  memcpy (b->s + 16, k_ifd, 16);
  if ((st = bac_3des (1, b->k_enc, b->s, 32, b->e)) != MC_OK
      || (st = mc_sm_mac (MC_SM_3DES, b->k_mac, 16, b->e, 32, b->e + 32)) != MC_OK)
    return st;

  mc_apdu ea = { .cla = 0x00, .ins = 0x82, .data = b->e, .lc = 40, .le = 40 };
  n = 0;
  st = mc_channel_transceive (ch, &ea, b->resp, sizeof b->resp, &n, &sw);
  if (st == MC_ERR_MALFORMED)
    return MC_ERR_ACCESS_DENIED;
  if (st != MC_OK)
    return st;
  if (sw != 0x9000)
    return bac_refused (sw);
  if (n != 40)
    return MC_ERR_ACCESS_DENIED;

  /* Check M_IC, then that the chip echoes RND.IFD and our RND.IC. */
  if ((st = mc_sm_mac (MC_SM_3DES, b->k_mac, 16, b->resp, 32, b->mac)) != MC_OK)
    return st;
  if (CRYPTO_memcmp (b->mac, b->resp + 32, 8) != 0)
    return MC_ERR_ACCESS_DENIED;
  if ((st = bac_3des (0, b->k_enc, b->resp, 32, b->r)) != MC_OK)
    return st;
  if (CRYPTO_memcmp (b->r, b->rnd_ic, 8) != 0
      || CRYPTO_memcmp (b->r + 8, rnd_ifd, 8) != 0)
    return MC_ERR_ACCESS_DENIED;

  for (int i = 0; i < 16; i++)
    b->seed[i] = k_ifd[i] ^ b->r[16 + i];
  if ((st = mc_kdf (b->seed, 16, MC_KDF_ENC, MC_SM_3DES, 16, b->ks_enc)) != MC_OK
      || (st = mc_kdf (b->seed, 16, MC_KDF_MAC, MC_SM_3DES, 16, b->ks_mac)) != MC_OK)
    return st;
  memcpy (b->ssc, b->rnd_ic + 4, 4);
  memcpy (b->ssc + 4, rnd_ifd + 4, 4);
  return mc_sm_start (&ch->sm, MC_SM_3DES, b->ks_enc, b->ks_mac, 16, b->ssc, 8);
}

mc_status
mc_bac_authenticate_with (mc_channel *ch, const uint8_t kseed[16],
                          const uint8_t rnd_ifd[8], const uint8_t k_ifd[16])
{
  if (!ch || !kseed || !rnd_ifd || !k_ifd)
    return MC_ERR_INVALID_ARG;
  bac_state *b = OPENSSL_zalloc (sizeof *b);
  if (!b)
    return MC_ERR_NOMEM;
  mc_status st = bac_run (ch, kseed, rnd_ifd, k_ifd, b);
  OPENSSL_clear_free (b, sizeof *b);
  return st;
}

mc_status
mc_bac_authenticate (mc_channel *ch, const uint8_t kseed[16])
{
  if (!ch || !kseed)
    return MC_ERR_INVALID_ARG;
  uint8_t rnd[8 + 16];
  if (RAND_bytes (rnd, sizeof rnd) != 1)
    return MC_ERR_CRYPTO;
  mc_status st = mc_bac_authenticate_with (ch, kseed, rnd, rnd + 8);
  OPENSSL_cleanse (rnd, sizeof rnd);
  return st;
}
