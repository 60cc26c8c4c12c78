/* test-bac.c — Basic Access Control (card/bac.c) against ICAO 9303-11
 * App. D.2-D.4, through a scripted transport. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "bac.h"

static size_t
hex (const char *s, uint8_t *out, size_t cap)
{
  size_t n = 0;
  for (; *s; s += 2)
    {
      unsigned v;
      assert_int_equal (sscanf (s, "%2x", &v), 1);
      assert_true (n < cap);
      out[n++] = (uint8_t) v;
    }
  return n;
}

/* A transport that expects an exact sequence of commands and plays back
 * the given responses. */
typedef struct {
  const char *const *cmds;
  const char *const *resps;
  size_t n, i;
  int mismatch;
} script;

static mc_status
script_transmit (void *user, const uint8_t *cmd, size_t cmd_len,
                 uint8_t *resp, size_t *resp_len)
{
  script *s = user;
  uint8_t want[512];
  if (s->i >= s->n)
    {
      s->mismatch = 1;
      return MC_ERR_READER;
    }
  size_t wl = hex (s->cmds[s->i], want, sizeof want);
  if (wl != cmd_len || memcmp (want, cmd, wl) != 0)
    s->mismatch = 1;
  *resp_len = hex (s->resps[s->i], resp, *resp_len);
  s->i++;
  return MC_OK;
}

#define GET_CHALLENGE "0084000008"
#define RND_IC "4608F91988702212"
#define EXT_AUTH "0082000028" \
  "72C29C2371CC9BDB65B779B8E8D37B29ECC154AA56A8799FAE2F498F76ED92F25F1448EEA8AD90A7" "28"
#define EXT_RESP "46B9342A41396CD7386BF5803104D7CEDC122B9132139BAF2EEDC94EE178534F" \
  "2F2D235D074D7449"

static void
get_kseed (uint8_t kseed[16])
{
  mc_access a;
  memset (&a, 0, sizeof a);
  strcpy (a.document_number, "L898902C<");
  strcpy (a.date_of_birth, "690806");
  strcpy (a.date_of_expiry, "940623");
  assert_int_equal (mc_bac_kseed (&a, kseed), MC_OK);
}

static void
test_kseed (void **state)
{
  (void) state;
  uint8_t kseed[16], want[16];
  get_kseed (kseed);
  hex ("239AB9CB282DAF66231DC5A4DF6BFBAE", want, sizeof want);  /* D.2 */
  assert_memory_equal (kseed, want, 16);
  mc_access bad;
  memset (&bad, 0, sizeof bad);
  assert_int_equal (mc_bac_kseed (&bad, kseed), MC_ERR_BAD_ACCESS_DATA);
}

static mc_status
run_bac (script *s, mc_channel *ch)
{
  uint8_t kseed[16], rnd_ifd[8], k_ifd[16];
  get_kseed (kseed);
  hex ("781723860C06C226", rnd_ifd, sizeof rnd_ifd);
  hex ("0B795240CB7049B01C19B33E32804F0B", k_ifd, sizeof k_ifd);
  mc_channel_init (ch, script_transmit, s);
  return mc_bac_authenticate_with (ch, kseed, rnd_ifd, k_ifd);
}

static void
test_mutual_auth (void **state)
{
  (void) state;
  /* D.3, then D.4 through the channel: SELECT EF.COM and two READ
   * BINARY under the session just established. */
  static const char *const cmds[] = {
    GET_CHALLENGE, EXT_AUTH,
    "0CA4020C158709016375432908C044F68E08BF8B92D635FF24F800",
    "0CB000000D9701048E08ED6705417E96BA5500",
    "0CB000040D9701128E082EA28A70F3C7B53500",
  };
  static const char *const resps[] = {
    RND_IC "9000", EXT_RESP "9000",
    "990290008E08FA855A5D4C50A8ED9000",
    "8709019FF0EC34F9922651990290008E08AD55CC17140B2DED9000",
    "871901FB9235F4E4037F2327DCC8964F1F9B8C30F42C8E2FFF224A990290008E08C8B2787EAEA07D749000",
  };
  script s = { cmds, resps, 5, 0, 0 };
  mc_channel ch;
  assert_int_equal (run_bac (&s, &ch), MC_OK);
  assert_false (s.mismatch);
  assert_int_equal (s.i, 2);
  assert_true (ch.sm.active);
  assert_int_equal (ch.sm.cipher, MC_SM_3DES);
  uint8_t want[16];
  hex ("979EC13B1CBFE9DCD01AB0FED307EAE5", want, sizeof want);
  assert_memory_equal (ch.sm.k_enc, want, 16);
  hex ("F1CB1F1FB5ADF208806B89DC579DC1F8", want, sizeof want);
  assert_memory_equal (ch.sm.k_mac, want, 16);
  hex ("887022120C06C226", want, sizeof want);
  assert_memory_equal (ch.sm.ssc, want, 8);

  uint8_t file[64], fid[2] = { 0x01, 0x1E };
  size_t n = 0, total = 0;
  uint16_t sw = 0;
  mc_apdu sel = { .ins = 0xA4, .p1 = 0x02, .p2 = 0x0C, .data = fid, .lc = 2 };
  assert_int_equal (mc_channel_transceive (&ch, &sel, NULL, 0, &n, &sw), MC_OK);
  assert_int_equal (sw, 0x9000);
  assert_int_equal (n, 0);
  mc_apdu rb = { .ins = 0xB0, .le = 4 };
  assert_int_equal (mc_channel_transceive (&ch, &rb, file, sizeof file, &n, &sw), MC_OK);
  assert_int_equal (sw, 0x9000);
  total = n;
  rb.p2 = 4;
  rb.le = 18;
  assert_int_equal (mc_channel_transceive (&ch, &rb, file + total, sizeof file - total, &n, &sw),
                    MC_OK);
  total += n;
  assert_false (s.mismatch);
  uint8_t com[32];
  size_t cl = hex ("60145F0104303130365F36063034303030305C026175", com, sizeof com);
  assert_int_equal (total, cl);
  assert_memory_equal (file, com, cl);
  assert_int_equal (ch.apdus, 5);
  mc_sm_clear (&ch.sm);
}

static void
test_wrong_mac (void **state)
{
  (void) state;
  static const char *const cmds[] = { GET_CHALLENGE, EXT_AUTH };
  /* M_IC with its last bit flipped. */
  static const char *const resps[] = {
    RND_IC "9000",
    "46B9342A41396CD7386BF5803104D7CEDC122B9132139BAF2EEDC94EE178534F2F2D235D074D7448" "9000",
  };
  script s = { cmds, resps, 2, 0, 0 };
  mc_channel ch;
  mc_status st = run_bac (&s, &ch);
  assert_true (st == MC_ERR_ACCESS_DENIED || st == MC_ERR_SM);
  assert_false (ch.sm.active);

  /* E_IC changed: its MAC no longer matches either. */
  static const char *const resps2[] = {
    RND_IC "9000",
    "56B9342A41396CD7386BF5803104D7CEDC122B9132139BAF2EEDC94EE178534F2F2D235D074D7449" "9000",
  };
  script s2 = { cmds, resps2, 2, 0, 0 };
  assert_int_equal (run_bac (&s2, &ch), MC_ERR_ACCESS_DENIED);
  assert_false (ch.sm.active);
}

static void
test_refused (void **state)
{
  (void) state;
  static const char *const cmds[] = { GET_CHALLENGE, EXT_AUTH };
  static const char *const resps[] = { RND_IC "9000", "6300" };
  script s = { cmds, resps, 2, 0, 0 };
  mc_channel ch;
  assert_int_equal (run_bac (&s, &ch), MC_ERR_ACCESS_DENIED);
  assert_false (ch.sm.active);
  static const char *const resps2[] = { RND_IC "9000", "6982" };
  script s2 = { cmds, resps2, 2, 0, 0 };
  assert_int_equal (run_bac (&s2, &ch), MC_ERR_ACCESS_DENIED);
  /* No BAC on this card. */
  static const char *const resps3[] = { "6D00" };
  script s3 = { cmds, resps3, 1, 0, 0 };
  assert_int_equal (run_bac (&s3, &ch), MC_ERR_NOT_SUPPORTED);
  /* A short challenge. */
  static const char *const resps4[] = { "4608F9199000" };
  script s4 = { cmds, resps4, 1, 0, 0 };
  assert_int_equal (run_bac (&s4, &ch), MC_ERR_MALFORMED);
  /* Truncated chip answer. */
  static const char *const resps5[] = { RND_IC "9000", "46B9342A9000" };
  script s5 = { cmds, resps5, 2, 0, 0 };
  assert_int_equal (run_bac (&s5, &ch), MC_ERR_ACCESS_DENIED);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_kseed),
    cmocka_unit_test (test_mutual_auth),
    cmocka_unit_test (test_wrong_mac),
    cmocka_unit_test (test_refused),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
