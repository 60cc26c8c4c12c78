/* test-cardsim.c — the card simulator's card logic, driven in-process:
 * personalisation checked with the library's parsers and with OpenSSL
 * (CMS verification of EF.SOD against the TEST-ONLY CSCA, SHA-256 of every
 * DG), access rules, BAC / PACE / CA / AA chip sides against the library's
 * terminal sides, and the fault switches. */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <openssl/cms.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <eac/eac.h>
#include "aa.h"
#include "bac.h"
#include "ca.h"
#include "cardsim-harness.h"
#include "lds.h"
#include "motcua-config.h"
#include "pace.h"


/* Raw APDU bytes → SW (plain). */
static uint16_t
raw (cardsim *c, const char *hex, uint8_t *resp, size_t *resp_len)
{
  uint8_t cmd[300], r[70000];
  size_t n = 0;
  unsigned v;
  while (hex[0] && hex[1] && sscanf (hex, "%2x", &v) == 1)
    {
      cmd[n++] = (uint8_t) v;
      hex += 2;
    }
  size_t rl = cardsim_process (c, cmd, n, r, sizeof r);
  assert_true (rl >= 2);
  if (resp)
    {
      memcpy (resp, r, rl - 2);
      *resp_len = rl - 2;
    }
  return (uint16_t) (r[rl - 2] << 8 | r[rl - 1]);
}

static const uint8_t *
file (cardsim *c, int n, size_t *len)
{
  const uint8_t *d = NULL;
  assert_int_equal (cardsim_file (c, n, &d, len), 0);
  return d;
}

static void
pace (mc_channel *ch, cardsim *c)
{
  mc_access a;
  size_t ca_len;
  const uint8_t *ca = file (c, 0x1C, &ca_len);
  mc_channel_init (ch, harness_card_transmit, c);
  assert_int_equal (mc_access_from_can (&a, cardsim_can (c)), MC_OK);
  assert_int_equal (mc_pace_run (ch, ca, ca_len, &a), MC_OK);
}

static mc_status
transceive (mc_channel *ch, uint8_t ins, uint8_t p1, uint8_t p2, const uint8_t *data,
            size_t lc, size_t le, uint8_t *resp, size_t cap, size_t *n, uint16_t *sw)
{
  mc_apdu a = { .cla = 0, .ins = ins, .p1 = p1, .p2 = p2, .data = data, .lc = lc, .le = le };
  return mc_channel_transceive (ch, &a, resp, cap, n, sw);
}

static void
select_app (mc_channel *ch)
{
  static const uint8_t aid[] = { 0xA0, 0x00, 0x00, 0x02, 0x47, 0x10, 0x01 };
  uint16_t sw = 0;
  assert_int_equal (transceive (ch, 0xA4, 0x04, 0x0C, aid, sizeof aid, 0, NULL, 0, NULL, &sw), MC_OK);
  assert_int_equal (sw, 0x9000);
}

/* ---------------------------------------------------------------- files */

static void
test_personalisation_2021 (void **state)
{
  (void) state;
  cardsim *c = harness_make_card ("cccd-2021.conf", NULL);
  size_t n;
  const uint8_t *d = file (c, 1, &n);
  mc_mrz mrz;
  assert_int_equal (mc_dg1_parse (d, n, &mrz), MC_OK);
  assert_int_equal (mrz.check_digits_ok, 1);
  assert_string_equal (mrz.document_code, "ID");
  assert_string_equal (mrz.issuing_state, "VNM");
  assert_string_equal (mrz.document_number, "089012345");
  assert_memory_equal (mrz.optional_data1, "001089012345", 12);
  assert_string_equal (mrz.date_of_birth, "890715");
  assert_string_equal (mrz.date_of_expiry, "290715");
  assert_string_equal (mrz.sex, "M");
  assert_string_equal (mrz.primary_identifier, "NGUYEN");
  assert_string_equal (mrz.secondary_identifier, "VAN THANH");

  mc_identity id;
  memset (&id, 0, sizeof id);
  d = file (c, 13, &n);
  assert_int_equal (mc_dg13_parse (d, n, &id), MC_OK);
  assert_string_equal (id.id_number, "001089012345");
  assert_string_equal (id.full_name, "Nguy\xE1\xBB\x85n V\xC4\x83n Th\xC3\xA0nh");
  assert_string_equal (id.date_of_birth, "1989-07-15");
  assert_string_equal (id.date_of_expiry, "2029-07-15");
  assert_string_equal (id.father_name, "Nguy\xE1\xBB\x85n V\xC4\x83n H\xC3\xB9ng");
  assert_string_equal (id.mother_name, "Tr\xE1\xBA\xA7n Th\xE1\xBB\x8B Lan");
  assert_non_null (id.spouse_name);
  assert_non_null (id.identifying_marks);
  assert_string_equal (id.old_id_number, "012345678");
  mc_identity_clear (&id);

  mc_com com;
  d = file (c, 0x1E, &n);
  assert_int_equal (mc_com_parse (d, n, &com), MC_OK);
  assert_string_equal (com.lds_version, "0107");
  assert_non_null (memchr (com.tags, 0x6D, com.n_tags));
  assert_non_null (memchr (com.tags, 0x75, com.n_tags));

  /* DG2 carries the profile's JPEG byte for byte */
  mc_dg2_info info;
  d = file (c, 2, &n);
  assert_int_equal (mc_dg2_parse (d, n, &info), MC_OK);
  assert_int_equal (info.format, MC_FACE_JPEG);
  char path[1024];
  snprintf (path, sizeof path, "%s/tests/cardsim/faces/face.jpg", harness_source_root ());
  FILE *f = fopen (path, "rb");
  assert_non_null (f);
  static uint8_t img[1 << 20];
  size_t img_len = fread (img, 1, sizeof img, f);
  fclose (f);
  assert_int_equal (info.len, img_len);
  assert_memory_equal (d + info.offset, img, img_len);
  cardsim_free (c);
}

static void
test_personalisation_2024_and_minimal (void **state)
{
  (void) state;
  cardsim *c = harness_make_card ("cancuoc-2024.conf", NULL);
  size_t n;
  const uint8_t *d = file (c, 1, &n);
  mc_mrz mrz;
  assert_int_equal (mc_dg1_parse (d, n, &mrz), MC_OK);
  assert_int_equal (mrz.check_digits_ok, 1);
  assert_string_equal (mrz.document_code, "IT");
  assert_string_equal (mrz.sex, "F");
  mc_identity id;
  memset (&id, 0, sizeof id);
  d = file (c, 13, &n);
  assert_int_equal (mc_dg13_parse (d, n, &id), MC_OK);
  assert_string_equal (id.date_of_birth, "1996-02-29");   /* from ddmmyyyy */
  assert_null (id.identifying_marks);
  assert_null (id.spouse_name);
  assert_int_equal (id.n_other_fields, 1);                  /* field 16 */
  assert_int_equal (id.other_fields[0].number, 16);
  assert_int_equal (strlen (id.other_fields[0].value), 16);
  mc_identity_clear (&id);
  mc_dg2_info info;
  d = file (c, 2, &n);
  assert_int_equal (mc_dg2_parse (d, n, &info), MC_OK);
  assert_int_equal (info.format, MC_FACE_JPEG2000);
  cardsim_free (c);

  c = harness_make_card ("minimal.conf", NULL);
  memset (&id, 0, sizeof id);
  d = file (c, 13, &n);
  assert_int_equal (mc_dg13_parse (d, n, &id), MC_OK);
  assert_null (id.religion);
  assert_null (id.father_name);
  assert_null (id.mother_name);
  assert_null (id.spouse_name);
  assert_null (id.old_id_number);
  assert_string_equal (id.full_name, "\xC4\x90\xE1\xBB\x97 Minh Kh\xC3\xB4i");
  mc_identity_clear (&id);
  cardsim_free (c);

  c = harness_make_card ("long-names.conf", NULL);
  d = file (c, 13, &n);
  assert_true (n > 2048);
  memset (&id, 0, sizeof id);
  assert_int_equal (mc_dg13_parse (d, n, &id), MC_OK);
  assert_true (strlen (id.place_of_residence) > 1000);
  mc_identity_clear (&id);
  cardsim_free (c);
}

/* EF.SOD verified with OpenSSL alone: CMS signature chains to the
 * TEST-ONLY CSCA, eContentType is the LDS security object, and the
 * SHA-256 of every DG appears in it. */
static int
sod_check (cardsim *c, int *chain_ok, int *hashes_ok)
{
  size_t n, hl;
  const uint8_t *sod = file (c, 0x1D, &n);
  assert_int_equal (sod[0], 0x77);
  hl = (sod[1] & 0x80) ? 2 + (sod[1] & 0x7F) : 2;
  const uint8_t *p = sod + hl;
  CMS_ContentInfo *cms = d2i_CMS_ContentInfo (NULL, &p, (long) (n - hl));
  assert_non_null (cms);
  char oid[64];
  OBJ_obj2txt (oid, sizeof oid, CMS_get0_eContentType (cms), 1);
  assert_string_equal (oid, "2.23.136.1.1.1");

  char path[1024];
  snprintf (path, sizeof path, "%s/certs/test/csca-TEST-ONLY.pem", harness_source_root ());
  FILE *f = fopen (path, "r");
  assert_non_null (f);
  X509 *csca = PEM_read_X509 (f, NULL, NULL, NULL);
  fclose (f);
  X509_STORE *store = X509_STORE_new ();
  X509_STORE_add_cert (store, csca);
  BIO *out = BIO_new (BIO_s_mem ());
  *chain_ok = CMS_verify (cms, NULL, store, NULL, out, CMS_BINARY) == 1;
  if (!*chain_ok)
    {
      /* content anyway, for the hash check */
      BIO_free (out);
      out = BIO_new (BIO_s_mem ());
      assert_int_equal (CMS_verify (cms, NULL, NULL, NULL, out, CMS_BINARY | CMS_NO_SIGNER_CERT_VERIFY), 1);
    }
  char *so;
  long so_len = BIO_get_mem_data (out, &so);
  *hashes_ok = 1;
  for (int dg = 1; dg <= 16; dg++)
    {
      const uint8_t *d;
      size_t dl;
      if (cardsim_file (c, dg, &d, &dl) != 0)
        continue;
      uint8_t md[32];
      assert_int_equal (EVP_Digest (d, dl, md, NULL, EVP_sha256 (), NULL), 1);
      if (!memmem (so, (size_t) so_len, md, sizeof md))
        *hashes_ok = 0;
    }
  BIO_free (out);
  X509_STORE_free (store);
  X509_free (csca);
  CMS_ContentInfo_free (cms);
  return 0;
}

static void
test_sod (void **state)
{
  (void) state;
  int chain, hashes;
  cardsim *c = harness_make_card ("cccd-2021.conf", NULL);
  sod_check (c, &chain, &hashes);
  assert_true (chain);
  assert_true (hashes);
  cardsim_free (c);

  cardsim_faults tamper = { .tamper_dg = 13 };
  c = harness_make_card ("cccd-2021.conf", &tamper);
  sod_check (c, &chain, &hashes);
  assert_true (chain);
  assert_false (hashes);
  cardsim_free (c);

  cardsim_faults rogue = { .rogue_csca = 1 };
  c = harness_make_card ("cccd-2021.conf", &rogue);
  sod_check (c, &chain, &hashes);
  assert_false (chain);
  assert_true (hashes);
  cardsim_free (c);

  cardsim_faults expired = { .expired_ds = 1 };
  c = harness_make_card ("cccd-2021.conf", &expired);
  sod_check (c, &chain, &hashes);
  assert_false (chain);
  assert_true (hashes);
  cardsim_free (c);
}

/* ---------------------------------------------------------------- access */

static void
test_plain_access_rules (void **state)
{
  (void) state;
  cardsim *c = harness_make_card ("cccd-2021.conf", NULL);
  uint8_t r[70000];
  size_t n;
  /* the MF is not selectable, however asked for */
  assert_int_equal (raw (c, "00A4000C023F00", NULL, NULL), 0x6D00);
  assert_int_equal (raw (c, "00A40000", NULL, NULL), 0x6D00);
  assert_int_equal (raw (c, "00A4000C", NULL, NULL), 0x6D00);
  /* EF.CardAccess by SFI without any selection */
  assert_int_equal (raw (c, "00B09C0000", r, &n), 0x9000);
  size_t ca_len;
  const uint8_t *ca = file (c, 0x1C, &ca_len);
  assert_int_equal (n, ca_len);
  assert_memory_equal (r, ca, n);
  /* DGs before access control */
  assert_int_equal (raw (c, "00A4020C020101", NULL, NULL), 0x6A82);   /* no app yet */
  assert_int_equal (raw (c, "00A4040C07A0000002471001", NULL, NULL), 0x9000);
  assert_int_equal (raw (c, "00A4020C020101", NULL, NULL), 0x9000);
  assert_int_equal (raw (c, "00B0000000", NULL, NULL), 0x6982);
  assert_int_equal (raw (c, "00B0810000", NULL, NULL), 0x6982);
  assert_int_equal (raw (c, "00A4020C020103", NULL, NULL), 0x9000);
  assert_int_equal (raw (c, "00B0000000", NULL, NULL), 0x6982);
  assert_int_equal (raw (c, "00A4020C020111", NULL, NULL), 0x6A82);
  assert_int_equal (raw (c, "00A4040C07A0000002471002", NULL, NULL), 0x6A82);
  /* the reader's UID */
  assert_int_equal (raw (c, "FFCA000000", r, &n), 0x9000);
  assert_int_equal (n, 4);
  /* INTERNAL AUTHENTICATE needs access control */
  assert_int_equal (raw (c, "00880000080102030405060708", NULL, NULL), 0x6982);
  cardsim_free (c);

  cardsim_faults bac_only = { .bac_only = 1 };
  c = harness_make_card ("cccd-2021.conf", &bac_only);
  assert_int_equal (raw (c, "00B09C0000", NULL, NULL), 0x6A82);
  assert_int_equal (raw (c, "0022C1A40F800A04007F00070202040202830102", NULL, NULL), 0x6A80);
  cardsim_free (c);
}

static void
test_bac_and_reads (void **state)
{
  (void) state;
  cardsim *c = harness_make_card ("no-spouse.conf", NULL);
  char doc[10], dob[7], doe[7];
  cardsim_mrz_keys (c, doc, dob, doe);
  mc_access a;
  memset (&a, 0, sizeof a);
  memcpy (a.document_number, doc, 10);
  memcpy (a.date_of_birth, dob, 7);
  memcpy (a.date_of_expiry, doe, 7);
  uint8_t kseed[16];
  assert_int_equal (mc_bac_kseed (&a, kseed), MC_OK);
  mc_channel ch;
  mc_channel_init (&ch, harness_card_transmit, c);
  select_app (&ch);
  assert_int_equal (mc_bac_authenticate (&ch, kseed), MC_OK);
  assert_true (ch.sm.active);
  assert_int_equal (cardsim_sm (c)->cipher, MC_SM_3DES);

  static uint8_t buf[70000];
  size_t n = 0, dl;
  uint16_t sw = 0;
  /* DG2 by SFI, then an extended READ BINARY for the rest */
  const uint8_t *dg2 = file (c, 2, &dl);
  assert_int_equal (transceive (&ch, 0xB0, 0x82, 0x00, NULL, 0, 200, buf, sizeof buf, &n, &sw), MC_OK);
  assert_int_equal (sw, 0x9000);
  assert_int_equal (n, 200);
  assert_memory_equal (buf, dg2, 200);
  assert_int_equal (transceive (&ch, 0xB0, 0x00, 200, NULL, 0, 65536, buf, sizeof buf, &n, &sw), MC_OK);
  assert_int_equal (sw, 0x9000);
  assert_int_equal (n, dl - 200);
  assert_memory_equal (buf, dg2 + 200, n);
  /* odd INS with an offset in DO'54', answer in DO'53' */
  static const uint8_t off[] = { 0x54, 0x02, 0x01, 0x00 };
  assert_int_equal (transceive (&ch, 0xB1, 0x00, 0x00, off, sizeof off, 256, buf, sizeof buf, &n, &sw), MC_OK);
  assert_int_equal (sw, 0x9000);
  assert_int_equal (buf[0], 0x53);
  assert_true (n > 4);
  size_t hdr = buf[1] == 0x81 ? 3 : buf[1] == 0x82 ? 4 : 2;
  assert_memory_equal (buf + hdr, dg2 + 256, n - hdr);
  /* DG3 stays closed under BAC */
  assert_int_equal (transceive (&ch, 0xB0, 0x83, 0x00, NULL, 0, 256, buf, sizeof buf, &n, &sw), MC_OK);
  assert_int_equal (sw, 0x6982);
  /* a plain command ends the session */
  assert_int_equal (raw (c, "00B0810000", NULL, NULL), 0x6987);
  assert_false (cardsim_sm (c)->active);
  mc_sm_clear (&ch.sm);
  cardsim_free (c);
}

static void
test_ca_and_aa (void **state)
{
  (void) state;
  const char *profiles[] = { "cccd-2021.conf", "cancuoc-2024.conf" };
  for (int i = 0; i < 2; i++)
    {
      cardsim *c = harness_make_card (profiles[i], NULL);
      mc_channel ch;
      pace (&ch, c);
      select_app (&ch);
      uint8_t before[32];
      memcpy (before, ch.sm.k_enc, 16);
      size_t n14, n15;
      const uint8_t *dg14 = file (c, 14, &n14), *dg15 = file (c, 15, &n15);
      assert_int_equal (mc_ca_run (&ch, dg14, n14), MC_OK);
      assert_memory_not_equal (before, ch.sm.k_enc, 16);
      assert_memory_equal (ch.sm.k_enc, cardsim_sm (c)->k_enc, 16);
      /* still talking under the new keys */
      static uint8_t buf[4096];
      size_t n = 0;
      uint16_t sw = 0;
      assert_int_equal (transceive (&ch, 0xB0, 0x81, 0x00, NULL, 0, 256, buf, sizeof buf, &n, &sw), MC_OK);
      assert_int_equal (sw, 0x9000);
      size_t dl;
      const uint8_t *dg1 = file (c, 1, &dl);
      assert_int_equal (n, dl);
      assert_memory_equal (buf, dg1, dl);
      /* AA: the signature verifies against DG15 */
      uint8_t chal[8] = { 1, 2, 3, 4, 5, 6, 7, 8 }, sig[1024];
      size_t sig_len = 0;
      assert_int_equal (mc_aa_sign (&ch, chal, sig, sizeof sig, &sig_len), MC_OK);
      int nid = i == 1 ? NID_ecdsa_with_SHA256 : 0;
      assert_int_equal (mc_aa_verify (dg15, n15, nid, chal, sig, sig_len), MC_OK);
      chal[0] ^= 1;
      assert_int_equal (mc_aa_verify (dg15, n15, nid, chal, sig, sig_len), MC_ERR_CRYPTO);
      mc_sm_clear (&ch.sm);
      cardsim_free (c);
    }
}

/* ---------------------------------------------------------------- faults */

static void
test_faults (void **state)
{
  (void) state;
  uint8_t atr[40], atr2[40];
  static uint8_t buf[70000];
  size_t n = 0;
  uint16_t sw = 0;
  cardsim_faults nx = { .no_extended = 1 };
  cardsim *c = harness_make_card ("cccd-2021.conf", &nx);
  cardsim *d = harness_make_card ("cccd-2021.conf", NULL);
  size_t l1 = cardsim_atr (c, atr, sizeof atr), l2 = cardsim_atr (d, atr2, sizeof atr2);
  assert_int_equal (l1, l2);
  assert_memory_not_equal (atr, atr2, l1);
  /* ISO 7816-4 §8.1.1.2.7: third byte of the card capabilities, b7 */
  assert_int_equal (atr2[8] & 0x40, 0x40);
  assert_int_equal (atr[8] & 0x40, 0);
  assert_int_equal (raw (c, "00B09C000000FF", NULL, NULL), 0x6700);   /* extended */
  assert_int_equal (raw (c, "00B09C0000", NULL, NULL), 0x6700);       /* Le 256 */
  assert_int_equal (raw (c, "00B09C00DF", NULL, NULL), 0x9000);       /* Le 223 */
  mc_channel ch;
  pace (&ch, c);
  select_app (&ch);
  assert_int_equal (transceive (&ch, 0xB0, 0x82, 0x00, NULL, 0, 224, buf, sizeof buf, &n, &sw), MC_OK);
  assert_int_equal (sw, 0x6700);
  assert_int_equal (transceive (&ch, 0xB0, 0x82, 0x00, NULL, 0, 223, buf, sizeof buf, &n, &sw), MC_OK);
  assert_int_equal (sw, 0x9000);
  assert_int_equal (n, 223);
  mc_sm_clear (&ch.sm);
  cardsim_free (c);
  cardsim_free (d);

  cardsim_faults mac = { .corrupt_mac = 1 };
  c = harness_make_card ("cccd-2021.conf", &mac);
  pace (&ch, c);   /* the PACE answers themselves are plain */
  static const uint8_t aid[] = { 0xA0, 0x00, 0x00, 0x02, 0x47, 0x10, 0x01 };
  assert_int_equal (transceive (&ch, 0xA4, 0x04, 0x0C, aid, sizeof aid, 0, NULL, 0, NULL, &sw),
                    MC_ERR_SM);
  mc_sm_clear (&ch.sm);
  cardsim_free (c);

  /* reset drops the session */
  c = harness_make_card ("cccd-2021.conf", NULL);
  pace (&ch, c);
  assert_true (cardsim_sm (c)->active);
  cardsim_reset (c);
  assert_false (cardsim_sm (c)->active);
  assert_int_equal (raw (c, "00B0810000", NULL, NULL), 0x6A82);   /* no application */
  assert_int_equal (raw (c, "00A4040C07A0000002471001", NULL, NULL), 0x9000);
  assert_int_equal (raw (c, "00B0810000", NULL, NULL), 0x6982);
  mc_sm_clear (&ch.sm);
  cardsim_free (c);
}

static int
setup (void **state)
{
  (void) state;
  EAC_init ();
  return 0;
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_personalisation_2021),
    cmocka_unit_test (test_personalisation_2024_and_minimal),
    cmocka_unit_test (test_sod),
    cmocka_unit_test (test_plain_access_rules),
    cmocka_unit_test (test_bac_and_reads),
    cmocka_unit_test (test_ca_and_aa),
    cmocka_unit_test (test_faults),
  };
  return cmocka_run_group_tests (tests, setup, NULL);
}
