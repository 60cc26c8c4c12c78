/* test-card-read.c — reading simulated cards through a real pcscd
 *
 * Starts tests/cardsim/cardsim-stack.sh once (pcscd in its own mount
 * namespace + the simulator behind vpcd), then swaps the simulated card
 * between tests: each profile by PACE and by BAC, and every fault switch.
 * Needs root; exits 77 (skip) otherwise. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <glib.h>
#include <json-glib/json-glib.h>

#include "motcua-card.h"

static char *state_dir;
static char *stack_script;
static char *cli_path;
static char *trust_dir;
static char *profiles_dir;
static mc_trust_store *trust;

/* ------------------------------------------------------------ the stack */

static int
run_stack (char **out, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  g_autofree char *args = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  g_autofree char *cmd = g_strdup_printf ("'%s' %s", stack_script, args);
  g_autofree char *std_out = NULL, *std_err = NULL;
  int wait_status = 0;
  g_autoptr(GError) error = NULL;
  if (!g_spawn_command_line_sync (cmd, &std_out, &std_err, &wait_status, &error))
    {
      fprintf (stderr, "spawn %s: %s\n", cmd, error->message);
      return -1;
    }
  if (!g_spawn_check_wait_status (wait_status, NULL))
    {
      fprintf (stderr, "%s failed:\n%s%s\n", cmd, std_out, std_err);
      return -1;
    }
  if (out)
    *out = g_steal_pointer (&std_out);
  return 0;
}

/* Inserts a fresh simulated card with the given profile and switches. */
static void
insert_card (const char *profile, const char *switches)
{
  assert_int_equal (run_stack (NULL, "card '%s' --profile '%s/%s.conf' %s", state_dir,
                               profiles_dir, profile, switches ? switches : ""), 0);
}

/* key = value lines of a simulator profile. */
static GHashTable *
load_profile (const char *name)
{
  g_autofree char *path = g_strdup_printf ("%s/%s.conf", profiles_dir, name);
  g_autofree char *text = NULL;
  GHashTable *h = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  if (!g_file_get_contents (path, &text, NULL, NULL))
    return h;
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
  for (size_t i = 0; lines[i]; i++)
    {
      char *line = g_strstrip (lines[i]);
      char *eq = strchr (line, '=');
      if (!eq || line[0] == '#' || line[0] == '[')
        continue;
      *eq = '\0';
      g_hash_table_insert (h, g_strdup (g_strstrip (line)), g_strdup (g_strstrip (eq + 1)));
    }
  return h;
}

static const char *
profile_get (GHashTable *p, const char *key)
{
  return g_hash_table_lookup (p, key);
}

/* "YYYY-MM-DD" or "DD/MM/YYYY" → "YYYY-MM-DD" for comparisons. */
static char *
iso_date (const char *d)
{
  int y, m, day;
  if (!d)
    return NULL;
  if (sscanf (d, "%4d-%2d-%2d", &y, &m, &day) == 3)
    return g_strdup_printf ("%04d-%02d-%02d", y, m, day);
  if (sscanf (d, "%2d/%2d/%4d", &day, &m, &y) == 3)
    return g_strdup_printf ("%04d-%02d-%02d", y, m, day);
  return g_strdup (d);
}

static void
access_for (GHashTable *p, int by_can, mc_access *a)
{
  const char *id = profile_get (p, "id_number");
  assert_non_null (id);
  assert_int_equal (strlen (id), 12);
  if (by_can)
    assert_int_equal (mc_access_from_can (a, id + 6), MC_OK);
  else
    {
      g_autofree char *dob = iso_date (profile_get (p, "date_of_birth"));
      g_autofree char *exp = iso_date (profile_get (p, "date_of_expiry"));
      assert_int_equal (mc_access_from_id (a, id, dob, exp), MC_OK);
      memset (a->can, 0, sizeof a->can);   /* force BAC: no CAN */
    }
}

/* A whole read, as the CLI does it. */
typedef struct {
  mc_status st;             /* first failing step */
  mc_identity *id;
  mc_face *face;
  mc_verdict verdict;
  mc_stats stats;
  mc_access_method method;
} read_result;

static void
read_card (const mc_access *a, read_result *r)
{
  memset (r, 0, sizeof *r);
  mc_context *ctx = NULL;
  mc_card *card = NULL;
  r->st = mc_context_new (&ctx);
  if (r->st == MC_OK)
    r->st = mc_card_connect (ctx, NULL, &card);
  if (r->st == MC_OK)
    r->st = mc_card_authenticate (card, a);
  if (r->st == MC_OK)
    r->st = mc_card_read_identity (card, &r->id);
  if (r->st == MC_OK)
    r->st = mc_card_verify (card, trust, &r->verdict);
  if (r->st == MC_OK)
    r->st = mc_card_read_face (card, &r->face);
  if (card)
    {
      mc_card_get_verdict (card, &r->verdict);
      mc_card_get_stats (card, &r->stats);
      r->method = mc_card_access_method (card);
    }
  mc_card_free (card);
  mc_context_free (ctx);
}

static void
read_result_clear (read_result *r)
{
  mc_identity_free (r->id);
  mc_face_free (r->face);
  memset (r, 0, sizeof *r);
}

static void
assert_identity_matches (const mc_identity *id, GHashTable *p)
{
  assert_string_equal (id->id_number, profile_get (p, "id_number"));
  assert_string_equal (id->full_name, profile_get (p, "full_name"));
  g_autofree char *dob = iso_date (profile_get (p, "date_of_birth"));
  assert_string_equal (id->date_of_birth, dob);
  const char *spouse = profile_get (p, "spouse_name");
  if (spouse && *spouse)
    assert_string_equal (id->spouse_name, spouse);
  else
    assert_null (id->spouse_name);
  const char *residence = profile_get (p, "place_of_residence");
  if (residence && *residence)
    assert_string_equal (id->place_of_residence, residence);
  assert_true (id->has_mrz);
  assert_true (id->mrz.check_digits_ok);
  /* BAC document number = the last 9 digits of the ID number. */
  assert_string_equal (id->mrz.document_number, profile_get (p, "id_number") + 3);
}

/* ------------------------------------------------------------ tests */

static const char *profiles[] = { "cccd-2021", "cancuoc-2024", "long-names", "no-spouse", "minimal" };

static void
test_profiles_by_pace (void **state)
{
  (void) state;
  for (size_t i = 0; i < G_N_ELEMENTS (profiles); i++)
    {
      g_autoptr(GHashTable) p = load_profile (profiles[i]);
      insert_card (profiles[i], NULL);
      mc_access a;
      read_result r;
      access_for (p, 1, &a);
      read_card (&a, &r);
      if (r.st != MC_OK)
        fprintf (stderr, "profile %s: %s\n", profiles[i], mc_status_code (r.st));
      assert_int_equal (r.st, MC_OK);
      assert_int_equal (r.method, MC_ACCESS_PACE);
      assert_identity_matches (r.id, p);
      assert_int_equal (r.verdict.status, MC_VERDICT_GENUINE);
      assert_int_equal (r.verdict.passive.result, MC_CHECK_PASSED);
      assert_int_equal (r.verdict.chip.result, MC_CHECK_PASSED);
      assert_int_equal (r.verdict.active.result, MC_CHECK_PASSED);
      assert_non_null (r.face);
      assert_true (r.face->len > 100);
      assert_true (r.face->format == MC_FACE_JPEG || r.face->format == MC_FACE_JPEG2000);
      read_result_clear (&r);
      mc_access_clear (&a);
    }
}

static void
test_profiles_by_bac (void **state)
{
  (void) state;
  for (size_t i = 0; i < G_N_ELEMENTS (profiles); i++)
    {
      g_autoptr(GHashTable) p = load_profile (profiles[i]);
      insert_card (profiles[i], "--bac-only");
      mc_access a;
      read_result r;
      access_for (p, 0, &a);
      read_card (&a, &r);
      assert_int_equal (r.st, MC_OK);
      assert_int_equal (r.method, MC_ACCESS_BAC);
      assert_identity_matches (r.id, p);
      assert_int_equal (r.verdict.status, MC_VERDICT_GENUINE);
      read_result_clear (&r);
      mc_access_clear (&a);
    }
}

static void
test_wrong_can_denied (void **state)
{
  (void) state;
  insert_card ("cccd-2021", NULL);
  mc_access a;
  read_result r;
  assert_int_equal (mc_access_from_can (&a, "000000"), MC_OK);
  read_card (&a, &r);
  assert_int_equal (r.st, MC_ERR_ACCESS_DENIED);
  assert_null (r.id);
  read_result_clear (&r);
}

static void
test_can_on_bac_only_card (void **state)
{
  (void) state;
  g_autoptr(GHashTable) p = load_profile ("cccd-2021");
  insert_card ("cccd-2021", "--bac-only");
  mc_access a;
  read_result r;
  access_for (p, 1, &a);
  read_card (&a, &r);
  assert_int_equal (r.st, MC_ERR_NEED_MRZ_DATA);
  read_result_clear (&r);
}

static void
read_with_switches (const char *switches, read_result *r)
{
  g_autoptr(GHashTable) p = load_profile ("cccd-2021");
  insert_card ("cccd-2021", switches);
  mc_access a;
  access_for (p, 1, &a);
  read_card (&a, r);
  mc_access_clear (&a);
}

static void
test_tampered_dg13_fails (void **state)
{
  (void) state;
  read_result r;
  read_with_switches ("--tamper-dg 13", &r);
  assert_int_equal (r.st, MC_OK);
  assert_int_equal (r.verdict.status, MC_VERDICT_FAILED);
  assert_int_equal (r.verdict.passive.result, MC_CHECK_FAILED);
  assert_non_null (strstr (r.verdict.passive.reason, "DG13"));
  read_result_clear (&r);
}

static void
test_tampered_face_fails (void **state)
{
  (void) state;
  read_result r;
  read_with_switches ("--tamper-dg 2", &r);
  assert_int_equal (r.st, MC_OK);
  assert_int_equal (r.verdict.status, MC_VERDICT_FAILED);
  assert_non_null (strstr (r.verdict.passive.reason, "DG2"));
  read_result_clear (&r);
}

static void
test_rogue_csca_unverified (void **state)
{
  (void) state;
  read_result r;
  read_with_switches ("--rogue-csca", &r);
  assert_int_equal (r.st, MC_OK);
  assert_int_equal (r.verdict.status, MC_VERDICT_UNVERIFIED);
  assert_int_equal (r.verdict.passive.result, MC_CHECK_UNVERIFIED);
  read_result_clear (&r);
}

static void
test_expired_signer_fails (void **state)
{
  (void) state;
  read_result r;
  read_with_switches ("--expired-ds", &r);
  assert_int_equal (r.st, MC_OK);
  assert_int_equal (r.verdict.status, MC_VERDICT_FAILED);
  assert_int_equal (r.verdict.passive.result, MC_CHECK_FAILED);
  read_result_clear (&r);
}

static void
test_corrupt_mac_detected (void **state)
{
  (void) state;
  read_result r;
  read_with_switches ("--corrupt-mac", &r);
  assert_int_equal (r.st, MC_ERR_SM);
  assert_null (r.id);
  read_result_clear (&r);
}

static void
test_removal_then_reinsertion (void **state)
{
  (void) state;
  read_result r;
  /* Removed before DG13 (EF.CardAccess, MSE, 4 x GA, SELECT, DG1 = 8). */
  read_with_switches ("--remove-after 8", &r);
  if (r.st != MC_ERR_CARD_REMOVED)
    fprintf (stderr, "removal gave %s after %u APDUs\n", mc_status_code (r.st), r.stats.apdus);
  assert_int_equal (r.st, MC_ERR_CARD_REMOVED);
  assert_null (r.id);
  read_result_clear (&r);

  /* Removed after the text, during verification: the text stays valid,
   * the operation reports the removal. */
  read_with_switches ("--remove-after 12", &r);
  assert_int_equal (r.st, MC_ERR_CARD_REMOVED);
  assert_non_null (r.id);
  assert_null (r.face);
  assert_int_not_equal (r.verdict.status, MC_VERDICT_GENUINE);
  read_result_clear (&r);

  read_with_switches (NULL, &r);
  assert_int_equal (r.st, MC_OK);
  assert_int_equal (r.verdict.status, MC_VERDICT_GENUINE);
  read_result_clear (&r);
}

static void
test_capped_card_short_chunks (void **state)
{
  (void) state;
  read_result r;
  read_with_switches ("--no-extended", &r);
  assert_int_equal (r.st, MC_OK);
  assert_int_equal (r.verdict.status, MC_VERDICT_GENUINE);
  assert_false (r.stats.extended_length);
  assert_true (r.stats.chunk_size <= 223);
  unsigned capped = r.stats.apdus;
  read_result_clear (&r);

  /* The same card with extended length needs fewer APDUs. */
  read_with_switches (NULL, &r);
  assert_int_equal (r.st, MC_OK);
  assert_true (r.stats.extended_length);
  assert_true (r.stats.apdus < capped);
  read_result_clear (&r);
}

/* ------------------------------------------------------------ the CLI */

static int
run_cli_json (const char *can, JsonNode **out)
{
  g_autofree char *std_out = NULL;
  int wait_status = 0;
  const char *argv[] = { cli_path, "card", "read", "--can", can, "--trust", trust_dir,
                         "--json", NULL };
  assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL,
                             &std_out, NULL, &wait_status, NULL));
  *out = NULL;
  if (std_out && *std_out)
    *out = json_from_string (std_out, NULL);
  return WIFEXITED (wait_status) ? WEXITSTATUS (wait_status) : -1;
}

static void
test_cli_json (void **state)
{
  (void) state;
  g_autoptr(GHashTable) p = load_profile ("cccd-2021");
  const char *id = profile_get (p, "id_number");
  insert_card ("cccd-2021", NULL);
  g_autoptr(JsonNode) root = NULL;
  assert_int_equal (run_cli_json (id + 6, &root), 0);
  assert_non_null (root);
  JsonObject *o = json_node_get_object (root);
  static const char *keys[] = {
    "id_number", "full_name", "date_of_birth", "sex", "nationality", "ethnicity", "religion",
    "place_of_origin", "place_of_residence", "identifying_marks", "date_of_issue",
    "date_of_expiry", "father_name", "mother_name", "spouse_name", "old_id_number", "mrz",
    "face", "access", "verdict", "stats",
  };
  for (size_t i = 0; i < G_N_ELEMENTS (keys); i++)
    assert_true (json_object_has_member (o, keys[i]));
  assert_string_equal (json_object_get_string_member (o, "id_number"), id);
  assert_string_equal (json_object_get_string_member (o, "access"), "pace");
  JsonObject *v = json_object_get_object_member (o, "verdict");
  assert_string_equal (json_object_get_string_member (v, "status"), "genuine");
  assert_true (json_object_has_member (v, "passive"));
  assert_true (json_object_has_member (v, "active"));
  assert_true (json_object_has_member (v, "chip"));
  JsonObject *s = json_object_get_object_member (o, "stats");
  assert_true (json_object_get_int_member (s, "apdus") > 0);
  JsonObject *f = json_object_get_object_member (o, "face");
  assert_true (json_object_get_int_member (f, "size") > 100);

  /* Exit codes: tampered → 4, unknown CSCA → 3, wrong CAN → 5. */
  g_autoptr(JsonNode) r2 = NULL, r3 = NULL, r4 = NULL;
  insert_card ("cccd-2021", "--tamper-dg 13");
  assert_int_equal (run_cli_json (id + 6, &r2), 4);
  insert_card ("cccd-2021", "--rogue-csca");
  assert_int_equal (run_cli_json (id + 6, &r3), 3);
  insert_card ("cccd-2021", NULL);
  assert_int_equal (run_cli_json ("000000", &r4), 5);
}

static int
setup (void **state)
{
  (void) state;
  const char *src = g_getenv ("MOTCUA_SOURCE_ROOT"), *build = g_getenv ("MOTCUA_BUILD_ROOT");
  if (!src || !build)
    return -1;
  stack_script = g_build_filename (src, "tests", "cardsim", "cardsim-stack.sh", NULL);
  profiles_dir = g_build_filename (src, "tests", "cardsim", "profiles", NULL);
  trust_dir = g_build_filename (src, "certs", "test", "trust", NULL);
  cli_path = g_build_filename (build, "client", "motcua-cli", NULL);
  g_autofree char *sim = g_build_filename (build, "tests", "cardsim", "motcua-cardsim", NULL);
  g_setenv ("MOTCUA_CARDSIM", sim, TRUE);
  state_dir = g_dir_make_tmp ("motcua-it-XXXXXX", NULL);

  g_autofree char *out = NULL;
  if (run_stack (&out, "start '%s' --profile '%s/cccd-2021.conf'", state_dir, profiles_dir) != 0)
    return -1;
  /* The stack prints `export PCSCLITE_CSOCK_NAME=...`: the PC/SC client
   * library reads it on first use. */
  g_auto(GStrv) lines = g_strsplit (out, "\n", -1);
  for (size_t i = 0; lines[i]; i++)
    {
      const char *l = lines[i];
      if (g_str_has_prefix (l, "export "))
        l += 7;
      if (g_str_has_prefix (l, "PCSCLITE_CSOCK_NAME="))
        {
          g_autofree char *v = g_shell_unquote (l + strlen ("PCSCLITE_CSOCK_NAME="), NULL);
          g_setenv ("PCSCLITE_CSOCK_NAME", v ? v : l + strlen ("PCSCLITE_CSOCK_NAME="), TRUE);
        }
    }
  if (!g_getenv ("PCSCLITE_CSOCK_NAME"))
    return -1;
  if (mc_trust_store_new (&trust) != MC_OK || mc_trust_store_add_dir (trust, trust_dir) != MC_OK)
    return -1;
  return 0;
}

static int
teardown (void **state)
{
  (void) state;
  if (state_dir)
    run_stack (NULL, "stop '%s'", state_dir);
  mc_trust_store_free (trust);
  if (state_dir)
    {
      g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", state_dir);
      if (system (cmd) != 0)
        fprintf (stderr, "could not remove %s\n", state_dir);
    }
  g_free (state_dir);
  g_free (stack_script);
  g_free (profiles_dir);
  g_free (trust_dir);
  g_free (cli_path);
  return 0;
}

int
main (void)
{
  if (geteuid () != 0 || !g_file_test ("/usr/sbin/pcscd", G_FILE_TEST_IS_EXECUTABLE))
    {
      fprintf (stderr, "skip: needs root and pcscd (pcscd runs in its own mount namespace)\n");
      return 77;
    }
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_profiles_by_pace),
    cmocka_unit_test (test_profiles_by_bac),
    cmocka_unit_test (test_wrong_can_denied),
    cmocka_unit_test (test_can_on_bac_only_card),
    cmocka_unit_test (test_tampered_dg13_fails),
    cmocka_unit_test (test_tampered_face_fails),
    cmocka_unit_test (test_rogue_csca_unverified),
    cmocka_unit_test (test_expired_signer_fails),
    cmocka_unit_test (test_corrupt_mac_detected),
    cmocka_unit_test (test_removal_then_reinsertion),
    cmocka_unit_test (test_capped_card_short_chunks),
    cmocka_unit_test (test_cli_json),
  };
  return cmocka_run_group_tests_name ("card-read", tests, setup, teardown);
}
