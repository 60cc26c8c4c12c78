/* motcua-envelope.c — the request body of POST /v1/dossiers and the
 * card-presence proof that may travel in it (docs/protocol.md §8.1, §11) */
#define G_LOG_DOMAIN "motcua-envelope"

#include <glib/gi18n.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <string.h>

#include "motcua-envelope.h"
#include "motcua-error.h"

/* EF.SOD and DG15 as mc_card_get_file() names them. */
#define FILE_SOD  0x1D
#define FILE_DG15 15

char *
motcua_envelope_new_transaction_id (void)
{
  /* GLib's v4 UUID is lowercase, as the protocol asks. */
  return g_uuid_string_random ();
}

static void
add_base64_member (JsonBuilder *b, const char *name, const guint8 *data, gsize len)
{
  g_autofree char *text = g_base64_encode (data, len);
  json_builder_set_member_name (b, name);
  json_builder_add_string_value (b, text);
}

JsonNode *
motcua_envelope_card_presence (mc_card *card, GBytes *payload, GError **error)
{
  g_return_val_if_fail (card != NULL && payload != NULL, NULL);

  /* The challenge is the first 8 bytes of SHA-256 over the exact payload
   * bytes (§11.1): the chip's signature binds this dossier to the card
   * being on the reader now. */
  guint8 digest[EVP_MAX_MD_SIZE];
  unsigned int dlen = 0;
  gsize plen;
  const guint8 *p = g_bytes_get_data (payload, &plen);
  if (!EVP_Digest (p, plen, digest, &dlen, EVP_sha256 (), NULL))
    {
      motcua_error_set (error, MOTCUA_ERROR_FAILED, "SHA-256");
      return NULL;
    }

  const uint8_t *sod, *dg15;
  size_t sod_len, dg15_len;
  mc_status st = mc_card_get_file (card, FILE_SOD, &sod, &sod_len);
  if (st == MC_OK)
    st = mc_card_get_file (card, FILE_DG15, &dg15, &dg15_len);
  if (st != MC_OK)
    {
      motcua_error_set (error, MOTCUA_ERROR_CARD_PRESENCE,
                        _("thẻ không có DG15/EF.SOD đã đọc (%s)"), mc_status_code (st));
      return NULL;
    }

  uint8_t *sig = NULL;
  size_t sig_len = 0;
  st = mc_card_internal_authenticate (card, digest, &sig, &sig_len);
  OPENSSL_cleanse (digest, sizeof digest);
  if (st != MC_OK)
    {
      motcua_error_set (error, MOTCUA_ERROR_CARD_PRESENCE, "%s", mc_status_code (st));
      return NULL;
    }

  g_autoptr(JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  add_base64_member (b, "aaSignature", sig, sig_len);
  add_base64_member (b, "dg15", dg15, dg15_len);
  add_base64_member (b, "sod", sod, sod_len);
  json_builder_end_object (b);
  free (sig);
  return json_builder_get_root (b);
}

GBytes *
motcua_envelope_build (const char *transaction_id, MotcuaProcedure procedure,
                       GBytes *payload, GBytes *cms, JsonNode *card_presence)
{
  g_return_val_if_fail (transaction_id != NULL && payload != NULL && cms != NULL, NULL);
  g_return_val_if_fail (motcua_procedure_name (procedure) != NULL, NULL);

  gsize plen, clen;
  const guint8 *p = g_bytes_get_data (payload, &plen);
  const guint8 *c = g_bytes_get_data (cms, &clen);

  g_autoptr(JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "transactionId");
  json_builder_add_string_value (b, transaction_id);
  json_builder_set_member_name (b, "procedure");
  json_builder_add_string_value (b, motcua_procedure_name (procedure));
  /* The payload in base64 holds personal data: wipe the text after use. */
  char *p64 = g_base64_encode (p, plen);
  json_builder_set_member_name (b, "payload");
  json_builder_add_string_value (b, p64);
  OPENSSL_cleanse (p64, strlen (p64));
  g_free (p64);
  add_base64_member (b, "signature", c, clen);
  if (card_presence != NULL)
    {
      json_builder_set_member_name (b, "cardPresence");
      json_builder_add_value (b, json_node_copy (card_presence));
    }
  json_builder_end_object (b);

  g_autoptr(JsonNode) root = json_builder_get_root (b);
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  json_generator_set_root (gen, root);
  gsize len = 0;
  char *text = json_generator_to_data (gen, &len);
  /* json-glib keeps a copy of the payload string in the tree; that tree
   * is freed here, the text is handed over to the GBytes. */
  return g_bytes_new_take (text, len);
}

gboolean
motcua_envelope_peek (GBytes *body, char **transaction_id, MotcuaProcedure *procedure)
{
  g_return_val_if_fail (body != NULL, FALSE);
  gsize len;
  const char *data = g_bytes_get_data (body, &len);
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  if (data == NULL || !json_parser_load_from_data (parser, data, (gssize) len, NULL))
    return FALSE;
  JsonNode *root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return FALSE;
  JsonObject *o = json_node_get_object (root);
  JsonNode *tx = json_object_get_member (o, "transactionId");
  JsonNode *pr = json_object_get_member (o, "procedure");
  if (tx == NULL || json_node_get_value_type (tx) != G_TYPE_STRING
      || pr == NULL || json_node_get_value_type (pr) != G_TYPE_STRING)
    return FALSE;
  MotcuaProcedure p = motcua_procedure_from_name (json_node_get_string (pr));
  if (p == 0)
    return FALSE;
  if (transaction_id)
    *transaction_id = g_strdup (json_node_get_string (tx));
  if (procedure)
    *procedure = p;
  return TRUE;
}
