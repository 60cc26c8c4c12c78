/* motcua-dossier.c — the dossier object: fields by JSON Pointer, their
 * sources, the prefill rule, conflicts, derived fields and the signed
 * payload bytes.  The dossier file is in motcua-dossier-file.c.  See
 * motcua-dossier.h. */
#define G_LOG_DOMAIN "motcua-dossier"

#include "motcua-dossier-private.h"
#include "motcua-json-pointer.h"
#include "motcua-fields.h"
#include "motcua-text.h"

#include <string.h>
#include <openssl/crypto.h>

G_DEFINE_TYPE (MotcuaDossier, motcua_dossier, G_TYPE_OBJECT)

/* ---- Names of enums ------------------------------------------------------ */

const char *
motcua_procedure_name (MotcuaProcedure p)
{
  switch (p)
    {
    case MOTCUA_PROCEDURE_BIRTH: return "birth";
    case MOTCUA_PROCEDURE_DEATH: return "death";
    default: return NULL;
    }
}

MotcuaProcedure
motcua_procedure_from_name (const char *name)
{
  if (name == NULL)
    return 0;
  if (g_str_equal (name, "birth"))
    return MOTCUA_PROCEDURE_BIRTH;
  if (g_str_equal (name, "death"))
    return MOTCUA_PROCEDURE_DEATH;
  return 0;
}

static const char *const source_names[] = {
  [MOTCUA_SOURCE_NONE] = "none",
  [MOTCUA_SOURCE_CLERK] = "clerk",
  [MOTCUA_SOURCE_CARD] = "card",
  [MOTCUA_SOURCE_BIRTH_CERT] = "birthCertificate",
  [MOTCUA_SOURCE_DEATH_NOTICE] = "deathNotice",
  [MOTCUA_SOURCE_DERIVED] = "derived",
};

const char *
motcua_source_kind_name (MotcuaSourceKind k)
{
  return (guint) k < G_N_ELEMENTS (source_names) ? source_names[k] : "none";
}

MotcuaSourceKind
motcua_source_kind_from_name (const char *name)
{
  for (guint i = 0; name != NULL && i < G_N_ELEMENTS (source_names); i++)
    if (g_str_equal (name, source_names[i]))
      return (MotcuaSourceKind) i;
  return MOTCUA_SOURCE_NONE;
}

void
motcua_conflict_free (MotcuaConflict *c)
{
  if (c == NULL)
    return;
  g_free (c->path);
  g_clear_pointer (&c->value, json_node_unref);
  g_free (c->source_ref);
  g_clear_pointer (&c->offered, json_node_unref);
  g_free (c->offered_ref);
  g_free (c);
}

static void
source_free (MotcuaSource *s)
{
  if (s == NULL)
    return;
  g_free (s->ref);
  g_free (s);
}

/* ---- The object ------------------------------------------------------------ */

static void
motcua_dossier_finalize (GObject *object)
{
  MotcuaDossier *self = MOTCUA_DOSSIER (object);

  g_clear_pointer (&self->payload, json_node_unref);
  g_clear_pointer (&self->sources, g_hash_table_unref);
  g_clear_pointer (&self->conflicts, g_ptr_array_unref);
  G_OBJECT_CLASS (motcua_dossier_parent_class)->finalize (object);
}

static void
motcua_dossier_class_init (MotcuaDossierClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = motcua_dossier_finalize;
}

static void
motcua_dossier_init (MotcuaDossier *self)
{
  self->payload = json_node_init_object (json_node_alloc (), NULL);
  json_node_take_object (self->payload, json_object_new ());
  self->sources = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                         (GDestroyNotify) source_free);
  self->conflicts = g_ptr_array_new_with_free_func ((GDestroyNotify) motcua_conflict_free);
}

MotcuaDossier *
motcua_dossier_new_empty (MotcuaProcedure procedure)
{
  MotcuaDossier *self = g_object_new (MOTCUA_TYPE_DOSSIER, NULL);
  self->procedure = procedure;
  return self;
}

/* Today's date in Vietnam (UTC+7). */
static void
today_vn (GDate *out)
{
  g_autoptr (GTimeZone) tz = g_time_zone_new_offset (7 * 3600);
  g_autoptr (GDateTime) now = g_date_time_new_now (tz);
  g_date_clear (out, 1);
  g_date_set_dmy (out, (GDateDay) g_date_time_get_day_of_month (now),
                  (GDateMonth) g_date_time_get_month (now),
                  (GDateYear) g_date_time_get_year (now));
}

static void
add_empty_object (JsonObject *root, const char *name)
{
  json_object_set_object_member (root, name, json_object_new ());
}

MotcuaDossier *
motcua_dossier_new (MotcuaProcedure procedure, const char *unit_code)
{
  g_return_val_if_fail (procedure == MOTCUA_PROCEDURE_BIRTH || procedure == MOTCUA_PROCEDURE_DEATH,
                        NULL);

  MotcuaDossier *self = motcua_dossier_new_empty (procedure);
  GDate today;
  today_vn (&today);
  g_autofree char *date = motcua_fields_format_date (&today, MOTCUA_DATE_DOTTED);

  if (unit_code != NULL)
    motcua_dossier_set_string (self, "/maDonViTiepNhan", unit_code, MOTCUA_SOURCE_CLERK, NULL);
  motcua_dossier_set_string (self, "/ngayLap", date, MOTCUA_SOURCE_DERIVED, NULL);
  JsonObject *root = json_node_get_object (self->payload);
  const char *first = procedure == MOTCUA_PROCEDURE_BIRTH ? "khaiSinh" : "khaiTu";
  add_empty_object (root, first);
  add_empty_object (root, procedure == MOTCUA_PROCEDURE_BIRTH ? "thuongTru" : "xoaThuongTru");
  add_empty_object (root, procedure == MOTCUA_PROCEDURE_BIRTH ? "bhyt" : "maiTang");
  if (unit_code != NULL)
    {
      g_autofree char *p = g_strdup_printf ("/%s/noiDangKy", first);
      motcua_dossier_set_string (self, p, unit_code, MOTCUA_SOURCE_DERIVED, NULL);
    }
  return self;
}

MotcuaProcedure
motcua_dossier_get_procedure (MotcuaDossier *self)
{
  g_return_val_if_fail (MOTCUA_IS_DOSSIER (self), 0);
  return self->procedure;
}

JsonObject *
motcua_dossier_get_payload (MotcuaDossier *self)
{
  g_return_val_if_fail (MOTCUA_IS_DOSSIER (self), NULL);
  return json_node_get_object (self->payload);
}

JsonNode *
motcua_dossier_get (MotcuaDossier *self, const char *pointer)
{
  g_return_val_if_fail (MOTCUA_IS_DOSSIER (self), NULL);
  g_return_val_if_fail (pointer != NULL, NULL);
  return motcua_json_pointer_get (self->payload, pointer);
}

const char *
motcua_dossier_get_string (MotcuaDossier *self, const char *pointer)
{
  JsonNode *n = motcua_dossier_get (self, pointer);
  if (n == NULL || !JSON_NODE_HOLDS_VALUE (n) || json_node_get_value_type (n) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (n);
}

MotcuaSourceKind
motcua_dossier_get_source (MotcuaDossier *self, const char *pointer, const char **ref)
{
  g_return_val_if_fail (MOTCUA_IS_DOSSIER (self), MOTCUA_SOURCE_NONE);
  g_return_val_if_fail (pointer != NULL, MOTCUA_SOURCE_NONE);

  MotcuaSource *s = g_hash_table_lookup (self->sources, pointer);
  if (ref != NULL)
    *ref = s ? s->ref : NULL;
  return s ? s->kind : MOTCUA_SOURCE_NONE;
}

void
motcua_dossier_put_source (MotcuaDossier *self, const char *pointer, MotcuaSourceKind kind,
                           const char *ref)
{
  if (kind == MOTCUA_SOURCE_NONE)
    {
      g_hash_table_remove (self->sources, pointer);
      return;
    }
  MotcuaSource *s = g_new0 (MotcuaSource, 1);
  s->kind = kind;
  s->ref = g_strdup (ref);
  g_hash_table_replace (self->sources, g_strdup (pointer), s);
}

/* ---- NFC -------------------------------------------------------------------- */

static char *
nfc_or_valid (const char *s)
{
  char *n = motcua_text_nfc (s);
  if (n == NULL)
    {
      g_autofree char *valid = g_utf8_make_valid (s, -1);
      n = motcua_text_nfc (valid);
    }
  return n;
}

JsonNode *
motcua_dossier_nfc_copy (JsonNode *node)
{
  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObject *in = json_node_get_object (node);
      JsonObject *out = json_object_new ();
      g_autoptr (GList) names = json_object_get_members (in);
      for (GList *l = names; l != NULL; l = l->next)
        {
          g_autofree char *name = nfc_or_valid (l->data);
          json_object_set_member (out, name,
                                  motcua_dossier_nfc_copy (json_object_get_member (in, l->data)));
        }
      JsonNode *n = json_node_alloc ();
      json_node_init_object (n, out);
      json_object_unref (out);
      return n;
    }
  if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *in = json_node_get_array (node);
      JsonArray *out = json_array_new ();
      for (guint i = 0; i < json_array_get_length (in); i++)
        json_array_add_element (out, motcua_dossier_nfc_copy (json_array_get_element (in, i)));
      JsonNode *n = json_node_alloc ();
      json_node_init_array (n, out);
      json_array_unref (out);
      return n;
    }
  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    {
      char *s = nfc_or_valid (json_node_get_string (node));
      JsonNode *n = json_node_alloc ();
      json_node_init_string (n, s);
      OPENSSL_cleanse (s, strlen (s));
      g_free (s);
      return n;
    }
  return json_node_copy (node);
}

/* ---- The prefill rule --------------------------------------------------------- */

/* Members holding a person's name: compared with motcua_text_names_equal(). */
static gboolean
is_name_path (const char *pointer)
{
  const char *last = strrchr (pointer, '/');
  return last != NULL && (g_str_has_suffix (last, "HoTen") || g_str_equal (last, "/hoTen"));
}

static gboolean
values_equal (const char *pointer, JsonNode *a, JsonNode *b)
{
  if (JSON_NODE_HOLDS_VALUE (a) && JSON_NODE_HOLDS_VALUE (b)
      && json_node_get_value_type (a) == G_TYPE_STRING
      && json_node_get_value_type (b) == G_TYPE_STRING)
    {
      const char *x = json_node_get_string (a), *y = json_node_get_string (b);
      if (is_name_path (pointer))
        return motcua_text_names_equal (x, y);
      return g_str_equal (x, y);
    }
  return json_node_equal (a, b);
}

static void
drop_conflicts (MotcuaDossier *self, const char *pointer)
{
  for (guint i = self->conflicts->len; i > 0; i--)
    {
      MotcuaConflict *c = self->conflicts->pdata[i - 1];
      if (g_str_equal (c->path, pointer))
        g_ptr_array_remove_index (self->conflicts, i - 1);
    }
}

static void
record_conflict (MotcuaDossier *self, const char *pointer, JsonNode *current,
                 const MotcuaSource *cur_src, JsonNode *offered, MotcuaSourceKind kind,
                 const char *ref)
{
  for (guint i = self->conflicts->len; i > 0; i--)
    {
      MotcuaConflict *c = self->conflicts->pdata[i - 1];
      if (g_str_equal (c->path, pointer) && c->offered_source == kind
          && g_strcmp0 (c->offered_ref, ref) == 0)
        g_ptr_array_remove_index (self->conflicts, i - 1);
    }
  MotcuaConflict *c = g_new0 (MotcuaConflict, 1);
  c->path = g_strdup (pointer);
  c->value = json_node_copy (current);
  c->source = cur_src ? cur_src->kind : MOTCUA_SOURCE_NONE;
  c->source_ref = g_strdup (cur_src ? cur_src->ref : NULL);
  c->offered = json_node_copy (offered);
  c->offered_source = kind;
  c->offered_ref = g_strdup (ref);
  g_ptr_array_add (self->conflicts, c);
}

MotcuaSetResult
motcua_dossier_set (MotcuaDossier *self, const char *pointer, JsonNode *value,
                    MotcuaSourceKind source, const char *ref)
{
  g_return_val_if_fail (MOTCUA_IS_DOSSIER (self), MOTCUA_SET_UNCHANGED);
  g_return_val_if_fail (pointer != NULL && *pointer == '/', MOTCUA_SET_UNCHANGED);
  g_return_val_if_fail (value != NULL, MOTCUA_SET_UNCHANGED);
  g_return_val_if_fail (source != MOTCUA_SOURCE_NONE, MOTCUA_SET_UNCHANGED);

  JsonNode *nfc = motcua_dossier_nfc_copy (value);
  JsonNode *current = motcua_json_pointer_get (self->payload, pointer);
  MotcuaSource *cur_src = g_hash_table_lookup (self->sources, pointer);
  MotcuaSourceKind cur_kind = cur_src ? cur_src->kind : MOTCUA_SOURCE_NONE;
  gboolean equal = current != NULL && values_equal (pointer, current, nfc);

  if (source == MOTCUA_SOURCE_CLERK)
    {
      drop_conflicts (self, pointer);
      gboolean same = current != NULL && json_node_equal (current, nfc);
      if (same)
        json_node_unref (nfc);
      else if (!motcua_json_pointer_set (self->payload, pointer, nfc))
        return MOTCUA_SET_UNCHANGED;
      motcua_dossier_put_source (self, pointer, source, ref);
      return same ? MOTCUA_SET_UNCHANGED : MOTCUA_SET_APPLIED;
    }

  if (equal)
    {
      json_node_unref (nfc);
      /* A document confirming a derived value becomes its source. */
      if (cur_kind == MOTCUA_SOURCE_DERIVED || cur_kind == MOTCUA_SOURCE_NONE)
        motcua_dossier_put_source (self, pointer, source, ref);
      return MOTCUA_SET_UNCHANGED;
    }
  if (current != NULL && cur_kind == MOTCUA_SOURCE_CLERK)
    {
      json_node_unref (nfc);
      return MOTCUA_SET_KEPT_CLERK;
    }
  gboolean replace = current == NULL || JSON_NODE_HOLDS_NULL (current)
                     || cur_kind == MOTCUA_SOURCE_DERIVED
                     || (cur_kind == source && g_strcmp0 (cur_src->ref, ref) == 0);
  if (!replace && source == MOTCUA_SOURCE_DERIVED)
    {
      json_node_unref (nfc);
      return MOTCUA_SET_KEPT_CLERK;
    }
  if (!replace)
    {
      record_conflict (self, pointer, current, cur_src, nfc, source, ref);
      json_node_unref (nfc);
      return MOTCUA_SET_CONFLICT;
    }
  if (!motcua_json_pointer_set (self->payload, pointer, nfc))
    return MOTCUA_SET_UNCHANGED;
  motcua_dossier_put_source (self, pointer, source, ref);
  return MOTCUA_SET_APPLIED;
}

MotcuaSetResult
motcua_dossier_set_string (MotcuaDossier *self, const char *pointer, const char *value,
                           MotcuaSourceKind source, const char *ref)
{
  g_return_val_if_fail (value != NULL, MOTCUA_SET_UNCHANGED);

  g_autoptr (JsonNode) n = json_node_init_string (json_node_alloc (), value);
  return motcua_dossier_set (self, pointer, n, source, ref);
}

gboolean
motcua_dossier_replace (MotcuaDossier *self, const char *pointer, JsonNode *value)
{
  return motcua_json_pointer_set (self->payload, pointer, value);
}

gboolean
motcua_dossier_remove (MotcuaDossier *self, const char *pointer)
{
  g_return_val_if_fail (MOTCUA_IS_DOSSIER (self), FALSE);
  g_return_val_if_fail (pointer != NULL, FALSE);

  if (!motcua_json_pointer_remove (self->payload, pointer))
    return FALSE;
  g_hash_table_remove (self->sources, pointer);
  drop_conflicts (self, pointer);
  return TRUE;
}

GPtrArray *
motcua_dossier_get_conflicts (MotcuaDossier *self)
{
  g_return_val_if_fail (MOTCUA_IS_DOSSIER (self), NULL);
  return self->conflicts;
}

const char *
motcua_dossier_get_subject_name (MotcuaDossier *self)
{
  g_return_val_if_fail (MOTCUA_IS_DOSSIER (self), "");
  const char *s = motcua_dossier_get_string (self, self->procedure == MOTCUA_PROCEDURE_BIRTH
                                                   ? "/khaiSinh/nksHoTen" : "/khaiTu/nktHoTen");
  return s ? s : "";
}

/* ---- Derived fields --------------------------------------------------------- */

static gboolean
get_date (MotcuaDossier *self, const char *pointer, GDate *out)
{
  const char *s = motcua_dossier_get_string (self, pointer);
  return s != NULL && motcua_fields_parse_date (s, out);
}

/* Sets a derived value unless a clerk or a document set the field; with
 * @value NULL removes an earlier derived value. */
static void
derive_string (MotcuaDossier *self, const char *pointer, const char *value)
{
  MotcuaSourceKind k = motcua_dossier_get_source (self, pointer, NULL);
  JsonNode *cur = motcua_dossier_get (self, pointer);

  if (cur != NULL && k != MOTCUA_SOURCE_DERIVED)
    return;
  if (value == NULL)
    {
      if (cur != NULL)
        motcua_dossier_remove (self, pointer);
      return;
    }
  motcua_dossier_set_string (self, pointer, value, MOTCUA_SOURCE_DERIVED, NULL);
}

/* The parents' common value of member @suffix (e.g. "QuocTich"): both
 * given and equal, or only one parent given at all. */
static const char *
parents_agree (MotcuaDossier *self, const char *suffix)
{
  g_autofree char *pm = g_strconcat ("/khaiSinh/me", suffix, NULL);
  g_autofree char *pc = g_strconcat ("/khaiSinh/cha", suffix, NULL);
  const char *m = motcua_dossier_get_string (self, pm);
  const char *c = motcua_dossier_get_string (self, pc);
  gboolean father = motcua_dossier_get (self, "/khaiSinh/chaHoTen") != NULL;

  if (m != NULL && c != NULL)
    return g_str_equal (m, c) ? m : NULL;
  if (m != NULL && !father)
    return m;
  return NULL;
}

void
motcua_dossier_derive (MotcuaDossier *self)
{
  g_return_if_fail (MOTCUA_IS_DOSSIER (self));

  gboolean birth = self->procedure == MOTCUA_PROCEDURE_BIRTH;
  const char *part = birth ? "khaiSinh" : "khaiTu";
  GDate event, made;
  gboolean have_event = get_date (self, birth ? "/khaiSinh/nksNgaySinh" : "/khaiTu/nktNgayChet",
                                  &event);
  g_autofree char *reg = g_strdup_printf ("/%s/noiDangKy", part);
  g_autofree char *kind = g_strdup_printf ("/%s/loaiDangKy", part);

  /* The registering commune is the receiving one unless said otherwise. */
  derive_string (self, reg, motcua_dossier_get_string (self, "/maDonViTiepNhan"));

  /* Registered in time (Luật Hộ tịch 2014: 60 days after a birth, 15 days
   * after a death) or late; "3" (re-registration) is only the clerk's. */
  if (have_event && get_date (self, "/ngayLap", &made) && g_date_compare (&made, &event) >= 0)
    derive_string (self, kind, g_date_days_between (&event, &made) <= (birth ? 60 : 15) ? "1" : "2");

  if (!birth)
    return;

  g_autofree char *words = have_event ? motcua_text_date_in_words (&event) : NULL;
  derive_string (self, "/khaiSinh/nksNgaySinhBangChu", words);
  /* A child of Vietnamese parents is Vietnamese (Luật Quốc tịch, Điều 15);
   * parents of one ethnicity give it to the child (Bộ luật Dân sự, Điều 29). */
  const char *nat = parents_agree (self, "QuocTich");
  derive_string (self, "/khaiSinh/nksQuocTich", nat && g_str_equal (nat, "VN") ? "VN" : NULL);
  derive_string (self, "/khaiSinh/nksDanToc", parents_agree (self, "DanToc"));
}

/* ---- The payload -------------------------------------------------------------- */

GBytes *
motcua_dossier_serialize_payload (MotcuaDossier *self)
{
  g_return_val_if_fail (MOTCUA_IS_DOSSIER (self), NULL);

  g_autoptr (JsonNode) nfc = motcua_dossier_nfc_copy (self->payload);
  g_autoptr (JsonGenerator) gen = json_generator_new ();
  json_generator_set_pretty (gen, FALSE);
  json_generator_set_root (gen, nfc);
  gsize len = 0;
  char *data = json_generator_to_data (gen, &len);
  GBytes *b = g_bytes_new (data, len);
  OPENSSL_cleanse (data, len);
  g_free (data);
  return b;
}
