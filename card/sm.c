/* sm.c — ICAO 9303-11 §9.8 secure messaging (3DES and AES)
 *
 * Protected command:  CLA|0C INS P1 P2 Lc' [DO'87'|DO'85'] [DO'97'] DO'8E' Le'
 * Protected response: [DO'87'|DO'85'] DO'99' DO'8E' SW1 SW2
 *
 * The send sequence counter (SSC) is incremented before every command and
 * every response (§9.8.2).  3DES: 2-key 3DES-CBC with IV 0, ISO 9797-1 MAC
 * algorithm 3 (retail MAC), 8-byte SSC.  AES: AES-CBC with IV =
 * E(K_Enc, SSC), AES-CMAC truncated to 8 bytes, 16-byte SSC (§9.8.6.1).
 * The MAC input is always padded with ISO 9797-1 method 2 first. */
#include <limits.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "apdu.h"
#include "sm.h"
#include "tlv.h"

#define SM_MAC_LEN 8

/* ---------------------------------------------------------------- primitives */

size_t
mc_iso_pad (uint8_t *buf, size_t len, size_t cap, size_t block)
{
  if (!buf || block == 0)
    return 0;
  size_t padded = (len / block + 1) * block;
  if (padded < len || padded > cap)
    return 0;
  buf[len] = 0x80;
  memset (buf + len + 1, 0, padded - len - 1);
  return padded;
}

/* Removes ISO 9797-1 method 2 padding; 0 when there is none. */
static int
sm_iso_unpad (const uint8_t *buf, size_t len, size_t *out_len)
{
  size_t i = len;
  while (i > 0 && buf[i - 1] == 0x00)
    i--;
  if (i == 0 || buf[i - 1] != 0x80)
    return 0;
  *out_len = i - 1;
  return 1;
}

static size_t
sm_block (mc_sm_cipher cipher)
{
  return cipher == MC_SM_AES ? 16 : 8;
}

static const EVP_CIPHER *
sm_aes (size_t key_len, int cbc)
{
  switch (key_len)
    {
    case 16: return cbc ? EVP_aes_128_cbc () : EVP_aes_128_ecb ();
    case 24: return cbc ? EVP_aes_192_cbc () : EVP_aes_192_ecb ();
    case 32: return cbc ? EVP_aes_256_cbc () : EVP_aes_256_ecb ();
    default: return NULL;
    }
}

/* Raw block cipher over len bytes (a multiple of the block size), no
 * padding. */
static mc_status
sm_cipher_raw (const EVP_CIPHER *c, int enc, const uint8_t *key, const uint8_t *iv,
               const uint8_t *in, size_t len, uint8_t *out)
{
  if (!c || len > INT_MAX)
    return MC_ERR_CRYPTO;
  EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new ();
  if (!ctx)
    return MC_ERR_NOMEM;
  int ol = 0, fl = 0;
  int ok = EVP_CipherInit_ex (ctx, c, NULL, key, iv, enc)
           && EVP_CIPHER_CTX_set_padding (ctx, 0)
           && EVP_CipherUpdate (ctx, out, &ol, in, (int) len)
           && EVP_CipherFinal_ex (ctx, out + ol, &fl)
           && (size_t) (ol + fl) == len;
  EVP_CIPHER_CTX_free (ctx);
  return ok ? MC_OK : MC_ERR_CRYPTO;
}

/* ISO 9797-1 MAC algorithm 3 over padded data: single-DES CBC with Ka over
 * all blocks but the last, then 3DES (Ka, Kb) on the last block XOR the
 * chain value: E_Ka(D_Kb(E_Ka(x_n ^ H_n-1))).  Single DES is computed as
 * DES-EDE with Ka||Ka, which stays in OpenSSL 3's default provider. */
static mc_status
sm_retail_mac (const uint8_t key[16], const uint8_t *msg, size_t len, uint8_t mac[8])
{
  uint8_t kaka[16], h[8] = { 0 }, x[8];
  mc_status st = MC_OK;
  memcpy (kaka, key, 8);
  memcpy (kaka + 8, key, 8);
  size_t n = len / 8;
  if (n == 0 || len % 8)
    return MC_ERR_CRYPTO;
  for (size_t i = 0; i + 1 < n && st == MC_OK; i++)
    {
      for (size_t j = 0; j < 8; j++)
        x[j] = msg[i * 8 + j] ^ h[j];
      st = sm_cipher_raw (EVP_des_ede_ecb (), 1, kaka, NULL, x, 8, h);
    }
  if (st == MC_OK)
    {
      for (size_t j = 0; j < 8; j++)
        x[j] = msg[(n - 1) * 8 + j] ^ h[j];
      st = sm_cipher_raw (EVP_des_ede_ecb (), 1, key, NULL, x, 8, mac);
    }
  OPENSSL_cleanse (kaka, sizeof kaka);
  OPENSSL_cleanse (h, sizeof h);
  OPENSSL_cleanse (x, sizeof x);
  return st;
}

static mc_status
sm_cmac (const uint8_t *key, size_t key_len, const uint8_t *msg, size_t len,
         uint8_t mac[8])
{
  const char *name = key_len == 16 ? "AES-128-CBC" : key_len == 24 ? "AES-192-CBC"
                   : key_len == 32 ? "AES-256-CBC" : NULL;
  if (!name)
    return MC_ERR_CRYPTO;
  EVP_MAC *m = EVP_MAC_fetch (NULL, "CMAC", NULL);
  if (!m)
    return MC_ERR_CRYPTO;
  EVP_MAC_CTX *ctx = EVP_MAC_CTX_new (m);
  EVP_MAC_free (m);
  if (!ctx)
    return MC_ERR_NOMEM;
  OSSL_PARAM params[] = {
    OSSL_PARAM_construct_utf8_string (OSSL_MAC_PARAM_CIPHER, (char *) name, 0),
    OSSL_PARAM_construct_end (),
  };
  uint8_t full[16];
  size_t out_len = 0;
  int ok = EVP_MAC_init (ctx, key, key_len, params)
           && EVP_MAC_update (ctx, msg, len)
           && EVP_MAC_final (ctx, full, &out_len, sizeof full)
           && out_len == 16;
  EVP_MAC_CTX_free (ctx);
  if (ok)
    memcpy (mac, full, SM_MAC_LEN);
  OPENSSL_cleanse (full, sizeof full);
  return ok ? MC_OK : MC_ERR_CRYPTO;
}

/* msg is padded here (ISO 9797-1 method 2) before the MAC is computed. */
mc_status
mc_sm_mac (mc_sm_cipher cipher, const uint8_t *key, size_t key_len,
           const uint8_t *msg, size_t msg_len, uint8_t mac[8])
{
  if (!key || !mac || (!msg && msg_len) || msg_len > SIZE_MAX - 32)
    return MC_ERR_INVALID_ARG;
  if (cipher == MC_SM_3DES ? key_len != 16 : !sm_aes (key_len, 1))
    return MC_ERR_INVALID_ARG;
  size_t bs = sm_block (cipher), cap = msg_len + bs;
  uint8_t *buf = OPENSSL_malloc (cap);
  if (!buf)
    return MC_ERR_NOMEM;
  if (msg_len)
    memcpy (buf, msg, msg_len);
  size_t plen = mc_iso_pad (buf, msg_len, cap, bs);
  mc_status st = cipher == MC_SM_3DES ? sm_retail_mac (key, buf, plen, mac)
                                      : sm_cmac (key, key_len, buf, plen, mac);
  OPENSSL_clear_free (buf, cap);
  return st;
}

/* ---------------------------------------------------------------- session */

mc_status
mc_sm_start (mc_sm *sm, mc_sm_cipher cipher, const uint8_t *k_enc,
             const uint8_t *k_mac, size_t key_len,
             const uint8_t *ssc, size_t ssc_len)
{
  if (!sm || !k_enc || !k_mac)
    return MC_ERR_INVALID_ARG;
  if (cipher == MC_SM_3DES ? key_len != 16
      : cipher == MC_SM_AES ? !sm_aes (key_len, 1) : 1)
    return MC_ERR_INVALID_ARG;
  size_t bs = sm_block (cipher);
  if (ssc && ssc_len > bs)
    return MC_ERR_INVALID_ARG;
  mc_sm_clear (sm);
  sm->cipher = cipher;
  sm->key_len = key_len;
  memcpy (sm->k_enc, k_enc, key_len);
  memcpy (sm->k_mac, k_mac, key_len);
  if (ssc)
    memcpy (sm->ssc + bs - ssc_len, ssc, ssc_len); /* right-aligned */
  sm->active = 1;
  return MC_OK;
}

void
mc_sm_clear (mc_sm *sm)
{
  if (sm)
    OPENSSL_cleanse (sm, sizeof *sm);
}

static void
sm_ssc_inc (mc_sm *sm)
{
  for (size_t i = sm_block (sm->cipher); i > 0; i--)
    if (++sm->ssc[i - 1] != 0)
      break;
}

/* Encrypts or decrypts len bytes (block aligned) with the session's K_Enc
 * and the current SSC. */
static mc_status
sm_crypt (const mc_sm *sm, int enc, const uint8_t *in, size_t len, uint8_t *out)
{
  if (sm->cipher == MC_SM_3DES)
    {
      static const uint8_t zero[8];
      return sm_cipher_raw (EVP_des_ede_cbc (), enc, sm->k_enc, zero, in, len, out);
    }
  uint8_t iv[16];
  mc_status st = sm_cipher_raw (sm_aes (sm->key_len, 0), 1, sm->k_enc, NULL,
                                sm->ssc, 16, iv);
  if (st == MC_OK)
    st = sm_cipher_raw (sm_aes (sm->key_len, 1), enc, sm->k_enc, iv, in, len, out);
  OPENSSL_cleanse (iv, sizeof iv);
  return st;
}

/* MAC over SSC || [padded header] || dos (padded inside mc_sm_mac). */
static mc_status
sm_session_mac (const mc_sm *sm, const uint8_t *hdr4, const uint8_t *dos,
                size_t dos_len, uint8_t mac[8])
{
  size_t bs = sm_block (sm->cipher);
  size_t cap = 2 * bs + dos_len;
  uint8_t *buf = OPENSSL_malloc (cap);
  if (!buf)
    return MC_ERR_NOMEM;
  size_t n = 0;
  memcpy (buf, sm->ssc, bs);
  n = bs;
  if (hdr4)
    {
      memcpy (buf + n, hdr4, 4);
      n = bs + mc_iso_pad (buf + bs, 4, bs, bs);
    }
  if (dos_len)
    memcpy (buf + n, dos, dos_len);
  n += dos_len;
  mc_status st = mc_sm_mac (sm->cipher, sm->k_mac, sm->key_len, buf, n, mac);
  OPENSSL_clear_free (buf, cap);
  return st;
}

/* Builds the data object carrying the encrypted data: DO'87' with the
 * padding-content indicator 01, or DO'85' (no indicator) when odd is set
 * (odd INS, ISO 7816-4 §10.4 / ICAO 9303-11 §9.8.5).  Writes at out and
 * returns the size, or 0 on failure. */
static size_t
sm_put_crypto_do (const mc_sm *sm, int odd, const uint8_t *data, size_t len,
                  uint8_t *out, size_t cap, mc_status *st)
{
  size_t bs = sm_block (sm->cipher);
  size_t pcap = len + bs;
  *st = MC_ERR_INVALID_ARG;
  uint8_t *p = OPENSSL_malloc (pcap);
  if (!p)
    {
      *st = MC_ERR_NOMEM;
      return 0;
    }
  memcpy (p, data, len);
  size_t plen = mc_iso_pad (p, len, pcap, bs);
  size_t vlen = plen + (odd ? 0 : 1);
  uint32_t tag = odd ? 0x85 : 0x87;
  size_t h = mc_tlv_put_header (tag, vlen, out, cap);
  size_t total = 0;
  if (h && cap - h >= vlen)
    {
      if (!odd)
        out[h] = 0x01;
      *st = sm_crypt (sm, 1, p, plen, out + h + (odd ? 0 : 1));
      if (*st == MC_OK)
        total = h + vlen;
    }
  OPENSSL_clear_free (p, pcap);
  return total;
}

/* Decrypts the value of DO'87' (after its 01 indicator) or DO'85' and
 * strips the padding into out. */
static mc_status
sm_get_crypto_do (const mc_sm *sm, const mc_tlv *t, uint8_t *out, size_t cap,
                  size_t *out_len)
{
  size_t bs = sm_block (sm->cipher);
  const uint8_t *c = t->value;
  size_t clen = t->len;
  if (t->tag == 0x87)
    {
      if (clen < 1 || c[0] != 0x01)
        return MC_ERR_SM;
      c++;
      clen--;
    }
  if (clen == 0 || clen % bs)
    return MC_ERR_SM;
  uint8_t *p = OPENSSL_malloc (clen);
  if (!p)
    return MC_ERR_NOMEM;
  size_t plen = 0;
  mc_status st = sm_crypt (sm, 0, c, clen, p);
  if (st == MC_OK && !sm_iso_unpad (p, clen, &plen))
    st = MC_ERR_SM;
  if (st == MC_OK && plen > cap)
    st = MC_ERR_INVALID_ARG;
  if (st == MC_OK)
    {
      if (plen)
        memcpy (out, p, plen);
      *out_len = plen;
    }
  OPENSSL_clear_free (p, clen);
  return st;
}

/* Splits body into its SM data objects: an optional crypto DO (85/87), an
 * optional DO'97' or DO'99' (per want), then DO'8E' last.  *mac_len is
 * the number of bytes covered by the MAC (everything before DO'8E'). */
typedef struct {
  mc_tlv crypto, le_or_sw, mac;
  int has_crypto, has_le_or_sw;
  size_t mac_len;
} sm_dos;

static mc_status
sm_split (const uint8_t *body, size_t len, uint32_t want, sm_dos *d)
{
  memset (d, 0, sizeof *d);
  size_t off = 0;
  int stage = 0; /* 0: crypto allowed, 1: want allowed, 2: only 8E */
  while (off < len)
    {
      mc_tlv t;
      if (mc_tlv_read (body + off, len - off, &t) != MC_OK)
        return MC_ERR_SM;
      if ((t.tag == 0x87 || t.tag == 0x85) && stage == 0)
        {
          d->crypto = t;
          d->has_crypto = 1;
          stage = 1;
        }
      else if (t.tag == want && stage <= 1)
        {
          d->le_or_sw = t;
          d->has_le_or_sw = 1;
          stage = 2;
        }
      else if (t.tag == 0x8E)
        {
          if (t.len != SM_MAC_LEN || off + t.header_len + t.len != len)
            return MC_ERR_SM;
          d->mac = t;
          d->mac_len = off;
          return MC_OK;
        }
      else
        return MC_ERR_SM;
      off += t.header_len + t.len;
    }
  return MC_ERR_SM; /* no DO'8E' */
}

static mc_status
sm_check_mac (const mc_sm *sm, const uint8_t *hdr4, const uint8_t *body,
              const sm_dos *d)
{
  uint8_t mac[SM_MAC_LEN];
  mc_status st = sm_session_mac (sm, hdr4, body, d->mac_len, mac);
  if (st == MC_OK && CRYPTO_memcmp (mac, d->mac.value, SM_MAC_LEN) != 0)
    st = MC_ERR_SM;
  OPENSSL_cleanse (mac, sizeof mac);
  return st;
}

/* ---------------------------------------------------------------- terminal */

mc_status
mc_sm_wrap_command (mc_sm *sm, const uint8_t *cmd, size_t cmd_len,
                    uint8_t *out, size_t cap, size_t *out_len)
{
  if (!sm || !sm->active || !cmd || !out || !out_len)
    return MC_ERR_INVALID_ARG;
  mc_apdu a;
  mc_status st = mc_apdu_decode (cmd, cmd_len, &a);
  if (st != MC_OK)
    return MC_ERR_INVALID_ARG;
  int ext = a.extended || a.lc > 255 || a.le > 256;
  uint8_t hdr[4] = { a.cla | 0x0C, a.ins, a.p1, a.p2 };

  /* Body: [DO'87'/'85'] [DO'97'] DO'8E', built at out + 7 (room for an
   * extended Lc), moved later when short. */
  if (cap < 7 + 10 + 2)
    return MC_ERR_INVALID_ARG;
  uint8_t *body = out + 7;
  size_t bcap = cap - 7 - 3, blen = 0;
  sm_ssc_inc (sm);
  if (a.lc)
    {
      blen = sm_put_crypto_do (sm, a.ins & 1, a.data, a.lc, body, bcap, &st);
      if (!blen)
        return st;
    }
  if (a.le)
    {
      uint8_t le[2] = { (a.le >> 8) & 0xFF, a.le & 0xFF }; /* 256 → 00, 65536 → 0000 */
      size_t n = ext ? 2 : 1;
      if (bcap - blen < 2 + n)
        return MC_ERR_INVALID_ARG;
      body[blen++] = 0x97;
      body[blen++] = (uint8_t) n;
      memcpy (body + blen, le + 2 - n, n);
      blen += n;
    }
  uint8_t mac[SM_MAC_LEN];
  st = sm_session_mac (sm, hdr, body, blen, mac);
  if (st != MC_OK)
    return st;
  if (bcap - blen < 2 + SM_MAC_LEN)
    return MC_ERR_INVALID_ARG;
  body[blen++] = 0x8E;
  body[blen++] = SM_MAC_LEN;
  memcpy (body + blen, mac, SM_MAC_LEN);
  blen += SM_MAC_LEN;

  if (blen > 255)
    ext = 1;
  if (blen > 65535)
    return MC_ERR_INVALID_ARG;
  size_t n = 0;
  memcpy (out, hdr, 4);
  n = 4;
  if (ext)
    {
      out[n++] = 0x00;
      out[n++] = (uint8_t) (blen >> 8);
      out[n++] = (uint8_t) blen;
    }
  else
    {
      out[n++] = (uint8_t) blen;
      memmove (out + n, body, blen);
    }
  n += blen;
  /* Le' = 00 (short) or 0000 (extended): the response always carries DOs. */
  out[n++] = 0x00;
  if (ext)
    out[n++] = 0x00;
  *out_len = n;
  return MC_OK;
}

mc_status
mc_sm_unwrap_response (mc_sm *sm, const uint8_t *resp, size_t resp_len,
                       uint8_t *out, size_t cap, size_t *out_len, uint16_t *sw)
{
  if (!sm || !sm->active || !resp || !out_len || !sw || (!out && cap))
    return MC_ERR_INVALID_ARG;
  *out_len = 0;
  if (resp_len < 2)
    return MC_ERR_SM;
  size_t blen = resp_len - 2;
  sm_dos d;
  sm_ssc_inc (sm);
  if (sm_split (resp, blen, 0x99, &d) != MC_OK || !d.has_le_or_sw
      || d.le_or_sw.len != 2)
    return MC_ERR_SM;
  mc_status st = sm_check_mac (sm, NULL, resp, &d);
  if (st != MC_OK)
    return st;
  if (d.has_crypto)
    {
      st = sm_get_crypto_do (sm, &d.crypto, out, cap, out_len);
      if (st != MC_OK)
        return st;
    }
  *sw = (uint16_t) ((d.le_or_sw.value[0] << 8) | d.le_or_sw.value[1]);
  return MC_OK;
}

/* ---------------------------------------------------------------- chip */

mc_status
mc_sm_unwrap_command (mc_sm *sm, const uint8_t *cmd, size_t cmd_len,
                      uint8_t *out, size_t cap, size_t *out_len)
{
  if (!sm || !sm->active || !cmd || !out || !out_len)
    return MC_ERR_INVALID_ARG;
  mc_apdu a;
  if (mc_apdu_decode (cmd, cmd_len, &a) != MC_OK || (a.cla & 0x0C) != 0x0C)
    return MC_ERR_SM;
  uint8_t hdr[4] = { a.cla, a.ins, a.p1, a.p2 };
  sm_dos d;
  sm_ssc_inc (sm);
  if (sm_split (a.data, a.lc, 0x97, &d) != MC_OK)
    return MC_ERR_SM;
  /* DO'85' goes with odd INS, DO'87' with even INS. */
  if (d.has_crypto && (d.crypto.tag == 0x85) != (a.ins & 1))
    return MC_ERR_SM;
  mc_status st = sm_check_mac (sm, hdr, a.data, &d);
  if (st != MC_OK)
    return st;

  mc_apdu plain = { .cla = a.cla & ~0x0C, .ins = a.ins, .p1 = a.p1, .p2 = a.p2 };
  if (d.has_le_or_sw)
    {
      const mc_tlv *le = &d.le_or_sw;
      if (le->len == 1)
        plain.le = le->value[0] ? le->value[0] : 256;
      else if (le->len == 2)
        {
          plain.le = ((size_t) le->value[0] << 8) | le->value[1];
          if (plain.le == 0)
            plain.le = 65536;
          plain.extended = 1;
        }
      else
        return MC_ERR_SM;
    }
  uint8_t *data = NULL;
  size_t dcap = d.has_crypto ? d.crypto.len : 0;
  if (d.has_crypto)
    {
      data = OPENSSL_malloc (dcap);
      if (!data)
        return MC_ERR_NOMEM;
      st = sm_get_crypto_do (sm, &d.crypto, data, dcap, &plain.lc);
      if (st == MC_OK && plain.lc == 0)
        st = MC_ERR_SM;
      plain.data = data;
    }
  if (st == MC_OK)
    st = mc_apdu_encode (&plain, out, cap, out_len);
  if (data)
    OPENSSL_clear_free (data, dcap);
  return st;
}

mc_status
mc_sm_wrap_response (mc_sm *sm, const uint8_t *data, size_t data_len, uint16_t sw,
                     uint8_t *out, size_t cap, size_t *out_len)
{
  if (!sm || !sm->active || !out || !out_len || (!data && data_len))
    return MC_ERR_INVALID_ARG;
  mc_status st = MC_OK;
  size_t n = 0;
  sm_ssc_inc (sm);
  if (data_len)
    {
      n = sm_put_crypto_do (sm, 0, data, data_len, out, cap, &st);
      if (!n)
        return st;
    }
  if (cap - n < 4 + 2 + SM_MAC_LEN + 2)
    return MC_ERR_INVALID_ARG;
  out[n++] = 0x99;
  out[n++] = 0x02;
  out[n++] = (uint8_t) (sw >> 8);
  out[n++] = (uint8_t) sw;
  uint8_t mac[SM_MAC_LEN];
  st = sm_session_mac (sm, NULL, out, n, mac);
  if (st != MC_OK)
    return st;
  out[n++] = 0x8E;
  out[n++] = SM_MAC_LEN;
  memcpy (out + n, mac, SM_MAC_LEN);
  n += SM_MAC_LEN;
  out[n++] = (uint8_t) (sw >> 8);
  out[n++] = (uint8_t) sw;
  *out_len = n;
  return MC_OK;
}
