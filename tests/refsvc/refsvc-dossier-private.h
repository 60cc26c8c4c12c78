/* refsvc-dossier-private.h — internals shared by the dossier modules
 *
 *   refsvc-dossier.c        envelope, strict JSON parsing, the validate entry
 *   refsvc-dossier-walk.c   validation context, the table walk, unknown members
 *   refsvc-dossier-fields.c one check per field kind (and addresses)
 *   refsvc-dossier-rules.c  the birth and death tables, consistency rules
 *   refsvc-codes.c          code lists from data/codes (loaded once)
 *
 * docs/protocol-dossiers.md is the contract these files implement. */
#ifndef REFSVC_DOSSIER_PRIVATE_H
#define REFSVC_DOSSIER_PRIVATE_H

#include "refsvc.h"

/* Limits of the envelope and the payload (docs/protocol-dossiers.md §1). */
#define REFSVC_PAYLOAD_MAX      (256u * 1024u)
#define REFSVC_SIGNATURE_MAX    (64u * 1024u)
#define REFSVC_AA_SIGNATURE_MAX 1024u
#define REFSVC_DG15_MAX         4096u
#define REFSVC_SOD_MAX          (64u * 1024u)
#define REFSVC_JSON_MAX_DEPTH   32u

/* ---- Code lists (refsvc-codes.c); all FALSE/NULL before a load -------- */
gboolean    refsvc_codes_loaded (void);
gboolean    refsvc_codes_has_province (const char *code);      /* "01" (2025) */
/* Province code of a 2025 commune, NULL when the commune is unknown. */
const char *refsvc_codes_commune_province (const char *commune);
gboolean    refsvc_codes_has_legacy_district (const char *district);
/* TRUE when an old commune of district became (part of) commune. */
gboolean    refsvc_codes_legacy_pair (const char *district, const char *commune);
gboolean    refsvc_codes_has_ethnicity (const char *code);
gboolean    refsvc_codes_has_nationality (const char *code);

/* ---- Strict JSON (refsvc-dossier.c) ------------------------------------ */
/* Parses a JSON object with json-glib after a pre-scan json-glib does not
 * do: first byte '{', nesting ≤ REFSVC_JSON_MAX_DEPTH, no "\u0000" escape;
 * duplicate member names are refused.  Returns NULL with *why (Vietnamese,
 * static) on failure. */
JsonNode *refsvc_json_parse_object (const guint8 *data, gsize len, const char **why);

/* ---- Validation context (refsvc-dossier-walk.c) ------------------------ */
typedef struct {
  JsonNode     *root;
  refsvc_error *err;      /* created on the first problem: dossier.invalid */
  GDate         today;    /* in Vietnam (UTC+7) */
  guint         active;   /* blocks (F_ME, F_CHA) whose REQ rules apply */
} refsvc_vctx;

typedef enum {
  K_OBJECT,      /* a nested object listed in the table */
  K_ADDRESS,     /* {maTinh, maHuyen?, maXa, dcChiTiet} */
  K_PLACE,       /* {maTinh, maHuyen?, maXa?, dcChiTiet?} */
  K_NAME,        /* person name: NFC letters, spaces, apostrophes, ≤ 100 */
  K_TEXT,        /* NFC text without control characters, ≤ max */
  K_DATE,        /* dd.MM.yyyy */
  K_DATE_YMD,    /* yyyyMMdd */
  K_TIME,        /* HH:mm */
  K_ENUM,        /* one of values[] */
  K_ID_NUMBER,   /* number of the document whose type is at aux */
  K_PID12,       /* 12-digit personal identification number */
  K_ETHNIC,      /* 2 digits, ethnicities.csv */
  K_NATION,      /* ISO 3166-1 alpha-2, nationalities.csv */
  K_PHONE,
  K_EMAIL,
  K_COMMUNE,     /* 5-digit 2025 commune */
  K_COPIES,      /* string of digits, 0..max */
  K_MAGCS,       /* <digits>.GCS.<5 chars>.<yy> */
  K_MAGBT,       /* <digits>.GBT.<5 chars>.<yy> */
  K_FACILITY,    /* 5-character health facility code */
  K_ACCOUNT,     /* bank account number */
  K_BOOL,        /* JSON true/false */
  K_COUNT,       /* JSON integer 0..max */
  K_MEMBERS,     /* xoaThuongTru/thanhVienConLai: array of ≤ max members */
} refsvc_kind;

enum {
  F_REQ  = 1u << 0,   /* required (when its block is active) */
  F_PAST = 1u << 1,   /* a date not after today */
  F_ME   = 1u << 2,   /* mother block */
  F_CHA  = 1u << 3,   /* father block */
};
#define F_BLOCKS (F_ME | F_CHA)

typedef struct {
  const char        *path;    /* JSON Pointer from the payload root */
  refsvc_kind        kind;
  guint              flags;
  guint              max;     /* K_TEXT length, K_COPIES/K_COUNT maximum */
  const char *const *values;  /* K_ENUM: NULL-terminated */
  const char        *aux;     /* K_ID_NUMBER: path of the document type */
} refsvc_rule;

void refsvc_vctx_init (refsvc_vctx *ctx, JsonNode *root);
void refsvc_vctx_add (refsvc_vctx *ctx, const char *path, const char *code, const char *msg);
/* Member at a JSON Pointer (no ~ escapes in our tables); NULL if any step
 * is missing or not an object. */
JsonNode   *refsvc_vctx_node (refsvc_vctx *ctx, const char *path);
/* The string at path when present (not absent per refsvc_node_absent). */
const char *refsvc_vctx_string (refsvc_vctx *ctx, const char *path);
/* Parses the dd.MM.yyyy (or yyyyMMdd when ymd) date at path, if valid. */
gboolean    refsvc_vctx_date (refsvc_vctx *ctx, const char *path, gboolean ymd, GDate *out);
gboolean    refsvc_node_absent (JsonNode *node);
gboolean    refsvc_node_is_string (JsonNode *node);

void refsvc_walk_rules (refsvc_vctx *ctx, const refsvc_rule *rules, gsize n);
void refsvc_walk_unknown (refsvc_vctx *ctx, const refsvc_rule *rules, gsize n);

/* ---- Field kinds (refsvc-dossier-fields.c) ----------------------------- */
/* Checks the string value s of rule r (every kind but objects, addresses,
 * booleans and counts). */
void refsvc_check_value (refsvc_vctx *ctx, const refsvc_rule *r, const char *s);
/* An address object at path; full: maXa and dcChiTiet are required. */
void refsvc_check_address (refsvc_vctx *ctx, const char *path, JsonObject *o, gboolean full);
/* Date parsers shared with the rules. */
gboolean refsvc_parse_date_dmy (const char *s, GDate *out);
gboolean refsvc_parse_date_ymd (const char *s, GDate *out);

/* ---- The groups (refsvc-dossier-rules.c) ------------------------------- */
void refsvc_rules_check (refsvc_vctx *ctx, refsvc_procedure proc);
/* The household members' array at r->path (its elements and their
 * members, unknown ones included). */
void refsvc_check_members (refsvc_vctx *ctx, const refsvc_rule *r, JsonArray *a);

#endif
