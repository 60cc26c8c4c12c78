/* card.c — a session with one chip ID card
 *
 * Order of work (ICAO 9303-11 §4.2 and §6): read EF.CardAccess at the MF
 * level without selecting the MF (the Vietnamese card answers 6D00 to
 * SELECT MF), run PACE when it is offered, else select the eMRTD
 * application and run BAC; read the text data groups first (DG1, DG13)
 * so the caller can prefill; then EF.COM, EF.SOD, DG14, DG15 for Chip
 * Authentication, Active Authentication and Passive Authentication; the
 * face (DG2) last.  Every file read is kept for the session so the
 * caller can forward EF.SOD and DG15 as a card-presence proof. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#include "aa.h"
#include "apdu.h"
#include "atr.h"
#include "bac.h"
#include "card-file.h"
#include "card-private.h"
#include "card-session.h"
#include "lds.h"
#include "pa.h"
#include "pace.h"
#include "reader.h"
#include "secinfo.h"
#include "tlv.h"
#include "verdict.h"

static const uint8_t mc_emrtd_aid[] = { 0xA0, 0x00, 0x00, 0x02, 0x47, 0x10, 0x01 };


/* struct mc_card: card-session.h */

double
mc_ms_since (const struct timespec *t0)
{
  struct timespec now;
  clock_gettime (CLOCK_MONOTONIC, &now);
  return (double) (now.tv_sec - t0->tv_sec) * 1e3 + (double) (now.tv_nsec - t0->tv_nsec) / 1e6;
}

/* Every public operation ends here: a cancel that stopped it is consumed
 * (so the next operation is not cancelled too), and the clock is read. */
mc_status
mc_card_finish (mc_card *card, mc_status st)
{
  if (st == MC_ERR_CANCELLED)
    mc_context_cancel_take (card->ctx);
  card->ms_total = mc_ms_since (&card->t0);
  return st;
}

mc_status
mc_card_connect (mc_context *ctx, const char *reader, mc_card **out)
{
  if (!ctx || !out)
    return MC_ERR_INVALID_ARG;
  *out = NULL;
  mc_eac_init_once ();

  mc_card *card = calloc (1, sizeof *card);
  if (!card)
    return MC_ERR_NOMEM;
  clock_gettime (CLOCK_MONOTONIC, &card->t0);
  card->ctx = ctx;
  mc_status st = mc_pcsc_connect (ctx, reader, &card->pcsc);
  if (st != MC_OK)
    {
      free (card);
      return st;
    }
  mc_channel_init (&card->ch, mc_pcsc_transmit, card->pcsc);
  card->ch.cancel = mc_context_cancel_flag (ctx);

  size_t atr_len = 0;
  const uint8_t *atr = mc_pcsc_atr (card->pcsc, &atr_len);
  mc_atr_info info;
  int card_ext = mc_atr_parse (atr, atr_len, &info) == MC_OK && info.extended_length;
  mc_chunking_init (&card->chunking, mc_pcsc_reader_name (card->pcsc), atr, atr_len,
                    card_ext, mc_pcsc_reader_max_apdu (card->pcsc));
  mc_verdict_reset (&card->verdict);
  *out = card;
  return MC_OK;
}

static mc_status
mc_card_select_aid (mc_card *card)
{
  mc_apdu a = { .cla = 0x00, .ins = 0xA4, .p1 = 0x04, .p2 = 0x0C,
                .data = mc_emrtd_aid, .lc = sizeof mc_emrtd_aid };
  uint16_t sw = 0;
  mc_status st = mc_channel_transceive (&card->ch, &a, NULL, 0, NULL, &sw);
  if (st != MC_OK)
    return st;
  if (sw == 0x6A82 || sw == 0x6D00 || sw == 0x6A86)
    return MC_ERR_UNSUPPORTED_CARD;
  return mc_sw_to_status (sw);
}

static mc_status
mc_card_select_ef (mc_card *card, uint16_t fid)
{
  uint8_t f[2] = { (uint8_t) (fid >> 8), (uint8_t) fid };
  mc_apdu a = { .cla = 0x00, .ins = 0xA4, .p1 = 0x02, .p2 = 0x0C, .data = f, .lc = 2 };
  uint16_t sw = 0;
  mc_status st = mc_channel_transceive (&card->ch, &a, NULL, 0, NULL, &sw);
  return st != MC_OK ? st : mc_sw_to_status (sw);
}

static void
mc_card_store_file (mc_card *card, int number, uint8_t *data, size_t len)
{
  if (card->files[number].data)
    {
      OPENSSL_cleanse (card->files[number].data, card->files[number].len);
      free (card->files[number].data);
    }
  card->files[number].data = data;
  card->files[number].len = len;
}


/* Reads a whole file into the session cache, re-opening the session and
 * stepping the chunk size down when the card or reader chokes. */
mc_status
mc_card_read_file (mc_card *card, int number)
{
  const mc_lds_file *f = mc_lds_file_by_number (number);
  if (!f || number <= 0 || number >= MC_SLOT_COUNT)
    return MC_ERR_INVALID_ARG;
  if (card->files[number].data)
    return MC_OK;

  mc_file_buf buf = { 0 };
  mc_status st;
  for (int attempt = 0;; attempt++)
    {
      int reauth = 0;
      st = mc_card_file_read (&card->ch, &card->chunking, f->sfi, &buf, &reauth);
      if (st == MC_OK || !reauth || attempt >= 6)
        break;
      /* Secure messaging broke mid-file: open a new session, select the
       * file again and resume at the same offset. */
      if ((st = mc_card_open_session (card)) != MC_OK)
        break;
      if (buf.len > 0 && (st = mc_card_select_ef (card, f->fid)) != MC_OK)
        break;
    }
  if (st != MC_OK)
    {
      mc_file_buf_clear (&buf);
      return st;
    }
  mc_chunking_remember (&card->chunking);
  mc_card_store_file (card, number, buf.data, buf.len);
  return MC_OK;
}

/* EF.CardAccess, read plain before access control by its SFI. */
static mc_status
mc_card_read_card_access (mc_card *card, uint8_t **out, size_t *out_len)
{
  mc_file_buf buf = { 0 };
  int reauth = 0;
  mc_chunking plain = card->chunking;
  mc_status st = mc_card_file_read (&card->ch, &plain, 0x1C, &buf, &reauth);
  if (st != MC_OK)
    {
      mc_file_buf_clear (&buf);
      return st;
    }
  *out = buf.data;
  *out_len = buf.len;
  return MC_OK;
}

/* Opens (or re-opens) secure messaging with the stored access data. */
mc_status
mc_card_open_session (mc_card *card)
{
  if (!card->have_access)
    return MC_ERR_INVALID_ARG;
  mc_sm_clear (&card->ch.sm);

  uint8_t *ca = NULL;
  size_t ca_len = 0;
  mc_status st = mc_card_read_card_access (card, &ca, &ca_len);
  int pace_offered = 0;
  if (st == MC_OK)
    {
      mc_secinfos si;
      pace_offered = mc_secinfos_parse (ca, ca_len, &si) == MC_OK && si.has_pace;
    }
  else if (st != MC_ERR_FILE_NOT_FOUND && st != MC_ERR_SECURITY_STATUS
           && st != MC_ERR_NOT_SUPPORTED && st != MC_ERR_CARD_STATUS)
    return st;   /* not "no EF.CardAccess": removed, cancelled, reader trouble */

  if (pace_offered && (card->access.can[0] || card->access.document_number[0]))
    {
      st = mc_pace_run (&card->ch, ca, ca_len, &card->access);
      free (ca);
      if (st != MC_OK)
        return st;
      card->method = MC_ACCESS_PACE;
      return mc_card_select_aid (card);
    }
  free (ca);

  /* BAC (ICAO 9303-11 §4.3): the application first, then the keys from
   * the MRZ information. */
  if (!card->access.document_number[0])
    return pace_offered ? MC_ERR_BAD_ACCESS_DATA : MC_ERR_NEED_MRZ_DATA;
  if ((st = mc_card_select_aid (card)) != MC_OK)
    return st;
  uint8_t kseed[16];
  st = mc_bac_kseed (&card->access, kseed);
  if (st == MC_OK)
    st = mc_bac_authenticate (&card->ch, kseed);
  OPENSSL_cleanse (kseed, sizeof kseed);
  if (st != MC_OK)
    return st;
  card->method = MC_ACCESS_BAC;
  return MC_OK;
}

static mc_status
mc_card_authenticate_run (mc_card *card, const mc_access *access)
{
  if (!card || !access)
    return MC_ERR_INVALID_ARG;
  if (!access->can[0] && !access->document_number[0])
    return MC_ERR_BAD_ACCESS_DATA;
  card->access = *access;
  card->have_access = 1;
  return mc_card_open_session (card);
}

mc_access_method
mc_card_access_method (const mc_card *card)
{
  return card ? card->method : MC_ACCESS_NONE;
}

static mc_status
mc_card_read_identity_run (mc_card *card, mc_identity **out)
{
  if (!card || !out)
    return MC_ERR_INVALID_ARG;
  *out = NULL;
  if (card->method == MC_ACCESS_NONE)
    return MC_ERR_SECURITY_STATUS;

  mc_status st = mc_card_read_file (card, 1);
  if (st == MC_OK)
    st = mc_card_read_file (card, 13);
  if (st != MC_OK)
    return st;

  mc_identity *id = calloc (1, sizeof *id);
  if (!id)
    return MC_ERR_NOMEM;
  st = mc_dg1_parse (card->files[1].data, card->files[1].len, &id->mrz);
  if (st == MC_OK)
    {
      id->has_mrz = 1;
      st = mc_dg13_parse (card->files[13].data, card->files[13].len, id);
    }
  if (st != MC_OK)
    {
      mc_identity_free (id);
      return st;
    }
  /* A hash already known (verify ran first) is checked now too. */
  if (card->have_sod)
    {
      mc_verdict_check_dg (&card->verdict, &card->sod, 1, card->files[1].data, card->files[1].len);
      mc_verdict_check_dg (&card->verdict, &card->sod, 13, card->files[13].data, card->files[13].len);
    }
  card->ms_text = card->ms_total = mc_ms_since (&card->t0);
  *out = id;
  return MC_OK;
}

void
mc_identity_free (mc_identity *id)
{
  if (!id)
    return;
  mc_identity_clear (id);
  free (id);
}


static mc_status
mc_card_read_face_run (mc_card *card, mc_face **out)
{
  if (!card || !out)
    return MC_ERR_INVALID_ARG;
  *out = NULL;
  if (card->method == MC_ACCESS_NONE)
    return MC_ERR_SECURITY_STATUS;
  if (!card->ch.sm.active)
    {
      mc_status st = mc_card_open_session (card);
      if (st != MC_OK)
        return st;
    }
  mc_status st = mc_card_read_file (card, 2);
  if (st != MC_OK)
    return st;
  mc_dg2_info info;
  if ((st = mc_dg2_parse (card->files[2].data, card->files[2].len, &info)) != MC_OK)
    return st;
  if (card->have_sod)
    {
      mc_verdict_check_dg (&card->verdict, &card->sod, 2, card->files[2].data, card->files[2].len);
      mc_verdict_update (&card->verdict);
    }

  mc_face *face = calloc (1, sizeof *face);
  if (!face || !(face->data = malloc (info.len ? info.len : 1)))
    {
      free (face);
      return MC_ERR_NOMEM;
    }
  memcpy (face->data, card->files[2].data + info.offset, info.len);
  face->len = info.len;
  face->format = info.format;
  card->ms_total = mc_ms_since (&card->t0);
  *out = face;
  return MC_OK;
}

void
mc_face_free (mc_face *face)
{
  if (!face)
    return;
  if (face->data)
    {
      OPENSSL_cleanse (face->data, face->len);
      free (face->data);
    }
  free (face);
}

const char *
mc_face_format_name (mc_face_format f)
{
  switch (f)
    {
    case MC_FACE_JPEG: return "jpeg";
    case MC_FACE_JPEG2000: return "jpeg2000";
    case MC_FACE_UNKNOWN: default: return "unknown";
    }
}

void
mc_card_get_verdict (const mc_card *card, mc_verdict *out)
{
  if (!card || !out)
    return;
  *out = card->verdict;
}

mc_status
mc_card_internal_authenticate (mc_card *card, const uint8_t challenge[8],
                               uint8_t **sig, size_t *sig_len)
{
  if (!card || !challenge || !sig || !sig_len)
    return MC_ERR_INVALID_ARG;
  *sig = NULL;
  *sig_len = 0;
  if (card->method == MC_ACCESS_NONE)
    return MC_ERR_SECURITY_STATUS;
  uint8_t buf[1024];
  size_t len = 0;
  mc_status st = mc_card_finish (card, mc_aa_sign (&card->ch, challenge, buf, sizeof buf, &len));
  if (st != MC_OK)
    return st;
  if (!(*sig = malloc (len ? len : 1)))
    return MC_ERR_NOMEM;
  memcpy (*sig, buf, len);
  *sig_len = len;
  return MC_OK;
}

mc_status
mc_card_get_file (const mc_card *card, int file_id, const uint8_t **data, size_t *len)
{
  if (!card || !data || !len || file_id <= 0 || file_id >= MC_SLOT_COUNT)
    return MC_ERR_INVALID_ARG;
  if (!card->files[file_id].data)
    return MC_ERR_FILE_NOT_FOUND;
  *data = card->files[file_id].data;
  *len = card->files[file_id].len;
  return MC_OK;
}

void
mc_card_get_stats (const mc_card *card, mc_stats *out)
{
  if (!card || !out)
    return;
  memset (out, 0, sizeof *out);
  out->apdus = card->ch.apdus;
  out->bytes_in = card->ch.bytes_in;
  out->bytes_out = card->ch.bytes_out;
  out->ms_text = card->ms_text;
  out->ms_total = card->ms_total;
  out->chunk_size = (unsigned) card->chunking.chunk;
  out->extended_length = card->chunking.extended;
}

void
mc_card_free (mc_card *card)
{
  if (!card)
    return;
  for (int i = 0; i < MC_SLOT_COUNT; i++)
    mc_card_store_file (card, i, NULL, 0);
  mc_sm_clear (&card->ch.sm);
  mc_access_clear (&card->access);
  if (card->pcsc)
    mc_pcsc_disconnect (card->pcsc, 1);
  OPENSSL_cleanse (card, sizeof *card);
  free (card);
}

mc_status
mc_card_authenticate (mc_card *card, const mc_access *access)
{
  if (!card)
    return MC_ERR_INVALID_ARG;
  return mc_card_finish (card, mc_card_authenticate_run (card, access));
}

mc_status
mc_card_read_identity (mc_card *card, mc_identity **out)
{
  if (!card)
    return MC_ERR_INVALID_ARG;
  return mc_card_finish (card, mc_card_read_identity_run (card, out));
}


mc_status
mc_card_read_face (mc_card *card, mc_face **out)
{
  if (!card)
    return MC_ERR_INVALID_ARG;
  return mc_card_finish (card, mc_card_read_face_run (card, out));
}
