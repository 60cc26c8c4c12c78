/* motcua-cli-sync.c — `motcua-cli sync --once|--daemon` and `motcua-cli status KEY`
 *
 * sync --once: one pass (send what is due, poll the changes feed), prints
 * the counts.  sync --daemon: the background syncer until SIGTERM/SIGINT,
 * then a clean stop (in-flight requests finish); it logs counts, never
 * dossier data.  status KEY: the queue item, refreshed from the service
 * when it answers.  Configuration: motcua-conf.h; the device key's PIN
 * from $MOTCUA_DEVICE_PIN (or the terminal). */
#define G_LOG_DOMAIN "motcua-cli"

#include "motcua-config.h"

#include <glib-unix.h>
#include <glib/gi18n.h>
#include <signal.h>
#include <unistd.h>

#include "motcua-cli-private.h"
#include "motcua-conf.h"
#include "motcua-error.h"
#include "motcua-queue.h"
#include "motcua-sync.h"

typedef struct {
  MotcuaConf      *conf;
  MotcuaDeviceKey *key;
  MotcuaSync      *sync;
} CliSync;

static void
cli_sync_clear (CliSync *cs)
{
  g_clear_object (&cs->sync);
  g_clear_pointer (&cs->key, motcua_device_key_free);
  g_clear_pointer (&cs->conf, motcua_conf_free);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (CliSync, cli_sync_clear)

/* Configuration, device key, syncer. */
static gboolean
cli_sync_open (CliSync *cs, GError **error)
{
  cs->conf = motcua_conf_load (error);
  if (cs->conf == NULL)
    return FALSE;
  MotcuaSyncConfig sc = { 0 };
  if (!motcua_conf_sync_config (cs->conf, &sc, error))
    return FALSE;
  char *pin = NULL;
  if (cs->conf->device_key_file == NULL)
    pin = motcua_cli_read_pin ("MOTCUA_DEVICE_PIN", _("Mã PIN khoá thiết bị (device key PIN)"));
  cs->key = motcua_conf_open_device_key (cs->conf, pin, error);
  motcua_cli_pin_free (pin);
  if (cs->key != NULL)
    cs->sync = motcua_sync_new (&sc, cs->conf->queue_path, cs->key, error);
  motcua_sync_config_clear (&sc);
  return cs->sync != NULL;
}

static JsonNode *
stats_json (const MotcuaSyncStats *st, gboolean online)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  const struct { const char *name; guint value; } members[] = {
    { "sent", st->sent }, { "accepted", st->accepted }, { "retried", st->retried },
    { "rejected", st->rejected }, { "statusUpdates", st->status_updates },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (members); i++)
    {
      json_builder_set_member_name (b, members[i].name);
      json_builder_add_int_value (b, members[i].value);
    }
  json_builder_set_member_name (b, "online");
  json_builder_add_boolean_value (b, online);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

/* ------------------------------------------------------------ sync --daemon */

typedef struct {
  GMainLoop *loop;
  guint      changes[MOTCUA_ITEM_CANCELLED + 1];
} DaemonState;

static gboolean
on_quit_signal (gpointer data)
{
  g_main_loop_quit (((DaemonState *) data)->loop);
  return G_SOURCE_CONTINUE;
}

static void
on_item_changed (MotcuaSync *sync, gint64 id, int state, gpointer data)
{
  (void) sync;
  (void) id;
  DaemonState *d = data;
  if (state > 0 && state <= MOTCUA_ITEM_CANCELLED)
    d->changes[state]++;
}

static void
on_online_changed (MotcuaSync *sync, gboolean online, gpointer data)
{
  (void) sync;
  (void) data;
  g_message ("%s", online ? _("đã kết nối lại hệ thống liên thông (service reachable)")
                          : _("mất kết nối hệ thống liên thông (service unreachable)"));
}

static int
cli_sync_daemon (CliSync *cs)
{
  DaemonState d = { .loop = g_main_loop_new (NULL, FALSE) };
  g_unix_signal_add (SIGTERM, on_quit_signal, &d);
  g_unix_signal_add (SIGINT, on_quit_signal, &d);
  g_signal_connect (cs->sync, "item-changed", G_CALLBACK (on_item_changed), &d);
  g_signal_connect (cs->sync, "online-changed", G_CALLBACK (on_online_changed), &d);
  motcua_sync_start (cs->sync);
  g_message ("sync daemon: started (pid %d)", (int) getpid ());
  g_main_loop_run (d.loop);
  motcua_sync_stop (cs->sync);
  /* Signals queued by the thread before it stopped. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_message ("sync daemon: stopped; %u sending, %u accepted, %u retried, %u rejected, "
             "%u status changes", d.changes[MOTCUA_ITEM_SENDING], d.changes[MOTCUA_ITEM_ACCEPTED],
             d.changes[MOTCUA_ITEM_QUEUED], d.changes[MOTCUA_ITEM_REJECTED],
             d.changes[MOTCUA_ITEM_PROCESSING] + d.changes[MOTCUA_ITEM_DONE]
             + d.changes[MOTCUA_ITEM_REFUSED] + d.changes[MOTCUA_ITEM_SUPPLEMENT]);
  g_main_loop_unref (d.loop);
  return MOTCUA_EXIT_OK;
}

int
motcua_cli_sync (int argc, char **argv)
{
  gboolean once = FALSE, daemon = FALSE, json = FALSE;
  const GOptionEntry entries[] = {
    { "once", 0, 0, G_OPTION_ARG_NONE, &once, N_("một lượt gửi rồi thoát (one pass)"), NULL },
    { "daemon", 0, 0, G_OPTION_ARG_NONE, &daemon,
      N_("chạy nền tới khi nhận SIGTERM/SIGINT (run until SIGTERM/SIGINT)"), NULL },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("in JSON (print JSON)"), NULL },
    { NULL },
  };
  int rc = MOTCUA_EXIT_OK;
  if (!motcua_cli_parse (&argc, &argv, "motcua-cli sync",
                         _("gửi hàng đợi tới hệ thống liên thông (drain the queue)"), entries, &rc))
    return rc;
  if (once == daemon)
    {
      g_printerr ("motcua-cli sync: %s\n", _("cần đúng một trong --once, --daemon (need --once or --daemon)"));
      return MOTCUA_EXIT_USAGE;
    }
  g_auto(CliSync) cs = { 0 };
  g_autoptr(GError) error = NULL;
  if (!cli_sync_open (&cs, &error))
    {
      motcua_cli_print_error (error, json);
      return motcua_cli_exit_for_error (error);
    }
  if (daemon)
    return cli_sync_daemon (&cs);

  MotcuaSyncStats st = { 0 };
  if (!motcua_sync_run_once (cs.sync, &st, &error))
    {
      motcua_cli_print_error (error, json);
      return motcua_cli_exit_for_error (error);
    }
  gboolean online = motcua_sync_is_online (cs.sync);
  if (json)
    motcua_cli_print_json (stats_json (&st, online));
  else
    g_print (_("Đã gửi %u, được tiếp nhận %u, gửi lại sau %u, bị từ chối %u, trạng thái mới %u%s\n"),
             st.sent, st.accepted, st.retried, st.rejected, st.status_updates,
             online ? "" : _(" — mất kết nối (offline)"));
  return online ? MOTCUA_EXIT_OK : MOTCUA_EXIT_NETWORK;
}

/* ------------------------------------------------------------ status KEY */

static void
status_print_text (const MotcuaQueueItem *item, const GError *service_error)
{
  g_print ("%s: %s (%s)\n", _("Trạng thái (state)"), motcua_item_state_label (item->state),
           motcua_item_state_name (item->state));
  g_print ("%s: %s\n", _("Mã giao dịch (transaction)"), item->transaction_id);
  if (item->dossier_id)
    g_print ("%s: %s\n", _("Mã hồ sơ (dossier)"), item->dossier_id);
  if (item->last_error_code)
    g_print ("%s: %s %s\n", _("Lỗi gần nhất (last error)"), item->last_error_code,
             item->last_error_message ? item->last_error_message : "");
  for (guint i = 0; item->systems && i < item->systems->len; i++)
    {
      const MotcuaSystemStatus *s = g_ptr_array_index (item->systems, i);
      g_print ("  %-8s %-16s %s\n", s->system, s->status_name ? s->status_name : "",
               s->reason ? s->reason : "");
      for (guint k = 0; s->missing && s->missing[k]; k++)
        g_print ("           %s %s\n", _("cần bổ sung (missing)"), s->missing[k]);
    }
  if (service_error)
    g_print ("%s: %s\n", _("Chưa lấy được trạng thái mới (no fresh status)"),
             service_error->message);
}

int
motcua_cli_status (int argc, char **argv)
{
  gboolean json = FALSE;
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("in JSON (print JSON)"), NULL },
    { NULL },
  };
  int rc = MOTCUA_EXIT_OK;
  if (!motcua_cli_parse_args (&argc, &argv, "motcua-cli status",
                              _("trạng thái một hồ sơ (one dossier's status)"), "KEY", entries,
                              1, &rc))
    return rc;
  const char *key = argv[1];
  g_auto(CliSync) cs = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(MotcuaQueue) q = NULL;
  g_autoptr(MotcuaQueueItem) item = NULL;
  if (!cli_sync_open (&cs, &error)
      || (q = motcua_queue_open (cs.conf->queue_path, cs.key, &error)) == NULL
      || (item = motcua_queue_get (q, key, &error)) == NULL)
    {
      motcua_cli_print_error (error, json);
      return motcua_cli_exit_for_error (error);
    }
  /* Fresh from the service (and recorded in the queue) when it answers. */
  g_autoptr(JsonNode) fresh = NULL;
  g_autoptr(GError) service_error = NULL;
  if (item->dossier_id)
    {
      fresh = motcua_sync_fetch_status (cs.sync, item->dossier_id, &service_error);
      if (fresh)
        {
          g_autoptr(MotcuaQueueItem) again = motcua_queue_get_by_id (q, item->id, &error);
          if (again)
            {
              motcua_queue_item_free (item);
              item = g_steal_pointer (&again);
            }
        }
    }
  if (json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "item");
      json_builder_add_value (b, motcua_queue_item_to_json (item));
      json_builder_set_member_name (b, "service");
      json_builder_add_value (b, fresh ? json_node_ref (fresh) : json_node_new (JSON_NODE_NULL));
      if (service_error)
        {
          json_builder_set_member_name (b, "serviceError");
          json_builder_begin_object (b);
          json_builder_set_member_name (b, "code");
          json_builder_add_string_value (b, motcua_error_code_name (service_error->code));
          json_builder_set_member_name (b, "message");
          json_builder_add_string_value (b, service_error->message);
          json_builder_end_object (b);
        }
      json_builder_end_object (b);
      motcua_cli_print_json (json_builder_get_root (b));
    }
  else
    status_print_text (item, service_error);
  return MOTCUA_EXIT_OK;
}
