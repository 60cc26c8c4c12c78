/* refsvc-errors.c — the service's error codes: one table, one JSON shape
 *
 * Every refusal the service makes carries a stable machine-readable code,
 * the HTTP status that goes with it and a Vietnamese message (plus an
 * English one for logs and foreign readers).  docs/protocol.md lists the
 * same table; tests/refsvc/test-errors.c checks that every code is unique
 * and well formed. */
#define G_LOG_DOMAIN "refsvc-errors"

#include "refsvc.h"

static const refsvc_error_def error_table[] = {
  /* First: the fallback for unregistered codes. */
  { "server.internal", 500, "Lỗi hệ thống, vui lòng thử lại sau.",
    "Internal server error; try again later." },

  /* Requests */
  { "request.malformed_json", 400, "Nội dung yêu cầu không phải JSON hợp lệ.",
    "The request body is not valid JSON." },
  { "request.malformed_form", 400, "Nội dung biểu mẫu không hợp lệ.",
    "The form body is not valid." },
  { "request.too_large", 413, "Yêu cầu vượt quá kích thước cho phép.",
    "The request is larger than allowed." },
  { "request.unsupported_media_type", 415, "Kiểu nội dung không được hỗ trợ.",
    "Unsupported Content-Type." },
  { "request.not_found", 404, "Không có tài nguyên này.",
    "No such resource." },
  { "request.method_not_allowed", 405, "Phương thức không được phép với tài nguyên này.",
    "Method not allowed for this resource." },
  { "request.bad_parameter", 400, "Tham số của yêu cầu không hợp lệ.",
    "A request parameter is invalid." },

  /* Mutual TLS and device identity */
  { "tls.client_cert_required", 403, "Thiết bị chưa xuất trình chứng thư số.",
    "No client certificate was presented." },
  { "tls.client_cert_untrusted", 403, "Chứng thư số của thiết bị không do cơ quan tin cậy cấp.",
    "The client certificate does not chain to a trusted device CA." },
  { "tls.client_cert_expired", 403, "Chứng thư số của thiết bị đã hết hạn hoặc chưa có hiệu lực.",
    "The client certificate has expired or is not yet valid." },
  { "tls.client_cert_revoked", 403, "Chứng thư số của thiết bị đã bị thu hồi.",
    "The client certificate has been revoked." },
  { "tls.client_cert_profile", 403, "Chứng thư số của thiết bị không đúng mẫu (thiếu đơn vị, loại hoặc mã thiết bị).",
    "The client certificate subject lacks the unit, kind or device id." },
  { "device.not_allowed", 403, "Loại thiết bị này không được dùng chức năng này.",
    "This kind of device may not use this endpoint." },

  /* Bearer tokens */
  { "auth.token_missing", 401, "Thiếu mã truy cập (token).",
    "No bearer token." },
  { "auth.token_invalid", 401, "Mã truy cập không hợp lệ.",
    "The bearer token is not valid." },
  { "auth.token_expired", 401, "Mã truy cập đã hết hạn, hãy lấy mã mới.",
    "The bearer token has expired; get a new one." },
  { "auth.token_wrong_device", 401, "Mã truy cập được cấp cho thiết bị khác.",
    "The bearer token was issued to another device." },

  /* Dossiers */
  { "dossier.bad_envelope", 400, "Gói hồ sơ gửi lên không đúng cấu trúc.",
    "The submission envelope is malformed." },
  { "dossier.invalid", 422, "Hồ sơ có trường không hợp lệ.",
    "The dossier has invalid fields." },
  { "dossier.transaction_conflict", 409, "Mã giao dịch đã được dùng cho một nội dung khác.",
    "The transaction id was already used with different content." },
  { "dossier.not_found", 404, "Không tìm thấy hồ sơ.",
    "No such dossier." },
  { "dossier.not_awaiting_supplement", 409, "Hồ sơ không ở trạng thái yêu cầu bổ sung.",
    "The dossier is not waiting for a supplement." },

  /* Dossier signatures (CMS) */
  { "signature.malformed", 422, "Chữ ký số không đọc được.",
    "The signature cannot be parsed." },
  { "signature.not_cades", 422, "Chữ ký số thiếu thuộc tính bắt buộc (CAdES-BES).",
    "The signature lacks the CAdES-BES signed attributes." },
  { "signature.invalid", 422, "Chữ ký số không khớp với nội dung.",
    "The signature does not match the content." },
  { "signature.unknown_signer", 422, "Người ký không có chứng thư số do cơ quan tin cậy cấp.",
    "The signer certificate does not chain to a trusted CA." },
  { "signature.expired", 422, "Chứng thư số của người ký đã hết hạn.",
    "The signer certificate has expired." },
  { "signature.revoked", 422, "Chứng thư số của người ký đã bị thu hồi.",
    "The signer certificate has been revoked." },

  /* Card-presence proof */
  { "presence.malformed", 422, "Bằng chứng thẻ căn cước không đọc được.",
    "The card-presence proof cannot be parsed." },
  { "presence.sod_untrusted", 422, "Dữ liệu thẻ căn cước không được xác thực (EF.SOD).",
    "The card's EF.SOD does not verify." },
  { "presence.dg15_mismatch", 422, "Khoá của thẻ không khớp với dữ liệu đã ký của thẻ.",
    "DG15 does not match the hash in EF.SOD." },
  { "presence.invalid", 422, "Chữ ký của thẻ căn cước không khớp với hồ sơ.",
    "The card's Active Authentication signature does not match the dossier." },

  /* Hospital documents */
  { "xml.malformed", 422, "Tệp XML không đọc được.",
    "The XML document cannot be parsed." },
  { "xml.wrong_kind", 422, "Loại giấy tờ không khớp với loaiHs.",
    "The document kind does not match loaiHs." },
  { "xml.invalid", 422, "Giấy tờ có trường không hợp lệ.",
    "The document has invalid fields." },
  { "xmldsig.missing", 422, "Giấy tờ chưa được ký số.",
    "The document is not signed." },
  { "xmldsig.invalid", 422, "Chữ ký số trên giấy tờ không hợp lệ.",
    "The document's XML signature is not valid." },
  { "document.not_found", 404, "Không tìm thấy giấy tờ với mã này.",
    "No document with this code." },
  { "document.conflict", 409, "Mã giấy tờ đã tồn tại với nội dung khác.",
    "A different document with this code already exists." },
  { "gateway.auth", 401, "Sai tài khoản, mật khẩu hoặc mã truy cập cổng BHXH.",
    "Wrong gateway account, password or token." },
  { "gateway.bad_file", 400, "Tệp gửi lên không phải base64 hợp lệ.",
    "fileBase64Str is not valid base64." },

  /* Server side */
  { "server.busy", 429, "Hệ thống đang quá tải, vui lòng thử lại sau.",
    "Too many requests; retry later." },
  { "server.unavailable", 503, "Hệ thống tạm ngừng phục vụ, vui lòng thử lại sau.",
    "Service unavailable; retry later." },

  { NULL, 0, NULL, NULL }
};

const refsvc_error_def *
refsvc_error_table (void)
{
  return error_table;
}

static const refsvc_error_def *
lookup (const char *code)
{
  if (code == NULL)
    return NULL;
  for (const refsvc_error_def *d = error_table; d->code != NULL; d++)
    if (g_str_equal (d->code, code))
      return d;
  return NULL;
}

guint
refsvc_error_status (const char *code)
{
  const refsvc_error_def *d = lookup (code);

  return d != NULL ? d->http_status : 500;
}

static void
field_error_free (gpointer p)
{
  refsvc_field_error *f = p;

  g_free (f->path);
  g_free (f->code);
  g_free (f->message);
  g_free (f);
}

refsvc_error *
refsvc_error_new (const char *code)
{
  const refsvc_error_def *d = lookup (code);
  refsvc_error *e = g_new0 (refsvc_error, 1);

  if (d == NULL)
    {
      g_critical ("unregistered error code %s", code ? code : "(null)");
      d = &error_table[0];  /* server.internal */
    }
  e->code = d->code;
  e->http_status = d->http_status;
  e->message_vi = d->vi;
  e->message_en = d->en;
  e->fields = g_ptr_array_new_with_free_func (field_error_free);
  return e;
}

void
refsvc_error_add_field (refsvc_error *e, const char *path, const char *code,
                        const char *message_vi)
{
  refsvc_field_error *f;

  g_return_if_fail (e != NULL);
  if (e->fields->len >= REFSVC_MAX_FIELD_ERRORS)
    return;
  f = g_new0 (refsvc_field_error, 1);
  f->path = g_strdup (path ? path : "");
  f->code = g_strdup (code ? code : "invalid");
  f->message = g_strdup (message_vi ? message_vi : "");
  g_ptr_array_add (e->fields, f);
}

void
refsvc_error_free (refsvc_error *e)
{
  if (e == NULL)
    return;
  g_clear_pointer (&e->fields, g_ptr_array_unref);
  g_free (e);
}

char *
refsvc_error_to_json (const refsvc_error *e)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonNode) root = NULL;

  g_return_val_if_fail (e != NULL, NULL);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "error");
  json_builder_begin_object (b);
  refsvc_json_add_string (b, "code", e->code);
  refsvc_json_add_string (b, "message", e->message_vi);
  refsvc_json_add_string (b, "message_en", e->message_en);
  json_builder_set_member_name (b, "status");
  json_builder_add_int_value (b, e->http_status);
  json_builder_set_member_name (b, "fields");
  json_builder_begin_array (b);
  for (guint i = 0; e->fields != NULL && i < e->fields->len; i++)
    {
      const refsvc_field_error *f = g_ptr_array_index (e->fields, i);

      json_builder_begin_object (b);
      refsvc_json_add_string (b, "path", f->path);
      refsvc_json_add_string (b, "code", f->code);
      refsvc_json_add_string (b, "message", f->message);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  if (e->retry_after > 0)
    {
      json_builder_set_member_name (b, "retryAfter");
      json_builder_add_int_value (b, e->retry_after);
    }
  json_builder_end_object (b);
  json_builder_end_object (b);

  root = json_builder_get_root (b);
  return refsvc_json_to_string (root);
}
