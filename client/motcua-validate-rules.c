/* motcua-validate-rules.c — the birth and death groups: tables and
 * consistency rules (docs/protocol-dossiers.md §4–§6). */
#define G_LOG_DOMAIN "motcua-validate"

#include "motcua-validate-private.h"

#include <string.h>

static const char *const GENDER[] = { "1", "2", "3", NULL };
static const char *const ID_TYPE[] = { "1", "2", "3", "4", NULL };
static const char *const YES_NO[] = { "0", "1", NULL };
static const char *const REG_TYPE[] = { "1", "2", "3", NULL };
static const char *const RESIDENCE_TYPE[] = { "1", "2", "3", NULL };
static const char *const BIRTH_KIND[] = { "1", "2", "3", "4", NULL };
static const char *const CARD_DELIVERY[] = { "1", "2", NULL };
static const char *const FUNERAL_CATEGORY[] = { "1", "2", "3", "4", NULL };
static const char *const PAYMENT[] = { "TIEN_MAT", "CHUYEN_KHOAN", NULL };

#define REQ F_REQ
#define PAST F_PAST
#define TEXT(p, f, m) { p, K_TEXT, f, m, NULL, NULL }
#define ENUM(p, f, v) { p, K_ENUM, f, 0, v, NULL }
#define IDNO(p, f, t) { p, K_ID_NUMBER, f, 0, NULL, t }
#define KIND(p, k, f) { p, k, f, 0, NULL, NULL }

#define ROOT_RULES \
  KIND ("/maDonViTiepNhan", K_COMMUNE, REQ), \
  KIND ("/ngayLap", K_DATE, REQ | PAST)

#define NYC_RULES(o) \
  KIND (o "/nycHoTen", K_NAME, REQ), \
  TEXT (o "/nycQuanHe", REQ, 50), \
  ENUM (o "/nycLoaiGiayToTuyThan", REQ, ID_TYPE), \
  TEXT (o "/nycGiayToKhac", 0, 200), \
  IDNO (o "/nycSoGiayToTuyThan", REQ, o "/nycLoaiGiayToTuyThan"), \
  KIND (o "/nycSoDDCN", K_PID12, 0), \
  KIND (o "/nycNgayCapGiayToTuyThan", K_DATE, PAST), \
  TEXT (o "/nycNoiCapGiayToTuyThan", 0, 200), \
  KIND (o "/nycSoDienThoai", K_PHONE, 0), \
  KIND (o "/nycEmail", K_EMAIL, 0), \
  ENUM (o "/nycLoaiCuTru", 0, RESIDENCE_TYPE), \
  KIND (o "/nycNoiCuTru", K_ADDRESS, 0), \
  ENUM (o "/nycXacThucThongTin", 0, YES_NO)

#define PARENT_RULES(o, b) \
  KIND (o "HoTen", K_NAME, REQ | b), \
  KIND (o "NgaySinh", K_DATE, REQ | PAST | b), \
  KIND (o "DanToc", K_ETHNIC, REQ | b), \
  TEXT (o "DanTocKhac", b, 100), \
  KIND (o "QuocTich", K_NATION, REQ | b), \
  TEXT (o "QuocTichKhac", b, 100), \
  ENUM (o "LoaiCuTru", REQ | b, RESIDENCE_TYPE), \
  KIND (o "NoiCuTru", K_ADDRESS, REQ | b), \
  ENUM (o "LoaiGiayToTuyThan", REQ | b, ID_TYPE), \
  IDNO (o "SoGiayToTuyThan", REQ | b, o "LoaiGiayToTuyThan"), \
  TEXT (o "GiayToKhac", b, 200), \
  KIND (o "SoDDCN", K_PID12, b), \
  ENUM (o "XacThucThongTin", b, YES_NO)

static const MotcuaVRule birth_rules[] = {
  ROOT_RULES,
  KIND ("/khaiSinh", K_OBJECT, REQ),
  KIND ("/khaiSinh/maGCS", K_MAGCS, 0),
  KIND ("/khaiSinh/ngayCapGCS", K_DATE_YMD, PAST),
  ENUM ("/khaiSinh/loaiDangKy", REQ, REG_TYPE),
  KIND ("/khaiSinh/noiDangKy", K_COMMUNE, REQ),
  { "/khaiSinh/soLuongBanSao", K_COPIES, 0, 50, NULL, NULL },
  KIND ("/khaiSinh/nksHoTen", K_NAME, REQ),
  ENUM ("/khaiSinh/nksGioiTinh", REQ, GENDER),
  KIND ("/khaiSinh/nksNgaySinh", K_DATE, REQ | PAST),
  TEXT ("/khaiSinh/nksNgaySinhBangChu", 0, 200),
  KIND ("/khaiSinh/nksNoiSinh", K_ADDRESS, REQ),
  KIND ("/khaiSinh/nksQueQuan", K_PLACE, REQ),
  KIND ("/khaiSinh/nksDanToc", K_ETHNIC, REQ),
  TEXT ("/khaiSinh/nksDanTocKhac", 0, 100),
  KIND ("/khaiSinh/nksQuocTich", K_NATION, REQ),
  TEXT ("/khaiSinh/nksQuocTichKhac", 0, 100),
  ENUM ("/khaiSinh/nksLoaiKhaiSinh", 0, BIRTH_KIND),
  PARENT_RULES ("/khaiSinh/me", F_ME),
  PARENT_RULES ("/khaiSinh/cha", F_CHA),
  NYC_RULES ("/khaiSinh"),

  KIND ("/thuongTru", K_OBJECT, REQ),
  KIND ("/thuongTru/chuHoHoTen", K_NAME, REQ),
  KIND ("/thuongTru/chuHoSoDinhDanh", K_PID12, REQ),
  TEXT ("/thuongTru/quanHeVoiChuHo", REQ, 50),
  KIND ("/thuongTru/noiThuongTru", K_ADDRESS, REQ),
  KIND ("/thuongTru/chuHoDongY", K_BOOL, 0),
  TEXT ("/thuongTru/noiDungDeNghi", 0, 500),

  KIND ("/bhyt", K_OBJECT, REQ),
  KIND ("/bhyt/noiDangKyKCB", K_FACILITY, REQ),
  ENUM ("/bhyt/phuongThucNhanThe", REQ, CARD_DELIVERY),
  KIND ("/bhyt/diaChiNhanThe", K_ADDRESS, 0),
};

static const MotcuaVRule death_rules[] = {
  ROOT_RULES,
  KIND ("/khaiTu", K_OBJECT, REQ),
  KIND ("/khaiTu/maGBT", K_MAGBT, 0),
  KIND ("/khaiTu/ngayCapGBT", K_DATE_YMD, PAST),
  ENUM ("/khaiTu/loaiDangKy", REQ, REG_TYPE),
  KIND ("/khaiTu/noiDangKy", K_COMMUNE, REQ),
  { "/khaiTu/soLuongBanSao", K_COPIES, 0, 50, NULL, NULL },
  KIND ("/khaiTu/nktHoTen", K_NAME, REQ),
  ENUM ("/khaiTu/nktGioiTinh", REQ, GENDER),
  KIND ("/khaiTu/nktNgaySinh", K_DATE, REQ | PAST),
  KIND ("/khaiTu/nktDanToc", K_ETHNIC, REQ),
  TEXT ("/khaiTu/nktDanTocKhac", 0, 100),
  KIND ("/khaiTu/nktQuocTich", K_NATION, REQ),
  TEXT ("/khaiTu/nktQuocTichKhac", 0, 100),
  ENUM ("/khaiTu/nktLoaiCuTru", REQ, RESIDENCE_TYPE),
  KIND ("/khaiTu/nktNoiCuTru", K_ADDRESS, REQ),
  ENUM ("/khaiTu/nktLoaiGiayToTuyThan", REQ, ID_TYPE),
  IDNO ("/khaiTu/nktSoGiayToTuyThan", REQ, "/khaiTu/nktLoaiGiayToTuyThan"),
  KIND ("/khaiTu/nktNgayCapGiayToTuyThan", K_DATE, PAST),
  TEXT ("/khaiTu/nktNoiCapGiayToTuyThan", 0, 200),
  TEXT ("/khaiTu/nktGiayToKhac", 0, 200),
  KIND ("/khaiTu/nktNgayChet", K_DATE, REQ | PAST),
  KIND ("/khaiTu/nktGioPhutChet", K_TIME, 0),
  KIND ("/khaiTu/nktNoiChet", K_ADDRESS, REQ),
  TEXT ("/khaiTu/nktNguyenNhanChet", REQ, 500),
  ENUM ("/khaiTu/nktXacThucThongTin", 0, YES_NO),
  TEXT ("/khaiTu/gbtLoai", 0, 100),
  TEXT ("/khaiTu/gbtSo", 0, 50),
  KIND ("/khaiTu/gbtNgay", K_DATE, PAST),
  TEXT ("/khaiTu/gbtCoQuanCap", 0, 200),
  NYC_RULES ("/khaiTu"),

  KIND ("/xoaThuongTru", K_OBJECT, REQ),
  KIND ("/xoaThuongTru/laChuHo", K_BOOL, REQ),
  { "/xoaThuongTru/soThanhVienConLai", K_COUNT, REQ, 100, NULL, NULL },
  KIND ("/xoaThuongTru/chuHoMoi", K_OBJECT, 0),
  KIND ("/xoaThuongTru/chuHoMoi/hoTen", K_NAME, REQ),
  KIND ("/xoaThuongTru/chuHoMoi/soDinhDanh", K_PID12, REQ),
  TEXT ("/xoaThuongTru/chuHoMoi/quanHeVoiChuHoCu", REQ, 50),
  { "/xoaThuongTru/thanhVienConLai", K_ARRAY, 0, 100, NULL, NULL },
  KIND ("/xoaThuongTru/thanhVienConLai/*/hoTen", K_NAME, REQ),
  KIND ("/xoaThuongTru/thanhVienConLai/*/soDinhDanh", K_PID12, REQ),
  TEXT ("/xoaThuongTru/thanhVienConLai/*/quanHeVoiChuHoMoi", REQ, 50),

  KIND ("/maiTang", K_OBJECT, REQ),
  ENUM ("/maiTang/doiTuong", REQ, FUNERAL_CATEGORY),
  KIND ("/maiTang/nguoiNhan", K_OBJECT, REQ),
  KIND ("/maiTang/nguoiNhan/hoTen", K_NAME, REQ),
  KIND ("/maiTang/nguoiNhan/ngaySinh", K_DATE, REQ | PAST),
  ENUM ("/maiTang/nguoiNhan/loaiGiayTo", REQ, ID_TYPE),
  IDNO ("/maiTang/nguoiNhan/soGiayTo", REQ, "/maiTang/nguoiNhan/loaiGiayTo"),
  KIND ("/maiTang/nguoiNhan/ngayCap", K_DATE, REQ | PAST),
  TEXT ("/maiTang/nguoiNhan/noiCap", REQ, 200),
  TEXT ("/maiTang/nguoiNhan/quanHe", REQ, 50),
  KIND ("/maiTang/nguoiNhan/soDienThoai", K_PHONE, 0),
  ENUM ("/maiTang/hinhThucNhan", REQ, PAYMENT),
  KIND ("/maiTang/taiKhoan", K_OBJECT, 0),
  KIND ("/maiTang/taiKhoan/soTaiKhoan", K_ACCOUNT, REQ),
  TEXT ("/maiTang/taiKhoan/nganHang", REQ, 100),
  KIND ("/maiTang/thoiGianMaiTang", K_DATE, REQ),
  TEXT ("/maiTang/diaDiemMaiTang", REQ, 250),
};

const MotcuaVRule *
motcua_vrules (MotcuaProcedure proc, gsize *n)
{
  *n = proc == MOTCUA_PROCEDURE_BIRTH ? G_N_ELEMENTS (birth_rules) : G_N_ELEMENTS (death_rules);
  return proc == MOTCUA_PROCEDURE_BIRTH ? birth_rules : death_rules;
}

/* ---- Helpers ------------------------------------------------------------------ */

static gboolean
present (MotcuaVCtx *ctx, const char *path)
{
  return !motcua_vnode_absent (motcua_vctx_node (ctx, path));
}

static void
require (MotcuaVCtx *ctx, const char *path)
{
  g_autofree char *parent = g_strndup (path, (gsize) (strrchr (path, '/') - path));
  JsonNode *p = parent[0] != '\0' ? motcua_vctx_node (ctx, parent) : ctx->root;

  if (p != NULL && JSON_NODE_HOLDS_OBJECT (p) && !present (ctx, path))
    motcua_vctx_error (ctx, path, "required", "Thiếu thông tin bắt buộc.");
}

static void
order (MotcuaVCtx *ctx, const char *earlier_path, gboolean e_ymd, const char *later_path,
       gboolean l_ymd, gboolean strict, const char *msg)
{
  GDate e, l;
  if (!motcua_vctx_date (ctx, earlier_path, e_ymd, &e) || !motcua_vctx_date (ctx, later_path, l_ymd, &l))
    return;
  if (g_date_compare (&l, &e) < 0 || (strict && g_date_compare (&l, &e) == 0))
    motcua_vctx_error (ctx, later_path, "consistency", msg);
}

static gboolean
string_is (MotcuaVCtx *ctx, const char *path, const char *value)
{
  const char *s = motcua_vctx_string (ctx, path);
  return s != NULL && g_str_equal (s, value);
}

guint
motcua_vrules_blocks (MotcuaVCtx *ctx, MotcuaProcedure proc)
{
  guint active = 0;
  if (proc != MOTCUA_PROCEDURE_BIRTH)
    return 0;
  JsonNode *ks = motcua_vctx_node (ctx, "/khaiSinh");
  if (!string_is (ctx, "/khaiSinh/nksLoaiKhaiSinh", "2") && !string_is (ctx, "/khaiSinh/nksLoaiKhaiSinh", "3"))
    active |= F_ME;
  if (ks != NULL && JSON_NODE_HOLDS_OBJECT (ks))
    {
      JsonObject *o = json_node_get_object (ks);
      g_autoptr (GList) names = json_object_get_members (o);
      for (GList *l = names; l != NULL; l = l->next)
        if ((g_str_has_prefix (l->data, "me") || g_str_has_prefix (l->data, "cha"))
            && !motcua_vnode_absent (json_object_get_member (o, l->data)))
          active |= g_str_has_prefix (l->data, "me") ? F_ME : F_CHA;
    }
  return active;
}

static void
birth_consistency (MotcuaVCtx *ctx)
{
  GDate birth;

  if (present (ctx, "/khaiSinh/maGCS"))
    require (ctx, "/khaiSinh/ngayCapGCS");
  else if (present (ctx, "/khaiSinh/ngayCapGCS"))
    require (ctx, "/khaiSinh/maGCS");
  order (ctx, "/khaiSinh/nksNgaySinh", FALSE, "/khaiSinh/ngayCapGCS", TRUE, FALSE,
         "Ngày cấp giấy chứng sinh không được trước ngày sinh.");
  order (ctx, "/khaiSinh/meNgaySinh", FALSE, "/khaiSinh/nksNgaySinh", FALSE, TRUE,
         "Ngày sinh của con phải sau ngày sinh của mẹ.");
  order (ctx, "/khaiSinh/chaNgaySinh", FALSE, "/khaiSinh/nksNgaySinh", FALSE, TRUE,
         "Ngày sinh của con phải sau ngày sinh của cha.");
  order (ctx, "/khaiSinh/nksNgaySinh", FALSE, "/ngayLap", FALSE, FALSE,
         "Ngày lập hồ sơ không được trước ngày sinh.");
  if (motcua_vctx_date (ctx, "/khaiSinh/nksNgaySinh", FALSE, &birth)
      && g_date_compare (&birth, &ctx->today) <= 0)
    {
      GDate six = birth;
      g_date_add_years (&six, 6);
      if (g_date_compare (&ctx->today, &six) >= 0)
        motcua_vctx_error (ctx, "/khaiSinh/nksNgaySinh", "consistency",
                           "Trẻ đã đủ 6 tuổi: không thuộc diện cấp thẻ BHYT trẻ dưới 6 tuổi của nhóm thủ tục này.");
    }
  if (string_is (ctx, "/bhyt/phuongThucNhanThe", "2"))
    require (ctx, "/bhyt/diaChiNhanThe");
}

static gboolean
node_bool (JsonNode *n)
{
  return n != NULL && JSON_NODE_HOLDS_VALUE (n) && json_node_get_value_type (n) == G_TYPE_BOOLEAN
         && json_node_get_boolean (n);
}

static gint64
node_count (JsonNode *n)
{
  if (n != NULL && JSON_NODE_HOLDS_VALUE (n) && json_node_get_value_type (n) == G_TYPE_INT64)
    return json_node_get_int (n);
  return -1;
}

/* The household left behind: the members' list (when given) counts
 * soThanhVienConLai and holds the new head. */
static void
members_consistency (MotcuaVCtx *ctx)
{
  JsonNode *list = motcua_vctx_node (ctx, "/xoaThuongTru/thanhVienConLai");
  gint64 count = node_count (motcua_vctx_node (ctx, "/xoaThuongTru/soThanhVienConLai"));
  const char *new_head = motcua_vctx_string (ctx, "/xoaThuongTru/chuHoMoi/soDinhDanh");

  if (list == NULL || !JSON_NODE_HOLDS_ARRAY (list))
    return;
  JsonArray *a = json_node_get_array (list);
  guint len = json_array_get_length (a);
  if (count >= 0 && count <= 100 && (gint64) len != count)
    motcua_vctx_error (ctx, "/xoaThuongTru/thanhVienConLai", "consistency",
                       "Số người trong danh sách thành viên phải bằng số thành viên còn lại.");
  if (new_head == NULL)
    return;
  for (guint i = 0; i < len; i++)
    {
      JsonNode *e = json_array_get_element (a, i);
      JsonNode *id = JSON_NODE_HOLDS_OBJECT (e) ? json_object_get_member (json_node_get_object (e), "soDinhDanh") : NULL;
      if (id != NULL && motcua_vnode_is_string (id) && g_str_equal (json_node_get_string (id), new_head))
        return;
    }
  motcua_vctx_error (ctx, "/xoaThuongTru/chuHoMoi/soDinhDanh", "consistency",
                     "Chủ hộ mới phải là một trong các thành viên còn lại của hộ.");
}

static void
death_consistency (MotcuaVCtx *ctx)
{
  const char *new_head = motcua_vctx_string (ctx, "/xoaThuongTru/chuHoMoi/soDinhDanh");
  const char *deceased = motcua_vctx_string (ctx, "/khaiTu/nktSoGiayToTuyThan");

  if (present (ctx, "/khaiTu/maGBT"))
    require (ctx, "/khaiTu/ngayCapGBT");
  else
    {
      if (present (ctx, "/khaiTu/ngayCapGBT"))
        require (ctx, "/khaiTu/maGBT");
      require (ctx, "/khaiTu/gbtLoai");
      require (ctx, "/khaiTu/gbtSo");
      require (ctx, "/khaiTu/gbtNgay");
      require (ctx, "/khaiTu/gbtCoQuanCap");
    }
  order (ctx, "/khaiTu/nktNgaySinh", FALSE, "/khaiTu/nktNgayChet", FALSE, FALSE,
         "Ngày chết không được trước ngày sinh.");
  order (ctx, "/khaiTu/nktNgayChet", FALSE, "/khaiTu/ngayCapGBT", TRUE, FALSE,
         "Ngày cấp giấy báo tử không được trước ngày chết.");
  order (ctx, "/khaiTu/nktNgayChet", FALSE, "/khaiTu/gbtNgay", FALSE, FALSE,
         "Ngày của giấy báo tử không được trước ngày chết.");
  order (ctx, "/khaiTu/nktNgayChet", FALSE, "/maiTang/thoiGianMaiTang", FALSE, FALSE,
         "Ngày mai táng không được trước ngày chết.");
  order (ctx, "/khaiTu/nktNgayChet", FALSE, "/ngayLap", FALSE, FALSE,
         "Ngày lập hồ sơ không được trước ngày chết.");

  gboolean head = node_bool (motcua_vctx_node (ctx, "/xoaThuongTru/laChuHo"));
  gint64 left = node_count (motcua_vctx_node (ctx, "/xoaThuongTru/soThanhVienConLai"));
  if (present (ctx, "/xoaThuongTru/chuHoMoi") && (!head || left <= 0))
    motcua_vctx_error (ctx, "/xoaThuongTru/chuHoMoi", "consistency",
                       "Chỉ khai chủ hộ mới khi người chết là chủ hộ và hộ còn thành viên.");
  if (new_head != NULL && deceased != NULL && g_str_equal (new_head, deceased))
    motcua_vctx_error (ctx, "/xoaThuongTru/chuHoMoi/soDinhDanh", "consistency",
                       "Chủ hộ mới không thể là người đã chết.");
  members_consistency (ctx);
  /* Accepted by the service, but the residence office will ask for a
   * supplement (protocol-dossiers.md §6.2): tell the clerk now. */
  if (head && left > 0 && !present (ctx, "/xoaThuongTru/chuHoMoi"))
    motcua_vctx_warn (ctx, "/xoaThuongTru/chuHoMoi", "household.no_new_head",
                      "Người chết là chủ hộ, hộ còn thành viên nhưng chưa có chủ hộ mới: "
                      "cơ quan cư trú sẽ yêu cầu bổ sung.");

  if (string_is (ctx, "/maiTang/hinhThucNhan", "CHUYEN_KHOAN"))
    require (ctx, "/maiTang/taiKhoan");
}

void
motcua_vrules_consistency (MotcuaVCtx *ctx, MotcuaProcedure proc)
{
  if (proc == MOTCUA_PROCEDURE_BIRTH)
    birth_consistency (ctx);
  else
    death_consistency (ctx);
}
