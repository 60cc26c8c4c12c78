/* motcua-signer-xml.c — enveloped XML-DSig for BHXH hospital documents
 *
 * The PL02 profile of docs/protocol-hospital.md §6 (what tests/refsvc/
 * refsvc-xmldsig.c accepts):
 *   ROOT/CHUKYDONVI (last child of the root)/Signature[@Id="CHUKYDONVI-<Id>"]
 *   in the default xmldsig namespace; C14N 20010315; rsa-sha256 or
 *   ecdsa-sha256 from the key; two References, SHA-256, no Transforms:
 *   "#Object-CHUKYDONVI-<Id>" then "#<Id>" (the document element);
 *   KeyInfo/X509Data = X509SubjectName (RFC 2253) + X509Certificate;
 *   Object[@Id="Object-CHUKYDONVI-<Id>"]/SignatureProperties/
 *   SignatureProperty[@Target][@Id]/SigningTime in no namespace, Vietnam
 *   local time yyyy-MM-ddTHH:mm:ss.
 *
 * Token keys: xmlsec 1.2.37 cannot sign with a libp11 key (with OpenSSL 3
 * it takes an RSA key without a readable private exponent for a public
 * key, and its ECDSA fails on such keys).  So xmlsec builds the signature
 * with a throw-away software key of the same type and
 * XMLSEC_DSIG_FLAGS_STORE_SIGNATURE; the canonical SignedInfo it signed
 * (xmlSecDSigCtxGetPreSignBuffer) is then signed with the real key through
 * EVP_DigestSign (SHA-256; ECDSA DER turned into r‖s as XML-DSig wants)
 * and that value replaces the SignatureValue.  The same path serves file
 * keys, so both are tested alike. */
#define G_LOG_DOMAIN "motcua-signer"

#include <string.h>

#include <glib/gi18n-lib.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/valid.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <xmlsec/crypto.h>
#include <xmlsec/openssl/evp.h>
#include <xmlsec/templates.h>
#include <xmlsec/xmldsig.h>
#include <xmlsec/xmlsec.h>
#include <xmlsec/xmltree.h>

#include "motcua-error.h"
#include "motcua-signer-private.h"

#define DSIG_NS "http://www.w3.org/2000/09/xmldsig#"
#define MAX_XML_SIZE (5 * 1024 * 1024)

/* xmlsec is initialised once per process and never shut down (another
 * part of the process may use it too: its transform list tells). */
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
      g_once_init_leave (&once, 1);
    }
  return ok;
}

/* The first element child of @node (or next element sibling from @node). */
static xmlNodePtr
next_element (xmlNodePtr node)
{
  while (node != NULL && node->type != XML_ELEMENT_NODE)
    node = node->next;
  return node;
}

static gboolean
has_dtd (xmlDocPtr doc)
{
  for (xmlNodePtr n = doc->children; n != NULL; n = n->next)
    if (n->type == XML_DTD_NODE)
      return TRUE;
  return doc->intSubset != NULL || doc->extSubset != NULL;
}

/* Checks the package layout; returns the document element, removes an
 * empty CHUKYDONVI.  A package already signed is refused. */
static xmlNodePtr
check_package (xmlDocPtr doc, GError **error)
{
  xmlNodePtr root = xmlDocGetRootElement (doc);
  const char *want = NULL;

  if (root != NULL && root->ns == NULL)
    {
      if (xmlStrEqual (root->name, BAD_CAST "HSDLGCS"))
        want = "GIAYCHUNGSINH";
      else if (xmlStrEqual (root->name, BAD_CAST "HSDLGBT"))
        want = "GIAYBAOTU";
    }
  if (want == NULL)
    {
      motcua_error_set (error, MOTCUA_ERROR_DOCUMENT_FORMAT, _("gốc phải là HSDLGCS hoặc HSDLGBT (root must be HSDLGCS or HSDLGBT)"));
      return NULL;
    }
  xmlNodePtr d = next_element (root->children);
  if (d == NULL || d->ns != NULL || !xmlStrEqual (d->name, BAD_CAST want))
    {
      motcua_error_set (error, MOTCUA_ERROR_DOCUMENT_FORMAT, _("thiếu phần tử %s (no %s element)"), want, want);
      return NULL;
    }
  for (xmlNodePtr n = next_element (d->next); n != NULL; )
    {
      xmlNodePtr next = next_element (n->next);
      if (n->ns != NULL || !xmlStrEqual (n->name, BAD_CAST "CHUKYDONVI") || next != NULL)
        {
          motcua_error_set (error, MOTCUA_ERROR_DOCUMENT_FORMAT, _("phần tử thừa sau %s (unexpected element after %s)"), want, want);
          return NULL;
        }
      if (next_element (n->children) != NULL)
        {
          motcua_error_set (error, MOTCUA_ERROR_DOCUMENT_FORMAT, _("giấy tờ đã được ký (already signed)"));
          return NULL;
        }
      xmlUnlinkNode (n);
      xmlFreeNode (n);
      n = next;
    }
  return d;
}

/* The document element's Id; a new "Id-<uuid>" when it has none. */
static char *
document_id (xmlNodePtr d, GError **error)
{
  xmlChar *v = xmlGetNoNsProp (d, BAD_CAST "Id");
  if (v == NULL)
    {
      g_autofree char *uuid = g_uuid_string_random ();
      char *id = g_strdup_printf ("Id-%s", uuid);
      xmlSetProp (d, BAD_CAST "Id", BAD_CAST id);
      return id;
    }
  char *id = g_strdup ((const char *) v);
  xmlFree (v);
  if (*id == '\0' || strlen (id) > 128 || xmlValidateNCName (BAD_CAST id, 0) != 0)
    {
      g_free (id);
      motcua_error_set (error, MOTCUA_ERROR_DOCUMENT_FORMAT, _("thuộc tính Id không hợp lệ (bad Id attribute)"));
      return NULL;
    }
  return id;
}

static void
add_object (xmlDocPtr doc, xmlNodePtr sig, const char *id)
{
  g_autofree char *obj_id = g_strdup_printf ("Object-CHUKYDONVI-%s", id);
  g_autofree char *target = g_strdup_printf ("#CHUKYDONVI-%s", id);
  g_autofree char *prop_id = g_strdup_printf ("SignatureProperty-CHUKYDONVI-%s", id);
  g_autoptr (GTimeZone) ict = g_time_zone_new_offset (7 * 3600);
  g_autoptr (GDateTime) now = g_date_time_new_now (ict);
  g_autofree char *when = g_date_time_format (now, "%Y-%m-%dT%H:%M:%S");
  xmlNodePtr obj = xmlSecTmplSignatureAddObject (sig, BAD_CAST obj_id, NULL, NULL);
  xmlNodePtr props = xmlNewDocNode (doc, NULL, BAD_CAST "SignatureProperties", NULL);

  xmlNewNs (props, BAD_CAST "", NULL);   /* no namespace: xmlns="" */
  xmlAddChild (obj, props);
  xmlNodePtr prop = xmlNewChild (props, NULL, BAD_CAST "SignatureProperty", NULL);
  xmlNewProp (prop, BAD_CAST "Target", BAD_CAST target);
  xmlNewProp (prop, BAD_CAST "Id", BAD_CAST prop_id);
  xmlNewTextChild (prop, NULL, BAD_CAST "SigningTime", BAD_CAST when);
}

static gboolean
add_template (xmlDocPtr doc, const char *id, X509 *cert, gboolean ec)
{
  g_autofree char *sig_id = g_strdup_printf ("CHUKYDONVI-%s", id);
  g_autofree char *obj_uri = g_strdup_printf ("#Object-CHUKYDONVI-%s", id);
  g_autofree char *doc_uri = g_strdup_printf ("#%s", id);
  g_autofree char *subject = motcua_signer_subject_line (cert);
  unsigned char *der = NULL;
  int der_len = i2d_X509 (cert, &der);
  if (der_len <= 0)
    return FALSE;
  g_autofree char *cert_b64 = g_base64_encode (der, (gsize) der_len);
  OPENSSL_free (der);

  xmlNodePtr chuky = xmlNewChild (xmlDocGetRootElement (doc), NULL, BAD_CAST "CHUKYDONVI", NULL);
  xmlNodePtr sig = xmlSecTmplSignatureCreate (doc, xmlSecTransformInclC14NId,
                                              ec ? xmlSecTransformEcdsaSha256Id : xmlSecTransformRsaSha256Id,
                                              BAD_CAST sig_id);
  if (chuky == NULL || sig == NULL)
    return FALSE;
  xmlAddChild (chuky, sig);
  if (xmlSecTmplSignatureAddReference (sig, xmlSecTransformSha256Id, NULL, BAD_CAST obj_uri, NULL) == NULL
      || xmlSecTmplSignatureAddReference (sig, xmlSecTransformSha256Id, NULL, BAD_CAST doc_uri, NULL) == NULL)
    return FALSE;
  xmlNodePtr ki = xmlSecTmplSignatureEnsureKeyInfo (sig, NULL);
  xmlNodePtr x509 = ki ? xmlSecTmplKeyInfoAddX509Data (ki) : NULL;
  if (x509 == NULL)
    return FALSE;
  /* Filled here: the key given to xmlsec has no certificate, so xmlsec
   * leaves X509Data as written. */
  xmlNodeSetContent (xmlSecTmplX509DataAddSubjectName (x509), BAD_CAST subject);
  xmlNodeSetContent (xmlSecTmplX509DataAddCertificate (x509), BAD_CAST cert_b64);
  add_object (doc, sig, id);
  return TRUE;
}

/* A throw-away software key of @key's type for xmlsec (see top). */
static xmlSecKeyPtr
dummy_key (gboolean ec)
{
  EVP_PKEY *pkey = ec ? EVP_EC_gen ("P-256") : EVP_RSA_gen (1024);
  xmlSecKeyDataPtr data = pkey ? xmlSecOpenSSLEvpKeyAdopt (pkey) : NULL;
  xmlSecKeyPtr key = NULL;

  if (data == NULL)
    {
      EVP_PKEY_free (pkey);
      return NULL;
    }
  key = xmlSecKeyCreate ();
  if (key == NULL || xmlSecKeySetValue (key, data) < 0)
    {
      xmlSecKeyDataDestroy (data);
      if (key != NULL)
        xmlSecKeyDestroy (key);
      return NULL;
    }
  return key;
}

/* SHA-256 signature of @tbs with @key, in XML-DSig form (ECDSA: r‖s). */
static guint8 *
sign_bytes (EVP_PKEY *key, const guint8 *tbs, gsize tbs_len, gsize *out_len)
{
  EVP_MD_CTX *md = EVP_MD_CTX_new ();
  size_t sig_len = 0;
  guint8 *sig = NULL;

  if (md == NULL || EVP_DigestSignInit (md, NULL, EVP_sha256 (), NULL, key) != 1
      || EVP_DigestSign (md, NULL, &sig_len, tbs, tbs_len) != 1)
    goto fail;
  sig = g_malloc (sig_len);
  if (EVP_DigestSign (md, sig, &sig_len, tbs, tbs_len) != 1)
    goto fail;
  EVP_MD_CTX_free (md);
  md = NULL;
  if (EVP_PKEY_base_id (key) != EVP_PKEY_EC)
    {
      *out_len = sig_len;
      return sig;
    }
  /* DER ECDSA-Sig-Value → fixed-width r‖s. */
  int half = (EVP_PKEY_get_bits (key) + 7) / 8;
  const unsigned char *p = sig;
  ECDSA_SIG *es = d2i_ECDSA_SIG (NULL, &p, (long) sig_len);
  g_clear_pointer (&sig, g_free);
  if (es == NULL || half <= 0)
    {
      ECDSA_SIG_free (es);
      goto fail;
    }
  sig = g_malloc ((gsize) half * 2);
  if (BN_bn2binpad (ECDSA_SIG_get0_r (es), sig, half) != half
      || BN_bn2binpad (ECDSA_SIG_get0_s (es), sig + half, half) != half)
    {
      ECDSA_SIG_free (es);
      goto fail;
    }
  ECDSA_SIG_free (es);
  *out_len = (gsize) half * 2;
  return sig;
fail:
  EVP_MD_CTX_free (md);
  g_free (sig);
  ERR_clear_error ();
  return NULL;
}

/* Signs the template in @doc (parsed from its own serialisation). */
static gboolean
sign_parsed (xmlDocPtr doc, EVP_PKEY *key, gboolean ec, GError **error)
{
  xmlNodePtr root = xmlDocGetRootElement (doc);
  xmlNodePtr d = root ? next_element (root->children) : NULL;
  xmlNodePtr chuky = d ? next_element (d->next) : NULL;
  xmlNodePtr sig = chuky ? next_element (chuky->children) : NULL;
  xmlAttrPtr id = d ? xmlHasProp (d, BAD_CAST "Id") : NULL;
  xmlChar *id_value = NULL;
  xmlSecDSigCtxPtr ctx = NULL;
  gboolean ok = FALSE;
  guint8 *value = NULL;
  gsize value_len = 0;

  if (sig == NULL || id == NULL)
    goto out;
  id_value = xmlNodeListGetString (doc, id->children, 1);
  if (xmlAddID (NULL, doc, id_value, id) == NULL || (ctx = xmlSecDSigCtxCreate (NULL)) == NULL
      || (ctx->signKey = dummy_key (ec)) == NULL)
    goto out;
  ctx->flags |= XMLSEC_DSIG_FLAGS_STORE_SIGNATURE;
  if (xmlSecDSigCtxSign (ctx, sig) < 0)
    goto out;
  xmlSecBufferPtr pre = xmlSecDSigCtxGetPreSignBuffer (ctx);
  if (pre == NULL || xmlSecBufferGetSize (pre) == 0)
    goto out;
  value = sign_bytes (key, xmlSecBufferGetData (pre), xmlSecBufferGetSize (pre), &value_len);
  xmlNodePtr sv = xmlSecFindChild (sig, BAD_CAST "SignatureValue", BAD_CAST DSIG_NS);
  if (value == NULL || sv == NULL)
    goto out;
  char *b64 = g_base64_encode (value, value_len);
  xmlNodeSetContent (sv, BAD_CAST b64);
  g_free (b64);
  ok = TRUE;
out:
  if (!ok)
    motcua_error_set (error, MOTCUA_ERROR_SIGN_FAILED, "XML-DSig");
  if (ctx != NULL)
    xmlSecDSigCtxDestroy (ctx);
  g_free (value);
  xmlFree (id_value);
  ERR_clear_error ();
  return ok;
}

static xmlDocPtr
parse (const char *data, gsize len)
{
  /* No network, no entity substitution, no DTD loading; whitespace kept. */
  return xmlReadMemory (data, (int) len, NULL, NULL, XML_PARSE_NONET | XML_PARSE_NOERROR
                                                     | XML_PARSE_NOWARNING);
}

GBytes *
motcua_signer_sign_xml (MotcuaSigner *self, GBytes *xml, GError **error)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (xml != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  EVP_PKEY *key;
  X509 *cert;
  if (!motcua_signer_ready (self, &key, &cert, error))
    return NULL;
  if (!ensure_xmlsec ())
    {
      motcua_error_set (error, MOTCUA_ERROR_FAILED, "xmlsec");
      return NULL;
    }
  gboolean ec = EVP_PKEY_base_id (key) == EVP_PKEY_EC;
  gsize len = 0;
  const char *data = g_bytes_get_data (xml, &len);
  if (len == 0 || len > MAX_XML_SIZE)
    {
      motcua_error_set (error, MOTCUA_ERROR_DOCUMENT_FORMAT, _("kích thước không hợp lệ (empty or over 5 MiB)"));
      return NULL;
    }

  xmlDocPtr doc = parse (data, len), signed_doc = NULL;
  xmlChar *tmpl = NULL, *out = NULL;
  int tmpl_len = 0, out_len = 0;
  GBytes *result = NULL;
  g_autofree char *id = NULL;
  xmlNodePtr d;

  if (doc == NULL || has_dtd (doc))
    {
      motcua_error_set (error, MOTCUA_ERROR_DOCUMENT_FORMAT, _("XML không hợp lệ hoặc có DTD (malformed XML or a DTD)"));
      goto out;
    }
  if ((d = check_package (doc, error)) == NULL || (id = document_id (d, error)) == NULL)
    goto out;
  if (!add_template (doc, id, cert, ec))
    {
      motcua_error_set (error, MOTCUA_ERROR_SIGN_FAILED, "XML-DSig template");
      goto out;
    }
  /* Serialise and parse again, so what xmlsec digests is exactly what a
   * verifier parses (notably the xmlns="" of SignatureProperties). */
  xmlDocDumpMemoryEnc (doc, &tmpl, &tmpl_len, "UTF-8");
  if (tmpl == NULL || (signed_doc = parse ((const char *) tmpl, (gsize) tmpl_len)) == NULL)
    {
      motcua_error_set (error, MOTCUA_ERROR_SIGN_FAILED, "XML-DSig template");
      goto out;
    }
  if (!sign_parsed (signed_doc, key, ec, error))
    goto out;
  xmlDocDumpMemoryEnc (signed_doc, &out, &out_len, "UTF-8");
  if (out == NULL || out_len <= 0)
    motcua_error_set (error, MOTCUA_ERROR_SIGN_FAILED, "XML");
  else
    result = g_bytes_new (out, (gsize) out_len);
out:
  xmlFree (tmpl);
  xmlFree (out);
  xmlFreeDoc (signed_doc);
  xmlFreeDoc (doc);
  return result;
}
