/* fuzz-dossier.c — arbitrary bytes as a submission envelope and as a
 * dossier payload (tests/refsvc/refsvc-dossier*.c: strict JSON lexing,
 * json-glib, strict base64, the birth and death tables).
 *
 * Each input is tried as a POST /v1/dossiers body (and, when it parses,
 * its decoded payload is validated for the procedure it names), then as a
 * birth payload and as a death payload.  The code lists come from
 * data/codes under $MOTCUA_SOURCE_ROOT (or the compiled-in source root).
 * Invariants: exactly one of result / error; refusals carry a code from
 * the contract's list for the call, with field errors whose paths are
 * JSON Pointers and whose texts are UTF-8; an accepted envelope is
 * complete (card-presence parts all or none). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "motcua-config.h"
#include "refsvc.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static void
init_once (void)
{
  static gboolean done;
  const char *root;
  g_autofree char *dir = NULL;

  if (done)
    return;
  done = TRUE;
  root = g_getenv ("MOTCUA_SOURCE_ROOT");
  dir = g_build_filename (root && *root ? root : MOTCUA_SOURCE_ROOT, "data", "codes", NULL);
  if (!refsvc_codes_load (dir, NULL))
    __builtin_trap ();   /* without code lists every input would be refused alike */
}

static void
check_fields (const refsvc_error *e)
{
  static const char *const codes[] = {
    "required", "format", "code_list", "length", "type", "range", "consistency", "unknown", NULL,
  };

  if (e->fields == NULL || e->fields->len > 100)
    __builtin_trap ();
  for (guint i = 0; i < e->fields->len; i++)
    {
      const refsvc_field_error *f = g_ptr_array_index (e->fields, i);
      if ((f->path[0] != '\0' && f->path[0] != '/') || !g_strv_contains (codes, f->code)
          || !g_utf8_validate (f->path, -1, NULL) || !g_utf8_validate (f->message, -1, NULL)
          || f->message[0] == '\0')
        __builtin_trap ();
    }
}

static void
check_validation (refsvc_procedure proc, GBytes *payload)
{
  JsonNode *root = NULL;
  refsvc_error *e = refsvc_dossier_validate (proc, payload, &root);

  if (e == NULL)
    {
      if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
        __builtin_trap ();
      json_node_unref (root);
      return;
    }
  if (root != NULL || strcmp (e->code, "dossier.invalid") != 0 || e->fields->len == 0)
    __builtin_trap ();
  check_fields (e);
  {
    g_autofree char *json = refsvc_error_to_json (e);
    if (json == NULL || !g_utf8_validate (json, -1, NULL))
      __builtin_trap ();
  }
  refsvc_error_free (e);
}

static void
check_envelope (const uint8_t *data, size_t size)
{
  refsvc_error *e = NULL;
  refsvc_envelope *env = refsvc_envelope_parse (data, size, &e);
  int parts;

  if ((env == NULL) == (e == NULL))
    __builtin_trap ();
  if (env == NULL)
    {
      gboolean bad = strcmp (e->code, "dossier.bad_envelope") == 0;
      if (!bad && strcmp (e->code, "request.malformed_json") != 0)
        __builtin_trap ();
      if (bad && e->fields->len == 0)
        __builtin_trap ();
      check_fields (e);
      refsvc_error_free (e);
      return;
    }
  parts = (env->aa_signature != NULL) + (env->dg15 != NULL) + (env->sod != NULL);
  if (env->transaction_id == NULL || strlen (env->transaction_id) != 36
      || (env->procedure != REFSVC_BIRTH && env->procedure != REFSVC_DEATH)
      || env->payload == NULL || g_bytes_get_size (env->payload) == 0
      || g_bytes_get_size (env->payload) > 256 * 1024
      || env->signature == NULL || (parts != 0 && parts != 3))
    __builtin_trap ();
  check_validation (env->procedure, env->payload);
  refsvc_envelope_free (env);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr (GBytes) payload = NULL;

  init_once ();
  check_envelope (data, size);
  payload = g_bytes_new (data, size);
  check_validation (REFSVC_BIRTH, payload);
  check_validation (REFSVC_DEATH, payload);
  return 0;
}
