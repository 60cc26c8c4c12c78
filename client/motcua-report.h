/* motcua-report.h — counts for the national monthly tables, stuck and
 * refused dossiers
 *
 * The layout follows the appendices of seed 000 (Bộ Công an's report on the
 * two liên thông groups): per procedure group and per back-office system,
 * the columns Tổng, Chưa gửi đi, Mới đăng ký, Đã tiếp nhận, Đang xử lý,
 * Đã xử lý xong, Đã trả kết quả, Từ chối tiếp nhận (plus Yêu cầu bổ sung,
 * which the national table folds into Đang xử lý; kept separate here and
 * said so in the CSV header).  Built from the queue's clear-text columns
 * only, so it still counts purged dossiers. */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

#include "motcua-queue.h"

G_BEGIN_DECLS

typedef struct _MotcuaReport MotcuaReport;

/* Dossiers created in [@from, @to) (unix seconds). @stuck_days: the
 * threshold of the stuck list (0: no list). */
MotcuaReport *motcua_report_build (MotcuaQueue *q, gint64 from, gint64 to, guint stuck_days,
                                   gint64 now, GError **error);
void          motcua_report_free (MotcuaReport *r);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MotcuaReport, motcua_report_free)

JsonNode *motcua_report_to_json (MotcuaReport *r);
/* UTF-8 with BOM (for spreadsheet programs), CRLF, RFC 4180. */
char     *motcua_report_to_csv (MotcuaReport *r);

G_END_DECLS
