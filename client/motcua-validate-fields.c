/* motcua-validate-fields.c — one check per field kind (names, dates,
 * codes, identity numbers, phones, addresses …), each reporting an ERROR
 * with the service's field code.  See docs/protocol-dossiers.md §3. */
#define G_LOG_DOMAIN "motcua-validate"

#include "motcua-validate-private.h"
#include "motcua-units-private.h"

#include <string.h>

#define MSG_REQUIRED   "Thiếu thông tin bắt buộc."
#define MSG_T_STRING   "Giá trị phải là chuỗi ký tự."
#define MSG_NFC        "Chuỗi phải ở dạng Unicode dựng sẵn (NFC, TCVN 6909:2001), đúng như trên giấy tờ."
#define MSG_UTF8       "Chuỗi không phải UTF-8 hợp lệ."
#define MSG_CONTROL    "Chuỗi không được chứa ký tự điều khiển (xuống dòng, tab…)."
#define MSG_FUTURE     "Ngày không được sau ngày hôm nay."
#define MSG_YEAR       "Năm phải từ 1900 trở đi."

static void
error_at (MotcuaVCtx *ctx, const char *path, const char *member, const char *code, const char *msg)
{
  g_autofree char *p = g_strconcat (path, "/", member, NULL);
  motcua_vctx_error (ctx, p, code, msg);
}

/* ---- Small format predicates ------------------------------------------------- */

static gboolean
digits (const char *s, gsize n)
{
  for (gsize i = 0; i < n; i++)
    if (!g_ascii_isdigit (s[i]))
      return FALSE;
  return TRUE;
}

static gboolean
all_digits (const char *s, gsize min, gsize max)
{
  gsize n = strlen (s);
  return n >= min && n <= max && digits (s, n);
}

static gboolean
upper_alnum (const char *s, gsize min, gsize max)
{
  gsize n = strlen (s);
  if (n < min || n > max)
    return FALSE;
  for (gsize i = 0; i < n; i++)
    if (!g_ascii_isdigit (s[i]) && !(s[i] >= 'A' && s[i] <= 'Z'))
      return FALSE;
  return TRUE;
}

static guint
num (const char *s, gsize n)
{
  guint v = 0;
  for (gsize i = 0; i < n; i++)
    v = v * 10 + (guint) (s[i] - '0');
  return v;
}

static gboolean
make_date (guint d, guint m, guint y, GDate *out)
{
  if (y < 1 || y > 9999 || !g_date_valid_dmy ((GDateDay) d, (GDateMonth) m, (GDateYear) y))
    return FALSE;
  g_date_clear (out, 1);
  g_date_set_dmy (out, (GDateDay) d, (GDateMonth) m, (GDateYear) y);
  return TRUE;
}

gboolean
motcua_vparse_dmy (const char *s, GDate *out)
{
  if (strlen (s) != 10 || s[2] != '.' || s[5] != '.' || !digits (s, 2) || !digits (s + 3, 2)
      || !digits (s + 6, 4))
    return FALSE;
  return make_date (num (s, 2), num (s + 3, 2), num (s + 6, 4), out);
}

gboolean
motcua_vparse_ymd (const char *s, GDate *out)
{
  if (strlen (s) != 8 || !digits (s, 8))
    return FALSE;
  return make_date (num (s + 6, 2), num (s + 4, 2), num (s, 4), out);
}

static gboolean
phone_ok (const char *s)
{
  gsize n = strlen (s);
  if (s[0] == '0')
    return (n == 10 || n == 11) && digits (s, n);
  if (g_str_has_prefix (s, "+84"))
    return (n == 12 || n == 13) && s[3] != '0' && digits (s + 3, n - 3);
  return FALSE;
}

/* The protocol's e-mail form is ASCII only; motcua_fields_check_email()
 * takes the rest. */
static gboolean
email_ok (const char *s)
{
  for (const char *p = s; *p; p++)
    if ((guchar) *p >= 0x80)
      return FALSE;
  const char *at = strchr (s, '@');
  if (at == NULL || strchr (at + 1, '@') != NULL)
    return FALSE;
  for (const char *p = s; p < at; p++)
    if (!g_ascii_isalnum (*p) && strchr (".%+-_", *p) == NULL)
      return FALSE;
  const char *tld = strrchr (at, '.');
  if (tld == NULL || strlen (tld + 1) < 2)
    return FALSE;
  for (const char *p = tld + 1; *p; p++)
    if (!g_ascii_isalpha (*p))
      return FALSE;
  for (const char *p = at + 1; *p; p++)
    if (!g_ascii_isalnum (*p) && *p != '-' && *p != '.')
      return FALSE;
  return motcua_fields_check_email (s, NULL, NULL);
}

static gboolean
doc_code_ok (const char *s, const char *tag)
{
  g_auto (GStrv) p = g_strsplit (s, ".", -1);
  return g_strv_length (p) == 4 && all_digits (p[0], 1, 10) && g_str_equal (p[1], tag)
         && upper_alnum (p[2], 5, 5) && all_digits (p[3], 2, 2);
}

/* ---- Value checks -------------------------------------------------------------- */

static gboolean
check_text (MotcuaVCtx *ctx, const char *path, const char *s, guint max)
{
  if (!g_utf8_validate (s, -1, NULL))
    {
      motcua_vctx_error (ctx, path, "format", MSG_UTF8);
      return FALSE;
    }
  for (const char *p = s; *p != '\0'; p = g_utf8_next_char (p))
    if (g_unichar_iscntrl (g_utf8_get_char (p)))
      {
        motcua_vctx_error (ctx, path, "format", MSG_CONTROL);
        return FALSE;
      }
  g_autofree char *nfc = g_utf8_normalize (s, -1, G_NORMALIZE_NFC);
  if (nfc == NULL || !g_str_equal (nfc, s))
    {
      motcua_vctx_error (ctx, path, "format", MSG_NFC);
      return FALSE;
    }
  if (max > 0 && (guint) g_utf8_strlen (s, -1) > max)
    {
      g_autofree char *m = g_strdup_printf ("Dài quá %u ký tự.", max);
      motcua_vctx_error (ctx, path, "length", m);
      return FALSE;
    }
  return TRUE;
}

static void
check_name (MotcuaVCtx *ctx, const char *path, const char *s)
{
  gsize n = strlen (s);
  if (!check_text (ctx, path, s, 100))
    return;
  if (s[0] == ' ' || s[n - 1] == ' ' || strstr (s, "  ") != NULL)
    {
      motcua_vctx_error (ctx, path, "format",
                         "Họ tên không được có dấu cách ở đầu, ở cuối hay hai dấu cách liền nhau.");
      return;
    }
  for (const char *p = s; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      if (c != ' ' && c != '\'' && !g_unichar_isalpha (c))
        {
          motcua_vctx_error (ctx, path, "format",
                             "Họ tên chỉ gồm chữ cái, dấu cách và dấu nháy đơn (').");
          return;
        }
    }
}

static void
check_date (MotcuaVCtx *ctx, const MotcuaVRule *r, const char *path, const char *s)
{
  GDate d;
  gboolean ymd = r->kind == K_DATE_YMD;

  if (!(ymd ? motcua_vparse_ymd (s, &d) : motcua_vparse_dmy (s, &d)))
    motcua_vctx_error (ctx, path, "format",
                       ymd ? "Ngày phải theo dạng yyyyMMdd (ví dụ 20261110) và là ngày có thật."
                           : "Ngày phải theo dạng dd.MM.yyyy (ví dụ 09.11.2026) và là ngày có thật.");
  else if (g_date_get_year (&d) < 1900)
    motcua_vctx_error (ctx, path, "range", MSG_YEAR);
  else if ((r->flags & F_PAST) && g_date_compare (&d, &ctx->today) > 0)
    motcua_vctx_error (ctx, path, "range", MSG_FUTURE);
}

static void
check_enum (MotcuaVCtx *ctx, const MotcuaVRule *r, const char *path, const char *s)
{
  if (g_strv_contains (r->values, s))
    return;
  g_autofree char *list = g_strjoinv (", ", (char **) r->values);
  g_autofree char *msg = g_strdup_printf ("Giá trị không có trong danh mục (cho phép: %s).", list);
  motcua_vctx_error (ctx, path, "code_list", msg);
}

static void
check_id_number (MotcuaVCtx *ctx, const MotcuaVRule *r, const char *path, const char *s)
{
  const char *type = motcua_vctx_string (ctx, r->aux);

  if (type != NULL && (g_str_equal (type, "1") || g_str_equal (type, "4")))
    {
      if (!all_digits (s, 12, 12))
        motcua_vctx_error (ctx, path, "format",
                           "Số CCCD / số định danh cá nhân phải gồm đúng 12 chữ số.");
    }
  else if (type != NULL && g_str_equal (type, "2"))
    {
      if (!all_digits (s, 9, 9) && !all_digits (s, 12, 12))
        motcua_vctx_error (ctx, path, "format", "Số CMND phải gồm 9 hoặc 12 chữ số.");
    }
  else if (!upper_alnum (s, 6, 20))
    motcua_vctx_error (ctx, path, "format",
                       "Số giấy tờ gồm 6–20 chữ số hoặc chữ in hoa, không có dấu cách.");
}

static void
check_code (MotcuaVCtx *ctx, const char *path, gboolean shape, gboolean known,
            const char *fmt_msg, const char *list_msg)
{
  if (!shape)
    motcua_vctx_error (ctx, path, "format", fmt_msg);
  else if (!known)
    motcua_vctx_error (ctx, path, "code_list", list_msg);
}

static gboolean
commune_known (MotcuaVCtx *ctx, const char *s)
{
  return ctx->units == NULL || motcua_units_commune (ctx->units, s) != NULL;
}

void
motcua_vcheck_value (MotcuaVCtx *ctx, const MotcuaVRule *r, const char *path, const char *s)
{
  switch (r->kind)
    {
    case K_NAME: check_name (ctx, path, s); break;
    case K_TEXT: check_text (ctx, path, s, r->max); break;
    case K_DATE:
    case K_DATE_YMD: check_date (ctx, r, path, s); break;
    case K_TIME:
      if (strlen (s) != 5 || s[2] != ':' || !digits (s, 2) || !digits (s + 3, 2)
          || num (s, 2) > 23 || num (s + 3, 2) > 59)
        motcua_vctx_error (ctx, path, "format", "Giờ phải theo dạng HH:mm (ví dụ 14:30).");
      break;
    case K_ENUM: check_enum (ctx, r, path, s); break;
    case K_ID_NUMBER: check_id_number (ctx, r, path, s); break;
    case K_PID12:
      if (!all_digits (s, 12, 12))
        motcua_vctx_error (ctx, path, "format", "Số định danh cá nhân phải gồm đúng 12 chữ số.");
      break;
    case K_ETHNIC:
      check_code (ctx, path, all_digits (s, 2, 2),
                  ctx->codes == NULL || motcua_codes_has_ethnicity (ctx->codes, s),
                  "Mã dân tộc gồm 2 chữ số (ví dụ 01 Kinh).",
                  "Mã dân tộc không có trong danh mục dân tộc Việt Nam.");
      break;
    case K_NATION:
      check_code (ctx, path, strlen (s) == 2 && g_ascii_isupper (s[0]) && g_ascii_isupper (s[1]),
                  ctx->codes == NULL || motcua_codes_has_nationality (ctx->codes, s),
                  "Mã quốc tịch gồm 2 chữ in hoa theo ISO 3166-1 (ví dụ VN).",
                  "Mã quốc tịch không có trong danh mục.");
      break;
    case K_PHONE:
      if (!phone_ok (s))
        motcua_vctx_error (ctx, path, "format",
                           "Số điện thoại gồm 10–11 chữ số bắt đầu bằng 0, hoặc +84 và 9–10 chữ số, "
                           "không có dấu cách.");
      break;
    case K_EMAIL:
      if (!email_ok (s))
        motcua_vctx_error (ctx, path, "format", "Địa chỉ thư điện tử không hợp lệ.");
      break;
    case K_COMMUNE:
      check_code (ctx, path, all_digits (s, 5, 5), commune_known (ctx, s),
                  "Mã xã/phường gồm 5 chữ số.",
                  "Mã xã/phường không có trong danh mục đơn vị hành chính từ 01/07/2025.");
      break;
    case K_COPIES:
      {
        g_autofree char *msg = g_strdup_printf ("Số lượng phải là số từ 0 đến %u.", r->max);
        if (!all_digits (s, 1, 3))
          motcua_vctx_error (ctx, path, "format", msg);
        else if (num (s, strlen (s)) > r->max)
          motcua_vctx_error (ctx, path, "range", msg);
      }
      break;
    case K_MAGCS:
    case K_MAGBT:
      if (!doc_code_ok (s, r->kind == K_MAGCS ? "GCS" : "GBT"))
        motcua_vctx_error (ctx, path, "format",
                           r->kind == K_MAGCS
                             ? "Mã giấy chứng sinh phải có dạng <số>.GCS.<mã cơ sở 5 ký tự>.<2 số cuối năm>."
                             : "Mã giấy báo tử phải có dạng <số>.GBT.<mã cơ sở 5 ký tự>.<2 số cuối năm>.");
      break;
    case K_FACILITY:
      if (!upper_alnum (s, 5, 5))
        motcua_vctx_error (ctx, path, "format",
                           "Mã cơ sở khám bệnh, chữa bệnh gồm 5 chữ số hoặc chữ in hoa.");
      break;
    case K_ACCOUNT:
      if (!all_digits (s, 6, 20))
        motcua_vctx_error (ctx, path, "format", "Số tài khoản gồm 6–20 chữ số, không có dấu cách.");
      break;
    default:
      break;
    }
}

/* ---- Addresses {maTinh, maHuyen?, maXa, dcChiTiet} ---------------------------- */

static const char *
member_string (MotcuaVCtx *ctx, const char *path, JsonObject *o, const char *name, gboolean required)
{
  JsonNode *n = json_object_get_member (o, name);
  if (motcua_vnode_absent (n))
    {
      if (required)
        error_at (ctx, path, name, "required", MSG_REQUIRED);
      return NULL;
    }
  if (!motcua_vnode_is_string (n))
    {
      error_at (ctx, path, name, "type", MSG_T_STRING);
      return NULL;
    }
  return json_node_get_string (n);
}

void
motcua_vcheck_address (MotcuaVCtx *ctx, const char *path, JsonObject *o, gboolean full)
{
  const char *tinh = member_string (ctx, path, o, "maTinh", TRUE);
  const char *huyen = member_string (ctx, path, o, "maHuyen", FALSE);
  const char *xa = member_string (ctx, path, o, "maXa", full);
  const char *dc = member_string (ctx, path, o, "dcChiTiet", full);
  g_autofree char *p_tinh = g_strconcat (path, "/maTinh", NULL);
  g_autofree char *p_huyen = g_strconcat (path, "/maHuyen", NULL);
  g_autofree char *p_xa = g_strconcat (path, "/maXa", NULL);
  g_autofree char *p_dc = g_strconcat (path, "/dcChiTiet", NULL);
  const char *xa_province = NULL;
  const MotcuaUnits *u = ctx->units;

  if (tinh != NULL)
    {
      gboolean known = u == NULL || motcua_units_province_name (u, tinh) != NULL;
      check_code (ctx, p_tinh, all_digits (tinh, 2, 2), known,
                  "Mã tỉnh/thành phố gồm 2 chữ số.",
                  "Mã tỉnh/thành phố không có trong danh mục 34 tỉnh, thành phố từ 01/07/2025.");
      if (!all_digits (tinh, 2, 2) || !known)
        tinh = NULL;
    }
  if (xa != NULL)
    {
      const MotcuaUnitsCommune *c = (all_digits (xa, 5, 5) && u) ? motcua_units_commune (u, xa) : NULL;
      xa_province = c ? c->province_code : NULL;
      check_code (ctx, p_xa, all_digits (xa, 5, 5), u == NULL || c != NULL,
                  "Mã xã/phường gồm 5 chữ số.",
                  "Mã xã/phường không có trong danh mục đơn vị hành chính từ 01/07/2025.");
      if (xa_province != NULL && tinh != NULL && !g_str_equal (xa_province, tinh))
        motcua_vctx_error (ctx, p_xa, "consistency", "Xã/phường không thuộc tỉnh/thành phố đã ghi.");
    }
  if (huyen != NULL)
    {
      gboolean shape = all_digits (huyen, 3, 3);
      gboolean known = shape && (u == NULL || motcua_units_legacy_district_known (u, huyen));
      check_code (ctx, p_huyen, shape, known, "Mã quận/huyện (cũ) gồm 3 chữ số.",
                  "Mã quận/huyện (cũ) không có trong danh mục trước 01/07/2025.");
      if (known && u != NULL && xa_province != NULL && !motcua_units_legacy_pair (u, huyen, xa))
        motcua_vctx_error (ctx, p_huyen, "consistency",
                           "Xã/phường (từ 01/07/2025) không được hình thành từ xã nào của quận/huyện (cũ) này.");
    }
  if (dc != NULL)
    check_text (ctx, p_dc, dc, 250);
}
