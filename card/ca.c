/* ca.c — Chip Authentication version 1, terminal side (ICAO 9303-11 §6.2)
 *
 * Ephemeral-static key agreement with the chip's static key from DG14
 * (ChipAuthenticationPublicKeyInfo, §9.2.5):
 *
 *   3DES: MSE:Set KAT  00 22 41 A6  91 <PK_eph> [84 <key id>]
 *   AES:  MSE:Set AT   00 22 41 A4  80 <CA OID> [84 <key id>]
 *         GENERAL AUTHENTICATE 00 86 00 00  7C { 80 <PK_eph> }  → 7C 00
 *
 * Both are sent under the current (PACE or BAC) session.  Then both sides
 * derive K_Enc/K_MAC from the shared secret (§9.7.1, counters 1 and 2)
 * and restart secure messaging with SSC = 0.  CA v1 has no token: the chip
 * proves it holds the private key by answering the next command under the
 * new keys, so mc_ca_run ends with a protected SELECT EF.COM whose answer
 * must pass the MAC check.
 *
 * Plain OpenSSL EVP does the key agreement (generation on the chip key's
 * domain parameters, ECDH x-coordinate / DH value as in BSI TR-03111
 * §4.3.1); OpenPACE is used only for its object identifiers, because its
 * public CA API is version 2 and it crashes on some malformed DG14s.  The
 * DG14 structure is validated with mc_secinfos_parse (ASN.1 templates)
 * before anything else, and the key is read with OpenSSL's generic
 * ASN1_SET_ANY / ASN1_SEQUENCE_ANY decoders and d2i_PUBKEY, which accepts
 * the explicit EC domain parameters that eMRTD chips usually carry. */
#include <limits.h>
#include <string.h>

#include <openssl/asn1.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/dh.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>

#include <eac/objects.h>

#include "ca.h"
#include "card-private.h"
#include "secinfo.h"
#include "tlv.h"

#define CA_SECRET_MAX 1024 /* bytes: DH up to 8192 bits */
#define CA_DH_MAX_BITS 4096

/* --------------------------------------------------------------- DG14 */

typedef struct {
  int  is_ec;
  int  ok;        /* protocol recognised */
  mc_sm_cipher cipher;
  size_t key_len;
} ca_proto;

/* ICAO 9303-11 §9.2.5: id-CA-{DH,ECDH}-{3DES-CBC-CBC, AES-CBC-CMAC-128/192/256}. */
static ca_proto
ca_proto_from_nid (int nid)
{
  ca_proto p = { 0 };
  if (nid == NID_undef)
    return p;
  struct { int nid; int ec; mc_sm_cipher c; size_t len; } map[] = {
    { NID_id_CA_DH_3DES_CBC_CBC,        0, MC_SM_3DES, 16 },
    { NID_id_CA_DH_AES_CBC_CMAC_128,    0, MC_SM_AES,  16 },
    { NID_id_CA_DH_AES_CBC_CMAC_192,    0, MC_SM_AES,  24 },
    { NID_id_CA_DH_AES_CBC_CMAC_256,    0, MC_SM_AES,  32 },
    { NID_id_CA_ECDH_3DES_CBC_CBC,      1, MC_SM_3DES, 16 },
    { NID_id_CA_ECDH_AES_CBC_CMAC_128,  1, MC_SM_AES,  16 },
    { NID_id_CA_ECDH_AES_CBC_CMAC_192,  1, MC_SM_AES,  24 },
    { NID_id_CA_ECDH_AES_CBC_CMAC_256,  1, MC_SM_AES,  32 },
  };
  for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
    if (map[i].nid != NID_undef && map[i].nid == nid)
      {
        p.ok = 1;
        p.is_ec = map[i].ec;
        p.cipher = map[i].c;
        p.key_len = map[i].len;
      }
  return p;
}

/* Is key usable for the key agreement (right family, sane size, valid
 * public value: point on the curve / 1 < y < p-1)? */
static int
ca_key_acceptable (EVP_PKEY *key, int is_ec)
{
  if (is_ec)
    {
      if (!EVP_PKEY_is_a (key, "EC"))
        return 0;
    }
  else
    {
      if (!EVP_PKEY_is_a (key, "DH") && !EVP_PKEY_is_a (key, "DHX"))
        return 0;
      if (EVP_PKEY_get_bits (key) > CA_DH_MAX_BITS)
        return 0;
    }
  if (EVP_PKEY_get_size (key) <= 0)
    return 0;
  EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey (NULL, key, NULL);
  int ok = ctx && EVP_PKEY_public_check (ctx) == 1;
  EVP_PKEY_CTX_free (ctx);
  return ok;
}

/* One ChipAuthenticationPublicKeyInfo (§9.2.5):
 *   SEQUENCE { protocol OID (id-PK-DH | id-PK-ECDH),
 *              chipAuthenticationPublicKey SubjectPublicKeyInfo,
 *              keyId INTEGER OPTIONAL }
 * Returns 1 and sets *key / *key_id when info is one, 0 when it is some
 * other SecurityInfo, -1 when it is a malformed one. */
static int
ca_read_pk_info (const ASN1_TYPE *info, int *is_ec, EVP_PKEY **key, long *key_id)
{
  if (info->type != V_ASN1_SEQUENCE || !info->value.sequence)
    return 0;
  const unsigned char *p = info->value.sequence->data;
  long len = info->value.sequence->length;
  ASN1_SEQUENCE_ANY *seq = d2i_ASN1_SEQUENCE_ANY (NULL, &p, len);
  if (!seq)
    return -1;

  int ret = 0;
  int n = sk_ASN1_TYPE_num (seq);
  ASN1_TYPE *oid = n > 0 ? sk_ASN1_TYPE_value (seq, 0) : NULL;
  if (!oid || oid->type != V_ASN1_OBJECT)
    goto out;
  int nid = OBJ_obj2nid (oid->value.object);
  if (nid == NID_undef || (nid != NID_id_PK_ECDH && nid != NID_id_PK_DH))
    goto out;

  ret = -1;
  *is_ec = nid == NID_id_PK_ECDH;
  ASN1_TYPE *spki = n > 1 ? sk_ASN1_TYPE_value (seq, 1) : NULL;
  ASN1_TYPE *kid = n > 2 ? sk_ASN1_TYPE_value (seq, 2) : NULL;
  if (n > 3 || !spki || spki->type != V_ASN1_SEQUENCE || !spki->value.sequence)
    goto out;
  *key_id = -1;
  if (kid)
    {
      int64_t v;
      if (kid->type != V_ASN1_INTEGER
          || ASN1_INTEGER_get_int64 (&v, kid->value.integer) != 1
          || v < 0 || v > INT32_MAX)
        goto out;
      *key_id = (long) v;
    }
  /* For a SEQUENCE, an ASN1_TYPE keeps the whole encoding, tag included. */
  p = spki->value.sequence->data;
  len = spki->value.sequence->length;
  EVP_PKEY *k = d2i_PUBKEY (NULL, &p, len);
  if (!k)
    goto out;
  if (p != spki->value.sequence->data + len)
    {
      EVP_PKEY_free (k);
      goto out;
    }
  *key = k;
  ret = 1;
out:
  sk_ASN1_TYPE_pop_free (seq, ASN1_TYPE_free);
  return ret;
}

/* Picks the chip key: the one named by want_id when ChipAuthenticationInfo
 * has a keyId, else the first of the protocol's family. */
static mc_status
ca_find_key (const uint8_t *der, size_t len, int is_ec, long want_id,
             EVP_PKEY **out, long *out_id)
{
  const unsigned char *p = der;
  ASN1_SEQUENCE_ANY *set = d2i_ASN1_SET_ANY (NULL, &p, (long) len);
  if (!set)
    return MC_ERR_MALFORMED;
  mc_status st = MC_OK;
  if (p != der + len)
    st = MC_ERR_MALFORMED;

  for (int i = 0; st == MC_OK && i < sk_ASN1_TYPE_num (set) && !*out; i++)
    {
      int k_ec = 0;
      long k_id = -1;
      EVP_PKEY *k = NULL;
      int r = ca_read_pk_info (sk_ASN1_TYPE_value (set, i), &k_ec, &k, &k_id);
      if (r < 0)
        st = MC_ERR_MALFORMED;
      if (r <= 0)
        continue;
      if (k_ec == is_ec && (want_id < 0 || k_id == want_id)
          && ca_key_acceptable (k, is_ec))
        {
          *out = k;
          *out_id = k_id;
        }
      else
        EVP_PKEY_free (k);
    }
  sk_ASN1_TYPE_pop_free (set, ASN1_TYPE_free);
  if (st == MC_OK && !*out)
    st = MC_ERR_MALFORMED; /* CA announced but no usable key */
  if (st != MC_OK)
    {
      EVP_PKEY_free (*out);
      *out = NULL;
    }
  return st;
}

void
mc_ca_params_clear (mc_ca_params *p)
{
  if (!p)
    return;
  EVP_PKEY_free (p->chip_key);
  memset (p, 0, sizeof *p);
  p->key_id = -1;
}

mc_status
mc_ca_parse (const uint8_t *dg14, size_t dg14_len, mc_ca_params *out)
{
  if (!dg14 || !out)
    return MC_ERR_INVALID_ARG;
  memset (out, 0, sizeof *out);
  out->key_id = -1;
  mc_eac_init_once ();

  mc_tlv t;
  if (mc_tlv_read (dg14, dg14_len, &t) != MC_OK || t.tag != 0x6E
      || t.header_len + t.len != dg14_len || t.len == 0 || t.len > LONG_MAX)
    return MC_ERR_MALFORMED;

  mc_secinfos si;
  memset (&si, 0, sizeof si);
  mc_status st = mc_secinfos_parse (t.value, t.len, &si);
  if (st != MC_OK)
    return st == MC_ERR_NOMEM ? st : MC_ERR_MALFORMED;
  if (!si.has_ca_pubkey)
    return MC_ERR_NOT_SUPPORTED;

  ca_proto proto;
  long want_id = -1;
  if (si.has_ca)
    {
      /* §9.2.5: version MUST be 1 for ICAO CA. */
      if (si.ca_version != 1)
        return MC_ERR_NOT_SUPPORTED;
      proto = ca_proto_from_nid (si.ca_nid);
      if (!proto.ok)
        return MC_ERR_NOT_SUPPORTED;
      want_id = si.ca_key_id;
    }
  else
    {
      /* No ChipAuthenticationInfo: first-generation chips with only a
       * ChipAuthenticationPublicKeyInfo imply 3DES (TR-03110 v1.11 §A.1.1,
       * ICAO 9303-11 §9.2.5 makes the info conditional for them).  The
       * key family decides DH or ECDH; try ECDH first. */
      proto = ca_proto_from_nid (NID_id_CA_ECDH_3DES_CBC_CBC);
      EVP_PKEY *k = NULL;
      long id = -1;
      if (proto.ok
          && ca_find_key (t.value, t.len, 1, -1, &k, &id) == MC_OK)
        {
          out->protocol_nid = NID_id_CA_ECDH_3DES_CBC_CBC;
          goto found;
        }
      proto = ca_proto_from_nid (NID_id_CA_DH_3DES_CBC_CBC);
      if (!proto.ok)
        return MC_ERR_NOT_SUPPORTED;
      st = ca_find_key (t.value, t.len, 0, -1, &k, &id);
      if (st != MC_OK)
        return st;
      out->protocol_nid = NID_id_CA_DH_3DES_CBC_CBC;
    found:
      out->chip_key = k;
      out->key_id = id;
      out->cipher = proto.cipher;
      out->key_len = proto.key_len;
      ERR_clear_error ();
      return MC_OK;
    }

  long id = -1;
  EVP_PKEY *k = NULL;
  st = ca_find_key (t.value, t.len, proto.is_ec, want_id, &k, &id);
  ERR_clear_error ();
  if (st != MC_OK)
    return st;
  out->protocol_nid = si.ca_nid;
  out->cipher = proto.cipher;
  out->key_len = proto.key_len;
  out->chip_key = k;
  out->key_id = want_id >= 0 ? want_id : id;
  return MC_OK;
}

/* ------------------------------------------------------ key agreement */

/* Ephemeral key on the chip key's domain parameters, its public value as
 * sent to the chip (uncompressed point, or DH value padded to |p|), and
 * the shared secret (ECDH x-coordinate, or DH value padded to |p|). */
static mc_status
ca_agree (EVP_PKEY *chip_key, uint8_t **eph_pub, size_t *eph_pub_len,
          uint8_t *secret, size_t cap, size_t *secret_len)
{
  mc_status st = MC_ERR_CRYPTO;
  EVP_PKEY *eph = NULL;
  EVP_PKEY_CTX *gen = EVP_PKEY_CTX_new_from_pkey (NULL, chip_key, NULL);
  EVP_PKEY_CTX *dctx = NULL;
  *eph_pub = NULL;

  if (!gen || EVP_PKEY_keygen_init (gen) != 1 || EVP_PKEY_keygen (gen, &eph) != 1)
    goto out;
  if (EVP_PKEY_is_a (eph, "EC"))
    EVP_PKEY_set_utf8_string_param (eph, OSSL_PKEY_PARAM_EC_POINT_CONVERSION_FORMAT,
                                    OSSL_PKEY_EC_POINT_CONVERSION_FORMAT_UNCOMPRESSED);
  size_t n = EVP_PKEY_get1_encoded_public_key (eph, eph_pub);
  if (n == 0)
    goto out;
  *eph_pub_len = n;

  dctx = EVP_PKEY_CTX_new_from_pkey (NULL, eph, NULL);
  size_t s_len = 0;
  if (!dctx || EVP_PKEY_derive_init (dctx) != 1)
    goto out;
  if (!EVP_PKEY_is_a (eph, "EC") && EVP_PKEY_CTX_set_dh_pad (dctx, 1) != 1)
    goto out;
  if (EVP_PKEY_derive_set_peer (dctx, chip_key) != 1
      || EVP_PKEY_derive (dctx, NULL, &s_len) != 1
      || s_len == 0 || s_len > cap
      || EVP_PKEY_derive (dctx, secret, &s_len) != 1)
    goto out;
  *secret_len = s_len;
  st = MC_OK;
out:
  if (st != MC_OK)
    {
      OPENSSL_free (*eph_pub);
      *eph_pub = NULL;
    }
  EVP_PKEY_CTX_free (dctx);
  EVP_PKEY_CTX_free (gen);
  EVP_PKEY_free (eph); /* OpenSSL clears the private scalar */
  return st;
}

/* Appends TLV (tag < 0x100) to buf at *off. */
static int
ca_put_tlv (uint8_t *buf, size_t cap, size_t *off, uint32_t tag,
            const uint8_t *v, size_t len)
{
  size_t h = mc_tlv_put_header (tag, len, buf + *off, cap - *off);
  if (h == 0 || cap - *off - h < len)
    return 0;
  memcpy (buf + *off + h, v, len);
  *off += h + len;
  return 1;
}

/* Key reference for DO'84': the keyId as a minimal unsigned integer. */
static size_t
ca_key_ref (long id, uint8_t out[4])
{
  uint8_t b[4] = { (uint8_t) (id >> 24), (uint8_t) (id >> 16),
                   (uint8_t) (id >> 8), (uint8_t) id };
  size_t i = 0;
  while (i < 3 && b[i] == 0)
    i++;
  memcpy (out, b + i, 4 - i);
  return 4 - i;
}

static mc_status
ca_send (mc_channel *ch, uint8_t ins, uint8_t p1, uint8_t p2,
         const uint8_t *data, size_t lc, size_t le)
{
  mc_apdu a = { .cla = 0x00, .ins = ins, .p1 = p1, .p2 = p2,
                .data = data, .lc = lc, .le = le };
  uint8_t resp[256];
  size_t n = 0;
  uint16_t sw = 0;
  mc_status st = mc_channel_transceive (ch, &a, resp, sizeof resp, &n, &sw);
  if (st != MC_OK)
    return st;
  if (sw != 0x9000)
    return mc_sw_to_status (sw);
  /* GENERAL AUTHENTICATE answers with (empty) dynamic authentication data. */
  if (ins == 0x86 && n > 0)
    {
      mc_tlv t;
      if (mc_tlv_read (resp, n, &t) != MC_OK || t.tag != 0x7C
          || t.header_len + t.len != n)
        return MC_ERR_MALFORMED;
    }
  return MC_OK;
}

static mc_status
ca_exchange (mc_channel *ch, const mc_ca_params *p,
             const uint8_t *eph_pub, size_t eph_pub_len)
{
  uint8_t buf[1200];
  size_t off = 0;
  uint8_t ref[4];
  size_t ref_len = p->key_id >= 0 ? ca_key_ref (p->key_id, ref) : 0;

  if (p->cipher == MC_SM_3DES)
    {
      /* §6.2.4.1: MSE:Set KAT carries the ephemeral key itself. */
      if (!ca_put_tlv (buf, sizeof buf, &off, 0x91, eph_pub, eph_pub_len)
          || (ref_len && !ca_put_tlv (buf, sizeof buf, &off, 0x84, ref, ref_len)))
        return MC_ERR_CRYPTO;
      return ca_send (ch, 0x22, 0x41, 0xA6, buf, off, 0);
    }

  /* §6.2.4.2: MSE:Set AT names the protocol, GENERAL AUTHENTICATE
   * carries the key. */
  const ASN1_OBJECT *obj = OBJ_nid2obj (p->protocol_nid);
  int olen = obj ? OBJ_length (obj) : 0;
  if (olen <= 0)
    return MC_ERR_CRYPTO;
  if (!ca_put_tlv (buf, sizeof buf, &off, 0x80, OBJ_get0_data (obj), (size_t) olen)
      || (ref_len && !ca_put_tlv (buf, sizeof buf, &off, 0x84, ref, ref_len)))
    return MC_ERR_CRYPTO;
  mc_status st = ca_send (ch, 0x22, 0x41, 0xA4, buf, off, 0);
  if (st != MC_OK)
    return st;

  uint8_t inner[1100];
  size_t ioff = 0;
  off = 0;
  if (!ca_put_tlv (inner, sizeof inner, &ioff, 0x80, eph_pub, eph_pub_len)
      || !ca_put_tlv (buf, sizeof buf, &off, 0x7C, inner, ioff))
    return MC_ERR_CRYPTO;
  return ca_send (ch, 0x86, 0x00, 0x00, buf, off, 256);
}

/* Restarts SM with the CA session keys (§9.7.1, SSC = 0). */
static mc_status
ca_restart_sm (mc_channel *ch, const mc_ca_params *p,
               const uint8_t *secret, size_t secret_len)
{
  uint8_t k_enc[32], k_mac[32];
  mc_status st = mc_kdf (secret, secret_len, MC_KDF_ENC, p->cipher, p->key_len, k_enc);
  if (st == MC_OK)
    st = mc_kdf (secret, secret_len, MC_KDF_MAC, p->cipher, p->key_len, k_mac);
  mc_sm_clear (&ch->sm);
  if (st == MC_OK)
    st = mc_sm_start (&ch->sm, p->cipher, k_enc, k_mac, p->key_len, NULL, 0);
  OPENSSL_cleanse (k_enc, sizeof k_enc);
  OPENSSL_cleanse (k_mac, sizeof k_mac);
  return st;
}

/* The chip's proof: a protected SELECT EF.COM (00 A4 02 0C 02 01 1E)
 * must come back 9000 with a valid MAC under the new keys.  A chip
 * without the private key cannot even read the command. */
static mc_status
ca_confirm (mc_channel *ch)
{
  static const uint8_t ef_com[2] = { 0x01, 0x1E };
  mc_apdu a = { .cla = 0x00, .ins = 0xA4, .p1 = 0x02, .p2 = 0x0C,
                .data = ef_com, .lc = 2 };
  uint16_t sw = 0;
  size_t n = 0;
  mc_status st = mc_channel_transceive (ch, &a, NULL, 0, &n, &sw);
  if (st == MC_OK && sw == 0x9000)
    return MC_OK;
  if (st != MC_ERR_SM)
    mc_sm_clear (&ch->sm);
  if (st == MC_ERR_CANCELLED || st == MC_ERR_CARD_REMOVED || st == MC_ERR_READER)
    return st;
  return MC_ERR_SM;
}

mc_status
mc_ca_run (mc_channel *ch, const uint8_t *dg14, size_t dg14_len)
{
  if (!ch || !dg14)
    return MC_ERR_INVALID_ARG;

  mc_ca_params p;
  mc_status st = mc_ca_parse (dg14, dg14_len, &p);
  if (st != MC_OK)
    return st;

  uint8_t secret[CA_SECRET_MAX];
  size_t secret_len = 0;
  uint8_t *eph_pub = NULL;
  size_t eph_pub_len = 0;
  st = ca_agree (p.chip_key, &eph_pub, &eph_pub_len, secret, sizeof secret, &secret_len);
  ERR_clear_error ();
  if (st == MC_OK)
    st = ca_exchange (ch, &p, eph_pub, eph_pub_len);
  if (st == MC_OK)
    st = ca_restart_sm (ch, &p, secret, secret_len);
  if (st == MC_OK)
    st = ca_confirm (ch);

  OPENSSL_cleanse (secret, sizeof secret);
  OPENSSL_free (eph_pub);
  mc_ca_params_clear (&p);
  return st;
}
