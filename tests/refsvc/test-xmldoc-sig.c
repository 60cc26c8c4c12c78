/* test-xmldoc-sig.c — the XML-DSig side of hospital packages: tampering,
 * missing signatures, untrusted signers, other signature shapes (tracnn's
 * enveloped variant, profile violations), signature wrapping, threads. */
#include "test-xmldoc.h"

/* ------------------------------------------------------------------------ */
/* Other signature shapes, made here with xmlsec                            */

typedef struct {
  xmlSecTransformId c14n;
  xmlSecTransformId digest;
  const char       *uri;        /* NULL: "#<Id>" */
  gboolean          enveloped;
  gboolean          x509;       /* put the certificate in KeyInfo */
} variant;

void
test_tampered (void **state)
{
  g_autoptr (GBytes) b = make_doc (61, "hospital-rsa-TEST-ONLY", NULL);
  g_autoptr (GBytes) t1 = replace_once (b, "Nguyễn Thị Hoa", "Nguyễn Thị Hòa");
  g_autoptr (GBytes) t2 = replace_once (b, "<SigningTime>20", "<SigningTime>19");
  g_autoptr (GBytes) t3 = replace_once (b, "<CAN_NANG_CON>3200", "<CAN_NANG_CON>3300");
  g_autoptr (GBytes) e = make_doc (60, "hospital-ec-TEST-ONLY", NULL);
  g_autoptr (GBytes) t4 = replace_once (e, "<NGUYENNHAN_TV>Suy", "<NGUYENNHAN_TV>suy");

  (void) state;
  expect_error (REFSVC_DOC_BIRTH_CERT, t1, "xmldsig.invalid");
  expect_error (REFSVC_DOC_BIRTH_CERT, t2, "xmldsig.invalid");
  expect_error (REFSVC_DOC_BIRTH_CERT, t3, "xmldsig.invalid");
  expect_error (REFSVC_DOC_DEATH_NOTICE, t4, "xmldsig.invalid");
}

void
test_unsigned (void **state)
{
  g_autoptr (GBytes) b = make_doc (61, "hospital-rsa-TEST-ONLY", NULL);
  g_autoptr (GBytes) u1 = strip_signature (b, FALSE);
  g_autoptr (GBytes) u2 = strip_signature (b, TRUE);

  (void) state;
  expect_error (REFSVC_DOC_BIRTH_CERT, u1, "xmldsig.missing");
  expect_error (REFSVC_DOC_BIRTH_CERT, u2, "xmldsig.missing");
}

void
test_untrusted_signers (void **state)
{
  static const char *const cases[][2] = {
    { "signer-rogue-TEST-ONLY", "signature.unknown_signer" },
    { "signer-revoked-TEST-ONLY", "signature.revoked" },
    { "signer-expired-TEST-ONLY", "signature.expired" },
  };

  (void) state;
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GBytes) b = make_doc (60, cases[i][0], NULL);

      expect_error (REFSVC_DOC_DEATH_NOTICE, b, cases[i][1]);
    }
}

static GBytes *
resign (GBytes *b, const char *signer, const variant *v)
{
  g_autoptr (GBytes) u = strip_signature (b, FALSE);
  g_autofree char *dir = testsign_pki_dir ();
  g_autofree char *keyf = g_strdup_printf ("%s/%s.key", dir, signer);
  g_autofree char *pem = g_strdup_printf ("%s/%s.pem", dir, signer);
  gsize len;
  const char *p = g_bytes_get_data (u, &len);
  xmlDocPtr doc = xmlReadMemory (p, (int) len, NULL, NULL, XML_PARSE_NONET);
  xmlNodePtr root = xmlDocGetRootElement (doc);
  xmlNodePtr d = xmlSecGetNextElementNode (root->children);
  xmlNodePtr chuky = xmlSecFindChild (root, BAD_CAST "CHUKYDONVI", NULL);
  xmlAttrPtr id = xmlHasProp (d, BAD_CAST "Id");
  xmlChar *idv = xmlNodeListGetString (doc, id->children, 1);
  g_autofree char *uri = v->uri ? g_strdup (v->uri) : g_strdup_printf ("#%s", (char *) idv);
  xmlSecKeyPtr key = xmlSecCryptoAppKeyLoad (keyf, xmlSecKeyDataFormatPem, NULL, NULL, NULL);
  gboolean ec = strstr (signer, "-ec-") != NULL;
  xmlNodePtr sig, ref;
  xmlSecDSigCtxPtr ctx;
  xmlChar *out;
  int n;
  GBytes *res;

  assert_non_null (key);
  assert_int_equal (xmlSecCryptoAppKeyCertLoad (key, pem, xmlSecKeyDataFormatPem), 0);
  xmlAddID (NULL, doc, idv, id);
  sig = xmlSecTmplSignatureCreate (doc, v->c14n,
                                   ec ? xmlSecTransformEcdsaSha256Id : xmlSecTransformRsaSha256Id,
                                   NULL);
  xmlAddChild (chuky, sig);
  ref = xmlSecTmplSignatureAddReference (sig, v->digest, NULL, BAD_CAST uri, NULL);
  if (v->enveloped)
    xmlSecTmplReferenceAddTransform (ref, xmlSecTransformEnvelopedId);
  if (v->x509)
    xmlSecTmplKeyInfoAddX509Data (xmlSecTmplSignatureEnsureKeyInfo (sig, NULL));
  ctx = xmlSecDSigCtxCreate (NULL);
  ctx->signKey = key;
  assert_int_equal (xmlSecDSigCtxSign (ctx, sig), 0);
  xmlSecDSigCtxDestroy (ctx);
  xmlDocDumpMemoryEnc (doc, &out, &n, "UTF-8");
  res = g_bytes_new (out, (gsize) n);
  xmlFree (out);
  xmlFree (idv);
  xmlFreeDoc (doc);
  return res;
}

void
test_signature_variants (void **state)
{
  const variant tracnn = { xmlSecTransformInclC14NId, xmlSecTransformSha256Id, "", TRUE, TRUE };
  const variant single = { xmlSecTransformInclC14NId, xmlSecTransformSha256Id, NULL, FALSE, TRUE };
  const variant excl = { xmlSecTransformExclC14NId, xmlSecTransformSha256Id, NULL, FALSE, TRUE };
  const variant sha1 = { xmlSecTransformInclC14NId, xmlSecTransformSha1Id, NULL, FALSE, TRUE };
  const variant nocert = { xmlSecTransformInclC14NId, xmlSecTransformSha256Id, NULL, FALSE, FALSE };
  const variant no_env = { xmlSecTransformInclC14NId, xmlSecTransformSha256Id, "", FALSE, TRUE };
  g_autoptr (GBytes) b = make_doc (61, "hospital-rsa-TEST-ONLY", NULL);
  g_autoptr (GBytes) v1 = resign (b, "hospital-rsa-TEST-ONLY", &tracnn);
  g_autoptr (GBytes) v2 = resign (b, "hospital-ec-TEST-ONLY", &single);
  g_autoptr (GBytes) v3 = resign (b, "hospital-rsa-TEST-ONLY", &excl);
  g_autoptr (GBytes) v4 = resign (b, "hospital-rsa-TEST-ONLY", &sha1);
  g_autoptr (GBytes) v5 = resign (b, "hospital-rsa-TEST-ONLY", &nocert);
  g_autoptr (GBytes) v6 = resign (b, "hospital-rsa-TEST-ONLY", &no_env);
  refsvc_error *err = NULL;
  g_autoptr (refsvc_xmldoc) d1 = parse_bytes (REFSVC_DOC_BIRTH_CERT, v1, &err);
  g_autoptr (refsvc_xmldoc) d2 = parse_bytes (REFSVC_DOC_BIRTH_CERT, v2, &err);

  (void) state;
  /* tracnn's single enveloped Reference URI="": accepted, no signing time. */
  assert_non_null (d1);
  assert_int_equal (d1->signer.signing_time, 0);
  /* PL02 without the Object reference: accepted. */
  assert_non_null (d2);
  expect_error (REFSVC_DOC_BIRTH_CERT, v3, "xmldsig.invalid");
  expect_error (REFSVC_DOC_BIRTH_CERT, v4, "xmldsig.invalid");
  expect_error (REFSVC_DOC_BIRTH_CERT, v5, "xmldsig.invalid");
  expect_error (REFSVC_DOC_BIRTH_CERT, v6, "xmldsig.invalid");
}

/* Signature wrapping: the signed original moved into KeyInfo (not signed),
 * a modified document in its place with the same Id, or with another Id.
 * Also: an external reference, and an algorithm swapped after signing. */
static GBytes *
wrap (GBytes *b, const char *new_id)
{
  gsize len;
  const char *p = g_bytes_get_data (b, &len);
  xmlDocPtr doc = xmlReadMemory (p, (int) len, NULL, NULL, XML_PARSE_NONET);
  xmlNodePtr root = xmlDocGetRootElement (doc);
  xmlNodePtr d = xmlSecGetNextElementNode (root->children);
  xmlNodePtr chuky = xmlSecFindChild (root, BAD_CAST "CHUKYDONVI", NULL);
  xmlNodePtr sig = xmlSecGetNextElementNode (chuky->children);
  xmlNodePtr ki = xmlSecFindChild (sig, BAD_CAST "KeyInfo", BAD_CAST "http://www.w3.org/2000/09/xmldsig#");
  xmlNodePtr name = xmlSecFindChild (d, BAD_CAST "HOTEN_NND", NULL);
  xmlChar *out;
  int n;
  GBytes *res;

  xmlAddChild (ki, xmlCopyNode (d, 1));
  xmlNodeSetContent (name, BAD_CAST "Lê Thị Giả");
  if (new_id != NULL)
    xmlSetProp (d, BAD_CAST "Id", BAD_CAST new_id);
  xmlDocDumpMemoryEnc (doc, &out, &n, "UTF-8");
  res = g_bytes_new (out, (gsize) n);
  xmlFree (out);
  xmlFreeDoc (doc);
  return res;
}

void
test_wrapping_and_tricks (void **state)
{
  g_autoptr (GBytes) b = make_doc (61, "hospital-rsa-TEST-ONLY", NULL);
  g_autoptr (GBytes) same_id = wrap (b, NULL);
  g_autoptr (GBytes) other_id = wrap (b, "Id-khac");
  g_autoptr (GBytes) ext = replace_once (b, "URI=\"#Object-CHUKYDONVI-", "URI=\"http://127.0.0.1:9/#");
  g_autoptr (GBytes) swapped = replace_once (b, "xmldsig-more#rsa-sha256", "xmldsig-more#ecdsa-sha256");

  (void) state;
  expect_error (REFSVC_DOC_BIRTH_CERT, same_id, "xmldsig.invalid");
  expect_error (REFSVC_DOC_BIRTH_CERT, other_id, "xmldsig.invalid");
  expect_error (REFSVC_DOC_BIRTH_CERT, ext, "xmldsig.invalid");
  expect_error (REFSVC_DOC_BIRTH_CERT, swapped, "xmldsig.invalid");
}

/* ------------------------------------------------------------------------ */

static gpointer
parse_worker (gpointer data)
{
  GBytes *b = data;
  guint ok = 0;

  for (int i = 0; i < 10; i++)
    {
      refsvc_error *err = NULL;
      refsvc_xmldoc *d = parse_bytes (REFSVC_DOC_BIRTH_CERT, b, &err);

      ok += d != NULL && err == NULL;
      refsvc_xmldoc_free (d);
      refsvc_error_free (err);
    }
  return GUINT_TO_POINTER (ok);
}

void
test_concurrent (void **state)
{
  g_autoptr (GBytes) rsa = make_doc (61, "hospital-rsa-TEST-ONLY", NULL);
  g_autoptr (GBytes) ec = make_doc (61, "hospital-ec-TEST-ONLY", NULL);
  GThread *th[6];

  (void) state;
  for (guint i = 0; i < G_N_ELEMENTS (th); i++)
    th[i] = g_thread_new ("parse", parse_worker, i % 2 ? rsa : ec);
  for (guint i = 0; i < G_N_ELEMENTS (th); i++)
    assert_int_equal (GPOINTER_TO_UINT (g_thread_join (th[i])), 10);
}
