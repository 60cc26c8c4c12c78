/* motcua-backoff.c — exponential back-off with equal jitter and a cap */
#define G_LOG_DOMAIN "motcua-backoff"

#include "motcua-backoff.h"

gint64
motcua_backoff_delay (guint attempts, double random01, gint64 retry_after,
                      gint64 base, gint64 cap)
{
  g_return_val_if_fail (base > 0, 0);
  g_return_val_if_fail (cap >= base, 0);

  if (attempts == 0)
    attempts = 1;
  if (!(random01 >= 0.0) || random01 >= 1.0)   /* also catches NaN */
    random01 = 0.0;

  /* base·2^(n-1), saturating at the cap long before it could overflow. */
  gint64 ceiling = base;
  for (guint i = 1; i < attempts && ceiling < cap; i++)
    ceiling = ceiling > cap / 2 ? cap : ceiling * 2;
  if (ceiling > cap)
    ceiling = cap;

  /* Equal jitter: half fixed, half uniformly random in [0, half]. */
  gint64 half = ceiling / 2;
  gint64 jitter = (gint64) (random01 * (double) (half + 1));   /* ≥ 0: truncation = floor */
  if (jitter > half)
    jitter = half;
  gint64 delay = (ceiling - half) + jitter;
  if (delay < 1)
    delay = 1;

  if (retry_after > delay)
    delay = retry_after;
  return delay;
}
