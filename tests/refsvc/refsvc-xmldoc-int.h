/* refsvc-xmldoc-int.h — internals of the hospital-document module
 * (refsvc-xmldoc.c: parsing and layout; refsvc-xmlfields.c: the PL02
 * field tables and their checks; refsvc-xmldsig.c: the XML-DSig profile).
 * docs/protocol-hospital.md is the contract these files implement. */
#ifndef REFSVC_XMLDOC_INT_H
#define REFSVC_XMLDOC_INT_H

#include <libxml/tree.h>

#include "refsvc.h"

/* Largest package accepted (the gateway answers 1001 above this too). */
#define REFSVC_XMLDOC_MAX_BYTES (5u * 1024u * 1024u)

/* The two package layouts. */
typedef struct {
  refsvc_doc_kind kind;
  const char     *root;       /* "HSDLGCS" */
  const char     *document;   /* "GIAYCHUNGSINH" */
  const char     *code_field; /* "MA_GCS" */
} refsvc_xml_layout;

const refsvc_xml_layout *refsvc_xml_layout_for_kind (refsvc_doc_kind kind);
const refsvc_xml_layout *refsvc_xml_layout_for_root (const char *root_name);

/* Number of elements the layout defines (69 / 38) and the i-th name in
 * the documented order (NULL past the end).  testsign-xml.c does not use
 * these (it has its own sample table); tests compare the two. */
guint       refsvc_xml_field_count (refsvc_doc_kind kind);
const char *refsvc_xml_field_name (refsvc_doc_kind kind, guint i);

/* Collects every child element of doc_el into a new object (element name →
 * text) and checks the field formats.  Returns NULL when every field is
 * valid, else an xml.invalid error listing each bad field (path
 * "/<DOCUMENT>/<ELEMENT>").  *fields is set in both cases. */
refsvc_error *refsvc_xml_fields_collect (const refsvc_xml_layout *l, xmlNodePtr doc_el,
                                         JsonObject **fields);

/* libxml2 + xmlsec set-up (idempotent; see refsvc-xmldsig.c). */
gboolean refsvc_xmldsig_init (GError **error);
void     refsvc_xmldsig_shutdown (void);

/* Verifies the enveloped signature of a parsed package: doc_el is the
 * document element (its Id already registered as an ID), chukydonvi the
 * CHUKYDONVI element (NULL when absent).  Returns NULL and fills *signer,
 * or xmldsig.missing / xmldsig.invalid / signature.unknown_signer /
 * signature.expired / signature.revoked. */
const char *refsvc_xmldsig_verify (refsvc_trust *t, xmlNodePtr doc_el, xmlNodePtr chukydonvi,
                                   refsvc_signer *signer);

#endif
