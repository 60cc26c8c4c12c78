/* motcua-dossier-file.c — the dossier file (motcua-dossier/1): parsing with
 * a JSON Pointer for every malformation, writing atomically with mode 0600.
 * The format is described in motcua-dossier.h. */
#define G_LOG_DOMAIN "motcua-dossier"

#include "motcua-dossier-private.h"
#include "motcua-json-pointer.h"
#include "motcua-error.h"

#include <string.h>
#include <openssl/crypto.h>

#define FORMAT_NAME "motcua-dossier/1"

/* ---- Writing ------------------------------------------------------------------ */

static JsonNode *
source_node (MotcuaSourceKind kind, const char *ref)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "kind");
  json_builder_add_string_value (b, motcua_source_kind_name (kind));
  if (ref != NULL)
    {
      json_builder_set_member_name (b, "ref");
      json_builder_add_string_value (b, ref);
    }
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

static gint
compare_strings (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

static JsonNode *
file_node (MotcuaDossier *self)
{
  JsonObject *o = json_object_new ();
  json_object_set_string_member (o, "format", FORMAT_NAME);
  json_object_set_string_member (o, "procedure", motcua_procedure_name (self->procedure));
  json_object_set_member (o, "payload", json_node_copy (self->payload));

  /* Sources sorted by pointer: the same dossier gives the same file. */
  JsonObject *sources = json_object_new ();
  g_autoptr (GPtrArray) sorted = g_ptr_array_new ();
  GHashTableIter it;
  gpointer key;
  g_hash_table_iter_init (&it, self->sources);
  while (g_hash_table_iter_next (&it, &key, NULL))
    g_ptr_array_add (sorted, key);
  g_ptr_array_sort (sorted, compare_strings);
  for (guint i = 0; i < sorted->len; i++)
    {
      MotcuaSource *s = g_hash_table_lookup (self->sources, sorted->pdata[i]);
      json_object_set_member (sources, sorted->pdata[i], source_node (s->kind, s->ref));
    }
  json_object_set_object_member (o, "sources", sources);

  JsonArray *conflicts = json_array_new ();
  for (guint i = 0; i < self->conflicts->len; i++)
    {
      MotcuaConflict *c = self->conflicts->pdata[i];
      JsonObject *co = json_object_new ();
      json_object_set_string_member (co, "path", c->path);
      json_object_set_member (co, "value", json_node_copy (c->value));
      json_object_set_member (co, "source", source_node (c->source, c->source_ref));
      json_object_set_member (co, "offered", json_node_copy (c->offered));
      json_object_set_member (co, "offeredSource", source_node (c->offered_source, c->offered_ref));
      json_array_add_object_element (conflicts, co);
    }
  json_object_set_array_member (o, "conflicts", conflicts);

  JsonNode *root = json_node_alloc ();
  json_node_init_object (root, o);
  json_object_unref (o);
  return root;
}

char *
motcua_dossier_to_data (MotcuaDossier *self, gsize *len)
{
  g_return_val_if_fail (MOTCUA_IS_DOSSIER (self), NULL);

  g_autoptr (JsonNode) root = file_node (self);
  g_autoptr (JsonGenerator) gen = json_generator_new ();
  json_generator_set_pretty (gen, TRUE);
  json_generator_set_indent (gen, 2);
  json_generator_set_root (gen, root);
  return json_generator_to_data (gen, len);
}

gboolean
motcua_dossier_save (MotcuaDossier *self, const char *path, GError **error)
{
  g_return_val_if_fail (MOTCUA_IS_DOSSIER (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  gsize len = 0;
  char *data = motcua_dossier_to_data (self, &len);
  g_autoptr (GError) local = NULL;
  gboolean ok = g_file_set_contents_full (path, data, (gssize) len,
                                          G_FILE_SET_CONTENTS_CONSISTENT, 0600, &local);
  OPENSSL_cleanse (data, len);
  g_free (data);
  if (!ok)
    motcua_error_set (error, MOTCUA_ERROR_IO, "%s", local->message);
  return ok;
}

/* ---- Reading ------------------------------------------------------------------ */

static gboolean
bad (GError **error, const char *pointer, const char *why)
{
  motcua_error_set (error, MOTCUA_ERROR_DOSSIER_FORMAT, "%s: %s", pointer[0] ? pointer : "\"\"", why);
  return FALSE;
}

static gboolean
is_string (JsonNode *n)
{
  return n != NULL && JSON_NODE_HOLDS_VALUE (n) && json_node_get_value_type (n) == G_TYPE_STRING;
}

static gboolean
parse_source (JsonNode *n, const char *at, MotcuaSourceKind *kind, char **ref, GError **error)
{
  if (n == NULL || !JSON_NODE_HOLDS_OBJECT (n))
    return bad (error, at, "not an object");
  JsonObject *o = json_node_get_object (n);
  JsonNode *k = json_object_get_member (o, "kind");
  JsonNode *r = json_object_get_member (o, "ref");
  g_autofree char *pk = g_strconcat (at, "/kind", NULL);
  g_autofree char *pr = g_strconcat (at, "/ref", NULL);

  if (!is_string (k) || motcua_source_kind_from_name (json_node_get_string (k)) == MOTCUA_SOURCE_NONE)
    return bad (error, pk, "not a source kind");
  if (r != NULL && !JSON_NODE_HOLDS_NULL (r) && !is_string (r))
    return bad (error, pr, "not a string");
  g_autoptr (GList) names = json_object_get_members (o);
  for (GList *l = names; l != NULL; l = l->next)
    if (!g_str_equal (l->data, "kind") && !g_str_equal (l->data, "ref"))
      {
        g_autofree char *p = motcua_json_pointer_append (at, l->data);
        return bad (error, p, "unknown member");
      }
  *kind = motcua_source_kind_from_name (json_node_get_string (k));
  *ref = is_string (r) ? g_strdup (json_node_get_string (r)) : NULL;
  return TRUE;
}

static gboolean
parse_conflict (MotcuaDossier *self, JsonNode *n, const char *at, GError **error)
{
  if (!JSON_NODE_HOLDS_OBJECT (n))
    return bad (error, at, "not an object");
  JsonObject *o = json_node_get_object (n);
  static const char *const members[] = { "path", "value", "source", "offered", "offeredSource", NULL };
  g_autoptr (GList) names = json_object_get_members (o);
  for (GList *l = names; l != NULL; l = l->next)
    if (!g_strv_contains (members, l->data))
      {
        g_autofree char *p = motcua_json_pointer_append (at, l->data);
        return bad (error, p, "unknown member");
      }

  g_autoptr (MotcuaConflict) c = g_new0 (MotcuaConflict, 1);
  JsonNode *path = json_object_get_member (o, "path");
  g_autofree char *pp = g_strconcat (at, "/path", NULL);
  if (!is_string (path) || !motcua_json_pointer_valid (json_node_get_string (path))
      || json_node_get_string (path)[0] != '/')
    return bad (error, pp, "not a JSON Pointer");
  c->path = g_strdup (json_node_get_string (path));
  JsonNode *value = json_object_get_member (o, "value");
  JsonNode *offered = json_object_get_member (o, "offered");
  if (value == NULL)
    {
      g_autofree char *p = g_strconcat (at, "/value", NULL);
      return bad (error, p, "missing");
    }
  if (offered == NULL)
    {
      g_autofree char *p = g_strconcat (at, "/offered", NULL);
      return bad (error, p, "missing");
    }
  c->value = json_node_copy (value);
  c->offered = json_node_copy (offered);
  g_autofree char *ps = g_strconcat (at, "/source", NULL);
  g_autofree char *po = g_strconcat (at, "/offeredSource", NULL);
  if (!parse_source (json_object_get_member (o, "source"), ps, &c->source, &c->source_ref, error)
      || !parse_source (json_object_get_member (o, "offeredSource"), po, &c->offered_source,
                        &c->offered_ref, error))
    return FALSE;
  g_ptr_array_add (self->conflicts, g_steal_pointer (&c));
  return TRUE;
}

static gboolean
parse_file (MotcuaDossier **out, JsonNode *root, GError **error)
{
  if (!JSON_NODE_HOLDS_OBJECT (root))
    return bad (error, "", "not a JSON object");
  JsonObject *o = json_node_get_object (root);
  static const char *const members[] = { "format", "procedure", "payload", "sources", "conflicts", NULL };
  g_autoptr (GList) names = json_object_get_members (o);
  for (GList *l = names; l != NULL; l = l->next)
    if (!g_strv_contains (members, l->data))
      {
        g_autofree char *p = motcua_json_pointer_append ("", l->data);
        return bad (error, p, "unknown member");
      }

  JsonNode *format = json_object_get_member (o, "format");
  if (!is_string (format) || !g_str_equal (json_node_get_string (format), FORMAT_NAME))
    return bad (error, "/format", "not " FORMAT_NAME);
  JsonNode *proc = json_object_get_member (o, "procedure");
  MotcuaProcedure p = is_string (proc) ? motcua_procedure_from_name (json_node_get_string (proc)) : 0;
  if (p == 0)
    return bad (error, "/procedure", "not birth or death");
  JsonNode *payload = json_object_get_member (o, "payload");
  if (payload == NULL || !JSON_NODE_HOLDS_OBJECT (payload))
    return bad (error, "/payload", "not an object");

  g_autoptr (MotcuaDossier) self = motcua_dossier_new_empty (p);
  json_node_unref (self->payload);
  self->payload = json_node_copy (payload);

  JsonNode *sources = json_object_get_member (o, "sources");
  if (sources != NULL && !JSON_NODE_HOLDS_NULL (sources))
    {
      if (!JSON_NODE_HOLDS_OBJECT (sources))
        return bad (error, "/sources", "not an object");
      JsonObject *so = json_node_get_object (sources);
      g_autoptr (GList) keys = json_object_get_members (so);
      for (GList *l = keys; l != NULL; l = l->next)
        {
          g_autofree char *at = motcua_json_pointer_append ("/sources", l->data);
          g_autofree char *ref = NULL;
          MotcuaSourceKind kind;
          if (!motcua_json_pointer_valid (l->data) || ((const char *) l->data)[0] != '/')
            return bad (error, at, "not a JSON Pointer");
          if (!parse_source (json_object_get_member (so, l->data), at, &kind, &ref, error))
            return FALSE;
          motcua_dossier_put_source (self, l->data, kind, ref);
        }
    }

  JsonNode *conflicts = json_object_get_member (o, "conflicts");
  if (conflicts != NULL && !JSON_NODE_HOLDS_NULL (conflicts))
    {
      if (!JSON_NODE_HOLDS_ARRAY (conflicts))
        return bad (error, "/conflicts", "not an array");
      JsonArray *a = json_node_get_array (conflicts);
      for (guint i = 0; i < json_array_get_length (a); i++)
        {
          g_autofree char *at = g_strdup_printf ("/conflicts/%u", i);
          if (!parse_conflict (self, json_array_get_element (a, i), at, error))
            return FALSE;
        }
    }
  *out = g_steal_pointer (&self);
  return TRUE;
}

MotcuaDossier *
motcua_dossier_new_from_data (const char *data, gsize len, GError **error)
{
  g_return_val_if_fail (data != NULL || len == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!g_utf8_validate (data, (gssize) len, NULL))
    {
      bad (error, "", "not UTF-8");
      return NULL;
    }
  g_autoptr (JsonParser) parser = json_parser_new_immutable ();
  g_autoptr (GError) local = NULL;
  if (!json_parser_load_from_data (parser, data, (gssize) len, &local))
    {
      /* The parser's message may quote the file's text: keep only the position. */
      bad (error, "", "not JSON");
      return NULL;
    }
  MotcuaDossier *self = NULL;
  if (!parse_file (&self, json_parser_get_root (parser), error))
    return NULL;
  return self;
}

MotcuaDossier *
motcua_dossier_load (const char *path, GError **error)
{
  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  char *data = NULL;
  gsize len = 0;
  g_autoptr (GError) local = NULL;
  if (!g_file_get_contents (path, &data, &len, &local))
    {
      motcua_error_set (error, MOTCUA_ERROR_IO, "%s", local->message);
      return NULL;
    }
  MotcuaDossier *self = motcua_dossier_new_from_data (data, len, error);
  OPENSSL_cleanse (data, len);
  g_free (data);
  return self;
}
