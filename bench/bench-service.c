/* bench-service.c — submissions per second the reference service sustains
 *
 * N client threads, each with its own libcurl easy handle (so one TLS
 * keep-alive connection per client, as the motcua client's drain will
 * have), send valid signed birth dossiers with distinct transaction ids.
 * Every envelope is signed before the clock starts, so only the service
 * (TLS, envelope and payload checks, CMS verification, SQLite commit) is
 * measured.  Then the same requests again (idempotent replays) and a run
 * of status polls (GET /v1/changes).  Prints figures; never fails on them.
 *
 *   bench-service [--url URL] [--admin URL] [--clients N] [--submissions N]
 *                 [--polls N] [--limit N] [--device NAME] [--signer NAME]
 *
 * URL and admin URL default to $MOTCUA_SERVICE_URL / $MOTCUA_SERVICE_ADMIN
 * (bench/service.sh starts a service and sets them). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "service-harness.h"
#include "testsign.h"

typedef enum { RUN_SUBMIT, RUN_REPLAY, RUN_POLL } run_kind;

typedef struct {
  const char *url;
  const char *pki;
  const char *device;
  run_kind    kind;
  guint       count;        /* requests of this client */
  guint       limit;        /* changes page size */
  char      **envelopes;    /* count of them (submit / replay) */
  /* start barrier */
  GMutex     *lock;
  GCond      *cond;
  guint      *waiting;
  gint64     *t_start;
  /* results */
  gint64     *lat_us;       /* count of them */
  guint       errors;
  guint       unexpected;   /* answered, but not as expected (e.g. no replay) */
  long        connects;
  char        first_error[256];
} client_job;

static void
note_error (client_job *j, const svc_response *r)
{
  j->errors++;
  if (!j->first_error[0])
    g_snprintf (j->first_error, sizeof j->first_error, "HTTP %ld curl %d %s %.120s", r->status,
                (int) r->curl_code, r->curl_error, r->body ? r->body : "");
}

static gpointer
client_main (gpointer data)
{
  client_job *j = data;
  g_autoptr(svc_client) c = svc_client_new (j->url, j->pki, j->device);
  /* Token (and TLS handshake) before the start: the run measures requests
   * on an established keep-alive connection. */
  g_autoptr(svc_response) t = svc_client_request (c, "POST", "/v1/auth/token", NULL, NULL,
                                                  NULL, 0, NULL);
  g_autofree char *token = g_strdup (svc_json_str (t->json, "/access_token"));
  if (!token)
    note_error (j, t);

  g_mutex_lock (j->lock);
  if (--*j->waiting == 0)
    {
      *j->t_start = g_get_monotonic_time ();
      g_cond_broadcast (j->cond);
    }
  while (*j->waiting > 0)
    g_cond_wait (j->cond, j->lock);
  g_mutex_unlock (j->lock);

  g_autofree char *poll_path = g_strdup_printf ("/v1/changes?since=0&limit=%u", j->limit);
  long before = svc_client_connects (c);
  for (guint i = 0; token && i < j->count; i++)
    {
      gint64 t0 = g_get_monotonic_time ();
      svc_response *r;
      if (j->kind == RUN_POLL)
        r = svc_client_request (c, "GET", poll_path, token, NULL, NULL, 0, NULL);
      else
        r = svc_client_request (c, "POST", "/v1/dossiers", token, "application/json",
                                j->envelopes[i], strlen (j->envelopes[i]), NULL);
      j->lat_us[i] = g_get_monotonic_time () - t0;
      long want = j->kind == RUN_POLL ? 200 : 201;
      if (r->curl_code != CURLE_OK || r->status != want)
        note_error (j, r);
      else if ((j->kind == RUN_REPLAY) != (svc_response_header (r, "Idempotent-Replay") != NULL))
        j->unexpected++;
      svc_response_free (r);
    }
  j->connects = svc_client_connects (c) - before;
  return NULL;
}

static int
cmp_i64 (const void *a, const void *b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;
  return (x > y) - (x < y);
}

static double
pct (const gint64 *sorted, gsize n, double p)
{
  if (n == 0)
    return 0;
  gsize i = (gsize) (p * (double) (n - 1) + 0.5);
  return (double) sorted[MIN (i, n - 1)] / 1000.0;
}

typedef struct {
  const char *url, *pki, *device;
  guint clients, per_client, limit;
} bench_cfg;

/* Runs one kind with every client at once and prints its line. */
static void
run (const bench_cfg *cfg, run_kind kind, const char *label, char ***envelopes, guint per_client)
{
  GMutex lock;
  GCond cond;
  g_mutex_init (&lock);
  g_cond_init (&cond);
  guint waiting = cfg->clients;
  gint64 t_start = 0;
  client_job *jobs = g_new0 (client_job, cfg->clients);
  GThread **threads = g_new0 (GThread *, cfg->clients);
  for (guint i = 0; i < cfg->clients; i++)
    {
      jobs[i] = (client_job) { cfg->url, cfg->pki, cfg->device, kind, per_client, cfg->limit,
                               envelopes ? envelopes[i] : NULL, &lock, &cond, &waiting,
                               &t_start, g_new0 (gint64, per_client), 0, 0, 0, "" };
      threads[i] = g_thread_new ("bench-client", client_main, &jobs[i]);
    }
  for (guint i = 0; i < cfg->clients; i++)
    g_thread_join (threads[i]);
  gint64 wall = g_get_monotonic_time () - t_start;

  gsize n = (gsize) cfg->clients * per_client, k = 0;
  gint64 *all = g_new (gint64, n);
  guint errors = 0, unexpected = 0;
  long connects = 0;
  for (guint i = 0; i < cfg->clients; i++)
    {
      memcpy (all + k, jobs[i].lat_us, per_client * sizeof (gint64));
      k += per_client;
      errors += jobs[i].errors;
      unexpected += jobs[i].unexpected;
      connects += jobs[i].connects;
      if (jobs[i].first_error[0])
        fprintf (stderr, "  client %u first error: %s\n", i, jobs[i].first_error);
      g_free (jobs[i].lat_us);
    }
  qsort (all, n, sizeof (gint64), cmp_i64);
  double secs = (double) wall / 1e6;
  printf ("%-10s %8zu %7u %7u %6ld %8.2f %9.1f %8.2f %8.2f %8.2f %8.2f\n", label, n, errors,
          unexpected, connects, secs, secs > 0 ? (double) (n - errors) / secs : 0.0, pct (all, n, 0.50),
          pct (all, n, 0.95), pct (all, n, 0.99), n ? (double) all[n - 1] / 1000.0 : 0.0);
  fflush (stdout);
  g_free (all);
  g_free (jobs);
  g_free (threads);
  g_mutex_clear (&lock);
  g_cond_clear (&cond);
}

static char ***
sign_all (const bench_cfg *cfg, const char *signer, GBytes *payload)
{
  char ***env = g_new0 (char **, cfg->clients);
  for (guint i = 0; i < cfg->clients; i++)
    {
      env[i] = g_new0 (char *, cfg->per_client + 1);
      for (guint k = 0; k < cfg->per_client; k++)
        {
          g_autofree char *txid = g_uuid_string_random ();
          env[i][k] = svc_signed_envelope (txid, "birth", payload, signer, FALSE);
          if (!env[i][k])
            {
              fprintf (stderr, "bench-service: signing with %s failed\n", signer);
              exit (1);
            }
        }
    }
  return env;
}

int
main (int argc, char **argv)
{
  bench_cfg cfg = { g_getenv ("MOTCUA_SERVICE_URL"), NULL, SVC_COUNTER, 4, 500, 100 };
  const char *admin = g_getenv ("MOTCUA_SERVICE_ADMIN");
  const char *signer = "clerk-ec-TEST-ONLY";
  guint polls = 0;
  g_autofree char *pki = testsign_pki_dir ();
  for (int i = 1; i + 1 < argc; i += 2)
    {
      const char *o = argv[i], *v = argv[i + 1];
      if (!strcmp (o, "--url")) cfg.url = v;
      else if (!strcmp (o, "--admin")) admin = v;
      else if (!strcmp (o, "--clients")) cfg.clients = (guint) atoi (v);
      else if (!strcmp (o, "--submissions")) cfg.per_client = (guint) atoi (v);
      else if (!strcmp (o, "--polls")) polls = (guint) atoi (v);
      else if (!strcmp (o, "--limit")) cfg.limit = (guint) atoi (v);
      else if (!strcmp (o, "--device")) cfg.device = v;
      else if (!strcmp (o, "--signer")) signer = v;
      else { fprintf (stderr, "bench-service: unknown option %s\n", o); return 2; }
    }
  if (!cfg.url || cfg.clients == 0 || cfg.per_client == 0 || cfg.limit == 0 || cfg.limit > 1000)
    {
      fprintf (stderr, "usage: bench-service --url https://127.0.0.1:PORT [--admin URL] "
                       "[--clients N] [--submissions N] [--polls N] [--limit 1..1000] "
                       "[--device NAME] [--signer NAME]\n");
      return 2;
    }
  cfg.pki = pki;
  if (polls == 0)
    polls = cfg.per_client;
  svc_global_init ();
  g_autoptr(GBytes) payload = svc_sample ("birth-valid.json");
  if (!payload)
    return 1;

  gint64 t0 = g_get_monotonic_time ();
  char ***env = sign_all (&cfg, signer, payload);
  printf ("bench-service: %s, %u clients x %u submissions, device %s, signer %s\n", cfg.url,
          cfg.clients, cfg.per_client, cfg.device, signer);
  printf ("payload %zu bytes, envelope %zu bytes; %u envelopes signed in %.2f s (not measured)\n",
          g_bytes_get_size (payload), strlen (env[0][0]), cfg.clients * cfg.per_client,
          (double) (g_get_monotonic_time () - t0) / 1e6);
  printf ("%-10s %8s %7s %7s %6s %8s %9s %8s %8s %8s %8s\n", "run", "requests", "errors", "unexp",
          "conns", "wall s", "ok/s", "p50 ms", "p95 ms", "p99 ms", "max ms");
  run (&cfg, RUN_SUBMIT, "submit", env, cfg.per_client);
  run (&cfg, RUN_REPLAY, "replay", env, cfg.per_client);
  g_autofree char *poll_label = g_strdup_printf ("changes%u", cfg.limit);
  run (&cfg, RUN_POLL, poll_label, NULL, polls);
  printf ("(unexp: answered, but a replay without Idempotent-Replay or the reverse; conns: TLS\n"
          " connections opened during the run, 0 = every request on the kept-alive one)\n");

  if (admin)
    {
      /* The service's own count, through the harness's admin helper. */
      svc_service s = { .admin_url = (char *) admin, .pki_dir = pki };
      g_autoptr(JsonNode) stats = svc_admin (&s, "GET", "/admin/stats", NULL, NULL);
      printf ("service: %" G_GINT64_FORMAT " dossiers stored, %" G_GINT64_FORMAT
              " duplicates answered, %" G_GINT64_FORMAT " requests\n",
              svc_json_int (stats, "/stored/dossiers"), svc_json_int (stats, "/duplicates"),
              svc_json_int (stats, "/requests"));
    }
  for (guint i = 0; i < cfg.clients; i++)
    g_strfreev (env[i]);
  g_free (env);
  curl_global_cleanup ();
  return 0;
}
