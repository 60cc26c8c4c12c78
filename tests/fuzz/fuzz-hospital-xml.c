/* fuzz-hospital-xml.c — arbitrary bytes as a BHXH hospital package
 * (tests/refsvc/refsvc-xmldoc.c: libxml2 parsing, layout, PL02 fields,
 * XML-DSig with xmlsec1, signer trust).
 *
 * The service test PKI (certs/test/service under $MOTCUA_SOURCE_ROOT, or
 * the compiled-in source root) is loaded once, so signed seeds reach the
 * trust check; without it every signature ends as unknown signer.  Each
 * input is tried as a birth certificate (61) and as a death notice (60).
 * Invariants: a document comes with its code and fields, a refusal with a
 * code from the contract's list for this call. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "motcua-config.h"
#include "refsvc.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static refsvc_trust *trust;

static void
init_once (void)
{
  static gboolean done;
  const char *root;
  g_autofree char *dir = NULL;

  if (done)
    return;
  done = TRUE;
  if (!refsvc_xmldoc_init (NULL))
    __builtin_trap ();
  root = g_getenv ("MOTCUA_SOURCE_ROOT");
  dir = g_build_filename (root && *root ? root : MOTCUA_SOURCE_ROOT, "certs", "test", "service",
                          NULL);
  trust = refsvc_trust_load (dir, NULL);  /* NULL: signatures end as unknown signer */
}

static void
check (refsvc_doc_kind kind, refsvc_xmldoc *d, refsvc_error *err)
{
  static const char *const allowed[] = {
    "xml.malformed", "xml.wrong_kind", "xml.invalid", "xmldsig.missing", "xmldsig.invalid",
    "signature.unknown_signer", "signature.expired", "signature.revoked", NULL,
  };
  gboolean known = FALSE;

  if (d != NULL)
    {
      if (err != NULL || d->kind != kind || d->code == NULL || *d->code == '\0'
          || d->fields == NULL || !json_object_has_member (d->fields, kind == 61 ? "MA_GCS" : "MA_GBT"))
        __builtin_trap ();
      return;
    }
  if (err == NULL)
    __builtin_trap ();
  for (guint i = 0; allowed[i] != NULL; i++)
    known |= strcmp (err->code, allowed[i]) == 0;
  if (!known || (strcmp (err->code, "xml.invalid") == 0) != (err->fields->len > 0))
    __builtin_trap ();
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  static const refsvc_doc_kind kinds[] = { REFSVC_DOC_BIRTH_CERT, REFSVC_DOC_DEATH_NOTICE };

  init_once ();
  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
    {
      refsvc_error *err = NULL;
      refsvc_xmldoc *d = refsvc_xmldoc_parse (trust, kinds[i], data, size, &err);

      check (kinds[i], d, err);
      refsvc_xmldoc_free (d);
      refsvc_error_free (err);
    }
  return 0;
}
