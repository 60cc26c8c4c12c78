/* bench-queue.c — the durable queue's costs on a real file
 *
 *   bench-queue [--dir DIR] [--count N] [--memory-count N] [--batch N]
 *
 * 1. Durable enqueue latency: N dossiers (default 1,000) built from
 *    tests/refsvc/samples/birth-valid.json, each add_draft + set_signed +
 *    release (three transactions, each committed with synchronous=FULL, so
 *    three fsyncs); median and p99 of the whole and of each step.  The
 *    request body is the size of a real envelope (payload in base64 and a
 *    3 KiB stand-in for the CMS signature).  Dossier building and body
 *    formatting are outside the clock.
 * 2. Claim + mark_accepted throughput over those N items, claiming --batch
 *    (default 16) at a time, as a syncer would.
 * 3. Memory: a fresh process (this program again, so nothing of the first
 *    phases is counted) enqueues --memory-count dossiers (default 10,000)
 *    and lists them all; VmRSS and VmHWM from /proc/self/status at start,
 *    after the enqueues and after the list.
 *
 * DIR defaults to a new directory under /tmp (removed afterwards); the
 * device key is a fresh 2048-bit RSA PEM key.  Prints figures; never fails
 * on them. */
#define G_LOG_DOMAIN "bench-queue"

#include "motcua-config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>

#include "motcua-queue.h"

typedef struct {
  char *dir, *db, *key_path;
  char *sample;                 /* the sample payload's JSON text */
} Bench;

static char *
bench_write_key (const char *dir)
{
  char *path = g_build_filename (dir, "device.pem", NULL);
  EVP_PKEY *pkey = EVP_RSA_gen (2048);
  BIO *b = BIO_new_file (path, "w");
  if (pkey == NULL || b == NULL || PEM_write_bio_PrivateKey (b, pkey, NULL, NULL, 0, NULL, NULL) != 1)
    g_error ("cannot write %s", path);
  BIO_free (b);
  EVP_PKEY_free (pkey);
  return path;
}

static MotcuaDossier *
bench_dossier (const Bench *b)
{
  g_autofree char *file = g_strdup_printf ("{\"format\":\"motcua-dossier/1\",\"procedure\":\"birth\","
                                           "\"payload\":%s}", b->sample);
  g_autoptr(GError) error = NULL;
  MotcuaDossier *d = motcua_dossier_new_from_data (file, strlen (file), &error);
  if (d == NULL)
    g_error ("sample dossier: %s", error->message);
  return d;
}

/* An envelope-sized request body for @tx. */
static GBytes *
bench_body (const char *tx, MotcuaDossier *d)
{
  g_autoptr(GBytes) payload = motcua_dossier_serialize_payload (d);
  gsize len = 0;
  const guchar *p = g_bytes_get_data (payload, &len);
  g_autofree char *p64 = g_base64_encode (p, len);
  guchar sig[3072];
  RAND_bytes (sig, sizeof sig);
  g_autofree char *s64 = g_base64_encode (sig, sizeof sig);
  char *body = g_strdup_printf ("{\"transactionId\":\"%s\",\"procedure\":\"birth\","
                                "\"payload\":\"%s\",\"signature\":\"%s\"}", tx, p64, s64);
  return g_bytes_new_take (body, strlen (body));
}

static MotcuaQueue *
bench_open (const Bench *b, MotcuaDeviceKey **key)
{
  g_autoptr(GError) error = NULL;
  *key = motcua_device_key_open_file (b->key_path, &error);
  MotcuaQueue *q = *key ? motcua_queue_open (b->db, *key, &error) : NULL;
  if (q == NULL)
    g_error ("queue: %s", error->message);
  return q;
}

/* One durable enqueue; the three steps' durations in @us. */
static void
bench_enqueue (MotcuaQueue *q, const Bench *b, gint64 us[3])
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MotcuaDossier) d = bench_dossier (b);
  gint64 id = 0;
  gint64 t0 = g_get_monotonic_time ();
  if (!motcua_queue_add_draft (q, d, "bench", &id, &error))
    g_error ("add_draft: %s", error->message);
  gint64 t1 = g_get_monotonic_time ();
  g_autoptr(MotcuaQueueItem) item = motcua_queue_get_by_id (q, id, &error);
  g_autoptr(GBytes) body = item ? bench_body (item->transaction_id, d) : NULL;
  if (body == NULL)
    g_error ("get: %s", error->message);
  gint64 t2 = g_get_monotonic_time ();
  if (!motcua_queue_set_signed (q, id, body, "bench", &error))
    g_error ("set_signed: %s", error->message);
  gint64 t3 = g_get_monotonic_time ();
  if (!motcua_queue_release (q, id, "bench", &error))
    g_error ("release: %s", error->message);
  gint64 t4 = g_get_monotonic_time ();
  us[0] = t1 - t0;
  us[1] = t3 - t2;
  us[2] = t4 - t3;
}

static int
cmp_i64 (const void *a, const void *b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;
  return (x > y) - (x < y);
}

/* Nearest-rank percentile of sorted @v. */
static double
pct_ms (const gint64 *v, guint n, double p)
{
  guint rank = (guint) (p / 100.0 * n + 0.999999);
  if (rank < 1)
    rank = 1;
  if (rank > n)
    rank = n;
  return v[rank - 1] / 1000.0;
}

static void
print_dist (const char *what, gint64 *v, guint n)
{
  qsort (v, n, sizeof *v, cmp_i64);
  printf ("  %-38s median %8.3f ms   p99 %8.3f ms   max %8.3f ms\n", what, pct_ms (v, n, 50),
          pct_ms (v, n, 99), v[n - 1] / 1000.0);
}

static void
bench_latency_and_drain (const Bench *b, guint count, guint batch)
{
  MotcuaDeviceKey *key = NULL;
  MotcuaQueue *q = bench_open (b, &key);
  gint64 *total = g_new (gint64, count), *steps[3];
  for (int s = 0; s < 3; s++)
    steps[s] = g_new (gint64, count);
  gint64 start = g_get_monotonic_time ();
  for (guint i = 0; i < count; i++)
    {
      gint64 us[3];
      bench_enqueue (q, b, us);
      for (int s = 0; s < 3; s++)
        steps[s][i] = us[s];
      total[i] = us[0] + us[1] + us[2];
    }
  double wall = (g_get_monotonic_time () - start) / 1e6;
  printf ("Durable enqueue (add_draft + set_signed + release, synchronous=FULL), %u dossiers:\n", count);
  print_dist ("enqueue (3 commits)", total, count);
  print_dist ("  add_draft", steps[0], count);
  print_dist ("  set_signed", steps[1], count);
  print_dist ("  release", steps[2], count);
  printf ("  wall %.2f s incl. dossier building, %.1f dossiers/s\n", wall, count / wall);

  g_autoptr(GError) error = NULL;
  guint done = 0;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC + 1;
  start = g_get_monotonic_time ();
  for (;;)
    {
      g_autoptr(GPtrArray) claimed = motcua_queue_claim (q, now, batch, &error);
      if (claimed == NULL)
        g_error ("claim: %s", error->message);
      if (claimed->len == 0)
        break;
      for (guint i = 0; i < claimed->len; i++)
        {
          const MotcuaQueueItem *it = claimed->pdata[i];
          char dossier_id[32];
          g_snprintf (dossier_id, sizeof dossier_id, "HS-%08" G_GINT64_FORMAT, it->id);
          if (!motcua_queue_mark_accepted (q, it->id, dossier_id, &error))
            g_error ("mark_accepted: %s", error->message);
          done++;
        }
    }
  wall = (g_get_monotonic_time () - start) / 1e6;
  printf ("Claim (batches of %u) + mark_accepted: %u items in %.2f s, %.1f items/s\n", batch, done,
          wall, done / wall);
  motcua_queue_close (q);
  motcua_device_key_free (key);
  g_free (total);
  for (int s = 0; s < 3; s++)
    g_free (steps[s]);
}

/* "VmRSS 12345 kB, VmHWM 23456 kB" from /proc/self/status. */
static void
print_memory (const char *when)
{
  g_autofree char *status = NULL;
  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    return;
  long rss = -1, hwm = -1;
  for (char *line = status; line && *line; line = strchr (line, '\n') ? strchr (line, '\n') + 1 : NULL)
    {
      if (g_str_has_prefix (line, "VmRSS:"))
        rss = strtol (line + 6, NULL, 10);
      else if (g_str_has_prefix (line, "VmHWM:"))
        hwm = strtol (line + 6, NULL, 10);
    }
  printf ("  %-34s VmRSS %7ld kB   VmHWM %7ld kB\n", when, rss, hwm);
}

static void
bench_memory_child (const Bench *b, guint count)
{
  print_memory ("start");
  MotcuaDeviceKey *key = NULL;
  MotcuaQueue *q = bench_open (b, &key);
  gint64 start = g_get_monotonic_time ();
  for (guint i = 0; i < count; i++)
    {
      gint64 us[3];
      bench_enqueue (q, b, us);
    }
  double wall = (g_get_monotonic_time () - start) / 1e6;
  char what[64];
  g_snprintf (what, sizeof what, "after %u enqueues (%.1f s)", count, wall);
  print_memory (what);
  g_autoptr(GError) error = NULL;
  start = g_get_monotonic_time ();
  GPtrArray *items = motcua_queue_list (q, NULL, &error);
  if (items == NULL)
    g_error ("list: %s", error->message);
  g_snprintf (what, sizeof what, "listing %u items (%.3f s)", items->len,
              (g_get_monotonic_time () - start) / 1e6);
  print_memory (what);
  g_ptr_array_unref (items);
  motcua_queue_close (q);
  motcua_device_key_free (key);
  GStatBuf st;
  if (g_stat (b->db, &st) == 0)
    printf ("  queue file: %.1f MiB (%.1f KiB per dossier)\n", st.st_size / 1048576.0,
            st.st_size / 1024.0 / count);
}

static void
bench_remove_db (const Bench *b)
{
  const char *suffixes[] = { "", "-wal", "-shm", ".lock" };
  for (gsize i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *p = g_strconcat (b->db, suffixes[i], NULL);
      g_unlink (p);
    }
}

int
main (int argc, char **argv)
{
  char *dir = NULL;
  int count = 1000, memory_count = 10000, batch = 16;
  gboolean memory_child = FALSE;
  const GOptionEntry entries[] = {
    { "dir", 0, 0, G_OPTION_ARG_FILENAME, &dir, "directory of the queue file (default: new under /tmp)", "DIR" },
    { "count", 0, 0, G_OPTION_ARG_INT, &count, "dossiers for latency and drain (1000)", "N" },
    { "memory-count", 0, 0, G_OPTION_ARG_INT, &memory_count, "dossiers for the memory run (10000)", "N" },
    { "batch", 0, 0, G_OPTION_ARG_INT, &batch, "claim batch size (16)", "N" },
    { "memory-child", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_NONE, &memory_child, NULL, NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) oc = g_option_context_new ("— durable queue benchmark");
  g_option_context_add_main_entries (oc, entries, NULL);
  g_autoptr(GError) error = NULL;
  if (!g_option_context_parse (oc, &argc, &argv, &error) || count < 1 || memory_count < 1 || batch < 1)
    {
      fprintf (stderr, "bench-queue: %s\n", error ? error->message : "counts must be positive");
      return 2;
    }

  Bench b = { 0 };
  const char *root = g_getenv ("MOTCUA_SOURCE_ROOT");
  g_autofree char *sample_path = g_build_filename (root ? root : MOTCUA_SOURCE_ROOT, "tests", "refsvc",
                                                   "samples", "birth-valid.json", NULL);
  if (!g_file_get_contents (sample_path, &b.sample, NULL, &error))
    g_error ("%s", error->message);
  gboolean own_dir = dir == NULL;
  b.dir = own_dir ? g_dir_make_tmp ("motcua-bench-queue-XXXXXX", &error) : g_strdup (dir);
  if (b.dir == NULL)
    g_error ("%s", error->message);
  b.db = g_build_filename (b.dir, memory_child ? "memory.db" : "queue.db", NULL);
  b.key_path = g_build_filename (b.dir, "device.pem", NULL);

  if (memory_child)
    {
      bench_memory_child (&b, (guint) memory_count);
      bench_remove_db (&b);
    }
  else
    {
      g_free (b.key_path);
      b.key_path = bench_write_key (b.dir);
      printf ("bench-queue: queue file %s\n", b.db);
      bench_latency_and_drain (&b, (guint) count, (guint) batch);
      bench_remove_db (&b);

      /* Memory in a fresh process: this program again. */
      printf ("Memory of a process that enqueues %d dossiers, then lists them all:\n", memory_count);
      fflush (stdout);
      g_autofree char *n = g_strdup_printf ("%d", memory_count);
      const char *child[] = { "/proc/self/exe", "--memory-child", "--dir", b.dir, "--memory-count", n,
                              NULL };
      int wait_status = 0;
      if (!g_spawn_sync (NULL, (char **) child, NULL, G_SPAWN_CHILD_INHERITS_STDIN, NULL, NULL, NULL,
                         NULL, &wait_status, &error))
        g_error ("%s", error->message);
      if (!g_spawn_check_wait_status (wait_status, &error))
        fprintf (stderr, "bench-queue: memory run: %s\n", error->message);
      g_unlink (b.key_path);
      if (own_dir)
        g_rmdir (b.dir);
    }
  g_free (b.dir);
  g_free (b.db);
  g_free (b.key_path);
  g_free (b.sample);
  g_free (dir);
  return 0;
}
