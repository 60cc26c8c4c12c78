/* motcua-prefill-doc.c — filling a dossier from a hospital's signed
 * documents: the birth certificate (GIAYCHUNGSINH → /khaiSinh) and the
 * death notice (GIAYBAOTU → /khaiTu), docs/protocol-hospital.md §4–§5 and
 * docs/protocol-dossiers.md §5.1, §6.1.
 *
 * The document is verified first (motcua-doc-verify.c); nothing is written
 * when that fails.  Values go through motcua_dossier_set() with
 * MOTCUA_SOURCE_BIRTH_CERT / _DEATH_NOTICE and the document's code as the
 * reference, so the clerk's typing is kept and disagreements with a card
 * become conflicts.  Empty elements are skipped; a value that cannot be
 * converted (a date of the wrong shape, an unknown ethnicity code) is
 * skipped with a warning in @problems. */
#define G_LOG_DOMAIN "motcua-prefill"

#include <glib/gi18n.h>
#include <string.h>

#include <openssl/crypto.h>

#include "motcua-codes.h"
#include "motcua-doc-private.h"
#include "motcua-error.h"
#include "motcua-prefill.h"

#define MAX_FIELD_CHARS 1024

static void
wipe_free (gpointer p)
{
  if (p != NULL)
    OPENSSL_cleanse (p, strlen (p));
  g_free (p);
}

/* Element name → text of every child of the document element. */
static GHashTable *
read_fields (xmlNodePtr doc_el, GError **error)
{
  g_autoptr(GHashTable) f = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, wipe_free);

  for (xmlNodePtr c = doc_el->children; c != NULL; c = c->next)
    {
      if (c->type != XML_ELEMENT_NODE)
        continue;
      gboolean nested = FALSE;
      for (xmlNodePtr g = c->children; g != NULL; g = g->next)
        nested |= g->type == XML_ELEMENT_NODE;
      if (c->ns != NULL || nested || g_hash_table_contains (f, c->name))
        {
          motcua_error_set (error, MOTCUA_ERROR_DOCUMENT_FORMAT,
                            _("trường %s lặp lại hoặc sai dạng (repeated or nested field)"),
                            (const char *) c->name);
          return NULL;
        }
      xmlChar *text = xmlNodeGetContent (c);
      g_hash_table_insert (f, g_strdup ((const char *) c->name),
                           g_strdup (text ? (const char *) text : ""));
      if (text)
        OPENSSL_cleanse (text, strlen ((char *) text));
      xmlFree (text);
    }
  return g_steal_pointer (&f);
}

typedef struct {
  MotcuaDossier *dossier;
  GHashTable *fields;
  const char *part;             /* "/khaiSinh" or "/khaiTu" */
  MotcuaSourceKind source;
  const char *ref;
  const MotcuaUnits *units;
  const MotcuaCodes *codes;
  GPtrArray *problems;
} Ctx;

/* The element's text; NULL when absent, empty or too long. */
static const char *
field (Ctx *c, const char *name)
{
  const char *v = g_hash_table_lookup (c->fields, name);
  if (v == NULL || *v == '\0' || !g_utf8_validate (v, -1, NULL)
      || g_utf8_strlen (v, -1) > MAX_FIELD_CHARS)
    return NULL;
  return v;
}

static char *
pointer (Ctx *c, const char *member)
{
  return g_strconcat (c->part, "/", member, NULL);
}

static void
warn (Ctx *c, const char *member, const char *code, const char *message)
{
  if (c->problems == NULL)
    return;
  g_autofree char *path = pointer (c, member);
  g_ptr_array_add (c->problems, motcua_problem_new (path, code, MOTCUA_SEVERITY_WARNING, message));
}

static void
set (Ctx *c, const char *member, const char *value)
{
  if (value == NULL || *value == '\0')
    return;
  g_autofree char *path = pointer (c, member);
  motcua_dossier_set_string (c->dossier, path, value, c->source, c->ref);
}

static void
copy (Ctx *c, const char *member, const char *element)
{
  set (c, member, field (c, element));
}

/* The date in the first 8 of @digits digits (yyyyMMdd…), or NULL. */
static gboolean
parse_stamp (const char *text, gsize digits, GDate *date, guint *hour, guint *minute)
{
  if (text == NULL || strlen (text) != digits)
    return FALSE;
  for (gsize i = 0; i < digits; i++)
    if (!g_ascii_isdigit (text[i]))
      return FALSE;
  unsigned y = (text[0] - '0') * 1000 + (text[1] - '0') * 100 + (text[2] - '0') * 10 + (text[3] - '0');
  unsigned m = (text[4] - '0') * 10 + (text[5] - '0');
  unsigned d = (text[6] - '0') * 10 + (text[7] - '0');
  if (y < 1900 || y > 2099 || !g_date_valid_dmy (d, m, y))
    return FALSE;
  g_date_set_dmy (date, d, m, y);
  if (digits >= 12)
    {
      *hour = (text[8] - '0') * 10 + (text[9] - '0');
      *minute = (text[10] - '0') * 10 + (text[11] - '0');
      if (*hour > 23 || *minute > 59 || (digits == 14 && (text[12] - '0') * 10 + (text[13] - '0') > 59))
        return FALSE;
    }
  return TRUE;
}

/* yyyyMMdd (or yyyyMMddHHmm[ss] when @with_time) → dd.MM.yyyy in @member;
 * *time_out gets "HH:mm" when asked.  Anything else: a warning. */
static void
set_date (Ctx *c, const char *member, const char *element, gboolean with_time, char **time_out)
{
  const char *text = field (c, element);
  GDate d;
  guint h = 0, min = 0;

  if (text == NULL)
    return;
  g_date_clear (&d, 1);
  gboolean ok = with_time ? parse_stamp (text, 14, &d, &h, &min) || parse_stamp (text, 12, &d, &h, &min)
                          : parse_stamp (text, 8, &d, &h, &min);
  if (!ok)
    {
      warn (c, member, "document.date",
            _("Ngày trên giấy tờ bệnh viện không đủ ngày/tháng/năm hoặc sai dạng, cần nhập tay "
              "(the document's date is partial or malformed)"));
      return;
    }
  g_autofree char *dotted = motcua_fields_format_date (&d, MOTCUA_DATE_DOTTED);
  set (c, member, dotted);
  if (time_out)
    *time_out = g_strdup_printf ("%02u:%02u", h, min);
}

/* yyyyMMdd kept as is (date-ymd). */
static void
set_ymd (Ctx *c, const char *member, const char *element)
{
  const char *text = field (c, element);
  GDate d;
  guint h, m;

  if (text == NULL)
    return;
  if (parse_stamp (text, 8, &d, &h, &m))
    set (c, member, text);
  else
    warn (c, member, "document.date",
          _("Ngày cấp trên giấy tờ bệnh viện sai dạng (the document's date is malformed)"));
}

static void
set_code (Ctx *c, const char *member, const char *element, gboolean ethnicity)
{
  const char *v = field (c, element);

  if (v == NULL)
    return;
  if (c->codes != NULL && !(ethnicity ? motcua_codes_has_ethnicity (c->codes, v)
                                      : motcua_codes_has_nationality (c->codes, v)))
    {
      warn (c, member, ethnicity ? "ethnicity.unknown" : "nationality.unknown",
            ethnicity ? _("Mã dân tộc trên giấy tờ không có trong danh mục (ethnicity not in the code list)")
                      : _("Mã quốc tịch trên giấy tờ không có trong danh mục (nationality not in the code list)"));
      return;
    }
  set (c, member, v);
}

/* id-type 1–4 and the number beside it; 0 (no document) is not copied. */
static void
set_id (Ctx *c, const char *type_member, const char *type_element,
        const char *number_member, const char *number_element)
{
  const char *type = field (c, type_element);

  if (type != NULL && strlen (type) == 1 && type[0] >= '1' && type[0] <= '4')
    set (c, type_member, type);
  if (type == NULL || g_strcmp0 (type, "0") != 0)
    copy (c, number_member, number_element);
}

/* An address object {maTinh, maXa, dcChiTiet}: the document's codes when
 * they are a valid 2025 commune of that province, else the free text
 * matched to the 2025 units; when that is not sure, dcChiTiet only and a
 * warning.  Returns TRUE when something was set. */
static gboolean
set_address (Ctx *c, const char *member, const char *text_element,
             const char *province_element, const char *commune_element)
{
  const char *text = field (c, text_element);
  const char *tinh = province_element ? field (c, province_element) : NULL;
  const char *xa = commune_element ? field (c, commune_element) : NULL;
  g_autoptr(MotcuaUnitsAddressMatch) m = c->units && text
                                         ? motcua_units_match_address (c->units, text) : NULL;
  gboolean codes_ok = c->units && tinh && xa && motcua_units_commune_in_province (c->units, xa, tinh);
  gboolean sure = m && (m->confidence == MOTCUA_UNITS_MATCH_EXACT
                        || m->confidence == MOTCUA_UNITS_MATCH_LEGACY_UNIQUE);

  if (text == NULL && !codes_ok)
    return FALSE;
  if (!codes_ok && sure)
    tinh = m->province_code, xa = m->commune_code;
  /* The detail before the commune, when the text names the same commune. */
  const char *detail = text;
  if (sure && g_strcmp0 (m->commune_code, xa) == 0 && m->detail && *m->detail)
    detail = m->detail;

  g_autoptr(JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  if (codes_ok || sure)
    {
      json_builder_set_member_name (b, "maTinh");
      json_builder_add_string_value (b, tinh);
      json_builder_set_member_name (b, "maXa");
      json_builder_add_string_value (b, xa);
    }
  else
    warn (c, member, m && m->confidence == MOTCUA_UNITS_MATCH_AMBIGUOUS
                     ? "address.ambiguous" : "address.unmatched",
          _("Địa chỉ trên giấy tờ bệnh viện chưa xác định được xã/phường theo đơn vị hành chính "
            "2025, cần chọn (the document's address needs its 2025 commune chosen)"));
  if (detail != NULL)
    {
      json_builder_set_member_name (b, "dcChiTiet");
      json_builder_add_string_value (b, detail);
    }
  json_builder_end_object (b);
  g_autoptr(JsonNode) node = json_builder_get_root (b);
  g_autofree char *path = pointer (c, member);
  motcua_dossier_set (c->dossier, path, node, c->source, c->ref);
  return TRUE;
}

static void
map_birth_cert (Ctx *c)
{
  copy (c, "maGCS", "MA_GCS");
  set_ymd (c, "ngayCapGCS", "NGAY_CT");
  copy (c, "nksHoTen", "TEN_CON");
  const char *sex = field (c, "GIOI_TINH_CON");
  if (sex && strlen (sex) == 1 && sex[0] >= '1' && sex[0] <= '3')
    set (c, "nksGioiTinh", sex);
  set_date (c, "nksNgaySinh", "NGAY_SINH_CON", TRUE, NULL);
  set_address (c, "nksNoiSinh", "NOI_SINH_CON", NULL, NULL);

  copy (c, "meHoTen", "HOTEN_NND");
  set_date (c, "meNgaySinh", "NGAYSINH_NND", FALSE, NULL);
  set_code (c, "meDanToc", "MA_DANTOC_NND", TRUE);
  set_code (c, "meQuocTich", "MA_QUOCTICH_NND", FALSE);
  set_id (c, "meLoaiGiayToTuyThan", "LOAI_GIAYTO_NND", "meSoGiayToTuyThan", "SO_CCCD_NND");
  set_address (c, "meNoiCuTru", "NOI_CU_TRU_NND", "MATINH_CU_TRU", "MAXA_CU_TRU");

  /* The father, mother's side (§11: read as the child's father). */
  copy (c, "chaHoTen", "HO_TEN_CHA");
  set_date (c, "chaNgaySinh", "NGAYSINH_CHA_NND", FALSE, NULL);
  set_code (c, "chaDanToc", "MA_DANTOC_CHA_NND", TRUE);
  set_id (c, "chaLoaiGiayToTuyThan", "LOAI_GIAYTO_CHA_NND", "chaSoGiayToTuyThan", "SO_CCCD_CHA_NND");
}

static void
map_death_notice (Ctx *c)
{
  copy (c, "maGBT", "MA_GBT");
  set_ymd (c, "ngayCapGBT", "NGAY_CAPGIAYBT");
  copy (c, "nktHoTen", "HO_TEN");
  set_date (c, "nktNgaySinh", "NGAY_SINH", FALSE, NULL);
  const char *sex = field (c, "GIOI_TINH");
  if (sex && strlen (sex) == 1 && sex[0] >= '1' && sex[0] <= '3')
    set (c, "nktGioiTinh", sex);
  set_code (c, "nktDanToc", "MA_DANTOC", TRUE);
  set_code (c, "nktQuocTich", "MA_QUOCTICH", FALSE);
  set_id (c, "nktLoaiGiayToTuyThan", "LOAI_GIAYTO", "nktSoGiayToTuyThan", "SO_GIAYTO");
  set_date (c, "nktNgayCapGiayToTuyThan", "NGAY_CAP", FALSE, NULL);
  copy (c, "nktNoiCapGiayToTuyThan", "NOI_CAP");
  g_autofree char *time = NULL;
  set_date (c, "nktNgayChet", "NGAY_TV", TRUE, &time);
  set (c, "nktGioPhutChet", time);
  set_address (c, "nktNoiChet", "DIACHI_CSKCB", NULL, NULL);
  copy (c, "nktNguyenNhanChet", "NGUYENNHAN_TV");
  /* DCHI_THUONGTRU is the permanent residence: residence type 1. */
  if (set_address (c, "nktNoiCuTru", "DCHI_THUONGTRU", "MATINH_THUONGTRU", "MAXA_THUONGTRU"))
    set (c, "nktLoaiCuTru", "1");
}

static gboolean
prefill (MotcuaDossier *dossier, MotcuaDocKind want, const char *xml, gsize len,
         MotcuaDocTrust *trust, const MotcuaUnits *units, GPtrArray *problems, GError **error)
{
  MotcuaProcedure procedure = want == MOTCUA_DOC_BIRTH_CERT ? MOTCUA_PROCEDURE_BIRTH
                                                            : MOTCUA_PROCEDURE_DEATH;
  MotcuaDocKind kind;
  xmlNodePtr doc_el;

  if (motcua_dossier_get_procedure (dossier) != procedure)
    {
      motcua_error_set (error, MOTCUA_ERROR_DOCUMENT_FORMAT,
                        _("giấy tờ không dùng cho nhóm thủ tục %s (wrong document for this dossier)"),
                        motcua_procedure_name (motcua_dossier_get_procedure (dossier)));
      return FALSE;
    }
  xmlDocPtr doc = motcua_doc_open (trust, xml, len, &kind, &doc_el, NULL, error);
  if (doc == NULL)
    return FALSE;
  g_autoptr(GHashTable) fields = kind == want ? read_fields (doc_el, error) : NULL;
  motcua_doc_free_xml (doc);
  if (kind != want)
    {
      motcua_error_set (error, MOTCUA_ERROR_DOCUMENT_FORMAT,
                        want == MOTCUA_DOC_BIRTH_CERT
                        ? _("đây không phải giấy chứng sinh (not a birth certificate)")
                        : _("đây không phải giấy báo tử (not a death notice)"));
      return FALSE;
    }
  if (fields == NULL)
    return FALSE;

  Ctx c = {
    .dossier = dossier, .fields = fields, .units = units, .problems = problems,
    .codes = motcua_codes_get_default (NULL),
  };
  if (want == MOTCUA_DOC_BIRTH_CERT)
    c.part = "/khaiSinh", c.source = MOTCUA_SOURCE_BIRTH_CERT, c.ref = field (&c, "MA_GCS");
  else
    c.part = "/khaiTu", c.source = MOTCUA_SOURCE_DEATH_NOTICE, c.ref = field (&c, "MA_GBT");
  if (c.ref == NULL)
    {
      motcua_error_set (error, MOTCUA_ERROR_DOCUMENT_FORMAT,
                        _("giấy tờ không có mã (no MA_GCS / MA_GBT)"));
      return FALSE;
    }
  if (want == MOTCUA_DOC_BIRTH_CERT)
    map_birth_cert (&c);
  else
    map_death_notice (&c);
  return TRUE;
}

gboolean
motcua_prefill_from_birth_cert (MotcuaDossier *dossier, const char *xml, gsize len,
                                MotcuaDocTrust *trust, const MotcuaUnits *units,
                                GPtrArray *problems, GError **error)
{
  g_return_val_if_fail (MOTCUA_IS_DOSSIER (dossier), FALSE);
  g_return_val_if_fail (trust != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return prefill (dossier, MOTCUA_DOC_BIRTH_CERT, xml, len, trust, units, problems, error);
}

gboolean
motcua_prefill_from_death_notice (MotcuaDossier *dossier, const char *xml, gsize len,
                                  MotcuaDocTrust *trust, const MotcuaUnits *units,
                                  GPtrArray *problems, GError **error)
{
  g_return_val_if_fail (MOTCUA_IS_DOSSIER (dossier), FALSE);
  g_return_val_if_fail (trust != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return prefill (dossier, MOTCUA_DOC_DEATH_NOTICE, xml, len, trust, units, problems, error);
}
