/* testsign-presence.c — card-presence proofs from the card simulator
 *
 * Decision: the proof goes through the simulated chip's real APDU
 * interface, in-process (tests/cardsim library, no pcscd): PACE with the
 * card's CAN, SELECT of the eMRTD application, then INTERNAL
 * AUTHENTICATE under secure messaging, exactly as motcua's client gets it
 * from a real card (mc_card_internal_authenticate).  The simulator only
 * answers INTERNAL AUTHENTICATE under SM; signing with the AA key file
 * directly would bypass the chip's choice of key and hash.  DG15 and
 * EF.SOD are the card's files as it serves them.  One card is built per
 * call (cardsim objects are not thread-safe), which costs a few ms. */
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "aa.h"
#include "apdu.h"
#include "cardsim.h"
#include "pace.h"
#include "testsign.h"

static mc_status
card_transmit (void *user, const uint8_t *cmd, size_t cmd_len, uint8_t *resp, size_t *resp_len)
{
  size_t n = cardsim_process (user, cmd, cmd_len, resp, *resp_len);
  if (n < 2)
    return MC_ERR_READER;
  *resp_len = n;
  return MC_OK;
}

/* PACE (CAN), SELECT eMRTD application, INTERNAL AUTHENTICATE. */
static gboolean
chip_sign (cardsim *card, const guint8 challenge[8], guint8 *sig, size_t cap, size_t *sig_len)
{
  static const uint8_t aid[] = { 0xA0, 0x00, 0x00, 0x02, 0x47, 0x10, 0x01 };
  const uint8_t *ca = NULL;
  size_t ca_len = 0;
  mc_channel ch;
  mc_access access;
  uint16_t sw = 0;
  mc_apdu sel = { .ins = 0xA4, .p1 = 0x04, .p2 = 0x0C, .data = aid, .lc = sizeof aid };

  mc_channel_init (&ch, card_transmit, card);
  gboolean ok = cardsim_file (card, 0x1C, &ca, &ca_len) == 0
                && mc_access_from_can (&access, cardsim_can (card)) == MC_OK
                && mc_pace_run (&ch, ca, ca_len, &access) == MC_OK
                && mc_channel_transceive (&ch, &sel, NULL, 0, NULL, &sw) == MC_OK
                && sw == 0x9000
                && mc_aa_sign (&ch, challenge, sig, cap, sig_len) == MC_OK;
  mc_access_clear (&access);
  mc_sm_clear (&ch.sm);
  return ok;
}

gboolean
testsign_presence (const char *profile, const guint8 *payload, gsize len,
                   GBytes **aa_signature, GBytes **dg15, GBytes **sod)
{
  g_return_val_if_fail (profile && aa_signature && dg15 && sod, FALSE);
  *aa_signature = *dg15 = *sod = NULL;
  if (!payload && len)
    return FALSE;

  /* pki dir = <root>/certs/test/service */
  g_autofree char *service = testsign_pki_dir ();
  g_autofree char *pki = g_path_get_dirname (service);
  g_autofree char *certs = g_path_get_dirname (pki);
  g_autofree char *root = g_path_get_dirname (certs);
  g_autofree char *conf = g_strdup_printf ("%s.conf", profile);
  g_autofree char *path = g_build_filename (root, "tests", "cardsim", "profiles", conf, NULL);

  cardsim *card = NULL;
  char *err = NULL;
  if (cardsim_new (path, pki, NULL, &card, &err) != 0)
    {
      g_warning ("testsign: card %s: %s", path, err ? err : "?");
      free (err);
      return FALSE;
    }

  guint8 md[EVP_MAX_MD_SIZE], sig[1024];
  unsigned int md_len = 0;
  size_t sig_len = 0;
  const uint8_t *d15 = NULL, *s = NULL;
  size_t d15_len = 0, s_len = 0;
  gboolean ok = EVP_Digest (len ? (const void *) payload : "", len, md, &md_len,
                            EVP_sha256 (), NULL) == 1
                && chip_sign (card, md, sig, sizeof sig, &sig_len)
                && cardsim_file (card, 15, &d15, &d15_len) == 0
                && cardsim_file (card, 0x1D, &s, &s_len) == 0;
  if (ok)
    {
      *aa_signature = g_bytes_new (sig, sig_len);
      *dg15 = g_bytes_new (d15, d15_len);
      *sod = g_bytes_new (s, s_len);
    }
  else
    g_warning ("testsign: the simulated card %s did not sign", profile);
  cardsim_free (card);
  return ok;
}
