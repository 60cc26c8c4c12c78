/* test-device-key.c — wrapping the queue's data key: PEM file keys made
 * here with OpenSSL, and the SoftHSM2 "motcua-device" token of
 * make-tokens.sh (key generated on the token). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>

#include "motcua-device-key.h"
#include "motcua-error.h"
#include "test-tokens.h"

typedef struct {
  char *dir;
  char *key_a, *key_b, *key_ec;
  TestTokens *tokens;
} Fixture;

static char *
write_key (const char *dir, const char *name, EVP_PKEY *pkey)
{
  char *path = g_build_filename (dir, name, NULL);
  BIO *b = BIO_new_file (path, "w");
  assert_non_null (b);
  assert_int_equal (PEM_write_bio_PrivateKey (b, pkey, NULL, NULL, 0, NULL, NULL), 1);
  BIO_free (b);
  EVP_PKEY_free (pkey);
  return path;
}

static int
setup (void **state)
{
  Fixture *f = g_new0 (Fixture, 1);
  f->dir = g_dir_make_tmp ("motcua-devkey-XXXXXX", NULL);
  assert_non_null (f->dir);
  f->key_a = write_key (f->dir, "a.pem", EVP_RSA_gen (2048));
  f->key_b = write_key (f->dir, "b.pem", EVP_RSA_gen (2048));
  f->key_ec = write_key (f->dir, "ec.pem", EVP_EC_gen ("P-256"));
  f->tokens = test_tokens_new ();
  *state = f;
  return 0;
}

static int
teardown (void **state)
{
  Fixture *f = *state;
  g_unlink (f->key_a);
  g_unlink (f->key_b);
  g_unlink (f->key_ec);
  g_rmdir (f->dir);
  test_tokens_free (f->tokens);
  g_free (f->key_a);
  g_free (f->key_b);
  g_free (f->key_ec);
  g_free (f->dir);
  g_free (f);
  return 0;
}

static void
random_key (guint8 key[MOTCUA_DATA_KEY_LEN])
{
  assert_int_equal (RAND_bytes (key, MOTCUA_DATA_KEY_LEN), 1);
}

static void
assert_fingerprint (const char *fp)
{
  assert_non_null (fp);
  assert_int_equal (strlen (fp), 16);
  for (const char *c = fp; *c; c++)
    assert_true (g_ascii_isxdigit (*c) && !g_ascii_isupper (*c));
}

static void
test_file_round_trip (void **state)
{
  Fixture *f = *state;
  g_autoptr (GError) error = NULL;
  g_autoptr (MotcuaDeviceKey) a = motcua_device_key_open_file (f->key_a, &error);
  assert_null (error);
  assert_non_null (a);
  assert_fingerprint (motcua_device_key_get_fingerprint (a));

  guint8 key[MOTCUA_DATA_KEY_LEN], back[MOTCUA_DATA_KEY_LEN];
  random_key (key);
  g_autoptr (GBytes) w1 = motcua_device_key_wrap (a, key, &error);
  assert_null (error);
  g_autoptr (GBytes) w2 = motcua_device_key_wrap (a, key, &error);
  assert_null (error);
  assert_int_equal (g_bytes_get_size (w1), 256);
  /* OAEP is randomised: the same key wraps differently. */
  assert_false (g_bytes_equal (w1, w2));
  memset (back, 0, sizeof back);
  assert_true (motcua_device_key_unwrap (a, w1, back, &error));
  assert_null (error);
  assert_memory_equal (key, back, MOTCUA_DATA_KEY_LEN);
  memset (back, 0, sizeof back);
  assert_true (motcua_device_key_unwrap (a, w2, back, &error));
  assert_memory_equal (key, back, MOTCUA_DATA_KEY_LEN);

  /* The same file opened again has the same fingerprint. */
  g_autoptr (MotcuaDeviceKey) a2 = motcua_device_key_open_file (f->key_a, &error);
  assert_non_null (a2);
  assert_string_equal (motcua_device_key_get_fingerprint (a),
                       motcua_device_key_get_fingerprint (a2));
}

static void
test_file_wrong_key (void **state)
{
  Fixture *f = *state;
  g_autoptr (GError) error = NULL;
  g_autoptr (MotcuaDeviceKey) a = motcua_device_key_open_file (f->key_a, NULL);
  g_autoptr (MotcuaDeviceKey) b = motcua_device_key_open_file (f->key_b, NULL);
  assert_non_null (a);
  assert_non_null (b);
  assert_string_not_equal (motcua_device_key_get_fingerprint (a),
                           motcua_device_key_get_fingerprint (b));

  guint8 key[MOTCUA_DATA_KEY_LEN], back[MOTCUA_DATA_KEY_LEN];
  random_key (key);
  g_autoptr (GBytes) w = motcua_device_key_wrap (a, key, NULL);
  assert_non_null (w);
  assert_false (motcua_device_key_unwrap (b, w, back, &error));
  assert_true (g_error_matches (error, MOTCUA_ERROR, MOTCUA_ERROR_QUEUE_KEY));
}

static void
test_file_tampered (void **state)
{
  Fixture *f = *state;
  g_autoptr (MotcuaDeviceKey) a = motcua_device_key_open_file (f->key_a, NULL);
  guint8 key[MOTCUA_DATA_KEY_LEN], back[MOTCUA_DATA_KEY_LEN];
  random_key (key);
  g_autoptr (GBytes) w = motcua_device_key_wrap (a, key, NULL);
  gsize n = 0;
  const guint8 *p = g_bytes_get_data (w, &n);

  for (gsize pos = 0; pos < n; pos += 37)
    {
      g_autoptr (GError) error = NULL;
      guint8 *copy = g_memdup2 (p, n);
      copy[pos] ^= 0x01;
      g_autoptr (GBytes) bad = g_bytes_new_take (copy, n);
      if (motcua_device_key_unwrap (a, bad, back, &error))
        fail_msg ("tampered byte %zu accepted", (size_t) pos);
      assert_true (g_error_matches (error, MOTCUA_ERROR, MOTCUA_ERROR_QUEUE_KEY));
    }
  /* Truncated, extended and empty blobs. */
  const gsize lens[] = { n - 1, 0 };
  for (gsize i = 0; i < G_N_ELEMENTS (lens); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (GBytes) bad = g_bytes_new (p, lens[i]);
      assert_false (motcua_device_key_unwrap (a, bad, back, &error));
      assert_true (g_error_matches (error, MOTCUA_ERROR, MOTCUA_ERROR_QUEUE_KEY));
    }
  g_autoptr (GError) error = NULL;
  guint8 *longer = g_malloc0 (n + 1);
  memcpy (longer, p, n);
  g_autoptr (GBytes) bad = g_bytes_new_take (longer, n + 1);
  assert_false (motcua_device_key_unwrap (a, bad, back, &error));
  assert_true (g_error_matches (error, MOTCUA_ERROR, MOTCUA_ERROR_QUEUE_KEY));
}

static void
test_file_errors (void **state)
{
  Fixture *f = *state;
  g_autoptr (GError) e1 = NULL, e2 = NULL, e3 = NULL;
  g_autofree char *missing = g_build_filename (f->dir, "missing.pem", NULL);
  g_autofree char *cert = test_pki_path ("signing-ca-TEST-ONLY.pem");

  assert_null (motcua_device_key_open_file (missing, &e1));
  assert_true (g_error_matches (e1, MOTCUA_ERROR, MOTCUA_ERROR_IO));
  assert_null (motcua_device_key_open_file (cert, &e2));
  assert_true (g_error_matches (e2, MOTCUA_ERROR, MOTCUA_ERROR_KEY_NOT_FOUND));
  assert_null (motcua_device_key_open_file (f->key_ec, &e3));
  assert_true (g_error_matches (e3, MOTCUA_ERROR, MOTCUA_ERROR_KEY_NOT_FOUND));
}

static void
test_token_round_trip (void **state)
{
  Fixture *f = *state;
  assert_non_null (f->tokens);
  g_autoptr (GError) error = NULL;
  g_autoptr (MotcuaDeviceKey) d = motcua_device_key_open_pkcs11 (
    f->tokens->module, "motcua-device", "device", f->tokens->pin, &error);
  assert_null (error);
  assert_non_null (d);
  assert_fingerprint (motcua_device_key_get_fingerprint (d));

  guint8 key[MOTCUA_DATA_KEY_LEN], back[MOTCUA_DATA_KEY_LEN];
  random_key (key);
  g_autoptr (GBytes) w = motcua_device_key_wrap (d, key, &error);
  assert_null (error);
  assert_int_equal (g_bytes_get_size (w), 256);
  memset (back, 0, sizeof back);
  assert_true (motcua_device_key_unwrap (d, w, back, &error));
  assert_null (error);
  assert_memory_equal (key, back, MOTCUA_DATA_KEY_LEN);

  /* NULL labels: the first token's first RSA key — reopened, same key. */
  g_autoptr (MotcuaDeviceKey) d2 = motcua_device_key_open_pkcs11 (
    f->tokens->module, "motcua-device", NULL, f->tokens->pin, &error);
  assert_null (error);
  assert_string_equal (motcua_device_key_get_fingerprint (d),
                       motcua_device_key_get_fingerprint (d2));
  memset (back, 0, sizeof back);
  assert_true (motcua_device_key_unwrap (d2, w, back, &error));
  assert_memory_equal (key, back, MOTCUA_DATA_KEY_LEN);

  /* A file key cannot open what the token wrapped, nor the reverse. */
  g_autoptr (MotcuaDeviceKey) a = motcua_device_key_open_file (f->key_a, NULL);
  assert_false (motcua_device_key_unwrap (a, w, back, &error));
  assert_true (g_error_matches (error, MOTCUA_ERROR, MOTCUA_ERROR_QUEUE_KEY));
  g_clear_error (&error);
  g_autoptr (GBytes) wa = motcua_device_key_wrap (a, key, NULL);
  assert_false (motcua_device_key_unwrap (d, wa, back, &error));
  assert_true (g_error_matches (error, MOTCUA_ERROR, MOTCUA_ERROR_QUEUE_KEY));
  g_clear_error (&error);

  /* Tampered on the token path too. */
  gsize n = 0;
  guint8 *copy = g_memdup2 (g_bytes_get_data (w, &n), g_bytes_get_size (w));
  copy[n / 2] ^= 0x80;
  g_autoptr (GBytes) bad = g_bytes_new_take (copy, n);
  assert_false (motcua_device_key_unwrap (d, bad, back, &error));
  assert_true (g_error_matches (error, MOTCUA_ERROR, MOTCUA_ERROR_QUEUE_KEY));
}

static void
test_token_errors (void **state)
{
  Fixture *f = *state;
  assert_non_null (f->tokens);
  g_autoptr (GError) e1 = NULL, e2 = NULL, e3 = NULL, e4 = NULL, e5 = NULL;

  assert_null (motcua_device_key_open_pkcs11 (f->tokens->module, "motcua-device", "device",
                                              "000000", &e1));
  assert_true (g_error_matches (e1, MOTCUA_ERROR, MOTCUA_ERROR_PIN_INCORRECT));
  assert_null (strstr (e1->message, "000000"));
  assert_null (motcua_device_key_open_pkcs11 (f->tokens->module, "no-such-token", NULL,
                                              f->tokens->pin, &e2));
  assert_true (g_error_matches (e2, MOTCUA_ERROR, MOTCUA_ERROR_TOKEN_ABSENT));
  assert_null (motcua_device_key_open_pkcs11 (f->tokens->module, "motcua-device", "nope",
                                              f->tokens->pin, &e3));
  assert_true (g_error_matches (e3, MOTCUA_ERROR, MOTCUA_ERROR_KEY_NOT_FOUND));
  assert_null (motcua_device_key_open_pkcs11 ("/nonexistent/libnothing.so", NULL, NULL,
                                              f->tokens->pin, &e4));
  assert_true (g_error_matches (e4, MOTCUA_ERROR, MOTCUA_ERROR_TOKEN_MODULE));
  /* The clerk token has only EC... and RSA signing keys: clerk-ec is not RSA. */
  assert_null (motcua_device_key_open_pkcs11 (f->tokens->module, "motcua-clerk", "clerk-ec",
                                              f->tokens->pin, &e5));
  assert_true (g_error_matches (e5, MOTCUA_ERROR, MOTCUA_ERROR_KEY_NOT_FOUND));
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_file_round_trip),
    cmocka_unit_test (test_file_wrong_key),
    cmocka_unit_test (test_file_tampered),
    cmocka_unit_test (test_file_errors),
    cmocka_unit_test (test_token_round_trip),
    cmocka_unit_test (test_token_errors),
  };
  return cmocka_run_group_tests_name ("device-key", tests, setup, teardown);
}
