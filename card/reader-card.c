/* reader-card.c — the PC/SC side of a card connection (see reader.h) */
#include "reader-private.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* <PCSC/reader.h>, spelled with its directory: "reader.h" is ours. */
#include <PCSC/reader.h>

/* Sharing violations are retried this often, this far apart. */
#define MC_SHARING_RETRIES 20
#define MC_SHARING_STEP_MS 100

struct mc_pcsc_card {
  mc_context  *ctx;
  SCARDHANDLE  h;
  DWORD        protocol;
  char        *reader;
  uint8_t      atr[MAX_ATR_SIZE];
  size_t       atr_len;
  int          max_apdu;   /* -1: not asked yet */
};

/* The first reader with a card not in use, else the first with a card. */
static mc_status
mc_pick_reader (mc_context *ctx, char **out)
{
  mc_reader *r = NULL;
  size_t n = 0;
  mc_status st = mc_context_list_readers (ctx, &r, &n);
  if (st != MC_OK)
    return st;
  if (n == 0 || !r)
    return MC_ERR_NO_READER;
  size_t pick = n;
  for (size_t i = 0; i < n && pick == n; i++)
    if (r[i].card_present && !r[i].card_in_use)
      pick = i;
  for (size_t i = 0; i < n && pick == n; i++)
    if (r[i].card_present)
      pick = i;
  st = MC_ERR_NO_CARD;
  if (pick < n)
    {
      *out = strdup (r[pick].name);
      st = *out ? MC_OK : MC_ERR_NOMEM;
    }
  mc_readers_free (r, n);
  return st;
}

static LONG
mc_read_atr (mc_pcsc_card *c)
{
  BYTE atr[MAX_ATR_SIZE];
  DWORD atr_len = sizeof atr, state = 0, proto = 0;
  DWORD rlen = 0;
  LONG rv = SCardStatus (c->h, NULL, &rlen, &state, &proto, atr, &atr_len);
  if (rv != SCARD_S_SUCCESS)
    return rv;
  c->atr_len = atr_len <= sizeof c->atr ? atr_len : sizeof c->atr;
  memcpy (c->atr, atr, c->atr_len);
  return rv;
}

static LONG
mc_connect_retrying (mc_context *ctx, const char *reader, SCARDHANDLE *h, DWORD *proto)
{
  LONG rv = SCARD_E_SHARING_VIOLATION;
  for (int i = 0; i < MC_SHARING_RETRIES; i++)
    {
      rv = SCardConnect (ctx->h, reader, SCARD_SHARE_EXCLUSIVE,
                         SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1, h, proto);
      if (rv != SCARD_E_SHARING_VIOLATION)
        return rv;
      if (mc_sleep_cancellable (ctx, MC_SHARING_STEP_MS))
        return SCARD_E_CANCELLED;
    }
  return rv;
}

mc_status
mc_pcsc_connect (mc_context *ctx, const char *reader, mc_pcsc_card **out)
{
  if (!ctx || !out)
    return MC_ERR_INVALID_ARG;
  *out = NULL;
  mc_pcsc_card *c = calloc (1, sizeof *c);
  if (!c)
    return MC_ERR_NOMEM;
  c->ctx = ctx;
  c->max_apdu = -1;

  mc_status st = MC_ERR_NO_SERVICE;
  /* Twice: a context found dead on the first try is rebuilt once. */
  for (int attempt = 0; attempt < 2; attempt++)
    {
      st = mc_context_ensure (ctx, 1000);
      if (st != MC_OK)
        break;
      free (c->reader);
      c->reader = NULL;
      if (reader)
        {
          c->reader = strdup (reader);
          st = c->reader ? MC_OK : MC_ERR_NOMEM;
        }
      else
        st = mc_pick_reader (ctx, &c->reader);
      if (st == MC_ERR_NO_SERVICE)
        continue;
      if (st != MC_OK)
        break;
      LONG rv = mc_connect_retrying (ctx, c->reader, &c->h, &c->protocol);
      if (rv == SCARD_S_SUCCESS)
        {
          rv = mc_read_atr (c);
          if (rv != SCARD_S_SUCCESS)
            SCardDisconnect (c->h, SCARD_LEAVE_CARD);
        }
      if (rv == SCARD_E_SHARING_VIOLATION)
        st = MC_ERR_READER;
      else if (rv == SCARD_W_REMOVED_CARD)
        st = MC_ERR_NO_CARD;    /* left before we could connect */
      else
        st = mc_pcsc_lost_status (ctx, rv);
      if (st != MC_ERR_NO_SERVICE)
        break;
    }
  if (st == MC_ERR_CANCELLED)
    mc_context_cancel_take (ctx);
  if (st != MC_OK)
    {
      free (c->reader);
      free (c);
      return st;
    }
  *out = c;
  return MC_OK;
}

/* Waits up to about a second for the reader to report the card absent
 * or changed; 1 when it did. */
static int
mc_pcsc_card_gone (mc_pcsc_card *c)
{
  SCARD_READERSTATE rs = { .szReader = c->reader, .dwCurrentState = SCARD_STATE_UNAWARE };
  for (int i = 0; i < 10; i++)
    {
      pthread_mutex_lock (&c->ctx->lock);
      int have = c->ctx->have_h;
      SCARDCONTEXT h = c->ctx->h;
      pthread_mutex_unlock (&c->ctx->lock);
      if (!have)
        return 0;
      LONG rv = SCardGetStatusChange (h, i == 0 ? 0 : 100, &rs, 1);
      if (rv != SCARD_S_SUCCESS && rv != SCARD_E_TIMEOUT)
        return rv == SCARD_E_UNKNOWN_READER;
      if (rs.dwEventState & (SCARD_STATE_EMPTY | SCARD_STATE_UNAVAILABLE | SCARD_STATE_UNKNOWN))
        return 1;
      rs.dwCurrentState = rs.dwEventState & ~SCARD_STATE_CHANGED;
    }
  return 0;
}

mc_status
mc_pcsc_transmit (void *pcsc_card, const uint8_t *cmd, size_t len,
                  uint8_t *resp, size_t *resp_len)
{
  mc_pcsc_card *c = pcsc_card;
  if (!c || !cmd || !resp || !resp_len || len == 0 || len > MAX_BUFFER_SIZE_EXTENDED)
    return MC_ERR_INVALID_ARG;
  DWORD rlen = *resp_len > MAX_BUFFER_SIZE_EXTENDED
               ? MAX_BUFFER_SIZE_EXTENDED : (DWORD) *resp_len;
  const SCARD_IO_REQUEST *pci = c->protocol == SCARD_PROTOCOL_T0
                                ? SCARD_PCI_T0 : SCARD_PCI_T1;
  LONG rv = SCardTransmit (c->h, pci, cmd, (DWORD) len, NULL, resp, &rlen);
  if (rv == SCARD_S_SUCCESS)
    {
      if (rlen < 2 || rlen > *resp_len)
        return MC_ERR_READER;   /* no status word: not a response APDU */
      *resp_len = rlen;
      return MC_OK;
    }
  *resp_len = 0;
  switch (rv)
    {
    case SCARD_W_REMOVED_CARD:
    case SCARD_E_NO_SMARTCARD:
    case SCARD_W_RESET_CARD:       /* someone reset it: our session is gone */
    case SCARD_E_READER_UNAVAILABLE:
    case SCARD_E_UNKNOWN_READER:   /* reader unplugged under us */
      return MC_ERR_CARD_REMOVED;
    default:
      /* A transport failure on a contactless reader almost always means
       * the card left the field before pcscd's poll noticed: ask the
       * reader (bounded wait) so the caller gets "card removed" rather
       * than a vague reader error. */
      if (mc_pcsc_card_gone (c))
        return MC_ERR_CARD_REMOVED;
      return mc_pcsc_status (rv);
    }
}

mc_status
mc_pcsc_reset (mc_pcsc_card *c)
{
  if (!c)
    return MC_ERR_INVALID_ARG;
  DWORD proto = 0;
  LONG rv = SCardReconnect (c->h, SCARD_SHARE_EXCLUSIVE,
                            SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1,
                            SCARD_RESET_CARD, &proto);
  if (rv == SCARD_S_SUCCESS)
    {
      c->protocol = proto;
      rv = mc_read_atr (c);
    }
  if (rv == SCARD_E_NO_SMARTCARD || rv == SCARD_W_REMOVED_CARD)
    return MC_ERR_CARD_REMOVED;
  return mc_pcsc_status (rv);
}

const uint8_t *
mc_pcsc_atr (mc_pcsc_card *c, size_t *len)
{
  if (!c)
    {
      if (len)
        *len = 0;
      return NULL;
    }
  if (len)
    *len = c->atr_len;
  return c->atr;
}

const char *
mc_pcsc_reader_name (mc_pcsc_card *c)
{
  return c ? c->reader : NULL;
}

/* PC/SC v2 part 10 §2.2: CM_IOCTL_GET_FEATURE_REQUEST answers TLVs of
 * tag (1 byte), length 4, control code (4 bytes, big-endian). */
static DWORD
mc_feature_code (SCARDHANDLE h, uint8_t feature)
{
  BYTE buf[256];
  DWORD got = 0;
  if (SCardControl (h, CM_IOCTL_GET_FEATURE_REQUEST, NULL, 0, buf, sizeof buf, &got)
      != SCARD_S_SUCCESS || got > sizeof buf)
    return 0;
  for (DWORD i = 0; i + 2 <= got;)
    {
      uint8_t tag = buf[i], l = buf[i + 1];
      if (i + 2 + l > got)
        break;
      if (tag == feature && l == 4)
        return ((DWORD) buf[i + 2] << 24) | ((DWORD) buf[i + 3] << 16)
               | ((DWORD) buf[i + 4] << 8) | buf[i + 5];
      i += 2u + l;
    }
  return 0;
}

/* PC/SC v2 part 10 amendment 1: FEATURE_GET_TLV_PROPERTIES answers TLVs of
 * tag (1 byte), length (1 byte), value (little-endian). */
static int
mc_query_max_apdu (SCARDHANDLE h)
{
  DWORD code = mc_feature_code (h, FEATURE_GET_TLV_PROPERTIES);
  if (code == 0)
    return 0;
  BYTE buf[256];
  DWORD got = 0;
  if (SCardControl (h, code, NULL, 0, buf, sizeof buf, &got) != SCARD_S_SUCCESS
      || got > sizeof buf)
    return 0;
  for (DWORD i = 0; i + 2 <= got;)
    {
      uint8_t tag = buf[i], l = buf[i + 1];
      if (i + 2 + l > got)
        break;
      if (tag == PCSCv2_PART10_PROPERTY_dwMaxAPDUDataSize && l >= 1 && l <= 4)
        {
          uint32_t v = 0;
          for (int k = l - 1; k >= 0; k--)
            v = (v << 8) | buf[i + 2 + k];
          return v > 65536 ? 65536 : (int) v;
        }
      i += 2u + l;
    }
  return 0;
}

int
mc_pcsc_reader_max_apdu (mc_pcsc_card *c)
{
  if (!c)
    return 0;
  if (c->max_apdu < 0)
    c->max_apdu = mc_query_max_apdu (c->h);
  return c->max_apdu;
}

void
mc_pcsc_disconnect (mc_pcsc_card *c, int reset)
{
  if (!c)
    return;
  /* Fails harmlessly when the card, the reader or pcscd is gone. */
  SCardDisconnect (c->h, reset ? SCARD_RESET_CARD : SCARD_LEAVE_CARD);
  free (c->reader);
  memset (c, 0, sizeof *c);
  free (c);
}
