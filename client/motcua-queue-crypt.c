/* motcua-queue-crypt.c — the queue's data key and its AES-256-GCM values
 *
 * The data key is made once (RAND_priv_bytes) and stored only wrapped by
 * the device key, beside the device key's fingerprint and a key-check
 * value.  In memory it sits on a locked page (mlock, when allowed) and is
 * wiped at close.  A value is  0x01 ‖ nonce (12) ‖ ciphertext ‖ tag (16),
 * with a fresh random nonce each time and the item's transaction id and
 * the column name as additional data, so a ciphertext moved to another
 * item or column fails authentication. */
#define G_LOG_DOMAIN "motcua-queue"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <string.h>
#include <sys/mman.h>

#include "motcua-queue-private.h"

#define VALUE_VERSION 0x01
#define NONCE_LEN 12
#define TAG_LEN 16
#define KEY_CHECK "motcua-queue key check"

static gboolean
meta_get_blob (MotcuaQueue *q, const char *key, GBytes **out, GError **error)
{
  *out = NULL;
  sqlite3_stmt *st = motcua_queue_prepare (q, "SELECT value FROM meta WHERE key = ?", error);
  if (st == NULL)
    return FALSE;
  sqlite3_bind_text (st, 1, key, -1, SQLITE_STATIC);
  int rc = sqlite3_step (st);
  if (rc == SQLITE_ROW && sqlite3_column_type (st, 0) != SQLITE_NULL)
    *out = g_bytes_new (sqlite3_column_blob (st, 0), sqlite3_column_bytes (st, 0));
  sqlite3_finalize (st);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      motcua_queue_sql_error (q, error, "meta");
      return FALSE;
    }
  return TRUE;
}

static gboolean
meta_put_blob (MotcuaQueue *q, const char *key, const void *data, gsize len, GError **error)
{
  sqlite3_stmt *st = motcua_queue_prepare (q, "INSERT OR REPLACE INTO meta VALUES (?, ?)", error);
  if (st == NULL)
    return FALSE;
  sqlite3_bind_text (st, 1, key, -1, SQLITE_STATIC);
  sqlite3_bind_blob (st, 2, data, (int) len, SQLITE_STATIC);
  int rc = sqlite3_step (st);
  sqlite3_finalize (st);
  if (rc != SQLITE_DONE)
    {
      motcua_queue_sql_error (q, error, "meta");
      return FALSE;
    }
  return TRUE;
}

static void
key_alloc (MotcuaQueue *q)
{
  q->key = g_malloc0 (MOTCUA_DATA_KEY_LEN);
  q->key_locked = mlock (q->key, MOTCUA_DATA_KEY_LEN) == 0;
}

void
motcua_queue_crypt_clear (MotcuaQueue *q)
{
  if (q->key == NULL)
    return;
  OPENSSL_cleanse (q->key, MOTCUA_DATA_KEY_LEN);
  if (q->key_locked)
    munlock (q->key, MOTCUA_DATA_KEY_LEN);
  g_free (q->key);
  q->key = NULL;
}

gboolean
motcua_queue_crypt_init (MotcuaQueue *q, MotcuaDeviceKey *key, GError **error)
{
  g_autoptr(GBytes) wrapped = NULL, fpr = NULL, check = NULL;
  g_autoptr(GError) local = NULL;
  const char *my_fpr = motcua_device_key_get_fingerprint (key);
  if (my_fpr == NULL)
    my_fpr = "";
  if (!meta_get_blob (q, "data_key", &wrapped, error)
      || !meta_get_blob (q, "data_key_fingerprint", &fpr, error)
      || !meta_get_blob (q, "key_check", &check, error))
    return FALSE;

  key_alloc (q);
  if (wrapped == NULL)
    {
      /* First open: make the data key, store it wrapped. */
      if (RAND_priv_bytes (q->key, MOTCUA_DATA_KEY_LEN) != 1)
        {
          motcua_error_set (error, MOTCUA_ERROR_FAILED, "RAND_priv_bytes");
          goto fail;
        }
      g_autoptr(GBytes) w = motcua_device_key_wrap (key, q->key, error);
      if (w == NULL)
        goto fail;
      g_autoptr(GBytes) kc = motcua_queue_seal (q, "meta", "key_check", KEY_CHECK,
                                                strlen (KEY_CHECK), error);
      gsize wlen = 0, kclen = 0;
      const void *wd = g_bytes_get_data (w, &wlen), *kcd = kc ? g_bytes_get_data (kc, &kclen) : NULL;
      if (kc == NULL
          || !meta_put_blob (q, "data_key", wd, wlen, error)
          || !meta_put_blob (q, "data_key_fingerprint", my_fpr, strlen (my_fpr), error)
          || !meta_put_blob (q, "key_check", kcd, kclen, error))
        goto fail;
      return TRUE;
    }

  if (fpr != NULL
      && (g_bytes_get_size (fpr) != strlen (my_fpr)
          || memcmp (g_bytes_get_data (fpr, NULL), my_fpr, strlen (my_fpr)) != 0))
    {
      motcua_error_set (error, MOTCUA_ERROR_QUEUE_KEY,
                        "the queue needs device key %.*s, this is %s",
                        (int) MIN (g_bytes_get_size (fpr), 64),
                        (const char *) g_bytes_get_data (fpr, NULL), my_fpr);
      goto fail;
    }
  if (!motcua_device_key_unwrap (key, wrapped, q->key, &local))
    {
      motcua_error_set (error, MOTCUA_ERROR_QUEUE_KEY, "%s", local ? local->message : "unwrap");
      goto fail;
    }
  if (check != NULL)
    {
      gsize len = 0;
      const void *d = g_bytes_get_data (check, &len);
      g_autoptr(GBytes) plain = motcua_queue_unseal (q, "meta", "key_check", d, len, NULL);
      if (plain == NULL || g_bytes_get_size (plain) != strlen (KEY_CHECK)
          || memcmp (g_bytes_get_data (plain, NULL), KEY_CHECK, strlen (KEY_CHECK)) != 0)
        {
          motcua_error_set (error, MOTCUA_ERROR_QUEUE_KEY, "key check failed");
          goto fail;
        }
    }
  return TRUE;

fail:
  motcua_queue_crypt_clear (q);
  return FALSE;
}

/* AAD: transaction id, a NUL, the column name. */
static gboolean
set_aad (EVP_CIPHER_CTX *ctx, const char *transaction_id, const char *column)
{
  int outl = 0;
  return EVP_EncryptUpdate (ctx, NULL, &outl, (const guint8 *) transaction_id,
                            (int) strlen (transaction_id) + 1) == 1
         && EVP_EncryptUpdate (ctx, NULL, &outl, (const guint8 *) column,
                               (int) strlen (column)) == 1;
}

static gboolean
set_aad_dec (EVP_CIPHER_CTX *ctx, const char *transaction_id, const char *column)
{
  int outl = 0;
  return EVP_DecryptUpdate (ctx, NULL, &outl, (const guint8 *) transaction_id,
                            (int) strlen (transaction_id) + 1) == 1
         && EVP_DecryptUpdate (ctx, NULL, &outl, (const guint8 *) column,
                               (int) strlen (column)) == 1;
}

GBytes *
motcua_queue_seal (MotcuaQueue *q, const char *transaction_id, const char *column,
                   const void *data, gsize len, GError **error)
{
  g_return_val_if_fail (q->key != NULL, NULL);
  if (len > G_MAXINT - 64)
    {
      motcua_error_set (error, MOTCUA_ERROR_FAILED, "value too large");
      return NULL;
    }
  gsize total = 1 + NONCE_LEN + len + TAG_LEN;
  guint8 *out = g_malloc (total);
  out[0] = VALUE_VERSION;
  EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new ();
  int outl = 0, finl = 0;
  gboolean ok = ctx != NULL
    && RAND_bytes (out + 1, NONCE_LEN) == 1
    && EVP_EncryptInit_ex (ctx, EVP_aes_256_gcm (), NULL, NULL, NULL) == 1
    && EVP_CIPHER_CTX_ctrl (ctx, EVP_CTRL_GCM_SET_IVLEN, NONCE_LEN, NULL) == 1
    && EVP_EncryptInit_ex (ctx, NULL, NULL, q->key, out + 1) == 1
    && set_aad (ctx, transaction_id, column)
    && EVP_EncryptUpdate (ctx, out + 1 + NONCE_LEN, &outl, data, (int) len) == 1
    && EVP_EncryptFinal_ex (ctx, out + 1 + NONCE_LEN + outl, &finl) == 1
    && (gsize) (outl + finl) == len
    && EVP_CIPHER_CTX_ctrl (ctx, EVP_CTRL_GCM_GET_TAG, TAG_LEN, out + 1 + NONCE_LEN + len) == 1;
  EVP_CIPHER_CTX_free (ctx);
  if (!ok)
    {
      OPENSSL_cleanse (out, total);
      g_free (out);
      motcua_error_set (error, MOTCUA_ERROR_FAILED, "AES-GCM encryption failed");
      return NULL;
    }
  return g_bytes_new_take (out, total);
}

typedef struct {
  guint8 *data;
  gsize len;
} Secret;

static void
secret_free (gpointer p)
{
  Secret *s = p;
  OPENSSL_cleanse (s->data, s->len);
  g_free (s->data);
  g_free (s);
}

GBytes *
motcua_queue_unseal (MotcuaQueue *q, const char *transaction_id, const char *column,
                     const void *blob, gsize len, GError **error)
{
  g_return_val_if_fail (q->key != NULL, NULL);
  const guint8 *in = blob;
  if (in == NULL || len < 1 + NONCE_LEN + TAG_LEN || in[0] != VALUE_VERSION || len > G_MAXINT)
    {
      motcua_error_set (error, MOTCUA_ERROR_QUEUE_CORRUPT, "%s: malformed value", column);
      return NULL;
    }
  gsize clen = len - 1 - NONCE_LEN - TAG_LEN;
  Secret *s = g_new0 (Secret, 1);
  s->data = g_malloc (clen + 1);
  s->len = clen + 1;
  EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new ();
  int outl = 0, finl = 0;
  guint8 tag[TAG_LEN];
  memcpy (tag, in + len - TAG_LEN, TAG_LEN);
  gboolean ok = ctx != NULL
    && EVP_DecryptInit_ex (ctx, EVP_aes_256_gcm (), NULL, NULL, NULL) == 1
    && EVP_CIPHER_CTX_ctrl (ctx, EVP_CTRL_GCM_SET_IVLEN, NONCE_LEN, NULL) == 1
    && EVP_DecryptInit_ex (ctx, NULL, NULL, q->key, in + 1) == 1
    && set_aad_dec (ctx, transaction_id, column)
    && EVP_DecryptUpdate (ctx, s->data, &outl, in + 1 + NONCE_LEN, (int) clen) == 1
    && EVP_CIPHER_CTX_ctrl (ctx, EVP_CTRL_GCM_SET_TAG, TAG_LEN, tag) == 1
    && EVP_DecryptFinal_ex (ctx, s->data + outl, &finl) == 1;
  EVP_CIPHER_CTX_free (ctx);
  if (!ok)
    {
      secret_free (s);
      motcua_error_set (error, MOTCUA_ERROR_QUEUE_CORRUPT, "%s: authentication failed", column);
      return NULL;
    }
  s->data[clen] = 0;            /* a terminator for text values, not counted */
  return g_bytes_new_with_free_func (s->data, clen, secret_free, s);
}
