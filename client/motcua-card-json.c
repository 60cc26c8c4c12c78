/* motcua-card-json.c — a card read as one JSON object
 *
 * The shape is the contract of `motcua-cli card read --json` (see
 * docs/cli.md); prefill and the GUI read the same object. */
#define G_LOG_DOMAIN "motcua-card-json"

#include "motcua-card-json.h"

static void
add_string_or_null (JsonBuilder *b, const char *key, const char *value)
{
  json_builder_set_member_name (b, key);
  if (value)
    json_builder_add_string_value (b, value);
  else
    json_builder_add_null_value (b);
}

static void
add_check (JsonBuilder *b, const char *key, const mc_check *c)
{
  json_builder_set_member_name (b, key);
  json_builder_begin_object (b);
  add_string_or_null (b, "result", mc_check_result_name (c->result));
  add_string_or_null (b, "code", c->result == MC_CHECK_PASSED ? NULL : mc_status_code (c->code));
  add_string_or_null (b, "reason", c->reason);
  json_builder_end_object (b);
}

static void
add_mrz (JsonBuilder *b, const mc_identity *id)
{
  json_builder_set_member_name (b, "mrz");
  if (!id->has_mrz)
    {
      json_builder_add_null_value (b);
      return;
    }
  const mc_mrz *m = &id->mrz;
  json_builder_begin_object (b);
  add_string_or_null (b, "document_code", m->document_code);
  add_string_or_null (b, "issuing_state", m->issuing_state);
  add_string_or_null (b, "document_number", m->document_number);
  add_string_or_null (b, "optional_data1", m->optional_data1);
  add_string_or_null (b, "date_of_birth", m->date_of_birth);
  add_string_or_null (b, "sex", m->sex);
  add_string_or_null (b, "date_of_expiry", m->date_of_expiry);
  add_string_or_null (b, "nationality", m->nationality);
  add_string_or_null (b, "optional_data2", m->optional_data2);
  add_string_or_null (b, "primary_identifier", m->primary_identifier);
  add_string_or_null (b, "secondary_identifier", m->secondary_identifier);
  json_builder_set_member_name (b, "check_digits_ok");
  json_builder_add_boolean_value (b, m->check_digits_ok);
  json_builder_end_object (b);
}

JsonNode *
motcua_card_json_build (const mc_identity *id, const mc_face *face, mc_access_method access,
                        const mc_verdict *verdict, const mc_stats *stats)
{
  g_return_val_if_fail (id != NULL, NULL);
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  add_string_or_null (b, "id_number", id->id_number);
  add_string_or_null (b, "full_name", id->full_name);
  add_string_or_null (b, "date_of_birth", id->date_of_birth);
  add_string_or_null (b, "sex", id->sex);
  add_string_or_null (b, "nationality", id->nationality);
  add_string_or_null (b, "ethnicity", id->ethnicity);
  add_string_or_null (b, "religion", id->religion);
  add_string_or_null (b, "place_of_origin", id->place_of_origin);
  add_string_or_null (b, "place_of_residence", id->place_of_residence);
  add_string_or_null (b, "identifying_marks", id->identifying_marks);
  add_string_or_null (b, "date_of_issue", id->date_of_issue);
  add_string_or_null (b, "date_of_expiry", id->date_of_expiry);
  add_string_or_null (b, "father_name", id->father_name);
  add_string_or_null (b, "mother_name", id->mother_name);
  add_string_or_null (b, "spouse_name", id->spouse_name);
  add_string_or_null (b, "old_id_number", id->old_id_number);

  json_builder_set_member_name (b, "other_fields");
  json_builder_begin_object (b);
  for (size_t i = 0; i < id->n_other_fields; i++)
    {
      g_autofree char *key = g_strdup_printf ("%d", id->other_fields[i].number);
      add_string_or_null (b, key, id->other_fields[i].value);
    }
  json_builder_end_object (b);

  add_mrz (b, id);

  json_builder_set_member_name (b, "face");
  if (face)
    {
      json_builder_begin_object (b);
      add_string_or_null (b, "format", mc_face_format_name (face->format));
      json_builder_set_member_name (b, "size");
      json_builder_add_int_value (b, (gint64) face->len);
      json_builder_end_object (b);
    }
  else
    json_builder_add_null_value (b);

  add_string_or_null (b, "access", access == MC_ACCESS_PACE ? "pace"
                                   : access == MC_ACCESS_BAC ? "bac" : NULL);

  json_builder_set_member_name (b, "verdict");
  json_builder_begin_object (b);
  add_string_or_null (b, "status", mc_verdict_status_name (verdict->status));
  add_check (b, "passive", &verdict->passive);
  add_check (b, "active", &verdict->active);
  add_check (b, "chip", &verdict->chip);
  json_builder_end_object (b);

  json_builder_set_member_name (b, "stats");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "apdus");
  json_builder_add_int_value (b, stats->apdus);
  json_builder_set_member_name (b, "bytes_in");
  json_builder_add_int_value (b, (gint64) stats->bytes_in);
  json_builder_set_member_name (b, "bytes_out");
  json_builder_add_int_value (b, (gint64) stats->bytes_out);
  json_builder_set_member_name (b, "ms_text");
  json_builder_add_double_value (b, stats->ms_text);
  json_builder_set_member_name (b, "ms_total");
  json_builder_add_double_value (b, stats->ms_total);
  json_builder_set_member_name (b, "chunk_size");
  json_builder_add_int_value (b, stats->chunk_size);
  json_builder_set_member_name (b, "extended_length");
  json_builder_add_boolean_value (b, stats->extended_length);
  json_builder_end_object (b);

  json_builder_end_object (b);
  return json_builder_get_root (b);
}
