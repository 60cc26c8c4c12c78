/* motcua-card.h — public API of libmotcua-card
 *
 * Reads and verifies the Vietnamese chip ID card (CCCD 2021, thẻ căn cước
 * 2024), an ICAO Doc 9303 eMRTD in TD1 format with a national DG13, over
 * PC/SC.  Plain C: pcsc-lite, OpenSSL 3 and OpenPACE only.
 *
 * Typical use:
 *
 *   mc_context *ctx;  mc_card *card;  mc_identity *id;  mc_verdict v;
 *   mc_context_new (&ctx);
 *   mc_card_connect (ctx, NULL, &card);         // first reader with a card
 *   mc_card_authenticate (card, &access);       // PACE, else BAC
 *   mc_card_read_identity (card, &id);          // DG1 + DG13: prefill now
 *   mc_card_verify (card, trust, &v);           // CA, AA, PA
 *   mc_card_read_face (card, &face);            // DG2, hash checked
 *   mc_card_get_verdict (card, &v);             // final verdict
 *
 * Every function returns an mc_status; nothing here aborts on outside data.
 * Objects are not thread-safe, except mc_context_cancel(), which may be
 * called from any thread to interrupt a blocking call on that context.
 * Secrets (access data, session keys) and personal data are wiped with
 * OPENSSL_cleanse when freed.
 */
#ifndef MOTCUA_CARD_H
#define MOTCUA_CARD_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------- errors */

typedef enum {
  MC_OK = 0,
  MC_ERR_INVALID_ARG,      /* caller passed something unusable */
  MC_ERR_NOMEM,
  MC_ERR_NO_SERVICE,       /* pcscd not running / cannot be reached */
  MC_ERR_NO_READER,        /* no reader, or the named reader is absent */
  MC_ERR_NO_CARD,          /* reader present, no card in it */
  MC_ERR_CARD_REMOVED,     /* card left the field during the operation */
  MC_ERR_READER,           /* transmit / reader-level failure */
  MC_ERR_TIMEOUT,
  MC_ERR_CANCELLED,
  MC_ERR_UNSUPPORTED_CARD, /* not an eMRTD / no usable access protocol */
  MC_ERR_ACCESS_DENIED,    /* PACE or BAC refused the access data */
  MC_ERR_BAD_ACCESS_DATA,  /* access data malformed (check digit, length) */
  MC_ERR_NEED_MRZ_DATA,    /* BAC-only card: the CAN alone cannot open it */
  MC_ERR_SM,               /* secure messaging: MAC or format failure */
  MC_ERR_MALFORMED,        /* card data does not parse */
  MC_ERR_FILE_NOT_FOUND,   /* 6A82 */
  MC_ERR_SECURITY_STATUS,  /* 6982: access to the file denied */
  MC_ERR_CARD_STATUS,      /* other unexpected status word */
  MC_ERR_CRYPTO,           /* local cryptographic failure */
  MC_ERR_TRUST_STORE,      /* trust store could not be loaded */
  MC_ERR_NOT_SUPPORTED,    /* the card does not offer the asked feature */
  MC_ERR__COUNT
} mc_status;

/* Stable machine-readable code, e.g. "card.no_card". */
const char *mc_status_code (mc_status s);
/* One-line message in Vietnamese (UTF-8) and in English. */
const char *mc_status_message_vi (mc_status s);
const char *mc_status_message_en (mc_status s);

/* ---------------------------------------------------------------- readers */

typedef struct mc_context mc_context;

typedef struct {
  char *name;
  int card_present;
  int card_in_use;      /* exclusively held by another application */
  uint8_t atr[36];
  size_t atr_len;
} mc_reader;

typedef enum {
  MC_EVENT_NONE = 0,
  MC_EVENT_READER_ADDED,
  MC_EVENT_READER_REMOVED,
  MC_EVENT_CARD_INSERTED,
  MC_EVENT_CARD_REMOVED,
  MC_EVENT_SERVICE_RESTARTED, /* the PC/SC context was rebuilt */
} mc_event_kind;

typedef struct {
  mc_event_kind kind;
  char reader[128];
} mc_event;

mc_status mc_context_new (mc_context **out);
void      mc_context_free (mc_context *ctx);
/* Lists readers now attached; *readers is freed with mc_readers_free. */
mc_status mc_context_list_readers (mc_context *ctx, mc_reader **readers, size_t *n);
void      mc_readers_free (mc_reader *readers, size_t n);
/* Blocks until a reader or card event, the timeout (ms, <0 = forever) or
 * mc_context_cancel().  Rebuilds the PC/SC context when pcscd restarts. */
mc_status mc_context_wait_event (mc_context *ctx, long timeout_ms, mc_event *ev);
/* Thread-safe: interrupts wait_event and any card operation on ctx. */
void      mc_context_cancel (mc_context *ctx);

/* ---------------------------------------------------------------- access */

typedef enum {
  MC_ACCESS_NONE = 0,
  MC_ACCESS_PACE,
  MC_ACCESS_BAC,
} mc_access_method;

/* Access data.  Fill with one of the mc_access_from_* functions. */
typedef struct {
  char can[7];              /* PACE CAN, 6 digits, or "" */
  char document_number[10]; /* BAC/PACE-MRZ: 9 chars, '<' padded, or "" */
  char date_of_birth[7];    /* YYMMDD */
  char date_of_expiry[7];   /* YYMMDD */
} mc_access;

/* A typed CAN (the last 6 digits of the 12-digit ID number). */
mc_status mc_access_from_can (mc_access *a, const char *can);
/* A typed 12-digit ID number and ISO dates (YYYY-MM-DD): gives both the
 * CAN and the BAC key (document number = last 9 digits). */
mc_status mc_access_from_id (mc_access *a, const char *id_number,
                             const char *dob_iso, const char *expiry_iso);
/* The three TD1 MRZ lines, as printed on the back of the card. */
mc_status mc_access_from_mrz (mc_access *a, const char *l1, const char *l2, const char *l3);
void      mc_access_clear (mc_access *a);

/* ---------------------------------------------------------------- data */

/* DG1: the TD1 MRZ (ICAO 9303-5 §4.2).  Strings are NUL-terminated, '<'
 * fillers removed from the ends. */
typedef struct {
  char document_code[3];
  char issuing_state[4];
  char document_number[10];
  char optional_data1[16];
  char date_of_birth[7];     /* YYMMDD */
  char sex[2];               /* M, F or < */
  char date_of_expiry[7];    /* YYMMDD */
  char nationality[4];
  char optional_data2[12];
  char primary_identifier[31];
  char secondary_identifier[31];
  int  check_digits_ok;      /* 1 when every check digit verifies */
} mc_mrz;

typedef struct {
  int      number;   /* DG13 field number */
  char    *value;    /* UTF-8 text, sub-strings joined by " | " */
  uint8_t *raw;      /* DER of the value */
  size_t   raw_len;
} mc_dg13_field;

/* The holder's data from DG13 (Vietnamese) and DG1.  Dates are ISO 8601
 * (YYYY-MM-DD) when they parse, else the card's text.  NULL when absent. */
typedef struct {
  char *id_number;
  char *full_name;
  char *date_of_birth;
  char *sex;
  char *nationality;
  char *ethnicity;
  char *religion;
  char *place_of_origin;
  char *place_of_residence;
  char *identifying_marks;
  char *date_of_issue;
  char *date_of_expiry;
  char *father_name;
  char *mother_name;
  char *spouse_name;
  char *old_id_number;
  mc_dg13_field *other_fields;   /* DG13 fields with unknown numbers */
  size_t         n_other_fields;
  int            has_mrz;
  mc_mrz         mrz;
} mc_identity;

void mc_identity_free (mc_identity *id);

typedef enum {
  MC_FACE_UNKNOWN = 0,
  MC_FACE_JPEG,
  MC_FACE_JPEG2000,
} mc_face_format;

typedef struct {
  mc_face_format format;
  uint8_t *data;   /* the image bytes, as stored in DG2 */
  size_t   len;
} mc_face;

const char *mc_face_format_name (mc_face_format f); /* "jpeg", "jpeg2000" */
void mc_face_free (mc_face *face);

/* ---------------------------------------------------------------- verdict */

typedef enum {
  MC_CHECK_NOT_DONE = 0,   /* not run (yet) */
  MC_CHECK_PASSED,
  MC_CHECK_FAILED,         /* evidence of forgery or cloning */
  MC_CHECK_UNVERIFIED,     /* could not be decided (no CSCA, not offered) */
} mc_check_result;

typedef struct {
  mc_check_result result;
  mc_status       code;        /* why, when not passed */
  char            reason[200]; /* short English reason for logs and UI */
} mc_check;

typedef enum {
  MC_VERDICT_UNVERIFIED = 0,
  MC_VERDICT_GENUINE,
  MC_VERDICT_FAILED,
} mc_verdict_status;

typedef struct {
  mc_verdict_status status;
  mc_check passive;   /* EF.SOD signature, chain to a CSCA, DG hashes */
  mc_check active;    /* Active Authentication (DG15) */
  mc_check chip;      /* Chip Authentication (DG14) */
} mc_verdict;

const char *mc_verdict_status_name (mc_verdict_status s); /* "genuine", ... */
const char *mc_check_result_name (mc_check_result r);     /* "passed", ... */

/* The CSCA trust store: certificates (PEM or DER) in a directory, ICAO
 * master lists (CMS SignedData), and CRLs. */
typedef struct mc_trust_store mc_trust_store;

mc_status mc_trust_store_new (mc_trust_store **out);
/* Loads every *.pem, *.crt, *.cer, *.der (certificates), *.crl and *.ml
 * (master lists) file in dir. */
mc_status mc_trust_store_add_dir (mc_trust_store *ts, const char *dir);
mc_status mc_trust_store_add_cert_file (mc_trust_store *ts, const char *path);
mc_status mc_trust_store_add_master_list (mc_trust_store *ts, const char *path);
mc_status mc_trust_store_add_crl_file (mc_trust_store *ts, const char *path);
size_t    mc_trust_store_count (const mc_trust_store *ts);
void      mc_trust_store_free (mc_trust_store *ts);

/* ---------------------------------------------------------------- card */

typedef struct mc_card mc_card;

typedef struct {
  unsigned apdus;
  unsigned long bytes_in;   /* bytes received from the card */
  unsigned long bytes_out;  /* bytes sent to the card */
  double ms_text;           /* connect → identity read */
  double ms_total;          /* connect → last operation */
  unsigned chunk_size;      /* READ BINARY size in use */
  int extended_length;      /* 1 when extended-length APDUs are in use */
} mc_stats;

/* reader NULL: the first reader with a card. */
mc_status mc_card_connect (mc_context *ctx, const char *reader, mc_card **out);
/* PACE when EF.CardAccess offers it and the access data allow it, else
 * BAC.  Selects the eMRTD application (never the MF). */
mc_status mc_card_authenticate (mc_card *card, const mc_access *access);
mc_access_method mc_card_access_method (const mc_card *card);
/* Reads DG1 and DG13. */
mc_status mc_card_read_identity (mc_card *card, mc_identity **out);
/* Reads EF.SOD, DG14, DG15; runs Chip Authentication, Active
 * Authentication and Passive Authentication over every DG read so far. */
mc_status mc_card_verify (mc_card *card, const mc_trust_store *trust, mc_verdict *out);
/* Reads DG2.  When the SOD is known its hash is checked, and a mismatch
 * turns the verdict to failed. */
mc_status mc_card_read_face (mc_card *card, mc_face **out);
void      mc_card_get_verdict (const mc_card *card, mc_verdict *out);
/* Active Authentication over a caller's 8-byte challenge (card-presence
 * proof): returns the chip's signature. */
mc_status mc_card_internal_authenticate (mc_card *card, const uint8_t challenge[8],
                                         uint8_t **sig, size_t *sig_len);
/* Raw file bytes already read in this session (EF.SOD = 0x1D, DGn = n). */
mc_status mc_card_get_file (const mc_card *card, int file_id,
                            const uint8_t **data, size_t *len);
void      mc_card_get_stats (const mc_card *card, mc_stats *out);
void      mc_card_free (mc_card *card);

/* ---------------------------------------------------------------- presence */

/* A card-presence proof checked without the card (e.g. by a server): the
 * chip's Active Authentication signature over a challenge derived from
 * what it vouches for, with the card's DG15 and EF.SOD (ICAO 9303-11 §6.1
 * for AA, §5.1 for Passive Authentication of DG15). */
typedef enum {
  MC_PRESENCE_VERIFIED = 0,   /* SOD trusted, DG15 listed in it, AA valid */
  MC_PRESENCE_SOD_UNTRUSTED,  /* EF.SOD signature or chain not valid at now */
  MC_PRESENCE_DG15_MISMATCH,  /* DG15 is not the one whose hash the SOD lists */
  MC_PRESENCE_INVALID,        /* the AA signature does not verify */
} mc_presence_result;

typedef struct {
  mc_presence_result result;
  mc_check sod;               /* the EF.SOD signature and chain check */
  char     reason[200];       /* short English reason for logs */
} mc_presence;

/* Checks the proof against the CSCA store ts at time now.  The AA hash for
 * EC keys is chosen by key size (no DG14 in the proof).  Returns MC_OK
 * when the inputs parsed (the verdict is out->result), MC_ERR_MALFORMED
 * when EF.SOD or DG15 does not parse, MC_ERR_INVALID_ARG for NULL. */
mc_status mc_presence_verify (const uint8_t *sod, size_t sod_len,
                              const uint8_t *dg15, size_t dg15_len,
                              const uint8_t challenge[8],
                              const uint8_t *sig, size_t sig_len,
                              const mc_trust_store *ts, time_t now, mc_presence *out);

#ifdef __cplusplus
}
#endif

#endif /* MOTCUA_CARD_H */
