/* motcua-device-key.h — the device key that wraps the queue's data key
 *
 * Personal data in the queue is encrypted with a random 256-bit data key
 * (AES-256-GCM, motcua-queue.h).  That data key is stored only wrapped:
 * RSA-OAEP (SHA-256) to the device key, whose private half lives on a
 * PKCS#11 token (the counter's or kiosk's device token; SoftHSM2 in tests)
 * and never leaves it.  Unwrapping needs the token and its PIN.
 *
 * A PEM key file is accepted as an explicit development option only.
 * All key material handled here is wiped after use. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define MOTCUA_DATA_KEY_LEN 32

typedef struct _MotcuaDeviceKey MotcuaDeviceKey;

/* The RSA key labelled @key_label (NULL: the first RSA private key) on the
 * token labelled @token_label (NULL: the first token), logged in with @pin
 * (NULL with a PIN pad). */
MotcuaDeviceKey *motcua_device_key_open_pkcs11 (const char *module_path,
                                                const char *token_label,
                                                const char *key_label,
                                                const char *pin, GError **error);
/* Development only: an RSA private key in a PEM file. */
MotcuaDeviceKey *motcua_device_key_open_file (const char *key_path, GError **error);
void             motcua_device_key_free (MotcuaDeviceKey *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MotcuaDeviceKey, motcua_device_key_free)

/* Wraps a data key; the result is opaque and safe to store. */
GBytes  *motcua_device_key_wrap (MotcuaDeviceKey *self, const guint8 key[MOTCUA_DATA_KEY_LEN],
                                 GError **error);
/* Unwraps into @key; MOTCUA_ERROR_QUEUE_KEY when @wrapped is not ours. */
gboolean motcua_device_key_unwrap (MotcuaDeviceKey *self, GBytes *wrapped,
                                   guint8 key[MOTCUA_DATA_KEY_LEN], GError **error);
/* A short fingerprint of the public key (hex SHA-256, 16 chars), stored
 * beside the wrapped key to say which device key it needs. */
const char *motcua_device_key_get_fingerprint (MotcuaDeviceKey *self);

G_END_DECLS
