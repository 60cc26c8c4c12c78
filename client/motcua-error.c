/* motcua-error.c — the client's error codes, names and messages */
#define G_LOG_DOMAIN "motcua-error"

#include <glib/gi18n.h>

#include "motcua-error.h"

G_DEFINE_QUARK (motcua-error-quark, motcua_error)

typedef struct {
  int code;
  const char *name;
  const char *message;
} ErrorInfo;

static const ErrorInfo errors[] = {
  { MOTCUA_ERROR_FAILED, "failed", N_("Lỗi nội bộ (internal error)") },
  { MOTCUA_ERROR_CONFIG, "config", N_("Cấu hình thiếu hoặc sai (bad configuration)") },
  { MOTCUA_ERROR_IO, "io", N_("Không đọc/ghi được tệp (file error)") },
  { MOTCUA_ERROR_DOSSIER_FORMAT, "dossier.format", N_("Tệp hồ sơ không đúng định dạng (malformed dossier file)") },
  { MOTCUA_ERROR_DOSSIER_INVALID, "dossier.invalid", N_("Hồ sơ còn lỗi, chưa gửi được (the dossier has errors)") },
  { MOTCUA_ERROR_CARD_NOT_GENUINE, "card.not_genuine", N_("Thẻ không xác thực được là thẻ thật, không dùng để điền hồ sơ (card FAILED verification)") },
  { MOTCUA_ERROR_DOCUMENT_NOT_FOUND, "document.not_found", N_("Không tìm thấy giấy tờ theo mã đã nhập (no document with that code)") },
  { MOTCUA_ERROR_DOCUMENT_FORMAT, "document.format", N_("Giấy tờ điện tử không đúng định dạng (malformed document)") },
  { MOTCUA_ERROR_DOCUMENT_SIGNATURE, "document.signature", N_("Chữ ký số của giấy tờ không hợp lệ (document signature invalid)") },
  { MOTCUA_ERROR_CODE_LISTS, "code_lists", N_("Không nạp được danh mục mã (code lists missing)") },
  { MOTCUA_ERROR_TOKEN_MODULE, "token.module", N_("Không nạp được thư viện thiết bị ký số (PKCS#11 module failed)") },
  { MOTCUA_ERROR_TOKEN_ABSENT, "token.absent", N_("Chưa cắm thiết bị ký số (no token)") },
  { MOTCUA_ERROR_KEY_NOT_FOUND, "token.no_key", N_("Thiết bị ký số không có khoá hoặc chứng thư (no key or certificate on the token)") },
  { MOTCUA_ERROR_PIN_INCORRECT, "pin.incorrect", N_("Mã PIN không đúng (wrong PIN)") },
  { MOTCUA_ERROR_PIN_LOCKED, "pin.locked", N_("Mã PIN đã bị khoá, liên hệ quản trị để mở khoá (PIN locked)") },
  { MOTCUA_ERROR_PIN_CANCELLED, "pin.cancelled", N_("Đã huỷ nhập mã PIN (PIN entry cancelled)") },
  { MOTCUA_ERROR_SIGN_FAILED, "sign.failed", N_("Ký số không thành công (signing failed)") },
  { MOTCUA_ERROR_CERTIFICATE, "sign.certificate", N_("Chứng thư số không dùng được: hết hạn hoặc sai mục đích (certificate unusable)") },
  { MOTCUA_ERROR_CARD_PRESENCE, "card.presence", N_("Không chứng minh được thẻ đang trên đầu đọc (card presence proof failed)") },
  { MOTCUA_ERROR_QUEUE_OPEN, "queue.open", N_("Không mở được hàng đợi hồ sơ (queue will not open)") },
  { MOTCUA_ERROR_QUEUE_IO, "queue.io", N_("Lỗi ghi hàng đợi: đầy đĩa hoặc lỗi ổ đĩa (queue I/O error)") },
  { MOTCUA_ERROR_QUEUE_KEY, "queue.key", N_("Không mở được khoá mã hoá dữ liệu: kiểm tra thiết bị khoá của máy (data key unavailable)") },
  { MOTCUA_ERROR_QUEUE_CORRUPT, "queue.corrupt", N_("Dữ liệu hàng đợi bị hỏng hoặc bị sửa (queue record fails authentication)") },
  { MOTCUA_ERROR_NOT_FOUND, "queue.not_found", N_("Không có hồ sơ này trong hàng đợi (no such item)") },
  { MOTCUA_ERROR_BAD_STATE, "queue.bad_state", N_("Không thực hiện được ở trạng thái hiện tại của hồ sơ (not allowed in this state)") },
  { MOTCUA_ERROR_AUDIT_BROKEN, "audit.broken", N_("Nhật ký kiểm tra bị sửa hoặc mất bản ghi (audit chain broken)") },
  { MOTCUA_ERROR_PURGED, "queue.purged", N_("Dữ liệu cá nhân của hồ sơ đã được xoá theo thời hạn lưu (personal data purged)") },
  { MOTCUA_ERROR_NETWORK, "network", N_("Mất kết nối tới hệ thống liên thông, sẽ tự gửi lại (network error, will retry)") },
  { MOTCUA_ERROR_TLS, "network.tls", N_("Kết nối bảo mật thất bại: chứng thư máy chủ hoặc thiết bị không hợp lệ (TLS failed)") },
  { MOTCUA_ERROR_AUTH, "service.auth", N_("Hệ thống liên thông từ chối xác thực thiết bị (authentication refused)") },
  { MOTCUA_ERROR_SERVICE_BUSY, "service.busy", N_("Hệ thống liên thông đang quá tải, sẽ gửi lại sau (service busy)") },
  { MOTCUA_ERROR_SERVICE_ERROR, "service.error", N_("Hệ thống liên thông gặp lỗi, sẽ gửi lại sau (service error)") },
  { MOTCUA_ERROR_SERVICE_REFUSED, "service.refused", N_("Hệ thống liên thông từ chối yêu cầu (request refused)") },
  { MOTCUA_ERROR_SERVICE_PROTOCOL, "service.protocol", N_("Trả lời của hệ thống liên thông không đúng giao thức (protocol violation)") },
};

static const ErrorInfo *
error_info (int code)
{
  for (gsize i = 0; i < G_N_ELEMENTS (errors); i++)
    if (errors[i].code == code)
      return &errors[i];
  return &errors[0];
}

const char *
motcua_error_code_name (int code)
{
  return error_info (code)->name;
}

const char *
motcua_error_message (int code)
{
  return g_dgettext (GETTEXT_PACKAGE, error_info (code)->message);
}

void
motcua_error_set (GError **error, MotcuaErrorCode code, const char *detail_fmt, ...)
{
  if (error == NULL)
    return;
  if (detail_fmt == NULL)
    {
      g_set_error_literal (error, MOTCUA_ERROR, code, motcua_error_message (code));
      return;
    }
  va_list ap;
  va_start (ap, detail_fmt);
  g_autofree char *detail = g_strdup_vprintf (detail_fmt, ap);
  va_end (ap);
  g_set_error (error, MOTCUA_ERROR, code, "%s: %s", motcua_error_message (code), detail);
}
