/* motcua-queue-audit.c — the append-only, hash-chained audit log
 *
 * Entry n's hash = SHA-256 (hash of entry n-1 ‖ canonical row), entry 0's
 * predecessor being 32 zero bytes.  The canonical row is each of seq, at,
 * item id, actor, action, detail as a 4-byte big-endian length and the
 * bytes (numbers in decimal).  Triggers refuse UPDATE and DELETE; the
 * head (count and last hash) is kept in meta so that removing the last
 * entries is seen too.  Every entry is written inside the transaction of
 * the change it records. */
#define G_LOG_DOMAIN "motcua-queue"

#include <openssl/evp.h>
#include <string.h>

#include "motcua-queue-private.h"

#define HASH_LEN 32

static void
put_field (EVP_MD_CTX *md, const char *s)
{
  gsize len = s ? strlen (s) : 0;
  guint8 l[4] = { (len >> 24) & 0xff, (len >> 16) & 0xff, (len >> 8) & 0xff, len & 0xff };
  EVP_DigestUpdate (md, l, 4);
  if (len)
    EVP_DigestUpdate (md, s, len);
}

static gboolean
entry_hash (const guint8 prev[HASH_LEN], gint64 seq, gint64 at, gint64 item_id,
            const char *actor, const char *action, const char *detail, guint8 out[HASH_LEN])
{
  char num[3][24];
  g_snprintf (num[0], sizeof num[0], "%" G_GINT64_FORMAT, seq);
  g_snprintf (num[1], sizeof num[1], "%" G_GINT64_FORMAT, at);
  g_snprintf (num[2], sizeof num[2], "%" G_GINT64_FORMAT, item_id);
  EVP_MD_CTX *md = EVP_MD_CTX_new ();
  unsigned int len = 0;
  gboolean ok = md != NULL && EVP_DigestInit_ex (md, EVP_sha256 (), NULL) == 1
                && EVP_DigestUpdate (md, prev, HASH_LEN) == 1;
  if (ok)
    {
      put_field (md, num[0]);
      put_field (md, num[1]);
      put_field (md, num[2]);
      put_field (md, actor);
      put_field (md, action);
      put_field (md, detail);
      ok = EVP_DigestFinal_ex (md, out, &len) == 1 && len == HASH_LEN;
    }
  EVP_MD_CTX_free (md);
  return ok;
}

/* The head recorded in meta: count and last hash. */
static gboolean
head_get (MotcuaQueue *q, gint64 *count, guint8 hash[HASH_LEN], GError **error)
{
  *count = 0;
  memset (hash, 0, HASH_LEN);
  sqlite3_stmt *st = motcua_queue_prepare (q, "SELECT key, value FROM meta WHERE key IN "
                                           "('audit_count', 'audit_head')", error);
  if (st == NULL)
    return FALSE;
  int rc;
  while ((rc = sqlite3_step (st)) == SQLITE_ROW)
    {
      const char *k = (const char *) sqlite3_column_text (st, 0);
      if (g_strcmp0 (k, "audit_count") == 0)
        *count = sqlite3_column_int64 (st, 1);
      else if (sqlite3_column_bytes (st, 1) == HASH_LEN)
        memcpy (hash, sqlite3_column_blob (st, 1), HASH_LEN);
    }
  sqlite3_finalize (st);
  if (rc != SQLITE_DONE)
    {
      motcua_queue_sql_error (q, error, "audit head");
      return FALSE;
    }
  return TRUE;
}

gboolean
motcua_queue_audit_append (MotcuaQueue *q, gint64 item_id, const char *actor,
                           const char *action, const char *detail, gint64 at, GError **error)
{
  gint64 count;
  guint8 prev[HASH_LEN], hash[HASH_LEN];
  if (!head_get (q, &count, prev, error))
    return FALSE;
  gint64 seq = count + 1;
  if (actor == NULL || *actor == '\0')
    actor = "unknown";
  if (detail == NULL)
    detail = "";
  if (!entry_hash (prev, seq, at, item_id, actor, action, detail, hash))
    {
      motcua_error_set (error, MOTCUA_ERROR_FAILED, "SHA-256");
      return FALSE;
    }
  sqlite3_stmt *st = motcua_queue_prepare (q, "INSERT INTO audit VALUES (?, ?, ?, ?, ?, ?, ?)",
                                           error);
  if (st == NULL)
    return FALSE;
  sqlite3_bind_int64 (st, 1, seq);
  sqlite3_bind_int64 (st, 2, at);
  sqlite3_bind_int64 (st, 3, item_id);
  sqlite3_bind_text (st, 4, actor, -1, SQLITE_STATIC);
  sqlite3_bind_text (st, 5, action, -1, SQLITE_STATIC);
  sqlite3_bind_text (st, 6, detail, -1, SQLITE_STATIC);
  sqlite3_bind_blob (st, 7, hash, HASH_LEN, SQLITE_STATIC);
  int rc = sqlite3_step (st);
  sqlite3_finalize (st);
  if (rc != SQLITE_DONE)
    {
      motcua_queue_sql_error (q, error, "audit");
      return FALSE;
    }
  st = motcua_queue_prepare (q, "INSERT OR REPLACE INTO meta VALUES ('audit_count', ?), "
                             "('audit_head', ?)", error);
  if (st == NULL)
    return FALSE;
  sqlite3_bind_int64 (st, 1, seq);
  sqlite3_bind_blob (st, 2, hash, HASH_LEN, SQLITE_STATIC);
  rc = sqlite3_step (st);
  sqlite3_finalize (st);
  if (rc != SQLITE_DONE)
    {
      motcua_queue_sql_error (q, error, "audit head");
      return FALSE;
    }
  return TRUE;
}

gboolean
motcua_queue_audit (MotcuaQueue *q, gint64 item_id, const char *actor, const char *action,
                    const char *detail, GError **error)
{
  g_return_val_if_fail (q != NULL, FALSE);
  g_return_val_if_fail (action != NULL, FALSE);
  if (!motcua_queue_begin (q, error))
    return FALSE;
  if (!motcua_queue_audit_append (q, item_id, actor, action, detail, motcua_queue_now (), error))
    {
      motcua_queue_rollback (q);
      return FALSE;
    }
  return motcua_queue_commit (q, error);
}

gboolean
motcua_queue_verify_audit (MotcuaQueue *q, guint *entries, GError **error)
{
  g_return_val_if_fail (q != NULL, FALSE);
  if (entries)
    *entries = 0;
  /* One read transaction: a consistent snapshot of log and head. */
  if (!motcua_queue_exec (q, "BEGIN", error))
    return FALSE;
  gint64 head_count;
  guint8 head_hash[HASH_LEN], prev[HASH_LEN] = { 0 }, hash[HASH_LEN];
  sqlite3_stmt *st = NULL;
  gboolean ok = FALSE;
  gint64 expect = 1;
  if (!head_get (q, &head_count, head_hash, error))
    goto out;
  st = motcua_queue_prepare (q, "SELECT seq, at, item_id, actor, action, detail, hash "
                             "FROM audit ORDER BY seq", error);
  if (st == NULL)
    goto out;
  int rc;
  while ((rc = sqlite3_step (st)) == SQLITE_ROW)
    {
      gint64 seq = sqlite3_column_int64 (st, 0);
      if (seq != expect)
        {
          motcua_error_set (error, MOTCUA_ERROR_AUDIT_BROKEN,
                            "entry %" G_GINT64_FORMAT " missing", expect);
          goto out;
        }
      if (!entry_hash (prev, seq, sqlite3_column_int64 (st, 1), sqlite3_column_int64 (st, 2),
                       (const char *) sqlite3_column_text (st, 3),
                       (const char *) sqlite3_column_text (st, 4),
                       (const char *) sqlite3_column_text (st, 5), hash)
          || sqlite3_column_bytes (st, 6) != HASH_LEN
          || memcmp (sqlite3_column_blob (st, 6), hash, HASH_LEN) != 0)
        {
          motcua_error_set (error, MOTCUA_ERROR_AUDIT_BROKEN,
                            "entry %" G_GINT64_FORMAT " altered", seq);
          goto out;
        }
      memcpy (prev, hash, HASH_LEN);
      expect++;
    }
  if (rc != SQLITE_DONE)
    {
      motcua_queue_sql_error (q, error, "audit");
      goto out;
    }
  if (expect - 1 != head_count || (head_count > 0 && memcmp (prev, head_hash, HASH_LEN) != 0))
    {
      motcua_error_set (error, MOTCUA_ERROR_AUDIT_BROKEN,
                        "entry %" G_GINT64_FORMAT " missing (log ends early)", expect);
      goto out;
    }
  if (entries)
    *entries = (guint) (expect - 1);
  ok = TRUE;
out:
  sqlite3_finalize (st);
  sqlite3_exec (q->db, "COMMIT", NULL, NULL, NULL);
  return ok;
}

JsonNode *
motcua_queue_audit_to_json (MotcuaQueue *q, gint64 item_id, GError **error)
{
  g_return_val_if_fail (q != NULL, NULL);
  sqlite3_stmt *st = motcua_queue_prepare (q, "SELECT seq, at, item_id, actor, action, detail, "
                                           "hash FROM audit WHERE ?1 = 0 OR item_id = ?1 "
                                           "ORDER BY seq", error);
  if (st == NULL)
    return NULL;
  sqlite3_bind_int64 (st, 1, item_id);
  g_autoptr(JsonBuilder) b = json_builder_new ();
  json_builder_begin_array (b);
  int rc;
  while ((rc = sqlite3_step (st)) == SQLITE_ROW)
    {
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "seq");
      json_builder_add_int_value (b, sqlite3_column_int64 (st, 0));
      g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc (sqlite3_column_int64 (st, 1));
      g_autofree char *at = dt ? g_date_time_format_iso8601 (dt) : NULL;
      json_builder_set_member_name (b, "at");
      json_builder_add_string_value (b, at ? at : "");
      json_builder_set_member_name (b, "item");
      json_builder_add_int_value (b, sqlite3_column_int64 (st, 2));
      json_builder_set_member_name (b, "actor");
      json_builder_add_string_value (b, (const char *) sqlite3_column_text (st, 3));
      json_builder_set_member_name (b, "action");
      json_builder_add_string_value (b, (const char *) sqlite3_column_text (st, 4));
      json_builder_set_member_name (b, "detail");
      json_builder_add_string_value (b, (const char *) sqlite3_column_text (st, 5));
      g_autofree char *hex = NULL;
      if (sqlite3_column_bytes (st, 6) == HASH_LEN)
        {
          const guint8 *h = sqlite3_column_blob (st, 6);
          GString *s = g_string_sized_new (2 * HASH_LEN);
          for (int i = 0; i < HASH_LEN; i++)
            g_string_append_printf (s, "%02x", h[i]);
          hex = g_string_free (s, FALSE);
        }
      json_builder_set_member_name (b, "hash");
      json_builder_add_string_value (b, hex ? hex : "");
      json_builder_end_object (b);
    }
  sqlite3_finalize (st);
  if (rc != SQLITE_DONE)
    {
      motcua_queue_sql_error (q, error, "audit");
      return NULL;
    }
  json_builder_end_array (b);
  return json_builder_get_root (b);
}
