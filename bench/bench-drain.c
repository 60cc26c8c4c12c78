/* bench-drain.c — how fast the client drains its queue to the service
 *
 * Starts the reference service (test PKI, stepped clock), then for each
 * max_parallel in 1, 4, 8: a fresh queue file with DOSSIERS (1,000)
 * signed, released submissions (enqueued and signed before the clock
 * starts), drained with motcua_sync_run_once passes until nothing is
 * left (the time includes each pass's changes-feed poll, which records
 * every system's first status of every dossier).  Prints dossiers per second next to the service's own figure
 * (bench/service.sh: about 1,200 submissions/s with 4 clients × 500 on
 * the reference machine).  Figures only, never pass/fail.
 *
 * Environment: DOSSIERS (default 1000), LATENCY_MS (default 0: added by
 * the service to every request, to see what parallelism buys on a slow
 * link). */
#include <stdio.h>

#include "crash-loop-util.h"

static guint
env_uint (const char *name, guint dflt)
{
  const char *v = g_getenv (name);
  guint64 n;
  if (v && g_ascii_string_to_unsigned (v, 10, 0, G_MAXUINT, &n, NULL))
    return (guint) n;
  return dflt;
}

static gboolean
drain_once (cl_fixture *f, guint parallel, guint n, guint round)
{
  g_autofree char *name = g_strdup_printf ("drain-%u-%u.db", parallel, round);
  g_autofree char *path = g_build_filename (f->dir, name, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(MotcuaQueue) q = motcua_queue_open (path, f->device_key, &error);
  if (q == NULL || !cl_enqueue (f, q, n, NULL))
    return FALSE;
  MotcuaSyncConfig c;
  cl_sync_config (f, &c, parallel);
  g_autoptr(MotcuaSync) s = motcua_sync_new (&c, path, f->device_key, &error);
  motcua_sync_config_clear (&c);
  if (s == NULL)
    {
      fprintf (stderr, "sync: %s\n", error->message);
      return FALSE;
    }
  gint64 stored0 = svc_stat (f->svc, "/stored/dossiers");
  guint passes = 0, sent = 0, retried = 0, statuses = 0;
  gint64 t0 = g_get_monotonic_time ();
  while (cl_count (q, 0) > 0 && passes < 1000)
    {
      MotcuaSyncStats st = { 0 };
      if (!motcua_sync_run_once (s, &st, &error))
        {
          fprintf (stderr, "pass: %s\n", error->message);
          return FALSE;
        }
      passes++;
      sent += st.sent;
      retried += st.retried;
      statuses += st.status_updates;
    }
  double secs = (double) (g_get_monotonic_time () - t0) / G_USEC_PER_SEC;
  guint accepted = cl_count (q, MOTCUA_ITEM_ACCEPTED) + cl_count (q, MOTCUA_ITEM_PROCESSING);
  printf ("max_parallel %u: %u dossiers in %.2f s = %.0f dossiers/s "
          "(%u requests, %u retried, %u passes, %u feed statuses recorded; %u accepted, %"
          G_GINT64_FORMAT " stored by the service)\n",
          parallel, n, secs, n / secs, sent, retried, passes, statuses, accepted,
          svc_stat (f->svc, "/stored/dossiers") - stored0);
  return TRUE;
}

int
main (void)
{
  guint n = env_uint ("DOSSIERS", 1000), latency = env_uint ("LATENCY_MS", 0);
  cl_fixture f;
  if (!cl_fixture_start (&f, NULL))
    return 1;
  if (latency)
    {
      g_autofree char *faults = g_strdup_printf ("{\"latencyMs\":%u}", latency);
      svc_set_faults (f.svc, faults);
    }
  printf ("bench-drain: %u queued dossiers to the reference service, latency %u ms\n", n,
          latency);
  const guint parallel[] = { 1, 4, 8 };
  gboolean ok = TRUE;
  for (gsize i = 0; i < G_N_ELEMENTS (parallel) && ok; i++)
    ok = drain_once (&f, parallel[i], n, (guint) i);
  printf ("the service alone (bench/service.sh, 4 clients × 500): about 1,200 submissions/s\n");
  ok &= cl_fixture_stop (&f);
  return ok ? 0 : 1;
}
