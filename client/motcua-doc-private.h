/* motcua-doc-private.h — shared by motcua-doc-verify.c (the signature),
 * motcua-doc-trust.c (the signer's chain) and motcua-prefill-doc.c (the
 * field mapping) */
#pragma once

#include <glib.h>
#include <libxml/tree.h>
#include <openssl/x509.h>

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

/* motcua-doc-trust.c: the first certificate of @certs (the signer, the
 * others untrusted intermediates) against the trust's CAs and CRLs, now;
 * MOTCUA_ERROR_DOCUMENT_SIGNATURE telling expired, revoked, no CRL and
 * unknown signer apart. */
gboolean  motcua_doc_trust_check (MotcuaDocTrust *trust, STACK_OF(X509) *certs, GError **error);
/* The subject, RFC 2253 with UTF-8 kept as is. */
char     *motcua_doc_subject_line (X509 *cert);

G_END_DECLS
