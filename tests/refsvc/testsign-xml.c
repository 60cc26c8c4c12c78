/* testsign-xml.c — BHXH hospital packages (HSDLGCS/GIAYCHUNGSINH,
 * HSDLGBT/GIAYBAOTU) signed like a hospital would, with the file keys of
 * the service test PKI (docs/protocol-hospital.md).
 *
 * The signature follows the PL02 profile (S4 in
 * ../shared/data/formats/bhxh-giaychungsinh.md §4):
 *   CHUKYDONVI/Signature[@Id="CHUKYDONVI-<Id>"], default namespace xmldsig,
 *   C14N 20010315, rsa-sha256 or ecdsa-sha256 (from the key), two
 *   References with sha256 and no transforms: "#Object-CHUKYDONVI-<Id>"
 *   then "#<Id>"; KeyInfo/X509Data = X509SubjectName + X509Certificate;
 *   Object[@Id="Object-CHUKYDONVI-<Id>"]/SignatureProperties/
 *   SignatureProperty[@Target][@Id]/SigningTime (no namespace, local
 *   Vietnam time yyyy-MM-ddTHH:mm:ss).
 *
 * The template is serialised and parsed again before signing, so the tree
 * xmlsec digests is exactly what a verifier will parse (notably the
 * xmlns="" of the no-namespace SignatureProperties). */
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/valid.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <xmlsec/crypto.h>
#include <xmlsec/openssl/evp.h>
#include <xmlsec/templates.h>
#include <xmlsec/xmldsig.h>
#include <xmlsec/xmlsec.h>
#include <xmlsec/xmltree.h>

#include "testsign.h"

typedef struct {
  const char *name;
  const char *value;
} sample;

#define CODE "\x01"      /* replaced by the document code */
#define FACILITY "\x02"  /* replaced by the facility code */
#define CA_ISSUER "Cục Cảnh sát quản lý hành chính về trật tự xã hội"

/* 69 elements, PL02 order: a first birth at a Hà Nội hospital. */
static const sample gcs_sample[] = {
  { "MA_GCS", CODE }, { "MA_BN", "26004512" }, { "MA_CT", "GCS-2026-004512" },
  { "SO_SERI", "004512" }, { "MA_BHXH_NND", "0112345678" }, { "MA_THE_NND", "GD4010112345678" },
  { "HOTEN_NND", "Nguyễn Thị Hoa" }, { "NGAYSINH_NND", "19960315" },
  { "MA_DANTOC_NND", "01" }, { "MA_QUOCTICH_NND", "VN" }, { "LOAI_GIAYTO_NND", "1" },
  { "SO_CCCD_NND", "001196012345" }, { "NGAYCAP_CCCD_NND", "20210810" },
  { "NOICAP_CCCD_NND", CA_ISSUER },
  { "NOI_CU_TRU_NND", "Số 12 ngõ 45 phố Đội Cấn, Phường Ba Đình, Thành phố Hà Nội" },
  { "MATINH_CU_TRU", "01" }, { "MAHUYEN_CU_TRU", "" }, { "MAXA_CU_TRU", "00004" },
  { "HO_TEN_CHA", "Trần Văn Nam" }, { "MA_THE_TAM", "TE1010126004512" },
  { "TEN_CON", "Trần Minh Khang" }, { "GIOI_TINH_CON", "1" }, { "SO_CON", "1" },
  { "LAN_SINH", "1" }, { "SO_CON_SONG", "1" }, { "CAN_NANG_CON", "3200" },
  { "NGAY_SINH_CON", "20261121083000" },
  { "NOI_SINH_CON", "Bệnh viện Phụ sản Hà Nội, Phường Giảng Võ, Thành phố Hà Nội" },
  { "TINH_TRANG_CON", "Khỏe mạnh" }, { "SINHCON_PHAUTHUAT", "0" },
  { "SINHCON_DUOI32TUAN", "0" }, { "GHI_CHU", "" },
  { "NGUOI_DO_DE", "Lê Thị Thu Hằng" }, { "NGUOI_GHI_PHIEU", "Phạm Thị Lan" },
  { "MA_TTDV", "0109876543" }, { "THU_TRUONG_DVI", "Đỗ Quang Huy" }, { "NGAY_CT", "20261121" },
  { "SO", "4512" }, { "QUYEN_SO", "12/2026" },
  /* no surrogacy: the MTH and CHA_MTH groups are present and empty */
  { "MA_BHXH_MTH", "" }, { "MA_THE_MTH", "" }, { "HOTEN_MTH", "" }, { "NGAYSINH_MTH", "" },
  { "MA_DANTOC_MTH", "" }, { "MA_QUOCTICH_MTH", "" }, { "LOAI_GIAYTO_MTH", "" },
  { "SO_CCCD_MTH", "" }, { "NGAYCAP_CCCD_MTH", "" }, { "NOICAP_CCCD_MTH", "" },
  { "NOI_CU_TRU_MTH", "" }, { "MATINH_CU_TRU_MTH", "" }, { "MAXA_CU_TRU_MTH", "" },
  { "HO_TEN_CHA_MTH", "" }, { "NGAYSINH_CHA_MTH", "" }, { "MA_DANTOC_CHA_MTH", "" },
  { "NOI_CU_TRU_CHA_MTH", "" }, { "MATINH_CU_TRU_CHA_MTH", "" },
  { "MAXA_CU_TRU_CHA_MTH", "" }, { "LOAI_GIAYTO_CHA_MTH", "" }, { "SO_CCCD_CHA_MTH", "" },
  { "NGAYCAP_CCCD_CHA_MTH", "" }, { "NOICAP_CCCD_CHA_MTH", "" },
  /* the child's father (HO_TEN_CHA), read as the CHA_NND group */
  { "NGAYSINH_CHA_NND", "19930702" }, { "MA_DANTOC_CHA_NND", "01" },
  { "LOAI_GIAYTO_CHA_NND", "1" }, { "SO_CCCD_CHA_NND", "001093054321" },
  { "NGAYCAP_CCCD_CHA_NND", "20210615" }, { "NOICAP_CCCD_CHA_NND", CA_ISSUER },
  { "CAP_LAN_DAU", "1" },
};

/* 38 elements, PL02 order: an in-patient death. */
static const sample gbt_sample[] = {
  { "MA_GBT", CODE }, { "MA_BN", "26007731" }, { "MA_HSBA", "BA-2026-007731" },
  { "HO_TEN", "Trần Văn Bình" }, { "NGAY_SINH", "19480512" }, { "GIOI_TINH", "1" },
  { "MA_THE", "HT2010148012345" }, { "MA_DANTOC", "01" }, { "MA_QUOCTICH", "VN" },
  { "DCHI_THUONGTRU", "Số 8 phố Kim Mã, Phường Ngọc Hà, Thành phố Hà Nội" },
  { "MATINH_THUONGTRU", "01" }, { "MAHUYEN_THUONGTRU", "" }, { "MAXA_THUONGTRU", "00008" },
  { "DCHI_HIENTAI", "Số 8 phố Kim Mã, Phường Ngọc Hà, Thành phố Hà Nội" },
  { "MATINH_HIENTAI", "01" }, { "MAHUYEN_HIENTAI", "" }, { "MAXA_HIENTAI", "00008" },
  { "LOAI_GIAYTO", "1" }, { "SO_GIAYTO", "001048001234" }, { "NGAY_CAP", "20210412" },
  { "NOI_CAP", CA_ISSUER }, { "NGAYGIO_VV", "202611200730" }, { "NGAY_TV", "202611221545" },
  { "TINH_TRANG_TV", "0" }, { "NGUYENNHAN_TV", "Suy hô hấp do viêm phổi nặng" },
  { "NGUOI_GHIGIAY", "Nguyễn Thị Mai" }, { "NGUOI_THANTHICH", "Trần Thị Hạnh (con gái)" },
  { "TTRUONG_DVI", "Đỗ Quang Huy" }, { "SO_BAOTU", "7731" }, { "QUYEN_SO", "05/2026" },
  { "NGAY_CAPGIAYBT", "20261122" }, { "SO_BAOTU_BD", "" }, { "QUYEN_SO_BD", "" },
  { "MACSKCB", FACILITY },
  { "DIACHI_CSKCB", "Số 1 phố Tràng Thi, Phường Hoàn Kiếm, Thành phố Hà Nội" },
  { "MA_BHXH", "0148012345" }, { "BENH_ICD10_ID", "J18.9" },
  { "BENH_ICD10_TEN", "Viêm phổi, không đặc hiệu" },
};

G_STATIC_ASSERT (G_N_ELEMENTS (gcs_sample) == 69);
G_STATIC_ASSERT (G_N_ELEMENTS (gbt_sample) == 38);

/* ------------------------------------------------------------------------ */

/* xmlsec may already be initialised by refsvc_xmldoc_init (same process);
 * its registered-transform list tells.  Never shut down here. */
static gsize xmlsec_ready;

static gboolean
ensure_xmlsec (void)
{
  static gboolean ok;

  if (g_once_init_enter (&xmlsec_ready))
    {
      xmlInitParser ();
      ok = xmlSecTransformIdsGet ()->id != NULL
           || (xmlSecInit () == 0 && xmlSecCheckVersion () == 1
               && xmlSecCryptoAppInit (NULL) == 0 && xmlSecCryptoInit () == 0);
      g_once_init_leave (&xmlsec_ready, 1);
    }
  return ok;
}

/* Element list after the sample, code, facility and overrides. */
static GPtrArray *
build_fields (const sample *s, guint n, const char *code, const char *facility,
              const char *const *overrides)
{
  GPtrArray *f = g_ptr_array_new_with_free_func (g_free);  /* name, value, … */

  for (guint i = 0; i < n; i++)
    {
      const char *v = s[i].value;

      v = strcmp (v, CODE) == 0 ? code : strcmp (v, FACILITY) == 0 ? facility : v;
      g_ptr_array_add (f, g_strdup (s[i].name));
      g_ptr_array_add (f, g_strdup (v ? v : ""));
    }
  for (guint i = 0; overrides != NULL && overrides[i] != NULL; i += 2)
    {
      guint j;

      for (j = 0; j < f->len && strcmp (g_ptr_array_index (f, j), overrides[i]) != 0; j += 2)
        ;
      if (j < f->len && overrides[i + 1] == NULL)
        g_ptr_array_remove_range (f, j, 2);
      else if (j < f->len)
        {
          g_free (g_ptr_array_index (f, j + 1));
          g_ptr_array_index (f, j + 1) = g_strdup (overrides[i + 1]);
        }
      else if (overrides[i + 1] != NULL)
        {
          g_ptr_array_add (f, g_strdup (overrides[i]));
          g_ptr_array_add (f, g_strdup (overrides[i + 1]));
        }
    }
  return f;
}

typedef struct {
  X509     *cert;
  EVP_PKEY *key;
  char     *subject;   /* RFC 2253 */
  char     *cert_b64;
} signer_files;

static void
signer_clear (signer_files *s)
{
  X509_free (s->cert);
  EVP_PKEY_free (s->key);
  g_free (s->subject);
  g_free (s->cert_b64);
}

static gboolean
signer_load (const char *name, signer_files *s)
{
  g_autofree char *dir = testsign_pki_dir ();
  g_autofree char *pem = g_strdup_printf ("%s/%s.pem", dir, name);
  g_autofree char *keyf = g_strdup_printf ("%s/%s.key", dir, name);
  BIO *b = BIO_new_file (pem, "r");
  unsigned char *der = NULL;
  int der_len;
  char *p;
  long n;

  memset (s, 0, sizeof *s);
  s->cert = b ? PEM_read_bio_X509 (b, NULL, NULL, NULL) : NULL;
  BIO_free (b);
  b = BIO_new_file (keyf, "r");
  s->key = b ? PEM_read_bio_PrivateKey (b, NULL, NULL, NULL) : NULL;
  BIO_free (b);
  if (s->cert == NULL || s->key == NULL || (der_len = i2d_X509 (s->cert, &der)) <= 0)
    {
      g_warning ("testsign-xml: cannot load %s / %s", pem, keyf);
      return FALSE;
    }
  s->cert_b64 = g_base64_encode (der, (gsize) der_len);
  OPENSSL_free (der);
  b = BIO_new (BIO_s_mem ());
  /* RFC 2253, UTF-8 kept as is (not \XX-escaped). */
  X509_NAME_print_ex (b, X509_get_subject_name (s->cert), 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
  n = BIO_get_mem_data (b, &p);
  s->subject = g_strndup (p, (gsize) n);
  BIO_free (b);
  return TRUE;
}

/* ------------------------------------------------------------------------ */
/* Template                                                                 */

static void
add_object (xmlDocPtr doc, xmlNodePtr sig, const char *id)
{
  g_autofree char *obj_id = g_strdup_printf ("Object-CHUKYDONVI-%s", id);
  g_autofree char *target = g_strdup_printf ("#CHUKYDONVI-%s", id);
  g_autofree char *prop_id = g_strdup_printf ("SignatureProperty-CHUKYDONVI-%s", id);
  g_autoptr (GTimeZone) ict = g_time_zone_new_offset (7 * 3600);
  g_autoptr (GDateTime) now = g_date_time_new_now (ict);
  g_autofree char *when = g_date_time_format (now, "%Y-%m-%dT%H:%M:%S");
  xmlNodePtr obj = xmlSecTmplSignatureAddObject (sig, BAD_CAST obj_id, NULL, NULL);
  xmlNodePtr props = xmlNewDocNode (doc, NULL, BAD_CAST "SignatureProperties", NULL);
  xmlNodePtr prop;

  /* No namespace inside the xmldsig default namespace: xmlns="". */
  xmlNewNs (props, BAD_CAST "", NULL);
  xmlAddChild (obj, props);
  prop = xmlNewChild (props, NULL, BAD_CAST "SignatureProperty", NULL);
  xmlNewProp (prop, BAD_CAST "Target", BAD_CAST target);
  xmlNewProp (prop, BAD_CAST "Id", BAD_CAST prop_id);
  xmlNewTextChild (prop, NULL, BAD_CAST "SigningTime", BAD_CAST when);
}

static void
add_signature_template (xmlDocPtr doc, xmlNodePtr chuky, const char *id, const signer_files *s)
{
  gboolean ec = EVP_PKEY_base_id (s->key) == EVP_PKEY_EC;
  g_autofree char *sig_id = g_strdup_printf ("CHUKYDONVI-%s", id);
  g_autofree char *obj_uri = g_strdup_printf ("#Object-CHUKYDONVI-%s", id);
  g_autofree char *doc_uri = g_strdup_printf ("#%s", id);
  xmlNodePtr sig, ki, x509;

  sig = xmlSecTmplSignatureCreate (doc, xmlSecTransformInclC14NId,
                                   ec ? xmlSecTransformEcdsaSha256Id : xmlSecTransformRsaSha256Id,
                                   BAD_CAST sig_id);
  xmlAddChild (chuky, sig);
  xmlSecTmplSignatureAddReference (sig, xmlSecTransformSha256Id, NULL, BAD_CAST obj_uri, NULL);
  xmlSecTmplSignatureAddReference (sig, xmlSecTransformSha256Id, NULL, BAD_CAST doc_uri, NULL);
  ki = xmlSecTmplSignatureEnsureKeyInfo (sig, NULL);
  x509 = xmlSecTmplKeyInfoAddX509Data (ki);
  /* Filled by us: the key given to xmlsec has no certificate, so xmlsec
   * leaves X509Data as written. */
  xmlNodeSetContent (xmlSecTmplX509DataAddSubjectName (x509), BAD_CAST s->subject);
  xmlNodeSetContent (xmlSecTmplX509DataAddCertificate (x509), BAD_CAST s->cert_b64);
  add_object (doc, sig, id);
}

/* The unsigned package with its signature template, serialised. */
static xmlChar *
build_template (int loai_hs, GPtrArray *fields, const char *id, const signer_files *s, int *len)
{
  gboolean gcs = loai_hs == 61;
  xmlDocPtr doc = xmlNewDoc (BAD_CAST "1.0");
  xmlNodePtr root = xmlNewDocNode (doc, NULL, BAD_CAST (gcs ? "HSDLGCS" : "HSDLGBT"), NULL);
  xmlNodePtr d, chuky;
  xmlChar *out = NULL;

  xmlDocSetRootElement (doc, root);
  d = xmlNewChild (root, NULL, BAD_CAST (gcs ? "GIAYCHUNGSINH" : "GIAYBAOTU"), NULL);
  xmlNewProp (d, BAD_CAST "Id", BAD_CAST id);
  for (guint i = 0; i < fields->len; i += 2)
    xmlNewTextChild (d, NULL, g_ptr_array_index (fields, i), g_ptr_array_index (fields, i + 1));
  chuky = xmlNewChild (root, NULL, BAD_CAST "CHUKYDONVI", NULL);
  add_signature_template (doc, chuky, id, s);
  xmlDocDumpMemoryEnc (doc, &out, len, "UTF-8");
  xmlFreeDoc (doc);
  return out;
}

/* ------------------------------------------------------------------------ */
/* Signing                                                                  */

static xmlSecKeyPtr
xmlsec_private_key (EVP_PKEY *pkey)
{
  xmlSecKeyDataPtr data;
  xmlSecKeyPtr key;

  EVP_PKEY_up_ref (pkey);
  if ((data = xmlSecOpenSSLEvpKeyAdopt (pkey)) == NULL)
    {
      EVP_PKEY_free (pkey);
      return NULL;
    }
  key = xmlSecKeyCreate ();
  if (key == NULL || xmlSecKeySetValue (key, data) < 0)
    {
      xmlSecKeyDataDestroy (data);
      if (key != NULL)
        xmlSecKeyDestroy (key);
      return NULL;
    }
  return key;
}

static GBytes *
sign_template (const xmlChar *tmpl, int len, EVP_PKEY *pkey)
{
  xmlDocPtr doc = xmlReadMemory ((const char *) tmpl, len, NULL, NULL, XML_PARSE_NONET);
  xmlNodePtr root = doc ? xmlDocGetRootElement (doc) : NULL;
  xmlNodePtr d = root ? xmlSecGetNextElementNode (root->children) : NULL;
  xmlNodePtr chuky = d ? xmlSecGetNextElementNode (d->next) : NULL;
  xmlNodePtr sig = chuky ? xmlSecGetNextElementNode (chuky->children) : NULL;
  xmlAttrPtr id = d ? xmlHasProp (d, BAD_CAST "Id") : NULL;
  xmlSecDSigCtxPtr ctx = NULL;
  xmlChar *id_value = NULL, *out = NULL;
  GBytes *result = NULL;
  int out_len = 0;

  if (sig == NULL || id == NULL)
    goto out;
  id_value = xmlNodeListGetString (doc, id->children, 1);
  if (xmlAddID (NULL, doc, id_value, id) == NULL || (ctx = xmlSecDSigCtxCreate (NULL)) == NULL
      || (ctx->signKey = xmlsec_private_key (pkey)) == NULL || xmlSecDSigCtxSign (ctx, sig) < 0)
    goto out;
  xmlDocDumpMemoryEnc (doc, &out, &out_len, "UTF-8");
  if (out != NULL)
    result = g_bytes_new (out, (gsize) out_len);
out:
  if (ctx != NULL)
    xmlSecDSigCtxDestroy (ctx);
  xmlFree (id_value);
  xmlFree (out);
  xmlFreeDoc (doc);
  return result;
}

GBytes *
testsign_xml_document (int loai_hs, const char *code, const char *facility,
                       const char *signer_name, const char *const *overrides)
{
  g_autoptr (GPtrArray) fields = NULL;
  g_autofree char *uuid = g_uuid_string_random ();
  g_autofree char *id = g_strdup_printf ("Id-%s", uuid);
  signer_files s;
  xmlChar *tmpl;
  int len = 0;
  GBytes *out = NULL;

  if ((loai_hs != 60 && loai_hs != 61) || signer_name == NULL || !ensure_xmlsec ())
    return NULL;
  if (loai_hs == 61)
    fields = build_fields (gcs_sample, G_N_ELEMENTS (gcs_sample), code, facility, overrides);
  else
    fields = build_fields (gbt_sample, G_N_ELEMENTS (gbt_sample), code, facility, overrides);
  if (!signer_load (signer_name, &s))
    {
      signer_clear (&s);
      return NULL;
    }
  tmpl = build_template (loai_hs, fields, id, &s, &len);
  if (tmpl != NULL)
    out = sign_template (tmpl, len, s.key);
  xmlFree (tmpl);
  signer_clear (&s);
  return out;
}
