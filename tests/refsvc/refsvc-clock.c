/* refsvc-clock.c — the back office's virtual clock
 *
 * Realtime mode: virtual time runs at `speed` times the real monotonic
 * clock from where it was when the mode was set.  Stepped mode (tests):
 * time stands still except when refsvc_clock_advance moves it, so every
 * status transition happens at a time the test chose. */
#define G_LOG_DOMAIN "refsvc-clock"

#include "refsvc-server.h"

struct refsvc_clock {
  GMutex   lock;
  gboolean stepped;
  double   speed;
  gint64   base_virtual_us;  /* virtual time at base_mono_us */
  gint64   base_mono_us;
};

static gint64
now_locked (refsvc_clock *c)
{
  if (c->stepped)
    return c->base_virtual_us;
  return c->base_virtual_us
         + (gint64) ((double) (g_get_monotonic_time () - c->base_mono_us) * c->speed);
}

GTimeZone *
refsvc_vn_timezone (void)
{
  static gsize tz;

  /* Vietnam has kept UTC+7 without daylight saving since 1975. */
  if (g_once_init_enter (&tz))
    g_once_init_leave (&tz, (gsize) g_time_zone_new_offset (7 * 3600));
  return (GTimeZone *) tz;
}

refsvc_clock *
refsvc_clock_new (gboolean stepped, double speed)
{
  refsvc_clock *c = g_new0 (refsvc_clock, 1);

  g_mutex_init (&c->lock);
  c->stepped = stepped;
  c->speed = speed > 0 ? speed : 1.0;
  c->base_virtual_us = g_get_real_time ();
  c->base_mono_us = g_get_monotonic_time ();
  return c;
}

void
refsvc_clock_free (refsvc_clock *c)
{
  if (c == NULL)
    return;
  g_mutex_clear (&c->lock);
  g_free (c);
}

gint64
refsvc_clock_now (refsvc_clock *c)
{
  gint64 us;

  g_mutex_lock (&c->lock);
  us = now_locked (c);
  g_mutex_unlock (&c->lock);
  return us / G_USEC_PER_SEC;
}

gint64
refsvc_clock_advance (refsvc_clock *c, gint64 seconds)
{
  gint64 us;

  g_mutex_lock (&c->lock);
  c->base_virtual_us = now_locked (c) + MAX (seconds, 0) * G_USEC_PER_SEC;
  c->base_mono_us = g_get_monotonic_time ();
  us = c->base_virtual_us;
  g_mutex_unlock (&c->lock);
  return us / G_USEC_PER_SEC;
}

void
refsvc_clock_set_mode (refsvc_clock *c, gboolean stepped, double speed)
{
  g_mutex_lock (&c->lock);
  c->base_virtual_us = now_locked (c);
  c->base_mono_us = g_get_monotonic_time ();
  c->stepped = stepped;
  if (speed > 0)
    c->speed = speed;
  g_mutex_unlock (&c->lock);
}

gboolean
refsvc_clock_is_stepped (refsvc_clock *c)
{
  gboolean s;

  g_mutex_lock (&c->lock);
  s = c->stepped;
  g_mutex_unlock (&c->lock);
  return s;
}

double
refsvc_clock_speed (refsvc_clock *c)
{
  double s;

  g_mutex_lock (&c->lock);
  s = c->speed;
  g_mutex_unlock (&c->lock);
  return s;
}
