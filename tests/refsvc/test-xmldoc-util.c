/* test-xmldoc-util.c — shared helpers of the xmldoc test program. */
#include "test-xmldoc.h"

refsvc_trust *trust;

int
xmldoc_setup (void **state)
{
  g_autofree char *dir = testsign_pki_dir ();
  g_autoptr (GError) error = NULL;

  (void) state;
  if (!refsvc_xmldoc_init (&error))
    return -1;
  trust = refsvc_trust_load (dir, &error);
  if (trust == NULL)
    fprintf (stderr, "trust: %s\n", error ? error->message : "?");
  return trust ? 0 : -1;
}

int
xmldoc_teardown (void **state)
{
  (void) state;
  refsvc_trust_free (trust);
  refsvc_xmldoc_shutdown ();
  return 0;
}

GBytes *
make_doc (int loai_hs, const char *signer, const char *const *overrides)
{
  GBytes *b = testsign_xml_document (loai_hs, loai_hs == 61 ? GCS_CODE : GBT_CODE, "01001",
                                     signer, overrides);
  assert_non_null (b);
  return b;
}

refsvc_xmldoc *
parse_bytes (refsvc_doc_kind kind, GBytes *b, refsvc_error **err)
{
  gsize len;
  const guint8 *p = g_bytes_get_data (b, &len);

  return refsvc_xmldoc_parse (trust, kind, p, len, err);
}

/* Parses s, expects failure with code; returns the error (caller frees). */
refsvc_error *
expect_error_str (refsvc_doc_kind kind, const char *s, gssize len, const char *code)
{
  refsvc_error *err = NULL;
  refsvc_xmldoc *d = refsvc_xmldoc_parse (trust, kind, (const guint8 *) s,
                                          len < 0 ? strlen (s) : (gsize) len, &err);

  assert_null (d);
  assert_non_null (err);
  assert_string_equal (err->code, code);
  return err;
}

void
expect_error (refsvc_doc_kind kind, GBytes *b, const char *code)
{
  gsize len;
  const char *p = g_bytes_get_data (b, &len);

  refsvc_error_free (expect_error_str (kind, p, (gssize) len, code));
}

gboolean
has_field (const refsvc_error *e, const char *path, const char *code)
{
  for (guint i = 0; i < e->fields->len; i++)
    {
      const refsvc_field_error *f = g_ptr_array_index (e->fields, i);

      if (strcmp (f->path, path) == 0 && strcmp (f->code, code) == 0)
        return TRUE;
    }
  return FALSE;
}

/* s with the first occurrence of from replaced by to. */
GBytes *
replace_once (GBytes *b, const char *from, const char *to)
{
  gsize len;
  const char *p = g_bytes_get_data (b, &len);
  g_autofree char *s = g_strndup (p, len);
  char *at = strstr (s, from);
  GString *out = g_string_new (NULL);

  assert_non_null (at);
  g_string_append_len (out, s, at - s);
  g_string_append (out, to);
  g_string_append (out, at + strlen (from));
  return g_string_free_to_bytes (out);
}

/* ------------------------------------------------------------------------ */

/* Removes CHUKYDONVI's content (or CHUKYDONVI itself). */
GBytes *
strip_signature (GBytes *b, gboolean whole_block)
{
  gsize len;
  const char *p = g_bytes_get_data (b, &len);
  xmlDocPtr doc = xmlReadMemory (p, (int) len, NULL, NULL, XML_PARSE_NONET);
  xmlNodePtr chuky = xmlSecFindChild (xmlDocGetRootElement (doc), BAD_CAST "CHUKYDONVI", NULL);
  xmlNodePtr victim = whole_block ? chuky : xmlSecGetNextElementNode (chuky->children);
  xmlChar *out;
  int n;
  GBytes *res;

  xmlUnlinkNode (victim);
  xmlFreeNode (victim);
  xmlDocDumpMemoryEnc (doc, &out, &n, "UTF-8");
  res = g_bytes_new (out, (gsize) n);
  xmlFree (out);
  xmlFreeDoc (doc);
  return res;
}
