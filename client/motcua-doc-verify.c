/* motcua-doc-verify.c — verifying a hospital document's XML-DSig
 * (docs/protocol-hospital.md §2, §6): the birth certificate (HSDLGCS /
 * GIAYCHUNGSINH) and the death notice (HSDLGBT / GIAYBAOTU).
 *
 * The order follows the contract (§7):
 *   1. at most 5 MiB, well-formed, no DTD at all (the parser is stopped at
 *      a DOCTYPE before its subset is read: no entity is declared, expanded
 *      or fetched), no network                          → DOCUMENT_FORMAT
 *   2. the root is HSDLGCS or HSDLGBT, without a namespace  → DOCUMENT_FORMAT
 *   3. layout: one document element with an NCName Id (registered as the
 *      XML ID first, so "#Id" can only mean it), at most one CHUKYDONVI
 *      holding exactly one ds:Signature                 → DOCUMENT_FORMAT
 *   4. no signature                                     → DOCUMENT_SIGNATURE
 *   5. the PL02 profile before any cryptography: SignedInfo then
 *      SignatureValue, C14N 20010315, rsa-sha256 or ecdsa-sha256, SHA-256
 *      references that are (a) "#<document Id>" plus at most one
 *      "#<Id of a ds:Object of this Signature>", no transform or C14N, or
 *      (b) one URI="" with enveloped-signature [, C14N]  → DOCUMENT_SIGNATURE
 *   6. xmlsec1 with the first KeyInfo/X509Data/X509Certificate's public key
 *      as the only key (no keys manager, KeyInfo not read, same-document
 *      URIs and the transforms above only)               → DOCUMENT_SIGNATURE
 *   7. that certificate's chain to the trust's CAs, the CRL of its issuer
 *      and validity now, by OpenSSL (the other X509Certificate elements are
 *      untrusted intermediates)                          → DOCUMENT_SIGNATURE
 * (motcua-doc-trust.c)
 *
 * Threads: a MotcuaDocTrust is read-only after motcua_doc_trust_new();
 * every verification has its own parser, xmlsec context and key. */
#define G_LOG_DOMAIN "motcua-doc"

#include <glib/gi18n.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/valid.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include <xmlsec/crypto.h>
#include <xmlsec/errors.h>
#include <xmlsec/openssl/evp.h>
#include <xmlsec/xmldsig.h>
#include <xmlsec/xmlsec.h>
#include <xmlsec/xmltree.h>

#include "motcua-doc-private.h"
#include "motcua-error.h"

#define DSIG_NS       "http://www.w3.org/2000/09/xmldsig#"
#define ALG_C14N      "http://www.w3.org/TR/2001/REC-xml-c14n-20010315"
#define ALG_RSA256    "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
#define ALG_ECDSA256  "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256"
#define ALG_SHA256    "http://www.w3.org/2001/04/xmlenc#sha256"
#define ALG_ENVELOPED "http://www.w3.org/2000/09/xmldsig#enveloped-signature"

#define MAX_REFERENCES 4
#define MAX_ID_CHARS   128
#define MAX_CERT_B64   (64 * 1024)

/* ------------------------------------------------------------------------ */
/* xmlsec                                                                   */

/* xmlsec reports every failed check through this callback; a hostile
 * document would flood stderr, so they go to g_debug. */
static void
quiet_xmlsec (const char *file, int line, const char *func, const char *object,
              const char *subject, int reason, const char *msg)
{
  g_debug ("xmlsec %s:%d %s: %s/%s reason %d: %s", file ? file : "", line, func ? func : "",
           object ? object : "", subject ? subject : "", reason, msg ? msg : "");
}

/* Initialised once per process, never shut down (the signer may have done
 * it already: xmlsec's transform list tells). */
static gboolean
ensure_xmlsec (void)
{
  static gsize once;
  static gboolean ok;

  if (g_once_init_enter (&once))
    {
      xmlInitParser ();
      ok = xmlSecTransformIdsGet ()->id != NULL
           || (xmlSecInit () == 0 && xmlSecCheckVersion () == 1
               && xmlSecCryptoAppInit (NULL) == 0 && xmlSecCryptoInit () == 0);
      if (ok)
        xmlSecErrorsSetCallback (quiet_xmlsec);
      g_once_init_leave (&once, 1);
    }
  return ok;
}

/* ------------------------------------------------------------------------ */
/* Parsing                                                                  */

/* SAX internalSubset: called for any <!DOCTYPE …> before its subset. */
static void
refuse_doctype (void *ctx, const xmlChar *name, const xmlChar *ext, const xmlChar *sys)
{
  xmlParserCtxtPtr ctxt = ctx;

  (void) name;
  (void) ext;
  (void) sys;
  *(gboolean *) ctxt->_private = TRUE;
  xmlStopParser (ctxt);
}

static void
quiet_libxml (void *ctx, const char *msg, ...)
{
  (void) ctx;
  (void) msg;
}

static xmlDocPtr
parse_safely (const char *xml, gsize len)
{
  gboolean doctype = FALSE;
  xmlParserCtxtPtr ctxt;
  xmlDocPtr doc;

  if ((ctxt = xmlNewParserCtxt ()) == NULL)
    return NULL;
  /* Some encoding errors bypass the context: silenced for this call. */
  xmlGenericErrorFunc old_func = xmlGenericError;
  void *old_ctx = xmlGenericErrorContext;
  xmlSetGenericErrorFunc (NULL, quiet_libxml);
  ctxt->sax->internalSubset = refuse_doctype;
  ctxt->_private = &doctype;
  /* No NOENT, DTDLOAD, DTDATTR, XINCLUDE or HUGE: nothing is substituted
   * or loaded and libxml2's default depth and size limits hold. */
  doc = xmlCtxtReadMemory (ctxt, xml, (int) len, NULL, NULL,
                           XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING
                           | XML_PARSE_NOCDATA);
  if (doc != NULL && (doctype || !ctxt->wellFormed || ctxt->errNo != XML_ERR_OK
                      || doc->intSubset != NULL || doc->extSubset != NULL))
    g_clear_pointer (&doc, motcua_doc_free_xml);
  xmlFreeParserCtxt (ctxt);
  xmlSetGenericErrorFunc (old_ctx, old_func);
  return doc;
}

static void
cleanse_tree (xmlNodePtr n)
{
  for (; n != NULL; n = n->next)
    {
      if ((n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) && n->content != NULL
          && n->content != (xmlChar *) &n->properties)
        OPENSSL_cleanse (n->content, strlen ((char *) n->content));
      if (n->type == XML_ELEMENT_NODE)
        cleanse_tree (n->children);
    }
}

void
motcua_doc_free_xml (xmlDocPtr doc)
{
  if (doc == NULL)
    return;
  /* The document holds personal data: wiped before it is freed. */
  cleanse_tree (doc->children);
  xmlFreeDoc (doc);
}

/* ------------------------------------------------------------------------ */
/* DOM helpers                                                              */

static xmlNodePtr
next_element (xmlNodePtr n)
{
  while (n != NULL && n->type != XML_ELEMENT_NODE)
    n = n->next;
  return n;
}

static xmlNodePtr
first_element (xmlNodePtr parent)
{
  return parent ? next_element (parent->children) : NULL;
}

static gboolean
is_dsig (xmlNodePtr n, const char *name)
{
  return n != NULL && n->type == XML_ELEMENT_NODE && n->ns != NULL
         && xmlStrEqual (n->ns->href, BAD_CAST DSIG_NS) && xmlStrEqual (n->name, BAD_CAST name);
}

static gboolean
is_plain (xmlNodePtr n, const char *name)
{
  return n->type == XML_ELEMENT_NODE && n->ns == NULL && xmlStrEqual (n->name, BAD_CAST name);
}

static gboolean
algorithm_is (xmlNodePtr n, const char *alg)
{
  xmlChar *a = xmlGetNoNsProp (n, BAD_CAST "Algorithm");
  gboolean eq = a != NULL && xmlStrEqual (a, BAD_CAST alg);
  xmlFree (a);
  return eq;
}

static gboolean
blank (xmlNodePtr n)
{
  for (const xmlChar *s = n->content; s != NULL && *s; s++)
    if (!g_ascii_isspace (*s))
      return FALSE;
  return TRUE;
}

/* Registers @attr's value as an XML ID: an NCName, not yet taken. */
static gboolean
register_id (xmlDocPtr doc, xmlAttrPtr attr)
{
  xmlChar *id = xmlNodeListGetString (doc, attr->children, 1);
  gboolean ok = id != NULL && xmlStrlen (id) <= MAX_ID_CHARS && xmlValidateNCName (id, 0) == 0
                && xmlGetID (doc, id) == NULL && xmlAddID (NULL, doc, id, attr) != NULL;
  xmlFree (id);
  return ok;
}

/* ------------------------------------------------------------------------ */
/* Layout and profile                                                       */

typedef struct {
  xmlNodePtr doc_el;
  xmlNodePtr sig;
  xmlChar   *doc_id;
  guint      doc_refs, object_refs, whole_refs;
} Profile;

static gboolean
transforms_ok (xmlNodePtr transforms, gboolean whole)
{
  xmlNodePtr t[3] = { NULL, NULL, NULL };
  guint n = 0;

  for (xmlNodePtr c = first_element (transforms); c != NULL; c = next_element (c->next))
    {
      if (n == G_N_ELEMENTS (t) || !is_dsig (c, "Transform") || first_element (c) != NULL)
        return FALSE;
      t[n++] = c;
    }
  if (whole)
    return (n == 1 || n == 2) && algorithm_is (t[0], ALG_ENVELOPED)
           && (n == 1 || algorithm_is (t[1], ALG_C14N));
  return n == 0 || (n == 1 && algorithm_is (t[0], ALG_C14N));
}

/* Is @id the Id of a ds:Object child of this Signature? */
static gboolean
is_signature_object (Profile *p, const xmlChar *id)
{
  xmlAttrPtr a = xmlGetID (p->sig->doc, id);
  return a != NULL && is_dsig (a->parent, "Object") && a->parent->parent == p->sig;
}

static gboolean
reference_ok (Profile *p, xmlNodePtr ref)
{
  g_autofree char *uri = NULL;
  xmlChar *u = xmlGetNoNsProp (ref, BAD_CAST "URI");
  xmlNodePtr c = first_element (ref), transforms = NULL, value;

  if (u == NULL)
    return FALSE;
  uri = g_strdup ((char *) u);
  xmlFree (u);
  if (is_dsig (c, "Transforms"))
    {
      transforms = c;
      c = next_element (c->next);
    }
  if (!transforms_ok (transforms, uri[0] == '\0') || !is_dsig (c, "DigestMethod")
      || !algorithm_is (c, ALG_SHA256) || first_element (c) != NULL)
    return FALSE;
  value = next_element (c->next);
  if (!is_dsig (value, "DigestValue") || next_element (value->next) != NULL)
    return FALSE;
  if (uri[0] == '\0')
    p->whole_refs++;
  else if (uri[0] == '#' && xmlStrEqual (BAD_CAST uri + 1, p->doc_id))
    p->doc_refs++;
  else if (uri[0] == '#' && is_signature_object (p, BAD_CAST uri + 1))
    p->object_refs++;
  else
    return FALSE;
  return TRUE;
}

static gboolean
profile_ok (Profile *p)
{
  xmlNodePtr si = first_element (p->sig), c;
  guint refs = 0;

  if (!is_dsig (si, "SignedInfo") || !is_dsig (next_element (si->next), "SignatureValue"))
    return FALSE;
  /* The Ids of the Signature's ds:Objects, so "#Object-…" resolves. */
  for (xmlNodePtr o = first_element (p->sig); o != NULL; o = next_element (o->next))
    {
      xmlAttrPtr a = is_dsig (o, "Object") ? xmlHasNsProp (o, BAD_CAST "Id", NULL) : NULL;
      if (a != NULL && !register_id (p->sig->doc, a))
        return FALSE;
    }
  c = first_element (si);
  if (!is_dsig (c, "CanonicalizationMethod") || !algorithm_is (c, ALG_C14N)
      || first_element (c) != NULL)
    return FALSE;
  c = next_element (c->next);
  if (!is_dsig (c, "SignatureMethod") || first_element (c) != NULL
      || !(algorithm_is (c, ALG_RSA256) || algorithm_is (c, ALG_ECDSA256)))
    return FALSE;
  for (c = next_element (c->next); c != NULL; c = next_element (c->next), refs++)
    if (refs >= MAX_REFERENCES || !is_dsig (c, "Reference") || !reference_ok (p, c))
      return FALSE;
  if (p->whole_refs > 0)
    return refs == 1;
  return p->doc_refs == 1 && p->object_refs <= 1;
}

/* The X509Certificate elements of KeyInfo/X509Data, in order (DER). */
static STACK_OF(X509) *
key_info_certificates (xmlNodePtr sig)
{
  STACK_OF(X509) *certs = sk_X509_new_null ();

  for (xmlNodePtr ki = first_element (sig); certs && ki; ki = next_element (ki->next))
    for (xmlNodePtr xd = is_dsig (ki, "KeyInfo") ? first_element (ki) : NULL; xd;
         xd = next_element (xd->next))
      for (xmlNodePtr c = is_dsig (xd, "X509Data") ? first_element (xd) : NULL; c;
           c = next_element (c->next))
        {
          if (!is_dsig (c, "X509Certificate") || sk_X509_num (certs) >= 8)
            continue;
          xmlChar *b64 = xmlNodeGetContent (c);
          gsize len = 0;
          g_autofree guchar *der = b64 && xmlStrlen (b64) <= MAX_CERT_B64
                                   ? g_base64_decode ((char *) b64, &len) : NULL;
          xmlFree (b64);
          const unsigned char *q = der;
          X509 *x = len > 0 ? d2i_X509 (NULL, &q, (long) len) : NULL;
          if (x == NULL || q != der + len || !sk_X509_push (certs, x))
            {
              X509_free (x);
              sk_X509_pop_free (certs, X509_free);
              return NULL;
            }
        }
  if (certs && sk_X509_num (certs) == 0)
    {
      sk_X509_free (certs);
      certs = NULL;
    }
  return certs;
}

static gboolean
signature_value_ok (xmlNodePtr sig, X509 *cert)
{
  EVP_PKEY *pkey = X509_get_pubkey (cert);
  xmlSecKeyDataPtr data = NULL;
  xmlSecKeyPtr key = NULL;
  xmlSecDSigCtxPtr ctx = NULL;
  gboolean ok = FALSE;

  /* No RSA below 2048 bits (§6.2). */
  if (pkey == NULL || (EVP_PKEY_base_id (pkey) == EVP_PKEY_RSA && EVP_PKEY_get_bits (pkey) < 2048))
    goto out;
  if ((data = xmlSecOpenSSLEvpKeyAdopt (pkey)) == NULL)
    goto out;
  pkey = NULL;
  if ((key = xmlSecKeyCreate ()) == NULL || xmlSecKeySetValue (key, data) < 0)
    goto out;
  data = NULL;
  if ((ctx = xmlSecDSigCtxCreate (NULL)) == NULL)
    goto out;
  ctx->signKey = key;   /* destroyed with ctx */
  key = NULL;
  ctx->flags |= XMLSEC_DSIG_FLAGS_IGNORE_MANIFESTS;
  ctx->enabledReferenceUris = xmlSecTransformUriTypeEmpty | xmlSecTransformUriTypeSameDocument;
  ok = xmlSecDSigCtxEnableSignatureTransform (ctx, xmlSecTransformInclC14NId) == 0
       && xmlSecDSigCtxEnableSignatureTransform (ctx, xmlSecTransformRsaSha256Id) == 0
       && xmlSecDSigCtxEnableSignatureTransform (ctx, xmlSecTransformEcdsaSha256Id) == 0
       && xmlSecDSigCtxEnableReferenceTransform (ctx, xmlSecTransformInclC14NId) == 0
       && xmlSecDSigCtxEnableReferenceTransform (ctx, xmlSecTransformEnvelopedId) == 0
       && xmlSecDSigCtxEnableReferenceTransform (ctx, xmlSecTransformSha256Id) == 0
       && xmlSecDSigCtxVerify (ctx, sig) == 0 && ctx->status == xmlSecDSigStatusSucceeded;
out:
  if (data != NULL)
    xmlSecKeyDataDestroy (data);
  if (key != NULL)
    xmlSecKeyDestroy (key);
  if (ctx != NULL)
    xmlSecDSigCtxDestroy (ctx);
  EVP_PKEY_free (pkey);
  return ok;
}

/* ------------------------------------------------------------------------ */

static gboolean
format_error (GError **error, const char *detail)
{
  motcua_error_set (error, MOTCUA_ERROR_DOCUMENT_FORMAT, "%s", detail);
  return FALSE;
}

/* Steps 3–7 on a parsed document. */
static gboolean
verify_tree (MotcuaDocTrust *trust, xmlNodePtr root, const char *document,
             xmlNodePtr *doc_el, char **signer, GError **error)
{
  xmlNodePtr chuky = NULL;
  xmlAttrPtr id_attr;
  Profile p = { .doc_el = NULL };

  *doc_el = NULL;
  for (xmlNodePtr c = root->children; c != NULL; c = c->next)
    {
      if ((c->type == XML_TEXT_NODE && blank (c)) || c->type == XML_COMMENT_NODE
          || c->type == XML_PI_NODE)
        continue;
      if (is_plain (c, document) && *doc_el == NULL)
        *doc_el = c;
      else if (is_plain (c, "CHUKYDONVI") && chuky == NULL)
        chuky = c;
      else
        return format_error (error, _("cấu trúc gói không đúng (wrong package layout)"));
    }
  if (*doc_el == NULL || (id_attr = xmlHasNsProp (*doc_el, BAD_CAST "Id", NULL)) == NULL
      || !register_id (root->doc, id_attr))
    return format_error (error, _("thiếu phần giấy tờ hoặc Id của nó (no document element Id)"));
  p.doc_el = *doc_el;
  p.sig = first_element (chuky);
  if (p.sig == NULL)
    {
      motcua_error_set (error, MOTCUA_ERROR_DOCUMENT_SIGNATURE,
                        _("giấy tờ chưa được ký (the document is not signed)"));
      return FALSE;
    }
  if (!is_dsig (p.sig, "Signature") || next_element (p.sig->next) != NULL)
    return format_error (error, _("CHUKYDONVI phải có đúng một chữ ký (exactly one signature)"));

  p.doc_id = xmlGetNoNsProp (*doc_el, BAD_CAST "Id");
  gboolean profile = profile_ok (&p);
  xmlFree (p.doc_id);
  if (!profile)
    {
      motcua_error_set (error, MOTCUA_ERROR_DOCUMENT_SIGNATURE,
                        _("chữ ký không theo mẫu PL02 (signature outside the PL02 profile)"));
      return FALSE;
    }
  STACK_OF(X509) *certs = key_info_certificates (p.sig);
  gboolean ok = FALSE;
  if (certs == NULL)
    motcua_error_set (error, MOTCUA_ERROR_DOCUMENT_SIGNATURE,
                      _("không đọc được chứng thư số của nơi ký (no readable X509Certificate)"));
  else if (!signature_value_ok (p.sig, sk_X509_value (certs, 0)))
    motcua_error_set (error, MOTCUA_ERROR_DOCUMENT_SIGNATURE,
                      _("giấy tờ đã bị sửa hoặc chữ ký sai (digest or signature value wrong)"));
  else if (motcua_doc_trust_check (trust, certs, error))
    {
      ok = TRUE;
      if (signer)
        *signer = motcua_doc_subject_line (sk_X509_value (certs, 0));
    }
  sk_X509_pop_free (certs, X509_free);
  return ok;
}

xmlDocPtr
motcua_doc_open (MotcuaDocTrust *trust, const char *xml, gsize len, MotcuaDocKind *kind,
                 xmlNodePtr *doc_el, char **signer, GError **error)
{
  xmlDocPtr doc;
  xmlNodePtr root;
  const char *document;

  if (!ensure_xmlsec ())
    {
      motcua_error_set (error, MOTCUA_ERROR_FAILED, "xmlsec1");
      return NULL;
    }
  if (xml == NULL || len == 0 || len > MOTCUA_DOC_MAX_BYTES
      || (doc = parse_safely (xml, len)) == NULL)
    {
      format_error (error, _("không phải XML hợp lệ, có DTD hoặc quá 5 MiB "
                             "(not well-formed XML, a DTD, or over 5 MiB)"));
      return NULL;
    }
  root = xmlDocGetRootElement (doc);
  if (root != NULL && is_plain (root, "HSDLGCS"))
    *kind = MOTCUA_DOC_BIRTH_CERT, document = "GIAYCHUNGSINH";
  else if (root != NULL && is_plain (root, "HSDLGBT"))
    *kind = MOTCUA_DOC_DEATH_NOTICE, document = "GIAYBAOTU";
  else
    {
      motcua_doc_free_xml (doc);
      format_error (error, _("không phải giấy chứng sinh hay giấy báo tử "
                             "(neither HSDLGCS nor HSDLGBT)"));
      return NULL;
    }
  if (!verify_tree (trust, root, document, doc_el, signer, error))
    {
      motcua_doc_free_xml (doc);
      return NULL;
    }
  return doc;
}

gboolean
motcua_doc_verify (MotcuaDocTrust *trust, const char *xml, gsize len, char **signer,
                   GError **error)
{
  g_return_val_if_fail (trust != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  MotcuaDocKind kind;
  xmlNodePtr doc_el;
  char *who = NULL;
  xmlDocPtr doc = motcua_doc_open (trust, xml, len, &kind, &doc_el, &who, error);

  if (doc == NULL)
    return FALSE;
  motcua_doc_free_xml (doc);
  if (signer)
    *signer = who;
  else
    g_free (who);
  return TRUE;
}
