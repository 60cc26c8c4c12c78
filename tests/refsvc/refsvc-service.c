/* refsvc-service.c — the service object: configuration, start, stop,
 * back-office ticks and counters */
#define G_LOG_DOMAIN "refsvc-service"

#include <string.h>

#include "motcua-config.h"
#include "refsvc-server.h"

void
refsvc_config_init (refsvc_config *cfg)
{
  memset (cfg, 0, sizeof *cfg);
  cfg->pki_dir = g_build_filename (MOTCUA_SOURCE_ROOT, "certs", "test", "service", NULL);
  cfg->codes_dir = g_build_filename (MOTCUA_SOURCE_ROOT, "data", "codes", NULL);
  cfg->listen = g_strdup ("127.0.0.1");
  cfg->speed = 1.0;
  cfg->token_ttl = 900;
  cfg->gw_username = g_strdup ("01001_BV");
  /* MD5 of the test account's password "TEST-ONLY-password", as the BHXH
   * gateway expects it (bhxh-gateway.md §2). */
  cfg->gw_password_md5 = g_compute_checksum_for_string (G_CHECKSUM_MD5, "TEST-ONLY-password", -1);
  cfg->gw_facility = g_strdup ("01001");
  cfg->bo.refuse_ratio = 0;
  cfg->bo.supplement_ratio = 0;
  cfg->bo.seed = 1;
  cfg->bo.receive_s = 600;
  cfg->bo.start_s = 1800;
  cfg->bo.process_s = 86400;
  cfg->bo.return_s = 3600;
}

void
refsvc_config_clear (refsvc_config *cfg)
{
  g_clear_pointer (&cfg->pki_dir, g_free);
  g_clear_pointer (&cfg->state_dir, g_free);
  g_clear_pointer (&cfg->codes_dir, g_free);
  g_clear_pointer (&cfg->listen, g_free);
  g_clear_pointer (&cfg->gw_username, g_free);
  g_clear_pointer (&cfg->gw_password_md5, g_free);
  g_clear_pointer (&cfg->gw_facility, g_free);
}

refsvc_backoffice_config
refsvc_bo_config (refsvc *svc)
{
  refsvc_backoffice_config bo;

  g_mutex_lock (&svc->bo_lock);
  bo = svc->cfg.bo;
  g_mutex_unlock (&svc->bo_lock);
  return bo;
}

void
refsvc_stat_inc (refsvc *svc, refsvc_stat s)
{
  g_atomic_int_inc (&svc->stats[s]);
}

void
refsvc_tick (refsvc *svc)
{
  refsvc_backoffice_config bo = refsvc_bo_config (svc);

  refsvc_store_advance (svc->store, &bo, refsvc_clock_now (svc->clock));
}

refsvc *
refsvc_start (refsvc_config *cfg, GError **error)
{
  refsvc *svc = g_new0 (refsvc, 1);
  g_autofree char *db = NULL;

  svc->cfg = *cfg;
  memset (cfg, 0, sizeof *cfg);
  g_mutex_init (&svc->bo_lock);

  if (svc->cfg.state_dir == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "no state directory");
      goto fail;
    }
  if (g_mkdir_with_parents (svc->cfg.state_dir, 0700) != 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "cannot create %s", svc->cfg.state_dir);
      goto fail;
    }
  if (!refsvc_codes_load (svc->cfg.codes_dir, error)
      || !(svc->xmldoc_ready = refsvc_xmldoc_init (error))
      || (svc->trust = refsvc_trust_load (svc->cfg.pki_dir, error)) == NULL)
    goto fail;
  db = g_build_filename (svc->cfg.state_dir, "refsvc.sqlite", NULL);
  if ((svc->store = refsvc_store_open (db, error)) == NULL)
    goto fail;
  svc->clock = refsvc_clock_new (svc->cfg.stepped_clock, svc->cfg.speed);
  svc->faults = refsvc_faults_new (svc->cfg.bo.seed);
  svc->tokens = refsvc_tokens_new ();
  if (!refsvc_http_start (svc, error))
    goto fail;
  return svc;

fail:
  refsvc_stop (svc);
  return NULL;
}

void
refsvc_stop (refsvc *svc)
{
  if (svc == NULL)
    return;
  refsvc_http_stop (svc);
  g_clear_pointer (&svc->tokens, refsvc_tokens_free);
  g_clear_pointer (&svc->faults, refsvc_faults_free);
  g_clear_pointer (&svc->clock, refsvc_clock_free);
  g_clear_pointer (&svc->store, refsvc_store_close);
  g_clear_pointer (&svc->trust, refsvc_trust_free);
  if (svc->xmldoc_ready)
    refsvc_xmldoc_shutdown ();
  refsvc_config_clear (&svc->cfg);
  g_mutex_clear (&svc->bo_lock);
  g_free (svc);
}
