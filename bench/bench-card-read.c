/* bench-card-read.c — reads the card in the first reader N times and
 * prints figures: APDUs, bytes, median and p95 wall time, for a text-only
 * read (access + DG1 + DG13) and a full read (+ verify + face), next to
 * the minimum number of READ BINARY APDUs the file sizes allow.
 * Never a pass/fail: it prints what it measured.
 *
 *   bench-card-read CAN N LABEL [TRUST_DIR] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "motcua-card.h"

typedef struct {
  double ms;
  unsigned apdus;
  unsigned long in, out;
} sample;

static int
cmp_sample (const void *a, const void *b)
{
  double x = ((const sample *) a)->ms, y = ((const sample *) b)->ms;
  return (x > y) - (x < y);
}

static double
now_ms (void)
{
  struct timespec t;
  clock_gettime (CLOCK_MONOTONIC, &t);
  return (double) t.tv_sec * 1e3 + (double) t.tv_nsec / 1e6;
}

/* One read; full = 0 stops after the identity. */
static mc_status
read_once (mc_context *ctx, const mc_access *a, const mc_trust_store *ts, int full,
           sample *s, size_t *file_sizes, mc_stats *last)
{
  mc_card *card = NULL;
  mc_identity *id = NULL;
  mc_face *face = NULL;
  double t0 = now_ms ();
  mc_status st = mc_card_connect (ctx, NULL, &card);
  if (st == MC_OK)
    st = mc_card_authenticate (card, a);
  if (st == MC_OK)
    st = mc_card_read_identity (card, &id);
  if (st == MC_OK && full)
    {
      mc_verdict v;
      st = mc_card_verify (card, ts, &v);
      if (st == MC_OK)
        st = mc_card_read_face (card, &face);
    }
  s->ms = now_ms () - t0;
  if (card)
    {
      mc_stats stats;
      mc_card_get_stats (card, &stats);
      s->apdus = stats.apdus;
      s->in = stats.bytes_in;
      s->out = stats.bytes_out;
      *last = stats;
      for (int f = 0; f < 32; f++)
        {
          const uint8_t *d;
          size_t len;
          if (mc_card_get_file (card, f, &d, &len) == MC_OK)
            file_sizes[f] = len;
        }
    }
  mc_face_free (face);
  mc_identity_free (id);
  mc_card_free (card);
  return st;
}

static void
run (mc_context *ctx, const mc_access *a, const mc_trust_store *ts, int full, int n,
     const char *label)
{
  sample *s = calloc ((size_t) n, sizeof *s);
  size_t sizes[32] = { 0 };
  mc_stats stats = { 0 };
  int ok = 0;
  for (int i = 0; i < n; i++)
    {
      mc_status st = read_once (ctx, a, ts, full, &s[ok], sizes, &stats);
      if (st != MC_OK)
        {
          fprintf (stderr, "read %d: %s\n", i, mc_status_code (st));
          continue;
        }
      ok++;
    }
  if (ok == 0)
    {
      printf ("%-28s %-5s no successful read\n", label, full ? "full" : "text");
      free (s);
      return;
    }
  qsort (s, (size_t) ok, sizeof *s, cmp_sample);
  double median = s[ok / 2].ms, p95 = s[(ok * 95) / 100 >= ok ? ok - 1 : (ok * 95) / 100].ms;

  /* The fewest READ BINARY commands the file sizes allow at the largest
   * chunk the transport can carry (65472 B extended, 223 B short). */
  size_t bytes = 0, min_ext = 0, min_short = 0;
  for (int f = 0; f < 32; f++)
    if (sizes[f])
      {
        bytes += sizes[f];
        min_ext += (sizes[f] + 65471) / 65472;
        min_short += (sizes[f] + 222) / 223;
      }
  printf ("%-28s %-5s n=%-3d apdus=%-4u in=%-6lu out=%-5lu median=%7.1f ms  p95=%7.1f ms"
          "  chunk=%u%s  files=%zu B  min READ BINARY: %zu (extended) / %zu (short)\n",
          label, full ? "full" : "text", ok, s[0].apdus, s[0].in, s[0].out, median, p95,
          stats.chunk_size, stats.extended_length ? " ext" : "", bytes, min_ext, min_short);
  free (s);
}

int
main (int argc, char **argv)
{
  if (argc < 4)
    {
      fprintf (stderr, "usage: %s CAN N LABEL [TRUST_DIR]\n", argv[0]);
      return 2;
    }
  int n = atoi (argv[2]);
  mc_access a;
  if (mc_access_from_can (&a, argv[1]) != MC_OK || n <= 0)
    return 2;
  mc_trust_store *ts = NULL;
  if (argc > 4 && (mc_trust_store_new (&ts) != MC_OK || mc_trust_store_add_dir (ts, argv[4]) != MC_OK))
    return 2;
  mc_context *ctx;
  if (mc_context_new (&ctx) != MC_OK)
    return 1;
  run (ctx, &a, ts, 0, n, argv[3]);
  run (ctx, &a, ts, 1, n, argv[3]);
  mc_context_free (ctx);
  mc_trust_store_free (ts);
  mc_access_clear (&a);
  return 0;
}
