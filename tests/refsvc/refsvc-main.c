/* refsvc-main.c — motcua-refsvc: runs the reference liên thông service
 *
 *   motcua-refsvc [--state DIR] [--pki DIR] [--port N] [--admin-port N]
 *                 [--clock stepped|realtime] [--speed X] ...
 *
 * Prints, once both daemons listen,
 *   MOTCUA_SERVICE_URL=https://127.0.0.1:PORT
 *   MOTCUA_SERVICE_ADMIN=http://127.0.0.1:PORT
 *   MOTCUA_SERVICE_CA=<pki>/service-ca-TEST-ONLY.pem
 * (shell syntax: `eval` them) and serves until SIGINT or SIGTERM.  In
 * realtime mode a ticker moves the back office every 200 ms. */
#define G_LOG_DOMAIN "refsvc"

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>

#include <glib-unix.h>
#include <glib/gstdio.h>

#include "motcua-config.h"
#include "refsvc-server.h"

static gboolean
on_signal (gpointer loop)
{
  g_main_loop_quit (loop);
  return G_SOURCE_REMOVE;
}

static gboolean
on_tick (gpointer svc)
{
  refsvc_tick (svc);
  return G_SOURCE_CONTINUE;
}

/* Removes a temporary state directory and the SQLite files in it. */
static void
remove_state (const char *state)
{
  static const char *const files[] = { "refsvc.sqlite", "refsvc.sqlite-wal", "refsvc.sqlite-shm" };

  for (gsize i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autofree char *path = g_build_filename (state, files[i], NULL);
      g_remove (path);
    }
  g_rmdir (state);
}

int
main (int argc, char **argv)
{
  refsvc_config cfg;
  g_autoptr (GError) error = NULL;
  g_autoptr (GOptionContext) ctx = NULL;
  g_autoptr (GMainLoop) loop = NULL;
  g_autofree char *state = NULL, *pki = NULL, *codes = NULL, *listen = NULL, *clock = NULL;
  g_autofree char *ca = NULL, *url_host = NULL;
  gint port = 0, admin_port = 0;
  gdouble speed = 1, refuse = 0, supplement = 0;
  gint64 seed = 1, token_ttl = 900;
  gboolean temp_state = FALSE;
  refsvc *svc;
  GOptionEntry entries[] = {
    { "state", 's', 0, G_OPTION_ARG_FILENAME, &state,
      "Directory for the SQLite store (default: a new temporary one)", "DIR" },
    { "pki", 0, 0, G_OPTION_ARG_FILENAME, &pki,
      "Service PKI directory (default: certs/test/service of the source tree)", "DIR" },
    { "codes", 0, 0, G_OPTION_ARG_FILENAME, &codes,
      "Code lists directory (default: data/codes of the source tree)", "DIR" },
    { "listen", 0, 0, G_OPTION_ARG_STRING, &listen, "Address of the HTTPS API (default 127.0.0.1)", "IP" },
    { "port", 'p', 0, G_OPTION_ARG_INT, &port, "HTTPS port (default 0: a free one)", "N" },
    { "admin-port", 0, 0, G_OPTION_ARG_INT, &admin_port,
      "Admin port on 127.0.0.1 (default 0: a free one)", "N" },
    { "clock", 0, 0, G_OPTION_ARG_STRING, &clock,
      "Back-office clock: realtime (default) or stepped", "MODE" },
    { "speed", 0, 0, G_OPTION_ARG_DOUBLE, &speed, "Realtime clock speed factor (default 1)", "X" },
    { "refuse-ratio", 0, 0, G_OPTION_ARG_DOUBLE, &refuse, "Share of dossiers refused (0..1)", "R" },
    { "supplement-ratio", 0, 0, G_OPTION_ARG_DOUBLE, &supplement,
      "Share of dossiers asked for supplements (0..1)", "R" },
    { "seed", 0, 0, G_OPTION_ARG_INT64, &seed, "Seed of outcomes and random faults", "N" },
    { "token-ttl", 0, 0, G_OPTION_ARG_INT64, &token_ttl, "Bearer token lifetime in seconds (default 900)", "S" },
    { NULL }
  };

  setlocale (LC_ALL, "");
  ctx = g_option_context_new ("— the reference liên thông service (TEST ONLY)");
  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    {
      g_printerr ("motcua-refsvc: %s\n", error->message);
      return 2;
    }
  if (port < 0 || port > 65535 || admin_port < 0 || admin_port > 65535 || speed <= 0
      || refuse < 0 || refuse > 1 || supplement < 0 || supplement > 1 || token_ttl < 1
      || (clock != NULL && !g_str_equal (clock, "realtime") && !g_str_equal (clock, "stepped")))
    {
      g_printerr ("motcua-refsvc: bad option value (see --help)\n");
      return 2;
    }

  refsvc_config_init (&cfg);
  if (state == NULL)
    {
      state = g_dir_make_tmp ("motcua-refsvc-XXXXXX", &error);
      if (state == NULL)
        {
          g_printerr ("motcua-refsvc: %s\n", error->message);
          return 1;
        }
      temp_state = TRUE;
    }
  cfg.state_dir = g_strdup (state);
  if (pki != NULL)
    { g_free (cfg.pki_dir); cfg.pki_dir = g_strdup (pki); }
  if (codes != NULL)
    { g_free (cfg.codes_dir); cfg.codes_dir = g_strdup (codes); }
  if (listen != NULL)
    { g_free (cfg.listen); cfg.listen = g_strdup (listen); }
  cfg.port = (guint16) port;
  cfg.admin_port = (guint16) admin_port;
  cfg.stepped_clock = clock != NULL && g_str_equal (clock, "stepped");
  cfg.speed = speed;
  cfg.token_ttl = token_ttl;
  cfg.bo.refuse_ratio = refuse;
  cfg.bo.supplement_ratio = supplement;
  cfg.bo.seed = (guint64) seed;
  {
    g_autofree char *rel = g_build_filename (cfg.pki_dir, "service-ca-TEST-ONLY.pem", NULL);
    ca = g_canonicalize_filename (rel, NULL);
  }
  url_host = g_strstr_len (cfg.listen, -1, ":") ? g_strdup_printf ("[%s]", cfg.listen)
                                                 : g_strdup (cfg.listen);

  svc = refsvc_start (&cfg, &error);
  if (svc == NULL)
    {
      g_printerr ("motcua-refsvc: %s\n", error->message);
      refsvc_config_clear (&cfg);
      if (temp_state)
        remove_state (state);
      return 1;
    }
  printf ("MOTCUA_SERVICE_URL=https://%s:%u\n", url_host, svc->api_port);
  printf ("MOTCUA_SERVICE_ADMIN=http://127.0.0.1:%u\n", svc->admin_port);
  printf ("MOTCUA_SERVICE_CA=%s\n", ca);
  fflush (stdout);

  loop = g_main_loop_new (NULL, FALSE);
  g_unix_signal_add (SIGINT, on_signal, loop);
  g_unix_signal_add (SIGTERM, on_signal, loop);
  g_timeout_add (200, on_tick, svc);
  g_main_loop_run (loop);

  refsvc_stop (svc);
  if (temp_state)
    remove_state (state);
  return 0;
}
