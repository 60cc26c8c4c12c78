/* refsvc-dossier-walk.c — the validation context and the table walk
 *
 * A group is a table of rules (JSON Pointer, kind, flags).  The walk looks
 * every rule up in the payload and reports each problem as a field error
 * (path, code, Vietnamese message); it never stops at the first one.  A
 * second walk refuses members no rule names ("unknown"): a misspelt field
 * name is the usual cause of the national synchronisation errors, so it is
 * caught at the counter instead of silently dropped. */
#define G_LOG_DOMAIN "refsvc-dossier"

#include <string.h>

#include "refsvc-dossier-private.h"

#define MSG_REQUIRED   "Thiếu thông tin bắt buộc."
#define MSG_T_STRING   "Giá trị phải là chuỗi ký tự."
#define MSG_T_OBJECT   "Giá trị phải là một đối tượng JSON."
#define MSG_T_BOOL     "Giá trị phải là true hoặc false."
#define MSG_T_INT      "Giá trị phải là số nguyên."
#define MSG_T_ARRAY    "Giá trị phải là một mảng JSON."
#define MSG_UNKNOWN    "Trường này không có trong hợp đồng dữ liệu (sai tên trường?)."

void
refsvc_vctx_init (refsvc_vctx *ctx, JsonNode *root)
{
  g_autoptr (GDateTime) now = g_date_time_new_now (refsvc_vn_timezone ());

  memset (ctx, 0, sizeof *ctx);
  ctx->root = root;
  g_date_clear (&ctx->today, 1);
  g_date_set_dmy (&ctx->today, (GDateDay) g_date_time_get_day_of_month (now),
                  (GDateMonth) g_date_time_get_month (now),
                  (GDateYear) g_date_time_get_year (now));
}

void
refsvc_vctx_add (refsvc_vctx *ctx, const char *path, const char *code, const char *msg)
{
  if (ctx->err == NULL)
    ctx->err = refsvc_error_new ("dossier.invalid");
  refsvc_error_add_field (ctx->err, path, code, msg);
}

/* ---- Looking members up ------------------------------------------------ */

static JsonNode *
resolve (JsonNode *root, const char *path, gsize len)
{
  JsonNode *n = root;
  gsize i = 0;

  while (i < len && path[i] == '/')
    {
      char name[64];
      gsize start = ++i;

      while (i < len && path[i] != '/')
        i++;
      if (i - start >= sizeof name || n == NULL || !JSON_NODE_HOLDS_OBJECT (n))
        return NULL;
      memcpy (name, path + start, i - start);
      name[i - start] = '\0';
      n = json_object_get_member (json_node_get_object (n), name);
    }
  return n;
}

JsonNode *
refsvc_vctx_node (refsvc_vctx *ctx, const char *path)
{
  return resolve (ctx->root, path, strlen (path));
}

/* Absent = missing, JSON null, or a string of blanks: national senders
 * emit null (Newtonsoft) or "" for fields they do not fill. */
gboolean
refsvc_node_absent (JsonNode *node)
{
  const char *s;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return FALSE;
  for (s = json_node_get_string (node); s != NULL && *s != '\0'; s++)
    if (!g_ascii_isspace (*s))
      return FALSE;
  return TRUE;
}

gboolean
refsvc_node_is_string (JsonNode *n)
{
  return JSON_NODE_HOLDS_VALUE (n) && json_node_get_value_type (n) == G_TYPE_STRING;
}

const char *
refsvc_vctx_string (refsvc_vctx *ctx, const char *path)
{
  JsonNode *n = refsvc_vctx_node (ctx, path);

  return (!refsvc_node_absent (n) && refsvc_node_is_string (n)) ? json_node_get_string (n) : NULL;
}

/* ---- The walks --------------------------------------------------------- */

static void
check_node (refsvc_vctx *ctx, const refsvc_rule *r, JsonNode *n)
{
  switch (r->kind)
    {
    case K_OBJECT:
    case K_ADDRESS:
    case K_PLACE:
      if (!JSON_NODE_HOLDS_OBJECT (n))
        refsvc_vctx_add (ctx, r->path, "type", MSG_T_OBJECT);
      else if (r->kind != K_OBJECT)
        refsvc_check_address (ctx, r->path, json_node_get_object (n), r->kind == K_ADDRESS);
      return;
    case K_BOOL:
      if (!JSON_NODE_HOLDS_VALUE (n) || json_node_get_value_type (n) != G_TYPE_BOOLEAN)
        refsvc_vctx_add (ctx, r->path, "type", MSG_T_BOOL);
      return;
    case K_MEMBERS:
      if (!JSON_NODE_HOLDS_ARRAY (n))
        refsvc_vctx_add (ctx, r->path, "type", MSG_T_ARRAY);
      else
        refsvc_check_members (ctx, r, json_node_get_array (n));
      return;
    case K_COUNT:
      if (!JSON_NODE_HOLDS_VALUE (n) || json_node_get_value_type (n) != G_TYPE_INT64)
        refsvc_vctx_add (ctx, r->path, "type", MSG_T_INT);
      else if (json_node_get_int (n) < 0 || json_node_get_int (n) > (gint64) r->max)
        {
          g_autofree char *m = g_strdup_printf ("Giá trị phải từ 0 đến %u.", r->max);
          refsvc_vctx_add (ctx, r->path, "range", m);
        }
      return;
    default:
      if (!refsvc_node_is_string (n))
        refsvc_vctx_add (ctx, r->path, "type", MSG_T_STRING);
      else
        refsvc_check_value (ctx, r, json_node_get_string (n));
      return;
    }
}

void
refsvc_walk_rules (refsvc_vctx *ctx, const refsvc_rule *rules, gsize n)
{
  for (gsize i = 0; i < n; i++)
    {
      const refsvc_rule *r = &rules[i];
      const char *slash = strrchr (r->path, '/');
      guint block = r->flags & F_BLOCKS;
      gboolean required = (r->flags & F_REQ) && (block == 0 || (ctx->active & block));
      JsonNode *parent, *node;

      g_assert (slash != NULL);
      parent = resolve (ctx->root, r->path, (gsize) (slash - r->path));
      /* A missing or mistyped parent object is reported on its own rule. */
      if (parent == NULL || !JSON_NODE_HOLDS_OBJECT (parent))
        continue;
      node = json_object_get_member (json_node_get_object (parent), slash + 1);
      if (refsvc_node_absent (node))
        {
          if (required)
            refsvc_vctx_add (ctx, r->path, "required", MSG_REQUIRED);
          continue;
        }
      check_node (ctx, r, node);
    }
}

/* JSON Pointer escaping (RFC 6901): ~ → ~0, / → ~1. */
static char *
pointer_append (const char *base, const char *name)
{
  GString *s = g_string_new (base);
  g_autofree char *valid = g_utf8_make_valid (name, -1);

  g_string_append_c (s, '/');
  for (const char *p = valid; *p != '\0'; p++)
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

static const refsvc_rule *
find_rule (const refsvc_rule *rules, gsize n, const char *path)
{
  for (gsize i = 0; i < n; i++)
    if (g_str_equal (rules[i].path, path))
      return &rules[i];
  return NULL;
}

static void
unknown_in_address (refsvc_vctx *ctx, const char *path, JsonObject *o)
{
  static const char *const members[] = { "maTinh", "maHuyen", "maXa", "dcChiTiet", NULL };
  g_autoptr (GList) names = json_object_get_members (o);

  for (GList *l = names; l != NULL; l = l->next)
    if (!g_strv_contains (members, l->data))
      {
        g_autofree char *p = pointer_append (path, l->data);
        refsvc_vctx_add (ctx, p, "unknown", MSG_UNKNOWN);
      }
}

static void
unknown_in (refsvc_vctx *ctx, const refsvc_rule *rules, gsize n, const char *path, JsonObject *o)
{
  g_autoptr (GList) names = json_object_get_members (o);

  for (GList *l = names; l != NULL; l = l->next)
    {
      g_autofree char *p = pointer_append (path, l->data);
      const refsvc_rule *r = find_rule (rules, n, p);
      JsonNode *child = json_object_get_member (o, l->data);

      if (r == NULL)
        refsvc_vctx_add (ctx, p, "unknown", MSG_UNKNOWN);
      else if (!JSON_NODE_HOLDS_OBJECT (child))
        continue;
      else if (r->kind == K_OBJECT)
        unknown_in (ctx, rules, n, p, json_node_get_object (child));
      else if (r->kind == K_ADDRESS || r->kind == K_PLACE)
        unknown_in_address (ctx, p, json_node_get_object (child));
    }
}

void
refsvc_walk_unknown (refsvc_vctx *ctx, const refsvc_rule *rules, gsize n)
{
  if (ctx->root != NULL && JSON_NODE_HOLDS_OBJECT (ctx->root))
    unknown_in (ctx, rules, n, "", json_node_get_object (ctx->root));
}
