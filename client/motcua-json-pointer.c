/* motcua-json-pointer.c — RFC 6901 JSON Pointers.  See motcua-json-pointer.h. */
#define G_LOG_DOMAIN "motcua-json-pointer"

#include "motcua-json-pointer.h"

#include <string.h>

char **
motcua_json_pointer_split (const char *pointer)
{
  g_return_val_if_fail (pointer != NULL, NULL);

  if (!g_utf8_validate (pointer, -1, NULL))
    return NULL;
  if (*pointer == '\0')
    return g_new0 (char *, 1);
  if (*pointer != '/')
    return NULL;

  g_autoptr (GPtrArray) tokens = g_ptr_array_new_with_free_func (g_free);
  const char *p = pointer + 1;
  for (;;)
    {
      GString *t = g_string_new (NULL);
      for (; *p != '\0' && *p != '/'; p++)
        {
          if (*p != '~')
            {
              g_string_append_c (t, *p);
              continue;
            }
          if (p[1] != '0' && p[1] != '1')
            {
              g_string_free (t, TRUE);
              return NULL;
            }
          g_string_append_c (t, p[1] == '0' ? '~' : '/');
          p++;
        }
      g_ptr_array_add (tokens, g_string_free (t, FALSE));
      if (*p == '\0')
        break;
      p++;
    }
  g_ptr_array_add (tokens, NULL);
  return (char **) g_ptr_array_steal (tokens, NULL);
}

gboolean
motcua_json_pointer_valid (const char *pointer)
{
  g_auto (GStrv) t = pointer ? motcua_json_pointer_split (pointer) : NULL;
  return t != NULL;
}

char *
motcua_json_pointer_append (const char *base, const char *token)
{
  g_return_val_if_fail (base != NULL && token != NULL, NULL);

  GString *s = g_string_new (base);
  g_string_append_c (s, '/');
  for (const char *p = token; *p != '\0'; p++)
    {
      if (*p == '~')
        g_string_append (s, "~0");
      else if (*p == '/')
        g_string_append (s, "~1");
      else
        g_string_append_c (s, *p);
    }
  return g_string_free (s, FALSE);
}

/* An array index: "0" or digits without a leading zero, < len. */
static gboolean
array_index (const char *token, guint len, guint *out)
{
  gsize n = strlen (token);
  if (n == 0 || n > 9 || (n > 1 && token[0] == '0') || strspn (token, "0123456789") != n)
    return FALSE;
  guint64 v = g_ascii_strtoull (token, NULL, 10);
  if (v >= len)
    return FALSE;
  *out = (guint) v;
  return TRUE;
}

static JsonNode *
child (JsonNode *n, const char *token)
{
  guint i;
  if (n == NULL)
    return NULL;
  if (JSON_NODE_HOLDS_OBJECT (n))
    return json_object_get_member (json_node_get_object (n), token);
  if (JSON_NODE_HOLDS_ARRAY (n))
    {
      JsonArray *a = json_node_get_array (n);
      return array_index (token, json_array_get_length (a), &i) ? json_array_get_element (a, i) : NULL;
    }
  return NULL;
}

JsonNode *
motcua_json_pointer_get (JsonNode *root, const char *pointer)
{
  g_return_val_if_fail (pointer != NULL, NULL);
  g_auto (GStrv) tokens = motcua_json_pointer_split (pointer);
  if (tokens == NULL)
    return NULL;
  JsonNode *n = root;
  for (guint i = 0; tokens[i] != NULL && n != NULL; i++)
    n = child (n, tokens[i]);
  return n;
}

gboolean
motcua_json_pointer_set (JsonNode *root, const char *pointer, JsonNode *value)
{
  g_return_val_if_fail (root != NULL && pointer != NULL && value != NULL, FALSE);

  g_auto (GStrv) tokens = motcua_json_pointer_split (pointer);
  guint n = tokens ? g_strv_length (tokens) : 0;
  if (n == 0)
    {
      json_node_unref (value);
      return FALSE;
    }
  JsonNode *parent = root;
  for (guint i = 0; i + 1 < n; i++)
    {
      JsonNode *c = child (parent, tokens[i]);
      if (c == NULL && JSON_NODE_HOLDS_OBJECT (parent))
        {
          c = json_node_init_object (json_node_alloc (), json_object_new ());
          json_object_set_member (json_node_get_object (parent), tokens[i], c);
          json_object_unref (json_node_get_object (c));
        }
      if (c == NULL || (!JSON_NODE_HOLDS_OBJECT (c) && !JSON_NODE_HOLDS_ARRAY (c)))
        {
          json_node_unref (value);
          return FALSE;
        }
      parent = c;
    }
  const char *last = tokens[n - 1];
  if (JSON_NODE_HOLDS_OBJECT (parent))
    {
      json_object_set_member (json_node_get_object (parent), last, value);
      return TRUE;
    }
  if (JSON_NODE_HOLDS_ARRAY (parent))
    {
      JsonArray *a = json_node_get_array (parent);
      guint i;
      if (g_str_equal (last, "-"))
        {
          json_array_add_element (a, value);
          return TRUE;
        }
      if (array_index (last, json_array_get_length (a), &i))
        {
          /* json-glib has no "replace element": rebuild the tail. */
          guint len = json_array_get_length (a);
          g_autoptr (GPtrArray) tail = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);
          for (guint k = i + 1; k < len; k++)
            g_ptr_array_add (tail, json_node_copy (json_array_get_element (a, k)));
          for (guint k = len; k > i; k--)
            json_array_remove_element (a, k - 1);
          json_array_add_element (a, value);
          for (guint k = 0; k < tail->len; k++)
            json_array_add_element (a, json_node_copy (tail->pdata[k]));
          return TRUE;
        }
    }
  json_node_unref (value);
  return FALSE;
}

gboolean
motcua_json_pointer_remove (JsonNode *root, const char *pointer)
{
  g_return_val_if_fail (root != NULL && pointer != NULL, FALSE);

  g_auto (GStrv) tokens = motcua_json_pointer_split (pointer);
  guint n = tokens ? g_strv_length (tokens) : 0;
  if (n == 0)
    return FALSE;
  JsonNode *parent = root;
  for (guint i = 0; i + 1 < n && parent != NULL; i++)
    parent = child (parent, tokens[i]);
  if (parent == NULL)
    return FALSE;
  const char *last = tokens[n - 1];
  if (JSON_NODE_HOLDS_OBJECT (parent))
    {
      JsonObject *o = json_node_get_object (parent);
      if (!json_object_has_member (o, last))
        return FALSE;
      json_object_remove_member (o, last);
      return TRUE;
    }
  if (JSON_NODE_HOLDS_ARRAY (parent))
    {
      JsonArray *a = json_node_get_array (parent);
      guint i;
      if (!array_index (last, json_array_get_length (a), &i))
        return FALSE;
      json_array_remove_element (a, i);
      return TRUE;
    }
  return FALSE;
}
