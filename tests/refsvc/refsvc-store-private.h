/* refsvc-store-private.h — shared by the store's files and the back office
 *
 *   refsvc-store.c          connection, schema, statement cache, admin
 *   refsvc-store-dossiers.c submit, supplement (idempotency)
 *   refsvc-store-status.c   status documents, the changes feed
 *   refsvc-store-docs.c     hospital documents (BHXH gateway)
 *   refsvc-backoffice.c     systems, statuses, the pipeline (advance)
 *
 * Locking: every public refsvc_store_* call takes st->lock, then runs one
 * BEGIN IMMEDIATE .. COMMIT (store_begin / store_end).  The helpers below
 * assume the lock is held and a transaction is open. */
#ifndef REFSVC_STORE_PRIVATE_H
#define REFSVC_STORE_PRIVATE_H

#include "refsvc.h"
#include <sqlite3.h>

struct refsvc_store {
  GMutex      lock;
  sqlite3    *db;
  GHashTable *stmts;   /* SQL text → sqlite3_stmt * (persistent) */
};

#define REFSVC_STORE_ERROR_DOMAIN (refsvc_store_error_quark ())
GQuark refsvc_store_error_quark (void);

/* Cached prepared statement, reset and with bindings cleared; NULL (logged)
 * when SQLite cannot prepare it. */
sqlite3_stmt *store_stmt (refsvc_store *st, const char *sql);
/* Runs a statement that returns no row (SQLITE_DONE); FALSE (logged) else. */
gboolean      store_step_done (refsvc_store *st, sqlite3_stmt *s);
/* Lock + BEGIN IMMEDIATE.  FALSE: the lock is released again. */
gboolean      store_begin (refsvc_store *st);
/* COMMIT (ok) or ROLLBACK, then unlock.  Returns FALSE when the commit
 * failed (then everything was rolled back). */
gboolean      store_end (refsvc_store *st, gboolean ok);
/* Text column as a newly allocated string (NULL for SQL NULL). */
char         *store_col_text (sqlite3_stmt *s, int col);

/* "birth" / "death" (the store does not depend on refsvc-dossier.c). */
refsvc_procedure store_procedure_parse (const char *name);
/* Lowercase hex of SHA-256(data). */
char       *store_sha256_hex (const guint8 *data, gsize len);
/* {"subject","issuer","serial","keyType","signingTime"?} */
JsonNode   *store_signer_json (const refsvc_signer *sg);
/* Parses stored JSON text (NULL or bad → NULL). */
JsonNode   *store_parse_json (const char *text);
/* Vietnam (UTC+7) civil time of t with a g_date_time_format format. */
char       *store_vn_time (gint64 t, const char *format);

/* The status document of a dossier inside an open transaction (NULL when
 * unknown or of another unit; unit NULL: any). */
JsonNode   *store_status_doc (refsvc_store *st, const char *dossier_id, const char *unit);

/* ---- back office (refsvc-backoffice.c) ---- */

/* bo itself, or the documented defaults when NULL. */
const refsvc_backoffice_config *bo_config_or_default (const refsvc_backoffice_config *bo);
/* NULL-terminated system keys of a procedure, in display order. */
const char *const *bo_systems (refsvc_procedure p);
/* Vietnamese name of a system ("Hộ tịch — Đăng ký khai sinh"). */
const char *bo_system_name (refsvc_procedure p, const char *system);
/* The head-of-household rule (death): the deceased was head of household,
 * members remain, and no new head was named. */
gboolean    bo_needs_new_head (JsonNode *payload_root);
/* Inserts the systems of a new dossier (hoTich MOI_DANG_KY, the others
 * CHUA_GUI_DI) with their first events, all at now. */
gboolean    bo_start_dossier (refsvc_store *st, const char *dossier_id, refsvc_procedure p,
                              const char *unit, const refsvc_backoffice_config *bo, gint64 now);
/* Applies every transition due at or before now (lock held, transaction
 * open).  Returns how many status changes were made, -1 on error. */
int         bo_advance_locked (refsvc_store *st, const refsvc_backoffice_config *bo, gint64 now);
/* After a supplement: every YEU_CAU_BO_SUNG system → DANG_XU_LY at now,
 * processed again after process_s with the new round.  Returns the number
 * of systems reopened, -1 on error. */
int         bo_reopen (refsvc_store *st, const char *dossier_id, int round,
                       const refsvc_backoffice_config *bo, gint64 now);

#endif
