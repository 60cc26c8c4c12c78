/* motcua-validate-private.h — internals of dossier validation
 *
 *   motcua-validate.c         the entry, the table walk, normalisation, warnings
 *   motcua-validate-fields.c  one check per field kind (and addresses)
 *   motcua-validate-rules.c   the birth and death tables, consistency rules
 *
 * docs/protocol-dossiers.md is the contract; the codes (required, type,
 * format, code_list, length, range, consistency, unknown) are the service's
 * field codes, so an ERROR here is what the service would refuse. */
#pragma once

#include "motcua-validate.h"
#include "motcua-codes.h"

G_BEGIN_DECLS

typedef enum {
  K_OBJECT, K_ADDRESS, K_PLACE, K_NAME, K_TEXT, K_DATE, K_DATE_YMD, K_TIME, K_ENUM,
  K_ID_NUMBER, K_PID12, K_ETHNIC, K_NATION, K_PHONE, K_EMAIL, K_COMMUNE, K_COPIES,
  K_MAGCS, K_MAGBT, K_FACILITY, K_ACCOUNT, K_BOOL, K_COUNT,
  K_ARRAY,       /* an array of objects; its members' rules put "*" for the index */
} MotcuaVKind;

enum {
  F_REQ  = 1u << 0,   /* required (when its block is active) */
  F_PAST = 1u << 1,   /* a date not after today */
  F_ME   = 1u << 2,   /* mother block */
  F_CHA  = 1u << 3,   /* father block */
};
#define F_BLOCKS (F_ME | F_CHA)

typedef struct {
  const char        *path;    /* JSON Pointer; "*" stands for an array index */
  MotcuaVKind        kind;
  guint              flags;
  guint              max;     /* K_TEXT length, K_COPIES/K_COUNT/K_ARRAY maximum */
  const char *const *values;  /* K_ENUM: NULL-terminated */
  const char        *aux;     /* K_ID_NUMBER: path of the document type */
} MotcuaVRule;

typedef struct {
  JsonNode *root;
  GPtrArray *problems;
  GDate today;
  guint active;
  const MotcuaUnits *units;
  const MotcuaCodes *codes;   /* NULL when the lists did not load */
} MotcuaVCtx;

void        motcua_vctx_error (MotcuaVCtx *ctx, const char *path, const char *code, const char *msg);
void        motcua_vctx_warn (MotcuaVCtx *ctx, const char *path, const char *code, const char *msg);
JsonNode   *motcua_vctx_node (MotcuaVCtx *ctx, const char *path);
gboolean    motcua_vnode_absent (JsonNode *node);
gboolean    motcua_vnode_is_string (JsonNode *node);
const char *motcua_vctx_string (MotcuaVCtx *ctx, const char *path);
gboolean    motcua_vctx_date (MotcuaVCtx *ctx, const char *path, gboolean ymd, GDate *out);
gboolean    motcua_vparse_dmy (const char *s, GDate *out);
gboolean    motcua_vparse_ymd (const char *s, GDate *out);

/* The table walk (motcua-validate.c). */
void motcua_vwalk_rules (MotcuaVCtx *ctx, const MotcuaVRule *rules, gsize n);
void motcua_vwalk_unknown (MotcuaVCtx *ctx, const MotcuaVRule *rules, gsize n);

/* motcua-validate-fields.c */
void motcua_vcheck_value (MotcuaVCtx *ctx, const MotcuaVRule *r, const char *path, const char *s);
void motcua_vcheck_address (MotcuaVCtx *ctx, const char *path, JsonObject *o, gboolean full);

/* motcua-validate-rules.c */
const MotcuaVRule *motcua_vrules (MotcuaProcedure proc, gsize *n);
guint motcua_vrules_blocks (MotcuaVCtx *ctx, MotcuaProcedure proc);
void  motcua_vrules_consistency (MotcuaVCtx *ctx, MotcuaProcedure proc);

G_END_DECLS
