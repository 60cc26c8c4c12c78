/* test-service-refusals.c — dossiers the reference service must refuse
 *
 * One motcua-refsvc process for the group.  Invalid payloads (every
 * invalid field listed with its JSON Pointer), bad envelopes, each CMS
 * signature refusal (tampered, rogue, revoked, expired, not CAdES,
 * malformed) and each card-presence refusal; nothing refused is stored. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/cms.h>
#include <openssl/pem.h>

#include "service-harness.h"
#include "testsign.h"

static svc_service *svc;
static GBytes *birth, *death;

static int
setup (void **state)
{
  (void) state;
  return svc_group_start (&svc, &birth, &death) ? 0 : -1;
}

static int
teardown (void **state)
{
  (void) state;
  return svc_group_stop (svc, &birth, &death) ? 0 : -1;
}

static svc_response *
send_as (const char *device, const char *envelope)
{
  return svc_submit_as (svc, device, envelope);
}

static GBytes *
patched (GBytes *sample, const char *const *edits)
{
  GBytes *p = svc_json_patch_all (sample, edits);
  assert_non_null (p);
  return p;
}


static svc_response *
send_payload (const char *procedure, GBytes *payload)
{
  g_autofree char *txid = g_uuid_string_random ();
  g_autofree char *env = svc_signed_envelope (txid, procedure, payload, "clerk-rsa-TEST-ONLY",
                                              FALSE);
  assert_non_null (env);
  return send_as (SVC_COUNTER, env);
}

static void
test_invalid_payload (void **state)
{
  (void) state;
  const char *bad_birth[] = {
    "/khaiSinh/nksHoTen", NULL,                       /* required */
    "/khaiSinh/nksNgaySinh", "\"ngày mai\"",          /* format */
    "/khaiSinh/nksGioiTinh", "\"7\"",                 /* code list */
    "/khaiSinh/meSoGiayToTuyThan", "\"12AB\"",        /* format */
    NULL
  };
  gint64 d0 = svc_stat (svc, "/stored/dossiers");
  g_autoptr(GBytes) p = patched (birth, bad_birth);
  g_autoptr(svc_response) r = send_payload ("birth", p);
  assert_true (svc_check_error (r, 422, "dossier.invalid"));
  for (size_t i = 0; bad_birth[i]; i += 2)
    assert_true (svc_check_field (r, bad_birth[i]));

  const char *bad_death[] = {
    "/khaiTu/nktHoTen", "\"\"",
    "/khaiTu/nktNgayChet", "\"2099-13-45\"",
    NULL
  };
  g_autoptr(GBytes) d = patched (death, bad_death);
  g_autoptr(svc_response) r2 = send_payload ("death", d);
  assert_true (svc_check_error (r2, 422, "dossier.invalid"));
  for (size_t i = 0; bad_death[i]; i += 2)
    assert_true (svc_check_field (r2, bad_death[i]));

  /* A birth payload sent as a death dossier. */
  g_autoptr(svc_response) r3 = send_payload ("death", birth);
  assert_true (svc_check_error (r3, 422, "dossier.invalid"));
  /* A payload that is not JSON at all. */
  g_autoptr(GBytes) junk = g_bytes_new_static ("not json", 8);
  g_autoptr(svc_response) r4 = send_payload ("birth", junk);
  assert_int_equal (r4->status, 422);
  assert_string_equal (svc_json_str (r4->json, "/error/code"), "dossier.invalid");
  /* Nothing of this was stored. */
  assert_int_equal (svc_stat (svc, "/stored/dossiers"), d0);
}

/* An envelope member replaced (value: JSON text) or removed (NULL). */
static void
bad_envelope (const char *member, const char *value, const char *field)
{
  g_autofree char *txid = g_uuid_string_random ();
  g_autofree char *env = svc_signed_envelope (txid, "birth", birth, "clerk-rsa-TEST-ONLY", FALSE);
  g_autoptr(GBytes) eb = g_bytes_new (env, strlen (env));
  g_autoptr(GBytes) bad = svc_json_patch (eb, member, value);
  assert_non_null (bad);
  g_autofree char *text = g_strndup (g_bytes_get_data (bad, NULL), g_bytes_get_size (bad));
  g_autoptr(svc_response) r = send_as (SVC_COUNTER, text);
  assert_true (svc_check_error (r, 400, "dossier.bad_envelope"));
  assert_true (svc_check_field (r, field));
}

static void
test_bad_envelope (void **state)
{
  (void) state;
  bad_envelope ("/transactionId", NULL, "/transactionId");
  bad_envelope ("/transactionId", "\"not-a-uuid\"", "/transactionId");
  bad_envelope ("/transactionId", "\"9F1C6B2E-8A4D-4E2B-9C3A-1D2E3F4A5B6C\"", "/transactionId");
  bad_envelope ("/procedure", "\"marriage\"", "/procedure");
  bad_envelope ("/procedure", NULL, "/procedure");
  bad_envelope ("/payload", "\"%%%not base64%%%\"", "/payload");
  bad_envelope ("/payload", "\"\"", "/payload");
  bad_envelope ("/payload", "42", "/payload");
  bad_envelope ("/signature", NULL, "/signature");
  bad_envelope ("/cardPresence", "{\"aaSignature\":\"AAAA\"}", "/cardPresence/dg15");

  /* Idempotency-Key must be the transaction id. */
  g_autofree char *txid = g_uuid_string_random ();
  g_autofree char *other = g_uuid_string_random ();
  g_autofree char *env = svc_signed_envelope (txid, "birth", birth, "clerk-rsa-TEST-ONLY", FALSE);
  g_autofree char *tok = svc_token (svc, SVC_COUNTER);
  g_autoptr(svc_client) c = svc_client_new (svc->url, svc->pki_dir, SVC_COUNTER);
  g_autofree char *hdr = g_strdup_printf ("Idempotency-Key: %s", other);
  const char *hdrs[] = { hdr, NULL };
  g_autoptr(svc_response) r = svc_client_request (c, "POST", "/v1/dossiers", tok,
                                                  "application/json", env, strlen (env), hdrs);
  assert_true (svc_check_error (r, 400, "dossier.bad_envelope"));
  assert_true (svc_check_field (r, "/transactionId"));
  g_autofree char *good = g_strdup_printf ("Idempotency-Key: %s", txid);
  const char *hdrs2[] = { good, NULL };
  g_autoptr(svc_response) r2 = svc_client_request (c, "POST", "/v1/dossiers", tok,
                                                   "application/json", env, strlen (env), hdrs2);
  assert_int_equal (r2->status, 201);
}

/* A CMS SignedData without signed attributes (plain PKCS#7 style), made
 * with OpenSSL directly: testsign always makes CAdES-BES. */
static GBytes *
cms_without_attributes (const char *signer, GBytes *payload)
{
  g_autofree char *pem = g_strdup_printf ("%s/%s.pem", svc->pki_dir, signer);
  g_autofree char *keyf = g_strdup_printf ("%s/%s.key", svc->pki_dir, signer);
  BIO *cb = BIO_new_file (pem, "r"), *kb = BIO_new_file (keyf, "r");
  X509 *cert = cb ? PEM_read_bio_X509 (cb, NULL, NULL, NULL) : NULL;
  EVP_PKEY *key = kb ? PEM_read_bio_PrivateKey (kb, NULL, NULL, NULL) : NULL;
  BIO *in = BIO_new_mem_buf (g_bytes_get_data (payload, NULL), (int) g_bytes_get_size (payload));
  CMS_ContentInfo *cms = cert && key ? CMS_sign (cert, key, NULL, in,
                                                 CMS_DETACHED | CMS_BINARY | CMS_NOATTR) : NULL;
  unsigned char *der = NULL;
  int n = cms ? i2d_CMS_ContentInfo (cms, &der) : -1;
  GBytes *out = n > 0 ? g_bytes_new (der, (gsize) n) : NULL;
  OPENSSL_free (der);
  CMS_ContentInfo_free (cms);
  BIO_free (in);
  EVP_PKEY_free (key);
  X509_free (cert);
  BIO_free (kb);
  BIO_free (cb);
  return out;
}

static void
refused_signature (GBytes *payload, GBytes *signature, const char *code)
{
  g_autofree char *txid = g_uuid_string_random ();
  g_autofree char *env = svc_envelope (txid, "birth", payload, signature, NULL, NULL, NULL);
  g_autoptr(svc_response) r = send_as (SVC_COUNTER, env);
  assert_true (svc_check_error (r, 422, code));
  assert_int_equal (svc_admin_count_transaction (svc, txid), 0);
}

static GBytes *
sign (const char *signer, GBytes *payload)
{
  GBytes *s = testsign_cms (signer, g_bytes_get_data (payload, NULL), g_bytes_get_size (payload));
  assert_non_null (s);
  return s;
}

static void
test_signature_refusals (void **state)
{
  (void) state;
  /* Tampered: the signature is over the original bytes, the payload sent
   * is another valid dossier (payload checks pass, the CMS does not). */
  const char *edit[] = { "/khaiSinh/nycSoDienThoai", "\"0912345679\"", NULL };
  g_autoptr(GBytes) tampered = patched (birth, edit);
  g_autoptr(GBytes) s_orig = sign ("clerk-rsa-TEST-ONLY", birth);
  refused_signature (tampered, s_orig, "signature.invalid");
  g_autoptr(GBytes) s_ec = sign ("clerk-ec-TEST-ONLY", birth);
  refused_signature (tampered, s_ec, "signature.invalid");

  g_autoptr(GBytes) rogue = sign ("signer-rogue-TEST-ONLY", birth);
  refused_signature (birth, rogue, "signature.unknown_signer");
  g_autoptr(GBytes) revoked = sign ("signer-revoked-TEST-ONLY", birth);
  refused_signature (birth, revoked, "signature.revoked");
  g_autoptr(GBytes) expired = sign ("signer-expired-TEST-ONLY", birth);
  refused_signature (birth, expired, "signature.expired");
  /* A device certificate is not a signing certificate (other CA). */
  g_autoptr(GBytes) device = sign ("counter-TEST-ONLY", birth);
  refused_signature (birth, device, "signature.unknown_signer");

  g_autoptr(GBytes) plain = cms_without_attributes ("clerk-rsa-TEST-ONLY", birth);
  assert_non_null (plain);
  refused_signature (birth, plain, "signature.not_cades");
  g_autoptr(GBytes) junk = g_bytes_new_static ("\x30\x03\x02\x01\x01", 5);
  refused_signature (birth, junk, "signature.malformed");
}

static void
test_presence_refusals (void **state)
{
  (void) state;
  gsize len = 0;
  const guint8 *d = g_bytes_get_data (birth, &len);
  g_autoptr(GBytes) sig = sign ("clerk-ec-TEST-ONLY", birth);
  /* The chip signed the challenge of another dossier. */
  g_autoptr(GBytes) aa = NULL, dg15 = NULL, sod = NULL;
  assert_true (testsign_presence ("cccd-2021", g_bytes_get_data (death, NULL),
                                  g_bytes_get_size (death), &aa, &dg15, &sod));
  g_autofree char *txid = g_uuid_string_random ();
  g_autofree char *env = svc_envelope (txid, "birth", birth, sig, aa, dg15, sod);
  g_autoptr(svc_response) r = send_as (SVC_COUNTER, env);
  assert_true (svc_check_error (r, 422, "presence.invalid"));

  /* Another card's DG15 than the one its SOD lists. */
  g_autoptr(GBytes) aa2 = NULL, dg15b = NULL, sod2 = NULL;
  assert_true (testsign_presence ("cancuoc-2024", d, len, &aa2, &dg15b, &sod2));
  g_autofree char *t2 = g_uuid_string_random ();
  g_autofree char *e2 = svc_envelope (t2, "birth", birth, sig, aa2, dg15, sod2);
  g_autoptr(svc_response) r2 = send_as (SVC_COUNTER, e2);
  assert_true (svc_check_error (r2, 422, "presence.dg15_mismatch"));
  /* That card's own proof, whole, is fine. */
  g_autofree char *t4 = g_uuid_string_random ();
  g_autofree char *e4 = svc_envelope (t4, "birth", birth, sig, aa2, dg15b, sod2);
  g_autoptr(svc_response) r4 = send_as (SVC_COUNTER, e4);
  assert_int_equal (r4->status, 201);
  assert_string_equal (svc_json_str (r4->json, "/cardPresence"), "verified");
  /* Not a SOD at all. */
  g_autoptr(GBytes) junk = g_bytes_new_static ("junk", 4);
  g_autofree char *t3 = g_uuid_string_random ();
  g_autofree char *e3 = svc_envelope (t3, "birth", birth, sig, aa, dg15, junk);
  g_autoptr(svc_response) r3 = send_as (SVC_COUNTER, e3);
  assert_true (svc_check_error (r3, 422, "presence.malformed"));
}

int
main (void)
{
  svc_global_init ();
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_invalid_payload),
    cmocka_unit_test (test_bad_envelope),
    cmocka_unit_test (test_signature_refusals),
    cmocka_unit_test (test_presence_refusals),
  };
  int rc = cmocka_run_group_tests_name ("service-refusals", tests, setup, teardown);
  curl_global_cleanup ();
  return rc;
}
