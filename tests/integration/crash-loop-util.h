/* crash-loop-util.h — queue fixtures shared by the crash loop and the
 * drain benchmark: a queue filled with signed, released submissions.
 * Not cmocka: failures print to stderr and return FALSE/NULL. */
#pragma once

#include "motcua-queue.h"
#include "motcua-signer.h"
#include "motcua-sync.h"
#include "service-harness.h"

typedef struct {
  svc_service     *svc;
  GBytes          *birth, *death;
  MotcuaSigner    *signer;       /* clerk-rsa-TEST-ONLY */
  MotcuaDeviceKey *device_key;   /* a TEST-ONLY RSA key file */
  char            *device_key_path;
  char            *dir;          /* temporary, removed by cl_fixture_stop */
} cl_fixture;

/* Starts the service (extra args may be NULL) and loads the keys. */
gboolean cl_fixture_start (cl_fixture *f, const char *const *extra_args);
gboolean cl_fixture_stop (cl_fixture *f);

/* Adds @n QUEUED submissions (birth and death alternately, each its own
 * transaction id) to @q; their ids appended to @ids when not NULL. */
gboolean cl_enqueue (cl_fixture *f, MotcuaQueue *q, guint n, GArray *ids);

/* The syncer configuration for the counter device. */
void     cl_sync_config (cl_fixture *f, MotcuaSyncConfig *c, guint max_parallel);

/* How many items of @q are in @state (0: QUEUED + SENDING). */
guint    cl_count (MotcuaQueue *q, MotcuaItemState state);
