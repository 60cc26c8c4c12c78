/* test-backoff.c — exponential back-off: bounds, growth, cap, Retry-After,
 * huge attempt counts, jitter range */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <math.h>
#include <stdint.h>

#include <cmocka.h>
#include <glib.h>

#include "motcua-backoff.h"

#define BASE MOTCUA_BACKOFF_BASE_S
#define CAP MOTCUA_BACKOFF_CAP_S

/* Attempt n waits within [c/2, c], c = min(cap, base·2^(n-1)). */
static void
test_bounds (void **state)
{
  (void) state;
  for (guint n = 1; n <= 12; n++)
    {
      gint64 c = MIN ((gint64) CAP, (gint64) BASE << (n - 1));
      for (double r = 0.0; r < 1.0; r += 0.05)
        {
          gint64 d = motcua_backoff_delay (n, r, 0, BASE, CAP);
          assert_true (d >= c / 2);
          assert_true (d <= c);
        }
      assert_int_equal (motcua_backoff_delay (n, 0.0, 0, BASE, CAP), c - c / 2);
      assert_int_equal (motcua_backoff_delay (n, 0.999999, 0, BASE, CAP), c);
    }
}

static void
test_growth (void **state)
{
  (void) state;
  /* With the same random draw the delay doubles until the cap. */
  assert_int_equal (motcua_backoff_delay (1, 0.0, 0, 2, 900), 1);
  assert_int_equal (motcua_backoff_delay (2, 0.0, 0, 2, 900), 2);
  assert_int_equal (motcua_backoff_delay (3, 0.0, 0, 2, 900), 4);
  assert_int_equal (motcua_backoff_delay (4, 0.0, 0, 2, 900), 8);
  assert_int_equal (motcua_backoff_delay (5, 0.999, 0, 2, 900), 32);
  gint64 prev = 0;
  for (guint n = 1; n < 20; n++)
    {
      gint64 d = motcua_backoff_delay (n, 0.5, 0, BASE, CAP);
      assert_true (d >= prev);
      prev = d;
    }
}

static void
test_cap (void **state)
{
  (void) state;
  /* 2·2^9 = 1024 > 900: capped. */
  assert_int_equal (motcua_backoff_delay (10, 0.999999, 0, 2, 900), 900);
  assert_int_equal (motcua_backoff_delay (10, 0.0, 0, 2, 900), 450);
  assert_int_equal (motcua_backoff_delay (40, 0.999999, 0, 2, 900), 900);
}

static void
test_retry_after (void **state)
{
  (void) state;
  /* A floor: a later Retry-After wins, an earlier one does not shorten. */
  assert_int_equal (motcua_backoff_delay (1, 0.0, 120, BASE, CAP), 120);
  assert_int_equal (motcua_backoff_delay (10, 0.999999, 5, BASE, CAP), CAP);
  /* The cap limits the back-off, not the service's own instruction. */
  assert_int_equal (motcua_backoff_delay (1, 0.5, 3600, BASE, CAP), 3600);
}

static void
test_huge_attempts (void **state)
{
  (void) state;
  guint ns[] = { 62, 63, 64, 65, 1000, G_MAXUINT - 1, G_MAXUINT };
  for (gsize i = 0; i < G_N_ELEMENTS (ns); i++)
    {
      gint64 d = motcua_backoff_delay (ns[i], 0.7, 0, BASE, CAP);
      assert_true (d >= CAP / 2 && d <= CAP);
    }
  /* A huge cap and base still do not overflow. */
  gint64 d = motcua_backoff_delay (G_MAXUINT, 0.999, 0, G_MAXINT64 / 4, G_MAXINT64);
  assert_true (d > 0 && d <= G_MAXINT64);
  /* Attempt 0 is treated as the first failure. */
  assert_int_equal (motcua_backoff_delay (0, 0.0, 0, 2, 900), 1);
}

static void
test_jitter_range (void **state)
{
  (void) state;
  /* Out-of-range draws are clamped, NaN does not leak into the result. */
  assert_int_equal (motcua_backoff_delay (5, -1.0, 0, 2, 900), 16);
  assert_int_equal (motcua_backoff_delay (5, 1.0, 0, 2, 900), 16);
  assert_int_equal (motcua_backoff_delay (5, NAN, 0, 2, 900), 16);
  /* Real draws spread over the whole window: both ends reachable. */
  GHashTable *seen = g_hash_table_new (g_int64_hash, g_int64_equal);
  static gint64 vals[64];
  guint k = 0;
  for (double r = 0.0; r < 1.0 && k < G_N_ELEMENTS (vals); r += 1.0 / 40)
    {
      vals[k] = motcua_backoff_delay (5, r, 0, 2, 900);
      g_hash_table_add (seen, &vals[k]);
      k++;
    }
  /* Window [16, 32]: 17 values, all hit. */
  assert_int_equal (g_hash_table_size (seen), 17);
  g_hash_table_unref (seen);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_bounds),
    cmocka_unit_test (test_growth),
    cmocka_unit_test (test_cap),
    cmocka_unit_test (test_retry_after),
    cmocka_unit_test (test_huge_attempts),
    cmocka_unit_test (test_jitter_range),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
