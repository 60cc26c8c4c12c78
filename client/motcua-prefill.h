/* motcua-prefill.h — filling a dossier from the documents a citizen brings
 *
 * Each function applies its values with motcua_dossier_set() and the
 * matching MotcuaSourceKind, so the prefill rule of motcua-dossier.h holds:
 * the clerk's typing is never overwritten and disagreements between
 * documents become conflicts.  Dates are converted to the protocol's
 * formats, addresses to the 2025 units (free text matched with
 * motcua_units_match_address(); an ambiguous match leaves only dcChiTiet
 * and reports a warning), ethnicity and religion names to their codes. */
#pragma once

#include "motcua-card.h"
#include "motcua-dossier.h"
#include "motcua-fields.h"
#include "motcua-units.h"

G_BEGIN_DECLS

typedef enum {
  MOTCUA_ROLE_MOTHER = 1,      /* birth: me* */
  MOTCUA_ROLE_FATHER,          /* birth: cha* */
  MOTCUA_ROLE_REQUESTER,       /* both: nyc* */
  MOTCUA_ROLE_DECEASED,        /* death: nkt* */
  MOTCUA_ROLE_NEW_HEAD,        /* death: xoaThuongTru/chuHoMoi */
  MOTCUA_ROLE_CLAIMANT,        /* death: maiTang/nguoiNhan */
} MotcuaRole;

const char *motcua_role_name (MotcuaRole r);        /* "mother", … */
MotcuaRole  motcua_role_from_name (const char *name);

/* Prefill from a card read.  A FAILED verdict refuses with
 * MOTCUA_ERROR_CARD_NOT_GENUINE and changes nothing; UNVERIFIED prefills and
 * appends a WARNING "card.unverified".  A role that does not belong to the
 * dossier's procedure is MOTCUA_ERROR_DOSSIER_INVALID.  Problems found
 * while converting (an address that does not match, an unknown ethnicity)
 * are appended to @problems as warnings. */
gboolean motcua_prefill_from_card (MotcuaDossier *dossier, MotcuaRole role,
                                   const mc_identity *id, const mc_verdict *verdict,
                                   const MotcuaUnits *units, GPtrArray *problems,
                                   GError **error);

/* A verifier of hospital documents' enveloped XML-DSig (docs/protocol-hospital.md):
 * the signing CA certificates (PEM files or a directory of them) and CRLs. */
typedef struct _MotcuaDocTrust MotcuaDocTrust;
MotcuaDocTrust *motcua_doc_trust_new (const char * const *paths, GError **error);
void            motcua_doc_trust_free (MotcuaDocTrust *t);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MotcuaDocTrust, motcua_doc_trust_free)

/* Verifies a GIAYCHUNGSINH / GIAYBAOTU document's signature against @trust;
 * MOTCUA_ERROR_DOCUMENT_SIGNATURE or _FORMAT when it fails.  On success
 * *signer (when not NULL) is the signer's subject, newly allocated. */
gboolean motcua_doc_verify (MotcuaDocTrust *trust, const char *xml, gsize len,
                            char **signer, GError **error);

/* Prefill a birth dossier's child, birth and (when they are on it) mother
 * fields from a birth certificate, after verifying its signature.  Nothing
 * changes when it does not verify. */
gboolean motcua_prefill_from_birth_cert (MotcuaDossier *dossier, const char *xml, gsize len,
                                         MotcuaDocTrust *trust, const MotcuaUnits *units,
                                         GPtrArray *problems, GError **error);
/* The same for a death dossier and a death notice. */
gboolean motcua_prefill_from_death_notice (MotcuaDossier *dossier, const char *xml, gsize len,
                                           MotcuaDocTrust *trust, const MotcuaUnits *units,
                                           GPtrArray *problems, GError **error);

G_END_DECLS
