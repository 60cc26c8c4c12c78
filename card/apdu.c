/* apdu.c — command APDU encoding (ISO/IEC 7816-4 §5.1) and the channel
 *
 * The channel sends APDUs through a transport, wraps them in secure
 * messaging once a session is active (ICAO 9303-11 §9.8), counts raw
 * traffic and honours cancellation between APDUs. */
#include <string.h>

#include <openssl/crypto.h>

#include "apdu.h"

/* ---------------------------------------------------------------- encoding */

mc_status
mc_apdu_encode (const mc_apdu *a, uint8_t *out, size_t cap, size_t *out_len)
{
  if (!a || !out || !out_len || (a->lc && !a->data)
      || a->lc > 65535 || a->le > 65536)
    return MC_ERR_INVALID_ARG;
  int ext = a->extended || a->lc > 255 || a->le > 256;
  size_t need = 4 + a->lc + (a->lc ? (ext ? 3 : 1) : 0)
                + (a->le ? (ext ? (a->lc ? 2 : 3) : 1) : 0);
  if (need > cap)
    return MC_ERR_INVALID_ARG;
  size_t n = 0;
  out[n++] = a->cla;
  out[n++] = a->ins;
  out[n++] = a->p1;
  out[n++] = a->p2;
  if (a->lc)
    {
      if (ext)
        {
          out[n++] = 0x00;
          out[n++] = (uint8_t) (a->lc >> 8);
        }
      out[n++] = (uint8_t) a->lc;
      memcpy (out + n, a->data, a->lc);
      n += a->lc;
    }
  if (a->le)
    {
      /* 256 encodes as 00, 65536 as 0000. */
      if (ext)
        {
          if (!a->lc)
            out[n++] = 0x00;
          out[n++] = (uint8_t) (a->le >> 8);
        }
      out[n++] = (uint8_t) a->le;
    }
  *out_len = n;
  return MC_OK;
}

mc_status
mc_apdu_decode (const uint8_t *buf, size_t len, mc_apdu *a)
{
  if (!buf || !a)
    return MC_ERR_INVALID_ARG;
  memset (a, 0, sizeof *a);
  if (len < 4)
    return MC_ERR_MALFORMED;
  a->cla = buf[0];
  a->ins = buf[1];
  a->p1 = buf[2];
  a->p2 = buf[3];
  if (len == 4)                                       /* case 1 */
    return MC_OK;
  if (len == 5)                                       /* case 2S */
    {
      a->le = buf[4] ? buf[4] : 256;
      return MC_OK;
    }
  if (buf[4] != 0)
    {
      size_t lc = buf[4];
      if (len != 5 + lc && len != 6 + lc)
        return MC_ERR_MALFORMED;
      a->lc = lc;
      a->data = buf + 5;
      if (len == 6 + lc)                              /* case 4S */
        a->le = buf[5 + lc] ? buf[5 + lc] : 256;
      return MC_OK;
    }
  /* Extended: 00 then two bytes. */
  if (len < 7)
    return MC_ERR_MALFORMED;
  a->extended = 1;
  size_t v = ((size_t) buf[5] << 8) | buf[6];
  if (len == 7)                                       /* case 2E */
    {
      a->le = v ? v : 65536;
      return MC_OK;
    }
  if (v == 0 || (len != 7 + v && len != 9 + v))
    return MC_ERR_MALFORMED;
  a->lc = v;
  a->data = buf + 7;
  if (len == 9 + v)                                   /* case 4E */
    {
      size_t le = ((size_t) buf[7 + v] << 8) | buf[8 + v];
      a->le = le ? le : 65536;
    }
  return MC_OK;
}

/* ---------------------------------------------------------------- status */

mc_status
mc_sw_to_status (uint16_t sw)
{
  switch (sw)
    {
    case 0x9000:
      return MC_OK;
    case 0x6982:
      return MC_ERR_SECURITY_STATUS;
    case 0x6A82:
      return MC_ERR_FILE_NOT_FOUND;
    case 0x6D00: case 0x6E00: case 0x6A81: case 0x6A86:
      return MC_ERR_NOT_SUPPORTED;
    case 0x6987: case 0x6988:
      return MC_ERR_SM;
    case 0x6300:
      return MC_ERR_ACCESS_DENIED;
    default:
      if ((sw & 0xFFF0) == 0x63C0)
        return MC_ERR_ACCESS_DENIED;
      return MC_ERR_CARD_STATUS;
    }
}

/* ---------------------------------------------------------------- channel */

void
mc_channel_init (mc_channel *ch, mc_transmit_fn fn, void *user)
{
  if (!ch)
    return;
  memset (ch, 0, sizeof *ch);
  ch->transmit = fn;
  ch->user = user;
}

/* One raw exchange: cancellation check, transmit, counters. */
static mc_status
channel_raw (mc_channel *ch, const uint8_t *cmd, size_t cmd_len,
             uint8_t *resp, size_t *resp_len)
{
  if (ch->cancel && *ch->cancel)
    return MC_ERR_CANCELLED;
  size_t cap = *resp_len;
  mc_status st = ch->transmit (ch->user, cmd, cmd_len, resp, resp_len);
  if (st != MC_OK)
    return st;
  if (*resp_len < 2 || *resp_len > cap)
    return MC_ERR_READER;
  ch->apdus++;
  ch->bytes_out += cmd_len;
  ch->bytes_in += *resp_len;
  return MC_OK;
}

/* Appends the data part of a raw response to the caller's buffer. */
static mc_status
channel_take (const uint8_t *r, size_t n, uint8_t *resp, size_t resp_cap,
              size_t *got)
{
  if (n == 0)
    return MC_OK;
  if (!resp || n > resp_cap - *got)
    return MC_ERR_MALFORMED;
  memcpy (resp + *got, r, n);
  *got += n;
  return MC_OK;
}

/* Plain (unprotected) exchange with 61xx GET RESPONSE chaining and 6Cxx
 * re-sending with the exact Le (ISO 7816-3 §12.2 / 7816-4 §5.1.3). */
static mc_status
channel_plain (mc_channel *ch, const mc_apdu *cmd, uint8_t *buf, size_t buf_cap,
               uint8_t *r, uint8_t *resp, size_t resp_cap, size_t *got, uint16_t *sw)
{
  size_t n;
  mc_status st = mc_apdu_encode (cmd, buf, buf_cap, &n);
  if (st != MC_OK)
    return st;
  size_t rl = MC_RAPDU_MAX;
  st = channel_raw (ch, buf, n, r, &rl);
  if (st != MC_OK)
    return st;
  uint16_t s = (uint16_t) ((r[rl - 2] << 8) | r[rl - 1]);
  if ((s & 0xFF00) == 0x6C00 && rl == 2)
    {
      /* Wrong Le: re-send once with Le = SW2 (00 means 256). */
      mc_apdu again = *cmd;
      again.le = (s & 0xFF) ? (s & 0xFF) : 256;
      st = mc_apdu_encode (&again, buf, buf_cap, &n);
      if (st != MC_OK)
        return st;
      rl = MC_RAPDU_MAX;
      st = channel_raw (ch, buf, n, r, &rl);
      if (st != MC_OK)
        return st;
      s = (uint16_t) ((r[rl - 2] << 8) | r[rl - 1]);
    }
  st = channel_take (r, rl - 2, resp, resp_cap, got);
  /* 61xx: more bytes available; fetch them with GET RESPONSE.  Bounded so
   * a card answering 61xx forever cannot loop us. */
  for (unsigned i = 0; st == MC_OK && (s & 0xFF00) == 0x6100 && i < 256; i++)
    {
      mc_apdu gr = { .cla = cmd->cla & 0x03, .ins = 0xC0,
                     .le = (s & 0xFF) ? (s & 0xFF) : 256 };
      st = mc_apdu_encode (&gr, buf, buf_cap, &n);
      if (st != MC_OK)
        break;
      rl = MC_RAPDU_MAX;
      st = channel_raw (ch, buf, n, r, &rl);
      if (st != MC_OK)
        break;
      s = (uint16_t) ((r[rl - 2] << 8) | r[rl - 1]);
      st = channel_take (r, rl - 2, resp, resp_cap, got);
    }
  if (st == MC_OK && (s & 0xFF00) == 0x6100)
    st = MC_ERR_CARD_STATUS;
  *sw = s;
  return st;
}

/* Protected exchange (ICAO 9303-11 §9.8). */
static mc_status
channel_sm (mc_channel *ch, const mc_apdu *cmd, uint8_t *buf, size_t buf_cap,
            uint8_t *r, uint8_t *resp, size_t resp_cap, size_t *got, uint16_t *sw)
{
  size_t n, pn;
  uint8_t *prot = r; /* the response buffer doubles as the protected APDU */
  mc_status st = mc_apdu_encode (cmd, buf, buf_cap, &n);
  if (st != MC_OK)
    return st;
  st = mc_sm_wrap_command (&ch->sm, buf, n, prot, MC_APDU_MAX, &pn);
  OPENSSL_cleanse (buf, n);
  if (st != MC_OK)
    {
      mc_sm_clear (&ch->sm);
      return st == MC_ERR_INVALID_ARG ? st : MC_ERR_SM;
    }
  memcpy (buf, prot, pn);
  size_t rl = MC_RAPDU_MAX;
  st = channel_raw (ch, buf, pn, r, &rl);
  if (st != MC_OK)
    return st;
  uint16_t s = (uint16_t) ((r[rl - 2] << 8) | r[rl - 1]);
  if (rl == 2 && s != 0x9000 && (s & 0xFF00) != 0x6100)
    {
      /* A bare status word: the card answered without SM (ICAO 9303-11
       * §9.8.7: e.g. 6982, 6A82, or 6987/6988 for a broken SM object).
       * The SSC is out of step only in the latter case; it ends the
       * session. */
      *sw = s;
      if (s == 0x6987 || s == 0x6988)
        {
          mc_sm_clear (&ch->sm);
          return MC_ERR_SM;
        }
      return MC_OK;
    }
  size_t dl = 0;
  uint8_t *dst = resp ? resp + *got : NULL;
  st = mc_sm_unwrap_response (&ch->sm, r, rl, dst, resp ? resp_cap - *got : 0, &dl, sw);
  if (st == MC_ERR_INVALID_ARG)
    return MC_ERR_MALFORMED; /* MAC verified, more data than resp holds */
  if (st != MC_OK)
    {
      mc_sm_clear (&ch->sm);
      return MC_ERR_SM;
    }
  *got += dl;
  return MC_OK;
}

mc_status
mc_channel_transceive (mc_channel *ch, const mc_apdu *cmd,
                       uint8_t *resp, size_t resp_cap, size_t *resp_len,
                       uint16_t *sw)
{
  if (!ch || !ch->transmit || !cmd)
    return MC_ERR_INVALID_ARG;
  /* Heap buffers: an extended APDU and its response are 64 KiB each. */
  uint8_t *buf = OPENSSL_malloc (MC_APDU_MAX);
  uint8_t *r = OPENSSL_malloc (MC_RAPDU_MAX + 16);
  if (!buf || !r)
    {
      OPENSSL_free (buf);
      OPENSSL_free (r);
      return MC_ERR_NOMEM;
    }
  size_t got = 0;
  uint16_t s = 0;
  mc_status st;
  if (ch->sm.active)
    st = channel_sm (ch, cmd, buf, MC_APDU_MAX, r, resp, resp_cap, &got, &s);
  else
    st = channel_plain (ch, cmd, buf, MC_APDU_MAX, r, resp, resp_cap, &got, &s);
  OPENSSL_clear_free (buf, MC_APDU_MAX);
  OPENSSL_clear_free (r, MC_RAPDU_MAX + 16);
  if (resp_len)
    *resp_len = got;
  if (sw)
    *sw = s;
  return st;
}
