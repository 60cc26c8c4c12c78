/* refsvc-xmlfields.c — the PL02 field tables of GIAYCHUNGSINH (69
 * elements) and GIAYBAOTU (38) and their format checks.
 *
 * PL02 declares every element as a string and its own required flags and
 * lengths were not available (see docs/protocol-hospital.md §Fields), so
 * the rules here are the contract's: the required sets and code lists of
 * the brief (tracnn's blocking rules minus MA_BHXH_NND, see the doc), real
 * calendar dates, and a generic length limit. */
#include "refsvc-xmldoc-int.h"

#include <string.h>

/* Longest field value, in characters (QĐ 4750 uses VARCHAR(1024) for its
 * longest text columns; PL02 gives no lengths). */
#define FIELD_MAX_CHARS 1024

typedef enum {
  K_TEXT,      /* any text */
  K_DATE,      /* yyyyMMdd, or yyyy when only the year is known */
  K_DAY,       /* yyyyMMdd */
  K_DT12,      /* yyyyMMddHHmm */
  K_DT14,      /* yyyyMMddHHmmss */
  K_SEX,       /* 1 Nam, 2 Nữ, 3 Chưa xác định */
  K_IDTYPE,    /* 0 none, 1 CCCD, 2 CMND, 3 passport, 4 personal ID */
  K_FLAG,      /* 0 / 1 */
  K_NUM,       /* a non-negative integer (counts, grams) */
  K_FACILITY,  /* 5-character facility code */
} field_kind;

typedef struct {
  const char *name;
  field_kind  kind;
  gboolean    required;
} field_def;

#define REQ TRUE
#define OPT FALSE

static const field_def gcs_fields[] = {
  { "MA_GCS", K_TEXT, REQ }, { "MA_BN", K_TEXT, OPT }, { "MA_CT", K_TEXT, OPT },
  { "SO_SERI", K_TEXT, OPT }, { "MA_BHXH_NND", K_TEXT, OPT }, { "MA_THE_NND", K_TEXT, OPT },
  { "HOTEN_NND", K_TEXT, REQ }, { "NGAYSINH_NND", K_DATE, REQ },
  { "MA_DANTOC_NND", K_TEXT, OPT }, { "MA_QUOCTICH_NND", K_TEXT, OPT },
  { "LOAI_GIAYTO_NND", K_IDTYPE, OPT }, { "SO_CCCD_NND", K_TEXT, OPT },
  { "NGAYCAP_CCCD_NND", K_DATE, OPT }, { "NOICAP_CCCD_NND", K_TEXT, OPT },
  { "NOI_CU_TRU_NND", K_TEXT, OPT }, { "MATINH_CU_TRU", K_TEXT, OPT },
  { "MAHUYEN_CU_TRU", K_TEXT, OPT }, { "MAXA_CU_TRU", K_TEXT, OPT },
  { "HO_TEN_CHA", K_TEXT, OPT }, { "MA_THE_TAM", K_TEXT, OPT },
  /* the child */
  { "TEN_CON", K_TEXT, OPT }, { "GIOI_TINH_CON", K_SEX, OPT }, { "SO_CON", K_NUM, OPT },
  { "LAN_SINH", K_NUM, OPT }, { "SO_CON_SONG", K_NUM, OPT }, { "CAN_NANG_CON", K_NUM, OPT },
  { "NGAY_SINH_CON", K_DT14, REQ }, { "NOI_SINH_CON", K_TEXT, OPT },
  { "TINH_TRANG_CON", K_TEXT, OPT }, { "SINHCON_PHAUTHUAT", K_FLAG, OPT },
  { "SINHCON_DUOI32TUAN", K_FLAG, OPT }, { "GHI_CHU", K_TEXT, OPT },
  /* the certificate and the facility */
  { "NGUOI_DO_DE", K_TEXT, OPT }, { "NGUOI_GHI_PHIEU", K_TEXT, OPT },
  { "MA_TTDV", K_TEXT, OPT }, { "THU_TRUONG_DVI", K_TEXT, OPT }, { "NGAY_CT", K_DAY, OPT },
  { "SO", K_TEXT, OPT }, { "QUYEN_SO", K_TEXT, OPT },
  /* surrogate mother (mang thai hộ) */
  { "MA_BHXH_MTH", K_TEXT, OPT }, { "MA_THE_MTH", K_TEXT, OPT }, { "HOTEN_MTH", K_TEXT, OPT },
  { "NGAYSINH_MTH", K_DATE, OPT }, { "MA_DANTOC_MTH", K_TEXT, OPT },
  { "MA_QUOCTICH_MTH", K_TEXT, OPT }, { "LOAI_GIAYTO_MTH", K_IDTYPE, OPT },
  { "SO_CCCD_MTH", K_TEXT, OPT }, { "NGAYCAP_CCCD_MTH", K_DATE, OPT },
  { "NOICAP_CCCD_MTH", K_TEXT, OPT }, { "NOI_CU_TRU_MTH", K_TEXT, OPT },
  { "MATINH_CU_TRU_MTH", K_TEXT, OPT }, { "MAXA_CU_TRU_MTH", K_TEXT, OPT },
  /* CHA_MTH */
  { "HO_TEN_CHA_MTH", K_TEXT, OPT }, { "NGAYSINH_CHA_MTH", K_DATE, OPT },
  { "MA_DANTOC_CHA_MTH", K_TEXT, OPT }, { "NOI_CU_TRU_CHA_MTH", K_TEXT, OPT },
  { "MATINH_CU_TRU_CHA_MTH", K_TEXT, OPT }, { "MAXA_CU_TRU_CHA_MTH", K_TEXT, OPT },
  { "LOAI_GIAYTO_CHA_MTH", K_IDTYPE, OPT }, { "SO_CCCD_CHA_MTH", K_TEXT, OPT },
  { "NGAYCAP_CCCD_CHA_MTH", K_DATE, OPT }, { "NOICAP_CCCD_CHA_MTH", K_TEXT, OPT },
  /* CHA_NND */
  { "NGAYSINH_CHA_NND", K_DATE, OPT }, { "MA_DANTOC_CHA_NND", K_TEXT, OPT },
  { "LOAI_GIAYTO_CHA_NND", K_IDTYPE, OPT }, { "SO_CCCD_CHA_NND", K_TEXT, OPT },
  { "NGAYCAP_CCCD_CHA_NND", K_DATE, OPT }, { "NOICAP_CCCD_CHA_NND", K_TEXT, OPT },
  { "CAP_LAN_DAU", K_FLAG, OPT },
};

static const field_def gbt_fields[] = {
  { "MA_GBT", K_TEXT, REQ }, { "MA_BN", K_TEXT, OPT }, { "MA_HSBA", K_TEXT, OPT },
  { "HO_TEN", K_TEXT, REQ }, { "NGAY_SINH", K_DATE, REQ }, { "GIOI_TINH", K_SEX, OPT },
  { "MA_THE", K_TEXT, OPT }, { "MA_DANTOC", K_TEXT, OPT }, { "MA_QUOCTICH", K_TEXT, OPT },
  { "DCHI_THUONGTRU", K_TEXT, OPT }, { "MATINH_THUONGTRU", K_TEXT, OPT },
  { "MAHUYEN_THUONGTRU", K_TEXT, OPT }, { "MAXA_THUONGTRU", K_TEXT, OPT },
  { "DCHI_HIENTAI", K_TEXT, OPT }, { "MATINH_HIENTAI", K_TEXT, OPT },
  { "MAHUYEN_HIENTAI", K_TEXT, OPT }, { "MAXA_HIENTAI", K_TEXT, OPT },
  { "LOAI_GIAYTO", K_IDTYPE, OPT }, { "SO_GIAYTO", K_TEXT, OPT }, { "NGAY_CAP", K_DATE, OPT },
  { "NOI_CAP", K_TEXT, OPT }, { "NGAYGIO_VV", K_DT12, OPT }, { "NGAY_TV", K_DT12, REQ },
  { "TINH_TRANG_TV", K_TEXT, OPT }, { "NGUYENNHAN_TV", K_TEXT, OPT },
  { "NGUOI_GHIGIAY", K_TEXT, OPT }, { "NGUOI_THANTHICH", K_TEXT, OPT },
  { "TTRUONG_DVI", K_TEXT, OPT }, { "SO_BAOTU", K_TEXT, OPT }, { "QUYEN_SO", K_TEXT, OPT },
  { "NGAY_CAPGIAYBT", K_DAY, OPT }, { "SO_BAOTU_BD", K_TEXT, OPT },
  { "QUYEN_SO_BD", K_TEXT, OPT }, { "MACSKCB", K_FACILITY, OPT },
  { "DIACHI_CSKCB", K_TEXT, OPT }, { "MA_BHXH", K_TEXT, OPT },
  { "BENH_ICD10_ID", K_TEXT, OPT }, { "BENH_ICD10_TEN", K_TEXT, OPT },
};

G_STATIC_ASSERT (G_N_ELEMENTS (gcs_fields) == 69);
G_STATIC_ASSERT (G_N_ELEMENTS (gbt_fields) == 38);

static const refsvc_xml_layout layouts[] = {
  { REFSVC_DOC_BIRTH_CERT, "HSDLGCS", "GIAYCHUNGSINH", "MA_GCS" },
  { REFSVC_DOC_DEATH_NOTICE, "HSDLGBT", "GIAYBAOTU", "MA_GBT" },
};

const refsvc_xml_layout *
refsvc_xml_layout_for_kind (refsvc_doc_kind kind)
{
  for (guint i = 0; i < G_N_ELEMENTS (layouts); i++)
    if (layouts[i].kind == kind)
      return &layouts[i];
  return NULL;
}

const refsvc_xml_layout *
refsvc_xml_layout_for_root (const char *root_name)
{
  for (guint i = 0; root_name != NULL && i < G_N_ELEMENTS (layouts); i++)
    if (strcmp (layouts[i].root, root_name) == 0)
      return &layouts[i];
  return NULL;
}

static const field_def *
table_for (refsvc_doc_kind kind, guint *n)
{
  if (kind == REFSVC_DOC_BIRTH_CERT)
    {
      *n = G_N_ELEMENTS (gcs_fields);
      return gcs_fields;
    }
  *n = G_N_ELEMENTS (gbt_fields);
  return gbt_fields;
}

guint
refsvc_xml_field_count (refsvc_doc_kind kind)
{
  guint n;

  (void) table_for (kind, &n);
  return n;
}

const char *
refsvc_xml_field_name (refsvc_doc_kind kind, guint i)
{
  guint n;
  const field_def *t = table_for (kind, &n);

  return i < n ? t[i].name : NULL;
}

/* ------------------------------------------------------------------------ */
/* Format checks                                                            */

static gboolean
all_digits (const char *s, gsize n)
{
  if (strlen (s) != n)
    return FALSE;
  for (gsize i = 0; i < n; i++)
    if (!g_ascii_isdigit (s[i]))
      return FALSE;
  return TRUE;
}

static int
num_at (const char *s, int off, int len)
{
  int v = 0;

  for (int i = 0; i < len; i++)
    v = v * 10 + (s[off + i] - '0');
  return v;
}

/* Years a person alive in this century can have been born or have died in. */
static gboolean
year_ok (int y)
{
  return y >= 1900 && y <= 2099;
}

/* s starts with 8 digits forming a real calendar date. */
static gboolean
real_day (const char *s)
{
  int y = num_at (s, 0, 4), m = num_at (s, 4, 2), d = num_at (s, 6, 2);

  return year_ok (y) && m >= 1 && m <= 12 && d >= 1
         && d <= g_date_get_days_in_month ((GDateMonth) m, (GDateYear) y);
}

/* s = yyyyMMddHHmm[ss] (digits already checked). */
static gboolean
real_datetime (const char *s, gboolean seconds)
{
  if (!real_day (s) || num_at (s, 8, 2) > 23 || num_at (s, 10, 2) > 59)
    return FALSE;
  return !seconds || num_at (s, 12, 2) <= 59;
}

static gboolean
in_set (const char *v, const char *const *set)
{
  for (; *set != NULL; set++)
    if (strcmp (v, *set) == 0)
      return TRUE;
  return FALSE;
}

/* Returns NULL when v (non-empty) suits kind, else sets *code and returns
 * the Vietnamese message. */
static const char *
check_value (field_kind kind, const char *v, const char **code)
{
  static const char *const sexes[] = { "1", "2", "3", NULL };
  static const char *const id_types[] = { "0", "1", "2", "3", "4", NULL };
  static const char *const flags[] = { "0", "1", NULL };

  *code = "format";
  switch (kind)
    {
    case K_TEXT:
      return NULL;
    case K_DATE:
      if (all_digits (v, 4) && year_ok (num_at (v, 0, 4)))
        return NULL;
      return all_digits (v, 8) && real_day (v) ? NULL
             : "Ngày không hợp lệ (yyyyMMdd, hoặc yyyy khi chỉ biết năm)";
    case K_DAY:
      return all_digits (v, 8) && real_day (v) ? NULL : "Ngày không hợp lệ (yyyyMMdd)";
    case K_DT12:
      return all_digits (v, 12) && real_datetime (v, FALSE) ? NULL
             : "Ngày giờ không hợp lệ (yyyyMMddHHmm, 12 chữ số)";
    case K_DT14:
      return all_digits (v, 14) && real_datetime (v, TRUE) ? NULL
             : "Ngày giờ không hợp lệ (yyyyMMddHHmmss, 14 chữ số)";
    case K_NUM:
      return strlen (v) <= 9 && all_digits (v, strlen (v)) ? NULL
             : "Phải là số nguyên không âm";
    case K_FACILITY:
      *code = "length";
      return g_utf8_strlen (v, -1) == 5 ? NULL : "Mã cơ sở KCB phải gồm 5 ký tự";
    case K_SEX:
      *code = "code_list";
      return in_set (v, sexes) ? NULL
             : "Giới tính phải là 1 (Nam), 2 (Nữ) hoặc 3 (Chưa xác định)";
    case K_IDTYPE:
      *code = "code_list";
      return in_set (v, id_types) ? NULL
             : "Loại giấy tờ phải là 0, 1 (CCCD), 2 (CMND), 3 (Hộ chiếu) hoặc 4 (Định danh)";
    case K_FLAG:
      *code = "code_list";
      return in_set (v, flags) ? NULL : "Giá trị phải là 0 hoặc 1";
    }
  return NULL;
}

/* ------------------------------------------------------------------------ */
/* Collection                                                               */

static void
add_error (refsvc_error **err, const refsvc_xml_layout *l, const char *name,
           const char *code, const char *message)
{
  g_autofree char *path = name ? g_strdup_printf ("/%s/%s", l->document, name)
                               : g_strdup_printf ("/%s", l->document);

  if (*err == NULL)
    *err = refsvc_error_new ("xml.invalid");
  refsvc_error_add_field (*err, path, code, message);
}

static gboolean
only_blank (const xmlChar *s)
{
  for (; s != NULL && *s; s++)
    if (!g_ascii_isspace (*s))
      return FALSE;
  return TRUE;
}

/* The text of a field element; NULL (and an error) when it has element
 * children, a namespace or is repeated. */
static char *
element_text (const refsvc_xml_layout *l, xmlNodePtr el, JsonObject *fields,
              refsvc_error **err)
{
  const char *name = (const char *) el->name;
  GString *text = g_string_new (NULL);

  if (el->ns != NULL)
    {
      add_error (err, l, name, "type", "Phần tử không được thuộc không gian tên (namespace)");
      g_string_free (text, TRUE);
      return NULL;
    }
  if (json_object_has_member (fields, name))
    {
      add_error (err, l, name, "consistency", "Trường xuất hiện nhiều lần");
      g_string_free (text, TRUE);
      return NULL;
    }
  for (xmlNodePtr c = el->children; c != NULL; c = c->next)
    {
      if (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE)
        g_string_append (text, (const char *) c->content);
      else if (c->type == XML_ELEMENT_NODE)
        {
          add_error (err, l, name, "type", "Trường phải là văn bản, không chứa phần tử con");
          g_string_free (text, TRUE);
          return NULL;
        }
    }
  return g_string_free (text, FALSE);
}

static void
check_fields (const refsvc_xml_layout *l, JsonObject *fields, refsvc_error **err)
{
  guint n;
  const field_def *t = table_for (l->kind, &n);

  for (guint i = 0; i < n; i++)
    {
      const char *v = json_object_get_string_member_with_default (fields, t[i].name, "");
      const char *code = NULL, *msg;

      if (*v == '\0')
        {
          if (t[i].required)
            add_error (err, l, t[i].name, "required", "Thiếu trường bắt buộc");
          continue;
        }
      if (g_utf8_strlen (v, -1) > FIELD_MAX_CHARS)
        {
          add_error (err, l, t[i].name, "length", "Quá dài (tối đa 1024 ký tự)");
          continue;
        }
      msg = check_value (t[i].kind, v, &code);
      if (msg != NULL)
        add_error (err, l, t[i].name, code, msg);
    }
}

/* GBT: death cannot be dated before admission.  Compared by day (the first
 * 8 digits) like tracnn's CTDT006: someone who died on the way to the
 * emergency room may be admitted, on paper, minutes after death. */
static void
check_consistency (const refsvc_xml_layout *l, JsonObject *fields, refsvc_error **err)
{
  const char *vv, *tv;
  const char *code;

  if (l->kind != REFSVC_DOC_DEATH_NOTICE)
    return;
  vv = json_object_get_string_member_with_default (fields, "NGAYGIO_VV", "");
  tv = json_object_get_string_member_with_default (fields, "NGAY_TV", "");
  if (check_value (K_DT12, vv, &code) != NULL || check_value (K_DT12, tv, &code) != NULL)
    return;  /* already reported, or absent */
  if (strncmp (tv, vv, 8) < 0)
    add_error (err, l, "NGAY_TV", "consistency", "Ngày tử vong sớm hơn ngày vào viện (NGAYGIO_VV)");
}

refsvc_error *
refsvc_xml_fields_collect (const refsvc_xml_layout *l, xmlNodePtr doc_el, JsonObject **fields)
{
  refsvc_error *err = NULL;
  JsonObject *obj = json_object_new ();

  for (xmlNodePtr c = doc_el->children; c != NULL; c = c->next)
    {
      if ((c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE)
          && !only_blank (c->content))
        add_error (&err, l, NULL, "type", "Có văn bản nằm ngoài các trường");
      if (c->type != XML_ELEMENT_NODE)
        continue;
      char *text = element_text (l, c, obj, &err);
      if (text != NULL)
        json_object_set_string_member (obj, (const char *) c->name, text);
      g_free (text);
    }
  check_fields (l, obj, &err);
  check_consistency (l, obj, &err);
  *fields = obj;
  return err;
}
