/* refsvc-auth.c — bearer tokens and BHXH gateway sessions
 *
 * A bearer token is 32 random bytes (base64url, no padding) handed out
 * once over mutual TLS; the service keeps only its SHA-256, the device's
 * certificate fingerprint and the expiry (real time: token lifetimes are
 * about security, not about the simulated back office).  A token is
 * accepted only over a connection authenticated with the same device
 * certificate, so a stolen token is useless without the device key. */
#define G_LOG_DOMAIN "refsvc-auth"

#include <string.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "refsvc-server.h"

typedef struct {
  guint8 fingerprint[32];
  gint64 expires_at;   /* unix seconds, real time */
} token_entry;

typedef struct {
  char  *username;
  gint64 expires_at;
} gateway_entry;

struct refsvc_tokens {
  GMutex      lock;
  GHashTable *bearer;    /* hex SHA-256(token) → token_entry */
  GHashTable *gateway;   /* hex SHA-256(access_token ":" id_token) → gateway_entry */
};

static void
gateway_entry_free (gpointer p)
{
  gateway_entry *e = p;

  g_free (e->username);
  g_free (e);
}

refsvc_tokens *
refsvc_tokens_new (void)
{
  refsvc_tokens *t = g_new0 (refsvc_tokens, 1);

  g_mutex_init (&t->lock);
  t->bearer = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  t->gateway = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, gateway_entry_free);
  return t;
}

void
refsvc_tokens_free (refsvc_tokens *t)
{
  if (t == NULL)
    return;
  g_hash_table_destroy (t->bearer);
  g_hash_table_destroy (t->gateway);
  g_mutex_clear (&t->lock);
  g_free (t);
}

static gint64
real_now (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

/* 32 random bytes as base64url without padding. */
static char *
random_secret (void)
{
  guint8 raw[32];
  char *b64, *p;

  if (RAND_bytes (raw, sizeof raw) != 1)
    g_error ("RAND_bytes failed");
  b64 = g_base64_encode (raw, sizeof raw);
  OPENSSL_cleanse (raw, sizeof raw);
  for (p = b64; *p; p++)
    {
      if (*p == '+')
        *p = '-';
      else if (*p == '/')
        *p = '_';
      else if (*p == '=')
        {
          *p = '\0';
          break;
        }
    }
  return b64;
}

static char *
digest (const char *a, const char *b)
{
  g_autoptr (GChecksum) c = g_checksum_new (G_CHECKSUM_SHA256);

  g_checksum_update (c, (const guchar *) a, -1);
  if (b != NULL)
    {
      g_checksum_update (c, (const guchar *) ":", 1);
      g_checksum_update (c, (const guchar *) b, -1);
    }
  return g_strdup (g_checksum_get_string (c));
}

/* Forgets entries that expired more than an hour ago. */
static void
prune_locked (refsvc_tokens *t, gint64 now)
{
  GHashTableIter it;
  gpointer v;

  g_hash_table_iter_init (&it, t->bearer);
  while (g_hash_table_iter_next (&it, NULL, &v))
    if (((token_entry *) v)->expires_at < now - 3600)
      g_hash_table_iter_remove (&it);
  g_hash_table_iter_init (&it, t->gateway);
  while (g_hash_table_iter_next (&it, NULL, &v))
    if (((gateway_entry *) v)->expires_at < now - 3600)
      g_hash_table_iter_remove (&it);
}

char *
refsvc_tokens_issue (refsvc_tokens *t, const refsvc_device *device, gint64 ttl,
                     gint64 *expires_at)
{
  char *token;
  token_entry *e;
  gint64 now = real_now ();

  g_return_val_if_fail (t != NULL && device != NULL, NULL);
  token = random_secret ();
  e = g_new0 (token_entry, 1);
  memcpy (e->fingerprint, device->fingerprint, sizeof e->fingerprint);
  e->expires_at = now + MAX (ttl, 1);
  if (expires_at != NULL)
    *expires_at = e->expires_at;
  g_mutex_lock (&t->lock);
  prune_locked (t, now);
  g_hash_table_replace (t->bearer, digest (token, NULL), e);
  g_mutex_unlock (&t->lock);
  return token;
}

const char *
refsvc_tokens_check (refsvc_tokens *t, const char *token, const refsvc_device *device)
{
  g_autofree char *key = NULL;
  const token_entry *e;
  const char *code = NULL;

  g_return_val_if_fail (t != NULL && device != NULL, "auth.token_invalid");
  if (token == NULL || *token == '\0')
    return "auth.token_missing";
  if (strlen (token) > 256)
    return "auth.token_invalid";
  key = digest (token, NULL);
  g_mutex_lock (&t->lock);
  e = g_hash_table_lookup (t->bearer, key);
  if (e == NULL)
    code = "auth.token_invalid";
  else if (CRYPTO_memcmp (e->fingerprint, device->fingerprint, sizeof e->fingerprint) != 0)
    code = "auth.token_wrong_device";
  else if (e->expires_at <= real_now ())
    code = "auth.token_expired";
  g_mutex_unlock (&t->lock);
  return code;
}

guint
refsvc_tokens_expire_all (refsvc_tokens *t)
{
  GHashTableIter it;
  gpointer v;
  guint n = 0;
  gint64 now = real_now ();

  g_mutex_lock (&t->lock);
  g_hash_table_iter_init (&it, t->bearer);
  while (g_hash_table_iter_next (&it, NULL, &v))
    {
      token_entry *e = v;
      if (e->expires_at > now)
        {
          e->expires_at = now;
          n++;
        }
    }
  g_hash_table_iter_init (&it, t->gateway);
  while (g_hash_table_iter_next (&it, NULL, &v))
    ((gateway_entry *) v)->expires_at = MIN (((gateway_entry *) v)->expires_at, now);
  g_mutex_unlock (&t->lock);
  return n;
}

void
refsvc_tokens_gateway_issue (refsvc_tokens *t, const char *username, gint64 ttl,
                             char **access_token, char **id_token)
{
  gateway_entry *e = g_new0 (gateway_entry, 1);
  gint64 now = real_now ();

  *access_token = random_secret ();
  *id_token = random_secret ();
  e->username = g_strdup (username);
  e->expires_at = now + MAX (ttl, 1);
  g_mutex_lock (&t->lock);
  prune_locked (t, now);
  g_hash_table_replace (t->gateway, digest (*access_token, *id_token), e);
  g_mutex_unlock (&t->lock);
}

gboolean
refsvc_tokens_gateway_check (refsvc_tokens *t, const char *username,
                             const char *access_token, const char *id_token)
{
  g_autofree char *key = NULL;
  const gateway_entry *e;
  gboolean ok;

  if (username == NULL || access_token == NULL || id_token == NULL
      || strlen (access_token) > 256 || strlen (id_token) > 256)
    return FALSE;
  key = digest (access_token, id_token);
  g_mutex_lock (&t->lock);
  e = g_hash_table_lookup (t->gateway, key);
  ok = e != NULL && g_str_equal (e->username, username) && e->expires_at > real_now ();
  g_mutex_unlock (&t->lock);
  return ok;
}
