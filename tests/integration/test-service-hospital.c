/* test-service-hospital.c — the BHXH gateway and the document look-ups
 *
 * One motcua-refsvc process for the group.  A hospital desk takes a gateway
 * token (good and bad accounts: maKetQua 401 inside HTTP 200, like the real
 * gateway), sends birth certificates (loaiHs 61) and death notices (60)
 * signed with the RSA and EC hospital keys, resends them (same MaGD),
 * and gets each refusal code (205 bad base64 / XML / signature, 401, 1001,
 * 1002); a counter then looks the documents up by code. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "service-harness.h"
#include "testsign.h"

#define USERNAME "01001_BV"
#define PASSWORD "TEST-ONLY-password"
#define FACILITY "01001"

static svc_service *svc;
static char *access_token, *id_token;

static int
teardown (void **state)
{
  (void) state;
  g_clear_pointer (&access_token, g_free);
  g_clear_pointer (&id_token, g_free);
  return svc_stop (svc) ? 0 : -1;
}

/* POST a form (NULL-terminated name, value pairs; values URL-encoded here). */
static svc_response *
post_form (const char *path, const char *const *pairs)
{
  g_autoptr(GString) body = g_string_new (NULL);
  for (size_t i = 0; pairs[i]; i += 2)
    {
      g_autofree char *v = g_uri_escape_string (pairs[i + 1], NULL, FALSE);
      g_string_append_printf (body, "%s%s=%s", i ? "&" : "", pairs[i], v);
    }
  return svc_request (svc, "POST", path, SVC_HOSPITAL, NULL, "application/x-www-form-urlencoded",
                      body->str, body->len);
}

static svc_response *
take_token (const char *user, const char *password)
{
  g_autofree char *md5 = g_compute_checksum_for_string (G_CHECKSUM_MD5, password, -1);
  const char *form[] = { "username", user, "password", md5, NULL };
  return post_form ("/api/token/take", form);
}

static int
setup (void **state)
{
  (void) state;
  svc = svc_start (NULL);
  if (!svc)
    return -1;
  g_autoptr(svc_response) r = take_token (USERNAME, PASSWORD);
  access_token = g_strdup (svc_json_str (r->json, "/APIKey/access_token"));
  id_token = g_strdup (svc_json_str (r->json, "/APIKey/id_token"));
  return access_token && id_token ? 0 : -1;
}

/* guiGiayToDienTu with fileBase64Str = file (already base64). */
static svc_response *
send_b64 (const char *loai, const char *file, const char *facility, const char *token)
{
  g_autofree char *md5 = g_compute_checksum_for_string (G_CHECKSUM_MD5, PASSWORD, -1);
  const char *form[] = {
    "maCskcb", facility, "token", token, "id_token", id_token, "username", USERNAME,
    "password", md5, "loaiHs", loai, "fileBase64Str", file, NULL
  };
  return post_form ("/api/hososuckhoe/guiGiayToDienTu", form);
}

static svc_response *
send_doc (const char *loai, GBytes *xml)
{
  g_autofree char *b64 = g_base64_encode (g_bytes_get_data (xml, NULL), g_bytes_get_size (xml));
  return send_b64 (loai, b64, FACILITY, access_token);
}

static char *
new_code (const char *kind)
{
  g_autofree char *u = g_uuid_string_random ();
  return g_strdup_printf ("%.6s.%s.%s.26", u, kind, FACILITY);
}

static GBytes *
make (int loai, const char *code, const char *signer, const char *const *overrides)
{
  GBytes *x = testsign_xml_document (loai, code, FACILITY, signer, overrides);
  assert_non_null (x);
  return x;
}

/* A refusal: HTTP 200, MaKetQua, a Vietnamese MoTaLoi and error.code. */
static void
check_refused (const svc_response *r, const char *result, const char *code)
{
  if (r->status != 200 || g_strcmp0 (svc_json_str (r->json, "/MaKetQua"), result)
      || (code && g_strcmp0 (svc_json_str (r->json, "/error/code"), code)))
    fail_msg ("expected MaKetQua %s %s, got HTTP %ld %s", result, code ? code : "",
              r->status, r->body);
  const char *m = svc_json_str (r->json, "/MoTaLoi");
  assert_non_null (m);
  assert_true (g_utf8_validate (m, -1, NULL) && strlen (m) > 0);
  assert_string_equal (m, svc_json_str (r->json, "/error/message"));
  assert_null (svc_json_str (r->json, "/MaGD"));
}

/* ------------------------------------------------------------ token */

static void
test_gateway_token (void **state)
{
  (void) state;
  g_autoptr(svc_response) ok = take_token (USERNAME, PASSWORD);
  assert_int_equal (ok->status, 200);
  assert_string_equal (svc_json_str (ok->json, "/maKetQua"), "200");
  assert_non_null (svc_json_str (ok->json, "/APIKey/access_token"));
  assert_non_null (svc_json_str (ok->json, "/APIKey/id_token"));
  assert_string_equal (svc_json_str (ok->json, "/APIKey/token_type"), "Bearer");
  assert_string_equal (svc_json_str (ok->json, "/APIKey/username"), USERNAME);
  assert_string_equal (svc_json_str (ok->json, "/APIKey/expires_in"), "3600");

  g_autoptr(svc_response) bad = take_token (USERNAME, "wrong");
  assert_int_equal (bad->status, 200);
  assert_string_equal (svc_json_str (bad->json, "/maKetQua"), "401");
  assert_null (svc_json_at (bad->json, "/APIKey"));
  assert_non_null (svc_json_str (bad->json, "/MoTaLoi"));
  g_autoptr(svc_response) nobody = take_token ("99999_BV", PASSWORD);
  assert_string_equal (svc_json_str (nobody->json, "/maKetQua"), "401");
  /* The password in clear instead of its MD5. */
  const char *clear[] = { "username", USERNAME, "password", PASSWORD, NULL };
  g_autoptr(svc_response) plain = post_form ("/api/token/take", clear);
  assert_string_equal (svc_json_str (plain->json, "/maKetQua"), "401");
}

/* ------------------------------------------------------------ sending */

static void
sent_ok (const svc_response *r, const char *prefix)
{
  if (r->status != 200 || g_strcmp0 (svc_json_str (r->json, "/MaKetQua"), "200"))
    fail_msg ("expected MaKetQua 200, got HTTP %ld %s", r->status, r->body);
  g_autofree char *re = g_strdup_printf ("^%s[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-"
                                         "[0-9a-f]{12}$", prefix);
  const char *ma_gd = svc_json_str (r->json, "/MaGD");
  assert_non_null (ma_gd);
  if (!g_regex_match_simple (re, ma_gd, G_REGEX_CASELESS, 0))
    fail_msg ("MaGD %s does not match %s", ma_gd, re);
  const char *t = svc_json_str (r->json, "/ThoiGianTiepNhan");
  assert_non_null (t);
  assert_true (g_regex_match_simple ("^20[0-9]{2}(0[1-9]|1[0-2])[0-3][0-9][0-2][0-9][0-5][0-9]"
                                     "[0-5][0-9]$", t, 0, 0));
}

/* Sends, resends (same MaGD), looks up from a counter. */
static void
round_trip (int loai, const char *kind, const char *signer, const char *key_type)
{
  g_autofree char *code = new_code (kind);
  g_autoptr(GBytes) xml = make (loai, code, signer, NULL);
  g_autofree char *loai_s = g_strdup_printf ("%d", loai);
  gint64 docs0 = svc_stat (svc, "/stored/documents");
  gint64 dup0 = svc_stat (svc, "/documentDuplicates");
  g_autoptr(svc_response) a = send_doc (loai_s, xml);
  sent_ok (a, loai == 61 ? "HS_GCS_" : "HS_GBT_");
  g_autoptr(svc_response) b = send_doc (loai_s, xml);
  sent_ok (b, loai == 61 ? "HS_GCS_" : "HS_GBT_");
  assert_string_equal (svc_json_str (b->json, "/MaGD"), svc_json_str (a->json, "/MaGD"));
  assert_string_equal (svc_json_str (b->json, "/ThoiGianTiepNhan"),
                       svc_json_str (a->json, "/ThoiGianTiepNhan"));
  assert_int_equal (svc_stat (svc, "/stored/documents"), docs0 + 1);
  assert_int_equal (svc_stat (svc, "/documentDuplicates"), dup0 + 1);

  g_autofree char *path = g_strdup_printf ("/v1/%s/%s", loai == 61 ? "birth-certificates"
                                                                   : "death-notices", code);
  g_autoptr(svc_response) l = svc_get_as (svc, SVC_COUNTER, path);
  assert_int_equal (l->status, 200);
  assert_string_equal (svc_json_str (l->json, "/code"), code);
  JsonNode *lh = svc_json_at (l->json, "/loaiHs");
  assert_non_null (lh);
  g_autofree char *lh_text = svc_json_text (lh);
  assert_non_null (strstr (lh_text, loai_s));
  assert_string_equal (svc_json_str (l->json, "/maGD"), svc_json_str (a->json, "/MaGD"));
  assert_non_null (svc_json_str (l->json, "/receivedAt"));
  assert_string_equal (svc_json_str (l->json, "/facility"), FACILITY);
  assert_string_equal (svc_json_str (l->json, "/signer/keyType"), key_type);
  assert_non_null (svc_json_str (l->json, "/signer/subject"));
  assert_non_null (strstr (svc_json_str (l->json, "/signer/issuer"), "Signing CA"));
  assert_string_equal (svc_json_str (l->json, loai == 61 ? "/fields/MA_GCS" : "/fields/MA_GBT"),
                       code);
  if (loai == 61)
    {
      assert_string_equal (svc_json_str (l->json, "/fields/TEN_CON"), "Trần Minh Khang");
      assert_string_equal (svc_json_str (l->json, "/fields/NGAY_SINH_CON"), "20261121083000");
    }
  else
    assert_string_equal (svc_json_str (l->json, "/fields/HO_TEN"), "Trần Văn Bình");
  gsize len = 0;
  const char *doc64 = svc_json_str (l->json, "/document");
  assert_non_null (doc64);
  g_autofree guchar *doc = g_base64_decode (doc64, &len);
  assert_int_equal (len, g_bytes_get_size (xml));
  assert_memory_equal (doc, g_bytes_get_data (xml, NULL), len);
  /* The hospital desk and the kiosk may look it up too. */
  g_autoptr(svc_response) l2 = svc_get_as (svc, SVC_HOSPITAL, path);
  assert_int_equal (l2->status, 200);
  g_autoptr(svc_response) l3 = svc_get_as (svc, SVC_KIOSK, path);
  assert_int_equal (l3->status, 200);
}

static void
test_birth_certificate_rsa (void **state)
{
  (void) state;
  round_trip (61, "GCS", "hospital-rsa-TEST-ONLY", "RSA-2048");
}

static void
test_birth_certificate_ec (void **state)
{
  (void) state;
  round_trip (61, "GCS", "hospital-ec-TEST-ONLY", "EC-P-256");
}

static void
test_death_notice (void **state)
{
  (void) state;
  round_trip (60, "GBT", "hospital-rsa-TEST-ONLY", "RSA-2048");
  round_trip (60, "GBT", "hospital-ec-TEST-ONLY", "EC-P-256");
}

static void
test_lookup_unknown (void **state)
{
  (void) state;
  g_autoptr(svc_response) a = svc_get_as (svc, SVC_COUNTER, "/v1/birth-certificates/000000.GCS.01001.26");
  assert_true (svc_check_error (a, 404, "document.not_found"));
  g_autoptr(svc_response) b = svc_get_as (svc, SVC_COUNTER, "/v1/death-notices/000000.GBT.01001.26");
  assert_true (svc_check_error (b, 404, "document.not_found"));
  /* A birth certificate's code is not a death notice's. */
  g_autofree char *code = new_code ("GCS");
  g_autoptr(GBytes) xml = make (61, code, "hospital-rsa-TEST-ONLY", NULL);
  g_autoptr(svc_response) s = send_doc ("61", xml);
  sent_ok (s, "HS_GCS_");
  g_autofree char *path = g_strconcat ("/v1/death-notices/", code, NULL);
  g_autoptr(svc_response) c = svc_get_as (svc, SVC_COUNTER, path);
  assert_true (svc_check_error (c, 404, "document.not_found"));
  /* No token, no look-up. */
  g_autofree char *p2 = g_strconcat ("/v1/birth-certificates/", code, NULL);
  g_autoptr(svc_response) d = svc_request (svc, "GET", p2, SVC_COUNTER, NULL, NULL, NULL, 0);
  assert_true (svc_check_error (d, 401, "auth.token_missing"));
}

/* ------------------------------------------------------------ refusals */

/* The XML text with the first occurrence of from replaced by to. */
static GBytes *
edited (GBytes *xml, const char *from, const char *to)
{
  g_autofree char *text = g_strndup (g_bytes_get_data (xml, NULL), g_bytes_get_size (xml));
  char *at = strstr (text, from);
  assert_non_null (at);
  g_autoptr(GString) s = g_string_new_len (text, at - text);
  g_string_append (s, to);
  g_string_append (s, at + strlen (from));
  gsize len = s->len;
  return g_bytes_new_take (g_string_free (g_steal_pointer (&s), FALSE), len);
}

/* Without the <Signature>…</Signature> element (any prefix). */
static GBytes *
unsigned_copy (GBytes *xml)
{
  g_autofree char *text = g_strndup (g_bytes_get_data (xml, NULL), g_bytes_get_size (xml));
  g_autoptr(GRegex) re = g_regex_new ("<([A-Za-z0-9]+:)?Signature[ >].*</([A-Za-z0-9]+:)?Signature>",
                                      G_REGEX_DOTALL, 0, NULL);
  char *out = g_regex_replace_literal (re, text, -1, 0, "", 0, NULL);
  assert_non_null (out);
  assert_null (strstr (out, "SignatureValue"));
  return g_bytes_new_take (out, strlen (out));
}

static void
refused_doc (const char *loai, GBytes *xml, const char *result, const char *code)
{
  g_autoptr(svc_response) r = send_doc (loai, xml);
  check_refused (r, result, code);
}

static void
test_refusals (void **state)
{
  (void) state;
  gint64 docs0 = svc_stat (svc, "/stored/documents");
  g_autofree char *code = new_code ("GCS");
  g_autoptr(GBytes) good = make (61, code, "hospital-ec-TEST-ONLY", NULL);

  /* Not base64, base64 with a line break, URL-safe alphabet. */
  g_autoptr(svc_response) b1 = send_b64 ("61", "this is not base64!", FACILITY, access_token);
  check_refused (b1, "205", "gateway.bad_file");
  g_autoptr(svc_response) b2 = send_b64 ("61", "PD94\nbWwg", FACILITY, access_token);
  check_refused (b2, "205", "gateway.bad_file");
  g_autoptr(svc_response) b3 = send_b64 ("61", "", FACILITY, access_token);
  check_refused (b3, "205", "gateway.bad_file");
  /* Base64 of something that is not XML. */
  g_autoptr(GBytes) junk = g_bytes_new_static ("hello, world", 12);
  refused_doc ("61", junk, "205", "xml.malformed");
  /* Tampered after signing (the child's name). */
  g_autoptr(GBytes) tampered = edited (good, "Trần Minh Khang", "Trần Minh Khanh");
  refused_doc ("61", tampered, "205", "xmldsig.invalid");
  g_autoptr(GBytes) bare = unsigned_copy (good);
  refused_doc ("61", bare, "205", "xmldsig.missing");
  /* Signers: unknown CA, revoked, expired. */
  g_autoptr(GBytes) rogue = make (61, code, "signer-rogue-TEST-ONLY", NULL);
  refused_doc ("61", rogue, "205", "signature.unknown_signer");
  g_autoptr(GBytes) revoked = make (61, code, "signer-revoked-TEST-ONLY", NULL);
  refused_doc ("61", revoked, "205", "signature.revoked");
  g_autoptr(GBytes) expired = make (61, code, "signer-expired-TEST-ONLY", NULL);
  refused_doc ("61", expired, "205", "signature.expired");
  /* Kind: loaiHs 60 with a birth certificate, or an unknown loaiHs. */
  refused_doc ("60", good, "205", "xml.wrong_kind");
  refused_doc ("62", good, "205", "xml.wrong_kind");
  /* Invalid fields (signed as they are). */
  const char *bad[] = { "NGAY_SINH_CON", "2026", "GIOI_TINH_CON", "7", NULL };
  g_autoptr(GBytes) invalid = make (61, code, "hospital-rsa-TEST-ONLY", bad);
  g_autoptr(svc_response) inv = send_doc ("61", invalid);
  check_refused (inv, "205", "xml.invalid");
  assert_true (svc_json_len (inv->json, "/error/fields") >= 2);
  /* A death notice of another facility than the sender's. */
  g_autofree char *gbt = new_code ("GBT");
  GBytes *other = testsign_xml_document (60, gbt, "01002", "hospital-rsa-TEST-ONLY", NULL);
  assert_non_null (other);
  refused_doc ("60", other, "205", "xml.invalid");
  g_bytes_unref (other);
  /* Auth: a wrong token, another facility's maCskcb. */
  g_autofree char *b64 = g_base64_encode (g_bytes_get_data (good, NULL), g_bytes_get_size (good));
  g_autoptr(svc_response) a1 = send_b64 ("61", b64, FACILITY, "not-the-token");
  check_refused (a1, "401", "gateway.auth");
  g_autoptr(svc_response) a2 = send_b64 ("61", b64, "01002", access_token);
  check_refused (a2, "401", "gateway.auth");
  /* Over 5 MiB decoded. */
  gsize big = (5u << 20) + 3;
  g_autofree char *huge = g_malloc (big);
  memset (huge, '<', big);
  g_autofree char *huge64 = g_base64_encode ((const guchar *) huge, big);
  g_autoptr(svc_response) tl = send_b64 ("61", huge64, FACILITY, access_token);
  check_refused (tl, "1001", NULL);
  /* None of it was stored. */
  assert_int_equal (svc_stat (svc, "/stored/documents"), docs0);

  /* The good one goes through; the same code with other content is a
   * conflict (1002) unless it is a re-issue (CAP_LAN_DAU 0), which replaces. */
  g_autoptr(svc_response) ok = send_doc ("61", good);
  sent_ok (ok, "HS_GCS_");
  const char *heavier[] = { "CAN_NANG_CON", "3300", NULL };
  g_autoptr(GBytes) changed = make (61, code, "hospital-ec-TEST-ONLY", heavier);
  refused_doc ("61", changed, "1002", "document.conflict");
  const char *reissue[] = { "CAN_NANG_CON", "3300", "CAP_LAN_DAU", "0", NULL };
  g_autoptr(GBytes) again = make (61, code, "hospital-ec-TEST-ONLY", reissue);
  g_autoptr(svc_response) re = send_doc ("61", again);
  sent_ok (re, "HS_GCS_");
  g_autofree char *path = g_strconcat ("/v1/birth-certificates/", code, NULL);
  g_autoptr(svc_response) l = svc_get_as (svc, SVC_COUNTER, path);
  assert_int_equal (l->status, 200);
  assert_string_equal (svc_json_str (l->json, "/fields/CAN_NANG_CON"), "3300");
  assert_string_equal (svc_json_str (l->json, "/maGD"), svc_json_str (re->json, "/MaGD"));
  assert_int_equal (svc_stat (svc, "/stored/documents"), docs0 + 1);
}

int
main (void)
{
  svc_global_init ();
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_gateway_token),
    cmocka_unit_test (test_birth_certificate_rsa),
    cmocka_unit_test (test_birth_certificate_ec),
    cmocka_unit_test (test_death_notice),
    cmocka_unit_test (test_lookup_unknown),
    cmocka_unit_test (test_refusals),
  };
  int rc = cmocka_run_group_tests_name ("service-hospital", tests, setup, teardown);
  curl_global_cleanup ();
  return rc;
}
