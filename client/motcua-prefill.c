/* motcua-prefill.c — filling a dossier's people from a chip ID card read
 *
 * A card gives DG1 + DG13 (motcua-card.h, mc_identity): name, ID number,
 * date of birth, sex, nationality, ethnicity, religion, residence, date of
 * issue.  Each role writes them under its own names (docs/protocol-dossiers.md
 * §4–§6): the mother's `me…`, the requester's `nyc…`, the funeral-allowance
 * claimant's `maiTang/nguoiNhan/…`.  Values go through motcua_dossier_set()
 * with MOTCUA_SOURCE_CARD and the card's ID number as reference, so the
 * clerk's typing is never overwritten and disagreements with a hospital
 * document become conflicts.  The hospital documents are in
 * motcua-prefill-doc.c. */
#define G_LOG_DOMAIN "motcua-prefill"

#include <glib/gi18n.h>

#include "motcua-codes.h"
#include "motcua-error.h"
#include "motcua-prefill.h"

/* The issuing authority is not on the chip; it follows from the card's
 * generation (domain.md): CCCD 2021 by the police department for
 * administrative management of social order, thẻ căn cước 2024 by the
 * Ministry of Public Security.  The 2024 card's DG1 document code is "IT". */
#define ISSUER_2021 "Cục Cảnh sát quản lý hành chính về trật tự xã hội"
#define ISSUER_2024 "Bộ Công an"

#define ID_TYPE_CCCD   "1"   /* id-type list: CCCD / thẻ căn cước */
#define RESIDENCE_PERM "1"   /* residence type: thường trú */

static const struct {
  MotcuaRole role;
  const char *name;
} role_names[] = {
  { MOTCUA_ROLE_MOTHER, "mother" },
  { MOTCUA_ROLE_FATHER, "father" },
  { MOTCUA_ROLE_REQUESTER, "requester" },
  { MOTCUA_ROLE_DECEASED, "deceased" },
  { MOTCUA_ROLE_NEW_HEAD, "new-head" },
  { MOTCUA_ROLE_CLAIMANT, "claimant" },
};

const char *
motcua_role_name (MotcuaRole r)
{
  for (gsize i = 0; i < G_N_ELEMENTS (role_names); i++)
    if (role_names[i].role == r)
      return role_names[i].name;
  return NULL;
}

MotcuaRole
motcua_role_from_name (const char *name)
{
  for (gsize i = 0; name && i < G_N_ELEMENTS (role_names); i++)
    if (g_str_equal (role_names[i].name, name))
      return role_names[i].role;
  return 0;
}

/* Where a role's fields live.  NULL members: the role has no such field. */
typedef struct {
  MotcuaProcedure procedure;
  const char *prefix;          /* JSON Pointer prefix, the member names appended */
  const char *name, *birth, *sex, *ethnicity, *nationality;
  const char *id_type, *id_number, *issued, *issuer;
  const char *residence_type, *residence, *verified;
} RoleMap;

static const RoleMap *
role_map (MotcuaRole role, MotcuaProcedure procedure)
{
  static const RoleMap maps[] = {
    { MOTCUA_PROCEDURE_BIRTH, "/khaiSinh/me", "HoTen", "NgaySinh", NULL, "DanToc", "QuocTich",
      "LoaiGiayToTuyThan", "SoGiayToTuyThan", NULL, NULL, "LoaiCuTru", "NoiCuTru", "XacThucThongTin" },
    { MOTCUA_PROCEDURE_BIRTH, "/khaiSinh/cha", "HoTen", "NgaySinh", NULL, "DanToc", "QuocTich",
      "LoaiGiayToTuyThan", "SoGiayToTuyThan", NULL, NULL, "LoaiCuTru", "NoiCuTru", "XacThucThongTin" },
    { 0, "/nyc", "HoTen", NULL, NULL, NULL, NULL, "LoaiGiayToTuyThan", "SoGiayToTuyThan",
      "NgayCapGiayToTuyThan", "NoiCapGiayToTuyThan", "LoaiCuTru", "NoiCuTru", "XacThucThongTin" },
    { MOTCUA_PROCEDURE_DEATH, "/khaiTu/nkt", "HoTen", "NgaySinh", "GioiTinh", "DanToc", "QuocTich",
      "LoaiGiayToTuyThan", "SoGiayToTuyThan", "NgayCapGiayToTuyThan", "NoiCapGiayToTuyThan",
      "LoaiCuTru", "NoiCuTru", "XacThucThongTin" },
    { MOTCUA_PROCEDURE_DEATH, "/xoaThuongTru/chuHoMoi/", "hoTen", NULL, NULL, NULL, NULL,
      NULL, "soDinhDanh", NULL, NULL, NULL, NULL, NULL },
    { MOTCUA_PROCEDURE_DEATH, "/maiTang/nguoiNhan/", "hoTen", "ngaySinh", NULL, NULL, NULL,
      "loaiGiayTo", "soGiayTo", "ngayCap", "noiCap", NULL, NULL, NULL },
  };
  const RoleMap *m = NULL;
  switch (role)
    {
    case MOTCUA_ROLE_MOTHER: m = &maps[0]; break;
    case MOTCUA_ROLE_FATHER: m = &maps[1]; break;
    case MOTCUA_ROLE_REQUESTER: m = &maps[2]; break;
    case MOTCUA_ROLE_DECEASED: m = &maps[3]; break;
    case MOTCUA_ROLE_NEW_HEAD: m = &maps[4]; break;
    case MOTCUA_ROLE_CLAIMANT: m = &maps[5]; break;
    default: return NULL;
    }
  /* The requester belongs to both groups (inside khaiSinh / khaiTu). */
  if (m->procedure != 0 && m->procedure != procedure)
    return NULL;
  return m;
}

typedef struct {
  MotcuaDossier *dossier;
  const RoleMap *map;
  const char *part;            /* "/khaiSinh" or "/khaiTu" for the requester, else "" */
  const char *ref;
} Filler;

static void
fill (Filler *f, const char *member, const char *value)
{
  if (member == NULL || value == NULL || *value == '\0')
    return;
  g_autofree char *pointer = g_strconcat (f->part, f->map->prefix, member, NULL);
  motcua_dossier_set_string (f->dossier, pointer, value, MOTCUA_SOURCE_CARD, f->ref);
}

static void
fill_node (Filler *f, const char *member, JsonNode *value)
{
  if (member == NULL)
    return;
  g_autofree char *pointer = g_strconcat (f->part, f->map->prefix, member, NULL);
  motcua_dossier_set (f->dossier, pointer, value, MOTCUA_SOURCE_CARD, f->ref);
}

static char *
dotted_date (const char *text)
{
  GDate d;
  if (text == NULL || !motcua_fields_parse_date (text, &d))
    return NULL;
  return motcua_fields_format_date (&d, MOTCUA_DATE_DOTTED);
}

static void
warn (GPtrArray *problems, const char *path, const char *code, const char *message)
{
  if (problems)
    g_ptr_array_add (problems, motcua_problem_new (path, code, MOTCUA_SEVERITY_WARNING, message));
}

/* The card's residence as a protocol address: the 2025 commune when the
 * printed text names one unambiguously, else the text alone and a warning. */
static void
fill_residence (Filler *f, const char *text, const MotcuaUnits *units, GPtrArray *problems)
{
  if (f->map->residence == NULL || text == NULL || *text == '\0')
    return;
  g_autofree char *path = g_strconcat (f->part, f->map->prefix, f->map->residence, NULL);
  g_autoptr(JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  g_autoptr(MotcuaUnitsAddressMatch) m = units ? motcua_units_match_address (units, text) : NULL;
  gboolean sure = m && (m->confidence == MOTCUA_UNITS_MATCH_EXACT
                        || m->confidence == MOTCUA_UNITS_MATCH_LEGACY_UNIQUE);
  if (sure)
    {
      json_builder_set_member_name (b, "maTinh");
      json_builder_add_string_value (b, m->province_code);
      json_builder_set_member_name (b, "maXa");
      json_builder_add_string_value (b, m->commune_code);
    }
  else
    warn (problems, path, m && m->confidence == MOTCUA_UNITS_MATCH_AMBIGUOUS
                          ? "address.ambiguous" : "address.unmatched",
          _("Địa chỉ trên thẻ chưa xác định được xã/phường theo đơn vị hành chính 2025, "
            "cần chọn (the card's address needs its 2025 commune chosen)"));
  json_builder_set_member_name (b, "dcChiTiet");
  json_builder_add_string_value (b, sure && m->detail && *m->detail ? m->detail : text);
  json_builder_end_object (b);
  g_autoptr(JsonNode) node = json_builder_get_root (b);
  fill_node (f, f->map->residence, node);
}

static const char *
card_sex_code (const char *sex)
{
  if (sex == NULL)
    return NULL;
  if (g_str_equal (sex, "Nam") || g_str_equal (sex, "M"))
    return "1";
  if (g_str_equal (sex, "Nữ") || g_str_equal (sex, "F"))
    return "2";
  return NULL;
}

gboolean
motcua_prefill_from_card (MotcuaDossier *dossier, MotcuaRole role, const mc_identity *id,
                          const mc_verdict *verdict, const MotcuaUnits *units,
                          GPtrArray *problems, GError **error)
{
  g_return_val_if_fail (MOTCUA_IS_DOSSIER (dossier), FALSE);
  g_return_val_if_fail (id != NULL && verdict != NULL, FALSE);

  if (verdict->status == MC_VERDICT_FAILED)
    {
      motcua_error_set (error, MOTCUA_ERROR_CARD_NOT_GENUINE, NULL);
      return FALSE;
    }
  MotcuaProcedure procedure = motcua_dossier_get_procedure (dossier);
  const RoleMap *map = role_map (role, procedure);
  if (map == NULL)
    {
      motcua_error_set (error, MOTCUA_ERROR_DOSSIER_INVALID,
                        _("vai trò %s không có trong nhóm thủ tục %s (role not in this group)"),
                        motcua_role_name (role) ? motcua_role_name (role) : "?",
                        motcua_procedure_name (procedure));
      return FALSE;
    }
  if (id->id_number == NULL || id->full_name == NULL)
    {
      motcua_error_set (error, MOTCUA_ERROR_DOCUMENT_FORMAT,
                        _("thẻ không có số định danh hoặc họ tên (no ID number or name on the card)"));
      return FALSE;
    }

  const MotcuaCodes *codes = motcua_codes_get_default (NULL);
  Filler f = {
    .dossier = dossier, .map = map, .ref = id->id_number,
    .part = role == MOTCUA_ROLE_REQUESTER
            ? (procedure == MOTCUA_PROCEDURE_BIRTH ? "/khaiSinh" : "/khaiTu") : "",
  };
  g_autofree char *base = g_strconcat (f.part, map->prefix, NULL);

  if (verdict->status == MC_VERDICT_UNVERIFIED)
    warn (problems, base, "card.unverified",
          _("Chưa xác minh được thẻ là thẻ thật: đối chiếu giấy tờ trước khi dùng "
            "(the card could not be verified)"));

  fill (&f, map->name, id->full_name);
  g_autofree char *birth = dotted_date (id->date_of_birth);
  fill (&f, map->birth, birth);
  fill (&f, map->sex, card_sex_code (id->sex));
  if (codes && map->ethnicity && id->ethnicity)
    {
      const char *code = motcua_codes_ethnicity_from_name (codes, id->ethnicity);
      if (code)
        fill (&f, map->ethnicity, code);
      else
        warn (problems, base, "ethnicity.unknown",
              _("Dân tộc trên thẻ không có trong danh mục (ethnicity not in the code list)"));
    }
  if (codes && map->nationality && id->nationality)
    fill (&f, map->nationality, motcua_codes_nationality_from_name (codes, id->nationality));
  fill (&f, map->id_type, ID_TYPE_CCCD);
  fill (&f, map->id_number, id->id_number);
  g_autofree char *issued = dotted_date (id->date_of_issue);
  fill (&f, map->issued, issued);
  if (map->issuer)
    fill (&f, map->issuer, id->has_mrz && g_str_equal (id->mrz.document_code, "IT")
                           ? ISSUER_2024 : ISSUER_2021);
  if (map->residence_type && id->place_of_residence)
    fill (&f, map->residence_type, RESIDENCE_PERM);
  fill_residence (&f, id->place_of_residence, units, problems);
  /* "Checked against the national population database": the chip's data
   * is, when the card proved genuine. */
  fill (&f, map->verified, verdict->status == MC_VERDICT_GENUINE ? "1" : "0");
  return TRUE;
}
