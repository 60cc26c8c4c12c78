/* refsvc-store-dossiers.c — idempotent submit and supplement
 *
 * A transaction id names one request for good.  The stored row keeps the
 * request's SHA-256, its kind (submit or supplement), the dossier it
 * targeted, the caller's unit, and the exact answer sent.  A later request
 * with that id is a replay only when all of these match (then the stored
 * status and bytes are answered again); otherwise it is a conflict and
 * nothing changes.  So a supplement that reuses a submit's id, or a submit
 * that reuses a supplement's id, is a conflict, even with the same body.
 *
 * Dossier ids: "LTKS-<unit>-<yyMMdd>-<nnnnnn>" (LTKT for deaths); the day
 * is the reception day in Vietnam time (UTC+7) and the sequence counts per
 * prefix, unit and day from 000001. */
#include "refsvc-store-private.h"

#include <string.h>

typedef enum { TX_NEW, TX_REPLAY, TX_CONFLICT, TX_ERROR } tx_match;

static tx_match
lookup_transaction (refsvc_store *st, const refsvc_submission *sub, const char *kind,
                    const char *dossier_id, guint *http_status, char **answer)
{
  sqlite3_stmt *s = store_stmt (st, "SELECT request_sha256, http_status, answer, kind,"
                                    " dossier_id, unit FROM transactions"
                                    " WHERE transaction_id = ?");
  if (!s)
    return TX_ERROR;
  sqlite3_bind_text (s, 1, sub->transaction_id, -1, SQLITE_TRANSIENT);
  int rc = sqlite3_step (s);
  if (rc == SQLITE_DONE)
    return TX_NEW;
  if (rc != SQLITE_ROW)
    return TX_ERROR;
  const void *sha = sqlite3_column_blob (s, 0);
  gboolean same = sha && sqlite3_column_bytes (s, 0) == 32
                  && memcmp (sha, sub->request_sha256, 32) == 0
                  && g_strcmp0 ((const char *) sqlite3_column_text (s, 3), kind) == 0
                  && g_strcmp0 ((const char *) sqlite3_column_text (s, 5), sub->unit) == 0
                  && (!dossier_id
                      || g_strcmp0 ((const char *) sqlite3_column_text (s, 4), dossier_id) == 0);
  if (!same)
    return TX_CONFLICT;
  *http_status = (guint) sqlite3_column_int (s, 1);
  *answer = store_col_text (s, 2);
  return TX_REPLAY;
}

static gboolean
insert_transaction (refsvc_store *st, const refsvc_submission *sub, const char *kind,
                    const char *dossier_id, guint http_status, const char *answer, gint64 now)
{
  sqlite3_stmt *s = store_stmt (st, "INSERT INTO transactions (transaction_id, request_sha256,"
                                    " http_status, answer, dossier_id, kind, unit, created_at)"
                                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
  if (!s)
    return FALSE;
  sqlite3_bind_text (s, 1, sub->transaction_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_blob (s, 2, sub->request_sha256, 32, SQLITE_TRANSIENT);
  sqlite3_bind_int (s, 3, (int) http_status);
  sqlite3_bind_text (s, 4, answer, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (s, 5, dossier_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (s, 6, kind, -1, SQLITE_STATIC);
  sqlite3_bind_text (s, 7, sub->unit, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (s, 8, now);
  return store_step_done (st, s);
}

static char *
next_dossier_id (refsvc_store *st, refsvc_procedure p, const char *unit, gint64 now)
{
  const char *prefix = p == REFSVC_DEATH ? "LTKT" : "LTKS";
  g_autofree char *day = store_vn_time (now, "%y%m%d");
  sqlite3_stmt *s = store_stmt (st, "INSERT INTO counters (prefix, unit, day, last)"
                                    " VALUES (?, ?, ?, 1) ON CONFLICT (prefix, unit, day)"
                                    " DO UPDATE SET last = last + 1 RETURNING last");
  if (!s)
    return NULL;
  sqlite3_bind_text (s, 1, prefix, -1, SQLITE_STATIC);
  sqlite3_bind_text (s, 2, unit, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (s, 3, day, -1, SQLITE_TRANSIENT);
  gint64 n = sqlite3_step (s) == SQLITE_ROW ? sqlite3_column_int64 (s, 0) : -1;
  sqlite3_reset (s);
  if (n < 1 || n > 999999) {   /* the id has room for 6 digits a day */
    g_warning ("refsvc-store: no dossier number for %s %s %s", prefix, unit, day);
    return NULL;
  }
  return g_strdup_printf ("%s-%s-%s-%06" G_GINT64_FORMAT, prefix, unit, day, n);
}

/* The head-of-household rule reads the payload; without a parsed root the
 * stored bytes are parsed here. */
static gboolean
needs_new_head (const refsvc_submission *sub)
{
  if (sub->procedure != REFSVC_DEATH)
    return FALSE;
  if (sub->payload_root)
    return bo_needs_new_head (sub->payload_root);
  gsize len = 0;
  const char *data = g_bytes_get_data (sub->payload, &len);
  g_autoptr (JsonParser) parser = json_parser_new ();
  if (!json_parser_load_from_data (parser, data ? data : "", (gssize) len, NULL))
    return FALSE;
  return bo_needs_new_head (json_parser_get_root (parser));
}

static gboolean
insert_dossier (refsvc_store *st, const refsvc_submission *sub, const char *dossier_id,
                const char *sha_hex, const char *signer, gint64 now)
{
  sqlite3_stmt *s = store_stmt (st, "INSERT INTO dossiers (dossier_id, procedure, unit,"
                                    " device_id, transaction_id, received_at, updated_at,"
                                    " payload, payload_sha256, signature, signer, presence,"
                                    " needs_new_head, round)"
                                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0)");
  if (!s)
    return FALSE;
  gsize plen = 0, slen = 0;
  const void *pdata = g_bytes_get_data (sub->payload, &plen);
  const void *sdata = g_bytes_get_data (sub->signature, &slen);
  sqlite3_bind_text (s, 1, dossier_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (s, 2, refsvc_procedure_name (sub->procedure), -1, SQLITE_STATIC);
  sqlite3_bind_text (s, 3, sub->unit, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (s, 4, sub->device_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (s, 5, sub->transaction_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (s, 6, now);
  sqlite3_bind_int64 (s, 7, now);
  sqlite3_bind_blob64 (s, 8, pdata ? pdata : "", plen, SQLITE_TRANSIENT);
  sqlite3_bind_text (s, 9, sha_hex, -1, SQLITE_TRANSIENT);
  sqlite3_bind_blob64 (s, 10, sdata ? sdata : "", slen, SQLITE_TRANSIENT);
  sqlite3_bind_text (s, 11, signer, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (s, 12, sub->presence_verified ? "verified" : "absent", -1, SQLITE_STATIC);
  sqlite3_bind_int (s, 13, needs_new_head (sub));
  return store_step_done (st, s);
}

/* The 201 answer: the dossier as just stored, systems read back. */
static char *
submit_answer (refsvc_store *st, const refsvc_submission *sub, const char *dossier_id,
               const char *sha_hex, gint64 now)
{
  sqlite3_stmt *s = store_stmt (st, "SELECT system, status, updated_at FROM systems"
                                    " WHERE dossier_id = ? ORDER BY ord");
  if (!s)
    return NULL;
  g_autofree char *received = refsvc_iso8601 (now);
  g_autoptr (JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  refsvc_json_add_string (b, "dossierId", dossier_id);
  refsvc_json_add_string (b, "transactionId", sub->transaction_id);
  refsvc_json_add_string (b, "procedure", refsvc_procedure_name (sub->procedure));
  refsvc_json_add_string (b, "receivedAt", received);
  refsvc_json_add_string (b, "payloadSha256", sha_hex);
  json_builder_set_member_name (b, "signer");
  json_builder_add_value (b, store_signer_json (sub->signer));
  refsvc_json_add_string (b, "cardPresence", sub->presence_verified ? "verified" : "absent");
  json_builder_set_member_name (b, "systems");
  json_builder_begin_array (b);
  sqlite3_bind_text (s, 1, dossier_id, -1, SQLITE_TRANSIENT);
  int rc;
  while ((rc = sqlite3_step (s)) == SQLITE_ROW) {
    refsvc_status status = sqlite3_column_int (s, 1);
    g_autofree char *at = refsvc_iso8601 (sqlite3_column_int64 (s, 2));
    json_builder_begin_object (b);
    refsvc_json_add_string (b, "system", (const char *) sqlite3_column_text (s, 0));
    refsvc_json_add_string (b, "status", refsvc_status_code (status));
    json_builder_set_member_name (b, "statusCode");
    json_builder_add_int_value (b, status);
    refsvc_json_add_string (b, "statusLabel", refsvc_status_label (status));
    refsvc_json_add_string (b, "updatedAt", at);
    json_builder_end_object (b);
  }
  sqlite3_reset (s);
  json_builder_end_array (b);
  json_builder_end_object (b);
  if (rc != SQLITE_DONE)
    return NULL;
  g_autoptr (JsonNode) root = json_builder_get_root (b);
  return refsvc_json_to_string (root);
}

static gboolean
submission_ok (const refsvc_submission *sub)
{
  return sub && sub->transaction_id && sub->unit && sub->device_id && sub->request_sha256
         && sub->payload && sub->signature && sub->signer
         && (sub->procedure == REFSVC_BIRTH || sub->procedure == REFSVC_DEATH);
}

/* Shared tail of submit and supplement: map the transaction look-up. */
static refsvc_store_result
tx_result (tx_match m)
{
  switch (m) {
  case TX_REPLAY:
    return REFSVC_STORE_REPLAY;
  case TX_CONFLICT:
    return REFSVC_STORE_CONFLICT;
  default:
    return REFSVC_STORE_ERROR;
  }
}

static refsvc_store_result
do_submit (refsvc_store *st, const refsvc_submission *sub, const refsvc_backoffice_config *bo,
           gint64 now, guint *http_status, char **answer)
{
  tx_match m = lookup_transaction (st, sub, "submit", NULL, http_status, answer);
  if (m != TX_NEW)
    return tx_result (m);
  /* Transitions due before now first, in this same transaction: the
   * changes feed stays in the order things happened. */
  if (bo_advance_locked (st, bo, now) < 0)
    return REFSVC_STORE_ERROR;
  g_autofree char *id = next_dossier_id (st, sub->procedure, sub->unit, now);
  gsize plen = 0;
  const guint8 *pdata = g_bytes_get_data (sub->payload, &plen);
  g_autofree char *sha_hex = store_sha256_hex (pdata, plen);
  g_autoptr (JsonNode) signer = store_signer_json (sub->signer);
  g_autofree char *signer_text = refsvc_json_to_string (signer);
  if (!id || !insert_dossier (st, sub, id, sha_hex, signer_text, now)
      || !bo_start_dossier (st, id, sub->procedure, sub->unit, bo, now))
    return REFSVC_STORE_ERROR;
  g_autofree char *text = submit_answer (st, sub, id, sha_hex, now);
  if (!text || !insert_transaction (st, sub, "submit", id, 201, text, now))
    return REFSVC_STORE_ERROR;
  *http_status = 201;
  *answer = g_steal_pointer (&text);
  return REFSVC_STORE_CREATED;
}

/* Runs body inside one locked transaction; on anything but CREATED the
 * transaction is rolled back (a replay or conflict changed nothing). */
typedef refsvc_store_result (*tx_body) (refsvc_store *st, const char *dossier_id,
                                        const refsvc_submission *sub,
                                        const refsvc_backoffice_config *bo, gint64 now,
                                        guint *http_status, char **answer);

static refsvc_store_result
run_locked (refsvc_store *st, tx_body body, const char *dossier_id,
            const refsvc_submission *sub, const refsvc_backoffice_config *bo, gint64 now,
            guint *http_status, char **answer)
{
  if (!st || !submission_ok (sub) || !http_status || !answer)
    return REFSVC_STORE_ERROR;
  *http_status = 0;
  *answer = NULL;
  if (!store_begin (st))
    return REFSVC_STORE_ERROR;
  refsvc_store_result r = body (st, dossier_id, sub, bo_config_or_default (bo), now,
                                http_status, answer);
  if (!store_end (st, r == REFSVC_STORE_CREATED) && r == REFSVC_STORE_CREATED)
    r = REFSVC_STORE_ERROR;
  if (r != REFSVC_STORE_CREATED && r != REFSVC_STORE_REPLAY) {
    g_clear_pointer (answer, g_free);
    *http_status = 0;
  }
  return r;
}

static refsvc_store_result
submit_body (refsvc_store *st, const char *dossier_id, const refsvc_submission *sub,
             const refsvc_backoffice_config *bo, gint64 now, guint *http_status, char **answer)
{
  (void) dossier_id;
  return do_submit (st, sub, bo, now, http_status, answer);
}

refsvc_store_result
refsvc_store_submit (refsvc_store *st, const refsvc_submission *sub,
                     const refsvc_backoffice_config *bo, gint64 now,
                     guint *http_status, char **answer)
{
  return run_locked (st, submit_body, NULL, sub, bo, now, http_status, answer);
}

/* ---- supplements ---- */

static gboolean
replace_payload (refsvc_store *st, const char *dossier_id, const refsvc_submission *sub,
                 gint64 now)
{
  sqlite3_stmt *s = store_stmt (st, "UPDATE dossiers SET payload = ?, payload_sha256 = ?,"
                                    " signature = ?, signer = ?, presence = ?,"
                                    " needs_new_head = ?, round = round + 1, updated_at = ?"
                                    " WHERE dossier_id = ?");
  if (!s)
    return FALSE;
  gsize plen = 0, slen = 0;
  const guint8 *pdata = g_bytes_get_data (sub->payload, &plen);
  const void *sdata = g_bytes_get_data (sub->signature, &slen);
  g_autofree char *sha_hex = store_sha256_hex (pdata, plen);
  g_autoptr (JsonNode) signer = store_signer_json (sub->signer);
  g_autofree char *signer_text = refsvc_json_to_string (signer);
  sqlite3_bind_blob64 (s, 1, pdata ? (const void *) pdata : "", plen, SQLITE_TRANSIENT);
  sqlite3_bind_text (s, 2, sha_hex, -1, SQLITE_TRANSIENT);
  sqlite3_bind_blob64 (s, 3, sdata ? sdata : "", slen, SQLITE_TRANSIENT);
  sqlite3_bind_text (s, 4, signer_text, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (s, 5, sub->presence_verified ? "verified" : "absent", -1, SQLITE_STATIC);
  sqlite3_bind_int (s, 6, needs_new_head (sub));
  sqlite3_bind_int64 (s, 7, now);
  sqlite3_bind_text (s, 8, dossier_id, -1, SQLITE_TRANSIENT);
  return store_step_done (st, s);
}

/* The dossier's round when it exists for unit with sub's procedure and a
 * system waiting for a supplement; else a store result through *why. */
static int
supplement_target (refsvc_store *st, const char *dossier_id, const refsvc_submission *sub,
                   refsvc_store_result *why)
{
  sqlite3_stmt *s = store_stmt (st, "SELECT d.procedure, d.unit, d.round,"
                                    " (SELECT count(*) FROM systems y"
                                    "  WHERE y.dossier_id = d.dossier_id AND y.status = ?)"
                                    " FROM dossiers d WHERE d.dossier_id = ?");
  if (!s) {
    *why = REFSVC_STORE_ERROR;
    return -1;
  }
  sqlite3_bind_int (s, 1, REFSVC_ST_YEU_CAU_BO_SUNG);
  sqlite3_bind_text (s, 2, dossier_id, -1, SQLITE_TRANSIENT);
  int rc = sqlite3_step (s);
  if (rc != SQLITE_ROW) {
    *why = rc == SQLITE_DONE ? REFSVC_STORE_NOT_FOUND : REFSVC_STORE_ERROR;
    return -1;
  }
  if (g_strcmp0 ((const char *) sqlite3_column_text (s, 1), sub->unit) != 0) {
    *why = REFSVC_STORE_NOT_FOUND;   /* other units' dossiers are not shown */
    return -1;
  }
  /* A supplement of the other procedure, or with nothing asked: refused. */
  if (g_strcmp0 ((const char *) sqlite3_column_text (s, 0),
                 refsvc_procedure_name (sub->procedure)) != 0
      || sqlite3_column_int (s, 3) == 0) {
    *why = REFSVC_STORE_REFUSED;
    return -1;
  }
  return sqlite3_column_int (s, 2);
}

static refsvc_store_result
supplement_body (refsvc_store *st, const char *dossier_id, const refsvc_submission *sub,
                 const refsvc_backoffice_config *bo, gint64 now, guint *http_status,
                 char **answer)
{
  tx_match m = lookup_transaction (st, sub, "supplement", dossier_id, http_status, answer);
  if (m != TX_NEW)
    return tx_result (m);
  /* Catch the dossier up first, so its history stays in time order even
   * when the caller did not tick the back office up to now. */
  if (bo_advance_locked (st, bo, now) < 0)
    return REFSVC_STORE_ERROR;
  refsvc_store_result why = REFSVC_STORE_ERROR;
  int round = supplement_target (st, dossier_id, sub, &why);
  if (round < 0)
    return why;
  if (!replace_payload (st, dossier_id, sub, now) || bo_reopen (st, dossier_id, round + 1, bo, now) < 1)
    return REFSVC_STORE_ERROR;
  g_autoptr (JsonNode) doc = store_status_doc (st, dossier_id, NULL);
  g_autofree char *text = doc ? refsvc_json_to_string (doc) : NULL;
  if (!text || !insert_transaction (st, sub, "supplement", dossier_id, 202, text, now))
    return REFSVC_STORE_ERROR;
  *http_status = 202;
  *answer = g_steal_pointer (&text);
  return REFSVC_STORE_CREATED;
}

refsvc_store_result
refsvc_store_supplement (refsvc_store *st, const char *dossier_id, const refsvc_submission *sub,
                         const refsvc_backoffice_config *bo, gint64 now,
                         guint *http_status, char **answer)
{
  if (!dossier_id)
    return REFSVC_STORE_NOT_FOUND;
  return run_locked (st, supplement_body, dossier_id, sub, bo, now, http_status, answer);
}

/* ---- resends, before the service re-validates them ---- */

/* Only the transaction id and the request bytes are known here; the body
 * names its transaction id and its payload, so equal bytes are the same
 * request.  The stricter comparison (kind, dossier, unit) is made again
 * by submit and supplement. */
refsvc_store_result
refsvc_store_lookup_transaction (refsvc_store *st, const char *transaction_id,
                                 const guint8 *request_sha256, const char *unit,
                                 const char *dossier_id, guint *http_status, char **answer)
{
  refsvc_submission probe = { 0 };
  refsvc_store_result r;

  if (!st || !transaction_id || !request_sha256 || !unit || !http_status || !answer)
    return REFSVC_STORE_ERROR;
  *http_status = 0;
  *answer = NULL;
  probe.transaction_id = transaction_id;
  probe.request_sha256 = request_sha256;
  probe.unit = unit;
  if (!store_begin (st))
    return REFSVC_STORE_ERROR;
  /* The same test as the submit and supplement paths: same bytes, same
   * kind of request, same unit, same target dossier. */
  switch (lookup_transaction (st, &probe, dossier_id ? "supplement" : "submit", dossier_id,
                              http_status, answer))
    {
    case TX_NEW: r = REFSVC_STORE_NOT_FOUND; break;
    case TX_REPLAY: r = REFSVC_STORE_REPLAY; break;
    case TX_CONFLICT: r = REFSVC_STORE_CONFLICT; break;
    default: r = REFSVC_STORE_ERROR; break;
    }
  store_end (st, FALSE);   /* nothing written */
  return r;
}
