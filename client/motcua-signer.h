/* motcua-signer.h — signing submissions and hospital documents
 *
 * A signer is the clerk's or hospital's key on a PKCS#11 token (the module
 * path is configuration), or — only as an explicit development option — a
 * software key file.  It makes:
 *   - detached CMS SignedData, CAdES-BES (signed attributes content-type,
 *     message-digest, signing-time, signing-certificate-v2), SHA-256, the
 *     signer certificate included, over the exact bytes given
 *     (docs/protocol.md §10);
 *   - enveloped XML-DSig for birth certificates and death notices in the
 *     BHXH layout (docs/protocol-hospital.md).
 *
 * PIN handling: motcua_signer_login() reports a wrong PIN as
 * MOTCUA_ERROR_PIN_INCORRECT (motcua_signer_get_pin_state() then tells
 * whether tries are running low or one is left), a locked PIN as
 * MOTCUA_ERROR_PIN_LOCKED; with a PIN-pad reader (CKF_PROTECTED_
 * AUTHENTICATION_PATH) the PIN is NULL and is typed on the pad.
 * The PIN is never logged and is wiped from memory after use.
 *
 * A signer is not thread-safe; use it from one thread at a time. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _MotcuaSigner MotcuaSigner;

typedef enum {
  MOTCUA_PIN_OK = 0,
  MOTCUA_PIN_COUNT_LOW,         /* a wrong PIN was entered since the last good one */
  MOTCUA_PIN_FINAL_TRY,         /* one more wrong PIN locks it */
  MOTCUA_PIN_LOCKED,
} MotcuaPinState;

/* Opens the token in @module_path whose label is @token_label (NULL: the
 * first token holding a private key with a matching certificate) and the
 * key labelled @key_label (NULL: the first key with a certificate).
 * Does not log in. */
MotcuaSigner *motcua_signer_open_pkcs11 (const char *module_path, const char *token_label,
                                         const char *key_label, GError **error);
/* Development only: a PEM certificate and a PEM private key file. */
MotcuaSigner *motcua_signer_open_file (const char *cert_path, const char *key_path,
                                       GError **error);
void          motcua_signer_free (MotcuaSigner *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MotcuaSigner, motcua_signer_free)

/* TRUE for a PIN-pad reader: call motcua_signer_login() with a NULL PIN. */
gboolean       motcua_signer_has_pin_pad (MotcuaSigner *self);
MotcuaPinState motcua_signer_get_pin_state (MotcuaSigner *self);
/* Logs in (no-op for a file key).  @pin is not kept. */
gboolean       motcua_signer_login (MotcuaSigner *self, const char *pin, GError **error);
gboolean       motcua_signer_is_logged_in (MotcuaSigner *self);

/* The signer certificate: DER, and its subject as one line. */
GBytes        *motcua_signer_get_certificate (MotcuaSigner *self);
const char    *motcua_signer_get_subject (MotcuaSigner *self);

/* Detached CAdES-BES over @data; returns the DER CMS. */
GBytes        *motcua_signer_sign_cms (MotcuaSigner *self, GBytes *data, GError **error);
/* Signs a GIAYCHUNGSINH / GIAYBAOTU document with an enveloped
 * XML-DSig; returns the signed document. */
GBytes        *motcua_signer_sign_xml (MotcuaSigner *self, GBytes *xml, GError **error);

G_END_DECLS
