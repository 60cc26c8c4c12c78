/* refsvc-xmldsig.c — the enveloped XML-DSig of a BHXH package (PL02
 * profile, docs/protocol-hospital.md §Signature), verified with xmlsec1.
 *
 * What we check, in order:
 *   1. CHUKYDONVI holds exactly one ds:Signature (none: xmldsig.missing).
 *   2. The profile, on the DOM, before any cryptography: SignedInfo with
 *      inclusive C14N 20010315, rsa-sha256 or ecdsa-sha256, every Reference
 *      digested with sha256, and the references one of
 *        (a) PL02: "#<Id of the document element>" plus at most one
 *            "#<Id of a ds:Object of this Signature>" (the SigningTime
 *            properties), transforms none or C14N 20010315;
 *        (b) tracnn's USB-token signer: a single Reference URI="" with the
 *            enveloped-signature transform (then optionally C14N).
 *      The Id of the document element was registered by the caller before
 *      anything else, so a "#Id" cannot be redirected to another element
 *      (signature wrapping).
 *   3. The first X509Certificate of KeyInfo/X509Data is the signer.  Its
 *      public key is given to xmlsec as the verification key: xmlsec never
 *      looks at KeyInfo, builds no chain and fetches nothing (references
 *      restricted to same-document URIs, transforms to the ones above).
 *   4. Certificate trust is ours: refsvc_trust_check_signer_der.
 *
 * Threads: every call has its own xmlSecDSigCtx and key, no keys manager
 * and no shared mutable state; xmlsec's global tables are written only by
 * refsvc_xmldsig_init (main thread, before the daemons), and libxml2 is
 * thread-safe once xmlInitParser ran.  So no lock is needed around
 * verification. */
#include "refsvc-xmldoc-int.h"

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <string.h>

#include <xmlsec/crypto.h>
#include <xmlsec/errors.h>
#include <xmlsec/openssl/evp.h>
#include <xmlsec/xmldsig.h>
#include <xmlsec/xmlsec.h>
#include <xmlsec/xmltree.h>

#define DSIG_NS      "http://www.w3.org/2000/09/xmldsig#"
#define ALG_C14N     "http://www.w3.org/TR/2001/REC-xml-c14n-20010315"
#define ALG_RSA256   "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
#define ALG_ECDSA256 "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256"
#define ALG_SHA256   "http://www.w3.org/2001/04/xmlenc#sha256"
#define ALG_ENVELOPED "http://www.w3.org/2000/09/xmldsig#enveloped-signature"

#define MAX_REFERENCES 4
#define MAX_CERT_B64   (64 * 1024)

/* ------------------------------------------------------------------------ */
/* Initialisation                                                           */

static GMutex init_lock;
static guint init_count;
static gboolean own_xmlsec;   /* we initialised xmlsec (not testsign-xml.c) */

/* xmlsec reports every failed check through this callback; a hostile
 * package would flood stderr, so they go to g_debug (G_MESSAGES_DEBUG). */
static void
quiet_xmlsec_errors (const char *file, int line, const char *func, const char *object,
                     const char *subject, int reason, const char *msg)
{
  g_debug ("xmlsec %s:%d %s: %s/%s reason %d: %s", file ? file : "", line,
           func ? func : "", object ? object : "", subject ? subject : "", reason,
           msg ? msg : "");
}

static gboolean
xmlsec_is_initialised (void)
{
  return xmlSecTransformIdsGet ()->id != NULL;
}

gboolean
refsvc_xmldsig_init (GError **error)
{
  gboolean ok = TRUE;

  g_mutex_lock (&init_lock);
  if (init_count == 0)
    {
      xmlInitParser ();
      if (!xmlsec_is_initialised ())
        {
          if (xmlSecInit () < 0 || xmlSecCheckVersion () != 1
              || xmlSecCryptoAppInit (NULL) < 0 || xmlSecCryptoInit () < 0)
            ok = FALSE;
          else
            own_xmlsec = TRUE;
        }
      if (ok)
        xmlSecErrorsSetCallback (quiet_xmlsec_errors);
    }
  if (ok)
    init_count++;
  else
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "xmlsec1 initialisation failed");
  g_mutex_unlock (&init_lock);
  return ok;
}

void
refsvc_xmldsig_shutdown (void)
{
  g_mutex_lock (&init_lock);
  if (init_count > 0 && --init_count == 0 && own_xmlsec)
    {
      xmlSecCryptoShutdown ();
      xmlSecCryptoAppShutdown ();
      xmlSecShutdown ();
      own_xmlsec = FALSE;
    }
  g_mutex_unlock (&init_lock);
}

/* ------------------------------------------------------------------------ */
/* DOM helpers                                                              */

static gboolean
is_dsig (xmlNodePtr n, const char *name)
{
  return n != NULL && n->type == XML_ELEMENT_NODE && n->ns != NULL
         && xmlStrEqual (n->ns->href, BAD_CAST DSIG_NS) && xmlStrEqual (n->name, BAD_CAST name);
}

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
algorithm_is (xmlNodePtr n, const char *alg)
{
  xmlChar *a = xmlGetNoNsProp (n, BAD_CAST "Algorithm");
  gboolean eq = a != NULL && xmlStrEqual (a, BAD_CAST alg);

  xmlFree (a);
  return eq;
}

/* ------------------------------------------------------------------------ */
/* Profile                                                                  */

typedef struct {
  xmlNodePtr doc_el;
  xmlNodePtr sig;
  guint      doc_refs;
  guint      object_refs;
  guint      whole_refs;    /* URI="" */
  xmlNodePtr signed_object; /* the ds:Object a Reference points at */
} profile_state;

/* Transforms of a Reference: none or [C14N 20010315]; a whole-document
 * reference (URI="") needs [enveloped-signature] or [enveloped, C14N]. */
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

/* A ds:Object child of this Signature whose Id is id. */
static xmlNodePtr
signature_object (profile_state *ps, const char *id)
{
  xmlAttrPtr a = xmlGetID (ps->sig->doc, BAD_CAST id);

  if (a == NULL || !is_dsig (a->parent, "Object") || a->parent->parent != ps->sig)
    return NULL;
  return a->parent;
}

static gboolean
reference_ok (profile_state *ps, xmlNodePtr ref)
{
  xmlChar *doc_id = NULL, *uri = xmlGetNoNsProp (ref, BAD_CAST "URI");
  xmlNodePtr c = first_element (ref), transforms = NULL, value;
  gboolean whole, ok = FALSE;

  if (uri == NULL)
    return FALSE;
  doc_id = xmlGetNoNsProp (ps->doc_el, BAD_CAST "Id");
  whole = uri[0] == '\0';
  if (is_dsig (c, "Transforms"))
    {
      transforms = c;
      c = next_element (c->next);
    }
  if (!transforms_ok (transforms, whole) || !is_dsig (c, "DigestMethod")
      || !algorithm_is (c, ALG_SHA256))
    goto out;
  value = next_element (c->next);
  if (value == NULL || !is_dsig (value, "DigestValue") || next_element (value->next) != NULL)
    goto out;
  if (whole)
    ps->whole_refs++;
  else if (uri[0] == '#' && doc_id != NULL && xmlStrcmp (uri + 1, doc_id) == 0)
    ps->doc_refs++;
  else if (uri[0] == '#' && (ps->signed_object = signature_object (ps, (char *) uri + 1)) != NULL)
    ps->object_refs++;
  else
    goto out;
  ok = TRUE;
out:
  xmlFree (uri);
  xmlFree (doc_id);
  return ok;
}

/* Registers the Id of every ds:Object of the Signature (so "#Object-…"
 * resolves before xmlsec runs); a clash with another ID is refused. */
static gboolean
register_object_ids (xmlNodePtr sig)
{
  for (xmlNodePtr o = first_element (sig); o != NULL; o = next_element (o->next))
    {
      xmlAttrPtr a;
      xmlChar *id;
      gboolean ok;

      if (!is_dsig (o, "Object") || (a = xmlHasNsProp (o, BAD_CAST "Id", NULL)) == NULL)
        continue;
      id = xmlNodeListGetString (o->doc, a->children, 1);
      ok = id != NULL && xmlValidateNCName (id, 0) == 0
           && (xmlGetID (o->doc, id) == a || xmlAddID (NULL, o->doc, id, a) != NULL);
      xmlFree (id);
      if (!ok)
        return FALSE;
    }
  return TRUE;
}

static gboolean
profile_ok (profile_state *ps)
{
  xmlNodePtr si = first_element (ps->sig), c;
  guint refs = 0;

  if (!is_dsig (si, "SignedInfo") || !is_dsig (next_element (si->next), "SignatureValue")
      || !register_object_ids (ps->sig))
    return FALSE;
  c = first_element (si);
  if (!is_dsig (c, "CanonicalizationMethod") || !algorithm_is (c, ALG_C14N)
      || first_element (c) != NULL)
    return FALSE;
  c = next_element (c->next);
  if (!is_dsig (c, "SignatureMethod") || first_element (c) != NULL
      || !(algorithm_is (c, ALG_RSA256) || algorithm_is (c, ALG_ECDSA256)))
    return FALSE;
  for (c = next_element (c->next); c != NULL; c = next_element (c->next), refs++)
    if (refs >= MAX_REFERENCES || !is_dsig (c, "Reference") || !reference_ok (ps, c))
      return FALSE;
  if (ps->whole_refs > 0)   /* variant (b): alone */
    return refs == 1;
  return ps->doc_refs == 1 && ps->object_refs <= 1;
}

/* ------------------------------------------------------------------------ */
/* Certificate and key                                                      */

/* DER of the first KeyInfo/X509Data/X509Certificate, or NULL. */
static GBytes *
signer_certificate (xmlNodePtr sig)
{
  for (xmlNodePtr ki = first_element (sig); ki != NULL; ki = next_element (ki->next))
    {
      if (!is_dsig (ki, "KeyInfo"))
        continue;
      for (xmlNodePtr xd = first_element (ki); xd != NULL; xd = next_element (xd->next))
        for (xmlNodePtr c = is_dsig (xd, "X509Data") ? first_element (xd) : NULL; c != NULL;
             c = next_element (c->next))
          {
            xmlChar *b64;
            guchar *der;
            gsize len = 0;

            if (!is_dsig (c, "X509Certificate"))
              continue;
            b64 = xmlNodeGetContent (c);
            if (b64 == NULL || xmlStrlen (b64) > MAX_CERT_B64)
              {
                xmlFree (b64);
                return NULL;
              }
            der = g_base64_decode ((const char *) b64, &len);
            xmlFree (b64);
            return len > 0 ? g_bytes_new_take (der, len) : (g_free (der), NULL);
          }
    }
  return NULL;
}

/* The certificate's public key as an xmlsec verification key. */
static xmlSecKeyPtr
verification_key (GBytes *der)
{
  gsize len;
  const unsigned char *p = g_bytes_get_data (der, &len), *start = p;
  X509 *x = d2i_X509 (NULL, &p, (long) len);
  EVP_PKEY *pkey = NULL;
  xmlSecKeyDataPtr data = NULL;
  xmlSecKeyPtr key = NULL;

  if (x == NULL || p != start + len || (pkey = X509_get_pubkey (x)) == NULL)
    goto out;
  /* Policy: no RSA below 2048 bits (the CA would not issue one either). */
  if (EVP_PKEY_base_id (pkey) == EVP_PKEY_RSA && EVP_PKEY_get_bits (pkey) < 2048)
    goto out;
  if ((data = xmlSecOpenSSLEvpKeyAdopt (pkey)) == NULL)
    goto out;
  pkey = NULL;  /* owned by data */
  if ((key = xmlSecKeyCreate ()) == NULL || xmlSecKeySetValue (key, data) < 0)
    goto out;
  data = NULL;  /* owned by key */
out:
  if (data != NULL)   /* not adopted by a key: the key is useless too */
    {
      xmlSecKeyDataDestroy (data);
      g_clear_pointer (&key, xmlSecKeyDestroy);
    }
  EVP_PKEY_free (pkey);
  X509_free (x);
  return key;
}

static gboolean
crypto_ok (xmlNodePtr sig, xmlSecKeyPtr key)
{
  xmlSecDSigCtxPtr ctx = xmlSecDSigCtxCreate (NULL);
  gboolean ok;

  if (ctx == NULL)
    {
      xmlSecKeyDestroy (key);
      return FALSE;
    }
  ctx->signKey = key;  /* destroyed with ctx */
  ctx->flags |= XMLSEC_DSIG_FLAGS_IGNORE_MANIFESTS;
  ctx->enabledReferenceUris = xmlSecTransformUriTypeEmpty | xmlSecTransformUriTypeSameDocument;
  ok = xmlSecDSigCtxEnableSignatureTransform (ctx, xmlSecTransformInclC14NId) == 0
       && xmlSecDSigCtxEnableSignatureTransform (ctx, xmlSecTransformRsaSha256Id) == 0
       && xmlSecDSigCtxEnableSignatureTransform (ctx, xmlSecTransformEcdsaSha256Id) == 0
       && xmlSecDSigCtxEnableReferenceTransform (ctx, xmlSecTransformInclC14NId) == 0
       && xmlSecDSigCtxEnableReferenceTransform (ctx, xmlSecTransformEnvelopedId) == 0
       && xmlSecDSigCtxEnableReferenceTransform (ctx, xmlSecTransformSha256Id) == 0
       && xmlSecDSigCtxVerify (ctx, sig) == 0 && ctx->status == xmlSecDSigStatusSucceeded;
  xmlSecDSigCtxDestroy (ctx);
  return ok;
}

/* SigningTime (S4's layout: Object/SignatureProperties/SignatureProperty/
 * SigningTime, no namespace, local time "yyyy-MM-ddTHH:mm:ss"), only from
 * an Object covered by a verified Reference.  A time without a zone is
 * Vietnam time (UTC+7).  0 when absent or unreadable. */
static gint64
signing_time (xmlNodePtr object)
{
  const char *path[] = { "SignatureProperties", "SignatureProperty", "SigningTime" };
  xmlNodePtr n = object;
  g_autoptr (GDateTime) dt = NULL;
  xmlChar *text;

  for (guint i = 0; n != NULL && i < G_N_ELEMENTS (path); i++)
    {
      n = first_element (n);
      while (n != NULL && !xmlStrEqual (n->name, BAD_CAST path[i]))
        n = next_element (n->next);
    }
  if (n == NULL || (text = xmlNodeGetContent (n)) == NULL)
    return 0;
  if (xmlStrlen (text) <= 40)
    dt = g_date_time_new_from_iso8601 ((const char *) text, refsvc_vn_timezone ());
  xmlFree (text);
  return dt ? g_date_time_to_unix (dt) : 0;
}

/* ------------------------------------------------------------------------ */

const char *
refsvc_xmldsig_verify (refsvc_trust *t, xmlNodePtr doc_el, xmlNodePtr chukydonvi,
                       refsvc_signer *signer)
{
  profile_state ps = { .doc_el = doc_el };
  g_autoptr (GBytes) cert = NULL;
  xmlSecKeyPtr key;
  const char *code;
  gsize len;
  const guint8 *der;

  memset (signer, 0, sizeof *signer);
  ps.sig = first_element (chukydonvi);
  if (ps.sig == NULL)
    return "xmldsig.missing";
  if (!is_dsig (ps.sig, "Signature") || next_element (ps.sig->next) != NULL)
    return "xmldsig.invalid";
  if (!profile_ok (&ps) || (cert = signer_certificate (ps.sig)) == NULL
      || (key = verification_key (cert)) == NULL)
    return "xmldsig.invalid";
  if (!crypto_ok (ps.sig, key))
    return "xmldsig.invalid";
  der = g_bytes_get_data (cert, &len);
  code = refsvc_trust_check_signer_der (t, der, len, signer);
  if (code != NULL)
    return code;
  if (ps.object_refs == 1)
    signer->signing_time = signing_time (ps.signed_object);
  return NULL;
}
