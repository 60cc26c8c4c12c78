/* motcua-conf.c — the client's configuration: key files, then environment */
#define G_LOG_DOMAIN "motcua-conf"

#include "motcua-config.h"

#include <glib/gi18n.h>

#include "motcua-conf.h"
#include "motcua-error.h"

#define GROUP "motcua"

/* One setting: its key-file name, its environment variable, and where it
 * goes in MotcuaConf. */
typedef struct {
  const char *key;
  const char *env;
  gsize offset;
} StringSetting;

#define S(k, e, f) { k, e, G_STRUCT_OFFSET (MotcuaConf, f) }
static const StringSetting string_settings[] = {
  S ("service-url", "MOTCUA_SERVICE_URL", service_url),
  S ("service-ca", "MOTCUA_SERVICE_CA", service_ca),
  S ("client-cert", "MOTCUA_CLIENT_CERT", client_cert),
  S ("client-key", "MOTCUA_CLIENT_KEY", client_key),
  S ("unit", "MOTCUA_UNIT", unit),
  S ("actor", "MOTCUA_ACTOR", actor),
  S ("queue", "MOTCUA_QUEUE", queue_path),
  S ("token-module", "MOTCUA_TOKEN_MODULE", token_module),
  S ("token-label", "MOTCUA_TOKEN_LABEL", token_label),
  S ("signer-key", "MOTCUA_SIGNER_KEY", signer_key_label),
  S ("device-token-label", "MOTCUA_DEVICE_TOKEN_LABEL", device_token_label),
  S ("device-key-label", "MOTCUA_DEVICE_KEY_LABEL", device_key_label),
  S ("device-key-file", "MOTCUA_DEVICE_KEY_FILE", device_key_file),
  S ("signer-cert-file", "MOTCUA_SIGNER_CERT_FILE", signer_cert_file),
  S ("signer-key-file", "MOTCUA_SIGNER_KEY_FILE", signer_key_file),
  S ("doc-trust", "MOTCUA_DOC_TRUST", doc_trust),
  S ("codes-dir", "MOTCUA_CODES_DIR", codes_dir),
  S ("csca", "MOTCUA_CSCA_DIR", csca),
};
#undef S

static char **
conf_string_slot (MotcuaConf *c, const StringSetting *s)
{
  return G_STRUCT_MEMBER_P (c, s->offset);
}

static gboolean
conf_parse_uint (const char *text, guint min, guint max, guint *out)
{
  guint64 v;
  if (!g_ascii_string_to_unsigned (text, 10, min, max, &v, NULL))
    return FALSE;
  *out = (guint) v;
  return TRUE;
}

static gboolean
conf_apply_file (MotcuaConf *c, const char *path, GError **error)
{
  g_autoptr(GKeyFile) kf = g_key_file_new ();
  g_autoptr(GError) local = NULL;
  if (!g_key_file_load_from_file (kf, path, G_KEY_FILE_NONE, &local))
    {
      if (g_error_matches (local, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        return TRUE;
      motcua_error_set (error, MOTCUA_ERROR_CONFIG, "%s: %s", path, local->message);
      return FALSE;
    }
  for (gsize i = 0; i < G_N_ELEMENTS (string_settings); i++)
    {
      g_autofree char *v = g_key_file_get_string (kf, GROUP, string_settings[i].key, NULL);
      if (v == NULL)
        continue;
      char **slot = conf_string_slot (c, &string_settings[i]);
      g_free (*slot);
      *slot = g_strstrip (g_steal_pointer (&v));
    }
  const struct { const char *key; guint *slot; guint min, max; } uints[] = {
    { "retention-days", &c->retention_days, 1, 3650 },
    { "max-parallel", &c->max_parallel, 1, 64 },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (uints); i++)
    {
      g_autofree char *v = g_key_file_get_string (kf, GROUP, uints[i].key, NULL);
      if (v && !conf_parse_uint (g_strstrip (v), uints[i].min, uints[i].max, uints[i].slot))
        {
          motcua_error_set (error, MOTCUA_ERROR_CONFIG, "%s: %s = %s", path, uints[i].key, v);
          return FALSE;
        }
    }
  return TRUE;
}

MotcuaConf *
motcua_conf_load (GError **error)
{
  g_autoptr(MotcuaConf) c = g_new0 (MotcuaConf, 1);
  c->retention_days = 90;
  c->max_parallel = 4;

  g_autofree char *share = g_build_filename (MOTCUA_DATADIR, "motcua.conf", NULL);
  g_autofree char *user = g_build_filename (g_get_user_config_dir (), "motcua", "motcua.conf", NULL);
  const char *files[] = { share, "/etc/motcua/motcua.conf", user, g_getenv ("MOTCUA_CONF") };
  for (gsize i = 0; i < G_N_ELEMENTS (files); i++)
    if (files[i] && *files[i] && !conf_apply_file (c, files[i], error))
      return NULL;

  for (gsize i = 0; i < G_N_ELEMENTS (string_settings); i++)
    {
      const char *v = g_getenv (string_settings[i].env);
      if (v == NULL || *v == '\0')
        continue;
      char **slot = conf_string_slot (c, &string_settings[i]);
      g_free (*slot);
      *slot = g_strdup (v);
    }
  const char *days = g_getenv ("MOTCUA_RETENTION_DAYS");
  if (days && !conf_parse_uint (days, 1, 3650, &c->retention_days))
    {
      motcua_error_set (error, MOTCUA_ERROR_CONFIG, "MOTCUA_RETENTION_DAYS = %s", days);
      return NULL;
    }

  if (c->queue_path == NULL)
    c->queue_path = g_build_filename (g_get_user_data_dir (), "motcua", "queue.db", NULL);
  if (c->codes_dir == NULL)
    {
      g_autofree char *installed = g_build_filename (MOTCUA_DATADIR, "codes", NULL);
      g_autofree char *source = g_build_filename (MOTCUA_SOURCE_ROOT, "data", "codes", NULL);
      c->codes_dir = g_strdup (g_file_test (installed, G_FILE_TEST_IS_DIR) ? installed : source);
    }
  if (c->actor == NULL)
    c->actor = g_strdup (g_get_user_name ());
  return g_steal_pointer (&c);
}

void
motcua_conf_free (MotcuaConf *c)
{
  if (c == NULL)
    return;
  for (gsize i = 0; i < G_N_ELEMENTS (string_settings); i++)
    g_free (*conf_string_slot (c, &string_settings[i]));
  g_free (c);
}

MotcuaDeviceKey *
motcua_conf_open_device_key (const MotcuaConf *c, const char *pin, GError **error)
{
  g_return_val_if_fail (c != NULL, NULL);
  if (c->device_key_file)
    return motcua_device_key_open_file (c->device_key_file, error);
  if (c->token_module == NULL)
    {
      motcua_error_set (error, MOTCUA_ERROR_CONFIG,
                        _("chưa cấu hình khoá thiết bị: token-module hoặc device-key-file "
                          "(no device key configured)"));
      return NULL;
    }
  return motcua_device_key_open_pkcs11 (c->token_module, c->device_token_label,
                                        c->device_key_label, pin, error);
}

MotcuaSigner *
motcua_conf_open_signer (const MotcuaConf *c, GError **error)
{
  g_return_val_if_fail (c != NULL, NULL);
  if (c->signer_cert_file || c->signer_key_file)
    {
      if (!c->signer_cert_file || !c->signer_key_file)
        {
          motcua_error_set (error, MOTCUA_ERROR_CONFIG, "signer-cert-file + signer-key-file");
          return NULL;
        }
      return motcua_signer_open_file (c->signer_cert_file, c->signer_key_file, error);
    }
  if (c->token_module == NULL)
    {
      motcua_error_set (error, MOTCUA_ERROR_CONFIG,
                        _("chưa cấu hình thiết bị ký số: token-module (no signing token configured)"));
      return NULL;
    }
  return motcua_signer_open_pkcs11 (c->token_module, c->token_label, c->signer_key_label, error);
}

gboolean
motcua_conf_sync_config (const MotcuaConf *c, MotcuaSyncConfig *out, GError **error)
{
  g_return_val_if_fail (c != NULL && out != NULL, FALSE);
  const struct { const char *name; const char *value; } need[] = {
    { "service-url", c->service_url }, { "service-ca", c->service_ca },
    { "client-cert", c->client_cert }, { "client-key", c->client_key },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (need); i++)
    if (need[i].value == NULL)
      {
        motcua_error_set (error, MOTCUA_ERROR_CONFIG, "%s", need[i].name);
        return FALSE;
      }
  memset (out, 0, sizeof *out);
  out->service_url = g_strdup (c->service_url);
  while (g_str_has_suffix (out->service_url, "/"))
    out->service_url[strlen (out->service_url) - 1] = '\0';
  out->service_ca = g_strdup (c->service_ca);
  out->client_cert = g_strdup (c->client_cert);
  out->client_key = g_strdup (c->client_key);
  out->max_parallel = c->max_parallel;
  out->poll_interval_s = 30;
  out->timeout_s = 30;
  return TRUE;
}
