/* motcua-conf.h — where the client finds its service, keys and queue
 *
 * Read from, later overriding earlier:
 *   MOTCUA_DATADIR/motcua.conf, /etc/motcua/motcua.conf,
 *   $XDG_CONFIG_HOME/motcua/motcua.conf, the file in $MOTCUA_CONF,
 *   then environment variables (MOTCUA_SERVICE_URL, …; see docs/cli.md).
 * Key file, group [motcua]: service-url, service-ca, client-cert,
 * client-key, unit, actor, queue, token-module, token-label, signer-key,
 * device-token-label, device-key-label, device-key-file (development),
 * signer-cert-file + signer-key-file (development), doc-trust, codes-dir,
 * csca, retention-days, max-parallel.
 * Never holds a PIN: PINs come from the user (or MOTCUA_PIN /
 * MOTCUA_DEVICE_PIN in tests and unattended services). */
#pragma once

#include <glib.h>

#include "motcua-device-key.h"
#include "motcua-signer.h"
#include "motcua-sync.h"

G_BEGIN_DECLS

typedef struct {
  char *service_url, *service_ca, *client_cert, *client_key;
  char *unit;                   /* receiving unit code, e.g. "00004" */
  char *actor;                  /* the clerk or device id written in the audit log */
  char *queue_path;             /* default $XDG_DATA_HOME/motcua/queue.db */
  char *token_module;           /* PKCS#11 module of the signing token */
  char *token_label, *signer_key_label;
  char *device_token_label, *device_key_label;  /* the device key (queue) */
  char *device_key_file;        /* development: PEM RSA key instead of a token */
  char *signer_cert_file, *signer_key_file;     /* development: software signer */
  char *doc_trust;              /* CA(s) of hospital document signers */
  char *codes_dir;              /* data/codes */
  char *csca;                   /* CSCA trust store */
  guint retention_days;         /* default 90 */
  guint max_parallel;           /* default 4 */
} MotcuaConf;

/* Loads the configuration; a file that exists but does not parse is
 * MOTCUA_ERROR_CONFIG. */
MotcuaConf *motcua_conf_load (GError **error);
void        motcua_conf_free (MotcuaConf *c);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MotcuaConf, motcua_conf_free)

/* The pieces, each failing with a clear MOTCUA_ERROR when the
 * configuration lacks what it needs. */
MotcuaDeviceKey *motcua_conf_open_device_key (const MotcuaConf *c, const char *pin,
                                              GError **error);
MotcuaSigner    *motcua_conf_open_signer (const MotcuaConf *c, GError **error);
gboolean         motcua_conf_sync_config (const MotcuaConf *c, MotcuaSyncConfig *out,
                                          GError **error);

G_END_DECLS
