/* chip-auth.c — chip side of Active and Chip Authentication and the
 * DG14/DG15 builders (ICAO 9303-11 §6.1, §6.2, §9.2), for the simulator
 * and the unit tests.  OpenSSL does every crypto operation and every DER
 * encoding (ASN1_SEQUENCE_ANY / ASN1_SET_ANY, i2d_PUBKEY). */
#include <stdlib.h>
#include <string.h>

#include <openssl/asn1.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <eac/objects.h>

#include "chip-auth.h"
#include "tlv.h"

/* ------------------------------------------------------------------ AA */

/* ISO/IEC 10118-3 hash identifiers for the 9796-2 trailer xx CC. */
static int
hash_id (int nid)
{
  switch (nid)
    {
    case NID_sha1:   return 0x33;
    case NID_sha256: return 0x34;
    case NID_sha512: return 0x35;
    case NID_sha384: return 0x36;
    case NID_sha224: return 0x38;
    default:         return -1;
    }
}

/* ISO/IEC 9796-2 scheme 1, partial recovery: F = 6A || M1 || H(M1||M2) ||
 * trailer, then the raw RSA private operation.  SHA-1 uses the one-byte
 * trailer BC, the others hid CC. */
static int
aa_sign_rsa (EVP_PKEY *key, int hash_nid, const uint8_t *m2, size_t m2_len,
             uint8_t *sig, size_t cap, size_t *sig_len)
{
  const EVP_MD *md = EVP_get_digestbynid (hash_nid);
  int hid = hash_id (hash_nid);
  int bits = EVP_PKEY_get_bits (key);
  if (!md || hid < 0 || bits % 8 != 0)
    return -1;
  size_t k = (size_t) bits / 8;
  size_t hlen = (size_t) EVP_MD_get_size (md);
  size_t t = hash_nid == NID_sha1 ? 1 : 2;
  if (k < 2 + hlen + t || cap < k)
    return -1;

  uint8_t *f = malloc (k);
  if (!f)
    return -1;
  size_t m1_len = k - 1 - hlen - t;
  int ret = -1;
  f[0] = 0x6A;
  unsigned hl = 0;
  EVP_MD_CTX *mctx = EVP_MD_CTX_new ();
  EVP_PKEY_CTX *ctx = NULL;
  if (RAND_bytes (f + 1, (int) m1_len) != 1 || !mctx
      || EVP_DigestInit_ex (mctx, md, NULL) != 1
      || EVP_DigestUpdate (mctx, f + 1, m1_len) != 1
      || EVP_DigestUpdate (mctx, m2, m2_len) != 1
      || EVP_DigestFinal_ex (mctx, f + 1 + m1_len, &hl) != 1)
    goto out;
  if (t == 1)
    f[k - 1] = 0xBC;
  else
    {
      f[k - 2] = (uint8_t) hid;
      f[k - 1] = 0xCC;
    }
  /* The raw private-key operation: "decrypt" without padding. */
  ctx = EVP_PKEY_CTX_new_from_pkey (NULL, key, NULL);
  size_t out_len = cap;
  if (ctx && EVP_PKEY_decrypt_init (ctx) == 1
      && EVP_PKEY_CTX_set_rsa_padding (ctx, RSA_NO_PADDING) == 1
      && EVP_PKEY_decrypt (ctx, sig, &out_len, f, k) == 1 && out_len == k)
    {
      *sig_len = k;
      ret = 0;
    }
out:
  EVP_PKEY_CTX_free (ctx);
  EVP_MD_CTX_free (mctx);
  OPENSSL_clear_free (f, k);
  return ret;
}

/* ECDSA over H(challenge), DER signature converted to plain r||s. */
static int
aa_sign_ec (EVP_PKEY *key, int hash_nid, const uint8_t *msg, size_t len,
            uint8_t *sig, size_t cap, size_t *sig_len)
{
  const EVP_MD *md = EVP_get_digestbynid (hash_nid);
  size_t half = ((size_t) EVP_PKEY_get_bits (key) + 7) / 8;
  if (!md || cap < 2 * half)
    return -1;
  int ret = -1;
  uint8_t der[256];
  size_t der_len = sizeof der;
  ECDSA_SIG *es = NULL;
  EVP_MD_CTX *mctx = EVP_MD_CTX_new ();
  if (!mctx
      || EVP_DigestSignInit_ex (mctx, NULL, EVP_MD_get0_name (md), NULL, NULL, key, NULL) != 1
      || EVP_DigestSign (mctx, der, &der_len, msg, len) != 1)
    goto out;
  const unsigned char *p = der;
  es = d2i_ECDSA_SIG (NULL, &p, (long) der_len);
  if (!es
      || BN_bn2binpad (ECDSA_SIG_get0_r (es), sig, (int) half) < 0
      || BN_bn2binpad (ECDSA_SIG_get0_s (es), sig + half, (int) half) < 0)
    goto out;
  *sig_len = 2 * half;
  ret = 0;
out:
  ECDSA_SIG_free (es);
  EVP_MD_CTX_free (mctx);
  return ret;
}

int
chip_aa_sign (EVP_PKEY *key, int hash_nid, const uint8_t *challenge, size_t len,
              uint8_t *sig, size_t cap, size_t *sig_len)
{
  if (!key || !challenge || !sig || !sig_len)
    return -1;
  if (EVP_PKEY_is_a (key, "RSA"))
    return aa_sign_rsa (key, hash_nid, challenge, len, sig, cap, sig_len);
  if (EVP_PKEY_is_a (key, "EC"))
    return aa_sign_ec (key, hash_nid, challenge, len, sig, cap, sig_len);
  return -1;
}

/* ------------------------------------------------------------------ CA */

int
chip_ca_derive (EVP_PKEY *chip_key, const uint8_t *term_pub, size_t term_pub_len,
                mc_sm_cipher cipher, size_t key_len, mc_sm *sm)
{
  int ret = -1;
  uint8_t secret[1024];
  size_t s_len = sizeof secret;
  uint8_t k_enc[32], k_mac[32];
  EVP_PKEY *peer = EVP_PKEY_new ();
  EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey (NULL, chip_key, NULL);
  if (!peer || !ctx
      || EVP_PKEY_copy_parameters (peer, chip_key) != 1
      || EVP_PKEY_set1_encoded_public_key (peer, term_pub, term_pub_len) != 1
      || EVP_PKEY_derive_init (ctx) != 1)
    goto out;
  if (!EVP_PKEY_is_a (chip_key, "EC") && EVP_PKEY_CTX_set_dh_pad (ctx, 1) != 1)
    goto out;
  if (EVP_PKEY_derive_set_peer (ctx, peer) != 1
      || EVP_PKEY_derive (ctx, secret, &s_len) != 1)
    goto out;
  if (mc_kdf (secret, s_len, MC_KDF_ENC, cipher, key_len, k_enc) != MC_OK
      || mc_kdf (secret, s_len, MC_KDF_MAC, cipher, key_len, k_mac) != MC_OK)
    goto out;
  mc_sm_clear (sm);
  if (mc_sm_start (sm, cipher, k_enc, k_mac, key_len, NULL, 0) == MC_OK)
    ret = 0;
out:
  OPENSSL_cleanse (secret, sizeof secret);
  OPENSSL_cleanse (k_enc, sizeof k_enc);
  OPENSSL_cleanse (k_mac, sizeof k_mac);
  EVP_PKEY_CTX_free (ctx);
  EVP_PKEY_free (peer);
  return ret;
}

/* ------------------------------------------------------------ builders */

/* Wraps der in an application tag (6E, 6F) into a malloc'd buffer. */
static int
wrap_tag (uint32_t tag, const uint8_t *der, size_t len, uint8_t **out, size_t *out_len)
{
  size_t total = mc_tlv_size (tag, len);
  uint8_t *buf = total ? malloc (total) : NULL;
  if (!buf)
    return -1;
  size_t h = mc_tlv_put_header (tag, len, buf, total);
  if (h == 0 || h + len != total)
    {
      free (buf);
      return -1;
    }
  memcpy (buf + h, der, len);
  *out = buf;
  *out_len = total;
  return 0;
}

int
chip_build_dg15 (EVP_PKEY *aa_key, uint8_t **out, size_t *out_len)
{
  unsigned char *der = NULL;
  int n = aa_key ? i2d_PUBKEY (aa_key, &der) : -1;
  if (n <= 0)
    return -1;
  int ret = wrap_tag (0x6F, der, (size_t) n, out, out_len);
  OPENSSL_free (der);
  return ret;
}

static ASN1_TYPE *
type_oid (ASN1_OBJECT *obj)
{
  ASN1_TYPE *t = obj ? ASN1_TYPE_new () : NULL;
  if (t)
    ASN1_TYPE_set (t, V_ASN1_OBJECT, obj);
  else
    ASN1_OBJECT_free (obj);
  return t;
}

static ASN1_TYPE *
type_int (long v)
{
  ASN1_INTEGER *i = ASN1_INTEGER_new ();
  ASN1_TYPE *t = ASN1_TYPE_new ();
  if (!i || !t || ASN1_INTEGER_set (i, v) != 1)
    {
      ASN1_INTEGER_free (i);
      ASN1_TYPE_free (t);
      return NULL;
    }
  ASN1_TYPE_set (t, V_ASN1_INTEGER, i);
  return t;
}

/* An already DER-encoded SEQUENCE as an ASN1_TYPE. */
static ASN1_TYPE *
type_der (const unsigned char *der, long len)
{
  return d2i_ASN1_TYPE (NULL, &der, len);
}

/* SEQUENCE { items... } encoded, appended to set as an ASN1_TYPE.
 * Takes ownership of the items (NULL items make it fail). */
static int
add_seq (ASN1_SEQUENCE_ANY *set, ASN1_TYPE **items, int n)
{
  ASN1_SEQUENCE_ANY *seq = sk_ASN1_TYPE_new_null ();
  int ok = seq != NULL;
  for (int i = 0; i < n; i++)
    {
      if (ok && items[i] && sk_ASN1_TYPE_push (seq, items[i]) > 0)
        continue;
      ok = 0;
      ASN1_TYPE_free (items[i]);
    }
  unsigned char *der = NULL;
  int len = ok ? i2d_ASN1_SEQUENCE_ANY (seq, &der) : -1;
  sk_ASN1_TYPE_pop_free (seq, ASN1_TYPE_free);
  if (len <= 0)
    return -1;
  ASN1_TYPE *t = type_der (der, len);
  OPENSSL_free (der);
  if (!t || sk_ASN1_TYPE_push (set, t) <= 0)
    {
      ASN1_TYPE_free (t);
      return -1;
    }
  return 0;
}

int
chip_build_dg14 (EVP_PKEY *ca_key, int ca_nid, EVP_PKEY *aa_key, int aa_sig_nid,
                 uint8_t **out, size_t *out_len)
{
  int ret = -1;
  unsigned char *spki = NULL, *der = NULL;
  ASN1_SEQUENCE_ANY *set = sk_ASN1_TYPE_new_null ();
  if (!set || !out || !out_len)
    goto out;

  if (ca_key)
    {
      int pk_nid = EVP_PKEY_is_a (ca_key, "EC") ? NID_id_PK_ECDH : NID_id_PK_DH;
      /* ChipAuthenticationInfo ::= SEQUENCE { protocol, version 1, keyId } */
      ASN1_TYPE *cai[3] = { type_oid (OBJ_nid2obj (ca_nid)), type_int (1), type_int (1) };
      if (add_seq (set, cai, 3) != 0)
        goto out;
      /* ChipAuthenticationPublicKeyInfo ::= SEQUENCE { id-PK-*, SPKI, keyId } */
      int n = i2d_PUBKEY (ca_key, &spki);
      if (n <= 0)
        goto out;
      ASN1_TYPE *pki[3] = { type_oid (OBJ_nid2obj (pk_nid)), type_der (spki, n),
                            type_int (1) };
      if (add_seq (set, pki, 3) != 0)
        goto out;
    }
  if (aa_key && EVP_PKEY_is_a (aa_key, "EC"))
    {
      /* ActiveAuthenticationInfo ::= SEQUENCE { id-AA (2.23.136.1.1.5),
       * version 1, signatureAlgorithm } (ICAO 9303-11 §9.2.6) */
      ASN1_TYPE *aai[3] = { type_oid (OBJ_txt2obj ("2.23.136.1.1.5", 1)), type_int (1),
                            type_oid (OBJ_nid2obj (aa_sig_nid)) };
      if (add_seq (set, aai, 3) != 0)
        goto out;
    }
  /* SET OF: OpenSSL sorts the elements for DER. */
  int n = i2d_ASN1_SET_ANY (set, &der);
  if (n <= 0)
    goto out;
  ret = wrap_tag (0x6E, der, (size_t) n, out, out_len);
out:
  OPENSSL_free (der);
  OPENSSL_free (spki);
  sk_ASN1_TYPE_pop_free (set, ASN1_TYPE_free);
  return ret;
}
