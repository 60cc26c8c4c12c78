/* refsvc-json.c — small json-glib helpers shared by the service's modules
 * (the strict parser for outside bytes is refsvc_json_parse_object, in
 * refsvc-dossier.c with the rest of the envelope checks). */
#define G_LOG_DOMAIN "refsvc-json"

#include "refsvc.h"

char *
refsvc_json_to_string (JsonNode *node)
{
  g_autoptr (JsonGenerator) gen = json_generator_new ();

  json_generator_set_root (gen, node);
  return json_generator_to_data (gen, NULL);
}

void
refsvc_json_add_string (JsonBuilder *b, const char *name, const char *value)
{
  json_builder_set_member_name (b, name);
  if (value != NULL)
    json_builder_add_string_value (b, value);
  else
    json_builder_add_null_value (b);
}
