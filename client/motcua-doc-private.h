/* motcua-doc-private.h — shared by motcua-doc-verify.c (the signature) and
 * motcua-prefill-doc.c (the field mapping) */
#pragma once

#include <glib.h>
#include <libxml/tree.h>

#include "motcua-prefill.h"

G_BEGIN_DECLS

#define MOTCUA_DOC_MAX_BYTES (5 * 1024 * 1024)

typedef enum {
  MOTCUA_DOC_BIRTH_CERT = 61,   /* HSDLGCS / GIAYCHUNGSINH */
  MOTCUA_DOC_DEATH_NOTICE = 60, /* HSDLGBT / GIAYBAOTU */
} MotcuaDocKind;

/* Parses and verifies a hospital document (motcua_doc_verify()); on
 * success returns the parsed tree with *kind, *doc_el (the document
 * element, borrowed from the tree) and *signer (when not NULL).  Free with
 * motcua_doc_free_xml(), which wipes the text first. */
xmlDocPtr motcua_doc_open (MotcuaDocTrust *trust, const char *xml, gsize len,
                           MotcuaDocKind *kind, xmlNodePtr *doc_el, char **signer,
                           GError **error);
void      motcua_doc_free_xml (xmlDocPtr doc);

G_END_DECLS
