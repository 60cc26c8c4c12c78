/* motcua-cli-card-session.c — one card session for the commands that need
 * a citizen's card on the reader: prefill (`dossier fill --role`) and the
 * card-presence proof (`submit --can`) */
#define G_LOG_DOMAIN "motcua-cli"

#include <glib/gi18n.h>
#include <string.h>

#include "motcua-cli-private.h"
#include "motcua-envelope.h"
#include "motcua-error.h"

void
motcua_cli_card_session_free (MotcuaCliCardSession *s)
{
  if (s == NULL)
    return;
  mc_identity_free (s->identity);
  mc_card_free (s->card);
  mc_context_free (s->ctx);
  mc_trust_store_free (s->trust);
  g_free (s);
}

mc_status
motcua_cli_card_read_session (const char *reader, const char *can, char **trust_paths,
                              MotcuaCliCardSession **out)
{
  *out = NULL;
  mc_access access;
  memset (&access, 0, sizeof access);
  mc_status st = can ? mc_access_from_can (&access, can) : MC_ERR_BAD_ACCESS_DATA;
  if (st != MC_OK)
    return st;

  MotcuaCliCardSession *s = g_new0 (MotcuaCliCardSession, 1);
  if ((st = motcua_cli_load_trust (trust_paths, &s->trust)) == MC_OK
      && (st = mc_context_new (&s->ctx)) == MC_OK
      && (st = mc_card_connect (s->ctx, reader, &s->card)) == MC_OK
      && (st = mc_card_authenticate (s->card, &access)) == MC_OK
      && (st = mc_card_read_identity (s->card, &s->identity)) == MC_OK)
    st = mc_card_verify (s->card, s->trust, &s->verdict);
  mc_access_clear (&access);
  if (st != MC_OK)
    {
      motcua_cli_card_session_free (s);
      return st;
    }
  *out = s;
  return MC_OK;
}

JsonNode *
motcua_cli_card_presence (const char *reader, const char *can, char **trust_paths,
                          GBytes *payload, GError **error)
{
  MotcuaCliCardSession *s = NULL;
  mc_status st = motcua_cli_card_read_session (reader, can, trust_paths, &s);
  if (st != MC_OK)
    {
      motcua_error_set (error, MOTCUA_ERROR_CARD_PRESENCE, "%s", mc_status_message_vi (st));
      return NULL;
    }
  /* A card that failed verification proves nothing. */
  if (s->verdict.status == MC_VERDICT_FAILED)
    {
      motcua_cli_card_session_free (s);
      motcua_error_set (error, MOTCUA_ERROR_CARD_NOT_GENUINE, NULL);
      return NULL;
    }
  JsonNode *proof = motcua_envelope_card_presence (s->card, payload, error);
  motcua_cli_card_session_free (s);
  return proof;
}
