/* reader-track.c — reader/card event tracking and the event queue
 *
 * pcsc-lite keeps a per-reader event counter in the upper 16 bits of
 * dwEventState, bumped on every card insertion and removal.  Feeding the
 * last dwEventState back as dwCurrentState makes SCardGetStatusChange
 * return at once when anything happened since, even between two calls;
 * and a counter that moved by two or more while a card is present on both
 * sides means the card was swapped (removed, then another inserted).
 */
#include "reader-private.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MC_PNP_NAME "\\\\?PnP?\\Notification"

/* ---------------------------------------------------------------- queue */

static void
mc_queue_push (mc_context *ctx, mc_event_kind kind, const char *reader)
{
  if (ctx->q_len >= MC_EVENT_QUEUE)
    return;   /* cannot happen: see MC_EVENT_QUEUE */
  mc_event *e = &ctx->queue[(ctx->q_head + ctx->q_len) % MC_EVENT_QUEUE];
  memset (e, 0, sizeof *e);
  e->kind = kind;
  if (reader)
    snprintf (e->reader, sizeof e->reader, "%s", reader);
  ctx->q_len++;
}

int
mc_queue_pop (mc_context *ctx, mc_event *ev)
{
  if (ctx->q_len == 0)
    return 0;
  *ev = ctx->queue[ctx->q_head];
  ctx->q_head = (ctx->q_head + 1) % MC_EVENT_QUEUE;
  ctx->q_len--;
  return 1;
}

/* ---------------------------------------------------------------- tracked */

static void
mc_tracked_remove (mc_context *ctx, size_t i)
{
  free (ctx->tracked[i].name);
  memmove (&ctx->tracked[i], &ctx->tracked[i + 1],
           (ctx->n_tracked - i - 1) * sizeof ctx->tracked[0]);
  ctx->n_tracked--;
}

void
mc_track_clear (mc_context *ctx)
{
  while (ctx->n_tracked > 0)
    mc_tracked_remove (ctx, ctx->n_tracked - 1);
  ctx->tracking = 0;
  ctx->pnp_state = 0;
  ctx->q_head = ctx->q_len = 0;
}

static int
mc_tracked_find (const mc_context *ctx, const char *name)
{
  for (size_t i = 0; i < ctx->n_tracked; i++)
    if (strcmp (ctx->tracked[i].name, name) == 0)
      return (int) i;
  return -1;
}

static int
mc_multistring_has (const char *ms, const char *name)
{
  for (const char *p = ms; p && *p; p += strlen (p) + 1)
    if (strcmp (p, name) == 0)
      return 1;
  return 0;
}

/* Compares the reader list with the tracked one: queues READER_REMOVED and
 * READER_ADDED.  New readers start UNAWARE, so the next wait reports their
 * card (CARD_INSERTED after READER_ADDED) when one is in. */
static mc_status
mc_track_diff (mc_context *ctx, int emit)
{
  char *names = NULL;
  LONG rv = mc_pcsc_list (ctx, &names);
  if (rv != SCARD_S_SUCCESS)
    return mc_pcsc_lost_status (ctx, rv);

  for (size_t i = ctx->n_tracked; i-- > 0;)
    if (!mc_multistring_has (names, ctx->tracked[i].name))
      {
        if (emit)
          mc_queue_push (ctx, MC_EVENT_READER_REMOVED, ctx->tracked[i].name);
        mc_tracked_remove (ctx, i);
      }
  for (const char *p = names; p && *p; p += strlen (p) + 1)
    {
      if (mc_tracked_find (ctx, p) >= 0
          || ctx->n_tracked >= PCSCLITE_MAX_READERS_CONTEXTS)
        continue;
      char *copy = strdup (p);
      if (!copy)
        {
          free (names);
          return MC_ERR_NOMEM;
        }
      ctx->tracked[ctx->n_tracked].name = copy;
      ctx->tracked[ctx->n_tracked].state = SCARD_STATE_UNAWARE;
      ctx->n_tracked++;
      if (emit)
        mc_queue_push (ctx, MC_EVENT_READER_ADDED, p);
    }
  free (names);
  return MC_OK;
}

mc_status
mc_track_sync (mc_context *ctx)
{
  return mc_track_diff (ctx, 1);
}

/* Takes the current state of every reader as the baseline: no events. */
mc_status
mc_track_reset (mc_context *ctx)
{
  mc_track_clear (ctx);
  mc_status st = mc_track_diff (ctx, 0);
  if (st != MC_OK)
    return st;

  SCARD_READERSTATE rs[PCSCLITE_MAX_READERS_CONTEXTS + 1];
  memset (rs, 0, sizeof rs);
  size_t n = ctx->n_tracked;
  for (size_t i = 0; i < n; i++)
    {
      rs[i].szReader = ctx->tracked[i].name;
      rs[i].dwCurrentState = SCARD_STATE_UNAWARE;
    }
  rs[n].szReader = MC_PNP_NAME;
  rs[n].dwCurrentState = SCARD_STATE_UNAWARE;
  LONG rv = SCardGetStatusChange (ctx->h, 0, rs, (DWORD) (n + 1));
  if (rv != SCARD_S_SUCCESS && rv != SCARD_E_TIMEOUT)
    return mc_pcsc_lost_status (ctx, rv);
  for (size_t i = 0; i < n; i++)
    ctx->tracked[i].state = rs[i].dwEventState & ~(DWORD) SCARD_STATE_CHANGED;
  ctx->pnp_state = rs[n].dwEventState & ~(DWORD) SCARD_STATE_CHANGED;
  ctx->tracking = 1;
  return MC_OK;
}

/* Turns one SCardGetStatusChange result into queued events. */
mc_status
mc_track_update (mc_context *ctx, SCARD_READERSTATE *st, size_t n)
{
  int relist = 0;
  for (size_t i = 0; i < n && i < ctx->n_tracked; i++)
    {
      DWORD now = st[i].dwEventState;
      if (!(now & SCARD_STATE_CHANGED))
        continue;
      if (now & (SCARD_STATE_UNKNOWN | SCARD_STATE_IGNORE))
        {                        /* the reader went away */
          relist = 1;
          continue;
        }
      mc_tracked *t = &ctx->tracked[i];
      DWORD was = t->state;
      int had = was != SCARD_STATE_UNAWARE && (was & SCARD_STATE_PRESENT);
      int has = (now & SCARD_STATE_PRESENT) != 0;
      unsigned moved = ((now >> 16) - (was >> 16)) & 0xFFFFu;
      if (!had && has)
        mc_queue_push (ctx, MC_EVENT_CARD_INSERTED, t->name);
      else if (had && !has)
        mc_queue_push (ctx, MC_EVENT_CARD_REMOVED, t->name);
      else if (had && has && moved >= 2)
        {
          mc_queue_push (ctx, MC_EVENT_CARD_REMOVED, t->name);
          mc_queue_push (ctx, MC_EVENT_CARD_INSERTED, t->name);
        }
      t->state = now & ~(DWORD) SCARD_STATE_CHANGED;
    }
  DWORD pnp = st[n].dwEventState;
  if (pnp & SCARD_STATE_CHANGED)
    relist = 1;
  ctx->pnp_state = pnp & ~(DWORD) SCARD_STATE_CHANGED;
  if (relist)
    return mc_track_sync (ctx);
  return MC_OK;
}
