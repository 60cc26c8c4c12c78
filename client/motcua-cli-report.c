/* motcua-cli-report.c — `motcua-cli report --from DATE --to DATE`: the
 * national monthly table (motcua-report.h) as aligned text, JSON or CSV
 *
 * Dates are calendar days in Vietnam (UTC+7); the end date is included.
 * Reports are built from clear-text queue columns: no personal data. */
#define G_LOG_DOMAIN "motcua-cli"

#include "motcua-config.h"

#include <glib/gi18n.h>
#include <stdio.h>
#include <string.h>

#include "motcua-cli-private.h"
#include "motcua-conf.h"
#include "motcua-error.h"
#include "motcua-fields.h"
#include "motcua-queue.h"
#include "motcua-report.h"

#define VN_OFFSET (7 * 3600)

typedef struct {
  char *from, *to;
  char *from_iso, *to_iso;      /* the period's days, yyyy-MM-dd */
  int stuck_days;
  gboolean csv, json;
} ReportOptions;

/* Midnight starting @date in Vietnam, as unix seconds. */
static gint64
report_day_start (const GDate *date)
{
  g_autoptr(GTimeZone) tz = g_time_zone_new_offset (VN_OFFSET);
  g_autoptr(GDateTime) dt = g_date_time_new (tz, g_date_get_year (date), g_date_get_month (date),
                                             g_date_get_day (date), 0, 0, 0);
  return dt ? g_date_time_to_unix (dt) : 0;
}

/* The national table's columns: JSON member and short heading. */
static const struct { const char *key; const char *head; } report_cols[] = {
  { "total", N_("Tổng") },
  { "chuaGuiDi", N_("Chưa gửi đi") },
  { "moiDangKy", N_("Mới đăng ký") },
  { "daTiepNhan", N_("Đã tiếp nhận") },
  { "dangXuLy", N_("Đang xử lý") },
  { "yeuCauBoSung", N_("YC bổ sung") },
  { "daXuLyXong", N_("Đã xử lý xong") },
  { "daTraKetQua", N_("Đã trả KQ") },
  { "tuChoi", N_("Từ chối") },
  { "khac", N_("Khác") },
};

/* @s, then spaces up to @width characters (UTF-8 aware); right-aligned
 * when @right. */
static void
report_cell (GString *line, const char *s, glong width, gboolean right)
{
  glong n = g_utf8_strlen (s, -1);
  if (!right)
    g_string_append (line, s);
  for (; n < width; n++)
    g_string_append_c (line, ' ');
  if (right)
    g_string_append (line, s);
  g_string_append (line, "  ");
}

static void
report_print_group (JsonObject *g)
{
  g_print ("%s — %s %" G_GINT64_FORMAT " (%s %" G_GINT64_FORMAT ", %s %" G_GINT64_FORMAT ")\n",
           json_object_get_string_member (g, "label"), _("tổng số hồ sơ"),
           json_object_get_int_member (g, "total"), _("đã huỷ"),
           json_object_get_int_member (g, "cancelled"), _("bị dịch vụ từ chối"),
           json_object_get_int_member (g, "rejected"));
  JsonArray *systems = json_object_get_array_member (g, "systems");
  guint n = json_array_get_length (systems);
  glong label_w = g_utf8_strlen (_("Hệ thống"), -1);
  for (guint i = 0; i < n; i++)
    label_w = MAX (label_w, g_utf8_strlen (json_object_get_string_member (
                     json_array_get_object_element (systems, i), "label"), -1));
  g_autoptr(GString) line = g_string_new ("  ");
  report_cell (line, _("Hệ thống"), label_w, FALSE);
  for (gsize c = 0; c < G_N_ELEMENTS (report_cols); c++)
    report_cell (line, g_dgettext (GETTEXT_PACKAGE, report_cols[c].head), 0, FALSE);
  g_print ("%s\n", g_strchomp (line->str));
  for (guint i = 0; i < n; i++)
    {
      JsonObject *s = json_array_get_object_element (systems, i);
      g_string_assign (line, "  ");
      report_cell (line, json_object_get_string_member (s, "label"), label_w, FALSE);
      for (gsize c = 0; c < G_N_ELEMENTS (report_cols); c++)
        {
          char num[24];
          g_snprintf (num, sizeof num, "%" G_GINT64_FORMAT,
                      json_object_get_int_member_with_default (s, report_cols[c].key, 0));
          report_cell (line, num, g_utf8_strlen (g_dgettext (GETTEXT_PACKAGE, report_cols[c].head), -1),
                       TRUE);
        }
      g_print ("%s\n", g_strchomp (line->str));
    }
  g_print ("\n");
}

static const char *
str_member (JsonObject *o, const char *name)
{
  const char *s = json_object_get_string_member_with_default (o, name, NULL);
  return s && *s ? s : "-";
}

static void
report_print_text (JsonNode *root, const ReportOptions *o)
{
  JsonObject *r = json_node_get_object (root);
  g_print ("%s %s – %s (UTC+7)\n\n", _("Báo cáo hồ sơ liên thông (report)"), o->from_iso, o->to_iso);
  JsonArray *groups = json_object_get_array_member (r, "groups");
  for (guint i = 0; i < json_array_get_length (groups); i++)
    report_print_group (json_array_get_object_element (groups, i));
  g_print ("%s\n\n", _("YC bổ sung: Yêu cầu bổ sung, tách riêng; bảng quốc gia gộp vào Đang xử lý. "
                       "Khác: trạng thái mã 6, 7, 8."));

  JsonArray *stuck = json_object_get_array_member (r, "stuck");
  if (o->stuck_days > 0)
    {
      g_print ("%s %d %s: %u\n", _("Hồ sơ tồn quá"), o->stuck_days, _("ngày (stuck)"),
               json_array_get_length (stuck));
      for (guint i = 0; i < json_array_get_length (stuck); i++)
        {
          JsonObject *it = json_array_get_object_element (stuck, i);
          g_print ("  %6" G_GINT64_FORMAT "  %s  %-6s %-24s %-16s %" G_GINT64_FORMAT " %s\n",
                   json_object_get_int_member (it, "id"), str_member (it, "transactionId"),
                   str_member (it, "procedure"), str_member (it, "stateLabel"),
                   str_member (it, "dossierId"), json_object_get_int_member (it, "daysInState"),
                   _("ngày"));
        }
      g_print ("\n");
    }
  JsonArray *refusals = json_object_get_array_member (r, "refusals");
  g_print ("%s: %u\n", _("Hồ sơ bị từ chối (refusals)"), json_array_get_length (refusals));
  for (guint i = 0; i < json_array_get_length (refusals); i++)
    {
      JsonObject *f = json_array_get_object_element (refusals, i);
      g_print ("  %6" G_GINT64_FORMAT "  %-16s %-6s %-8s %-16s %s\n", json_object_get_int_member (f, "id"),
               str_member (f, "dossierId"), str_member (f, "procedure"), str_member (f, "system"),
               str_member (f, "code"), str_member (f, "reason"));
    }
}

static gboolean
report_parse_period (ReportOptions *o, gint64 *from, gint64 *to)
{
  GDate d_from, d_to;
  if (o->from == NULL || o->to == NULL)
    {
      g_printerr ("motcua-cli report: %s\n", _("cần --from và --to (--from and --to are required)"));
      return FALSE;
    }
  if (!motcua_fields_parse_date (o->from, &d_from) || !motcua_fields_parse_date (o->to, &d_to))
    {
      g_printerr ("motcua-cli report: %s\n", _("ngày không hợp lệ (invalid date)"));
      return FALSE;
    }
  if (g_date_compare (&d_from, &d_to) > 0)
    {
      g_printerr ("motcua-cli report: %s\n", _("--from sau --to (--from is after --to)"));
      return FALSE;
    }
  o->from_iso = motcua_fields_format_date (&d_from, MOTCUA_DATE_ISO);
  o->to_iso = motcua_fields_format_date (&d_to, MOTCUA_DATE_ISO);
  g_date_add_days (&d_to, 1);   /* the end date is included */
  *from = report_day_start (&d_from);
  *to = report_day_start (&d_to);
  return *from != 0 && *to != 0;
}

static int
report_run (ReportOptions *o)
{
  gint64 from = 0, to = 0;
  if (o->csv && o->json)
    {
      g_printerr ("motcua-cli report: %s\n", _("chọn --csv hoặc --json (--csv or --json, not both)"));
      return MOTCUA_EXIT_USAGE;
    }
  if (o->stuck_days < 0)
    {
      g_printerr ("motcua-cli report: %s\n", _("Số không hợp lệ (negative number)"));
      return MOTCUA_EXIT_USAGE;
    }
  if (!report_parse_period (o, &from, &to))
    return MOTCUA_EXIT_USAGE;

  g_autoptr(GError) error = NULL;
  g_autoptr(MotcuaConf) conf = motcua_conf_load (&error);
  g_autoptr(MotcuaDeviceKey) key = NULL;
  g_autoptr(MotcuaQueue) q = NULL;
  g_autoptr(MotcuaReport) r = NULL;
  char *pin = NULL;
  if (conf == NULL)
    goto fail;
  /* A PEM device key (development) needs no PIN: do not ask for one. */
  if (conf->device_key_file == NULL)
    pin = motcua_cli_read_pin ("MOTCUA_DEVICE_PIN", _("Mã PIN khoá thiết bị (device key PIN)"));
  key = motcua_conf_open_device_key (conf, pin, &error);
  motcua_cli_pin_free (pin);
  if (key == NULL || (q = motcua_queue_open (conf->queue_path, key, &error)) == NULL)
    goto fail;
  r = motcua_report_build (q, from, to, (guint) o->stuck_days, g_get_real_time () / G_USEC_PER_SEC,
                           &error);
  if (r == NULL)
    goto fail;
  if (o->csv)
    {
      g_autofree char *csv = motcua_report_to_csv (r);
      fwrite (csv, 1, strlen (csv), stdout);
    }
  else if (o->json)
    motcua_cli_print_json (motcua_report_to_json (r));
  else
    {
      g_autoptr(JsonNode) root = motcua_report_to_json (r);
      report_print_text (root, o);
    }
  return MOTCUA_EXIT_OK;

fail:
  motcua_cli_print_error (error, o->json);
  return motcua_cli_exit_for_error (error);
}

int
motcua_cli_report (int argc, char **argv)
{
  ReportOptions o = { 0 };
  const GOptionEntry entries[] = {
    { "from", 0, 0, G_OPTION_ARG_STRING, &o.from,
      N_("từ ngày, giờ Việt Nam (first day, Vietnam time)"), "DATE" },
    { "to", 0, 0, G_OPTION_ARG_STRING, &o.to,
      N_("đến hết ngày (last day, included)"), "DATE" },
    { "stuck-days", 0, 0, G_OPTION_ARG_INT, &o.stuck_days,
      N_("liệt kê hồ sơ tồn quá N ngày (list dossiers stuck for more than N days)"), "N" },
    { "csv", 0, 0, G_OPTION_ARG_NONE, &o.csv,
      N_("CSV cho bảng tính: UTF-8 có BOM, CRLF (CSV for spreadsheets)"), NULL },
    { "json", 0, 0, G_OPTION_ARG_NONE, &o.json, N_("kết quả dạng JSON (JSON output)"), NULL },
    { NULL }
  };
  int rc = MOTCUA_EXIT_OK;
  if (motcua_cli_parse (&argc, &argv, "motcua-cli report",
                        _("báo cáo tháng theo mẫu quốc gia, hồ sơ tồn, hồ sơ bị từ chối "
                          "(national monthly table, stuck and refused dossiers)"),
                        entries, &rc))
    rc = report_run (&o);
  g_free (o.from);
  g_free (o.to);
  g_free (o.from_iso);
  g_free (o.to_iso);
  return rc;
}
