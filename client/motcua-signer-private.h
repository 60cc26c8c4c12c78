/* motcua-signer-private.h — PKCS#11 plumbing shared by the signer and the
 * device key (libp11 for sessions, keys and certificates; the module's
 * own C_GetTokenInfo for fresh PIN flags, which libp11 caches). */
#pragma once

#include <glib.h>
#include <libp11.h>
#include <openssl/x509.h>

#include "motcua-signer.h"

G_BEGIN_DECLS

typedef struct {
  PKCS11_CTX   *ctx;
  PKCS11_SLOT  *slots;
  unsigned int  nslots;
  PKCS11_SLOT  *slot;          /* the chosen token's slot */
  char         *module_path;
  gboolean      loaded;
} MotcuaP11;

/* Loads @module_path and lists its slots; MOTCUA_ERROR_TOKEN_MODULE. */
gboolean       motcua_p11_load (MotcuaP11 *p, const char *module_path, GError **error);
/* Chooses the token labelled @label (NULL: the first initialised one);
 * MOTCUA_ERROR_TOKEN_ABSENT. */
gboolean       motcua_p11_select (MotcuaP11 *p, const char *label, GError **error);
/* Frees keys first (callers), then this: unloads the module. */
void           motcua_p11_clear (MotcuaP11 *p);
/* Logs in to the chosen token; @pin NULL for a PIN pad.  Maps the
 * token's answer to MOTCUA_ERROR_PIN_INCORRECT / _PIN_LOCKED. */
gboolean       motcua_p11_login (MotcuaP11 *p, const char *pin, GError **error);
/* Fresh from the token (not libp11's cache). */
MotcuaPinState motcua_p11_pin_state (MotcuaP11 *p);
gboolean       motcua_p11_has_pin_pad (MotcuaP11 *p);

/* The hex fingerprint used by the device key: the first 16 hex digits of
 * SHA-256 over the DER SubjectPublicKeyInfo of @pkey. */
char          *motcua_p11_spki_fingerprint (EVP_PKEY *pkey);
/* A plain (software) copy of the public half of @pkey. */
EVP_PKEY      *motcua_p11_public_copy (EVP_PKEY *pkey);

/* motcua-signer.c for motcua-signer-xml.c: the key and certificate when
 * logged in and the certificate is usable (borrowed), else an error. */
gboolean       motcua_signer_ready (MotcuaSigner *self, EVP_PKEY **key, X509 **cert,
                                    GError **error);
/* The subject, RFC 2253 with UTF-8 kept as is. */
char          *motcua_signer_subject_line (X509 *cert);

G_END_DECLS
