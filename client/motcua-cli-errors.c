/* motcua-cli-errors.c — how motcua-cli reports errors and asks for PINs */
#define G_LOG_DOMAIN "motcua-cli"

#include <glib/gi18n.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "motcua-cli-private.h"
#include "motcua-error.h"
#include "motcua-fields.h"

int
motcua_cli_exit_for_error (const GError *error)
{
  if (error == NULL)
    return MOTCUA_EXIT_OK;
  if (error->domain != MOTCUA_ERROR)
    return MOTCUA_EXIT_DATA;
  switch ((MotcuaErrorCode) error->code)
    {
    case MOTCUA_ERROR_DOSSIER_INVALID:
      return MOTCUA_EXIT_INVALID;
    case MOTCUA_ERROR_PIN_INCORRECT:
    case MOTCUA_ERROR_PIN_CANCELLED:
      return MOTCUA_EXIT_PIN;
    case MOTCUA_ERROR_PIN_LOCKED:
      return MOTCUA_EXIT_PIN_LOCKED;
    case MOTCUA_ERROR_TOKEN_MODULE:
    case MOTCUA_ERROR_TOKEN_ABSENT:
    case MOTCUA_ERROR_KEY_NOT_FOUND:
    case MOTCUA_ERROR_SIGN_FAILED:
    case MOTCUA_ERROR_CERTIFICATE:
      return MOTCUA_EXIT_TOKEN;
    case MOTCUA_ERROR_QUEUE_OPEN:
    case MOTCUA_ERROR_QUEUE_IO:
    case MOTCUA_ERROR_QUEUE_KEY:
    case MOTCUA_ERROR_QUEUE_CORRUPT:
    case MOTCUA_ERROR_AUDIT_BROKEN:
      return MOTCUA_EXIT_QUEUE;
    case MOTCUA_ERROR_NOT_FOUND:
    case MOTCUA_ERROR_DOCUMENT_NOT_FOUND:
    case MOTCUA_ERROR_PURGED:
      return MOTCUA_EXIT_NOT_FOUND;
    case MOTCUA_ERROR_BAD_STATE:
      return MOTCUA_EXIT_STATE;
    case MOTCUA_ERROR_NETWORK:
    case MOTCUA_ERROR_TLS:
    case MOTCUA_ERROR_SERVICE_BUSY:
    case MOTCUA_ERROR_SERVICE_ERROR:
    case MOTCUA_ERROR_SERVICE_PROTOCOL:
    case MOTCUA_ERROR_AUTH:
      return MOTCUA_EXIT_NETWORK;
    case MOTCUA_ERROR_SERVICE_REFUSED:
      return MOTCUA_EXIT_REFUSED;
    case MOTCUA_ERROR_CONFIG:
    case MOTCUA_ERROR_CODE_LISTS:
      return MOTCUA_EXIT_CONFIG;
    case MOTCUA_ERROR_CARD_NOT_GENUINE:
      return MOTCUA_EXIT_FAILED;
    case MOTCUA_ERROR_CARD_PRESENCE:
      return MOTCUA_EXIT_CARD_ERROR;
    case MOTCUA_ERROR_FAILED:
    case MOTCUA_ERROR_IO:
    case MOTCUA_ERROR_DOSSIER_FORMAT:
    case MOTCUA_ERROR_DOCUMENT_FORMAT:
    case MOTCUA_ERROR_DOCUMENT_SIGNATURE:
    default:
      return MOTCUA_EXIT_DATA;
    }
}

void
motcua_cli_print_error (const GError *error, gboolean json)
{
  g_return_if_fail (error != NULL);
  const char *code = error->domain == MOTCUA_ERROR ? motcua_error_code_name (error->code)
                                                   : g_quark_to_string (error->domain);
  if (!json)
    {
      g_printerr ("motcua-cli: %s: %s\n", code, error->message);
      return;
    }
  g_autoptr(JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "error");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "code");
  json_builder_add_string_value (b, code);
  json_builder_set_member_name (b, "message");
  json_builder_add_string_value (b, error->message);
  json_builder_end_object (b);
  json_builder_end_object (b);
  motcua_cli_print_json (json_builder_get_root (b));
}

char *
motcua_cli_read_pin (const char *env_name, const char *prompt)
{
  const char *env = env_name ? g_getenv (env_name) : NULL;
  if (env != NULL)
    return g_strdup (env);
  if (!isatty (STDIN_FILENO))
    return NULL;

  struct termios old, quiet;
  gboolean echo_off = tcgetattr (STDIN_FILENO, &old) == 0;
  if (echo_off)
    {
      quiet = old;
      quiet.c_lflag &= ~(tcflag_t) ECHO;
      tcsetattr (STDIN_FILENO, TCSAFLUSH, &quiet);
    }
  g_printerr ("%s: ", prompt);
  char buf[128];
  char *line = fgets (buf, sizeof buf, stdin);
  if (echo_off)
    tcsetattr (STDIN_FILENO, TCSAFLUSH, &old);
  g_printerr ("\n");
  char *pin = NULL;
  if (line != NULL)
    {
      buf[strcspn (buf, "\r\n")] = '\0';
      pin = g_strdup (buf);
    }
  OPENSSL_cleanse (buf, sizeof buf);
  return pin;
}

void
motcua_cli_pin_free (char *pin)
{
  if (pin == NULL)
    return;
  OPENSSL_cleanse (pin, strlen (pin));
  g_free (pin);
}

JsonNode *
motcua_cli_problems_json (GPtrArray *problems)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  json_builder_begin_array (b);
  for (guint i = 0; problems != NULL && i < problems->len; i++)
    {
      const MotcuaProblem *p = problems->pdata[i];
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "path");
      json_builder_add_string_value (b, p->path);
      json_builder_set_member_name (b, "code");
      json_builder_add_string_value (b, p->code);
      json_builder_set_member_name (b, "severity");
      json_builder_add_string_value (b, p->severity == MOTCUA_SEVERITY_ERROR ? "error" : "warning");
      json_builder_set_member_name (b, "message");
      json_builder_add_string_value (b, p->message);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  return json_builder_get_root (b);
}
