/* refsvc-dossier-rules.c — the birth and death groups: tables and
 * consistency rules (docs/protocol-dossiers.md §3–§5 say the same)
 *
 * Field names follow the national records (HoTichKhaiSinh, HoTichKhaiTu;
 * ../shared/data/formats/lienthong-json.md); the residence, health-card and
 * funeral parts are the project's own (the national forms are unconfirmed).
 * Code lists marked "project" below are the project's definitions. */
#define G_LOG_DOMAIN "refsvc-dossier"

#include <string.h>

#include "refsvc-dossier-private.h"

/* ---- Value lists ------------------------------------------------------- */

static const char *const GENDER[] = { "1", "2", "3", NULL };          /* Nam, Nữ, chưa xác định */
static const char *const ID_TYPE[] = { "1", "2", "3", "4", NULL };    /* CCCD, CMND, hộ chiếu, ĐDCN */
static const char *const YES_NO[] = { "0", "1", NULL };
/* project: 1 đúng hạn, 2 quá hạn, 3 đăng ký lại */
static const char *const REG_TYPE[] = { "1", "2", "3", NULL };
/* project: 1 thường trú, 2 tạm trú, 3 nơi ở hiện tại */
static const char *const RESIDENCE_TYPE[] = { "1", "2", "3", NULL };
/* project: 1 thông thường, 2 trẻ bị bỏ rơi, 3 chưa xác định được mẹ, 4 mang thai hộ */
static const char *const BIRTH_KIND[] = { "1", "2", "3", "4", NULL };
static const char *const CARD_DELIVERY[] = { "1", "2", NULL };        /* tại xã, qua bưu điện */
/* project: 1 bảo trợ xã hội, 2 người có công, 3 cựu chiến binh…, 4 khác */
static const char *const FUNERAL_CATEGORY[] = { "1", "2", "3", "4", NULL };
static const char *const PAYMENT[] = { "TIEN_MAT", "CHUYEN_KHOAN", NULL };

#define REQ F_REQ
#define PAST F_PAST
#define TEXT(p, f, m) { p, K_TEXT, f, m, NULL, NULL }
#define ENUM(p, f, v) { p, K_ENUM, f, 0, v, NULL }
#define IDNO(p, f, t) { p, K_ID_NUMBER, f, 0, NULL, t }
#define KIND(p, k, f) { p, k, f, 0, NULL, NULL }

/* Fields common to both groups, at the payload root. */
#define ROOT_RULES \
  KIND ("/maDonViTiepNhan", K_COMMUNE, REQ), \
  KIND ("/ngayLap", K_DATE, REQ | PAST)

/* The requester (người yêu cầu), same names in KhaiSinh and KhaiTu. */
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

/* A parent (me… / cha…) of the child; b = F_ME or F_CHA. */
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

static const refsvc_rule birth_rules[] = {
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

static const refsvc_rule death_rules[] = {
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
  { "/xoaThuongTru/thanhVienConLai", K_MEMBERS, 0, 100, NULL, NULL },

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

/* ---- Helpers for the consistency rules --------------------------------- */

static gboolean
present (refsvc_vctx *ctx, const char *path)
{
  return !refsvc_node_absent (refsvc_vctx_node (ctx, path));
}

/* Conditionally required: reported only inside a parent object that is
 * there (a missing parent is reported by its own rule). */
static void
require (refsvc_vctx *ctx, const char *path)
{
  g_autofree char *parent = g_strndup (path, (gsize) (strrchr (path, '/') - path));
  JsonNode *p = parent[0] != '\0' ? refsvc_vctx_node (ctx, parent) : ctx->root;

  if (p != NULL && JSON_NODE_HOLDS_OBJECT (p) && !present (ctx, path))
    refsvc_vctx_add (ctx, path, "required", "Thiếu thông tin bắt buộc.");
}

/* Reports at later_path when both dates are valid and later < earlier
 * (or ≤ when strict). */
static void
order (refsvc_vctx *ctx, const char *earlier_path, gboolean e_ymd,
       const char *later_path, gboolean l_ymd, gboolean strict, const char *msg)
{
  GDate e, l;

  if (!refsvc_vctx_date (ctx, earlier_path, e_ymd, &e) || !refsvc_vctx_date (ctx, later_path, l_ymd, &l))
    return;
  if (g_date_compare (&l, &e) < 0 || (strict && g_date_compare (&l, &e) == 0))
    refsvc_vctx_add (ctx, later_path, "consistency", msg);
}

static gboolean
string_is (refsvc_vctx *ctx, const char *path, const char *value)
{
  const char *s = refsvc_vctx_string (ctx, path);

  return s != NULL && g_str_equal (s, value);
}

/* Blocks whose REQ rules apply: the mother unless the child was abandoned
 * or the mother is unknown (nksLoaiKhaiSinh 2/3); the father as soon as
 * any cha… member is given. */
static guint
birth_blocks (refsvc_vctx *ctx)
{
  guint active = 0;
  JsonNode *ks = refsvc_vctx_node (ctx, "/khaiSinh");

  if (!string_is (ctx, "/khaiSinh/nksLoaiKhaiSinh", "2") && !string_is (ctx, "/khaiSinh/nksLoaiKhaiSinh", "3"))
    active |= F_ME;
  if (ks != NULL && JSON_NODE_HOLDS_OBJECT (ks))
    {
      g_autoptr (GList) names = json_object_get_members (json_node_get_object (ks));
      for (GList *l = names; l != NULL; l = l->next)
        if (g_str_has_prefix (l->data, "me") || g_str_has_prefix (l->data, "cha"))
          if (!refsvc_node_absent (json_object_get_member (json_node_get_object (ks), l->data)))
            active |= g_str_has_prefix (l->data, "me") ? F_ME : F_CHA;
    }
  return active;
}

static void
birth_consistency (refsvc_vctx *ctx)
{
  GDate birth;

  /* The electronic birth certificate: code and date go together. */
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

  /* The health-insurance part is for children under 6 on the day the
   * dossier is checked. */
  if (refsvc_vctx_date (ctx, "/khaiSinh/nksNgaySinh", FALSE, &birth)
      && g_date_compare (&birth, &ctx->today) <= 0)
    {
      GDate six = birth;
      g_date_add_years (&six, 6);
      if (g_date_compare (&ctx->today, &six) >= 0)
        refsvc_vctx_add (ctx, "/khaiSinh/nksNgaySinh", "consistency",
                         "Trẻ đã đủ 6 tuổi: không thuộc diện cấp thẻ BHYT trẻ dưới 6 tuổi của nhóm thủ tục này.");
    }

  if (string_is (ctx, "/bhyt/phuongThucNhanThe", "2"))
    require (ctx, "/bhyt/diaChiNhanThe");
}

static void members_consistency (refsvc_vctx *ctx, JsonNode *con_lai, const char *new_head);

static void
death_consistency (refsvc_vctx *ctx)
{
  JsonNode *la_chu_ho = refsvc_vctx_node (ctx, "/xoaThuongTru/laChuHo");
  JsonNode *con_lai = refsvc_vctx_node (ctx, "/xoaThuongTru/soThanhVienConLai");
  const char *new_head = refsvc_vctx_string (ctx, "/xoaThuongTru/chuHoMoi/soDinhDanh");
  const char *deceased = refsvc_vctx_string (ctx, "/khaiTu/nktSoGiayToTuyThan");

  /* The death notice: the hospital's electronic one (code + date), or the
   * details of a paper one. */
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

  /* A new head of household only makes sense for a head who leaves
   * members behind.  A head with members and NO new head is valid: the
   * residence office asks for a supplement (protocol-dossiers.md §4). */
  if (present (ctx, "/xoaThuongTru/chuHoMoi"))
    {
      gboolean head = la_chu_ho != NULL && JSON_NODE_HOLDS_VALUE (la_chu_ho)
                      && json_node_get_value_type (la_chu_ho) == G_TYPE_BOOLEAN
                      && json_node_get_boolean (la_chu_ho);
      gboolean members = con_lai != NULL && JSON_NODE_HOLDS_VALUE (con_lai)
                         && json_node_get_value_type (con_lai) == G_TYPE_INT64
                         && json_node_get_int (con_lai) > 0;
      if (!head || !members)
        refsvc_vctx_add (ctx, "/xoaThuongTru/chuHoMoi", "consistency",
                         "Chỉ khai chủ hộ mới khi người chết là chủ hộ và hộ còn thành viên.");
    }
  if (new_head != NULL && deceased != NULL && g_str_equal (new_head, deceased))
    refsvc_vctx_add (ctx, "/xoaThuongTru/chuHoMoi/soDinhDanh", "consistency",
                     "Chủ hộ mới không thể là người đã chết.");
  members_consistency (ctx, con_lai, new_head);

  if (string_is (ctx, "/maiTang/hinhThucNhan", "CHUYEN_KHOAN"))
    require (ctx, "/maiTang/taiKhoan");
}

/* ---- The remaining household members (§6.2) ----------------------------- */

void
refsvc_check_members (refsvc_vctx *ctx, const refsvc_rule *r, JsonArray *a)
{
  static const refsvc_rule member_rules[] = {
    KIND ("hoTen", K_NAME, REQ),
    KIND ("soDinhDanh", K_PID12, REQ),
    TEXT ("quanHeVoiChuHoMoi", REQ, 50),
  };
  guint len = json_array_get_length (a);

  if (len > r->max)
    {
      g_autofree char *m = g_strdup_printf ("Tối đa %u thành viên.", r->max);
      refsvc_vctx_add (ctx, r->path, "range", m);
      return;
    }
  for (guint i = 0; i < len; i++)
    {
      JsonNode *e = json_array_get_element (a, i);
      g_autofree char *ep = g_strdup_printf ("%s/%u", r->path, i);
      JsonObject *o;

      if (!JSON_NODE_HOLDS_OBJECT (e))
        {
          refsvc_vctx_add (ctx, ep, "type", "Giá trị phải là một đối tượng JSON.");
          continue;
        }
      o = json_node_get_object (e);
      for (gsize k = 0; k < G_N_ELEMENTS (member_rules); k++)
        {
          g_autofree char *mp = g_strconcat (ep, "/", member_rules[k].path, NULL);
          refsvc_rule mr = member_rules[k];
          JsonNode *m = json_object_get_member (o, member_rules[k].path);

          mr.path = mp;
          if (refsvc_node_absent (m))
            refsvc_vctx_add (ctx, mp, "required", "Thiếu thông tin bắt buộc.");
          else if (!refsvc_node_is_string (m))
            refsvc_vctx_add (ctx, mp, "type", "Giá trị phải là chuỗi ký tự.");
          else
            refsvc_check_value (ctx, &mr, json_node_get_string (m));
        }
      g_autoptr (GList) names = json_object_get_members (o);
      for (GList *l = names; l != NULL; l = l->next)
        if (!g_str_equal (l->data, "hoTen") && !g_str_equal (l->data, "soDinhDanh")
            && !g_str_equal (l->data, "quanHeVoiChuHoMoi"))
          {
            g_autofree char *valid = g_utf8_make_valid (l->data, -1);
            g_autoptr (GString) mp = g_string_new (ep);
            g_string_append_c (mp, '/');
            for (const char *p = valid; *p != '\0'; p++)
              if (*p == '~')
                g_string_append (mp, "~0");
              else if (*p == '/')
                g_string_append (mp, "~1");
              else
                g_string_append_c (mp, *p);
            refsvc_vctx_add (ctx, mp->str, "unknown",
                             "Trường này không có trong hợp đồng dữ liệu (sai tên trường?).");
          }
    }
}

/* The list, when given, counts soThanhVienConLai and holds the new head. */
static void
members_consistency (refsvc_vctx *ctx, JsonNode *con_lai, const char *new_head)
{
  JsonNode *list = refsvc_vctx_node (ctx, "/xoaThuongTru/thanhVienConLai");
  JsonArray *a;
  guint len;

  if (list == NULL || !JSON_NODE_HOLDS_ARRAY (list))
    return;
  a = json_node_get_array (list);
  len = json_array_get_length (a);
  if (con_lai != NULL && JSON_NODE_HOLDS_VALUE (con_lai)
      && json_node_get_value_type (con_lai) == G_TYPE_INT64
      && json_node_get_int (con_lai) >= 0 && json_node_get_int (con_lai) <= 100
      && json_node_get_int (con_lai) != (gint64) len)
    refsvc_vctx_add (ctx, "/xoaThuongTru/thanhVienConLai", "consistency",
                     "Số người trong danh sách thành viên phải bằng số thành viên còn lại.");
  if (new_head == NULL)
    return;
  for (guint i = 0; i < len; i++)
    {
      JsonNode *e = json_array_get_element (a, i);
      JsonNode *id = JSON_NODE_HOLDS_OBJECT (e)
                     ? json_object_get_member (json_node_get_object (e), "soDinhDanh") : NULL;
      if (id != NULL && refsvc_node_is_string (id) && g_str_equal (json_node_get_string (id), new_head))
        return;
    }
  refsvc_vctx_add (ctx, "/xoaThuongTru/chuHoMoi/soDinhDanh", "consistency",
                   "Chủ hộ mới phải là một trong các thành viên còn lại của hộ.");
}

void
refsvc_rules_check (refsvc_vctx *ctx, refsvc_procedure proc)
{
  const refsvc_rule *rules = proc == REFSVC_BIRTH ? birth_rules : death_rules;
  gsize n = proc == REFSVC_BIRTH ? G_N_ELEMENTS (birth_rules) : G_N_ELEMENTS (death_rules);

  ctx->active = proc == REFSVC_BIRTH ? birth_blocks (ctx) : 0;
  refsvc_walk_rules (ctx, rules, n);
  refsvc_walk_unknown (ctx, rules, n);
  if (proc == REFSVC_BIRTH)
    birth_consistency (ctx);
  else
    death_consistency (ctx);
}
