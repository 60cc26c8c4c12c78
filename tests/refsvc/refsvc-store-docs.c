/* refsvc-store-docs.c — hospital documents received through the BHXH gateway
 *
 * A document is keyed by (loaiHs, code) — the MA_GCS or MA_GBT the
 * hospital gave it.  Sending the same bytes again answers the MaGD and the
 * ThoiGianTiepNhan of the first reception (idempotent).  Other bytes
 * under a stored code are a conflict, unless the new document is a
 * re-issue (CAP_LAN_DAU = 0), which replaces the stored one and gets a new
 * MaGD and reception time.
 *
 * MaGD: "HS_GCS_<UUID>" (birth certificates, loaiHs 61) or "HS_GBT_<UUID>"
 * (death notices, 60), the UUID random and in upper case, like the
 * gateway's observed "HS_CHUNGTU01929_094D388C-6DD7-4CA1-A3BE-6D5BF53FEE75".
 * ThoiGianTiepNhan is yyyyMMddHHmmss in Vietnam time (UTC+7), as the real
 * gateway answers it (bhxh-gateway.md: "20251031152649"); the look-up
 * answers the same instant as ISO 8601 UTC. */
#include "refsvc-store-private.h"

#include <string.h>

static char *
new_ma_gd (refsvc_doc_kind kind)
{
  g_autofree char *uuid = g_uuid_string_random ();
  g_autofree char *upper = g_ascii_strup (uuid, -1);
  return g_strdup_printf ("%s%s", kind == REFSVC_DOC_DEATH_NOTICE ? "HS_GBT_" : "HS_GCS_",
                          upper);
}

static char *
gateway_time (gint64 t)
{
  return store_vn_time (t, "%Y%m%d%H%M%S");
}

static gboolean
write_document (refsvc_store *st, const refsvc_xmldoc *doc, GBytes *xml, const guint8 sha[32],
                const char *device_id, const char *ma_gd, gint64 now, gboolean replace)
{
  sqlite3_stmt *s = store_stmt (st, replace
    ? "UPDATE documents SET sha256 = ?3, xml = ?4, ma_gd = ?5, received_at = ?6,"
      " facility = ?7, signer = ?8, fields = ?9, device_id = ?10, issues = issues + 1"
      " WHERE kind = ?1 AND code = ?2"
    : "INSERT INTO documents (kind, code, sha256, xml, ma_gd, received_at, facility, signer,"
      " fields, device_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)");
  if (!s)
    return FALSE;
  g_autoptr (JsonNode) signer = store_signer_json (&doc->signer);
  g_autofree char *signer_text = refsvc_json_to_string (signer);
  g_autoptr (JsonNode) fields = json_node_new (JSON_NODE_OBJECT);
  if (doc->fields)
    json_node_set_object (fields, doc->fields);
  else
    json_node_take_object (fields, json_object_new ());
  g_autofree char *fields_text = refsvc_json_to_string (fields);
  gsize len = 0;
  const void *data = g_bytes_get_data (xml, &len);
  sqlite3_bind_int (s, 1, doc->kind);
  sqlite3_bind_text (s, 2, doc->code, -1, SQLITE_TRANSIENT);
  sqlite3_bind_blob (s, 3, sha, 32, SQLITE_TRANSIENT);
  sqlite3_bind_blob64 (s, 4, data ? data : "", len, SQLITE_TRANSIENT);
  sqlite3_bind_text (s, 5, ma_gd, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (s, 6, now);
  sqlite3_bind_text (s, 7, doc->facility, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (s, 8, signer_text, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (s, 9, fields_text, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (s, 10, device_id, -1, SQLITE_TRANSIENT);
  return store_step_done (st, s) && sqlite3_changes (st->db) == 1;
}

static refsvc_store_result
put_locked (refsvc_store *st, const refsvc_xmldoc *doc, GBytes *xml, const char *device_id,
            gint64 now, char **ma_gd, gint64 *received)
{
  guint8 sha[32];
  gsize sha_len = sizeof sha, len = 0;
  const guint8 *data = g_bytes_get_data (xml, &len);
  GChecksum *c = g_checksum_new (G_CHECKSUM_SHA256);
  g_checksum_update (c, data ? data : (const guint8 *) "", (gssize) len);
  g_checksum_get_digest (c, sha, &sha_len);
  g_checksum_free (c);

  sqlite3_stmt *s = store_stmt (st, "SELECT sha256, ma_gd, received_at FROM documents"
                                    " WHERE kind = ? AND code = ?");
  if (!s)
    return REFSVC_STORE_ERROR;
  sqlite3_bind_int (s, 1, doc->kind);
  sqlite3_bind_text (s, 2, doc->code, -1, SQLITE_TRANSIENT);
  int rc = sqlite3_step (s);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return REFSVC_STORE_ERROR;
  gboolean exists = rc == SQLITE_ROW;
  if (exists) {
    const void *old = sqlite3_column_blob (s, 0);
    if (old && sqlite3_column_bytes (s, 0) == 32 && memcmp (old, sha, 32) == 0) {
      *ma_gd = store_col_text (s, 1);
      *received = sqlite3_column_int64 (s, 2);
      return REFSVC_STORE_REPLAY;
    }
    if (doc->first_issue)
      return REFSVC_STORE_CONFLICT;
  }
  sqlite3_reset (s);
  g_autofree char *id = new_ma_gd (doc->kind);
  if (!write_document (st, doc, xml, sha, device_id, id, now, exists))
    return REFSVC_STORE_ERROR;
  *ma_gd = g_steal_pointer (&id);
  *received = now;
  return REFSVC_STORE_CREATED;
}

refsvc_store_result
refsvc_store_put_document (refsvc_store *st, const refsvc_xmldoc *doc, GBytes *xml,
                           const char *device_id, gint64 now, char **ma_gd, char **received_at)
{
  if (!st || !doc || !doc->code || !xml || !ma_gd || !received_at
      || (doc->kind != REFSVC_DOC_BIRTH_CERT && doc->kind != REFSVC_DOC_DEATH_NOTICE))
    return REFSVC_STORE_ERROR;
  *ma_gd = NULL;
  *received_at = NULL;
  if (!store_begin (st))
    return REFSVC_STORE_ERROR;
  gint64 received = 0;
  refsvc_store_result r = put_locked (st, doc, xml, device_id ? device_id : "", now, ma_gd,
                                      &received);
  if (!store_end (st, r == REFSVC_STORE_CREATED) && r == REFSVC_STORE_CREATED)
    r = REFSVC_STORE_ERROR;
  if (r == REFSVC_STORE_CREATED || r == REFSVC_STORE_REPLAY)
    *received_at = gateway_time (received);
  else
    g_clear_pointer (ma_gd, g_free);
  return r;
}

JsonNode *
refsvc_store_get_document (refsvc_store *st, refsvc_doc_kind kind, const char *code)
{
  if (!st || !code || !store_begin (st))
    return NULL;
  sqlite3_stmt *s = store_stmt (st, "SELECT ma_gd, received_at, facility, signer, fields, xml"
                                    " FROM documents WHERE kind = ? AND code = ?");
  JsonNode *root = NULL;
  if (s) {
    sqlite3_bind_int (s, 1, kind);
    sqlite3_bind_text (s, 2, code, -1, SQLITE_TRANSIENT);
  }
  if (s && sqlite3_step (s) == SQLITE_ROW) {
    g_autofree char *at = refsvc_iso8601 (sqlite3_column_int64 (s, 1));
    g_autofree char *b64 = g_base64_encode (sqlite3_column_blob (s, 5),
                                            (gsize) sqlite3_column_bytes (s, 5));
    JsonNode *signer = store_parse_json ((const char *) sqlite3_column_text (s, 3));
    JsonNode *fields = store_parse_json ((const char *) sqlite3_column_text (s, 4));
    g_autoptr (JsonBuilder) b = json_builder_new ();
    json_builder_begin_object (b);
    refsvc_json_add_string (b, "code", code);
    json_builder_set_member_name (b, "loaiHs");
    json_builder_add_int_value (b, kind);
    refsvc_json_add_string (b, "maGD", (const char *) sqlite3_column_text (s, 0));
    refsvc_json_add_string (b, "receivedAt", at);
    refsvc_json_add_string (b, "facility", (const char *) sqlite3_column_text (s, 2));
    json_builder_set_member_name (b, "signer");
    json_builder_add_value (b, signer ? signer : json_node_new (JSON_NODE_NULL));
    json_builder_set_member_name (b, "fields");
    json_builder_add_value (b, fields ? fields : json_node_new (JSON_NODE_NULL));
    refsvc_json_add_string (b, "document", b64);
    json_builder_end_object (b);
    root = json_builder_get_root (b);
  }
  store_end (st, TRUE);
  return root;
}
