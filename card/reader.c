/* reader.c — PC/SC context: listing readers, waiting for events, cancel
 *
 * One SCARDCONTEXT per mc_context.  When pcscd goes away (restart, crash)
 * the handle turns invalid: every function here notices the PC/SC codes
 * for that, drops the handle and establishes a new one with bounded
 * retries.  wait_event then reports MC_EVENT_SERVICE_RESTARTED once, after
 * which callers re-list readers (card connections from before are dead).
 *
 * Event tracking keeps, per reader, the last dwEventState given back to
 * SCardGetStatusChange as dwCurrentState; its upper 16 bits are pcsc-lite's
 * per-reader event counter, so a change between two calls is never missed.
 * The special reader "\\?PnP?\Notification" reports reader hot-plug; on it
 * (and before every wait) the reader list is compared with the tracked one.
 * All events found at once are queued and returned one per call.
 *
 * Nothing here logs: reader names are not personal, but ATRs identify
 * cards, and the library stays silent anyway.
 */
#include "reader-private.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MC_PNP_NAME "\\\\?PnP?\\Notification"
/* Longest single SCardGetStatusChange: bounds how late a cancel that raced
 * with entering the call (SCardCancel is a no-op then) is noticed. */
#define MC_WAIT_SLICE_MS 500
/* Re-establishing after pcscd went away: attempts are this far apart, for
 * at most MC_REBUILD_MS in wait_event and MC_REBUILD_SHORT_MS elsewhere. */
#define MC_REBUILD_STEP_MS 100
#define MC_REBUILD_MS 5000
#define MC_REBUILD_SHORT_MS 1000

/* ---------------------------------------------------------------- time */

long
mc_now_ms (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (long) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Sleeps ms, in short steps; returns 1 early when a cancel is pending. */
int
mc_sleep_cancellable (mc_context *ctx, long ms)
{
  while (ms > 0)
    {
      if (__atomic_load_n (&ctx->cancel, __ATOMIC_SEQ_CST))
        return 1;
      long step = ms < 20 ? ms : 20;
      struct timespec ts = { 0, step * 1000000L };
      while (nanosleep (&ts, &ts) != 0 && errno == EINTR)
        ;
      ms -= step;
    }
  return __atomic_load_n (&ctx->cancel, __ATOMIC_SEQ_CST) != 0;
}

/* ---------------------------------------------------------------- status */

mc_status
mc_pcsc_status (long rv)
{
  switch ((LONG) rv)
    {
    case SCARD_S_SUCCESS:              return MC_OK;
    case SCARD_E_NO_SERVICE:
    case SCARD_E_SERVICE_STOPPED:
    case SCARD_E_INVALID_HANDLE:       /* our handle died with pcscd */
    case SCARD_F_COMM_ERROR:           return MC_ERR_NO_SERVICE;
    case SCARD_E_NO_READERS_AVAILABLE:
    case SCARD_E_UNKNOWN_READER:
    case SCARD_E_READER_UNAVAILABLE:   return MC_ERR_NO_READER;
    case SCARD_E_NO_SMARTCARD:         return MC_ERR_NO_CARD;
    case SCARD_W_REMOVED_CARD:
    case SCARD_W_RESET_CARD:           return MC_ERR_CARD_REMOVED;
    case SCARD_E_TIMEOUT:              return MC_ERR_TIMEOUT;
    case SCARD_E_CANCELLED:            return MC_ERR_CANCELLED;
    case SCARD_E_NO_MEMORY:            return MC_ERR_NOMEM;
    case SCARD_E_INVALID_PARAMETER:
    case SCARD_E_INVALID_VALUE:        return MC_ERR_INVALID_ARG;
    case SCARD_W_UNSUPPORTED_CARD:
    case SCARD_E_PROTO_MISMATCH:
    case SCARD_E_CARD_UNSUPPORTED:     return MC_ERR_UNSUPPORTED_CARD;
    case SCARD_E_INSUFFICIENT_BUFFER:  return MC_ERR_MALFORMED;
    default:                           return MC_ERR_READER;
    }
}

int
mc_pcsc_service_lost (LONG rv)
{
  return rv == SCARD_E_NO_SERVICE || rv == SCARD_E_SERVICE_STOPPED
         || rv == SCARD_E_INVALID_HANDLE || rv == SCARD_F_COMM_ERROR;
}

/* ---------------------------------------------------------------- context */

/* Drops a dead handle; the next mc_context_ensure() builds a new one and
 * the next wait_event reports MC_EVENT_SERVICE_RESTARTED. */
void
mc_context_lose (mc_context *ctx)
{
  pthread_mutex_lock (&ctx->lock);
  if (ctx->have_h)
    {
      SCardReleaseContext (ctx->h);   /* fails on a dead handle: fine */
      ctx->have_h = 0;
      ctx->restarted = 1;
    }
  pthread_mutex_unlock (&ctx->lock);
  ctx->tracking = 0;
}

static LONG
mc_context_establish (mc_context *ctx)
{
  SCARDCONTEXT h;
  LONG rv = SCardEstablishContext (SCARD_SCOPE_SYSTEM, NULL, NULL, &h);
  if (rv != SCARD_S_SUCCESS)
    return rv;
  pthread_mutex_lock (&ctx->lock);
  ctx->h = h;
  ctx->have_h = 1;
  pthread_mutex_unlock (&ctx->lock);
  return rv;
}

/* Makes sure a context handle exists, retrying for at most max_ms.
 * MC_ERR_NO_SERVICE when pcscd did not answer, MC_ERR_CANCELLED when a
 * cancel arrived meanwhile (the flag is left for the caller to take). */
mc_status
mc_context_ensure (mc_context *ctx, long max_ms)
{
  if (ctx->have_h)
    return MC_OK;
  long end = mc_now_ms () + (max_ms > 0 ? max_ms : 0);
  for (;;)
    {
      LONG rv = mc_context_establish (ctx);
      if (rv == SCARD_S_SUCCESS)
        return MC_OK;
      if (!mc_pcsc_service_lost (rv) && rv != SCARD_E_NO_MEMORY)
        return mc_pcsc_status (rv);
      long left = end - mc_now_ms ();
      if (left <= 0)
        return MC_ERR_NO_SERVICE;
      if (mc_sleep_cancellable (ctx, left < MC_REBUILD_STEP_MS ? left : MC_REBUILD_STEP_MS))
        return MC_ERR_CANCELLED;
    }
}

mc_status
mc_context_new (mc_context **out)
{
  if (!out)
    return MC_ERR_INVALID_ARG;
  *out = NULL;
  mc_context *ctx = calloc (1, sizeof *ctx);
  if (!ctx)
    return MC_ERR_NOMEM;
  if (pthread_mutex_init (&ctx->lock, NULL) != 0)
    {
      free (ctx);
      return MC_ERR_NOMEM;
    }
  /* pcscd may be absent now and start later: the context still exists,
   * and its first successful establishment is reported by wait_event as
   * MC_EVENT_SERVICE_RESTARTED.  With pcscd up, events are tracked from
   * here on, so none between mc_context_new and the first wait is lost. */
  if (mc_context_establish (ctx) == SCARD_S_SUCCESS)
    {
      if (mc_track_reset (ctx) == MC_ERR_NO_SERVICE)
        mc_context_lose (ctx);
    }
  else
    ctx->restarted = 1;
  *out = ctx;
  return MC_OK;
}

void
mc_context_free (mc_context *ctx)
{
  if (!ctx)
    return;
  if (ctx->have_h)
    SCardReleaseContext (ctx->h);
  mc_track_clear (ctx);
  pthread_mutex_destroy (&ctx->lock);
  free (ctx);
}

/* ---------------------------------------------------------------- cancel */

void
mc_context_cancel (mc_context *ctx)
{
  if (!ctx)
    return;
  __atomic_store_n (&ctx->cancel, 1, __ATOMIC_SEQ_CST);
  pthread_mutex_lock (&ctx->lock);
  if (ctx->have_h)
    SCardCancel (ctx->h);
  pthread_mutex_unlock (&ctx->lock);
}

const volatile int *
mc_context_cancel_flag (mc_context *ctx)
{
  return &ctx->cancel;
}

int
mc_context_cancel_take (mc_context *ctx)
{
  return __atomic_exchange_n (&ctx->cancel, 0, __ATOMIC_SEQ_CST) != 0;
}

void
mc_context_cancel_reset (mc_context *ctx)
{
  __atomic_store_n (&ctx->cancel, 0, __ATOMIC_SEQ_CST);
}

/* ---------------------------------------------------------------- listing */

/* The reader names as a malloc'ed multi-string; NULL with SCARD_S_SUCCESS
 * when there is no reader. */
LONG
mc_pcsc_list (mc_context *ctx, char **names)
{
  *names = NULL;
  for (int attempt = 0; attempt < 3; attempt++)
    {
      DWORD len = 0;
      LONG rv = SCardListReaders (ctx->h, NULL, NULL, &len);
      if (rv == SCARD_E_NO_READERS_AVAILABLE)
        return SCARD_S_SUCCESS;
      if (rv != SCARD_S_SUCCESS)
        return rv;
      char *buf = malloc (len + 2);
      if (!buf)
        return SCARD_E_NO_MEMORY;
      DWORD got = len;
      rv = SCardListReaders (ctx->h, NULL, buf, &got);
      if (rv == SCARD_E_INSUFFICIENT_BUFFER)
        {                       /* a reader appeared in between */
          free (buf);
          continue;
        }
      if (rv == SCARD_E_NO_READERS_AVAILABLE)
        {
          free (buf);
          return SCARD_S_SUCCESS;
        }
      if (rv != SCARD_S_SUCCESS)
        {
          free (buf);
          return rv;
        }
      /* Terminate defensively: got may be anything up to len. */
      buf[got < len ? got : len] = '\0';
      buf[(got < len ? got : len) + 1] = '\0';
      if (buf[0] == '\0')
        {
          free (buf);
          return SCARD_S_SUCCESS;
        }
      *names = buf;
      return SCARD_S_SUCCESS;
    }
  return SCARD_E_INSUFFICIENT_BUFFER;
}

size_t
mc_multistring_count (const char *ms)
{
  size_t n = 0;
  for (const char *p = ms; p && *p; p += strlen (p) + 1)
    n++;
  return n;
}

static mc_status
mc_list_once (mc_context *ctx, mc_reader **readers, size_t *n)
{
  char *names = NULL;
  LONG rv = mc_pcsc_list (ctx, &names);
  if (rv != SCARD_S_SUCCESS)
    return mc_pcsc_lost_status (ctx, rv);
  size_t count = mc_multistring_count (names);
  if (count == 0)
    {
      free (names);
      return MC_OK;
    }
  if (count > PCSCLITE_MAX_READERS_CONTEXTS)
    count = PCSCLITE_MAX_READERS_CONTEXTS;

  SCARD_READERSTATE st[PCSCLITE_MAX_READERS_CONTEXTS];
  memset (st, 0, sizeof st);
  const char *p = names;
  for (size_t i = 0; i < count; i++, p += strlen (p) + 1)
    {
      st[i].szReader = p;
      st[i].dwCurrentState = SCARD_STATE_UNAWARE;
    }
  rv = SCardGetStatusChange (ctx->h, 0, st, (DWORD) count);
  if (rv != SCARD_S_SUCCESS && rv != SCARD_E_TIMEOUT)
    {
      free (names);
      return mc_pcsc_lost_status (ctx, rv);
    }

  mc_reader *r = calloc (count, sizeof *r);
  if (!r)
    {
      free (names);
      return MC_ERR_NOMEM;
    }
  size_t k = 0;
  for (size_t i = 0; i < count; i++)
    {
      DWORD s = st[i].dwEventState;
      if (s & SCARD_STATE_UNKNOWN)   /* went away since the listing */
        continue;
      r[k].name = strdup (st[i].szReader);
      if (!r[k].name)
        {
          mc_readers_free (r, k);
          free (names);
          return MC_ERR_NOMEM;
        }
      r[k].card_present = (s & SCARD_STATE_PRESENT) != 0;
      /* INUSE (shared) blocks our exclusive connection as much as
       * EXCLUSIVE does; our own open connection counts too. */
      r[k].card_in_use = r[k].card_present
                         && (s & (SCARD_STATE_EXCLUSIVE | SCARD_STATE_INUSE)) != 0;
      if (r[k].card_present)
        {
          size_t alen = st[i].cbAtr;
          if (alen > sizeof r[k].atr)
            alen = sizeof r[k].atr;
          memcpy (r[k].atr, st[i].rgbAtr, alen);
          r[k].atr_len = alen;
        }
      k++;
    }
  free (names);
  if (k == 0)
    {
      free (r);
      return MC_OK;
    }
  *readers = r;
  *n = k;
  return MC_OK;
}

/* Converts a PC/SC failure into a status, dropping a dead context. */
mc_status
mc_pcsc_lost_status (mc_context *ctx, LONG rv)
{
  if (mc_pcsc_service_lost (rv))
    {
      mc_context_lose (ctx);
      return MC_ERR_NO_SERVICE;
    }
  return mc_pcsc_status (rv);
}

mc_status
mc_context_list_readers (mc_context *ctx, mc_reader **readers, size_t *n)
{
  if (!ctx || !readers || !n)
    return MC_ERR_INVALID_ARG;
  *readers = NULL;
  *n = 0;
  mc_status st = MC_ERR_NO_SERVICE;
  /* Twice: a handle found dead on the first try is rebuilt once. */
  for (int attempt = 0; attempt < 2; attempt++)
    {
      st = mc_context_ensure (ctx, MC_REBUILD_SHORT_MS);
      if (st == MC_ERR_CANCELLED)
        {
          mc_context_cancel_take (ctx);
          return st;
        }
      if (st != MC_OK)
        return st;
      st = mc_list_once (ctx, readers, n);
      if (st != MC_ERR_NO_SERVICE)
        return st;
    }
  return st;
}

void
mc_readers_free (mc_reader *readers, size_t n)
{
  if (!readers)
    return;
  for (size_t i = 0; i < n; i++)
    free (readers[i].name);
  free (readers);
}

/* ---------------------------------------------------------------- waiting */

static mc_status
mc_wait_once (mc_context *ctx, long slice_ms)
{
  SCARD_READERSTATE st[PCSCLITE_MAX_READERS_CONTEXTS + 1];
  memset (st, 0, sizeof st);
  size_t n = ctx->n_tracked;
  for (size_t i = 0; i < n; i++)
    {
      st[i].szReader = ctx->tracked[i].name;
      st[i].dwCurrentState = ctx->tracked[i].state;
    }
  st[n].szReader = MC_PNP_NAME;
  st[n].dwCurrentState = ctx->pnp_state;

  LONG rv = SCardGetStatusChange (ctx->h, (DWORD) slice_ms, st, (DWORD) (n + 1));
  if (rv == SCARD_E_TIMEOUT || rv == SCARD_E_CANCELLED)
    return MC_OK;          /* the caller checks the clock and the flag */
  if (rv != SCARD_S_SUCCESS)
    return mc_pcsc_lost_status (ctx, rv);
  return mc_track_update (ctx, st, n);
}

mc_status
mc_context_wait_event (mc_context *ctx, long timeout_ms, mc_event *ev)
{
  if (!ctx || !ev)
    return MC_ERR_INVALID_ARG;
  memset (ev, 0, sizeof *ev);
  if (mc_queue_pop (ctx, ev))
    return MC_OK;

  long deadline = timeout_ms < 0 ? -1 : mc_now_ms () + timeout_ms;
  for (;;)
    {
      if (mc_context_cancel_take (ctx))
        return MC_ERR_CANCELLED;
      long left = deadline < 0 ? MC_WAIT_SLICE_MS : deadline - mc_now_ms ();
      if (left < 0)
        left = 0;

      if (!ctx->have_h)
        {
          long budget = deadline < 0 || left > MC_REBUILD_MS ? MC_REBUILD_MS : left;
          mc_status st = mc_context_ensure (ctx, budget);
          if (st == MC_ERR_CANCELLED)
            continue;                   /* taken at the top */
          if (st != MC_OK)
            return st;
        }
      if (ctx->restarted)
        {
          ctx->restarted = 0;
          mc_status st = mc_track_reset (ctx);
          if (st == MC_ERR_NO_SERVICE)
            continue;                   /* died again at once */
          if (st != MC_OK)
            return st;
          ev->kind = MC_EVENT_SERVICE_RESTARTED;
          return MC_OK;
        }
      if (!ctx->tracking)
        {
          mc_status st = mc_track_reset (ctx);
          if (st == MC_ERR_NO_SERVICE)
            continue;
          if (st != MC_OK)
            return st;
        }

      /* Readers that came or went since the last call. */
      mc_status st = mc_track_sync (ctx);
      if (st == MC_ERR_NO_SERVICE)
        continue;
      if (st != MC_OK)
        return st;
      if (mc_queue_pop (ctx, ev))
        return MC_OK;

      long slice = left < MC_WAIT_SLICE_MS ? left : MC_WAIT_SLICE_MS;
      st = mc_wait_once (ctx, slice);
      if (st == MC_ERR_NO_SERVICE)
        continue;
      if (st != MC_OK)
        return st;
      if (mc_queue_pop (ctx, ev))
        return MC_OK;
      if (deadline >= 0 && mc_now_ms () >= deadline)
        return MC_ERR_TIMEOUT;
    }
}
