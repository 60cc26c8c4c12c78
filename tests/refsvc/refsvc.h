/* refsvc.h — the reference liên thông service (motcua-refsvc), internal API
 *
 * A stand-in for the national liên thông service and the BHXH gateway that
 * behaves like them, failures included (docs/protocol.md is the contract).
 * It lives under tests/ because only tests, the benchmark and the quick
 * start run it; nothing in card/, client/ or ui/ links it.
 *
 * Modules (one concern each):
 *   refsvc-main.c       command line, start/stop, prints the URLs
 *   refsvc-http.c       libmicrohttpd daemons, routing, fault injection
 *   refsvc-api.c        /v1 handlers (token, dossiers, changes, look-ups)
 *   refsvc-gateway.c    BHXH gateway handlers (/api/token/take, guiGiayToDienTu)
 *   refsvc-admin.c      loopback admin interface (/admin/...)
 *   refsvc-errors.c     the error-code table (code → HTTP status, vi, en)
 *   refsvc-auth.c       bearer tokens bound to a device certificate
 *   refsvc-trust.c      device (mTLS) chains, CMS and signer certificates, CRLs
 *   refsvc-presence.c   card-presence proof (Active Authentication + EF.SOD)
 *   refsvc-dossier.c    envelope parsing and dossier payload validation
 *   refsvc-xmldoc.c     hospital XML documents: parsing, fields, XML-DSig
 *   refsvc-store.c      SQLite storage, idempotency, status events
 *   refsvc-backoffice.c the simulated back-office systems and their clock
 *
 * Every function returning a const char * "error code" returns NULL on
 * success, else a code registered in refsvc-errors.c. */
#ifndef REFSVC_H
#define REFSVC_H

#include <glib.h>
#include <json-glib/json-glib.h>
#include <stdint.h>

/* ------------------------------------------------------------------------ */
/* Errors (refsvc-errors.c)                                                  */

typedef struct {
  char *path;      /* JSON Pointer into the payload ("/khaiSinh/nksHoTen") or XML element */
  char *code;      /* "required", "format", "code_list", "length", "type", "range", "consistency",
                      "unknown" (a member the contract does not define) */
  char *message;   /* Vietnamese */
} refsvc_field_error;

typedef struct {
  const char *code;         /* e.g. "dossier.invalid" (static, from the table) */
  guint       http_status;
  const char *message_vi;
  const char *message_en;
  GPtrArray  *fields;       /* refsvc_field_error *, owned; may be empty */
  guint       retry_after;  /* seconds, 0 = none (429/503) */
} refsvc_error;

/* Looks code up in the table; an unknown code is a programming error and
 * gives "server.internal".  Never returns NULL. */
refsvc_error *refsvc_error_new (const char *code);
/* At most this many fields are listed in one error: a hostile document
 * could otherwise make millions (the first ones suffice to fix it). */
#define REFSVC_MAX_FIELD_ERRORS 100u
void          refsvc_error_add_field (refsvc_error *e, const char *path,
                                      const char *code, const char *message_vi);
void          refsvc_error_free (refsvc_error *e);
/* {"error": {"code", "message", "message_en", "status", "fields": [...],
 *            "retryAfter"?}} — newly allocated, UTF-8. */
char         *refsvc_error_to_json (const refsvc_error *e);
/* HTTP status of a registered code (500 for unknown ones). */
guint         refsvc_error_status (const char *code);
/* For docs and tests: the whole table, terminated by a NULL code. */
typedef struct { const char *code; guint http_status; const char *vi; const char *en; } refsvc_error_def;
const refsvc_error_def *refsvc_error_table (void);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (refsvc_error, refsvc_error_free)

/* ------------------------------------------------------------------------ */
/* Trust (refsvc-trust.c): certificates of devices and signers              */

typedef enum {
  REFSVC_DEVICE_COUNTER = 1,   /* commune one-stop counter */
  REFSVC_DEVICE_KIOSK,         /* self-service kiosk */
  REFSVC_DEVICE_HOSPITAL,      /* hospital birth/death desk */
} refsvc_device_kind;

/* A device is identified by its mTLS certificate:
 *   subject C=VN, O=<unit code: 5-digit commune, or 5-char facility code>,
 *           OU=counter|kiosk|hospital, CN=<device id> */
typedef struct {
  char               id[65];
  char               unit[17];
  refsvc_device_kind kind;
  guint8             fingerprint[32];  /* SHA-256 of the certificate DER */
} refsvc_device;

typedef struct {
  char   subject[256];    /* RFC 2253 */
  char   issuer[256];
  char   serial[80];      /* hex */
  char   key_type[16];    /* "RSA-2048", "EC-P-256" ... */
  gint64 signing_time;    /* CMS signingTime / XML SigningTime, unix s; 0 = none */
} refsvc_signer;

typedef struct refsvc_trust refsvc_trust;

/* Loads from pki_dir (certs/test/service layout, see certs/README.md):
 *   device-ca-TEST-ONLY.pem + .crl   anchors for device certificates
 *   signing-ca-TEST-ONLY.pem + .crl  anchors for clerk/hospital signers
 *   the CSCA store under ../trust    for card-presence proofs */
refsvc_trust *refsvc_trust_load (const char *pki_dir, GError **error);
void          refsvc_trust_free (refsvc_trust *t);
/* The CSCA store (owned by t), for refsvc-presence.c. */
const struct mc_trust_store *refsvc_trust_csca (refsvc_trust *t);

/* chain: GBytes * of certificate DER, leaf first (as the TLS peer sent
 * them).  Verified at the real current time with CRLs.  Codes:
 * tls.client_cert_required (empty), tls.client_cert_untrusted,
 * tls.client_cert_expired, tls.client_cert_revoked, tls.client_cert_profile
 * (subject lacks O/OU/CN or OU unknown). */
const char *refsvc_trust_check_device (refsvc_trust *t, GPtrArray *chain,
                                       refsvc_device *out);

/* Detached CMS SignedData (DER) over content; CAdES-BES profile: signed
 * attributes contentType, messageDigest, signingTime and ESS
 * signingCertificateV2 required; the signer certificate is inside the CMS
 * and must chain to the signing CA (CRL checked).  Codes: signature.malformed,
 * signature.not_cades, signature.invalid, signature.unknown_signer,
 * signature.expired, signature.revoked. */
const char *refsvc_trust_verify_cms (refsvc_trust *t, const guint8 *content, gsize content_len,
                                     const guint8 *cms_der, gsize cms_len,
                                     refsvc_signer *out);

/* A signer certificate found elsewhere (XML-DSig KeyInfo): chain + CRL +
 * validity at now (signature.unknown_signer / .expired / .revoked). */
const char *refsvc_trust_check_signer_der (refsvc_trust *t, const guint8 *der, gsize len,
                                           refsvc_signer *out);

/* ------------------------------------------------------------------------ */
/* Card-presence proof (refsvc-presence.c)                                   */

/* Checks that the chip whose EF.SOD and DG15 are given signed, with
 * Active Authentication, the challenge = first 8 bytes of SHA-256(payload):
 * SOD verified against the CSCA store, DG15 hash listed in the SOD, AA
 * signature valid.  Codes: presence.malformed, presence.sod_untrusted,
 * presence.dg15_mismatch, presence.invalid. */
const char *refsvc_presence_verify (refsvc_trust *t,
                                    const guint8 *payload, gsize payload_len,
                                    GBytes *aa_signature, GBytes *dg15, GBytes *sod);

/* ------------------------------------------------------------------------ */
/* Dossiers (refsvc-dossier.c)                                               */

typedef enum { REFSVC_BIRTH = 1, REFSVC_DEATH = 2 } refsvc_procedure;

/* The POST /v1/dossiers body, decoded (docs/protocol.md §Submitting). */
typedef struct {
  char            *transaction_id;   /* lowercase RFC 4122 UUID */
  refsvc_procedure procedure;
  GBytes          *payload;          /* exact dossier bytes (JSON, UTF-8) */
  GBytes          *signature;        /* CMS DER */
  GBytes          *aa_signature;     /* card presence, all three or none */
  GBytes          *dg15;
  GBytes          *sod;
} refsvc_envelope;

void refsvc_envelope_free (refsvc_envelope *env);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (refsvc_envelope, refsvc_envelope_free)

/* Parses and checks the envelope shape (not the payload).  On failure
 * returns NULL and *err is set (dossier.bad_envelope with fields, or
 * request.malformed_json). */
refsvc_envelope *refsvc_envelope_parse (const guint8 *body, gsize len, refsvc_error **err);

/* Validates the payload (a birth or death group dossier) against the
 * contract.  Returns NULL when valid, else dossier.invalid with every
 * invalid field listed (JSON Pointer paths).  On success *out_root (if
 * non-NULL) receives the parsed payload (caller unrefs). */
refsvc_error *refsvc_dossier_validate (refsvc_procedure proc, GBytes *payload,
                                       JsonNode **out_root);

/* Loads the code lists (units-2025.csv, ethnicities.csv ...) from dir
 * (data/codes in the source tree).  Call once before validating. */
gboolean refsvc_codes_load (const char *dir, GError **error);

const char *refsvc_procedure_name (refsvc_procedure p);  /* "birth" / "death" */

/* RFC 4648 §4 base64, strictly (standard alphabet, padding, no
 * whitespace, zero unused bits; decoded size ≤ max): the bytes, or NULL
 * and *code = "format" or "length". */
GBytes *refsvc_base64_decode_strict (const char *s, gsize max, const char **code);

/* Compact JSON text of node (newly allocated). */
char *refsvc_json_to_string (JsonNode *node);
/* "name": value, or "name": null when value is NULL. */
void  refsvc_json_add_string (JsonBuilder *b, const char *name, const char *value);

/* Strict JSON object parser for outside bytes (UTF-8, no duplicate
 * member names, one object): the parsed root, or NULL and *why (a
 * Vietnamese reason; why must not be NULL). */
JsonNode *refsvc_json_parse_object (const guint8 *data, gsize len, const char **why);

/* ------------------------------------------------------------------------ */
/* Hospital documents (refsvc-xmldoc.c)                                      */

typedef enum { REFSVC_DOC_DEATH_NOTICE = 60, REFSVC_DOC_BIRTH_CERT = 61 } refsvc_doc_kind;

typedef struct {
  refsvc_doc_kind kind;
  char           *code;        /* MA_GCS / MA_GBT */
  char           *facility;    /* MACSKCB (GBT) or the request's maCskcb (GCS) */
  gboolean        first_issue; /* CAP_LAN_DAU != "0" */
  JsonObject     *fields;      /* element name → string, every child of the document */
  refsvc_signer   signer;
} refsvc_xmldoc;

void refsvc_xmldoc_free (refsvc_xmldoc *d);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (refsvc_xmldoc, refsvc_xmldoc_free)

/* Initialises libxml2/xmlsec once (main thread, before the daemons). */
gboolean refsvc_xmldoc_init (GError **error);
void     refsvc_xmldoc_shutdown (void);

/* Parses the XML package (HSDLGCS/GIAYCHUNGSINH or HSDLGBT/GIAYBAOTU),
 * checks the layout and field formats, verifies the enveloped XML-DSig in
 * CHUKYDONVI (docs/protocol-hospital.md) and the signer certificate with
 * refsvc_trust_check_signer_der.  expected_kind: the loaiHs sent.
 * Returns the document or NULL with *err: xml.malformed, xml.wrong_kind,
 * xml.invalid (fields listed), xmldsig.missing, xmldsig.invalid,
 * signature.unknown_signer / .expired / .revoked. */
refsvc_xmldoc *refsvc_xmldoc_parse (refsvc_trust *t, refsvc_doc_kind expected_kind,
                                    const guint8 *xml, gsize len, refsvc_error **err);

/* ------------------------------------------------------------------------ */
/* Back office: systems, statuses, clock (refsvc-backoffice.c)               */

typedef enum {
  REFSVC_ST_CHUA_GUI_DI = 0,      /* Chưa gửi đi */
  REFSVC_ST_MOI_DANG_KY = 1,      /* Mới đăng ký */
  REFSVC_ST_DA_TIEP_NHAN = 2,     /* Đã tiếp nhận */
  REFSVC_ST_TU_CHOI = 3,          /* Từ chối tiếp nhận (reason) */
  REFSVC_ST_DANG_XU_LY = 4,       /* Đang xử lý */
  REFSVC_ST_YEU_CAU_BO_SUNG = 5,  /* Yêu cầu bổ sung (missing items) */
  REFSVC_ST_DA_XU_LY_XONG = 9,    /* Đã xử lý xong */
  REFSVC_ST_DA_TRA_KET_QUA = 10,  /* Đã trả kết quả */
} refsvc_status;

const char *refsvc_status_code (refsvc_status s);   /* "MOI_DANG_KY" */
const char *refsvc_status_label (refsvc_status s);  /* "Mới đăng ký" */

/* Systems: birth = hoTich, cuTru, bhxh; death = hoTich, cuTru, ldtbxh. */
typedef struct {
  double  refuse_ratio;      /* share refused at reception (0..1) */
  double  supplement_ratio;  /* share asked for supplements while processing */
  guint64 seed;              /* outcome choice is a hash of (seed, dossier, system, round) */
  gint64  receive_s;         /* MOI_DANG_KY → DA_TIEP_NHAN / TU_CHOI */
  gint64  start_s;           /* DA_TIEP_NHAN → DANG_XU_LY */
  gint64  process_s;         /* DANG_XU_LY → DA_XU_LY_XONG / YEU_CAU_BO_SUNG */
  gint64  return_s;          /* DA_XU_LY_XONG → DA_TRA_KET_QUA */
} refsvc_backoffice_config;

/* ------------------------------------------------------------------------ */
/* Storage (refsvc-store.c) — every call is atomic (one lock, one SQLite    */
/* transaction); safe from any thread.                                      */

typedef struct refsvc_store refsvc_store;

typedef enum {
  REFSVC_STORE_CREATED,
  REFSVC_STORE_REPLAY,      /* same transaction id, same bytes: stored answer */
  REFSVC_STORE_CONFLICT,    /* same transaction id, different bytes */
  REFSVC_STORE_NOT_FOUND,
  REFSVC_STORE_REFUSED,     /* e.g. supplement when none was asked */
  REFSVC_STORE_ERROR,
} refsvc_store_result;

typedef struct {
  const char            *transaction_id;
  refsvc_procedure       procedure;
  const char            *unit;          /* submitting device's unit */
  const char            *device_id;
  const guint8          *request_sha256;/* 32 bytes, SHA-256 of the whole request body */
  GBytes                *payload;
  JsonNode              *payload_root;  /* parsed, validated payload */
  GBytes                *signature;
  const refsvc_signer   *signer;
  gboolean               presence_verified;
} refsvc_submission;

/* path: SQLite file (WAL).  The store takes the back-office configuration
 * and the clock from the service (refsvc_clock_*) when it needs them. */
refsvc_store *refsvc_store_open (const char *path, GError **error);
void          refsvc_store_close (refsvc_store *st);

/* Idempotent submit.  CREATED: *http_status = 201 and *answer = the JSON
 * answer (dossierId, transactionId, procedure, receivedAt, payloadSha256,
 * signer, cardPresence, systems[]), stored with the transaction.  REPLAY:
 * the stored status and answer, byte for byte.  CONFLICT: nothing stored. */
refsvc_store_result refsvc_store_submit (refsvc_store *st, const refsvc_submission *sub,
                                         const refsvc_backoffice_config *bo, gint64 now,
                                         guint *http_status, char **answer);
/* Looks a transaction id up without storing anything: REPLAY with the
 * stored status and answer when the same request (same bytes, same unit,
 * same kind: a submit when dossier_id is NULL, else a supplement of that
 * dossier) was stored, CONFLICT when the id was used otherwise, NOT_FOUND
 * when the id is new. */
refsvc_store_result refsvc_store_lookup_transaction (refsvc_store *st, const char *transaction_id,
                                                     const guint8 *request_sha256, const char *unit,
                                                     const char *dossier_id,
                                                     guint *http_status, char **answer);
/* Supplement for a dossier with a system in YEU_CAU_BO_SUNG (same
 * idempotency rules, answer 202 + the dossier status).  NOT_FOUND when
 * the dossier is unknown or of another unit; REFUSED when no system waits
 * for a supplement. */
refsvc_store_result refsvc_store_supplement (refsvc_store *st, const char *dossier_id,
                                             const refsvc_submission *sub,
                                             const refsvc_backoffice_config *bo, gint64 now,
                                             guint *http_status, char **answer);

/* The status document of one dossier (docs/protocol.md §Status), or NULL
 * when unknown or not of unit (unit NULL: any). */
JsonNode *refsvc_store_dossier_status (refsvc_store *st, const char *dossier_id, const char *unit);
JsonNode *refsvc_store_dossier_by_transaction (refsvc_store *st, const char *transaction_id,
                                               const char *unit);
/* {"changes": [...], "nextCursor": "N", "more": bool} for unit since cursor. */
JsonNode *refsvc_store_changes (refsvc_store *st, const char *unit, gint64 since, guint limit);

/* Applies every back-office transition due at or before now (in time
 * order, cascading to downstream systems); returns how many were made. */
guint refsvc_store_advance (refsvc_store *st, const refsvc_backoffice_config *bo, gint64 now);

/* Hospital documents.  Idempotent by (kind, code): the same bytes give
 * REPLAY with the original ma_gd/received; different bytes: CONFLICT
 * unless the new one is a re-issue (first_issue FALSE), which replaces. */
refsvc_store_result refsvc_store_put_document (refsvc_store *st, const refsvc_xmldoc *doc,
                                               GBytes *xml, const char *device_id, gint64 now,
                                               char **ma_gd, char **received_at);
/* {"code","loaiHs","maGD","receivedAt","facility","signer":{},"fields":{},"document": base64} */
JsonNode *refsvc_store_get_document (refsvc_store *st, refsvc_doc_kind kind, const char *code);

/* Admin: {"dossiers": n, "documents": n, "events": n} and the list. */
JsonNode *refsvc_store_admin_counts (refsvc_store *st);
JsonNode *refsvc_store_admin_dossiers (refsvc_store *st);

/* Vietnam time (UTC+7, no daylight saving): a shared zone, not to be unref'd. */
GTimeZone *refsvc_vn_timezone (void);

/* Time helpers: ISO 8601 UTC "2026-11-23T10:00:00Z". */
char *refsvc_iso8601 (gint64 unix_seconds);

#endif
