/* aa.c — Active Authentication, terminal side (ICAO 9303-11 §6.1)
 *
 * The terminal sends an 8-byte random challenge in INTERNAL AUTHENTICATE;
 * the chip signs it with the private key whose public half is in DG15
 * (protected by passive authentication), which shows the chip is not a
 * copy.
 *
 * RSA keys sign with ISO/IEC 9796-2 digital signature scheme 1, partial
 * message recovery: the chip picks M1, the challenge is the
 * non-recoverable part M2, and the message representative is
 *
 *   6A || M1 || H(M1 || M2) || BC          (SHA-1)
 *   6A || M1 || H(M1 || M2) || hid CC      (hash identifier, ISO/IEC 10118-3)
 *
 * ECDSA keys sign H(challenge) and return r||s in the plain format of
 * BSI TR-03111 §5.2.1; the hash comes from ActiveAuthenticationInfo in
 * DG14 (ICAO 9303-11 §9.2.6). */
#include <limits.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "aa.h"
#include "tlv.h"

#define AA_CHALLENGE_LEN 8

mc_status
mc_aa_sign (mc_channel *ch, const uint8_t challenge[8],
            uint8_t *sig, size_t cap, size_t *sig_len)
{
  if (!ch || !challenge || !sig || !sig_len)
    return MC_ERR_INVALID_ARG;
  *sig_len = 0;

  /* ICAO 9303-11 §6.1: INTERNAL AUTHENTICATE 00 88 00 00, Lc 08, Le 00. */
  mc_apdu a = {
    .cla = 0x00, .ins = 0x88, .p1 = 0x00, .p2 = 0x00,
    .data = challenge, .lc = AA_CHALLENGE_LEN, .le = 256,
  };
  uint16_t sw = 0;
  size_t n = 0;
  mc_status st = mc_channel_transceive (ch, &a, sig, cap, &n, &sw);
  if (st != MC_OK)
    return st;
  if (sw != 0x9000)
    return mc_sw_to_status (sw);
  if (n == 0)
    return MC_ERR_MALFORMED;
  *sig_len = n;
  return MC_OK;
}

/* DG15 = 6F { SubjectPublicKeyInfo }, nothing before or after. */
static mc_status
aa_parse_dg15 (const uint8_t *dg15, size_t len, EVP_PKEY **out)
{
  mc_tlv t;
  *out = NULL;
  if (mc_tlv_read (dg15, len, &t) != MC_OK || t.tag != 0x6F
      || t.header_len + t.len != len || t.len == 0 || t.len > LONG_MAX)
    return MC_ERR_MALFORMED;

  const unsigned char *p = t.value;
  EVP_PKEY *key = d2i_PUBKEY (NULL, &p, (long) t.len);
  if (!key)
    return MC_ERR_MALFORMED;
  if (p != t.value + t.len)
    {
      EVP_PKEY_free (key);
      return MC_ERR_MALFORMED;
    }
  *out = key;
  return MC_OK;
}

/* Hash identifiers of ISO/IEC 10118-3, as used in the 9796-2 trailer. */
static const EVP_MD *
aa_md_from_hash_id (uint8_t id)
{
  switch (id)
    {
    case 0x33: return EVP_sha1 ();
    case 0x34: return EVP_sha256 ();
    case 0x35: return EVP_sha512 ();
    case 0x36: return EVP_sha384 ();
    case 0x38: return EVP_sha224 ();
    default:   return NULL;
    }
}

/* m = sig^e mod n, k bytes (the raw RSA public operation). */
static mc_status
aa_rsa_recover (EVP_PKEY *key, const uint8_t *sig, size_t sig_len,
                uint8_t *m, size_t k)
{
  mc_status st = MC_ERR_CRYPTO;
  EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey (NULL, key, NULL);
  size_t m_len = k;
  if (ctx
      && EVP_PKEY_verify_recover_init (ctx) == 1
      && EVP_PKEY_CTX_set_rsa_padding (ctx, RSA_NO_PADDING) == 1
      && EVP_PKEY_verify_recover (ctx, m, &m_len, sig, sig_len) == 1
      && m_len == k)
    st = MC_OK;
  EVP_PKEY_CTX_free (ctx);
  return st;
}

static mc_status
aa_verify_rsa (EVP_PKEY *key, const uint8_t challenge[8],
               const uint8_t *sig, size_t sig_len)
{
  int bits = EVP_PKEY_get_bits (key);
  /* Only byte-aligned moduli: then the representative is exactly k bytes
   * whose first byte is the 6A header (no padding nibbles). */
  if (bits < 512 || bits % 8 != 0 || bits > 16384)
    return MC_ERR_CRYPTO;
  size_t k = (size_t) bits / 8;
  if (sig_len != k)
    return MC_ERR_CRYPTO;

  uint8_t *m = OPENSSL_malloc (k);
  if (!m)
    return MC_ERR_NOMEM;
  mc_status st = aa_rsa_recover (key, sig, sig_len, m, k);
  if (st != MC_OK)
    goto out;
  st = MC_ERR_CRYPTO;

  /* Header: '01' (scheme 1), '1' (partial recovery), '0', then 'A'. */
  if (m[0] != 0x6A)
    goto out;

  const EVP_MD *md;
  size_t trailer;
  if (m[k - 1] == 0xBC)
    {
      md = EVP_sha1 ();
      trailer = 1;
    }
  else if (m[k - 1] == 0xCC)
    {
      md = aa_md_from_hash_id (m[k - 2]);
      trailer = 2;
    }
  else
    goto out;
  if (!md)
    goto out;

  size_t hlen = (size_t) EVP_MD_get_size (md);
  if (k < 1 + hlen + trailer)
    goto out;
  const uint8_t *m1 = m + 1;
  size_t m1_len = k - 1 - hlen - trailer;
  const uint8_t *digest = m1 + m1_len;

  uint8_t h[EVP_MAX_MD_SIZE];
  unsigned h_len = 0;
  EVP_MD_CTX *mctx = EVP_MD_CTX_new ();
  if (mctx
      && EVP_DigestInit_ex (mctx, md, NULL) == 1
      && EVP_DigestUpdate (mctx, m1, m1_len) == 1
      && EVP_DigestUpdate (mctx, challenge, AA_CHALLENGE_LEN) == 1
      && EVP_DigestFinal_ex (mctx, h, &h_len) == 1
      && h_len == hlen
      && CRYPTO_memcmp (h, digest, hlen) == 0)
    st = MC_OK;
  EVP_MD_CTX_free (mctx);

out:
  OPENSSL_clear_free (m, k);
  return st;
}

/* Digest for ECDSA from DG14's signature algorithm (ecdsa-with-SHAxxx,
 * or a bare digest NID).  ICAO 9303-11 §9.2.6 makes
 * ActiveAuthenticationInfo mandatory for ECDSA; when a chip omits it
 * (aa_sig_nid == 0) we fall back to the digest matching the key size
 * (SHA-256 up to 256-bit orders, SHA-384 up to 384, SHA-512 above),
 * the pairing recommended by BSI TR-03111 §4.1.  Unknown NIDs fail. */
static const EVP_MD *
aa_ecdsa_md (int aa_sig_nid, int order_bits)
{
  if (aa_sig_nid == NID_undef)
    {
      if (order_bits <= 256)
        return EVP_sha256 ();
      if (order_bits <= 384)
        return EVP_sha384 ();
      return EVP_sha512 ();
    }
  int md_nid = NID_undef, pk_nid = NID_undef;
  if (OBJ_find_sigid_algs (aa_sig_nid, &md_nid, &pk_nid))
    {
      if (pk_nid != NID_X9_62_id_ecPublicKey)
        return NULL;
    }
  else
    md_nid = aa_sig_nid;
  switch (md_nid)
    {
    case NID_sha1:   return EVP_sha1 ();
    case NID_sha224: return EVP_sha224 ();
    case NID_sha256: return EVP_sha256 ();
    case NID_sha384: return EVP_sha384 ();
    case NID_sha512: return EVP_sha512 ();
    default:         return NULL;
    }
}

/* r||s (each of the order's byte length) to a DER ECDSA-Sig-Value. */
static mc_status
aa_plain_to_der (const uint8_t *sig, size_t half, uint8_t **der, size_t *der_len)
{
  mc_status st = MC_ERR_CRYPTO;
  ECDSA_SIG *es = ECDSA_SIG_new ();
  BIGNUM *r = BN_bin2bn (sig, (int) half, NULL);
  BIGNUM *s = BN_bin2bn (sig + half, (int) half, NULL);
  *der = NULL;
  if (!es || !r || !s || ECDSA_SIG_set0 (es, r, s) != 1)
    {
      BN_free (r);
      BN_free (s);
      goto out;
    }
  unsigned char *buf = NULL;
  int n = i2d_ECDSA_SIG (es, &buf);
  if (n > 0)
    {
      *der = buf;
      *der_len = (size_t) n;
      st = MC_OK;
    }
out:
  ECDSA_SIG_free (es);
  return st;
}

static mc_status
aa_verify_ec (EVP_PKEY *key, int aa_sig_nid, const uint8_t challenge[8],
              const uint8_t *sig, size_t sig_len)
{
  int bits = EVP_PKEY_get_bits (key); /* order bits for EC keys */
  if (bits <= 0 || bits > 1024)
    return MC_ERR_CRYPTO;
  size_t half = ((size_t) bits + 7) / 8;
  if (sig_len != 2 * half)
    return MC_ERR_CRYPTO;
  const EVP_MD *md = aa_ecdsa_md (aa_sig_nid, bits);
  if (!md)
    return MC_ERR_CRYPTO;

  uint8_t *der = NULL;
  size_t der_len = 0;
  mc_status st = aa_plain_to_der (sig, half, &der, &der_len);
  if (st != MC_OK)
    return st;

  st = MC_ERR_CRYPTO;
  EVP_MD_CTX *mctx = EVP_MD_CTX_new ();
  if (mctx
      && EVP_DigestVerifyInit_ex (mctx, NULL, EVP_MD_get0_name (md), NULL, NULL,
                                  key, NULL) == 1
      && EVP_DigestVerify (mctx, der, der_len, challenge, AA_CHALLENGE_LEN) == 1)
    st = MC_OK;
  EVP_MD_CTX_free (mctx);
  OPENSSL_free (der);
  return st;
}

mc_status
mc_aa_verify (const uint8_t *dg15, size_t dg15_len, int aa_sig_nid,
              const uint8_t challenge[8], const uint8_t *sig, size_t sig_len)
{
  if (!dg15 || !challenge || (!sig && sig_len))
    return MC_ERR_INVALID_ARG;

  EVP_PKEY *key = NULL;
  mc_status st = aa_parse_dg15 (dg15, dg15_len, &key);
  if (st != MC_OK)
    return st;

  if (!sig || sig_len == 0)
    st = MC_ERR_CRYPTO;
  else if (EVP_PKEY_is_a (key, "RSA"))
    st = aa_verify_rsa (key, challenge, sig, sig_len);
  else if (EVP_PKEY_is_a (key, "EC"))
    st = aa_verify_ec (key, aa_sig_nid, challenge, sig, sig_len);
  else
    st = MC_ERR_CRYPTO; /* DSA etc.: not an ICAO AA algorithm */

  EVP_PKEY_free (key);
  ERR_clear_error ();
  return st;
}
