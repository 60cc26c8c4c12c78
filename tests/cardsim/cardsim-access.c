/* cardsim-access.c — chip side of BAC (ICAO 9303-11 §4.3), PACE (§4.4,
 * through OpenPACE), Chip Authentication v1 (§6.2) and Active
 * Authentication (§6.1). */
#include <string.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include "cardsim-int.h"
#include "pace.h"
#include "chip-auth.h"
#include "tlv.h"

/* ---------------------------------------------------------------- BAC */

void
cardsim_get_challenge (cardsim *c, const cardsim_apdu *a, cardsim_resp *r)
{
  if (a->p1 || a->p2 || !a->has_le || a->le != 8 || a->lc)
    {
      r->sw = a->has_le ? 0x6700 : 0x6A86;
      return;
    }
  if (RAND_bytes (c->rnd_ic, 8) != 1 || cardsim_resp_put (r, c->rnd_ic, 8) != 0)
    {
      r->sw = 0x6F00;
      return;
    }
  c->have_challenge = 1;
  r->sw = 0x9000;
}

static int
des3_cbc (int enc, const uint8_t key[16], const uint8_t *in, size_t len, uint8_t *out)
{
  uint8_t iv[8] = { 0 };
  int ok = 0, l1 = 0, l2 = 0;
  EVP_CIPHER_CTX *x = EVP_CIPHER_CTX_new ();
  if (x && EVP_CipherInit_ex (x, EVP_des_ede_cbc (), NULL, key, iv, enc) == 1
      && EVP_CIPHER_CTX_set_padding (x, 0) == 1
      && EVP_CipherUpdate (x, out, &l1, in, (int) len) == 1
      && EVP_CipherFinal_ex (x, out + l1, &l2) == 1 && (size_t) (l1 + l2) == len)
    ok = 1;
  EVP_CIPHER_CTX_free (x);
  return ok ? 0 : -1;
}

/* EXTERNAL AUTHENTICATE: cmd_data = E_IFD (32) || M_IFD (8). */
void
cardsim_external_auth (cardsim *c, const cardsim_apdu *a, cardsim_resp *r)
{
  uint8_t kseed[20], kenc[16], kmac[16], mac[8], s[32], rr[32], resp[40], kic[16], ks[16];
  uint8_t ksenc[16], ksmac[16], ssc[8];
  r->sw = 0x6300;
  if (a->lc != 40 || a->p1 || a->p2)
    {
      r->sw = 0x6700;
      goto out;
    }
  if (!c->have_challenge)
    {
      r->sw = 0x6985;
      goto out;
    }
  c->have_challenge = 0;
  /* K_seed = SHA-1(MRZ_information)[0..16] (§9.7.2) */
  SHA1 ((const uint8_t *) c->mrz_info, strlen (c->mrz_info), kseed);
  if (mc_kdf (kseed, 16, MC_KDF_ENC, MC_SM_3DES, 16, kenc) != MC_OK
      || mc_kdf (kseed, 16, MC_KDF_MAC, MC_SM_3DES, 16, kmac) != MC_OK
      || mc_sm_mac (MC_SM_3DES, kmac, 16, a->data, 32, mac) != MC_OK)
    goto out;
  if (CRYPTO_memcmp (mac, a->data + 32, 8) != 0)
    goto out;
  if (des3_cbc (0, kenc, a->data, 32, s) != 0)
    goto out;
  /* S = RND.IFD || RND.IC || K.IFD */
  if (CRYPTO_memcmp (s + 8, c->rnd_ic, 8) != 0)
    goto out;
  if (RAND_bytes (kic, 16) != 1)
    goto out;
  memcpy (rr, c->rnd_ic, 8);
  memcpy (rr + 8, s, 8);
  memcpy (rr + 16, kic, 16);
  if (des3_cbc (1, kenc, rr, 32, resp) != 0
      || mc_sm_mac (MC_SM_3DES, kmac, 16, resp, 32, resp + 32) != MC_OK)
    goto out;
  for (int i = 0; i < 16; i++)
    ks[i] = s[16 + i] ^ kic[i];
  memcpy (ssc, c->rnd_ic + 4, 4);
  memcpy (ssc + 4, s + 4, 4);
  if (mc_kdf (ks, 16, MC_KDF_ENC, MC_SM_3DES, 16, ksenc) != MC_OK
      || mc_kdf (ks, 16, MC_KDF_MAC, MC_SM_3DES, 16, ksmac) != MC_OK
      || mc_sm_start (&c->next_sm, MC_SM_3DES, ksenc, ksmac, 16, ssc, 8) != MC_OK
      || cardsim_resp_put (r, resp, 40) != 0)
    {
      mc_sm_clear (&c->next_sm);
      r->sw = 0x6F00;
      goto out;
    }
  c->switch_sm = 1;
  c->access_granted = 1;
  r->sw = 0x9000;
out:
  OPENSSL_cleanse (kseed, sizeof kseed);
  OPENSSL_cleanse (kenc, sizeof kenc);
  OPENSSL_cleanse (kmac, sizeof kmac);
  OPENSSL_cleanse (s, sizeof s);
  OPENSSL_cleanse (rr, sizeof rr);
  OPENSSL_cleanse (kic, sizeof kic);
  OPENSSL_cleanse (ks, sizeof ks);
  OPENSSL_cleanse (ksenc, sizeof ksenc);
  OPENSSL_cleanse (ksmac, sizeof ksmac);
  OPENSSL_cleanse (c->rnd_ic, sizeof c->rnd_ic);
}

/* ---------------------------------------------------------------- PACE */

void
cardsim_pace_clear (cardsim *c)
{
  if (c->pace_ctx)
    EAC_CTX_clear_free (c->pace_ctx);
  c->pace_ctx = NULL;
  if (c->pace_sec)
    PACE_SEC_clear_free (c->pace_sec);
  c->pace_sec = NULL;
  if (c->pace_term_eph)
    BUF_MEM_clear_free (c->pace_term_eph);
  c->pace_term_eph = NULL;
  c->pace_state = CS_PACE_NONE;
}

/* OpenPACE's PACE_MRZ secret is the MRZ text: it takes the document
 * number at offset 5, date of birth at 30 and expiry at 38 (TD1 lines 1
 * and 2 concatenated). */
static PACE_SEC *
pace_secret (const cardsim *c, int ref)
{
  if (ref == 2)
    return PACE_SEC_new (c->can, strlen (c->can), PACE_CAN);
  char td1[46];
  memset (td1, '<', sizeof td1);
  memcpy (td1 + 5, c->mrz_info, 10);
  memcpy (td1 + 30, c->mrz_info + 10, 7);
  memcpy (td1 + 38, c->mrz_info + 17, 7);
  PACE_SEC *s = PACE_SEC_new (td1, 45, PACE_MRZ);
  OPENSSL_cleanse (td1, sizeof td1);
  return s;
}

/* Finds a DO in cmd data; NULL when absent. */
static const uint8_t *
find_do (const uint8_t *buf, size_t len, uint32_t tag, size_t *vlen)
{
  mc_tlv t;
  if (mc_tlv_find (buf, len, tag, &t) != MC_OK)
    return NULL;
  *vlen = t.len;
  return t.value;
}

static void
mse_pace (cardsim *c, const cardsim_apdu *a, cardsim_resp *r)
{
  size_t oid_len = 0, ref_len = 0;
  cardsim_pace_clear (c);
  if (c->faults.bac_only)
    {
      r->sw = 0x6A80;
      return;
    }
  const uint8_t *oid = find_do (a->data, a->lc, 0x80, &oid_len);
  const uint8_t *ref = find_do (a->data, a->lc, 0x83, &ref_len);
  if (!oid || !ref || ref_len != 1 || (ref[0] != 1 && ref[0] != 2))
    {
      r->sw = 0x6A80;
      return;
    }
  const cardsim_buf *ca = &c->files[0x1C];
  c->pace_ctx = EAC_CTX_new ();
  if (!c->pace_ctx || !EAC_CTX_init_ef_cardaccess (ca->data, ca->len, c->pace_ctx)
      || !c->pace_ctx->pace_ctx)
    {
      cardsim_pace_clear (c);
      r->sw = 0x6F00;
      return;
    }
  ASN1_OBJECT *obj = OBJ_nid2obj (c->pace_ctx->pace_ctx->protocol);
  if (!obj || (size_t) OBJ_length (obj) != oid_len
      || memcmp (OBJ_get0_data (obj), oid, oid_len) != 0)
    {
      cardsim_pace_clear (c);
      r->sw = 0x6A80;
      return;
    }
  c->pace_sec = pace_secret (c, ref[0]);
  if (!c->pace_sec)
    {
      cardsim_pace_clear (c);
      r->sw = 0x6F00;
      return;
    }
  c->pace_ref = ref[0];
  c->pace_state = CS_PACE_SET;
  r->sw = 0x9000;
}

/* 7C { tag value } into r. */
static int
put_dyn (cardsim_resp *r, uint8_t tag, const void *v, size_t n)
{
  uint8_t h[8];
  size_t inner = mc_tlv_size (tag, n);
  size_t hl = mc_tlv_put_header (0x7C, inner, h, sizeof h);
  if (!hl || cardsim_resp_put (r, h, hl) != 0)
    return -1;
  hl = mc_tlv_put_header (tag, n, h, sizeof h);
  if (!hl || cardsim_resp_put (r, h, hl) != 0 || cardsim_resp_put (r, v, n) != 0)
    return -1;
  return 0;
}

/* One step of GENERAL AUTHENTICATE for PACE (ICAO 9303-11 §4.4.3.3). */
static void
ga_pace (cardsim *c, const cardsim_apdu *a, const uint8_t *dyn, size_t dyn_len,
         cardsim_resp *r)
{
  int last = !(a->cla & 0x10);
  BUF_MEM *in = NULL, *out = NULL;
  const uint8_t *v;
  size_t vlen = 0;
  r->sw = 0x6985;
  if ((c->pace_state != CS_PACE_KEYED) != !last)
    goto fail;
  switch (c->pace_state)
    {
    case CS_PACE_SET:
      if (dyn_len != 0)
        goto fail;
      out = PACE_STEP1_enc_nonce (c->pace_ctx, c->pace_sec);
      if (!out || put_dyn (r, 0x80, out->data, out->length) != 0)
        goto fail;
      c->pace_state = CS_PACE_NONCE;
      break;
    case CS_PACE_NONCE:
      if (!(v = find_do (dyn, dyn_len, 0x81, &vlen)) || vlen == 0)
        goto fail;
      in = mc_pace_buf (v, vlen);
      out = PACE_STEP3A_generate_mapping_data (c->pace_ctx);
      if (!in || !out || !PACE_STEP3A_map_generator (c->pace_ctx, in)
          || put_dyn (r, 0x82, out->data, out->length) != 0)
        goto fail;
      c->pace_state = CS_PACE_MAPPED;
      break;
    case CS_PACE_MAPPED:
      if (!(v = find_do (dyn, dyn_len, 0x83, &vlen)) || vlen == 0)
        goto fail;
      c->pace_term_eph = mc_pace_buf (v, vlen);
      out = PACE_STEP3B_generate_ephemeral_key (c->pace_ctx);
      if (!c->pace_term_eph || !out
          || !PACE_STEP3B_compute_shared_secret (c->pace_ctx, c->pace_term_eph)
          || !PACE_STEP3C_derive_keys (c->pace_ctx)
          || put_dyn (r, 0x84, out->data, out->length) != 0)
        goto fail;
      c->pace_state = CS_PACE_KEYED;
      break;
    case CS_PACE_KEYED:
      if (!(v = find_do (dyn, dyn_len, 0x85, &vlen)) || vlen == 0)
        goto fail;
      in = mc_pace_buf (v, vlen);
      if (!in || PACE_STEP3D_verify_authentication_token (c->pace_ctx, in) != 1)
        {
          /* wrong password: the tokens differ */
          r->len = 0;
          r->sw = 0x6300;
          cardsim_pace_clear (c);
          goto done;
        }
      out = PACE_STEP3D_compute_authentication_token (c->pace_ctx, c->pace_term_eph);
      KA_CTX *ka = c->pace_ctx->pace_ctx->ka_ctx;
      if (!out || !ka->k_enc || !ka->k_mac || ka->k_enc->length != ka->k_mac->length
          || ka->k_enc->length > 32
          || put_dyn (r, 0x86, out->data, out->length) != 0)
        goto fail;
      mc_sm_cipher cipher = EVP_CIPHER_block_size (ka->cipher) == 16 ? MC_SM_AES : MC_SM_3DES;
      if (mc_sm_start (&c->next_sm, cipher, (const uint8_t *) ka->k_enc->data,
                       (const uint8_t *) ka->k_mac->data, ka->k_enc->length, NULL, 0) != MC_OK)
        goto fail;
      c->switch_sm = 1;
      c->access_granted = 1;
      cardsim_pace_clear (c);
      break;
    default:
      goto fail;
    }
  r->sw = 0x9000;
  goto done;
fail:
  r->len = 0;
  if (r->sw == 0x9000)
    r->sw = 0x6985;
  cardsim_pace_clear (c);
done:
  if (in)
    BUF_MEM_clear_free (in);
  if (out)
    BUF_MEM_clear_free (out);
}

/* ---------------------------------------------------------------- CA */

/* CA key agreement (ICAO 9303-11 §6.2.4): the new keys take over after
 * this command's response went out under the old ones. */
static void
ca_agree (cardsim *c, const uint8_t *pub, size_t len, cardsim_resp *r, int ga)
{
  if (!c->access_granted || !c->sm.active || !c->ca_key)
    {
      r->sw = 0x6985;
      return;
    }
  if (chip_ca_derive (c->ca_key, pub, len, MC_SM_AES, 16, &c->next_sm) != 0)
    {
      mc_sm_clear (&c->next_sm);
      r->sw = 0x6A80;
      return;
    }
  if (ga)
    {
      static const uint8_t empty[] = { 0x7C, 0x00 };
      cardsim_resp_put (r, empty, sizeof empty);
    }
  c->switch_sm = 1;
  r->sw = 0x9000;
}

void
cardsim_mse (cardsim *c, const cardsim_apdu *a, cardsim_resp *r)
{
  uint16_t p = (uint16_t) (a->p1 << 8 | a->p2);
  if (p == 0xC1A4)
    {
      mse_pace (c, a, r);
      return;
    }
  if (p == 0x41A4)
    {
      /* CA with GENERAL AUTHENTICATE (AES): 80 protocol OID [84 key id] */
      size_t l = 0;
      if (!c->access_granted || !find_do (a->data, a->lc, 0x80, &l))
        {
          r->sw = c->access_granted ? 0x6A80 : 0x6985;
          return;
        }
      c->ca_pending = 1;
      r->sw = 0x9000;
      return;
    }
  if (p == 0x41A6)
    {
      /* MSE:Set KAT (3DES CA): 91 ephemeral public key [84 key id] */
      size_t l = 0;
      const uint8_t *pub = find_do (a->data, a->lc, 0x91, &l);
      if (!pub)
        {
          r->sw = 0x6A80;
          return;
        }
      ca_agree (c, pub, l, r, 0);
      return;
    }
  r->sw = 0x6A86;
}

void
cardsim_general_auth (cardsim *c, const cardsim_apdu *a, cardsim_resp *r)
{
  mc_tlv t;
  if (a->p1 || a->p2 || mc_tlv_read (a->data, a->lc, &t) != MC_OK || t.tag != 0x7C
      || t.header_len + t.len != a->lc)
    {
      r->sw = 0x6A80;
      if (c->pace_state != CS_PACE_NONE)
        cardsim_pace_clear (c);
      return;
    }
  if (c->pace_state != CS_PACE_NONE && !c->sm.active)
    {
      ga_pace (c, a, t.value, t.len, r);
      return;
    }
  if (c->ca_pending && !(a->cla & 0x10))
    {
      size_t l = 0;
      const uint8_t *pub = find_do (t.value, t.len, 0x80, &l);
      c->ca_pending = 0;
      if (!pub)
        {
          r->sw = 0x6A80;
          return;
        }
      ca_agree (c, pub, l, r, 1);
      return;
    }
  r->sw = 0x6985;
}

/* ---------------------------------------------------------------- AA */

void
cardsim_internal_auth (cardsim *c, const cardsim_apdu *a, cardsim_resp *r)
{
  uint8_t sig[1024];
  size_t sig_len = 0;
  if (!c->access_granted || !c->sm.active)
    {
      r->sw = 0x6982;
      return;
    }
  if (a->lc != 8 || a->p1 || a->p2)
    {
      r->sw = 0x6700;
      return;
    }
  if (!c->aa_key
      || chip_aa_sign (c->aa_key, c->aa_hash_nid, a->data, 8, sig, sizeof sig, &sig_len) != 0)
    {
      r->sw = 0x6F00;
      return;
    }
  size_t le = a->has_le ? a->le : 256;
  if (sig_len > le)
    {
      r->sw = 0x6700;
      return;
    }
  cardsim_resp_put (r, sig, sig_len);
  r->sw = 0x9000;
}
