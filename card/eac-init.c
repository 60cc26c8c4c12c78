/* eac-init.c — OpenPACE's one-time initialisation
 *
 * Before EAC_init() every NID_id_* of OpenPACE is 0 and parsing
 * "succeeds" with a bogus protocol (recipes, OpenPACE), so every module
 * that touches those identifiers calls mc_eac_init_once() first. */
#include <pthread.h>

#include <eac/eac.h>

#include "card-private.h"

static pthread_once_t mc_eac_once = PTHREAD_ONCE_INIT;

static void
mc_eac_init_real (void)
{
  EAC_init ();
}

void
mc_eac_init_once (void)
{
  pthread_once (&mc_eac_once, mc_eac_init_real);
}
