/* fuzz-client-doc.c — the client's hospital documents (client/motcua-doc-
 * verify.c, motcua-prefill-doc.c).
 *
 * Two modes, by the first byte:
 *   'F' + NUL-separated "ELEMENT", "value" pairs: a package made by the
 *       reference service's test signer with those overrides and signed by
 *       hospital-rsa-TEST-ONLY, so the field mapping (dates, codes,
 *       addresses) sees arbitrary values behind a valid signature;
 *   anything else: the bytes themselves, as a package.
 * Each package goes through motcua_doc_verify and into a fresh birth and a
 * fresh death dossier.  Invariants: every error is DOCUMENT_FORMAT or
 * DOCUMENT_SIGNATURE; a refused document leaves the dossier unchanged;
 * verify and prefill agree; a prefilled dossier holds the document's code
 * with the document's source kind. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "motcua-config.h"
#include "motcua-dossier.h"
#include "motcua-error.h"
#include "motcua-prefill.h"
#include "testsign.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static MotcuaDocTrust *trust;
static MotcuaUnits *units;

static void
init_once (void)
{
  static gboolean done;

  if (done)
    return;
  done = TRUE;
  const char *root = g_getenv ("MOTCUA_SOURCE_ROOT");
  if (root == NULL || *root == '\0')
    root = MOTCUA_SOURCE_ROOT;
  g_autofree char *pki = testsign_pki_dir ();
  g_autofree char *ca = g_build_filename (pki, "signing-ca-TEST-ONLY.pem", NULL);
  g_autofree char *crl = g_build_filename (pki, "signing-ca-TEST-ONLY.crl", NULL);
  g_autofree char *codes = g_build_filename (root, "data", "codes", NULL);
  const char *paths[] = { ca, crl, NULL };
  trust = motcua_doc_trust_new (paths, NULL);
  units = motcua_units_load (codes, NULL);
  if (trust == NULL || units == NULL)
    __builtin_trap ();
}

static void
check_error (const GError *error)
{
  if (error == NULL || !(g_error_matches (error, MOTCUA_ERROR, MOTCUA_ERROR_DOCUMENT_FORMAT)
                         || g_error_matches (error, MOTCUA_ERROR, MOTCUA_ERROR_DOCUMENT_SIGNATURE)))
    __builtin_trap ();
}

static void
run (const char *xml, gsize len)
{
  GError *error = NULL;
  gboolean verified = motcua_doc_verify (trust, xml, len, NULL, &error);

  if (!verified)
    check_error (error);
  g_clear_error (&error);

  for (int birth = 0; birth < 2; birth++)
    {
      MotcuaDossier *d = motcua_dossier_new (birth ? MOTCUA_PROCEDURE_BIRTH : MOTCUA_PROCEDURE_DEATH,
                                             "00004");
      GPtrArray *problems = g_ptr_array_new_with_free_func ((GDestroyNotify) motcua_problem_free);
      gsize before_len, after_len;
      char *before = motcua_dossier_to_data (d, &before_len);
      gboolean ok = birth
                    ? motcua_prefill_from_birth_cert (d, xml, len, trust, units, problems, &error)
                    : motcua_prefill_from_death_notice (d, xml, len, trust, units, problems, &error);
      char *after = motcua_dossier_to_data (d, &after_len);
      const char *code = motcua_dossier_get_string (d, birth ? "/khaiSinh/maGCS" : "/khaiTu/maGBT");
      const char *ref = NULL;

      if (ok)
        {
          if (!verified || code == NULL
              || motcua_dossier_get_source (d, birth ? "/khaiSinh/maGCS" : "/khaiTu/maGBT", &ref)
                 != (birth ? MOTCUA_SOURCE_BIRTH_CERT : MOTCUA_SOURCE_DEATH_NOTICE)
              || ref == NULL)
            __builtin_trap ();
          /* The value is stored NFC, the reference as written. */
          char *nfc = g_utf8_normalize (ref, -1, G_NORMALIZE_NFC);
          if (g_strcmp0 (nfc, code) != 0)
            __builtin_trap ();
          g_free (nfc);
          g_debug ("prefilled %s with %u warnings", code, problems->len);
        }
      else
        {
          check_error (error);
          if (problems->len != 0 || before_len != after_len || memcmp (before, after, before_len) != 0)
            __builtin_trap ();
        }
      g_clear_error (&error);
      g_free (before);
      g_free (after);
      g_ptr_array_unref (problems);
      g_object_unref (d);
    }
}

/* 'F' mode: overrides from NUL-separated pairs (at most 16). */
static GBytes *
signed_with_overrides (const uint8_t *data, size_t size)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new_with_free_func (g_free);
  gboolean gbt = size > 1 && (data[1] & 1);
  size_t start = 2;
  for (size_t i = start; i <= size && args->len < 32; i++)
    if (i == size || data[i] == '\0')
      {
        g_ptr_array_add (args, g_strndup ((const char *) data + start, i - start));
        start = i + 1;
      }
  if (args->len % 2)
    g_ptr_array_remove_index (args, args->len - 1);
  /* Element names must be names; testsign refuses the rest anyway. */
  for (guint i = 0; i < args->len; i += 2)
    {
      const char *n = g_ptr_array_index (args, i);
      if (*n == '\0' || !g_ascii_isalpha (*n))
        return NULL;
      for (; *n; n++)
        if (!g_ascii_isalnum (*n) && *n != '_')
          return NULL;
    }
  g_ptr_array_add (args, NULL);
  return testsign_xml_document (gbt ? 60 : 61, gbt ? "00042.GBT.01001.26" : "00451.GCS.01001.26",
                                "01001", "hospital-rsa-TEST-ONLY",
                                (const char *const *) args->pdata);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  init_once ();
  if (size > 0 && data[0] == 'F')
    {
      g_autoptr(GBytes) doc = signed_with_overrides (data, size);
      if (doc != NULL)
        run (g_bytes_get_data (doc, NULL), g_bytes_get_size (doc));
      return 0;
    }
  run ((const char *) data, size);
  return 0;
}
