/* motcua-backoff.h — when to try a failed send again
 *
 * Exponential back-off with "equal jitter" and a cap (AWS "Exponential
 * Backoff And Jitter", 2015): attempt n waits a uniformly random time in
 * [base·2^(n-1) / 2, base·2^(n-1)], capped at @cap; a Retry-After from the
 * service is a floor.  Pure functions: tested without clocks. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define MOTCUA_BACKOFF_BASE_S 2
#define MOTCUA_BACKOFF_CAP_S  900

/* Seconds to wait after the @attempts-th failure (1 = first failure).
 * @random01 is a number in [0, 1) (g_random_double() in production).
 * @retry_after: the service's Retry-After in seconds, or 0. */
gint64 motcua_backoff_delay (guint attempts, double random01, gint64 retry_after,
                             gint64 base, gint64 cap);

G_END_DECLS
