/* motcua-cli-queue.c — `motcua-cli queue list|show|retry|cancel|export|
 * audit-verify|purge`: the offline queue from the command line
 *
 * Lists and exports carry no personal data: the subject's name is only
 * decrypted for `list --names` (the counter screen). */
#define G_LOG_DOMAIN "motcua-cli"

#include "motcua-config.h"

#include <glib/gi18n.h>
#include <openssl/crypto.h>
#include <string.h>

#include "motcua-cli-private.h"
#include "motcua-conf.h"
#include "motcua-error.h"
#include "motcua-queue.h"

/* The configuration, the device key and the queue of one command. */
typedef struct {
  MotcuaConf *conf;
  MotcuaDeviceKey *key;
  MotcuaQueue *q;
} CliQueue;

static void
cli_queue_clear (CliQueue *cq)
{
  g_clear_pointer (&cq->q, motcua_queue_close);
  g_clear_pointer (&cq->key, motcua_device_key_free);
  g_clear_pointer (&cq->conf, motcua_conf_free);
}

static gboolean
cli_queue_open (CliQueue *cq, GError **error)
{
  memset (cq, 0, sizeof *cq);
  if ((cq->conf = motcua_conf_load (error)) == NULL)
    return FALSE;
  /* A PEM device key (development) needs no PIN: do not ask for one. */
  char *pin = NULL;
  if (cq->conf->device_key_file == NULL)
    pin = motcua_cli_read_pin ("MOTCUA_DEVICE_PIN", _("Mã PIN khoá thiết bị (device key PIN)"));
  cq->key = motcua_conf_open_device_key (cq->conf, pin, error);
  motcua_cli_pin_free (pin);
  if (cq->key == NULL)
    return FALSE;
  cq->q = motcua_queue_open (cq->conf->queue_path, cq->key, error);
  return cq->q != NULL;
}

static int
cli_queue_fail (GError *error, gboolean json)
{
  motcua_cli_print_error (error, json);
  return motcua_cli_exit_for_error (error);
}

static gint64
cli_now (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

/* "2026-11-20 08:15" in Vietnam time (UTC+7), "" for 0. */
static char *
cli_format_time (gint64 t)
{
  if (t <= 0)
    return g_strdup ("");
  g_autoptr(GTimeZone) tz = g_time_zone_new_offset (7 * 3600);
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (t);
  g_autoptr(GDateTime) vn = utc ? g_date_time_to_timezone (utc, tz) : NULL;
  return vn ? g_date_time_format (vn, "%Y-%m-%d %H:%M") : g_strdup ("");
}

static char *
cli_format_age (gint64 seconds)
{
  if (seconds < 0)
    seconds = 0;
  if (seconds < 3600)
    return g_strdup_printf ("%" G_GINT64_FORMAT " %s", seconds / 60, _("phút"));
  if (seconds < 86400)
    return g_strdup_printf ("%" G_GINT64_FORMAT " %s", seconds / 3600, _("giờ"));
  return g_strdup_printf ("%" G_GINT64_FORMAT " %s", seconds / 86400, _("ngày"));
}

/* Appends @s padded with spaces to @width characters (UTF-8 aware). */
static void
cli_cell (GString *line, const char *s, glong width)
{
  if (s == NULL)
    s = "";
  g_string_append (line, s);
  for (glong n = g_utf8_strlen (s, -1); n < width; n++)
    g_string_append_c (line, ' ');
  g_string_append (line, "  ");
}

/* ---- list ----------------------------------------------------------------- */

typedef struct {
  char *state, *procedure;
  int stuck_days, limit;
  gboolean names, json;
} ListOptions;

enum { COL_ID, COL_TX, COL_PROC, COL_STATE, COL_DOSSIER, COL_ATTEMPTS, COL_ERROR, COL_AGE,
       COL_NAME, N_LIST_COLS };

static void
list_print_table (GPtrArray *items, char **names)
{
  const char *heads[N_LIST_COLS] = {
    _("Số"), _("Mã giao dịch"), _("Nhóm"), _("Trạng thái"), _("Mã hồ sơ"), _("Lần gửi"),
    _("Lỗi gần nhất"), _("Tuổi"), _("Họ tên"),
  };
  int n_cols = names ? N_LIST_COLS : N_LIST_COLS - 1;
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  glong width[N_LIST_COLS] = { 0 };
  gint64 now = cli_now ();
  for (guint i = 0; i < items->len; i++)
    {
      const MotcuaQueueItem *it = items->pdata[i];
      char **row = g_new0 (char *, N_LIST_COLS + 1);
      row[COL_ID] = g_strdup_printf ("%" G_GINT64_FORMAT, it->id);
      row[COL_TX] = g_strdup (it->transaction_id);
      row[COL_PROC] = g_strdup (motcua_procedure_name (it->procedure));
      row[COL_STATE] = g_strdup (motcua_item_state_label (it->state));
      row[COL_DOSSIER] = g_strdup (it->dossier_id ? it->dossier_id : "-");
      row[COL_ATTEMPTS] = g_strdup_printf ("%u", it->attempts);
      row[COL_ERROR] = g_strdup (it->last_error_code ? it->last_error_code : "-");
      row[COL_AGE] = cli_format_age (now - it->created_at);
      row[COL_NAME] = g_strdup (names ? names[i] : "");
      g_ptr_array_add (rows, row);
    }
  for (int c = 0; c < n_cols; c++)
    {
      width[c] = g_utf8_strlen (heads[c], -1);
      for (guint i = 0; i < rows->len; i++)
        width[c] = MAX (width[c], g_utf8_strlen (((char **) rows->pdata[i])[c], -1));
    }
  g_autoptr(GString) line = g_string_new (NULL);
  for (int c = 0; c < n_cols; c++)
    cli_cell (line, heads[c], c == n_cols - 1 ? 0 : width[c]);
  g_print ("%s\n", g_strchomp (line->str));
  for (guint i = 0; i < rows->len; i++)
    {
      g_string_truncate (line, 0);
      for (int c = 0; c < n_cols; c++)
        cli_cell (line, ((char **) rows->pdata[i])[c], c == n_cols - 1 ? 0 : width[c]);
      g_print ("%s\n", g_strchomp (line->str));
    }
  /* The line may hold names: wipe it. */
  OPENSSL_cleanse (line->str, line->allocated_len);
  g_print ("%s %u\n", _("Tổng số (total):"), items->len);
}

static void
names_free (char **names)
{
  for (gsize i = 0; names && names[i]; i++)
    OPENSSL_cleanse (names[i], strlen (names[i]));
  g_strfreev (names);
}

/* The decrypted subject names, "" for purged or unknown ones. */
static char **
list_load_names (MotcuaQueue *q, GPtrArray *items)
{
  char **names = g_new0 (char *, items->len + 1);
  for (guint i = 0; i < items->len; i++)
    {
      const MotcuaQueueItem *it = items->pdata[i];
      g_autoptr(GError) e = NULL;
      names[i] = motcua_queue_load_subject (q, it->id, &e);
      if (names[i] == NULL)
        names[i] = g_strdup (it->purged ? _("(đã xoá theo thời hạn lưu trữ)") : "");
    }
  return names;
}

static int
list_run (const ListOptions *o)
{
  g_autoptr(GError) error = NULL;
  MotcuaQueueFilter flt = { 0 };
  if (o->state && (flt.state = motcua_item_state_from_name (o->state)) == 0)
    {
      g_printerr ("motcua-cli queue list: %s %s\n", _("Trạng thái không hợp lệ (unknown state)"),
                  o->state);
      return MOTCUA_EXIT_USAGE;
    }
  if (o->procedure && (flt.procedure = motcua_procedure_from_name (o->procedure)) == 0)
    {
      g_printerr ("motcua-cli queue list: %s %s\n",
                  _("Nhóm thủ tục không hợp lệ: birth hoặc death (unknown procedure)"), o->procedure);
      return MOTCUA_EXIT_USAGE;
    }
  if (o->stuck_days < 0 || o->limit < 0)
    {
      g_printerr ("motcua-cli queue list: %s\n", _("Số không hợp lệ (negative number)"));
      return MOTCUA_EXIT_USAGE;
    }
  if (o->stuck_days > 0)
    flt.stuck_since = cli_now () - (gint64) o->stuck_days * 86400;
  flt.limit = (guint) o->limit;

  CliQueue cq;
  int rc = MOTCUA_EXIT_OK;
  g_autoptr(GPtrArray) items = NULL;
  if (!cli_queue_open (&cq, &error) || (items = motcua_queue_list (cq.q, &flt, &error)) == NULL)
    {
      rc = cli_queue_fail (error, o->json);
      cli_queue_clear (&cq);
      return rc;
    }
  char **names = o->names ? list_load_names (cq.q, items) : NULL;
  if (o->json)
    {
      JsonArray *a = json_array_new ();
      for (guint i = 0; i < items->len; i++)
        {
          JsonNode *n = motcua_queue_item_to_json (items->pdata[i]);
          if (names)
            json_object_set_string_member (json_node_get_object (n), "subjectName", names[i]);
          json_array_add_element (a, n);
        }
      JsonNode *root = json_node_new (JSON_NODE_ARRAY);
      json_node_take_array (root, a);
      motcua_cli_print_json (root);
    }
  else
    list_print_table (items, names);
  names_free (names);
  cli_queue_clear (&cq);
  return rc;
}

static int
cli_queue_list (int argc, char **argv)
{
  ListOptions o = { 0 };
  const GOptionEntry entries[] = {
    { "state", 0, 0, G_OPTION_ARG_STRING, &o.state,
      N_("chỉ hồ sơ ở trạng thái này: draft, signed, queued, sending, accepted, processing, done, "
         "refused, supplement, rejected, cancelled (only this state)"), "S" },
    { "procedure", 0, 0, G_OPTION_ARG_STRING, &o.procedure,
      N_("nhóm thủ tục: birth hoặc death (procedure group)"), "birth|death" },
    { "stuck-days", 0, 0, G_OPTION_ARG_INT, &o.stuck_days,
      N_("chỉ hồ sơ chưa xong, nằm yên ở trạng thái quá N ngày (only stuck for more than N days)"), "N" },
    { "limit", 0, 0, G_OPTION_ARG_INT, &o.limit, N_("tối đa N hồ sơ (at most N items)"), "N" },
    { "names", 0, 0, G_OPTION_ARG_NONE, &o.names,
      N_("hiện họ tên người được đăng ký, cho màn hình quầy (show the subject's name)"), NULL },
    { "json", 0, 0, G_OPTION_ARG_NONE, &o.json, N_("kết quả dạng JSON (JSON output)"), NULL },
    { NULL }
  };
  int rc = MOTCUA_EXIT_OK;
  if (motcua_cli_parse (&argc, &argv, "motcua-cli queue list",
                        _("liệt kê hồ sơ trong hàng đợi (list queue items)"), entries, &rc))
    rc = list_run (&o);
  g_free (o.state);
  g_free (o.procedure);
  return rc;
}

/* ---- show ----------------------------------------------------------------- */

/* "label:   value" with the values aligned (UTF-8 aware). */
static void
show_row (const char *label, const char *value)
{
  g_autoptr(GString) line = g_string_new (NULL);
  cli_cell (line, label, 36);
  g_print ("%s%s\n", line->str, value ? value : "");
}

static void
show_print_text (const MotcuaQueueItem *it, JsonNode *audit)
{
  g_autofree char *id = g_strdup_printf ("%" G_GINT64_FORMAT, it->id);
  g_autofree char *state = g_strdup_printf ("%s [%s]", motcua_item_state_label (it->state),
                                            motcua_item_state_name (it->state));
  g_autofree char *created = cli_format_time (it->created_at);
  g_autofree char *since = cli_format_time (it->state_since);
  g_autofree char *final_at = cli_format_time (it->final_at);
  g_autofree char *next = cli_format_time (it->state == MOTCUA_ITEM_QUEUED ? it->next_attempt_at : 0);
  g_autofree char *attempts = g_strdup_printf ("%u", it->attempts);
  show_row (_("Số (id):"), id);
  show_row (_("Mã giao dịch (transaction id):"), it->transaction_id);
  show_row (_("Nhóm thủ tục (procedure):"), motcua_procedure_name (it->procedure));
  show_row (_("Trạng thái (state):"), state);
  show_row (_("Đơn vị tiếp nhận (unit):"), it->unit);
  show_row (_("Người tạo (actor):"), it->actor);
  show_row (_("Mã hồ sơ (dossier id):"), it->dossier_id ? it->dossier_id : "-");
  show_row (_("Tạo lúc (created, UTC+7):"), created);
  show_row (_("Vào trạng thái lúc (since):"), since);
  if (it->final_at)
    show_row (_("Kết thúc lúc (final at):"), final_at);
  show_row (_("Số lần gửi (attempts):"), attempts);
  if (*next)
    show_row (_("Gửi lại lúc (next attempt):"), next);
  if (it->last_error_code)
    {
      g_autofree char *err = g_strdup_printf ("%s %s", it->last_error_code,
                                              it->last_error_message ? it->last_error_message : "");
      show_row (_("Lỗi gần nhất (last error):"), err);
    }
  if (it->purged)
    g_print ("%s\n", _("Dữ liệu cá nhân đã xoá theo thời hạn lưu trữ (personal data purged)"));
  if (it->systems->len > 0)
    g_print ("\n%s\n", _("Trạng thái tại các hệ thống (back-office systems):"));
  for (guint i = 0; i < it->systems->len; i++)
    {
      const MotcuaSystemStatus *s = it->systems->pdata[i];
      g_autofree char *at = cli_format_time (s->updated_at);
      g_print ("  %-8s %2d %-22s %s\n", s->system, s->status, s->status_name ? s->status_name : "", at);
      if (s->reason)
        g_print ("           %s %s\n", _("Lý do (reason):"), s->reason);
      for (guint k = 0; s->missing && s->missing[k]; k++)
        g_print ("           %s %s\n", _("Cần bổ sung (missing):"), s->missing[k]);
    }
  JsonArray *a = json_node_get_array (audit);
  g_print ("\n%s\n", _("Nhật ký (audit trail, UTC):"));
  for (guint i = 0; i < json_array_get_length (a); i++)
    {
      JsonObject *e = json_array_get_object_element (a, i);
      const char *detail = json_object_get_string_member_with_default (e, "detail", NULL);
      g_print ("  %4" G_GINT64_FORMAT "  %s  %-12s %-14s %s\n",
               json_object_get_int_member (e, "seq"),
               json_object_get_string_member_with_default (e, "at", ""),
               json_object_get_string_member_with_default (e, "actor", ""),
               json_object_get_string_member_with_default (e, "action", ""),
               detail ? detail : "");
    }
}

static int
cli_queue_show (int argc, char **argv)
{
  gboolean json = FALSE;
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("kết quả dạng JSON (JSON output)"), NULL },
    { NULL }
  };
  int rc = MOTCUA_EXIT_OK;
  if (!motcua_cli_parse_args (&argc, &argv, "motcua-cli queue show",
                              _("chi tiết một hồ sơ trong hàng đợi (show one queue item)"),
                              "KEY", entries, 1, &rc))
    return rc;
  g_autoptr(GError) error = NULL;
  g_autoptr(MotcuaQueueItem) it = NULL;
  g_autoptr(JsonNode) audit = NULL;
  CliQueue cq;
  if (!cli_queue_open (&cq, &error) || (it = motcua_queue_get (cq.q, argv[1], &error)) == NULL
      || (audit = motcua_queue_audit_to_json (cq.q, it->id, &error)) == NULL)
    rc = cli_queue_fail (error, json);
  else if (json)
    {
      JsonNode *n = motcua_queue_item_to_json (it);
      json_object_set_member (json_node_get_object (n), "audit", json_node_copy (audit));
      motcua_cli_print_json (n);
    }
  else
    show_print_text (it, audit);
  cli_queue_clear (&cq);
  return rc;
}

/* ---- retry, cancel -------------------------------------------------------- */

typedef gboolean (*ItemAction) (MotcuaQueue *q, gint64 id, const char *actor, GError **error);

static int
cli_queue_action (int argc, char **argv, const char *name, const char *summary, ItemAction action,
                  const char *done)
{
  gboolean json = FALSE;
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("kết quả dạng JSON (JSON output)"), NULL },
    { NULL }
  };
  int rc = MOTCUA_EXIT_OK;
  if (!motcua_cli_parse_args (&argc, &argv, name, summary, "KEY", entries, 1, &rc))
    return rc;
  g_autoptr(GError) error = NULL;
  g_autoptr(MotcuaQueueItem) it = NULL;
  g_autoptr(MotcuaQueueItem) after = NULL;
  CliQueue cq;
  if (!cli_queue_open (&cq, &error) || (it = motcua_queue_get (cq.q, argv[1], &error)) == NULL
      || !action (cq.q, it->id, cq.conf->actor, &error)
      || (after = motcua_queue_get_by_id (cq.q, it->id, &error)) == NULL)
    rc = cli_queue_fail (error, json);
  else if (json)
    motcua_cli_print_json (motcua_queue_item_to_json (after));
  else
    g_print ("%s %" G_GINT64_FORMAT " %s: %s\n", done, after->id, after->transaction_id,
             motcua_item_state_label (after->state));
  cli_queue_clear (&cq);
  return rc;
}

/* ---- export --------------------------------------------------------------- */

static int
cli_queue_export (int argc, char **argv)
{
  gboolean json = FALSE;
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json,
      N_("một mảng JSON thay vì mỗi dòng một hồ sơ (one JSON array instead of JSON lines)"), NULL },
    { NULL }
  };
  int rc = MOTCUA_EXIT_OK;
  if (!motcua_cli_parse (&argc, &argv, "motcua-cli queue export",
                         _("xuất mọi hồ sơ, không có dữ liệu cá nhân (export every item, no personal data)"),
                         entries, &rc))
    return rc;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) items = NULL;
  CliQueue cq;
  if (!cli_queue_open (&cq, &error) || (items = motcua_queue_list (cq.q, NULL, &error)) == NULL)
    rc = cli_queue_fail (error, json);
  else if (json)
    {
      JsonArray *a = json_array_new ();
      for (guint i = 0; i < items->len; i++)
        json_array_add_element (a, motcua_queue_item_to_json (items->pdata[i]));
      JsonNode *root = json_node_new (JSON_NODE_ARRAY);
      json_node_take_array (root, a);
      motcua_cli_print_json (root);
    }
  else
    {
      /* JSON lines, oldest first (the list is newest first). */
      for (guint i = items->len; i > 0; i--)
        {
          g_autoptr(JsonNode) n = motcua_queue_item_to_json (items->pdata[i - 1]);
          g_autofree char *line = json_to_string (n, FALSE);
          g_print ("%s\n", line);
        }
    }
  cli_queue_clear (&cq);
  return rc;
}

/* ---- audit-verify, purge -------------------------------------------------- */

static int
cli_queue_audit_verify (int argc, char **argv)
{
  gboolean json = FALSE;
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("kết quả dạng JSON (JSON output)"), NULL },
    { NULL }
  };
  int rc = MOTCUA_EXIT_OK;
  if (!motcua_cli_parse (&argc, &argv, "motcua-cli queue audit-verify",
                         _("kiểm tra chuỗi băm của nhật ký (verify the audit hash chain)"), entries, &rc))
    return rc;
  g_autoptr(GError) error = NULL;
  guint entries_n = 0;
  CliQueue cq;
  if (!cli_queue_open (&cq, &error) || !motcua_queue_verify_audit (cq.q, &entries_n, &error))
    rc = cli_queue_fail (error, json);
  else if (json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "ok");
      json_builder_add_boolean_value (b, TRUE);
      json_builder_set_member_name (b, "entries");
      json_builder_add_int_value (b, entries_n);
      json_builder_end_object (b);
      motcua_cli_print_json (json_builder_get_root (b));
    }
  else
    g_print ("%s: %u\n", _("Nhật ký nguyên vẹn, số mục (audit log intact, entries)"), entries_n);
  cli_queue_clear (&cq);
  return rc;
}

static int
cli_queue_purge (int argc, char **argv)
{
  gboolean json = FALSE;
  int days = -1;
  const GOptionEntry entries[] = {
    { "days", 0, 0, G_OPTION_ARG_INT, &days,
      N_("xoá dữ liệu cá nhân của hồ sơ đã kết thúc quá N ngày; mặc định retention-days "
         "(purge items final for more than N days)"), "N" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("kết quả dạng JSON (JSON output)"), NULL },
    { NULL }
  };
  int rc = MOTCUA_EXIT_OK;
  if (!motcua_cli_parse (&argc, &argv, "motcua-cli queue purge",
                         _("xoá dữ liệu cá nhân hết thời hạn lưu trữ (retention purge)"), entries, &rc))
    return rc;
  if (days == 0 || days < -1 || days > 3650)
    {
      g_printerr ("motcua-cli queue purge: %s\n", _("--days phải từ 1 đến 3650 (--days must be 1–3650)"));
      return MOTCUA_EXIT_USAGE;
    }
  g_autoptr(GError) error = NULL;
  guint purged = 0;
  CliQueue cq;
  if (!cli_queue_open (&cq, &error)
      || !motcua_queue_purge (cq.q, cli_now (), days > 0 ? (guint) days : cq.conf->retention_days,
                              &purged, &error))
    rc = cli_queue_fail (error, json);
  else if (json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "purged");
      json_builder_add_int_value (b, purged);
      json_builder_set_member_name (b, "days");
      json_builder_add_int_value (b, days > 0 ? (guint) days : cq.conf->retention_days);
      json_builder_end_object (b);
      motcua_cli_print_json (json_builder_get_root (b));
    }
  else
    g_print ("%s: %u\n", _("Đã xoá dữ liệu cá nhân của số hồ sơ (items purged)"), purged);
  cli_queue_clear (&cq);
  return rc;
}

int
motcua_cli_queue (int argc, char **argv)
{
  if (argc < 2 || g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h"))
    {
      g_print ("%s\n\n", _("Cách dùng: motcua-cli queue LỆNH [TUỲ CHỌN]  (usage: motcua-cli queue COMMAND)"));
      g_print ("  list [--state S] [--procedure birth|death] [--stuck-days N] [--limit N] [--names] [--json]\n"
               "               %s\n", _("liệt kê hồ sơ (list items)"));
      g_print ("  show KEY     %s\n", _("chi tiết, trạng thái các hệ thống, nhật ký (item, systems, audit)"));
      g_print ("  retry KEY    %s\n", _("gửi lại ngay (send again now)"));
      g_print ("  cancel KEY   %s\n", _("huỷ hồ sơ chưa gửi (cancel an unsent item)"));
      g_print ("  export [--json]  %s\n", _("xuất mọi hồ sơ, không có dữ liệu cá nhân (export, no personal data)"));
      g_print ("  audit-verify %s\n", _("kiểm tra nhật ký (verify the audit log)"));
      g_print ("  purge [--days N]  %s\n", _("xoá dữ liệu cá nhân hết hạn (retention purge)"));
      g_print ("\n%s\n", _("KEY: số thứ tự, mã giao dịch hoặc mã hồ sơ (row id, transaction id or dossier id)"));
      return argc < 2 ? MOTCUA_EXIT_USAGE : MOTCUA_EXIT_OK;
    }
  if (g_str_equal (argv[1], "list"))
    return cli_queue_list (argc - 1, argv + 1);
  if (g_str_equal (argv[1], "show"))
    return cli_queue_show (argc - 1, argv + 1);
  if (g_str_equal (argv[1], "retry"))
    return cli_queue_action (argc - 1, argv + 1, "motcua-cli queue retry",
                             _("gửi lại ngay một hồ sơ đang chờ (retry a queued item now)"),
                             motcua_queue_retry, _("Sẽ gửi lại ngay (due now)"));
  if (g_str_equal (argv[1], "cancel"))
    return cli_queue_action (argc - 1, argv + 1, "motcua-cli queue cancel",
                             _("huỷ một hồ sơ chưa gửi (cancel an unsent item)"),
                             motcua_queue_cancel, _("Đã huỷ (cancelled)"));
  if (g_str_equal (argv[1], "export"))
    return cli_queue_export (argc - 1, argv + 1);
  if (g_str_equal (argv[1], "audit-verify"))
    return cli_queue_audit_verify (argc - 1, argv + 1);
  if (g_str_equal (argv[1], "purge"))
    return cli_queue_purge (argc - 1, argv + 1);
  g_printerr ("%s: %s\n", _("Lệnh không hợp lệ (unknown command)"), argv[1]);
  return MOTCUA_EXIT_USAGE;
}
