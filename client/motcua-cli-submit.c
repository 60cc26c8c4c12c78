/* motcua-cli-submit.c — `motcua-cli submit FILE`: validate, sign, enqueue
 *
 * The order is the durable one: the dossier is stored (encrypted) as a
 * DRAFT first, so nothing typed is lost if signing fails; the signed
 * request body is stored before the item is released to the syncer; with
 * --send one sync pass follows, and an unreachable service only leaves the
 * item queued. */
#define G_LOG_DOMAIN "motcua-cli"

#include "motcua-config.h"

#include <glib/gi18n.h>

#include "motcua-cli-private.h"
#include "motcua-conf.h"
#include "motcua-envelope.h"
#include "motcua-error.h"
#include "motcua-queue.h"
#include "motcua-signer.h"
#include "motcua-sync.h"
#include "motcua-validate.h"

typedef struct {
  gboolean json;
  gboolean send;
  gboolean allow_warnings;
  char *reader;
  char *can;
  char **trust;
} SubmitOptions;

static void
submit_print_problems (GPtrArray *problems, gboolean json)
{
  if (json)
    return;   /* part of the JSON result */
  for (guint i = 0; i < problems->len; i++)
    {
      const MotcuaProblem *p = problems->pdata[i];
      g_printerr ("%s %s [%s] %s\n",
                  p->severity == MOTCUA_SEVERITY_ERROR ? _("LỖI") : _("cảnh báo"),
                  p->path, p->code, p->message);
    }
}

/* Logs in to the signer: the PIN pad, or $MOTCUA_PIN, or the terminal. */
static gboolean
submit_login (MotcuaSigner *signer, GError **error)
{
  if (motcua_signer_is_logged_in (signer))
    return TRUE;
  if (motcua_signer_has_pin_pad (signer))
    {
      g_printerr ("%s\n", _("Nhập mã PIN trên bàn phím của đầu đọc (enter the PIN on the reader's pad)"));
      return motcua_signer_login (signer, NULL, error);
    }
  MotcuaPinState ps = motcua_signer_get_pin_state (signer);
  if (ps == MOTCUA_PIN_LOCKED)
    {
      motcua_error_set (error, MOTCUA_ERROR_PIN_LOCKED, NULL);
      return FALSE;
    }
  if (ps == MOTCUA_PIN_FINAL_TRY)
    g_printerr ("%s\n", _("Cảnh báo: chỉ còn một lần nhập PIN, sai nữa sẽ bị khoá (final PIN try)"));
  char *pin = motcua_cli_read_pin ("MOTCUA_PIN", _("Mã PIN của thiết bị ký số (token PIN)"));
  if (pin == NULL)
    {
      motcua_error_set (error, MOTCUA_ERROR_PIN_CANCELLED, NULL);
      return FALSE;
    }
  gboolean ok = motcua_signer_login (signer, pin, error);
  motcua_cli_pin_free (pin);
  return ok;
}

/* Signs the dossier's payload and stores the signed body on item @id. */
static gboolean
submit_sign_and_store (MotcuaQueue *q, gint64 id, MotcuaDossier *dossier, MotcuaSigner *signer,
                       const SubmitOptions *o, const char *actor, GError **error)
{
  if (!submit_login (signer, error))
    return FALSE;
  g_autoptr(GBytes) payload = motcua_dossier_serialize_payload (dossier);
  g_autoptr(GBytes) cms = motcua_signer_sign_cms (signer, payload, error);
  if (cms == NULL)
    return FALSE;

  g_autoptr(JsonNode) presence = NULL;
  if (o->can != NULL)
    {
      presence = motcua_cli_card_presence (o->reader, o->can, o->trust, payload, error);
      if (presence == NULL)
        return FALSE;
    }

  g_autoptr(MotcuaQueueItem) item = motcua_queue_get_by_id (q, id, error);
  if (item == NULL)
    return FALSE;
  g_autoptr(GBytes) body = motcua_envelope_build (item->transaction_id,
                                                  motcua_dossier_get_procedure (dossier),
                                                  payload, cms, presence);
  return motcua_queue_set_signed (q, id, body, actor, error);
}

static int
submit_run (const char *path, const SubmitOptions *o)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MotcuaConf) conf = motcua_conf_load (&error);
  g_autoptr(MotcuaUnits) units = NULL;
  g_autoptr(MotcuaDossier) dossier = NULL;
  g_autoptr(GPtrArray) problems = NULL;
  /* Declared before the device key so it is freed after it: unloading a
   * PKCS#11 module (C_Finalize) ends every session of that module in the
   * process, so the signer stays open until the sync pass is over. */
  g_autoptr(MotcuaSigner) signer = NULL;
  g_autoptr(MotcuaDeviceKey) key = NULL;
  g_autoptr(MotcuaQueue) q = NULL;
  g_autoptr(MotcuaQueueItem) item = NULL;
  char *device_pin = NULL;
  gint64 id = 0;

  if (conf == NULL)
    goto fail;
  if ((units = motcua_units_load (conf->codes_dir, &error)) == NULL
      || !motcua_fields_load (conf->codes_dir, &error))
    {
      g_autofree char *why = g_strdup (error->message);
      g_clear_error (&error);
      motcua_error_set (&error, MOTCUA_ERROR_CODE_LISTS, "%s", why);
      goto fail;
    }
  if ((dossier = motcua_dossier_load (path, &error)) == NULL)
    goto fail;
  motcua_dossier_derive (dossier);
  problems = motcua_validate_dossier (dossier, units);
  submit_print_problems (problems, o->json);
  if (motcua_validate_has_errors (problems))
    {
      motcua_error_set (&error, MOTCUA_ERROR_DOSSIER_INVALID, NULL);
      goto fail;
    }

  device_pin = motcua_cli_read_pin ("MOTCUA_DEVICE_PIN", _("Mã PIN khoá thiết bị (device key PIN)"));
  key = motcua_conf_open_device_key (conf, device_pin, &error);
  motcua_cli_pin_free (g_steal_pointer (&device_pin));
  if (key == NULL)
    goto fail;
  if ((q = motcua_queue_open (conf->queue_path, key, &error)) == NULL)
    goto fail;
  /* Stored before signing: a refused PIN or a pulled token loses nothing. */
  if (!motcua_queue_add_draft (q, dossier, conf->actor, &id, &error))
    goto fail;
  if ((signer = motcua_conf_open_signer (conf, &error)) == NULL
      || !submit_sign_and_store (q, id, dossier, signer, o, conf->actor, &error))
    goto fail;
  if (!motcua_queue_release (q, id, conf->actor, &error))
    goto fail;

  if (o->send)
    {
      MotcuaSyncConfig sc = { 0 };
      g_autoptr(GError) net = NULL;
      if (motcua_conf_sync_config (conf, &sc, &net))
        {
          g_autoptr(MotcuaSync) sync = motcua_sync_new (&sc, conf->queue_path, key, &net);
          MotcuaSyncStats stats = { 0 };
          if (sync != NULL)
            motcua_sync_run_once (sync, &stats, &net);
        }
      motcua_sync_config_clear (&sc);
      if (net != NULL)
        g_printerr ("motcua-cli: %s (%s)\n", net->message,
                    _("hồ sơ vẫn nằm trong hàng đợi (the dossier stays queued)"));
    }

  if ((item = motcua_queue_get_by_id (q, id, &error)) == NULL)
    goto fail;
  if (o->json)
    {
      JsonNode *node = motcua_queue_item_to_json (item);
      json_object_set_member (json_node_get_object (node), "problems",
                              motcua_cli_problems_json (problems));
      motcua_cli_print_json (node);
    }
  else
    g_print ("%s %" G_GINT64_FORMAT " %s %s%s%s\n", _("Hồ sơ"), item->id, item->transaction_id,
             motcua_item_state_label (item->state),
             item->dossier_id ? " " : "", item->dossier_id ? item->dossier_id : "");
  return MOTCUA_EXIT_OK;

fail:
  motcua_cli_print_error (error, o->json);
  if (id != 0 && !o->json)
    g_printerr ("%s %" G_GINT64_FORMAT "\n",
                _("Bản nháp đã lưu trong hàng đợi, số (the draft is kept in the queue as item)"), id);
  if (o->json && problems != NULL && problems->len > 0)
    motcua_cli_print_json (motcua_cli_problems_json (problems));
  return motcua_cli_exit_for_error (error);
}

int
motcua_cli_submit (int argc, char **argv)
{
  SubmitOptions o = { 0 };
  const GOptionEntry entries[] = {
    { "send", 0, 0, G_OPTION_ARG_NONE, &o.send,
      N_("gửi ngay một lượt sau khi xếp hàng (send once right away)"), NULL },
    { "can", 0, 0, G_OPTION_ARG_STRING, &o.can,
      N_("CAN của thẻ trên đầu đọc: gửi kèm bằng chứng thẻ có mặt (card on the reader: add a card-presence proof)"), "CAN" },
    { "reader", 0, 0, G_OPTION_ARG_STRING, &o.reader, N_("đầu đọc (reader name)"), "NAME" },
    { "trust", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &o.trust, N_("kho CSCA (CSCA trust store)"), "PATH" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &o.json, N_("kết quả dạng JSON (JSON output)"), NULL },
    { NULL }
  };
  int rc = MOTCUA_EXIT_OK;
  if (!motcua_cli_parse_args (&argc, &argv, "motcua-cli submit",
                              _("kiểm tra, ký số và xếp hồ sơ vào hàng đợi gửi (validate, sign, enqueue)"),
                              "FILE", entries, 1, &rc))
    return rc;
  rc = submit_run (argv[1], &o);
  g_free (o.reader);
  if (o.can)
    explicit_bzero (o.can, strlen (o.can));
  g_free (o.can);
  g_strfreev (o.trust);
  return rc;
}
