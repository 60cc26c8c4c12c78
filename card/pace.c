/* pace.c — PACE, terminal side (ICAO 9303-11 §4.4), with OpenPACE doing
 * the cryptography: MSE:Set AT, then four GENERAL AUTHENTICATE commands
 * (encrypted nonce, mapping, key agreement, mutual authentication), then
 * secure messaging with the derived keys and SSC 0 (§9.8). */
#include <string.h>
#include <openssl/buffer.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <eac/eac.h>
#include <eac/pace.h>
#include "mrz.h"
#include "pace.h"
#include "tlv.h"

#define PACE_RESP_MAX 1024
#define PACE_CMD_MAX 600

/* A BUF_MEM with a copy of d (OpenPACE's own helper is not declared in
 * its public headers).  Shared with the card simulator's chip side. */
BUF_MEM *
mc_pace_buf (const uint8_t *d, size_t n)
{
  BUF_MEM *b = BUF_MEM_new ();
  if (!b || (n && BUF_MEM_grow (b, n) != n))
    {
      BUF_MEM_free (b);
      return NULL;
    }
  if (n)
    memcpy (b->data, d, n);
  b->length = n;
  return b;
}

static void
pace_buf_free (BUF_MEM *b)
{
  if (b)
    BUF_MEM_clear_free (b);
}

/* The card refused the password: 63Cx (tries left), 6300, or blocked /
 * suspended (6983, 6984, ICAO 9303-11 §4.4.4). */
static mc_status
pace_sw_status (uint16_t sw)
{
  if (sw == 0x9000)
    return MC_OK;
  if (sw == 0x6300 || (sw & 0xFFF0) == 0x63C0 || sw == 0x6983 || sw == 0x6984)
    return MC_ERR_ACCESS_DENIED;
  mc_status st = mc_sw_to_status (sw);
  return st == MC_OK ? MC_ERR_CARD_STATUS : st;
}

/* OpenPACE's PACE_MRZ secret is MRZ text: it reads the document number
 * (with check digit) at offset 5, the date of birth at 30 and the expiry
 * at 38, i.e. TD1 lines 1 and 2 concatenated, and hashes them into
 * K = SHA-1(MRZ_information) (§9.7.3).  Build that layout from the
 * MRZ_information. */
static PACE_SEC *
pace_secret (const mc_access *a, int *ref, mc_status *st)
{
  if (a->can[0])
    {
      size_t n = strlen (a->can);
      for (size_t i = 0; i < n; i++)
        if (a->can[i] < '0' || a->can[i] > '9')
          {
            *st = MC_ERR_BAD_ACCESS_DATA;
            return NULL;
          }
      *ref = 2;
      PACE_SEC *s = PACE_SEC_new (a->can, n, PACE_CAN);
      *st = s ? MC_OK : MC_ERR_CRYPTO;
      return s;
    }
  char info[25], td1[46];
  *st = mc_mrz_key_info (a, info);
  if (*st != MC_OK)
    return NULL;
  memset (td1, '<', sizeof td1);
  memcpy (td1 + 5, info, 10);
  memcpy (td1 + 30, info + 10, 7);
  memcpy (td1 + 38, info + 17, 7);
  *ref = 1;
  PACE_SEC *s = PACE_SEC_new (td1, 45, PACE_MRZ);
  OPENSSL_cleanse (info, sizeof info);
  OPENSSL_cleanse (td1, sizeof td1);
  *st = s ? MC_OK : MC_ERR_CRYPTO;
  return s;
}

/* Appends one DO (tag < 0x100) to buf. */
static mc_status
put_do (uint8_t *buf, size_t cap, size_t *n, uint32_t tag, const void *v, size_t len)
{
  size_t h = mc_tlv_put_header (tag, len, buf + *n, cap - *n);
  if (!h || len > cap - *n - h)
    return MC_ERR_INVALID_ARG;
  if (len)
    memcpy (buf + *n + h, v, len);
  *n += h + len;
  return MC_OK;
}

/* One GENERAL AUTHENTICATE (ICAO 9303-11 §4.4.4.2): sends 7C { tag v }
 * (7C 00 when v is NULL), chained (CLA 10) unless last, and returns the
 * value of out_tag from the card's 7C. */
static mc_status
pace_ga (mc_channel *ch, int last, uint32_t tag, const BUF_MEM *v, uint32_t out_tag,
         BUF_MEM **out)
{
  uint8_t cmd[PACE_CMD_MAX], inner[PACE_CMD_MAX], resp[PACE_RESP_MAX];
  size_t n = 0, in_len = 0, resp_len = 0;
  uint16_t sw = 0;
  mc_status st = MC_OK;
  *out = NULL;
  if (v)
    st = put_do (inner, sizeof inner, &in_len, tag, v->data, v->length);
  if (st == MC_OK)
    st = put_do (cmd, sizeof cmd, &n, 0x7C, inner, in_len);
  if (st != MC_OK)
    return st;
  mc_apdu apdu = { .cla = last ? 0x00 : 0x10, .ins = 0x86, .p1 = 0, .p2 = 0,
                   .data = cmd, .lc = n, .le = 256 };
  st = mc_channel_transceive (ch, &apdu, resp, sizeof resp, &resp_len, &sw);
  if (st == MC_OK)
    st = pace_sw_status (sw);
  if (st == MC_OK)
    {
      /* 7C must span the whole response; the DO inside it is the answer */
      mc_tlv dyn, item;
      if (mc_tlv_read (resp, resp_len, &dyn) != MC_OK || dyn.tag != 0x7C
          || dyn.header_len + dyn.len != resp_len
          || mc_tlv_find (dyn.value, dyn.len, out_tag, &item) != MC_OK || item.len == 0)
        st = MC_ERR_MALFORMED;
      else if (!(*out = mc_pace_buf (item.value, item.len)))
        st = MC_ERR_NOMEM;
    }
  OPENSSL_cleanse (resp, sizeof resp);
  return st;
}

/* MSE:Set AT for PACE (§4.4.4.1): 80 protocol OID, 83 password reference,
 * 84 domain parameter id when EF.CardAccess lists several PACEInfos. */
static mc_status
pace_mse (mc_channel *ch, const EAC_CTX *ctx, int ref)
{
  uint8_t data[64];
  size_t n = 0;
  uint8_t r = (uint8_t) ref;
  ASN1_OBJECT *obj = OBJ_nid2obj (ctx->pace_ctx->protocol);
  if (!obj || OBJ_length (obj) <= 0)
    return MC_ERR_UNSUPPORTED_CARD;
  mc_status st = put_do (data, sizeof data, &n, 0x80, OBJ_get0_data (obj), (size_t) OBJ_length (obj));
  if (st == MC_OK)
    st = put_do (data, sizeof data, &n, 0x83, &r, 1);
  if (st == MC_OK && sk_num ((const OPENSSL_STACK *) ctx->pace_ctxs) > 1)
    {
      if (ctx->pace_ctx->id < 0 || ctx->pace_ctx->id > 0xFF)
        return MC_ERR_UNSUPPORTED_CARD;
      uint8_t id = (uint8_t) ctx->pace_ctx->id;
      st = put_do (data, sizeof data, &n, 0x84, &id, 1);
    }
  if (st != MC_OK)
    return st;
  mc_apdu apdu = { .cla = 0x00, .ins = 0x22, .p1 = 0xC1, .p2 = 0xA4, .data = data, .lc = n };
  uint16_t sw = 0;
  st = mc_channel_transceive (ch, &apdu, NULL, 0, NULL, &sw);
  if (st != MC_OK)
    return st;
  return pace_sw_status (sw);
}

/* Steps 1-4 and the switch to secure messaging. */
static mc_status
pace_steps (mc_channel *ch, EAC_CTX *ctx, const PACE_SEC *sec)
{
  BUF_MEM *nonce = NULL, *map_pcd = NULL, *map_ic = NULL, *eph_pcd = NULL,
    *eph_ic = NULL, *tok_pcd = NULL, *tok_ic = NULL;
  mc_status st;

  /* 1: encrypted nonce */
  st = pace_ga (ch, 0, 0, NULL, 0x80, &nonce);
  if (st != MC_OK)
    goto out;
  if (!PACE_STEP2_dec_nonce (ctx, sec, nonce))
    {
      st = MC_ERR_CRYPTO;
      goto out;
    }
  /* 2: generic mapping */
  if (!(map_pcd = PACE_STEP3A_generate_mapping_data (ctx)))
    {
      st = MC_ERR_CRYPTO;
      goto out;
    }
  st = pace_ga (ch, 0, 0x81, map_pcd, 0x82, &map_ic);
  if (st != MC_OK)
    goto out;
  if (!PACE_STEP3A_map_generator (ctx, map_ic))
    {
      st = MC_ERR_MALFORMED;   /* the card's mapping key is not on the curve */
      goto out;
    }
  /* 3: ephemeral key agreement */
  if (!(eph_pcd = PACE_STEP3B_generate_ephemeral_key (ctx)))
    {
      st = MC_ERR_CRYPTO;
      goto out;
    }
  st = pace_ga (ch, 0, 0x83, eph_pcd, 0x84, &eph_ic);
  if (st != MC_OK)
    goto out;
  if (!PACE_STEP3B_compute_shared_secret (ctx, eph_ic) || !PACE_STEP3C_derive_keys (ctx))
    {
      st = MC_ERR_MALFORMED;
      goto out;
    }
  /* 4: mutual authentication: T_PCD over the card's key, T_IC checked */
  if (!(tok_pcd = PACE_STEP3D_compute_authentication_token (ctx, eph_ic)))
    {
      st = MC_ERR_CRYPTO;
      goto out;
    }
  st = pace_ga (ch, 1, 0x85, tok_pcd, 0x86, &tok_ic);
  if (st != MC_OK)
    goto out;
  if (PACE_STEP3D_verify_authentication_token (ctx, tok_ic) != 1)
    {
      /* the chip does not hold the same keys: not this card's password, or
       * someone in the middle */
      st = MC_ERR_SM;
      goto out;
    }

  KA_CTX *ka = ctx->pace_ctx->ka_ctx;
  if (!ka || !ka->k_enc || !ka->k_mac || !ka->cipher
      || ka->k_enc->length != ka->k_mac->length || ka->k_enc->length > 32)
    {
      st = MC_ERR_CRYPTO;
      goto out;
    }
  mc_sm_cipher cipher = EVP_CIPHER_block_size (ka->cipher) == 16 ? MC_SM_AES : MC_SM_3DES;
  st = mc_sm_start (&ch->sm, cipher, (const uint8_t *) ka->k_enc->data,
                    (const uint8_t *) ka->k_mac->data, ka->k_enc->length, NULL, 0);
out:
  pace_buf_free (nonce);
  pace_buf_free (map_pcd);
  pace_buf_free (map_ic);
  pace_buf_free (eph_pcd);
  pace_buf_free (eph_ic);
  pace_buf_free (tok_pcd);
  pace_buf_free (tok_ic);
  return st;
}

mc_status
mc_pace_run_with (mc_channel *ch, const uint8_t *card_access, size_t ca_len,
                  const mc_access *a, mc_pace_hook hook, void *user)
{
  if (!ch || !card_access || !ca_len || !a || ca_len > 0x10000)
    return MC_ERR_INVALID_ARG;
  mc_status st;
  int ref = 0;
  PACE_SEC *sec = NULL;
  EAC_CTX *ctx = EAC_CTX_new ();
  if (!ctx)
    return MC_ERR_NOMEM;
  /* card_access has been validated by mc_secinfos_parse (secinfo.c):
   * libeac crashes on some malformed SecurityInfos. */
  if (!EAC_CTX_init_ef_cardaccess (card_access, ca_len, ctx) || !ctx->pace_ctx
      || !ctx->pace_ctx->ka_ctx)
    {
      st = MC_ERR_UNSUPPORTED_CARD;
      goto out;
    }
  sec = pace_secret (a, &ref, &st);
  if (!sec)
    goto out;
  if (hook)
    hook (ctx, user);
  mc_sm_clear (&ch->sm);
  st = pace_mse (ch, ctx, ref);
  if (st == MC_OK)
    st = pace_steps (ch, ctx, sec);
out:
  if (st != MC_OK)
    mc_sm_clear (&ch->sm);
  PACE_SEC_clear_free (sec);
  EAC_CTX_clear_free (ctx);
  return st;
}

mc_status
mc_pace_run (mc_channel *ch, const uint8_t *card_access, size_t ca_len, const mc_access *a)
{
  return mc_pace_run_with (ch, card_access, ca_len, a, NULL, NULL);
}
