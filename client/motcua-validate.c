/* motcua-validate.c — whole-dossier validation: normalisation, the table
 * walk (required, types, formats, code lists), unknown members, the
 * consistency rules and the client's warnings.  See motcua-validate.h and
 * docs/protocol-dossiers.md. */
#define G_LOG_DOMAIN "motcua-validate"

#include "motcua-validate-private.h"
#include "motcua-dossier-private.h"
#include "motcua-json-pointer.h"
#include "motcua-text.h"

#include <string.h>

#define MSG_REQUIRED   "Thiếu thông tin bắt buộc."
#define MSG_T_STRING   "Giá trị phải là chuỗi ký tự."
#define MSG_T_OBJECT   "Giá trị phải là một đối tượng JSON."
#define MSG_T_ARRAY    "Giá trị phải là một mảng JSON."
#define MSG_T_BOOL     "Giá trị phải là true hoặc false."
#define MSG_T_INT      "Giá trị phải là số nguyên."
#define MSG_UNKNOWN    "Trường này không có trong hợp đồng dữ liệu (sai tên trường?)."

/* ---- The context -------------------------------------------------------------- */

void
motcua_vctx_error (MotcuaVCtx *ctx, const char *path, const char *code, const char *msg)
{
  g_ptr_array_add (ctx->problems, motcua_problem_new (path, code, MOTCUA_SEVERITY_ERROR, msg));
}

void
motcua_vctx_warn (MotcuaVCtx *ctx, const char *path, const char *code, const char *msg)
{
  g_ptr_array_add (ctx->problems, motcua_problem_new (path, code, MOTCUA_SEVERITY_WARNING, msg));
}

JsonNode *
motcua_vctx_node (MotcuaVCtx *ctx, const char *path)
{
  return motcua_json_pointer_get (ctx->root, path);
}

gboolean
motcua_vnode_absent (JsonNode *node)
{
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!motcua_vnode_is_string (node))
    return FALSE;
  for (const char *s = json_node_get_string (node); s != NULL && *s != '\0'; s++)
    if (!g_ascii_isspace (*s))
      return FALSE;
  return TRUE;
}

gboolean
motcua_vnode_is_string (JsonNode *n)
{
  return n != NULL && JSON_NODE_HOLDS_VALUE (n) && json_node_get_value_type (n) == G_TYPE_STRING;
}

const char *
motcua_vctx_string (MotcuaVCtx *ctx, const char *path)
{
  JsonNode *n = motcua_vctx_node (ctx, path);
  return (!motcua_vnode_absent (n) && motcua_vnode_is_string (n)) ? json_node_get_string (n) : NULL;
}

gboolean
motcua_vctx_date (MotcuaVCtx *ctx, const char *path, gboolean ymd, GDate *out)
{
  const char *s = motcua_vctx_string (ctx, path);
  if (s == NULL)
    return FALSE;
  return ymd ? motcua_vparse_ymd (s, out) : motcua_vparse_dmy (s, out);
}

/* ---- The walks ------------------------------------------------------------------ */

static gboolean
is_element_rule (const MotcuaVRule *r)
{
  return strstr (r->path, "/*/") != NULL;
}

static void check_node (MotcuaVCtx *ctx, const MotcuaVRule *rules, gsize n,
                        const MotcuaVRule *r, const char *path, JsonNode *node);

static void
check_member (MotcuaVCtx *ctx, const MotcuaVRule *rules, gsize n, const MotcuaVRule *r,
              const char *path, JsonObject *parent, const char *name)
{
  guint block = r->flags & F_BLOCKS;
  gboolean required = (r->flags & F_REQ) && (block == 0 || (ctx->active & block));
  JsonNode *node = json_object_get_member (parent, name);

  if (motcua_vnode_absent (node))
    {
      if (required)
        motcua_vctx_error (ctx, path, "required", MSG_REQUIRED);
      return;
    }
  check_node (ctx, rules, n, r, path, node);
}

static void
check_array (MotcuaVCtx *ctx, const MotcuaVRule *rules, gsize n, const MotcuaVRule *r,
             const char *path, JsonArray *a)
{
  guint len = json_array_get_length (a);
  g_autofree char *prefix = g_strconcat (r->path, "/*/", NULL);

  if (len > r->max)
    {
      g_autofree char *m = g_strdup_printf ("Tối đa %u phần tử.", r->max);
      motcua_vctx_error (ctx, path, "range", m);
      return;
    }
  for (guint i = 0; i < len; i++)
    {
      JsonNode *e = json_array_get_element (a, i);
      g_autofree char *ep = g_strdup_printf ("%s/%u", path, i);
      if (!JSON_NODE_HOLDS_OBJECT (e))
        {
          motcua_vctx_error (ctx, ep, "type", MSG_T_OBJECT);
          continue;
        }
      for (gsize k = 0; k < n; k++)
        if (g_str_has_prefix (rules[k].path, prefix))
          {
            const char *member = rules[k].path + strlen (prefix);
            g_autofree char *mp = g_strconcat (ep, "/", member, NULL);
            check_member (ctx, rules, n, &rules[k], mp, json_node_get_object (e), member);
          }
    }
}

static void
check_node (MotcuaVCtx *ctx, const MotcuaVRule *rules, gsize n, const MotcuaVRule *r,
            const char *path, JsonNode *node)
{
  switch (r->kind)
    {
    case K_OBJECT:
    case K_ADDRESS:
    case K_PLACE:
      if (!JSON_NODE_HOLDS_OBJECT (node))
        motcua_vctx_error (ctx, path, "type", MSG_T_OBJECT);
      else if (r->kind != K_OBJECT)
        motcua_vcheck_address (ctx, path, json_node_get_object (node), r->kind == K_ADDRESS);
      return;
    case K_ARRAY:
      if (!JSON_NODE_HOLDS_ARRAY (node))
        motcua_vctx_error (ctx, path, "type", MSG_T_ARRAY);
      else
        check_array (ctx, rules, n, r, path, json_node_get_array (node));
      return;
    case K_BOOL:
      if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_BOOLEAN)
        motcua_vctx_error (ctx, path, "type", MSG_T_BOOL);
      return;
    case K_COUNT:
      if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64)
        motcua_vctx_error (ctx, path, "type", MSG_T_INT);
      else if (json_node_get_int (node) < 0 || json_node_get_int (node) > (gint64) r->max)
        {
          g_autofree char *m = g_strdup_printf ("Giá trị phải từ 0 đến %u.", r->max);
          motcua_vctx_error (ctx, path, "range", m);
        }
      return;
    default:
      if (!motcua_vnode_is_string (node))
        motcua_vctx_error (ctx, path, "type", MSG_T_STRING);
      else
        motcua_vcheck_value (ctx, r, path, json_node_get_string (node));
      return;
    }
}

void
motcua_vwalk_rules (MotcuaVCtx *ctx, const MotcuaVRule *rules, gsize n)
{
  for (gsize i = 0; i < n; i++)
    {
      const MotcuaVRule *r = &rules[i];
      if (is_element_rule (r))
        continue;
      const char *slash = strrchr (r->path, '/');
      g_autofree char *ppath = g_strndup (r->path, (gsize) (slash - r->path));
      JsonNode *parent = ppath[0] ? motcua_vctx_node (ctx, ppath) : ctx->root;
      /* A missing or mistyped parent object is reported on its own rule. */
      if (parent == NULL || !JSON_NODE_HOLDS_OBJECT (parent))
        continue;
      check_member (ctx, rules, n, r, r->path, json_node_get_object (parent), slash + 1);
    }
}

static const MotcuaVRule *
find_rule (const MotcuaVRule *rules, gsize n, const char *pattern)
{
  for (gsize i = 0; i < n; i++)
    if (g_str_equal (rules[i].path, pattern))
      return &rules[i];
  return NULL;
}

static void
unknown_in_address (MotcuaVCtx *ctx, const char *path, JsonObject *o)
{
  static const char *const members[] = { "maTinh", "maHuyen", "maXa", "dcChiTiet", NULL };
  g_autoptr (GList) names = json_object_get_members (o);
  for (GList *l = names; l != NULL; l = l->next)
    if (!g_strv_contains (members, l->data))
      {
        g_autofree char *p = motcua_json_pointer_append (path, l->data);
        motcua_vctx_error (ctx, p, "unknown", MSG_UNKNOWN);
      }
}

static void
unknown_in (MotcuaVCtx *ctx, const MotcuaVRule *rules, gsize n, const char *path,
            const char *pattern, JsonObject *o)
{
  g_autoptr (GList) names = json_object_get_members (o);
  for (GList *l = names; l != NULL; l = l->next)
    {
      g_autofree char *p = motcua_json_pointer_append (path, l->data);
      g_autofree char *pat = motcua_json_pointer_append (pattern, l->data);
      const MotcuaVRule *r = find_rule (rules, n, pat);
      JsonNode *child = json_object_get_member (o, l->data);

      if (r == NULL)
        motcua_vctx_error (ctx, p, "unknown", MSG_UNKNOWN);
      else if (r->kind == K_OBJECT && JSON_NODE_HOLDS_OBJECT (child))
        unknown_in (ctx, rules, n, p, pat, json_node_get_object (child));
      else if ((r->kind == K_ADDRESS || r->kind == K_PLACE) && JSON_NODE_HOLDS_OBJECT (child))
        unknown_in_address (ctx, p, json_node_get_object (child));
      else if (r->kind == K_ARRAY && JSON_NODE_HOLDS_ARRAY (child))
        {
          JsonArray *a = json_node_get_array (child);
          g_autofree char *epat = g_strconcat (pat, "/*", NULL);
          for (guint i = 0; i < json_array_get_length (a) && i <= r->max; i++)
            if (JSON_NODE_HOLDS_OBJECT (json_array_get_element (a, i)))
              {
                g_autofree char *ep = g_strdup_printf ("%s/%u", p, i);
                unknown_in (ctx, rules, n, ep, epat,
                            json_node_get_object (json_array_get_element (a, i)));
              }
        }
    }
}

void
motcua_vwalk_unknown (MotcuaVCtx *ctx, const MotcuaVRule *rules, gsize n)
{
  if (ctx->root != NULL && JSON_NODE_HOLDS_OBJECT (ctx->root))
    unknown_in (ctx, rules, n, "", "", json_node_get_object (ctx->root));
}

/* ---- Normalisation ---------------------------------------------------------------- */

/* Whitespace runs collapsed to one space, ends trimmed. */
static char *
collapse_spaces (const char *s)
{
  GString *out = g_string_new (NULL);
  gboolean space = FALSE;
  for (const char *p = s; *p; p++)
    {
      if (g_ascii_isspace (*p))
        {
          space = out->len > 0;
          continue;
        }
      if (space)
        g_string_append_c (out, ' ');
      space = FALSE;
      g_string_append_c (out, *p);
    }
  return g_string_free (out, FALSE);
}

/* @n when not NULL, else the unchanged text (stolen from @t). */
static char *
or_keep (char *n, char **t)
{
  return n != NULL ? n : g_steal_pointer (t);
}

static char *
normalized_value (const MotcuaVRule *r, const char *s)
{
  g_autofree char *nfc = motcua_text_nfc (s);
  if (nfc == NULL)
    return NULL;
  g_autofree char *t = g_strstrip (g_strdup (nfc));
  if (*t == '\0')
    return NULL;
  switch (r->kind)
    {
    case K_NAME: return collapse_spaces (t);
    case K_DATE: return or_keep (motcua_fields_normalize_date (t, MOTCUA_DATE_DOTTED, NULL, NULL), &t);
    case K_DATE_YMD: return or_keep (motcua_fields_normalize_date (t, MOTCUA_DATE_COMPACT, NULL, NULL), &t);
    case K_TIME: return or_keep (motcua_fields_normalize_time (t, NULL, NULL), &t);
    case K_PHONE: return or_keep (motcua_fields_normalize_phone (t, NULL, NULL), &t);
    case K_ID_NUMBER: case K_PID12: case K_NATION: case K_MAGCS: case K_MAGBT: case K_FACILITY:
      return g_ascii_strup (t, -1);
    default: return g_steal_pointer (&t);
    }
}

static void
normalize_at (MotcuaDossier *d, const MotcuaVRule *r, const char *path)
{
  JsonNode *n = motcua_json_pointer_get (d->payload, path);
  if (!motcua_vnode_is_string (n))
    return;
  g_autofree char *v = normalized_value (r, json_node_get_string (n));
  if (v != NULL && !g_str_equal (v, json_node_get_string (n)))
    motcua_dossier_replace (d, path, json_node_init_string (json_node_alloc (), v));
}

static void
normalize (MotcuaDossier *d, const MotcuaVRule *rules, gsize n)
{
  for (gsize i = 0; i < n; i++)
    {
      const MotcuaVRule *r = &rules[i];
      if (r->kind == K_OBJECT || r->kind == K_ADDRESS || r->kind == K_PLACE || r->kind == K_ARRAY
          || r->kind == K_BOOL || r->kind == K_COUNT)
        continue;
      const char *star = strstr (r->path, "/*/");
      if (star == NULL)
        {
          normalize_at (d, r, r->path);
          continue;
        }
      g_autofree char *apath = g_strndup (r->path, (gsize) (star - r->path));
      JsonNode *a = motcua_json_pointer_get (d->payload, apath);
      for (guint k = 0; a && JSON_NODE_HOLDS_ARRAY (a) && k < json_array_get_length (json_node_get_array (a)); k++)
        {
          g_autofree char *p = g_strdup_printf ("%s/%u%s", apath, k, star + 2);
          normalize_at (d, r, p);
        }
    }
}

/* ---- The client's warnings ------------------------------------------------------- */

typedef struct {
  const char *id, *type, *birth, *gender;
  char sex;
} IdField;

static char
sex_of (MotcuaVCtx *ctx, const IdField *f)
{
  const char *g = f->gender ? motcua_vctx_string (ctx, f->gender) : NULL;
  if (g != NULL)
    return g_str_equal (g, "1") ? 'M' : g_str_equal (g, "2") ? 'F' : 0;
  return f->sex;
}

static void
warn_id_structure (MotcuaVCtx *ctx, const IdField *f)
{
  const char *id = motcua_vctx_string (ctx, f->id);
  const char *type = f->type ? motcua_vctx_string (ctx, f->type) : "4";
  if (id == NULL || type == NULL || (!g_str_equal (type, "1") && !g_str_equal (type, "4"))
      || strlen (id) != 12 || strspn (id, "0123456789") != 12)
    return;
  g_autoptr (GPtrArray) found = g_ptr_array_new_with_free_func ((GDestroyNotify) motcua_problem_free);
  motcua_fields_check_id_number (id, f->birth ? motcua_vctx_string (ctx, f->birth) : NULL,
                                 sex_of (ctx, f), f->id, found);
  for (guint i = 0; i < found->len; i++)
    {
      MotcuaProblem *p = found->pdata[i];
      if (p->severity == MOTCUA_SEVERITY_WARNING)
        motcua_vctx_warn (ctx, p->path, p->code, p->message);
    }
}

static const IdField birth_ids[] = {
  { "/khaiSinh/meSoGiayToTuyThan", "/khaiSinh/meLoaiGiayToTuyThan", "/khaiSinh/meNgaySinh", NULL, 'F' },
  { "/khaiSinh/chaSoGiayToTuyThan", "/khaiSinh/chaLoaiGiayToTuyThan", "/khaiSinh/chaNgaySinh", NULL, 'M' },
  { "/khaiSinh/nycSoGiayToTuyThan", "/khaiSinh/nycLoaiGiayToTuyThan", NULL, NULL, 0 },
  { "/thuongTru/chuHoSoDinhDanh", NULL, NULL, NULL, 0 },
};
static const IdField death_ids[] = {
  { "/khaiTu/nktSoGiayToTuyThan", "/khaiTu/nktLoaiGiayToTuyThan", "/khaiTu/nktNgaySinh", "/khaiTu/nktGioiTinh", 0 },
  { "/khaiTu/nycSoGiayToTuyThan", "/khaiTu/nycLoaiGiayToTuyThan", NULL, NULL, 0 },
  { "/xoaThuongTru/chuHoMoi/soDinhDanh", NULL, NULL, NULL, 0 },
  { "/maiTang/nguoiNhan/soGiayTo", "/maiTang/nguoiNhan/loaiGiayTo", "/maiTang/nguoiNhan/ngaySinh", NULL, 0 },
};

/* A role filled from a card whose authenticity could not be verified
 * (prefill writes its XacThucThongTin as "0"). */
static void
warn_unverified_cards (MotcuaVCtx *ctx, MotcuaDossier *d)
{
  static const char *const roles[] = { "/khaiSinh/me", "/khaiSinh/cha", "/khaiSinh/nyc",
                                       "/khaiTu/nkt", "/khaiTu/nyc", NULL };
  for (guint i = 0; roles[i]; i++)
    {
      g_autofree char *flag = g_strconcat (roles[i], "XacThucThongTin", NULL);
      if (motcua_dossier_get_source (d, flag, NULL) != MOTCUA_SOURCE_CARD
          || g_strcmp0 (motcua_vctx_string (ctx, flag), "0") != 0)
        continue;
      motcua_vctx_warn (ctx, flag, "card.unverified",
                        "Thẻ căn cước chưa xác minh được là thẻ thật (thiếu chứng thư CSCA?): "
                        "cán bộ cần đối chiếu thẻ trực tiếp.");
    }
}

static void
warnings (MotcuaVCtx *ctx, MotcuaDossier *d)
{
  gboolean birth = d->procedure == MOTCUA_PROCEDURE_BIRTH;
  const IdField *ids = birth ? birth_ids : death_ids;
  gsize n = birth ? G_N_ELEMENTS (birth_ids) : G_N_ELEMENTS (death_ids);

  for (gsize i = 0; i < n; i++)
    warn_id_structure (ctx, &ids[i]);
  warn_unverified_cards (ctx, d);
  for (guint i = 0; i < d->conflicts->len; i++)
    {
      MotcuaConflict *c = d->conflicts->pdata[i];
      motcua_vctx_warn (ctx, c->path, "conflict.unsettled",
                        "Hai giấy tờ ghi khác nhau: cán bộ cần xác nhận giá trị đúng.");
    }
}

/* ---- The entry -------------------------------------------------------------------- */

static GPtrArray *
new_problems (void)
{
  return g_ptr_array_new_with_free_func ((GDestroyNotify) motcua_problem_free);
}

GPtrArray *
motcua_validate_dossier (MotcuaDossier *dossier, const MotcuaUnits *units)
{
  g_return_val_if_fail (MOTCUA_IS_DOSSIER (dossier), new_problems ());

  static gsize fields_once;
  g_autoptr (GError) error = NULL;
  MotcuaVCtx ctx = { 0 };
  gsize n = 0;
  const MotcuaVRule *rules = motcua_vrules (dossier->procedure, &n);
  g_autoptr (GTimeZone) tz = g_time_zone_new_offset (7 * 3600);
  g_autoptr (GDateTime) now = g_date_time_new_now (tz);

  if (g_once_init_enter (&fields_once))
    {
      /* The ID-number province check; skipped when the list does not load. */
      g_autofree char *dir = motcua_codes_default_dir ();
      g_autoptr (GError) ignored = NULL;
      motcua_fields_load (dir, &ignored);
      g_once_init_leave (&fields_once, 1);
    }

  ctx.root = dossier->payload;
  ctx.problems = new_problems ();
  ctx.units = units;
  ctx.codes = motcua_codes_get_default (&error);
  g_date_clear (&ctx.today, 1);
  g_date_set_dmy (&ctx.today, (GDateDay) g_date_time_get_day_of_month (now),
                  (GDateMonth) g_date_time_get_month (now), (GDateYear) g_date_time_get_year (now));
  if (ctx.codes == NULL)
    motcua_vctx_warn (&ctx, "", "codes.unavailable",
                      "Không nạp được danh mục dân tộc, quốc tịch (data/codes): chưa kiểm tra các mã này.");
  if (units == NULL)
    motcua_vctx_warn (&ctx, "", "units.unavailable",
                      "Không có danh mục đơn vị hành chính: chưa kiểm tra mã tỉnh, xã.");

  normalize (dossier, rules, n);
  ctx.active = motcua_vrules_blocks (&ctx, dossier->procedure);
  motcua_vwalk_rules (&ctx, rules, n);
  motcua_vwalk_unknown (&ctx, rules, n);
  motcua_vrules_consistency (&ctx, dossier->procedure);
  warnings (&ctx, dossier);

  /* Errors first, each group in the order found. */
  GPtrArray *out = new_problems ();
  for (int pass = 0; pass < 2; pass++)
    for (guint i = 0; i < ctx.problems->len; i++)
      {
        MotcuaProblem *p = ctx.problems->pdata[i];
        if ((p->severity == MOTCUA_SEVERITY_ERROR) == (pass == 0))
          g_ptr_array_add (out, motcua_problem_new (p->path, p->code, p->severity, p->message));
      }
  g_ptr_array_unref (ctx.problems);
  return out;
}

gboolean
motcua_validate_has_errors (GPtrArray *problems)
{
  g_return_val_if_fail (problems != NULL, FALSE);
  for (guint i = 0; i < problems->len; i++)
    if (((MotcuaProblem *) problems->pdata[i])->severity == MOTCUA_SEVERITY_ERROR)
      return TRUE;
  return FALSE;
}
