/* motcua-device-key.c — the device key that wraps the queue's data key
 *
 * Wrap: RSA-OAEP, SHA-256 for both the label hash and MGF1, with the
 * public key (a plain software copy, so wrapping never touches the token).
 * Unwrap: the same with the private key.  On a token the private key is
 * libp11's EVP_PKEY: OpenSSL runs OAEP-SHA256 with the token's raw RSA
 * operation underneath (libp11's RSA method, CKM_RSA_X_509), so the data
 * key is decrypted with the token's key that never leaves it.
 *
 * The wrapped form is the bare RSA ciphertext (modulus length); the
 * fingerprint stored beside it names the key. */
#define G_LOG_DOMAIN "motcua-device-key"

#include <string.h>

#include <glib/gi18n-lib.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include "motcua-device-key.h"
#include "motcua-error.h"
#include "motcua-signer-private.h"

struct _MotcuaDeviceKey {
  MotcuaP11   p11;         /* unused (zero) for a file key */
  EVP_PKEY   *priv;        /* token or file private key */
  EVP_PKEY   *pub;         /* software public key */
  char       *fingerprint;
};

void
motcua_device_key_free (MotcuaDeviceKey *self)
{
  if (self == NULL)
    return;
  /* Keys before the module goes away. */
  EVP_PKEY_free (self->priv);
  EVP_PKEY_free (self->pub);
  motcua_p11_clear (&self->p11);
  g_free (self->fingerprint);
  g_free (self);
}

/* Fills pub and fingerprint from priv. */
static gboolean
finish_open (MotcuaDeviceKey *self, GError **error)
{
  if (EVP_PKEY_base_id (self->priv) != EVP_PKEY_RSA)
    {
      motcua_error_set (error, MOTCUA_ERROR_KEY_NOT_FOUND, _("khoá thiết bị phải là RSA (the device key must be RSA)"));
      return FALSE;
    }
  self->pub = motcua_p11_public_copy (self->priv);
  self->fingerprint = self->pub ? motcua_p11_spki_fingerprint (self->pub) : NULL;
  if (self->fingerprint == NULL)
    {
      motcua_error_set (error, MOTCUA_ERROR_KEY_NOT_FOUND, _("không đọc được khoá công khai (no public key)"));
      return FALSE;
    }
  return TRUE;
}

MotcuaDeviceKey *
motcua_device_key_open_pkcs11 (const char *module_path, const char *token_label,
                               const char *key_label, const char *pin, GError **error)
{
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  g_autoptr (MotcuaDeviceKey) self = g_new0 (MotcuaDeviceKey, 1);
  if (!motcua_p11_load (&self->p11, module_path, error)
      || !motcua_p11_select (&self->p11, token_label, error)
      || !motcua_p11_login (&self->p11, pin, error))
    return NULL;

  PKCS11_KEY *keys = NULL, *key = NULL;
  unsigned int nkeys = 0;
  if (PKCS11_enumerate_keys (self->p11.slot->token, &keys, &nkeys) != 0)
    nkeys = 0;
  for (unsigned int i = 0; i < nkeys && key == NULL; i++)
    {
      if (!keys[i].isPrivate || PKCS11_get_key_type (&keys[i]) != EVP_PKEY_RSA)
        continue;
      if (key_label == NULL || g_strcmp0 (keys[i].label, key_label) == 0)
        key = &keys[i];
    }
  if (key == NULL)
    {
      ERR_clear_error ();
      motcua_error_set (error, MOTCUA_ERROR_KEY_NOT_FOUND, _("không có khoá RSA \"%s\" (no RSA key \"%s\")"),
                        key_label ? key_label : "*", key_label ? key_label : "*");
      return NULL;
    }
  /* The public half is copied from libp11's private-key object (it carries
   * the modulus and exponent); PKCS11_get_public_key leaks in 0.4.12. */
  self->priv = PKCS11_get_private_key (key);
  gboolean ok = self->priv != NULL && finish_open (self, error);
  ERR_clear_error ();
  if (!ok)
    {
      if (self->priv == NULL)
        motcua_error_set (error, MOTCUA_ERROR_KEY_NOT_FOUND, NULL);
      return NULL;
    }
  return g_steal_pointer (&self);
}

MotcuaDeviceKey *
motcua_device_key_open_file (const char *key_path, GError **error)
{
  g_return_val_if_fail (key_path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  g_autoptr (MotcuaDeviceKey) self = g_new0 (MotcuaDeviceKey, 1);
  BIO *b = BIO_new_file (key_path, "r");
  if (b == NULL)
    {
      ERR_clear_error ();
      motcua_error_set (error, MOTCUA_ERROR_IO, "%s", key_path);
      return NULL;
    }
  self->priv = PEM_read_bio_PrivateKey (b, NULL, NULL, NULL);
  BIO_free (b);
  ERR_clear_error ();
  if (self->priv == NULL)
    {
      motcua_error_set (error, MOTCUA_ERROR_KEY_NOT_FOUND, _("tệp không chứa khoá riêng PEM (no PEM private key in %s)"), key_path);
      return NULL;
    }
  if (!finish_open (self, error))
    return NULL;
  return g_steal_pointer (&self);
}

/* An OAEP-SHA256 context for @key, encrypting or decrypting. */
static EVP_PKEY_CTX *
oaep_ctx (EVP_PKEY *key, gboolean encrypt)
{
  EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new (key, NULL);
  if (ctx == NULL
      || (encrypt ? EVP_PKEY_encrypt_init (ctx) : EVP_PKEY_decrypt_init (ctx)) != 1
      || EVP_PKEY_CTX_set_rsa_padding (ctx, RSA_PKCS1_OAEP_PADDING) != 1
      || EVP_PKEY_CTX_set_rsa_oaep_md (ctx, EVP_sha256 ()) != 1
      || EVP_PKEY_CTX_set_rsa_mgf1_md (ctx, EVP_sha256 ()) != 1)
    {
      EVP_PKEY_CTX_free (ctx);
      return NULL;
    }
  return ctx;
}

GBytes *
motcua_device_key_wrap (MotcuaDeviceKey *self, const guint8 key[MOTCUA_DATA_KEY_LEN],
                        GError **error)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (key != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  EVP_PKEY_CTX *ctx = oaep_ctx (self->pub, TRUE);
  size_t out_len = 0;
  guint8 *out = NULL;
  if (ctx != NULL && EVP_PKEY_encrypt (ctx, NULL, &out_len, key, MOTCUA_DATA_KEY_LEN) == 1)
    {
      out = g_malloc (out_len);
      if (EVP_PKEY_encrypt (ctx, out, &out_len, key, MOTCUA_DATA_KEY_LEN) != 1)
        g_clear_pointer (&out, g_free);
    }
  EVP_PKEY_CTX_free (ctx);
  ERR_clear_error ();
  if (out == NULL)
    {
      motcua_error_set (error, MOTCUA_ERROR_QUEUE_KEY, _("không bọc được khoá dữ liệu (cannot wrap the data key)"));
      return NULL;
    }
  return g_bytes_new_take (out, out_len);
}

gboolean
motcua_device_key_unwrap (MotcuaDeviceKey *self, GBytes *wrapped,
                          guint8 key[MOTCUA_DATA_KEY_LEN], GError **error)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (wrapped != NULL, FALSE);
  g_return_val_if_fail (key != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  gsize in_len = 0;
  const guint8 *in = g_bytes_get_data (wrapped, &in_len);
  gboolean ok = FALSE;
  size_t modulus = (size_t) EVP_PKEY_get_size (self->pub);
  EVP_PKEY_CTX *ctx = NULL;
  guint8 *out = NULL;
  size_t out_len = 0;

  if (in_len == 0 || in_len != modulus || (ctx = oaep_ctx (self->priv, FALSE)) == NULL)
    goto out;
  out_len = modulus;
  out = g_malloc (out_len);
  if (EVP_PKEY_decrypt (ctx, out, &out_len, in, in_len) == 1 && out_len == MOTCUA_DATA_KEY_LEN)
    {
      memcpy (key, out, MOTCUA_DATA_KEY_LEN);
      ok = TRUE;
    }
out:
  if (out != NULL)
    {
      OPENSSL_cleanse (out, modulus);
      g_free (out);
    }
  EVP_PKEY_CTX_free (ctx);
  ERR_clear_error ();
  if (!ok)
    motcua_error_set (error, MOTCUA_ERROR_QUEUE_KEY,
                      _("khoá dữ liệu không mở được bằng khoá thiết bị %s (data key not for device key %s)"),
                      self->fingerprint, self->fingerprint);
  return ok;
}

const char *
motcua_device_key_get_fingerprint (MotcuaDeviceKey *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->fingerprint;
}
