/* reader-private.h — internal to reader.c, reader-track.c, reader-card.c */
#ifndef MC_READER_PRIVATE_H
#define MC_READER_PRIVATE_H

#include "reader.h"

#include <pthread.h>
#include <PCSC/winscard.h>
#include <PCSC/pcsclite.h>

/* Enough for every event one SCardGetStatusChange or one re-listing can
 * produce at once: removed + added + inserted for 16 readers each. */
#define MC_EVENT_QUEUE 64

typedef struct {
  char *name;
  DWORD state;   /* last dwEventState (minus CHANGED), fed back as current */
} mc_tracked;

struct mc_context {
  pthread_mutex_t lock;   /* guards h/have_h against mc_context_cancel */
  SCARDCONTEXT h;
  int have_h;
  int restarted;          /* (re)established since last reported */
  volatile int cancel;    /* sticky, see reader.h; __atomic builtins only */

  int tracking;           /* tracked[] is a valid baseline */
  mc_tracked tracked[PCSCLITE_MAX_READERS_CONTEXTS];
  size_t n_tracked;
  DWORD pnp_state;

  mc_event queue[MC_EVENT_QUEUE];
  size_t q_head, q_len;
};

/* reader.c */
long      mc_now_ms (void);
int       mc_sleep_cancellable (mc_context *ctx, long ms);
int       mc_pcsc_service_lost (LONG rv);
void      mc_context_lose (mc_context *ctx);
mc_status mc_context_ensure (mc_context *ctx, long max_ms);
mc_status mc_pcsc_lost_status (mc_context *ctx, LONG rv);
LONG      mc_pcsc_list (mc_context *ctx, char **names);
size_t    mc_multistring_count (const char *ms);

/* reader-track.c */
mc_status mc_track_reset (mc_context *ctx);
mc_status mc_track_sync (mc_context *ctx);
mc_status mc_track_update (mc_context *ctx, SCARD_READERSTATE *st, size_t n);
void      mc_track_clear (mc_context *ctx);
int       mc_queue_pop (mc_context *ctx, mc_event *ev);

#endif
