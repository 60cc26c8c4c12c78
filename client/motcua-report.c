/* motcua-report.c — the national monthly tables (seed 000's appendices),
 * the stuck list and the refusals, as JSON or CSV
 *
 * Per procedure group, one row per back-office system; each dossier
 * created in the period and handed to the service (every state but
 * CANCELLED and REJECTED) is counted once per system of its group, in the
 * column of that system's status.  A dossier not yet accepted is Chưa gửi
 * đi in every system; an accepted dossier without a status for a system
 * yet is Mới đăng ký at hộ tịch and Chưa gửi đi downstream (protocol.md
 * §12.3).  Cancelled and rejected dossiers are counted on the group only. */
#define G_LOG_DOMAIN "motcua-report"

#include <glib/gi18n.h>
#include <string.h>

#include "motcua-queue-private.h"
#include "motcua-report.h"

enum {
  COL_CHUA_GUI_DI, COL_MOI_DANG_KY, COL_DA_TIEP_NHAN, COL_DANG_XU_LY, COL_YEU_CAU_BO_SUNG,
  COL_DA_XU_LY_XONG, COL_DA_TRA_KET_QUA, COL_TU_CHOI, COL_KHAC, N_COLS
};

static const struct { const char *key; const char *label; } columns[N_COLS] = {
  { "chuaGuiDi", N_("Chưa gửi đi") },
  { "moiDangKy", N_("Mới đăng ký") },
  { "daTiepNhan", N_("Đã tiếp nhận") },
  { "dangXuLy", N_("Đang xử lý") },
  { "yeuCauBoSung", N_("Yêu cầu bổ sung (tách riêng; bảng quốc gia gộp vào Đang xử lý)") },
  { "daXuLyXong", N_("Đã xử lý xong") },
  { "daTraKetQua", N_("Đã trả kết quả") },
  { "tuChoi", N_("Từ chối tiếp nhận") },
  { "khac", N_("Trạng thái khác (mã 6, 7, 8)") },
};

static const struct { const char *system; const char *label; } system_labels[] = {
  { "hoTich", N_("Hệ thống ĐKQLHTĐT dùng chung") },
  { "cuTru", N_("Hệ thống Quản lý cư trú") },
  { "bhxh", N_("Hệ thống BHXH") },
  { "ldtbxh", N_("Hệ thống của Bộ LĐTBXH") },
};

#define N_SYSTEMS 3

typedef struct {
  MotcuaProcedure procedure;
  guint total, cancelled, rejected;
  guint cells[N_SYSTEMS][N_COLS];
} Group;

struct _MotcuaReport {
  gint64 from, to, now;
  guint stuck_days;
  Group groups[2];
  GPtrArray *items;             /* MotcuaQueueItem, owned */
  GPtrArray *stuck;             /* borrowed from items */
  GPtrArray *refused;           /* borrowed: a system refused, or the service rejected */
};

static int
column_for (int status)
{
  switch (status)
    {
    case 0: return COL_CHUA_GUI_DI;
    case 1: return COL_MOI_DANG_KY;
    case 2: return COL_DA_TIEP_NHAN;
    case 3: return COL_TU_CHOI;
    case 4: return COL_DANG_XU_LY;
    case 5: return COL_YEU_CAU_BO_SUNG;
    case 9: return COL_DA_XU_LY_XONG;
    case 10: return COL_DA_TRA_KET_QUA;
    default: return COL_KHAC;
    }
}

static const char *
system_label (const char *system)
{
  for (gsize i = 0; i < G_N_ELEMENTS (system_labels); i++)
    if (strcmp (system_labels[i].system, system) == 0)
      return g_dgettext (GETTEXT_PACKAGE, system_labels[i].label);
  return system;
}

static void
count_item (Group *g, const MotcuaQueueItem *item)
{
  g->total++;
  if (item->state == MOTCUA_ITEM_CANCELLED)
    {
      g->cancelled++;
      return;
    }
  if (item->state == MOTCUA_ITEM_REJECTED)
    {
      g->rejected++;
      return;
    }
  const char *const *systems = motcua_queue_group_systems (item->procedure);
  for (int s = 0; s < N_SYSTEMS; s++)
    {
      int col = COL_CHUA_GUI_DI;
      if (item->state >= MOTCUA_ITEM_ACCEPTED)
        {
          col = s == 0 ? COL_MOI_DANG_KY : COL_CHUA_GUI_DI;
          for (guint i = 0; i < item->systems->len; i++)
            {
              const MotcuaSystemStatus *st = g_ptr_array_index (item->systems, i);
              if (g_strcmp0 (st->system, systems[s]) == 0)
                col = column_for (st->status);
            }
        }
      g->cells[s][col]++;
    }
}

static gboolean
has_refusal (const MotcuaQueueItem *item)
{
  if (item->state == MOTCUA_ITEM_REJECTED)
    return TRUE;
  for (guint i = 0; i < item->systems->len; i++)
    if (((MotcuaSystemStatus *) g_ptr_array_index (item->systems, i))->status == 3)
      return TRUE;
  return FALSE;
}

MotcuaReport *
motcua_report_build (MotcuaQueue *q, gint64 from, gint64 to, guint stuck_days, gint64 now,
                     GError **error)
{
  g_return_val_if_fail (q != NULL, NULL);
  MotcuaQueueFilter flt = { .created_from = from, .created_to = to };
  GPtrArray *items = motcua_queue_list (q, &flt, error);
  if (items == NULL)
    return NULL;
  MotcuaReport *r = g_new0 (MotcuaReport, 1);
  r->from = from;
  r->to = to;
  r->now = now;
  r->stuck_days = stuck_days;
  r->groups[0].procedure = MOTCUA_PROCEDURE_BIRTH;
  r->groups[1].procedure = MOTCUA_PROCEDURE_DEATH;
  r->items = items;
  r->stuck = g_ptr_array_new ();
  r->refused = g_ptr_array_new ();
  /* Oldest first in the lists. */
  for (guint k = items->len; k > 0; k--)
    {
      MotcuaQueueItem *item = g_ptr_array_index (items, k - 1);
      count_item (&r->groups[item->procedure == MOTCUA_PROCEDURE_DEATH ? 1 : 0], item);
      if (stuck_days > 0 && !motcua_item_state_is_final (item->state)
          && item->state_since < now - (gint64) stuck_days * 86400)
        g_ptr_array_add (r->stuck, item);
      if (has_refusal (item))
        g_ptr_array_add (r->refused, item);
    }
  return r;
}

void
motcua_report_free (MotcuaReport *r)
{
  if (r == NULL)
    return;
  g_ptr_array_unref (r->stuck);
  g_ptr_array_unref (r->refused);
  g_ptr_array_unref (r->items);
  g_free (r);
}

static char *
format_date (gint64 t)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc (t);
  return dt ? g_date_time_format_iso8601 (dt) : g_strdup ("");
}

static const char *
group_label (MotcuaProcedure p)
{
  return p == MOTCUA_PROCEDURE_DEATH ? _("Liên thông khai tử") : _("Liên thông khai sinh");
}

/* Each refusal: (system or "service", code, reason). */
typedef void (*RefusalFunc) (const MotcuaQueueItem *item, const char *system, const char *code,
                             const char *reason, gpointer data);

static void
foreach_refusal (MotcuaReport *r, RefusalFunc fn, gpointer data)
{
  for (guint i = 0; i < r->refused->len; i++)
    {
      const MotcuaQueueItem *item = g_ptr_array_index (r->refused, i);
      if (item->state == MOTCUA_ITEM_REJECTED)
        fn (item, "service", item->last_error_code, item->last_error_message, data);
      for (guint k = 0; k < item->systems->len; k++)
        {
          const MotcuaSystemStatus *s = g_ptr_array_index (item->systems, k);
          if (s->status == 3)
            fn (item, s->system, s->status_name, s->reason, data);
        }
    }
}

static void
json_refusal (const MotcuaQueueItem *item, const char *system, const char *code,
              const char *reason, gpointer data)
{
  JsonBuilder *b = data;
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "id");
  json_builder_add_int_value (b, item->id);
  json_builder_set_member_name (b, "transactionId");
  json_builder_add_string_value (b, item->transaction_id);
  json_builder_set_member_name (b, "dossierId");
  json_builder_add_string_value (b, item->dossier_id ? item->dossier_id : "");
  json_builder_set_member_name (b, "procedure");
  json_builder_add_string_value (b, motcua_procedure_name (item->procedure));
  json_builder_set_member_name (b, "system");
  json_builder_add_string_value (b, system);
  json_builder_set_member_name (b, "code");
  json_builder_add_string_value (b, code ? code : "");
  json_builder_set_member_name (b, "reason");
  json_builder_add_string_value (b, reason ? reason : "");
  json_builder_end_object (b);
}

JsonNode *
motcua_report_to_json (MotcuaReport *r)
{
  g_return_val_if_fail (r != NULL, NULL);
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autofree char *from = format_date (r->from), *to = format_date (r->to);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "from");
  json_builder_add_string_value (b, from);
  json_builder_set_member_name (b, "to");
  json_builder_add_string_value (b, to);
  json_builder_set_member_name (b, "groups");
  json_builder_begin_array (b);
  for (int gi = 0; gi < 2; gi++)
    {
      const Group *g = &r->groups[gi];
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "procedure");
      json_builder_add_string_value (b, motcua_procedure_name (g->procedure));
      json_builder_set_member_name (b, "label");
      json_builder_add_string_value (b, group_label (g->procedure));
      json_builder_set_member_name (b, "total");
      json_builder_add_int_value (b, g->total);
      json_builder_set_member_name (b, "cancelled");
      json_builder_add_int_value (b, g->cancelled);
      json_builder_set_member_name (b, "rejected");
      json_builder_add_int_value (b, g->rejected);
      json_builder_set_member_name (b, "systems");
      json_builder_begin_array (b);
      const char *const *systems = motcua_queue_group_systems (g->procedure);
      for (int s = 0; s < N_SYSTEMS; s++)
        {
          guint total = 0;
          json_builder_begin_object (b);
          json_builder_set_member_name (b, "system");
          json_builder_add_string_value (b, systems[s]);
          json_builder_set_member_name (b, "label");
          json_builder_add_string_value (b, system_label (systems[s]));
          for (int c = 0; c < N_COLS; c++)
            {
              json_builder_set_member_name (b, columns[c].key);
              json_builder_add_int_value (b, g->cells[s][c]);
              total += g->cells[s][c];
            }
          json_builder_set_member_name (b, "total");
          json_builder_add_int_value (b, total);
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_set_member_name (b, "stuckDays");
  json_builder_add_int_value (b, r->stuck_days);
  json_builder_set_member_name (b, "stuck");
  json_builder_begin_array (b);
  for (guint i = 0; i < r->stuck->len; i++)
    {
      JsonNode *n = motcua_queue_item_to_json (g_ptr_array_index (r->stuck, i));
      json_object_set_int_member (json_node_get_object (n), "daysInState",
                                  (r->now - ((MotcuaQueueItem *) g_ptr_array_index (r->stuck, i))->state_since) / 86400);
      json_builder_add_value (b, n);
    }
  json_builder_end_array (b);
  json_builder_set_member_name (b, "refusals");
  json_builder_begin_array (b);
  foreach_refusal (r, json_refusal, b);
  json_builder_end_array (b);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

/* One RFC 4180 field: quoted when it holds a comma, quote, CR or LF. */
static void
csv_field (GString *out, const char *s, gboolean last)
{
  if (s == NULL)
    s = "";
  if (strpbrk (s, ",\"\r\n") != NULL)
    {
      g_string_append_c (out, '"');
      for (const char *p = s; *p; p++)
        {
          if (*p == '"')
            g_string_append_c (out, '"');
          g_string_append_c (out, *p);
        }
      g_string_append_c (out, '"');
    }
  else
    g_string_append (out, s);
  g_string_append (out, last ? "\r\n" : ",");
}

static void
csv_uint (GString *out, guint v, gboolean last)
{
  char buf[16];
  g_snprintf (buf, sizeof buf, "%u", v);
  csv_field (out, buf, last);
}

static void
csv_refusal (const MotcuaQueueItem *item, const char *system, const char *code,
             const char *reason, gpointer data)
{
  GString *out = data;
  char id[24];
  g_snprintf (id, sizeof id, "%" G_GINT64_FORMAT, item->id);
  csv_field (out, id, FALSE);
  csv_field (out, item->transaction_id, FALSE);
  csv_field (out, item->dossier_id, FALSE);
  csv_field (out, motcua_procedure_name (item->procedure), FALSE);
  csv_field (out, system, FALSE);
  csv_field (out, code, FALSE);
  csv_field (out, reason, TRUE);
}

char *
motcua_report_to_csv (MotcuaReport *r)
{
  g_return_val_if_fail (r != NULL, NULL);
  GString *out = g_string_new ("\xEF\xBB\xBF");
  /* Table 1: the national layout. */
  csv_field (out, _("Nhóm thủ tục"), FALSE);
  csv_field (out, _("Đơn vị"), FALSE);
  csv_field (out, _("Tổng"), FALSE);
  for (int c = 0; c < N_COLS; c++)
    csv_field (out, g_dgettext (GETTEXT_PACKAGE, columns[c].label), c == N_COLS - 1);
  for (int gi = 0; gi < 2; gi++)
    {
      const Group *g = &r->groups[gi];
      /* The liên thông software's own row: Tổng only. */
      csv_field (out, group_label (g->procedure), FALSE);
      csv_field (out, _("Hệ thống DVCLT"), FALSE);
      csv_uint (out, g->total - g->cancelled - g->rejected, FALSE);
      for (int c = 0; c < N_COLS; c++)
        csv_field (out, "", c == N_COLS - 1);
      const char *const *systems = motcua_queue_group_systems (g->procedure);
      for (int s = 0; s < N_SYSTEMS; s++)
        {
          guint total = 0;
          for (int c = 0; c < N_COLS; c++)
            total += g->cells[s][c];
          csv_field (out, group_label (g->procedure), FALSE);
          csv_field (out, system_label (systems[s]), FALSE);
          csv_uint (out, total, FALSE);
          for (int c = 0; c < N_COLS; c++)
            csv_uint (out, g->cells[s][c], c == N_COLS - 1);
        }
    }
  g_string_append (out, "\r\n");
  /* Table 2: stuck dossiers. */
  g_autofree char *stuck_title = g_strdup_printf (_("Hồ sơ tồn quá %u ngày"), r->stuck_days);
  csv_field (out, stuck_title, FALSE);
  csv_field (out, _("Mã giao dịch"), FALSE);
  csv_field (out, _("Mã hồ sơ"), FALSE);
  csv_field (out, _("Nhóm"), FALSE);
  csv_field (out, _("Trạng thái"), FALSE);
  csv_field (out, _("Số ngày"), TRUE);
  for (guint i = 0; i < r->stuck->len; i++)
    {
      const MotcuaQueueItem *item = g_ptr_array_index (r->stuck, i);
      char id[24];
      g_snprintf (id, sizeof id, "%" G_GINT64_FORMAT, item->id);
      csv_field (out, id, FALSE);
      csv_field (out, item->transaction_id, FALSE);
      csv_field (out, item->dossier_id, FALSE);
      csv_field (out, motcua_procedure_name (item->procedure), FALSE);
      csv_field (out, motcua_item_state_label (item->state), FALSE);
      csv_uint (out, (guint) ((r->now - item->state_since) / 86400), TRUE);
    }
  g_string_append (out, "\r\n");
  /* Table 3: refusals with their reasons. */
  csv_field (out, _("Từ chối tiếp nhận"), FALSE);
  csv_field (out, _("Mã giao dịch"), FALSE);
  csv_field (out, _("Mã hồ sơ"), FALSE);
  csv_field (out, _("Nhóm"), FALSE);
  csv_field (out, _("Hệ thống"), FALSE);
  csv_field (out, _("Mã"), FALSE);
  csv_field (out, _("Lý do"), TRUE);
  foreach_refusal (r, csv_refusal, out);
  return g_string_free (out, FALSE);
}
