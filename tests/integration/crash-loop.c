/* crash-loop.c — kill -9 the sync daemon again and again; nothing is lost
 * and nothing is stored twice
 *
 * The reference service adds latency to every request, so that kills land
 * while requests are in flight (before the service committed, or after it
 * committed and before the answer was recorded).  N dossiers are queued,
 * then CYCLES times `motcua-cli sync --daemon` is started and killed with
 * SIGKILL after a random 0–400 ms.  Finally `sync --once` runs until
 * nothing is left.  Checked: each transaction is stored exactly once at
 * the service, every item is ACCEPTED (or further) with the service's
 * dossier id.  Printed: cycles, kills that came after a commit whose
 * answer was lost, replays seen by the service.
 *
 * Environment: CYCLES (default 30; ≥ 200 for the full run), DOSSIERS
 * (default 40), SEED (default 1), LATENCY_MS (default 120).
 * Exit status 0 when every check holds. */
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

/* Items at the service for this queue: ACCEPTED or any later state. */
static guint
count_accepted (MotcuaQueue *q)
{
  guint n = 0;
  for (int s = MOTCUA_ITEM_ACCEPTED; s <= MOTCUA_ITEM_SUPPLEMENT; s++)
    n += cl_count (q, s);
  return n;
}

static GSubprocessLauncher *
cli_launcher (cl_fixture *f, const char *queue_path)
{
  GSubprocessLauncher *l = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE
                                                      | G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  MotcuaSyncConfig c;
  cl_sync_config (f, &c, 4);
  g_subprocess_launcher_setenv (l, "MOTCUA_SERVICE_URL", c.service_url, TRUE);
  g_subprocess_launcher_setenv (l, "MOTCUA_SERVICE_CA", c.service_ca, TRUE);
  g_subprocess_launcher_setenv (l, "MOTCUA_CLIENT_CERT", c.client_cert, TRUE);
  g_subprocess_launcher_setenv (l, "MOTCUA_CLIENT_KEY", c.client_key, TRUE);
  g_subprocess_launcher_setenv (l, "MOTCUA_QUEUE", queue_path, TRUE);
  g_subprocess_launcher_setenv (l, "MOTCUA_DEVICE_KEY_FILE", f->device_key_path, TRUE);
  g_subprocess_launcher_setenv (l, "XDG_CONFIG_HOME", f->dir, TRUE);
  g_subprocess_launcher_unsetenv (l, "MOTCUA_CONF");
  motcua_sync_config_clear (&c);
  return l;
}

static gboolean
check_stored_once (cl_fixture *f, MotcuaQueue *q, GArray *ids)
{
  gboolean ok = TRUE;
  for (guint i = 0; i < ids->len; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(MotcuaQueueItem) item = motcua_queue_get_by_id (q, g_array_index (ids, gint64, i),
                                                                &error);
      if (item == NULL || item->state < MOTCUA_ITEM_ACCEPTED || item->state > MOTCUA_ITEM_SUPPLEMENT
          || item->dossier_id == NULL)
        {
          fprintf (stderr, "item %u: %s\n", i,
                   item ? motcua_item_state_name (item->state) : error->message);
          ok = FALSE;
          continue;
        }
      guint at_service = svc_admin_count_transaction (f->svc, item->transaction_id);
      g_autofree char *path = g_strconcat ("/v1/dossiers/by-transaction/", item->transaction_id,
                                           NULL);
      g_autoptr(svc_response) r = svc_get_as (f->svc, SVC_COUNTER, path);
      const char *svc_id = r->status == 200 ? svc_json_str (r->json, "/dossierId") : NULL;
      if (at_service != 1 || g_strcmp0 (svc_id, item->dossier_id) != 0)
        {
          fprintf (stderr, "item %u: stored %u times, service id %s, local %s\n", i, at_service,
                   svc_id ? svc_id : "-", item->dossier_id);
          ok = FALSE;
        }
    }
  return ok;
}

int
main (void)
{
  guint cycles = env_uint ("CYCLES", 30), n = env_uint ("DOSSIERS", 40);
  guint latency = env_uint ("LATENCY_MS", 120);
  g_autoptr(GRand) rnd = g_rand_new_with_seed (env_uint ("SEED", 1));
  const char *build = g_getenv ("MOTCUA_BUILD_ROOT");
  g_autofree char *cli = g_build_filename (build ? build : "build", "client", "motcua-cli", NULL);

  cl_fixture f;
  if (!cl_fixture_start (&f, NULL))
    return 1;
  g_autofree char *queue_path = g_build_filename (f.dir, "queue.db", NULL);
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(MotcuaQueue) q = motcua_queue_open (queue_path, f.device_key, &error);
    if (q == NULL || !cl_enqueue (&f, q, n, ids))
      return 1;
  }
  g_autofree char *faults = g_strdup_printf ("{\"latencyMs\":%u}", latency);
  if (!svc_set_faults (f.svc, faults))
    return 1;
  g_autoptr(GSubprocessLauncher) launcher = cli_launcher (&f, queue_path);
  gint64 stored0 = svc_stat (f.svc, "/stored/dossiers");
  gint64 dup0 = svc_stat (f.svc, "/duplicates");
  guint after_commit = 0, in_flight = 0, early_exit = 0;
  gboolean ok = TRUE;

  for (guint c = 0; c < cycles; c++)
    {
      gint64 req0 = svc_stat (f.svc, "/faults/latencyInjected");
      g_autoptr(GError) error = NULL;
      g_autoptr(GSubprocess) p = g_subprocess_launcher_spawn (launcher, &error, cli, "sync",
                                                              "--daemon", NULL);
      if (p == NULL)
        {
          fprintf (stderr, "spawn: %s\n", error->message);
          return 1;
        }
      g_usleep ((gulong) g_rand_int_range (rnd, 0, 401) * 1000);
      g_subprocess_force_exit (p);
      g_subprocess_wait (p, NULL, NULL);
      if (!g_subprocess_get_if_signaled (p))
        {
          early_exit++;   /* it ended by itself: that is an error */
          ok = FALSE;
        }
      if (svc_stat (f.svc, "/faults/latencyInjected") > req0)
        in_flight++;
      g_autoptr(MotcuaQueue) q = motcua_queue_open (queue_path, f.device_key, &error);
      if (q == NULL)
        {
          fprintf (stderr, "cycle %u: queue: %s\n", c, error->message);
          return 1;
        }
      /* Committed at the service, answer never recorded: a later replay. */
      if (svc_stat (f.svc, "/stored/dossiers") - stored0 > (gint64) count_accepted (q))
        after_commit++;
    }

  svc_set_faults (f.svc, "{}");
  guint left = G_MAXUINT;
  for (guint i = 0; i < 50 && left > 0; i++)
    {
      g_autoptr(GSubprocess) p = g_subprocess_launcher_spawn (launcher, NULL, cli, "sync",
                                                              "--once", NULL);
      if (p)
        g_subprocess_wait (p, NULL, NULL);
      g_autoptr(GError) error = NULL;
      g_autoptr(MotcuaQueue) q = motcua_queue_open (queue_path, f.device_key, &error);
      left = q ? cl_count (q, 0) : G_MAXUINT;
    }
  g_autoptr(GError) error = NULL;
  g_autoptr(MotcuaQueue) q = motcua_queue_open (queue_path, f.device_key, &error);
  if (q == NULL || left != 0)
    {
      fprintf (stderr, "crash loop: %u items left unsent\n", left);
      ok = FALSE;
    }
  else
    ok &= check_stored_once (&f, q, ids);
  gint64 stored = svc_stat (f.svc, "/stored/dossiers") - stored0;
  if (stored != n)
    {
      fprintf (stderr, "crash loop: %" G_GINT64_FORMAT " stored for %u dossiers\n", stored, n);
      ok = FALSE;
    }
  printf ("crash loop: %u cycles, %u dossiers, %u kills with requests at the service, "
          "%u kills after a commit whose answer was lost, %" G_GINT64_FORMAT
          " replays seen by the service, %u daemons that exited by themselves: %s\n",
          cycles, n, in_flight, after_commit, svc_stat (f.svc, "/duplicates") - dup0, early_exit,
          ok ? "OK" : "FAILED");
  g_clear_pointer (&q, motcua_queue_close);
  ok &= cl_fixture_stop (&f);
  return ok ? 0 : 1;
}
