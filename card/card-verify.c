/* card-verify.c — is this card genuine? (ICAO 9303-11 §5.1, §6.1, §6.2)
 *
 * Reads EF.COM, EF.SOD, DG14 and DG15, runs Chip Authentication (new
 * session keys only the genuine chip can derive), Active Authentication
 * over a fresh random challenge, and Passive Authentication (the SOD's
 * signature and chain, then every DG read against its hash). */
#include <string.h>
#include <time.h>

#include <openssl/rand.h>

#include "aa.h"
#include "ca.h"
#include "card-session.h"
#include "lds.h"
#include "secinfo.h"
#include "tlv.h"
#include "verdict.h"

/* Chip Authentication (ICAO 9303-11 §6.2): restarts secure messaging
 * under keys only the genuine chip can derive. */
static void
mc_card_run_ca (mc_card *card)
{
  if (!card->files[14].data)
    {
      mc_check_set (&card->verdict.chip, MC_CHECK_UNVERIFIED, MC_ERR_NOT_SUPPORTED,
                    "the card has no DG14: Chip Authentication not offered");
      return;
    }
  mc_status st = mc_ca_run (&card->ch, card->files[14].data, card->files[14].len);
  if (st == MC_OK)
    mc_check_set (&card->verdict.chip, MC_CHECK_PASSED, MC_OK,
                  "the chip proved its DG14 key (Chip Authentication)");
  else if (st == MC_ERR_NOT_SUPPORTED)
    mc_check_set (&card->verdict.chip, MC_CHECK_UNVERIFIED, st,
                  "DG14 offers no Chip Authentication");
  else if (st == MC_ERR_CARD_REMOVED || st == MC_ERR_CANCELLED || st == MC_ERR_READER)
    mc_check_set (&card->verdict.chip, MC_CHECK_UNVERIFIED, st,
                  "Chip Authentication interrupted");
  else
    mc_check_set (&card->verdict.chip, MC_CHECK_FAILED, st,
                  "the chip could not prove its DG14 key (Chip Authentication failed)");
}

/* Active Authentication (ICAO 9303-11 §6.1) over a fresh random challenge. */
static void
mc_card_run_aa (mc_card *card)
{
  if (!card->files[15].data)
    {
      mc_check_set (&card->verdict.active, MC_CHECK_UNVERIFIED, MC_ERR_NOT_SUPPORTED,
                    "the card has no DG15: Active Authentication not offered");
      return;
    }
  int sig_nid = 0;
  mc_secinfos si;
  if (card->files[14].data)
    {
      mc_tlv t;
      if (mc_tlv_read (card->files[14].data, card->files[14].len, &t) == MC_OK
          && mc_secinfos_parse (t.value, t.len, &si) == MC_OK && si.has_aa)
        sig_nid = si.aa_sig_nid;
    }
  uint8_t challenge[8], sig[1024];
  size_t sig_len = 0;
  if (RAND_bytes (challenge, sizeof challenge) != 1)
    {
      mc_check_set (&card->verdict.active, MC_CHECK_UNVERIFIED, MC_ERR_CRYPTO, "no randomness");
      return;
    }
  mc_status st = mc_aa_sign (&card->ch, challenge, sig, sizeof sig, &sig_len);
  if (st == MC_OK)
    st = mc_aa_verify (card->files[15].data, card->files[15].len, sig_nid,
                       challenge, sig, sig_len);
  if (st == MC_OK)
    mc_check_set (&card->verdict.active, MC_CHECK_PASSED, MC_OK,
                  "the chip signed a fresh challenge with its DG15 key");
  else if (st == MC_ERR_CARD_REMOVED || st == MC_ERR_CANCELLED || st == MC_ERR_READER)
    mc_check_set (&card->verdict.active, MC_CHECK_UNVERIFIED, st,
                  "Active Authentication interrupted");
  else
    mc_check_set (&card->verdict.active, MC_CHECK_FAILED, st,
                  "the chip's signature over the challenge is not valid (Active Authentication failed)");
}

static int
mc_card_has_dg (const mc_card *card, const mc_com *com, int have_com, int number)
{
  const mc_lds_file *f = mc_lds_file_by_number (number);
  if (have_com)
    {
      for (size_t i = 0; i < com->n_tags; i++)
        if (com->tags[i] == f->tag)
          return 1;
      return 0;
    }
  if (card->have_sod)
    {
      for (size_t i = 0; i < card->sod.n_hashes; i++)
        if (card->sod.hashes[i].number == number)
          return 1;
      return 0;
    }
  return 1;   /* unknown: try and see */
}

static mc_status
mc_card_verify_run (mc_card *card, const mc_trust_store *trust, mc_verdict *out)
{
  if (!card)
    return MC_ERR_INVALID_ARG;
  if (card->method == MC_ACCESS_NONE)
    return MC_ERR_SECURITY_STATUS;

  mc_com com;
  int have_com = 0;
  mc_status st = mc_card_read_file (card, MC_FILE_COM);
  if (st == MC_OK)
    have_com = mc_com_parse (card->files[MC_FILE_COM].data, card->files[MC_FILE_COM].len, &com) == MC_OK;
  else if (st != MC_ERR_FILE_NOT_FOUND)
    return st;

  if ((st = mc_card_read_file (card, MC_FILE_SOD)) != MC_OK)
    {
      if (st != MC_ERR_FILE_NOT_FOUND && st != MC_ERR_SECURITY_STATUS)
        return st;
      mc_check_set (&card->verdict.passive, MC_CHECK_FAILED, st,
                    "the card has no readable EF.SOD");
    }
  else
    {
      st = mc_sod_verify (card->files[MC_FILE_SOD].data, card->files[MC_FILE_SOD].len,
                          trust, time (NULL), &card->sod);
      if (st == MC_OK)
        {
          card->have_sod = 1;
          mc_check_set (&card->verdict.passive, card->sod.signature.result,
                        card->sod.signature.code, card->sod.signature.reason);
          if (!trust)
            mc_check_set (&card->verdict.passive, MC_CHECK_UNVERIFIED, MC_ERR_TRUST_STORE,
                          "no CSCA trust store configured");
        }
      else
        mc_check_set (&card->verdict.passive, MC_CHECK_FAILED, st, "EF.SOD does not parse");
    }

  for (int dg = 14; dg <= 15; dg++)
    if (mc_card_has_dg (card, &com, have_com, dg))
      {
        st = mc_card_read_file (card, dg);
        if (st == MC_ERR_CARD_REMOVED || st == MC_ERR_CANCELLED || st == MC_ERR_NO_CARD)
          return st;
      }

  mc_card_run_ca (card);
  if (card->verdict.chip.result == MC_CHECK_FAILED || !card->ch.sm.active)
    {
      /* After a failed CA the chip has dropped secure messaging: re-open
       * so the rest of the session (AA, face) can go on. */
      if ((st = mc_card_open_session (card)) != MC_OK)
        return st;
    }
  mc_card_run_aa (card);

  /* Every DG read so far against its hash in the SOD (ICAO 9303-11 §5.1). */
  if (card->have_sod)
    for (int n = 1; n <= 16; n++)
      if (card->files[n].data)
        mc_verdict_check_dg (&card->verdict, &card->sod, n, card->files[n].data, card->files[n].len);

  card->verified = 1;
  mc_verdict_update (&card->verdict);
  card->ms_total = mc_ms_since (&card->t0);
  if (out)
    *out = card->verdict;
  return MC_OK;
}

mc_status
mc_card_verify (mc_card *card, const mc_trust_store *trust, mc_verdict *out)
{
  if (!card)
    return MC_ERR_INVALID_ARG;
  return mc_card_finish (card, mc_card_verify_run (card, trust, out));
}
