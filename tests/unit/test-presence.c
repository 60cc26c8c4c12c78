/* test-presence.c — mc_presence_verify: a card-presence proof (Active
 * Authentication signature + DG15 + EF.SOD) checked without the card,
 * against proofs made by the in-process card simulator over its real
 * APDU interface (PACE, then INTERNAL AUTHENTICATE under secure
 * messaging), RSA (CCCD 2021) and EC (căn cước 2024) chips. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "aa.h"
#include "cardsim-harness.h"
#include "motcua-card.h"
#include "pace.h"

typedef struct {
  cardsim *card;
  const uint8_t *sod, *dg15;
  size_t sod_len, dg15_len;
  uint8_t sig[1024];
  size_t sig_len;
} proof;

static const uint8_t challenge[8] = { 0x3a, 0x01, 0xfe, 0x42, 0x00, 0x99, 0x17, 0xc4 };

static mc_trust_store *
trust (void)
{
  char dir[1024];
  snprintf (dir, sizeof dir, "%s/certs/test/trust", harness_source_root ());
  mc_trust_store *ts = NULL;
  assert_int_equal (mc_trust_store_new (&ts), MC_OK);
  assert_int_equal (mc_trust_store_add_dir (ts, dir), MC_OK);
  assert_true (mc_trust_store_count (ts) > 0);
  return ts;
}

/* PACE with the CAN, select the eMRTD application, INTERNAL AUTHENTICATE. */
static void
make_proof (proof *p, const char *profile, const cardsim_faults *f)
{
  static const uint8_t aid[] = { 0xA0, 0x00, 0x00, 0x02, 0x47, 0x10, 0x01 };
  memset (p, 0, sizeof *p);
  p->card = harness_make_card (profile, f);
  const uint8_t *ca = NULL;
  size_t ca_len = 0;
  assert_int_equal (cardsim_file (p->card, 0x1C, &ca, &ca_len), 0);
  mc_channel ch;
  mc_channel_init (&ch, harness_card_transmit, p->card);
  mc_access a;
  assert_int_equal (mc_access_from_can (&a, cardsim_can (p->card)), MC_OK);
  assert_int_equal (mc_pace_run (&ch, ca, ca_len, &a), MC_OK);
  mc_apdu sel = { .ins = 0xA4, .p1 = 0x04, .p2 = 0x0C, .data = aid, .lc = sizeof aid };
  uint16_t sw = 0;
  assert_int_equal (mc_channel_transceive (&ch, &sel, NULL, 0, NULL, &sw), MC_OK);
  assert_int_equal (sw, 0x9000);
  assert_int_equal (mc_aa_sign (&ch, challenge, p->sig, sizeof p->sig, &p->sig_len), MC_OK);
  mc_sm_clear (&ch.sm);
  assert_int_equal (cardsim_file (p->card, 0x1D, &p->sod, &p->sod_len), 0);
  assert_int_equal (cardsim_file (p->card, 15, &p->dg15, &p->dg15_len), 0);
}

static mc_status
check (const proof *p, const uint8_t *chal, const mc_trust_store *ts, mc_presence *out)
{
  return mc_presence_verify (p->sod, p->sod_len, p->dg15, p->dg15_len, chal,
                             p->sig, p->sig_len, ts, time (NULL), out);
}

static void
test_valid (void **state)
{
  (void) state;
  static const char *const profiles[] = { "cccd-2021.conf", "cancuoc-2024.conf" };
  mc_trust_store *ts = trust ();
  for (size_t i = 0; i < 2; i++)
    {
      proof p;
      make_proof (&p, profiles[i], NULL);
      mc_presence r;
      assert_int_equal (check (&p, challenge, ts, &r), MC_OK);
      assert_int_equal (r.result, MC_PRESENCE_VERIFIED);
      assert_int_equal (r.sod.result, MC_CHECK_PASSED);
      cardsim_free (p.card);
    }
  mc_trust_store_free (ts);
}

static void
test_wrong_challenge (void **state)
{
  (void) state;
  static const char *const profiles[] = { "cccd-2021.conf", "cancuoc-2024.conf" };
  mc_trust_store *ts = trust ();
  for (size_t i = 0; i < 2; i++)
    {
      proof p;
      make_proof (&p, profiles[i], NULL);
      mc_presence r;
      for (size_t byte = 0; byte < 8; byte += 7)
        {
          uint8_t other[8];
          memcpy (other, challenge, 8);
          other[byte] ^= 0x01;
          assert_int_equal (check (&p, other, ts, &r), MC_OK);
          assert_int_equal (r.result, MC_PRESENCE_INVALID);
          assert_int_equal (r.sod.result, MC_CHECK_PASSED);
        }
      /* a damaged signature, and none at all */
      p.sig[p.sig_len / 2] ^= 0x80;
      assert_int_equal (check (&p, challenge, ts, &r), MC_OK);
      assert_int_equal (r.result, MC_PRESENCE_INVALID);
      p.sig_len = 0;
      assert_int_equal (check (&p, challenge, ts, &r), MC_OK);
      assert_int_equal (r.result, MC_PRESENCE_INVALID);
      cardsim_free (p.card);
    }
  mc_trust_store_free (ts);
}

static void
test_tampered_dg15 (void **state)
{
  (void) state;
  mc_trust_store *ts = trust ();
  proof p;
  make_proof (&p, "cccd-2021.conf", NULL);
  mc_presence r;

  /* one byte of the key changed */
  uint8_t *copy = malloc (p.dg15_len);
  assert_non_null (copy);
  memcpy (copy, p.dg15, p.dg15_len);
  copy[p.dg15_len - 3] ^= 0x01;
  assert_int_equal (mc_presence_verify (p.sod, p.sod_len, copy, p.dg15_len, challenge,
                                        p.sig, p.sig_len, ts, time (NULL), &r), MC_OK);
  assert_int_equal (r.result, MC_PRESENCE_DG15_MISMATCH);
  free (copy);

  /* a genuine DG15 and a valid AA signature, but of another card: the
   * SOD does not protect that key */
  proof other;
  make_proof (&other, "cancuoc-2024.conf", NULL);
  assert_int_equal (mc_presence_verify (p.sod, p.sod_len, other.dg15, other.dg15_len,
                                        challenge, other.sig, other.sig_len, ts,
                                        time (NULL), &r), MC_OK);
  assert_int_equal (r.result, MC_PRESENCE_DG15_MISMATCH);
  cardsim_free (other.card);
  cardsim_free (p.card);

  /* the simulator's own fault: DG15 changed after the SOD was signed */
  cardsim_faults f = { .tamper_dg = 15 };
  make_proof (&p, "cccd-2021.conf", &f);
  assert_int_equal (check (&p, challenge, ts, &r), MC_OK);
  assert_int_equal (r.result, MC_PRESENCE_DG15_MISMATCH);
  cardsim_free (p.card);
  mc_trust_store_free (ts);
}

static void
test_rogue_sod (void **state)
{
  (void) state;
  mc_trust_store *ts = trust ();
  mc_presence r;
  proof p;

  /* SOD signed by a Document Signer of an untrusted CSCA */
  cardsim_faults rogue = { .rogue_csca = 1 };
  make_proof (&p, "cccd-2021.conf", &rogue);
  assert_int_equal (check (&p, challenge, ts, &r), MC_OK);
  assert_int_equal (r.result, MC_PRESENCE_SOD_UNTRUSTED);
  assert_int_not_equal (r.sod.result, MC_CHECK_PASSED);
  cardsim_free (p.card);

  /* SOD signed by an expired Document Signer */
  cardsim_faults expired = { .expired_ds = 1 };
  make_proof (&p, "cancuoc-2024.conf", &expired);
  assert_int_equal (check (&p, challenge, ts, &r), MC_OK);
  assert_int_equal (r.result, MC_PRESENCE_SOD_UNTRUSTED);
  assert_int_equal (r.sod.result, MC_CHECK_FAILED);
  cardsim_free (p.card);

  /* a genuine proof, but no CSCA to check it against */
  make_proof (&p, "cccd-2021.conf", NULL);
  assert_int_equal (check (&p, challenge, NULL, &r), MC_OK);
  assert_int_equal (r.result, MC_PRESENCE_SOD_UNTRUSTED);
  assert_int_equal (r.sod.result, MC_CHECK_UNVERIFIED);

  /* a SOD byte flipped: unparsable or a broken signature, never accepted */
  uint8_t *copy = malloc (p.sod_len);
  assert_non_null (copy);
  for (size_t at = 0; at < p.sod_len; at += p.sod_len / 7 + 1)
    {
      memcpy (copy, p.sod, p.sod_len);
      copy[at] ^= 0x04;
      mc_status st = mc_presence_verify (copy, p.sod_len, p.dg15, p.dg15_len, challenge,
                                         p.sig, p.sig_len, ts, time (NULL), &r);
      assert_true (st == MC_ERR_MALFORMED
                   || (st == MC_OK && r.result != MC_PRESENCE_VERIFIED));
    }
  free (copy);
  cardsim_free (p.card);
  mc_trust_store_free (ts);
}

static void
test_malformed (void **state)
{
  (void) state;
  mc_trust_store *ts = trust ();
  proof p;
  make_proof (&p, "cccd-2021.conf", NULL);
  mc_presence r;
  static const uint8_t junk[] = { 0x77, 0x03, 0x30, 0x01, 0x00 };

  assert_int_equal (mc_presence_verify (junk, sizeof junk, p.dg15, p.dg15_len, challenge,
                                        p.sig, p.sig_len, ts, time (NULL), &r),
                    MC_ERR_MALFORMED);
  assert_int_equal (mc_presence_verify (p.sod, 0, p.dg15, p.dg15_len, challenge,
                                        p.sig, p.sig_len, ts, time (NULL), &r),
                    MC_ERR_MALFORMED);
  /* DG1 in place of EF.SOD */
  const uint8_t *dg1 = NULL;
  size_t dg1_len = 0;
  assert_int_equal (cardsim_file (p.card, 1, &dg1, &dg1_len), 0);
  assert_int_equal (mc_presence_verify (dg1, dg1_len, p.dg15, p.dg15_len, challenge,
                                        p.sig, p.sig_len, ts, time (NULL), &r),
                    MC_ERR_MALFORMED);
  /* NULL arguments */
  assert_int_equal (mc_presence_verify (NULL, 0, p.dg15, p.dg15_len, challenge,
                                        p.sig, p.sig_len, ts, time (NULL), &r),
                    MC_ERR_INVALID_ARG);
  assert_int_equal (mc_presence_verify (p.sod, p.sod_len, NULL, 0, challenge,
                                        p.sig, p.sig_len, ts, time (NULL), &r),
                    MC_ERR_INVALID_ARG);
  assert_int_equal (mc_presence_verify (p.sod, p.sod_len, p.dg15, p.dg15_len, NULL,
                                        p.sig, p.sig_len, ts, time (NULL), &r),
                    MC_ERR_INVALID_ARG);
  assert_int_equal (mc_presence_verify (p.sod, p.sod_len, p.dg15, p.dg15_len, challenge,
                                        p.sig, p.sig_len, ts, time (NULL), NULL),
                    MC_ERR_INVALID_ARG);
  cardsim_free (p.card);
  mc_trust_store_free (ts);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_valid),
    cmocka_unit_test (test_wrong_challenge),
    cmocka_unit_test (test_tampered_dg15),
    cmocka_unit_test (test_rogue_sod),
    cmocka_unit_test (test_malformed),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
