/* cardsim-harness.c — the card simulator in-process, for unit tests */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

#include "cardsim-harness.h"
#include "motcua-config.h"

const char *
harness_source_root (void)
{
  const char *r = getenv ("MOTCUA_SOURCE_ROOT");
  return r ? r : MOTCUA_SOURCE_ROOT;
}

cardsim *
harness_make_card (const char *profile, const cardsim_faults *f)
{
  char p[1024], pki[1024];
  snprintf (p, sizeof p, "%s/tests/cardsim/profiles/%s", harness_source_root (), profile);
  snprintf (pki, sizeof pki, "%s/certs/test", harness_source_root ());
  cardsim *c = NULL;
  char *err = NULL;
  if (cardsim_new (p, pki, f, &c, &err) != 0)
    fail_msg ("cardsim_new: %s", err ? err : "?");
  return c;
}

mc_status
harness_card_transmit (void *user, const uint8_t *cmd, size_t cmd_len, uint8_t *resp,
                       size_t *resp_len)
{
  size_t n = cardsim_process (user, cmd, cmd_len, resp, *resp_len);
  if (n < 2)
    return MC_ERR_READER;
  *resp_len = n;
  return MC_OK;
}
