/* motcua-dossier.h — a birth or death dossier being prepared at a counter
 *
 * The payload is the protocol's payload (docs/protocol-dossiers.md) as a
 * JSON object, addressed by JSON Pointers ("/khaiSinh/meHoTen").  Next to
 * it the dossier remembers where each field came from (a card read, a
 * birth certificate, a death notice, the clerk's typing, a derivation) and
 * the conflicts found while prefilling.
 *
 * The rule for prefill: what the clerk typed is never overwritten; a
 * document's value that differs from one already there from another
 * document is not applied but recorded as a conflict for the clerk to
 * settle (e.g. the mother's name on her card and on the birth certificate).
 * The clerk settles a conflict by setting the field, which clears it.
 *
 * The dossier file (`motcua-cli dossier new -o FILE`) is JSON:
 *   {"format":"motcua-dossier/1","procedure":"birth"|"death",
 *    "payload":{…}, "sources":{"/khaiSinh/meHoTen":{"kind":"card","ref":"001196012345"}, …},
 *    "conflicts":[{"path":…,"value":…,"source":{…},"offered":…,"offeredSource":{…}}, …]}
 * It holds personal data: callers keep it in memory or on encrypted
 * storage, and the queue stores it encrypted. */
#pragma once

#include <glib-object.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

typedef enum {
  MOTCUA_PROCEDURE_BIRTH = 1,   /* "birth": khaiSinh + thuongTru + bhyt */
  MOTCUA_PROCEDURE_DEATH = 2,   /* "death": khaiTu + xoaThuongTru + maiTang */
} MotcuaProcedure;

const char *motcua_procedure_name (MotcuaProcedure p);          /* "birth" */
/* 0 when @name is not a procedure name. */
MotcuaProcedure motcua_procedure_from_name (const char *name);

typedef enum {
  MOTCUA_SOURCE_NONE = 0,
  MOTCUA_SOURCE_CLERK,          /* typed by the clerk (or the citizen at a kiosk) */
  MOTCUA_SOURCE_CARD,           /* a chip ID card read and verified; ref = its ID number */
  MOTCUA_SOURCE_BIRTH_CERT,     /* a signed birth certificate; ref = maGCS */
  MOTCUA_SOURCE_DEATH_NOTICE,   /* a signed death notice; ref = maGBT */
  MOTCUA_SOURCE_DERIVED,        /* computed from other fields (e.g. date in words) */
} MotcuaSourceKind;

const char *motcua_source_kind_name (MotcuaSourceKind k);       /* "card" */
MotcuaSourceKind motcua_source_kind_from_name (const char *name);

typedef struct {
  char *path;                   /* JSON Pointer */
  JsonNode *value;              /* what the dossier holds */
  MotcuaSourceKind source;
  char *source_ref;
  JsonNode *offered;            /* what the other document says */
  MotcuaSourceKind offered_source;
  char *offered_ref;
} MotcuaConflict;

void motcua_conflict_free (MotcuaConflict *c);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MotcuaConflict, motcua_conflict_free)

typedef enum {
  MOTCUA_SET_APPLIED,           /* the value is now in the dossier */
  MOTCUA_SET_UNCHANGED,         /* the same value was already there */
  MOTCUA_SET_KEPT_CLERK,        /* not applied: the clerk typed another value */
  MOTCUA_SET_CONFLICT,          /* not applied: recorded as a conflict */
} MotcuaSetResult;

#define MOTCUA_TYPE_DOSSIER (motcua_dossier_get_type ())
G_DECLARE_FINAL_TYPE (MotcuaDossier, motcua_dossier, MOTCUA, DOSSIER, GObject)

/* An empty dossier: the group's three parts as empty objects, the receiving
 * unit (maDonViTiepNhan, noiDangKy) and ngayLap set to today in Vietnam. */
MotcuaDossier *motcua_dossier_new (MotcuaProcedure procedure, const char *unit_code);
/* Parses a dossier file (see above).  MOTCUA_ERROR_DOSSIER_FORMAT on any
 * malformation, with the JSON Pointer of the culprit in the message. */
MotcuaDossier *motcua_dossier_new_from_data (const char *data, gsize len, GError **error);
MotcuaDossier *motcua_dossier_load (const char *path, GError **error);
/* The dossier file; *len set when @len is not NULL. */
char          *motcua_dossier_to_data (MotcuaDossier *self, gsize *len);
/* Writes atomically with mode 0600. */
gboolean       motcua_dossier_save (MotcuaDossier *self, const char *path, GError **error);

MotcuaProcedure motcua_dossier_get_procedure (MotcuaDossier *self);
/* Borrowed; modify only through motcua_dossier_set_*(). */
JsonObject    *motcua_dossier_get_payload (MotcuaDossier *self);

/* The node at @pointer, NULL when absent.  Borrowed. */
JsonNode      *motcua_dossier_get (MotcuaDossier *self, const char *pointer);
/* The string at @pointer, NULL when absent or not a string.  Borrowed. */
const char    *motcua_dossier_get_string (MotcuaDossier *self, const char *pointer);
MotcuaSourceKind motcua_dossier_get_source (MotcuaDossier *self, const char *pointer,
                                            const char **ref);

/* Sets @pointer (creating the parent objects) following the prefill rule
 * above; a CLERK set always applies and clears the path's conflict.
 * Strings are stored NFC.  @value is copied. */
MotcuaSetResult motcua_dossier_set (MotcuaDossier *self, const char *pointer, JsonNode *value,
                                    MotcuaSourceKind source, const char *ref);
MotcuaSetResult motcua_dossier_set_string (MotcuaDossier *self, const char *pointer,
                                           const char *value, MotcuaSourceKind source,
                                           const char *ref);
/* Removes a field (clerk action); FALSE when it was absent. */
gboolean       motcua_dossier_remove (MotcuaDossier *self, const char *pointer);

/* Borrowed array of MotcuaConflict. */
GPtrArray     *motcua_dossier_get_conflicts (MotcuaDossier *self);

/* Computes the derived fields the national records need (e.g.
 * nksNgaySinhBangChu from nksNgaySinh); never overwrites a CLERK value. */
void           motcua_dossier_derive (MotcuaDossier *self);

/* The exact payload bytes that are signed and sent: compact JSON, UTF-8,
 * NFC, members in the dossier's order.  The same dossier always gives the
 * same bytes. */
GBytes        *motcua_dossier_serialize_payload (MotcuaDossier *self);

/* Who the dossier is about, for lists and receipts: the child's or the
 * deceased's name (or "" when not yet known).  Borrowed. */
const char    *motcua_dossier_get_subject_name (MotcuaDossier *self);

G_END_DECLS
