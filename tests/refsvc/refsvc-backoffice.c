/* refsvc-backoffice.c — the simulated back-office systems
 *
 * Each system of a dossier is a row of `systems` with a status and, while
 * it moves on by itself, the virtual time due_at of its next transition:
 *
 *   CHUA_GUI_DI      (waits for hoTich)
 *   MOI_DANG_KY     --receive_s--> DA_TIEP_NHAN | TU_CHOI (refuse_ratio, final)
 *   DA_TIEP_NHAN    --start_s-->   DANG_XU_LY
 *   DANG_XU_LY      --process_s--> DA_XU_LY_XONG | YEU_CAU_BO_SUNG (waits for
 *                                  a supplement: rule, or supplement_ratio)
 *   DA_XU_LY_XONG   --return_s-->  DA_TRA_KET_QUA (final)
 *
 * When hoTich reaches DA_XU_LY_XONG, every CHUA_GUI_DI system of the dossier
 * becomes MOI_DANG_KY at that same time.  refsvc_store_advance applies the
 * due transitions one at a time in (due_at, dossier, system order) order,
 * each at its own due time, so the history does not depend on how often or
 * how late the service ticks.
 *
 * Outcomes are not random: u = SHA-256(seed, dossierId, system, round,
 * stage) mapped to [0,1) is compared with the ratio.  The stage ("receive"
 * or "process") makes the two draws independent, so refuse_ratio 0.1 and
 * supplement_ratio 0.2 give about 10 % refused and 18 % (0.9 × 0.2) asked
 * for supplements.  The round (incremented by every supplement) gives a
 * fresh draw after a supplement. */
#include "refsvc-store-private.h"

#include <string.h>

/* ---- statuses and systems ---- */

typedef struct { refsvc_status s; const char *code, *label; } status_def;

static const status_def statuses[] = {
  { REFSVC_ST_CHUA_GUI_DI, "CHUA_GUI_DI", "Chưa gửi đi" },
  { REFSVC_ST_MOI_DANG_KY, "MOI_DANG_KY", "Mới đăng ký" },
  { REFSVC_ST_DA_TIEP_NHAN, "DA_TIEP_NHAN", "Đã tiếp nhận" },
  { REFSVC_ST_TU_CHOI, "TU_CHOI", "Từ chối tiếp nhận" },
  { REFSVC_ST_DANG_XU_LY, "DANG_XU_LY", "Đang xử lý" },
  { REFSVC_ST_YEU_CAU_BO_SUNG, "YEU_CAU_BO_SUNG", "Yêu cầu bổ sung" },
  { REFSVC_ST_DA_XU_LY_XONG, "DA_XU_LY_XONG", "Đã xử lý xong" },
  { REFSVC_ST_DA_TRA_KET_QUA, "DA_TRA_KET_QUA", "Đã trả kết quả" },
};

static const status_def *
status_find (refsvc_status s)
{
  for (gsize i = 0; i < G_N_ELEMENTS (statuses); i++)
    if (statuses[i].s == s)
      return &statuses[i];
  return NULL;
}

const char *
refsvc_status_code (refsvc_status s)
{
  const status_def *d = status_find (s);
  return d ? d->code : "UNKNOWN";
}

const char *
refsvc_status_label (refsvc_status s)
{
  const status_def *d = status_find (s);
  return d ? d->label : "Không xác định";
}

static const char *const birth_systems[] = { "hoTich", "cuTru", "bhxh", NULL };
static const char *const death_systems[] = { "hoTich", "cuTru", "ldtbxh", NULL };

const char *const *
bo_systems (refsvc_procedure p)
{
  return p == REFSVC_DEATH ? death_systems : birth_systems;
}

const char *
bo_system_name (refsvc_procedure p, const char *system)
{
  static const struct { refsvc_procedure p; const char *system, *name; } names[] = {
    { REFSVC_BIRTH, "hoTich", "Hộ tịch — Đăng ký khai sinh" },
    { REFSVC_BIRTH, "cuTru", "Cư trú — Đăng ký thường trú" },
    { REFSVC_BIRTH, "bhxh", "BHXH — Cấp thẻ BHYT cho trẻ dưới 6 tuổi" },
    { REFSVC_DEATH, "hoTich", "Hộ tịch — Đăng ký khai tử" },
    { REFSVC_DEATH, "cuTru", "Cư trú — Xóa đăng ký thường trú" },
    { REFSVC_DEATH, "ldtbxh", "LĐTBXH — Trợ cấp mai táng phí" },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
    if (names[i].p == p && strcmp (names[i].system, system) == 0)
      return names[i].name;
  return system;
}

/* ---- reasons ---- */

/* Refusals at reception: format and consistency errors a registry finds. */
typedef struct { refsvc_procedure p; const char *system, *reason; } refusal_def;

static const refusal_def refusals[] = {
  { REFSVC_BIRTH, "hoTich", "Sai định dạng ngày sinh của người được khai sinh" },
  { REFSVC_BIRTH, "hoTich", "Giấy chứng sinh không khớp dữ liệu của cơ sở y tế" },
  { REFSVC_BIRTH, "hoTich", "Họ tên chưa chuẩn hoá Unicode (TCVN 6909:2001)" },
  { REFSVC_BIRTH, "hoTich", "Mã đơn vị hành chính nơi cư trú không tồn tại" },
  { REFSVC_BIRTH, "cuTru", "Mã đơn vị hành chính nơi cư trú không tồn tại" },
  { REFSVC_BIRTH, "cuTru", "Nơi cư trú của cha, mẹ không khớp Cơ sở dữ liệu về cư trú" },
  { REFSVC_BIRTH, "bhxh", "Mã cơ sở khám bệnh, chữa bệnh ban đầu không tồn tại" },
  { REFSVC_BIRTH, "bhxh", "Họ tên chưa chuẩn hoá Unicode (TCVN 6909:2001)" },
  { REFSVC_DEATH, "hoTich", "Giấy báo tử không khớp dữ liệu của cơ sở y tế" },
  { REFSVC_DEATH, "hoTich", "Sai định dạng ngày chết của người được khai tử" },
  { REFSVC_DEATH, "hoTich", "Họ tên chưa chuẩn hoá Unicode (TCVN 6909:2001)" },
  { REFSVC_DEATH, "hoTich", "Mã đơn vị hành chính nơi cư trú không tồn tại" },
  { REFSVC_DEATH, "cuTru", "Số định danh cá nhân của người chết không có trong Cơ sở dữ liệu về cư trú" },
  { REFSVC_DEATH, "cuTru", "Mã đơn vị hành chính nơi thường trú không tồn tại" },
  { REFSVC_DEATH, "ldtbxh", "Số tài khoản nhận trợ cấp không đúng định dạng" },
  { REFSVC_DEATH, "ldtbxh", "Mã đơn vị hành chính nơi cư trú không tồn tại" },
};

/* Supplements while processing: what is missing (or must be corrected), as
 * a JSON Pointer into the dossier payload (the layout refsvc-dossier-rules.c
 * validates: mostly optional members a back office may still insist on),
 * and why. */
typedef struct { refsvc_procedure p; const char *system, *pointer, *reason; } supplement_def;

static const supplement_def supplements[] = {
  { REFSVC_BIRTH, "hoTich", "/khaiSinh/nycSoDienThoai", "Thiếu số điện thoại người yêu cầu" },
  { REFSVC_BIRTH, "hoTich", "/khaiSinh/nksNgaySinhBangChu",
    "Thiếu ngày sinh bằng chữ của người được khai sinh" },
  { REFSVC_BIRTH, "cuTru", "/thuongTru/chuHoDongY",
    "Thiếu ý kiến đồng ý của chủ hộ cho trẻ đăng ký thường trú" },
  { REFSVC_BIRTH, "cuTru", "/khaiSinh/meSoDDCN", "Thiếu số định danh cá nhân của mẹ" },
  { REFSVC_BIRTH, "bhxh", "/bhyt/noiDangKyKCB",
    "Nơi đăng ký khám bệnh, chữa bệnh ban đầu không nhận thêm thẻ, đề nghị chọn cơ sở khác" },
  { REFSVC_BIRTH, "bhxh", "/bhyt/diaChiNhanThe", "Thiếu địa chỉ nhận thẻ BHYT" },
  { REFSVC_DEATH, "hoTich", "/khaiTu/nktGioPhutChet", "Thiếu giờ, phút chết của người được khai tử" },
  { REFSVC_DEATH, "hoTich", "/khaiTu/nycSoDienThoai", "Thiếu số điện thoại người yêu cầu" },
  { REFSVC_DEATH, "cuTru", "/khaiTu/nktNgayCapGiayToTuyThan",
    "Thiếu ngày cấp giấy tờ tùy thân của người chết" },
  { REFSVC_DEATH, "ldtbxh", "/maiTang/nguoiNhan/soDienThoai",
    "Thiếu số điện thoại người nhận trợ cấp mai táng phí" },
  { REFSVC_DEATH, "ldtbxh", "/maiTang/taiKhoan", "Thiếu tài khoản nhận trợ cấp mai táng phí" },
};

#define NEW_HEAD_POINTER "/xoaThuongTru/chuHoMoi"
#define NEW_HEAD_REASON  "Người chết là chủ hộ, hộ còn thành viên nhưng chưa có chủ hộ mới"

/* ---- the head-of-household rule ---- */

static gboolean
member_true (JsonObject *o, const char *name)
{
  JsonNode *n = json_object_get_member (o, name);
  if (!n || !JSON_NODE_HOLDS_VALUE (n))
    return FALSE;
  if (json_node_get_value_type (n) == G_TYPE_BOOLEAN)
    return json_node_get_boolean (n);
  if (json_node_get_value_type (n) == G_TYPE_STRING) {
    const char *s = json_node_get_string (n);
    return strcmp (s, "true") == 0 || strcmp (s, "1") == 0;
  }
  return FALSE;
}

static gint64
member_int (JsonObject *o, const char *name)
{
  JsonNode *n = json_object_get_member (o, name);
  if (!n || !JSON_NODE_HOLDS_VALUE (n))
    return 0;
  GType t = json_node_get_value_type (n);
  if (t == G_TYPE_INT64)
    return json_node_get_int (n);
  if (t == G_TYPE_DOUBLE)
    return (gint64) json_node_get_double (n);
  if (t == G_TYPE_STRING)
    return g_ascii_strtoll (json_node_get_string (n), NULL, 10);
  return 0;
}

/* A new head is named when chuHoMoi is a non-empty object or string. */
static gboolean
member_present (JsonObject *o, const char *name)
{
  JsonNode *n = json_object_get_member (o, name);
  if (!n || JSON_NODE_HOLDS_NULL (n))
    return FALSE;
  if (JSON_NODE_HOLDS_OBJECT (n))
    return json_object_get_size (json_node_get_object (n)) > 0;
  if (JSON_NODE_HOLDS_VALUE (n) && json_node_get_value_type (n) == G_TYPE_STRING)
    return json_node_get_string (n)[0] != '\0';
  return TRUE;
}

gboolean
bo_needs_new_head (JsonNode *root)
{
  if (!root || !JSON_NODE_HOLDS_OBJECT (root))
    return FALSE;
  JsonNode *x = json_object_get_member (json_node_get_object (root), "xoaThuongTru");
  if (!x || !JSON_NODE_HOLDS_OBJECT (x))
    return FALSE;
  JsonObject *o = json_node_get_object (x);
  return member_true (o, "laChuHo") && member_int (o, "soThanhVienConLai") > 0
         && !member_present (o, "chuHoMoi");
}

/* ---- deterministic outcomes ---- */

/* u in [0,1) from the first 8 bytes of the digest; *pick from the next 4. */
static double
draw (const refsvc_backoffice_config *bo, const char *dossier_id, const char *system,
      int round, const char *stage, guint32 *pick)
{
  g_autofree char *key = g_strdup_printf ("%" G_GUINT64_FORMAT "\n%s\n%s\n%d\n%s", bo->seed,
                                          dossier_id, system, round, stage);
  guint8 d[32];
  gsize len = sizeof d;
  GChecksum *c = g_checksum_new (G_CHECKSUM_SHA256);
  g_checksum_update (c, (const guchar *) key, -1);
  g_checksum_get_digest (c, d, &len);
  g_checksum_free (c);
  guint64 v = 0;
  for (int i = 0; i < 8; i++)
    v = (v << 8) | d[i];
  *pick = ((guint32) d[8] << 24) | ((guint32) d[9] << 16) | ((guint32) d[10] << 8) | d[11];
  return (double) (v >> 11) * 0x1.0p-53;
}

static gint64
later (gint64 t, gint64 seconds)
{
  seconds = MAX (seconds, 0);
  return t > G_MAXINT64 - seconds ? G_MAXINT64 : t + seconds;
}

/* ---- rows ---- */

typedef struct {
  char            *dossier_id, *system, *unit;
  refsvc_procedure proc;
  int              status, round;
  gint64           due;
  gboolean         needs_new_head;
} due_row;

/* A status change: the systems row and its event, both at `at`.  due < 0:
 * no further transition by itself.  missing: JSON array text or NULL. */
typedef struct {
  int         status;
  gint64      at, due;
  const char *reason, *missing;
  int         round;
} change;

static gboolean
record_change (refsvc_store *st, const char *dossier_id, const char *unit, const char *system,
               const change *c)
{
  sqlite3_stmt *u = store_stmt (st, "UPDATE systems SET status = ?, updated_at = ?, due_at = ?,"
                                    " reason = ?, missing = ?, round = ?"
                                    " WHERE dossier_id = ? AND system = ?");
  if (!u)
    return FALSE;
  sqlite3_bind_int (u, 1, c->status);
  sqlite3_bind_int64 (u, 2, c->at);
  if (c->due >= 0)
    sqlite3_bind_int64 (u, 3, c->due);
  sqlite3_bind_text (u, 4, c->reason, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (u, 5, c->missing, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int (u, 6, c->round);
  sqlite3_bind_text (u, 7, dossier_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (u, 8, system, -1, SQLITE_TRANSIENT);
  if (!store_step_done (st, u) || sqlite3_changes (st->db) != 1)
    return FALSE;
  sqlite3_stmt *e = store_stmt (st, "INSERT INTO events (dossier_id, unit, system, status, at,"
                                    " reason, missing) VALUES (?, ?, ?, ?, ?, ?, ?)");
  if (!e)
    return FALSE;
  sqlite3_bind_text (e, 1, dossier_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (e, 2, unit, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (e, 3, system, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int (e, 4, c->status);
  sqlite3_bind_int64 (e, 5, c->at);
  sqlite3_bind_text (e, 6, c->reason, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (e, 7, c->missing, -1, SQLITE_TRANSIENT);
  return store_step_done (st, e);
}

gboolean
bo_start_dossier (refsvc_store *st, const char *dossier_id, refsvc_procedure p, const char *unit,
                  const refsvc_backoffice_config *bo, gint64 now)
{
  const char *const *systems = bo_systems (p);
  for (int i = 0; systems[i]; i++) {
    sqlite3_stmt *s = store_stmt (st, "INSERT INTO systems (dossier_id, system, ord, status,"
                                      " updated_at) VALUES (?, ?, ?, 0, ?)");
    if (!s)
      return FALSE;
    sqlite3_bind_text (s, 1, dossier_id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text (s, 2, systems[i], -1, SQLITE_STATIC);
    sqlite3_bind_int (s, 3, i);
    sqlite3_bind_int64 (s, 4, now);
    if (!store_step_done (st, s))
      return FALSE;
    /* hoTich is sent at once; the others wait for it. */
    change c = { i == 0 ? REFSVC_ST_MOI_DANG_KY : REFSVC_ST_CHUA_GUI_DI, now,
                 i == 0 ? later (now, bo->receive_s) : -1, NULL, NULL, 0 };
    if (!record_change (st, dossier_id, unit, systems[i], &c))
      return FALSE;
  }
  return TRUE;
}

int
bo_reopen (refsvc_store *st, const char *dossier_id, int round,
           const refsvc_backoffice_config *bo, gint64 now)
{
  sqlite3_stmt *s = store_stmt (st, "SELECT s.system, d.unit FROM systems s JOIN dossiers d"
                                    " ON d.dossier_id = s.dossier_id"
                                    " WHERE s.dossier_id = ? AND s.status = ? ORDER BY s.ord");
  if (!s)
    return -1;
  sqlite3_bind_text (s, 1, dossier_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int (s, 2, REFSVC_ST_YEU_CAU_BO_SUNG);
  g_autoptr (GPtrArray) systems = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *unit = NULL;
  int rc;
  while ((rc = sqlite3_step (s)) == SQLITE_ROW) {
    g_ptr_array_add (systems, store_col_text (s, 0));
    if (!unit)
      unit = store_col_text (s, 1);
  }
  sqlite3_reset (s);
  if (rc != SQLITE_DONE)
    return -1;
  for (guint i = 0; i < systems->len; i++) {
    change c = { REFSVC_ST_DANG_XU_LY, now, later (now, bo->process_s), NULL, NULL, round };
    if (!record_change (st, dossier_id, unit, g_ptr_array_index (systems, i), &c))
      return -1;
  }
  return (int) systems->len;
}

/* ---- transitions ---- */

static char *
missing_json (const char *pointer)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  json_builder_begin_array (b);
  json_builder_add_string_value (b, pointer);
  json_builder_end_array (b);
  g_autoptr (JsonNode) n = json_builder_get_root (b);
  return refsvc_json_to_string (n);
}

static void
receive (const refsvc_backoffice_config *bo, const due_row *r, change *c)
{
  guint32 pick;
  double u = draw (bo, r->dossier_id, r->system, r->round, "receive", &pick);
  if (u < bo->refuse_ratio) {
    const refusal_def *m[G_N_ELEMENTS (refusals)];
    guint n = 0;
    for (gsize i = 0; i < G_N_ELEMENTS (refusals); i++)
      if (refusals[i].p == r->proc && strcmp (refusals[i].system, r->system) == 0)
        m[n++] = &refusals[i];
    c->status = REFSVC_ST_TU_CHOI;
    c->reason = n ? m[pick % n]->reason : "Hồ sơ không hợp lệ";
  } else {
    c->status = REFSVC_ST_DA_TIEP_NHAN;
    c->due = later (c->at, bo->start_s);
  }
}

/* Processing: the head-of-household rule first, then the supplement draw.
 * *missing receives the JSON text of the missing list (caller frees). */
static void
process (const refsvc_backoffice_config *bo, const due_row *r, change *c, char **missing)
{
  if (r->proc == REFSVC_DEATH && strcmp (r->system, "cuTru") == 0 && r->needs_new_head) {
    c->status = REFSVC_ST_YEU_CAU_BO_SUNG;
    c->reason = NEW_HEAD_REASON;
    *missing = missing_json (NEW_HEAD_POINTER);
    return;
  }
  guint32 pick;
  double u = draw (bo, r->dossier_id, r->system, r->round, "process", &pick);
  const supplement_def *m[G_N_ELEMENTS (supplements)];
  guint n = 0;
  for (gsize i = 0; i < G_N_ELEMENTS (supplements); i++)
    if (supplements[i].p == r->proc && strcmp (supplements[i].system, r->system) == 0)
      m[n++] = &supplements[i];
  if (u < bo->supplement_ratio && n > 0) {
    c->status = REFSVC_ST_YEU_CAU_BO_SUNG;
    c->reason = m[pick % n]->reason;
    *missing = missing_json (m[pick % n]->pointer);
  } else {
    c->status = REFSVC_ST_DA_XU_LY_XONG;
    c->due = later (c->at, bo->return_s);
  }
}

/* hoTich done: the systems still waiting are sent now.  Returns how many. */
static int
cascade (refsvc_store *st, const refsvc_backoffice_config *bo, const due_row *r)
{
  sqlite3_stmt *s = store_stmt (st, "SELECT system FROM systems WHERE dossier_id = ?"
                                    " AND status = ? ORDER BY ord");
  if (!s)
    return -1;
  sqlite3_bind_text (s, 1, r->dossier_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int (s, 2, REFSVC_ST_CHUA_GUI_DI);
  g_autoptr (GPtrArray) waiting = g_ptr_array_new_with_free_func (g_free);
  int rc;
  while ((rc = sqlite3_step (s)) == SQLITE_ROW)
    g_ptr_array_add (waiting, store_col_text (s, 0));
  sqlite3_reset (s);
  if (rc != SQLITE_DONE)
    return -1;
  for (guint i = 0; i < waiting->len; i++) {
    change c = { REFSVC_ST_MOI_DANG_KY, r->due, later (r->due, bo->receive_s), NULL, NULL,
                 r->round };
    if (!record_change (st, r->dossier_id, r->unit, g_ptr_array_index (waiting, i), &c))
      return -1;
  }
  return (int) waiting->len;
}

/* Applies the transition of r at its due time.  Returns the number of
 * status changes made (cascade included), -1 on error. */
static int
apply (refsvc_store *st, const refsvc_backoffice_config *bo, const due_row *r)
{
  change c = { r->status, r->due, -1, NULL, NULL, r->round };
  g_autofree char *missing = NULL;
  switch (r->status) {
  case REFSVC_ST_MOI_DANG_KY:
    receive (bo, r, &c);
    break;
  case REFSVC_ST_DA_TIEP_NHAN:
    c.status = REFSVC_ST_DANG_XU_LY;
    c.due = later (c.at, bo->process_s);
    break;
  case REFSVC_ST_DANG_XU_LY:
    process (bo, r, &c, &missing);
    c.missing = missing;
    break;
  case REFSVC_ST_DA_XU_LY_XONG:
    c.status = REFSVC_ST_DA_TRA_KET_QUA;
    break;
  default: {
    /* No transition from here: just stop the timer (no event). */
    sqlite3_stmt *s = store_stmt (st, "UPDATE systems SET due_at = NULL"
                                      " WHERE dossier_id = ? AND system = ?");
    if (!s)
      return -1;
    sqlite3_bind_text (s, 1, r->dossier_id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text (s, 2, r->system, -1, SQLITE_TRANSIENT);
    return store_step_done (st, s) ? 0 : -1;
  }
  }
  if (!record_change (st, r->dossier_id, r->unit, r->system, &c))
    return -1;
  if (c.status == REFSVC_ST_DA_XU_LY_XONG && strcmp (r->system, "hoTich") == 0) {
    int n = cascade (st, bo, r);
    return n < 0 ? -1 : 1 + n;
  }
  return 1;
}

static void
due_row_clear (due_row *r)
{
  g_free (r->dossier_id);
  g_free (r->system);
  g_free (r->unit);
  memset (r, 0, sizeof *r);
}

/* The earliest transition due at or before now: 1 found, 0 none, -1 error. */
static int
next_due (refsvc_store *st, gint64 now, due_row *r)
{
  sqlite3_stmt *s = store_stmt (st, "SELECT s.dossier_id, s.system, s.status, s.due_at,"
                                    " s.round, d.procedure, d.unit, d.needs_new_head"
                                    " FROM systems s JOIN dossiers d"
                                    " ON d.dossier_id = s.dossier_id"
                                    " WHERE s.due_at IS NOT NULL AND s.due_at <= ?"
                                    " ORDER BY s.due_at, s.dossier_id, s.ord LIMIT 1");
  if (!s)
    return -1;
  sqlite3_bind_int64 (s, 1, now);
  int rc = sqlite3_step (s);
  if (rc == SQLITE_ROW) {
    r->dossier_id = store_col_text (s, 0);
    r->system = store_col_text (s, 1);
    r->status = sqlite3_column_int (s, 2);
    r->due = sqlite3_column_int64 (s, 3);
    r->round = sqlite3_column_int (s, 4);
    r->proc = store_procedure_parse ((const char *) sqlite3_column_text (s, 5));
    r->unit = store_col_text (s, 6);
    r->needs_new_head = sqlite3_column_int (s, 7) != 0;
  }
  sqlite3_reset (s);
  return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

static const refsvc_backoffice_config default_config = {
  .refuse_ratio = 0, .supplement_ratio = 0, .seed = 1,
  .receive_s = 600, .start_s = 1800, .process_s = 86400, .return_s = 3600,
};

const refsvc_backoffice_config *
bo_config_or_default (const refsvc_backoffice_config *bo)
{
  return bo ? bo : &default_config;
}

int
bo_advance_locked (refsvc_store *st, const refsvc_backoffice_config *bo, gint64 now)
{
  int made = 0;
  for (;;) {
    due_row r = { 0 };
    int found = next_due (st, now, &r);
    int n = found > 0 ? apply (st, bo, &r) : 0;
    due_row_clear (&r);
    if (found < 0 || n < 0)
      return -1;
    if (found == 0)
      return made;
    made += n;
  }
}

guint
refsvc_store_advance (refsvc_store *st, const refsvc_backoffice_config *bo, gint64 now)
{
  if (!st || !store_begin (st))
    return 0;
  int made = bo_advance_locked (st, bo_config_or_default (bo), now);
  return store_end (st, made >= 0) && made > 0 ? (guint) made : 0;
}
