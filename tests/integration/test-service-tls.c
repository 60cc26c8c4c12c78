/* test-service-tls.c — who may call the reference service, as a client sees it
 *
 * One motcua-refsvc process for the group.  Mutual TLS refusals (no
 * certificate, rogue CA, expired, revoked) as HTTP 403 with tls.* codes,
 * the server's own identity, device kinds per endpoint, bearer tokens
 * (shape, missing, garbage, expired, bound to the device, refresh, TTL)
 * and the generic request errors (404, 405, 415, 400, 413). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "service-harness.h"

static svc_service *svc;

static int
setup (void **state)
{
  (void) state;
  svc = svc_start (NULL);
  return svc ? 0 : -1;
}

static int
teardown (void **state)
{
  (void) state;
  return svc_stop (svc) ? 0 : -1;
}

/* ------------------------------------------------------------ mutual TLS */

static void
refused (const char *device, const char *code)
{
  /* Refused on the token endpoint and on any other /v1 endpoint alike. */
  g_autoptr(svc_response) r = svc_request (svc, "POST", "/v1/auth/token", device, NULL, NULL,
                                           NULL, 0);
  assert_true (svc_check_error (r, 403, code));
  g_autoptr(svc_response) r2 = svc_request (svc, "GET", "/v1/changes?since=0", device,
                                            "whatever", NULL, NULL, 0);
  assert_true (svc_check_error (r2, 403, code));
}

static void
test_no_client_cert (void **state)
{
  (void) state;
  refused (NULL, "tls.client_cert_required");
}

static void
test_rogue_ca (void **state)
{
  (void) state;
  refused ("device-rogue-TEST-ONLY", "tls.client_cert_untrusted");
}

static void
test_expired_cert (void **state)
{
  (void) state;
  refused ("device-expired-TEST-ONLY", "tls.client_cert_expired");
}

static void
test_revoked_cert (void **state)
{
  (void) state;
  refused ("device-revoked-TEST-ONLY", "tls.client_cert_revoked");
}

/* The server proves its identity: a client trusting another CA refuses it;
 * the service CA and the 127.0.0.1 SAN are accepted (every other test). */
static void
test_server_identity (void **state)
{
  (void) state;
  CURL *h = curl_easy_init ();
  g_autofree char *url = g_strconcat (svc->url, "/v1/auth/token", NULL);
  g_autofree char *ca = g_build_filename (svc->pki_dir, "device-ca-TEST-ONLY.pem", NULL);
  curl_easy_setopt (h, CURLOPT_URL, url);
  curl_easy_setopt (h, CURLOPT_CAINFO, ca);
  curl_easy_setopt (h, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt (h, CURLOPT_SSL_VERIFYHOST, 2L);
  curl_easy_setopt (h, CURLOPT_NOBODY, 1L);
  CURLcode rc = curl_easy_perform (h);
  curl_easy_cleanup (h);
  assert_int_equal (rc, CURLE_PEER_FAILED_VERIFICATION);
}

/* ------------------------------------------------------------ devices */

static void
check_token_answer (const char *device, const char *id, const char *kind, const char *unit)
{
  g_autoptr(svc_response) r = svc_request (svc, "POST", "/v1/auth/token", device, NULL, NULL,
                                           NULL, 0);
  assert_int_equal (r->status, 200);
  const char *tok = svc_json_str (r->json, "/access_token");
  assert_non_null (tok);
  /* base64url of 32 random bytes, unpadded: 43 characters. */
  assert_int_equal (strlen (tok), 43);
  for (const char *p = tok; *p; p++)
    assert_true (g_ascii_isalnum (*p) || *p == '-' || *p == '_');
  assert_string_equal (svc_json_str (r->json, "/token_type"), "Bearer");
  assert_int_equal (svc_json_int (r->json, "/expires_in"), 900);
  const char *exp = svc_json_str (r->json, "/expires_at");
  assert_non_null (exp);
  g_autoptr(GDateTime) dt = g_date_time_new_from_iso8601 (exp, NULL);
  assert_non_null (dt);
  assert_true (g_str_has_suffix (exp, "Z"));
  assert_string_equal (svc_json_str (r->json, "/device/id"), id);
  assert_string_equal (svc_json_str (r->json, "/device/kind"), kind);
  assert_string_equal (svc_json_str (r->json, "/device/unit"), unit);
}

static void
test_token_answer (void **state)
{
  (void) state;
  check_token_answer (SVC_COUNTER, "counter-00004-01", "counter", "00004");
  check_token_answer (SVC_COUNTER_B, "counter-00008-01", "counter", "00008");
  check_token_answer (SVC_KIOSK, "kiosk-00004-01", "kiosk", "00004");
  check_token_answer (SVC_HOSPITAL, "hospital-01001-01", "hospital", "01001");
  /* Two requests, two different tokens. */
  g_autofree char *a = svc_token (svc, SVC_COUNTER);
  g_autofree char *b = svc_token (svc, SVC_COUNTER);
  assert_non_null (a);
  assert_non_null (b);
  assert_string_not_equal (a, b);
}

static void
test_device_kinds (void **state)
{
  (void) state;
  g_autofree char *hosp = svc_token (svc, SVC_HOSPITAL);
  g_autofree char *counter = svc_token (svc, SVC_COUNTER);
  const char *env = "{}";
  /* A hospital desk may not submit dossiers nor read their status. */
  g_autoptr(svc_response) r1 = svc_submit (svc, SVC_HOSPITAL, hosp, env);
  assert_true (svc_check_error (r1, 403, "device.not_allowed"));
  g_autoptr(svc_response) r2 = svc_request (svc, "GET", "/v1/changes?since=0", SVC_HOSPITAL,
                                            hosp, NULL, NULL, 0);
  assert_true (svc_check_error (r2, 403, "device.not_allowed"));
  /* A counter may not use the BHXH gateway. */
  const char *form = "username=01001_BV&password=x";
  g_autoptr(svc_response) r3 = svc_request (svc, "POST", "/api/token/take", SVC_COUNTER, NULL,
                                            "application/x-www-form-urlencoded",
                                            form, strlen (form));
  assert_true (svc_check_error (r3, 403, "device.not_allowed"));
  g_autoptr(svc_response) r4 = svc_request (svc, "POST", "/api/hososuckhoe/guiGiayToDienTu",
                                            SVC_KIOSK, NULL, "application/x-www-form-urlencoded",
                                            form, strlen (form));
  assert_true (svc_check_error (r4, 403, "device.not_allowed"));
  /* Any device may look documents up (404 here: no such code). */
  g_autoptr(svc_response) r5 = svc_request (svc, "GET", "/v1/birth-certificates/none",
                                            SVC_HOSPITAL, hosp, NULL, NULL, 0);
  assert_true (svc_check_error (r5, 404, "document.not_found"));
  g_autoptr(svc_response) r6 = svc_request (svc, "GET", "/v1/death-notices/none",
                                            SVC_COUNTER, counter, NULL, NULL, 0);
  assert_true (svc_check_error (r6, 404, "document.not_found"));
}

/* ------------------------------------------------------------ tokens */

static svc_response *
changes (const char *device, const char *token)
{
  return svc_request (svc, "GET", "/v1/changes?since=0", device, token, NULL, NULL, 0);
}

static void
test_token_refusals (void **state)
{
  (void) state;
  g_autoptr(svc_response) r1 = changes (SVC_COUNTER, NULL);
  assert_true (svc_check_error (r1, 401, "auth.token_missing"));
  g_autoptr(svc_response) r2 = changes (SVC_COUNTER, "not-a-token");
  assert_true (svc_check_error (r2, 401, "auth.token_invalid"));
  g_autoptr(svc_response) r3 = changes (SVC_COUNTER, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
  assert_true (svc_check_error (r3, 401, "auth.token_invalid"));
  /* Another scheme than Bearer. */
  g_autoptr(svc_client) c = svc_client_new (svc->url, svc->pki_dir, SVC_COUNTER);
  const char *basic[] = { "Authorization: Basic Zm9vOmJhcg==", NULL };
  g_autoptr(svc_response) r4 = svc_client_request (c, "GET", "/v1/changes?since=0", NULL, NULL,
                                                   NULL, 0, basic);
  assert_int_equal (r4->status, 401);
  /* A token taken with the kiosk's certificate, shown by the counter, and
   * one of unit 00008 shown by a device of 00004. */
  g_autofree char *kiosk = svc_token (svc, SVC_KIOSK);
  g_autoptr(svc_response) r5 = changes (SVC_COUNTER, kiosk);
  assert_true (svc_check_error (r5, 401, "auth.token_wrong_device"));
  g_autofree char *other = svc_token (svc, SVC_COUNTER_B);
  g_autoptr(svc_response) r6 = changes (SVC_COUNTER, other);
  assert_true (svc_check_error (r6, 401, "auth.token_wrong_device"));
  /* The owner's token works. */
  g_autoptr(svc_response) r7 = changes (SVC_KIOSK, kiosk);
  assert_int_equal (r7->status, 200);
}

static void
test_token_expiry_and_refresh (void **state)
{
  (void) state;
  g_autofree char *t1 = svc_token (svc, SVC_COUNTER);
  g_autoptr(svc_response) ok = changes (SVC_COUNTER, t1);
  assert_int_equal (ok->status, 200);
  long st = 0;
  g_autoptr(JsonNode) n = svc_admin (svc, "POST", "/admin/tokens/expire", NULL, &st);
  assert_int_equal (st, 200);
  g_autoptr(svc_response) r = changes (SVC_COUNTER, t1);
  assert_true (svc_check_error (r, 401, "auth.token_expired"));
  /* Refresh = ask for a new token. */
  g_autofree char *t2 = svc_token (svc, SVC_COUNTER);
  assert_non_null (t2);
  g_autoptr(svc_response) again = changes (SVC_COUNTER, t2);
  assert_int_equal (again->status, 200);
  /* The expired one stays expired. */
  g_autoptr(svc_response) still = changes (SVC_COUNTER, t1);
  assert_true (svc_check_error (still, 401, "auth.token_expired"));
}

static void
test_token_ttl (void **state)
{
  (void) state;
  long st = 0;
  g_autoptr(JsonNode) n = svc_admin (svc, "PUT", "/admin/tokens", "{\"ttl\":5}", &st);
  assert_int_equal (st, 200);
  g_autoptr(svc_response) r = svc_request (svc, "POST", "/v1/auth/token", SVC_COUNTER, NULL,
                                           NULL, NULL, 0);
  assert_int_equal (r->status, 200);
  assert_int_equal (svc_json_int (r->json, "/expires_in"), 5);
  g_autoptr(JsonNode) back = svc_admin (svc, "PUT", "/admin/tokens", "{\"ttl\":900}", &st);
  assert_int_equal (st, 200);
  g_autoptr(svc_response) r2 = svc_request (svc, "POST", "/v1/auth/token", SVC_COUNTER, NULL,
                                            NULL, NULL, 0);
  assert_int_equal (svc_json_int (r2->json, "/expires_in"), 900);
}

/* ------------------------------------------------------------ requests */

static void
test_request_errors (void **state)
{
  (void) state;
  g_autofree char *tok = svc_token (svc, SVC_COUNTER);
  g_autoptr(svc_response) r1 = svc_request (svc, "GET", "/v1/no-such-thing", SVC_COUNTER, tok,
                                            NULL, NULL, 0);
  assert_true (svc_check_error (r1, 404, "request.not_found"));
  g_autoptr(svc_response) r2 = svc_request (svc, "DELETE", "/v1/dossiers", SVC_COUNTER, tok,
                                            NULL, NULL, 0);
  assert_true (svc_check_error (r2, 405, "request.method_not_allowed"));
  g_autoptr(svc_response) r3 = svc_request (svc, "GET", "/v1/auth/token", SVC_COUNTER, NULL,
                                            NULL, NULL, 0);
  assert_true (svc_check_error (r3, 405, "request.method_not_allowed"));
  const char *env = "{\"transactionId\":\"x\"}";
  g_autoptr(svc_response) r4 = svc_request (svc, "POST", "/v1/dossiers", SVC_COUNTER, tok,
                                            "text/plain", env, strlen (env));
  assert_true (svc_check_error (r4, 415, "request.unsupported_media_type"));
  g_autoptr(svc_response) r5 = svc_request (svc, "POST", "/v1/dossiers", SVC_COUNTER, tok,
                                            "application/json", "{\"a\":", 5);
  assert_true (svc_check_error (r5, 400, "request.malformed_json"));
  g_autoptr(svc_response) r6 = svc_request (svc, "POST", "/v1/dossiers", SVC_COUNTER, tok,
                                            "application/json", "[1,2]", 5);
  assert_true (r6->status == 400);
  /* Content-Type with a charset parameter is still JSON. */
  g_autoptr(svc_response) r7 = svc_request (svc, "POST", "/v1/dossiers", SVC_COUNTER, tok,
                                            "application/json; charset=utf-8", "{}", 2);
  assert_true (svc_check_error (r7, 400, "dossier.bad_envelope"));
  /* Over 1 MiB. */
  gsize big = (1u << 20) + 4096;
  g_autofree char *huge = g_malloc (big);
  memset (huge, ' ', big);
  huge[0] = '{';
  huge[big - 1] = '}';
  g_autoptr(svc_response) r8 = svc_request (svc, "POST", "/v1/dossiers", SVC_COUNTER, tok,
                                            "application/json", huge, big);
  assert_true (svc_check_error (r8, 413, "request.too_large"));
  /* Bad query parameters of the changes feed. */
  g_autoptr(svc_response) r9 = svc_request (svc, "GET", "/v1/changes?since=abc", SVC_COUNTER,
                                            tok, NULL, NULL, 0);
  assert_true (svc_check_error (r9, 400, "request.bad_parameter"));
  g_autoptr(svc_response) r10 = svc_request (svc, "GET", "/v1/changes?since=0&limit=0",
                                             SVC_COUNTER, tok, NULL, NULL, 0);
  assert_true (svc_check_error (r10, 400, "request.bad_parameter"));
  g_autoptr(svc_response) r11 = svc_request (svc, "GET", "/v1/changes?since=0&limit=1001",
                                             SVC_COUNTER, tok, NULL, NULL, 0);
  assert_true (svc_check_error (r11, 400, "request.bad_parameter"));
}

/* The admin interface answers plain HTTP on loopback, and is not on the
 * TLS port. */
static void
test_admin_separate (void **state)
{
  (void) state;
  long st = 0;
  g_autoptr(JsonNode) stats = svc_admin (svc, "GET", "/admin/stats", NULL, &st);
  assert_int_equal (st, 200);
  assert_non_null (stats);
  g_autofree char *tok = svc_token (svc, SVC_COUNTER);
  g_autoptr(svc_response) r = svc_request (svc, "GET", "/admin/stats", SVC_COUNTER, tok, NULL,
                                           NULL, 0);
  assert_true (svc_check_error (r, 404, "request.not_found"));
}

int
main (void)
{
  svc_global_init ();
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_no_client_cert),
    cmocka_unit_test (test_rogue_ca),
    cmocka_unit_test (test_expired_cert),
    cmocka_unit_test (test_revoked_cert),
    cmocka_unit_test (test_server_identity),
    cmocka_unit_test (test_token_answer),
    cmocka_unit_test (test_device_kinds),
    cmocka_unit_test (test_token_refusals),
    cmocka_unit_test (test_token_ttl),
    cmocka_unit_test (test_token_expiry_and_refresh),
    cmocka_unit_test (test_request_errors),
    cmocka_unit_test (test_admin_separate),
  };
  int rc = cmocka_run_group_tests_name ("service-tls", tests, setup, teardown);
  curl_global_cleanup ();
  return rc;
}
