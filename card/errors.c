/* errors.c — the error catalogue: stable codes and bilingual messages
 *
 * The Vietnamese message is what a clerk or a citizen reads; it says what
 * to do next.  The code is stable and machine-readable (logs, JSON, the
 * support report).  card/ has no gettext: the table carries both
 * languages, and callers pick one. */
#include "motcua-card.h"

typedef struct {
  const char *code;
  const char *vi;
  const char *en;
} mc_error_entry;

static const mc_error_entry mc_errors[MC_ERR__COUNT] = {
  [MC_OK] = { "ok", "Thành công.", "Success." },
  [MC_ERR_INVALID_ARG] = { "card.invalid_argument",
    "Tham số không hợp lệ.", "Invalid argument." },
  [MC_ERR_NOMEM] = { "card.out_of_memory",
    "Hết bộ nhớ.", "Out of memory." },
  [MC_ERR_NO_SERVICE] = { "card.no_service",
    "Dịch vụ đầu đọc thẻ (pcscd) không chạy. Hãy khởi động lại dịch vụ hoặc máy.",
    "The smart-card service (pcscd) is not running." },
  [MC_ERR_NO_READER] = { "card.no_reader",
    "Không tìm thấy đầu đọc thẻ. Hãy cắm đầu đọc và thử lại.",
    "No card reader found." },
  [MC_ERR_NO_CARD] = { "card.no_card",
    "Chưa có thẻ trên đầu đọc. Hãy đặt thẻ căn cước lên đầu đọc.",
    "No card in the reader." },
  [MC_ERR_CARD_REMOVED] = { "card.removed",
    "Thẻ đã bị nhấc ra trong khi đọc. Hãy đặt lại thẻ và giữ yên.",
    "The card was removed during the operation." },
  [MC_ERR_READER] = { "card.reader_error",
    "Lỗi giao tiếp với đầu đọc thẻ. Hãy đặt lại thẻ hoặc cắm lại đầu đọc.",
    "Communication with the reader failed." },
  [MC_ERR_TIMEOUT] = { "card.timeout",
    "Hết thời gian chờ.", "Timed out." },
  [MC_ERR_CANCELLED] = { "card.cancelled",
    "Thao tác đã bị huỷ.", "The operation was cancelled." },
  [MC_ERR_UNSUPPORTED_CARD] = { "card.unsupported",
    "Thẻ không được hỗ trợ: đây không phải thẻ căn cước gắn chip.",
    "Unsupported card: not a chip ID card (eMRTD)." },
  [MC_ERR_ACCESS_DENIED] = { "card.access_denied",
    "Thẻ từ chối dữ liệu truy cập. Hãy kiểm tra lại số CAN (6 số cuối số định danh) hoặc số định danh, ngày sinh, ngày hết hạn.",
    "The card refused the access data (CAN or ID number, birth and expiry dates)." },
  [MC_ERR_BAD_ACCESS_DATA] = { "card.bad_access_data",
    "Dữ liệu truy cập không đúng định dạng (số CAN gồm 6 chữ số; số định danh gồm 12 chữ số; ngày dạng YYYY-MM-DD; MRZ gồm 3 dòng 30 ký tự).",
    "Malformed access data (6-digit CAN, 12-digit ID number, YYYY-MM-DD dates, three 30-character MRZ lines)." },
  [MC_ERR_NEED_MRZ_DATA] = { "card.need_mrz_data",
    "Thẻ này không dùng số CAN: hãy nhập số định danh, ngày sinh và ngày hết hạn (hoặc 3 dòng MRZ).",
    "This card does not offer PACE: give the ID number, birth and expiry dates (or the MRZ)." },
  [MC_ERR_SM] = { "card.secure_messaging",
    "Lỗi kênh bảo mật với thẻ (sai mã xác thực). Dữ liệu có thể bị can thiệp; hãy đọc lại thẻ.",
    "Secure messaging failed (MAC mismatch)." },
  [MC_ERR_MALFORMED] = { "card.malformed_data",
    "Dữ liệu trên thẻ không đúng cấu trúc.",
    "The card returned malformed data." },
  [MC_ERR_FILE_NOT_FOUND] = { "card.file_not_found",
    "Thẻ không có tệp dữ liệu được yêu cầu.",
    "The file was not found on the card." },
  [MC_ERR_SECURITY_STATUS] = { "card.security_status",
    "Thẻ không cho phép đọc tệp này.",
    "Access to the file was denied by the card." },
  [MC_ERR_CARD_STATUS] = { "card.unexpected_status",
    "Thẻ trả về trạng thái không mong đợi.",
    "The card returned an unexpected status word." },
  [MC_ERR_CRYPTO] = { "card.crypto_error",
    "Lỗi xử lý mật mã.", "Cryptographic operation failed." },
  [MC_ERR_TRUST_STORE] = { "card.trust_store",
    "Không nạp được kho chứng thư tin cậy (CSCA).",
    "The CSCA trust store could not be loaded." },
  [MC_ERR_NOT_SUPPORTED] = { "card.not_supported",
    "Thẻ không hỗ trợ chức năng này.",
    "The card does not support this function." },
};

static const mc_error_entry *
mc_error_lookup (mc_status s)
{
  static const mc_error_entry unknown = { "card.unknown", "Lỗi không xác định.", "Unknown error." };
  if ((int) s < 0 || s >= MC_ERR__COUNT || mc_errors[s].code == NULL)
    return &unknown;
  return &mc_errors[s];
}

const char *
mc_status_code (mc_status s)
{
  return mc_error_lookup (s)->code;
}

const char *
mc_status_message_vi (mc_status s)
{
  return mc_error_lookup (s)->vi;
}

const char *
mc_status_message_en (mc_status s)
{
  return mc_error_lookup (s)->en;
}
