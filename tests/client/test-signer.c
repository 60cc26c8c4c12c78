/* test-signer.c — CMS and XML-DSig signing with SoftHSM2 tokens
 * (make-tokens.sh), verified by the openssl and xmlsec1 tools; PIN states
 * and PIN pad through tests/p11shim; the development file signer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <openssl/cms.h>
#include <openssl/objects.h>
#include <openssl/rand.h>

#include "motcua-error.h"
#include "motcua-signer.h"
#include "test-tokens.h"

typedef struct {
  TestTokens *tokens;
  char *dir;
  char *ca;
  char *shim_state;
} Fixture;

static int
setup (void **state)
{
  Fixture *f = g_new0 (Fixture, 1);
  f->tokens = test_tokens_new ();
  assert_non_null (f->tokens);
  f->dir = g_build_filename (f->tokens->dir, "work", NULL);
  assert_int_equal (g_mkdir (f->dir, 0700), 0);
  f->ca = test_pki_path ("signing-ca-TEST-ONLY.pem");
  f->shim_state = g_build_filename (f->dir, "shim-state", NULL);
  g_setenv ("MOTCUA_P11SHIM_TARGET", f->tokens->module, TRUE);
  g_setenv ("MOTCUA_P11SHIM_STATE", f->shim_state, TRUE);
  g_unsetenv ("MOTCUA_P11SHIM_PINPAD");
  *state = f;
  return 0;
}

static int
teardown (void **state)
{
  Fixture *f = *state;
  test_tokens_free (f->tokens);   /* removes f->dir too */
  g_free (f->dir);
  g_free (f->ca);
  g_free (f->shim_state);
  g_free (f);
  return 0;
}

/* Runs argv; TRUE when it exits 0. */
static gboolean
run (const char *const *argv)
{
  g_autofree char *out = NULL, *err = NULL;
  int status = -1;
  g_autoptr (GError) error = NULL;

  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err,
                     &status, &error))
    fail_msg ("cannot run %s: %s", argv[0], error->message);
  return g_spawn_check_wait_status (status, NULL);
}

static char *
write_file (Fixture *f, const char *name, GBytes *b)
{
  char *path = g_build_filename (f->dir, name, NULL);
  assert_true (g_file_set_contents (path, g_bytes_get_data (b, NULL), (gssize) g_bytes_get_size (b), NULL));
  return path;
}

/* openssl cms -verify of @cms over @data against the signing CA. */
static gboolean
cms_verifies (Fixture *f, GBytes *cms, GBytes *data)
{
  g_autofree char *cms_path = write_file (f, "sig.der", cms);
  g_autofree char *data_path = write_file (f, "data.bin", data);
  const char *argv[] = { "openssl", "cms", "-verify", "-binary", "-inform", "DER",
                         "-in", cms_path, "-content", data_path, "-CAfile", f->ca,
                         "-purpose", "any", "-out", "/dev/null", NULL };
  return run (argv);
}

/* The four CAdES-BES signed attributes, each exactly once. */
static void
assert_cades (GBytes *der)
{
  const unsigned char *p = g_bytes_get_data (der, NULL);
  CMS_ContentInfo *cms = d2i_CMS_ContentInfo (NULL, &p, (long) g_bytes_get_size (der));
  assert_non_null (cms);
  assert_non_null (CMS_get0_content (cms));
  assert_null (*CMS_get0_content (cms));   /* detached */
  STACK_OF (CMS_SignerInfo) *sis = CMS_get0_SignerInfos (cms);
  assert_int_equal (sk_CMS_SignerInfo_num (sis), 1);
  CMS_SignerInfo *si = sk_CMS_SignerInfo_value (sis, 0);
  const int nids[] = { NID_pkcs9_contentType, NID_pkcs9_messageDigest, NID_pkcs9_signingTime,
                       NID_id_smime_aa_signingCertificateV2 };
  for (gsize i = 0; i < G_N_ELEMENTS (nids); i++)
    {
      int at = CMS_signed_get_attr_by_NID (si, nids[i], -1);
      assert_true (at >= 0);
      assert_true (CMS_signed_get_attr_by_NID (si, nids[i], at) < 0);
    }
  STACK_OF (X509) *certs = CMS_get1_certs (cms);
  assert_int_equal (sk_X509_num (certs), 1);
  sk_X509_pop_free (certs, X509_free);
  CMS_ContentInfo_free (cms);
}

static GBytes *
random_data (gsize n)
{
  guint8 *d = g_malloc (n);
  assert_int_equal (RAND_bytes (d, (int) n), 1);
  d[0] = 0xEF;    /* a BOM-like start and a CR LF: signed as is */
  d[1] = 0xBB;
  d[2] = 0xBF;
  d[3] = '\r';
  d[4] = '\n';
  return g_bytes_new_take (d, n);
}

static void
check_cms (Fixture *f, MotcuaSigner *s)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) data = random_data (4000);
  g_autoptr (GBytes) cms = motcua_signer_sign_cms (s, data, &error);
  assert_null (error);
  assert_non_null (cms);
  assert_cades (cms);
  assert_true (cms_verifies (f, cms, data));

  gsize n = 0;
  guint8 *bad = g_memdup2 (g_bytes_get_data (data, &n), g_bytes_get_size (data));
  bad[n / 2] ^= 0x01;
  g_autoptr (GBytes) tampered = g_bytes_new_take (bad, n);
  assert_false (cms_verifies (f, cms, tampered));
}

static MotcuaSigner *
open_token (Fixture *f, const char *module, const char *token, const char *key)
{
  g_autoptr (GError) error = NULL;
  MotcuaSigner *s = motcua_signer_open_pkcs11 (module ? module : f->tokens->module, token, key, &error);
  assert_null (error);
  assert_non_null (s);
  return s;
}

static void
test_cms_token (void **state)
{
  Fixture *f = *state;
  const char *keys[] = { "clerk-rsa", "clerk-ec" };

  for (gsize i = 0; i < G_N_ELEMENTS (keys); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (MotcuaSigner) s = open_token (f, NULL, "motcua-clerk", keys[i]);
      assert_false (motcua_signer_has_pin_pad (s));
      assert_int_equal (motcua_signer_get_pin_state (s), MOTCUA_PIN_OK);
      assert_false (motcua_signer_is_logged_in (s));
      assert_non_null (strstr (motcua_signer_get_subject (s), "TEST ONLY"));
      assert_non_null (strstr (motcua_signer_get_subject (s), "CN="));

      /* Not logged in: no signature. */
      g_autoptr (GBytes) data = g_bytes_new_static ("x", 1);
      assert_null (motcua_signer_sign_cms (s, data, &error));
      assert_true (g_error_matches (error, MOTCUA_ERROR, MOTCUA_ERROR_SIGN_FAILED));
      g_clear_error (&error);

      assert_true (motcua_signer_login (s, f->tokens->pin, &error));
      assert_null (error);
      assert_true (motcua_signer_is_logged_in (s));
      check_cms (f, s);
    }
}

static void
test_open_errors (void **state)
{
  Fixture *f = *state;
  g_autoptr (GError) e1 = NULL, e2 = NULL, e3 = NULL, e4 = NULL;

  assert_null (motcua_signer_open_pkcs11 ("/nonexistent/libnothing.so", NULL, NULL, &e1));
  assert_true (g_error_matches (e1, MOTCUA_ERROR, MOTCUA_ERROR_TOKEN_MODULE));
  assert_null (motcua_signer_open_pkcs11 (f->tokens->module, "no-such-token", NULL, &e2));
  assert_true (g_error_matches (e2, MOTCUA_ERROR, MOTCUA_ERROR_TOKEN_ABSENT));
  assert_null (motcua_signer_open_pkcs11 (f->tokens->module, "motcua-clerk", "nope", &e3));
  assert_true (g_error_matches (e3, MOTCUA_ERROR, MOTCUA_ERROR_KEY_NOT_FOUND));
  /* The device token has a key but no certificate. */
  assert_null (motcua_signer_open_pkcs11 (f->tokens->module, "motcua-device", NULL, &e4));
  assert_true (g_error_matches (e4, MOTCUA_ERROR, MOTCUA_ERROR_KEY_NOT_FOUND));

  /* NULL labels: the first token with a certificate. */
  g_autoptr (MotcuaSigner) s = open_token (f, NULL, NULL, NULL);
  g_autoptr (GError) error = NULL;
  assert_true (motcua_signer_login (s, f->tokens->pin, &error));
  check_cms (f, s);
}

/* A small unsigned birth-certificate package, as a hospital system makes. */
static GBytes *
unsigned_package (void)
{
  const char *xml =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<HSDLGCS xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\">"
    "<GIAYCHUNGSINH Id=\"Id-3f0c5a8e-8d0b-4c52-9b55-0a1e7c2f4d61\">"
    "<MA_GCS>00451.GCS.01001.26</MA_GCS><HOTEN_NND>Nguyễn Thị Hoa</HOTEN_NND>"
    "<TEN_CON>Trần Minh Khang</TEN_CON><GHI_CHU> </GHI_CHU>"
    "</GIAYCHUNGSINH><CHUKYDONVI/></HSDLGCS>";
  return g_bytes_new_static (xml, strlen (xml));
}

static gboolean
xml_verifies (Fixture *f, GBytes *xml)
{
  g_autofree char *path = write_file (f, "signed.xml", xml);
  const char *argv[] = { "xmlsec1", "--verify", "--trusted-pem", f->ca,
                         "--id-attr:Id", "GIAYCHUNGSINH", path, NULL };
  return run (argv);
}

static void
check_xml (Fixture *f, MotcuaSigner *s, gboolean ec)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) in = unsigned_package ();
  g_autoptr (GBytes) out = motcua_signer_sign_xml (s, in, &error);
  assert_null (error);
  assert_non_null (out);
  g_autofree char *text = g_strndup (g_bytes_get_data (out, NULL), g_bytes_get_size (out));
  assert_non_null (strstr (text, "<CHUKYDONVI><Signature xmlns=\"http://www.w3.org/2000/09/xmldsig#\" "
                                 "Id=\"CHUKYDONVI-Id-3f0c5a8e-8d0b-4c52-9b55-0a1e7c2f4d61\">"));
  assert_non_null (strstr (text, ec ? "xmldsig-more#ecdsa-sha256" : "xmldsig-more#rsa-sha256"));
  assert_non_null (strstr (text, "URI=\"#Object-CHUKYDONVI-Id-3f0c"));
  assert_non_null (strstr (text, "<SignatureProperties xmlns=\"\">"));
  assert_null (strstr (text, "Transform "));
  assert_true (g_str_has_suffix (g_strchomp (text), "</CHUKYDONVI></HSDLGCS>"));
  assert_true (xml_verifies (f, out));

  /* One changed letter in a field breaks the signature. */
  char *p = strstr (text, "Khang");
  assert_non_null (p);
  p[0] = 'X';
  g_autoptr (GBytes) tampered = g_bytes_new (text, strlen (text));
  assert_false (xml_verifies (f, tampered));

  /* An already signed package is not signed again. */
  g_autoptr (GBytes) again = motcua_signer_sign_xml (s, out, &error);
  assert_null (again);
  assert_true (g_error_matches (error, MOTCUA_ERROR, MOTCUA_ERROR_DOCUMENT_FORMAT));
}

static void
test_xml_token (void **state)
{
  Fixture *f = *state;
  const char *keys[] = { "hospital-rsa", "hospital-ec" };

  for (gsize i = 0; i < G_N_ELEMENTS (keys); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (MotcuaSigner) s = open_token (f, NULL, "motcua-hospital", keys[i]);
      assert_true (motcua_signer_login (s, f->tokens->pin, &error));
      check_xml (f, s, i == 1);
    }
}

static void
test_xml_refused (void **state)
{
  Fixture *f = *state;
  g_autofree char *cert = test_pki_path ("hospital-rsa-TEST-ONLY.pem");
  g_autofree char *key = test_pki_path ("hospital-rsa-TEST-ONLY.key");
  g_autoptr (MotcuaSigner) s = motcua_signer_open_file (cert, key, NULL);
  assert_non_null (s);
  (void) f;
  const char *bad[] = {
    "<HSDLGCS><GIAYCHUNGSINH Id=\"Id-1\"><A>1</A></GIAYCHUNGSINH>",           /* not well formed */
    "<!DOCTYPE HSDLGCS []><HSDLGCS><GIAYCHUNGSINH Id=\"Id-1\"/></HSDLGCS>",   /* a DTD */
    "<OTHER><GIAYCHUNGSINH Id=\"Id-1\"/></OTHER>",                             /* wrong root */
    "<HSDLGCS><GIAYBAOTU Id=\"Id-1\"/></HSDLGCS>",                              /* wrong element */
    "<HSDLGCS><GIAYCHUNGSINH Id=\"1 2\"/></HSDLGCS>",                           /* bad Id */
    "<HSDLGCS><GIAYCHUNGSINH Id=\"Id-1\"/><X/></HSDLGCS>",                      /* extra element */
    "",
  };
  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (GBytes) in = g_bytes_new_static (bad[i], strlen (bad[i]));
      g_autoptr (GBytes) out = motcua_signer_sign_xml (s, in, &error);
      if (out != NULL)
        fail_msg ("signed bad package %zu", (size_t) i);
      assert_true (g_error_matches (error, MOTCUA_ERROR, MOTCUA_ERROR_DOCUMENT_FORMAT));
    }
  /* Without an Id the signer adds one. */
  g_autoptr (GError) error = NULL;
  const char *no_id = "<HSDLGBT><GIAYBAOTU><MA_GBT>1</MA_GBT></GIAYBAOTU></HSDLGBT>";
  g_autoptr (GBytes) in = g_bytes_new_static (no_id, strlen (no_id));
  g_autoptr (GBytes) out = motcua_signer_sign_xml (s, in, &error);
  assert_null (error);
  g_autofree char *text = g_strndup (g_bytes_get_data (out, NULL), g_bytes_get_size (out));
  assert_non_null (strstr (text, "<GIAYBAOTU Id=\"Id-"));
}

static void
write_shim_state (Fixture *f, const char *count)
{
  assert_true (g_file_set_contents (f->shim_state, count, -1, NULL));
}

static void
test_pin_states (void **state)
{
  Fixture *f = *state;
  write_shim_state (f, "0\n");

  /* Plain SoftHSM2: wrong PIN, tries never run low. */
  {
    g_autoptr (GError) error = NULL;
    g_autoptr (MotcuaSigner) s = open_token (f, NULL, "motcua-clerk", "clerk-rsa");
    assert_false (motcua_signer_login (s, "000000", &error));
    assert_true (g_error_matches (error, MOTCUA_ERROR, MOTCUA_ERROR_PIN_INCORRECT));
    assert_null (strstr (error->message, "000000"));
    assert_false (motcua_signer_is_logged_in (s));
  }

  g_autoptr (MotcuaSigner) s = open_token (f, P11SHIM_PATH, "motcua-clerk", "clerk-rsa");
  assert_int_equal (motcua_signer_get_pin_state (s), MOTCUA_PIN_OK);
  const MotcuaPinState after[] = { MOTCUA_PIN_COUNT_LOW, MOTCUA_PIN_FINAL_TRY, MOTCUA_PIN_LOCKED };
  const int codes[] = { MOTCUA_ERROR_PIN_INCORRECT, MOTCUA_ERROR_PIN_INCORRECT, MOTCUA_ERROR_PIN_LOCKED };
  for (gsize i = 0; i < G_N_ELEMENTS (after); i++)
    {
      g_autoptr (GError) error = NULL;
      assert_false (motcua_signer_login (s, "000000", &error));
      assert_non_null (error);
      if (!g_error_matches (error, MOTCUA_ERROR, codes[i]))
        fail_msg ("try %zu: %s", (size_t) i, error->message);
      assert_int_equal (motcua_signer_get_pin_state (s), after[i]);
    }
  /* Locked: the right PIN does not help, and reopening remembers it. */
  g_autoptr (GError) error = NULL;
  assert_false (motcua_signer_login (s, f->tokens->pin, &error));
  assert_true (g_error_matches (error, MOTCUA_ERROR, MOTCUA_ERROR_PIN_LOCKED));
  g_clear_error (&error);
  g_clear_pointer (&s, motcua_signer_free);
  s = open_token (f, P11SHIM_PATH, "motcua-clerk", "clerk-rsa");
  assert_int_equal (motcua_signer_get_pin_state (s), MOTCUA_PIN_LOCKED);

  /* Unlocked (by the administrator): one wrong, then the right PIN. */
  write_shim_state (f, "0\n");
  assert_false (motcua_signer_login (s, "999999", &error));
  assert_true (g_error_matches (error, MOTCUA_ERROR, MOTCUA_ERROR_PIN_INCORRECT));
  assert_non_null (strstr (error->message, "tries running low"));
  g_clear_error (&error);
  assert_true (motcua_signer_login (s, f->tokens->pin, &error));
  assert_null (error);
  assert_int_equal (motcua_signer_get_pin_state (s), MOTCUA_PIN_OK);
  check_cms (f, s);
}

static void
test_pin_pad (void **state)
{
  Fixture *f = *state;
  write_shim_state (f, "0\n");
  g_setenv ("MOTCUA_P11SHIM_PINPAD", f->tokens->pin, TRUE);
  {
    g_autoptr (GError) error = NULL;
    g_autoptr (MotcuaSigner) s = open_token (f, P11SHIM_PATH, "motcua-clerk", "clerk-ec");
    assert_true (motcua_signer_has_pin_pad (s));
    assert_true (motcua_signer_login (s, NULL, &error));
    assert_null (error);
    check_cms (f, s);
  }
  g_unsetenv ("MOTCUA_P11SHIM_PINPAD");
  g_autoptr (MotcuaSigner) s = open_token (f, P11SHIM_PATH, "motcua-clerk", "clerk-ec");
  assert_false (motcua_signer_has_pin_pad (s));
}

static void
test_file_signer (void **state)
{
  Fixture *f = *state;
  const char *names[] = { "clerk-rsa", "clerk-ec" };

  for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *certn = g_strdup_printf ("%s-TEST-ONLY.pem", names[i]);
      g_autofree char *keyn = g_strdup_printf ("%s-TEST-ONLY.key", names[i]);
      g_autofree char *cert = test_pki_path (certn);
      g_autofree char *key = test_pki_path (keyn);
      g_autoptr (GError) error = NULL;
      g_autoptr (MotcuaSigner) s = motcua_signer_open_file (cert, key, &error);
      assert_null (error);
      assert_true (motcua_signer_is_logged_in (s));
      assert_true (motcua_signer_login (s, NULL, &error));
      assert_false (motcua_signer_has_pin_pad (s));
      assert_int_equal (motcua_signer_get_pin_state (s), MOTCUA_PIN_OK);

      /* The certificate is the PEM file's. */
      g_autoptr (GBytes) der = motcua_signer_get_certificate (s);
      g_autofree char *pem = NULL;
      assert_true (g_file_get_contents (cert, &pem, NULL, NULL));
      char *b = strstr (pem, "-----\n");
      assert_non_null (b);
      char *e = strstr (b, "-----END");
      assert_non_null (e);
      *e = '\0';
      gsize n = 0;
      g_autofree guchar *raw = g_base64_decode (b + 6, &n);
      g_autoptr (GBytes) want = g_bytes_new (raw, n);
      assert_true (g_bytes_equal (der, want));
      check_cms (f, s);
    }

  /* A key that is not the certificate's. */
  g_autoptr (GError) error = NULL;
  g_autofree char *cert = test_pki_path ("clerk-rsa-TEST-ONLY.pem");
  g_autofree char *key = test_pki_path ("clerk-ec-TEST-ONLY.key");
  assert_null (motcua_signer_open_file (cert, key, &error));
  assert_true (g_error_matches (error, MOTCUA_ERROR, MOTCUA_ERROR_KEY_NOT_FOUND));
  g_clear_error (&error);
  g_autofree char *missing = g_build_filename (f->dir, "missing.pem", NULL);
  assert_null (motcua_signer_open_file (missing, key, &error));
  assert_true (g_error_matches (error, MOTCUA_ERROR, MOTCUA_ERROR_IO));
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_cms_token),
    cmocka_unit_test (test_open_errors),
    cmocka_unit_test (test_xml_token),
    cmocka_unit_test (test_xml_refused),
    cmocka_unit_test (test_pin_states),
    cmocka_unit_test (test_pin_pad),
    cmocka_unit_test (test_file_signer),
  };
  return cmocka_run_group_tests_name ("signer", tests, setup, teardown);
}
