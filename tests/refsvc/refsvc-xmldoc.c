/* refsvc-xmldoc.c — hospital XML packages sent through the BHXH gateway:
 * HSDLGCS/GIAYCHUNGSINH (loaiHs 61) and HSDLGBT/GIAYBAOTU (loaiHs 60),
 * docs/protocol-hospital.md.
 *
 * Order of the checks (the first failing one answers):
 *   size and well-formedness (xml.malformed) → root element against loaiHs
 *   (xml.wrong_kind) → package layout (xml.malformed) → fields (xml.invalid,
 *   every bad field listed) → signature (xmldsig.*, refsvc-xmldsig.c) →
 *   signer certificate (signature.unknown_signer / .expired / .revoked).
 * Fields come before the signature like the payload before the CMS for
 * dossiers: a hospital's developer learns every layout error at once,
 * signed or not.
 *
 * Parsing is defensive: no network (XML_PARSE_NONET), no DTD at all (the
 * parser is stopped at a DOCTYPE before its internal subset is read, so no
 * entity is ever declared, expanded or fetched: billion laughs and XXE are
 * refused as xml.malformed), no entity substitution, a 5 MiB limit, and
 * whitespace kept as sent (the digests cover it). */
#include "refsvc-xmldoc-int.h"

#include <libxml/parser.h>
#include <libxml/valid.h>
#include <string.h>

gboolean
refsvc_xmldoc_init (GError **error)
{
  return refsvc_xmldsig_init (error);
}

void
refsvc_xmldoc_shutdown (void)
{
  refsvc_xmldsig_shutdown ();
}

void
refsvc_xmldoc_free (refsvc_xmldoc *d)
{
  if (d == NULL)
    return;
  g_free (d->code);
  g_free (d->facility);
  if (d->fields != NULL)
    json_object_unref (d->fields);
  g_free (d);
}

/* ------------------------------------------------------------------------ */
/* Parsing                                                                  */

/* SAX internalSubset: called for every <!DOCTYPE …> right after its name
 * and external ID, before "[" … "]" is parsed.  We refuse DTDs outright. */
static void
refuse_doctype (void *ctx, const xmlChar *name, const xmlChar *external_id,
                const xmlChar *system_id)
{
  xmlParserCtxtPtr ctxt = ctx;

  (void) name;
  (void) external_id;
  (void) system_id;
  if (ctxt->_private != NULL)
    *(gboolean *) ctxt->_private = TRUE;
  xmlStopParser (ctxt);  /* errNo = XML_ERR_USER_STOP, checked too */
}

/* libxml2 reports some errors (bad bytes for the declared encoding …)
 * outside the parser context, through the calling thread's generic error
 * handler, which prints to stderr: silenced for the threads that parse. */
static void
quiet_libxml_errors (void *ctx, const char *msg, ...)
{
  (void) ctx;
  (void) msg;
}

static xmlDocPtr
parse_safely (const guint8 *xml, gsize len)
{
  xmlParserCtxtPtr ctxt;
  xmlDocPtr doc;
  gboolean doctype = FALSE;

  if (xml == NULL || len == 0 || len > REFSVC_XMLDOC_MAX_BYTES)
    return NULL;
  xmlSetGenericErrorFunc (NULL, quiet_libxml_errors);  /* per thread */
  if ((ctxt = xmlNewParserCtxt ()) == NULL)
    return NULL;
  ctxt->sax->internalSubset = refuse_doctype;
  ctxt->_private = &doctype;
  doc = xmlCtxtReadMemory (ctxt, (const char *) xml, (int) len, NULL, NULL,
                           XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
  if (doc != NULL && (doctype || ctxt->errNo == XML_ERR_USER_STOP || !ctxt->wellFormed
                      || doc->intSubset != NULL || doc->extSubset != NULL))
    g_clear_pointer (&doc, xmlFreeDoc);
  xmlFreeParserCtxt (ctxt);
  return doc;
}

/* ------------------------------------------------------------------------ */
/* Layout                                                                   */

static gboolean
is_named (xmlNodePtr n, const char *name)
{
  return n->type == XML_ELEMENT_NODE && n->ns == NULL && xmlStrEqual (n->name, BAD_CAST name);
}

static gboolean
blank_text (xmlNodePtr n)
{
  for (const xmlChar *s = n->content; s != NULL && *s; s++)
    if (!g_ascii_isspace (*s))
      return FALSE;
  return TRUE;
}

/* Root children: exactly one document element with an Id, at most one
 * CHUKYDONVI, nothing else but blanks, comments and processing
 * instructions.  Registers the document's Id as an XML ID (first, so a
 * "#Id" reference can only mean this element). */
static gboolean
layout_ok (const refsvc_xml_layout *l, xmlNodePtr root, xmlNodePtr *doc_el, xmlNodePtr *chuky)
{
  xmlAttrPtr id_attr;
  xmlChar *id;
  gboolean ok;

  *doc_el = *chuky = NULL;
  for (xmlNodePtr c = root->children; c != NULL; c = c->next)
    {
      if (c->type == XML_TEXT_NODE && blank_text (c))
        continue;
      if (c->type == XML_COMMENT_NODE || c->type == XML_PI_NODE)
        continue;
      if (is_named (c, l->document) && *doc_el == NULL)
        *doc_el = c;
      else if (is_named (c, "CHUKYDONVI") && *chuky == NULL)
        *chuky = c;
      else
        return FALSE;
    }
  if (*doc_el == NULL || (id_attr = xmlHasNsProp (*doc_el, BAD_CAST "Id", NULL)) == NULL)
    return FALSE;
  id = xmlNodeListGetString (root->doc, id_attr->children, 1);
  ok = id != NULL && xmlStrlen (id) <= 128 && xmlValidateNCName (id, 0) == 0
       && xmlAddID (NULL, root->doc, id, id_attr) != NULL;
  xmlFree (id);
  return ok;
}

/* GCS: CAP_LAN_DAU "0" = re-issue.  GBT has no such flag: a filled
 * SO_BAOTU_BD / QUYEN_SO_BD ("số/quyển ban đầu", the original notice's
 * number) marks a re-issue (our reading, see the protocol doc). */
static gboolean
is_first_issue (refsvc_doc_kind kind, JsonObject *f)
{
  if (kind == REFSVC_DOC_BIRTH_CERT)
    return g_strcmp0 (json_object_get_string_member_with_default (f, "CAP_LAN_DAU", ""), "0") != 0;
  return *json_object_get_string_member_with_default (f, "SO_BAOTU_BD", "") == '\0'
         && *json_object_get_string_member_with_default (f, "QUYEN_SO_BD", "") == '\0';
}

static refsvc_xmldoc *
new_doc (const refsvc_xml_layout *l, JsonObject *fields)
{
  refsvc_xmldoc *d = g_new0 (refsvc_xmldoc, 1);
  const char *facility = json_object_get_string_member_with_default (fields, "MACSKCB", "");

  d->kind = l->kind;
  d->code = g_strdup (json_object_get_string_member (fields, l->code_field));
  /* GCS packages carry no facility: the gateway sets the request's maCskcb. */
  d->facility = l->kind == REFSVC_DOC_DEATH_NOTICE && *facility ? g_strdup (facility) : NULL;
  d->first_issue = is_first_issue (l->kind, fields);
  d->fields = fields;
  return d;
}

refsvc_xmldoc *
refsvc_xmldoc_parse (refsvc_trust *t, refsvc_doc_kind expected_kind,
                     const guint8 *xml, gsize len, refsvc_error **err)
{
  const refsvc_xml_layout *l = refsvc_xml_layout_for_kind (expected_kind);
  xmlDocPtr doc;
  xmlNodePtr root, doc_el, chuky;
  JsonObject *fields = NULL;
  refsvc_xmldoc *d = NULL;
  refsvc_signer signer;
  const char *code;

  *err = NULL;
  if ((doc = parse_safely (xml, len)) == NULL || (root = xmlDocGetRootElement (doc)) == NULL)
    {
      *err = refsvc_error_new ("xml.malformed");
      goto out;
    }
  if (l == NULL || root->ns != NULL || refsvc_xml_layout_for_root ((const char *) root->name) != l)
    {
      *err = refsvc_error_new ("xml.wrong_kind");
      goto out;
    }
  if (!layout_ok (l, root, &doc_el, &chuky))
    {
      *err = refsvc_error_new ("xml.malformed");
      goto out;
    }
  if ((*err = refsvc_xml_fields_collect (l, doc_el, &fields)) != NULL)
    goto out;
  if ((code = refsvc_xmldsig_verify (t, doc_el, chuky, &signer)) != NULL)
    {
      *err = refsvc_error_new (code);
      goto out;
    }
  d = new_doc (l, g_steal_pointer (&fields));
  d->signer = signer;
out:
  if (fields != NULL)
    json_object_unref (fields);
  if (doc != NULL)
    xmlFreeDoc (doc);
  return d;
}
