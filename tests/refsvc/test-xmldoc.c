/* test-xmldoc.c — hospital XML packages (refsvc-xmldoc.c, -xmlfields.c,
 * -xmldsig.c) against packages made by testsign-xml.c, modified ones, and
 * hostile input.  Signature cases: test-xmldoc-sig.c. */
#include "test-xmldoc.h"

static void
test_valid_gcs_rsa (void **state)
{
  g_autoptr (GBytes) b = make_doc (61, "hospital-rsa-TEST-ONLY", NULL);
  refsvc_error *err = NULL;
  g_autoptr (refsvc_xmldoc) d = parse_bytes (REFSVC_DOC_BIRTH_CERT, b, &err);
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  (void) state;
  assert_null (err);
  assert_non_null (d);
  assert_int_equal (d->kind, REFSVC_DOC_BIRTH_CERT);
  assert_string_equal (d->code, GCS_CODE);
  assert_null (d->facility);
  assert_true (d->first_issue);
  assert_int_equal (json_object_get_size (d->fields), 69);
  assert_string_equal (json_object_get_string_member (d->fields, "HOTEN_NND"), "Nguyễn Thị Hoa");
  assert_string_equal (json_object_get_string_member (d->fields, "NGAY_SINH_CON"), "20261121083000");
  assert_string_equal (json_object_get_string_member (d->fields, "MAHUYEN_CU_TRU"), "");
  assert_string_equal (d->signer.key_type, "RSA-2048");
  assert_non_null (strstr (d->signer.subject, "CN="));
  /* SigningTime is written in local Vietnam time without a zone. */
  assert_true (d->signer.signing_time > now - 120 && d->signer.signing_time < now + 120);
}

static void
test_valid_gbt_ec (void **state)
{
  g_autoptr (GBytes) b = make_doc (60, "hospital-ec-TEST-ONLY", NULL);
  refsvc_error *err = NULL;
  g_autoptr (refsvc_xmldoc) d = parse_bytes (REFSVC_DOC_DEATH_NOTICE, b, &err);

  (void) state;
  assert_null (err);
  assert_non_null (d);
  assert_string_equal (d->code, GBT_CODE);
  assert_string_equal (d->facility, "01001");
  assert_true (d->first_issue);
  assert_int_equal (json_object_get_size (d->fields), 38);
  assert_string_equal (d->signer.key_type, "EC-P-256");
}

/* testsign writes every element in the order of the service's table. */
static void
test_sample_order (void **state)
{
  (void) state;
  for (int k = 60; k <= 61; k++)
    {
      g_autoptr (GBytes) b = make_doc (k, "hospital-ec-TEST-ONLY", NULL);
      gsize len;
      const char *p = g_bytes_get_data (b, &len);
      xmlDocPtr doc = xmlReadMemory (p, (int) len, NULL, NULL, XML_PARSE_NONET);
      xmlNodePtr el = xmlSecGetNextElementNode (xmlDocGetRootElement (doc)->children);
      guint i = 0;

      assert_string_equal ((const char *) el->name, k == 61 ? "GIAYCHUNGSINH" : "GIAYBAOTU");
      assert_string_equal ((const char *) xmlSecGetNextElementNode (el->next)->name, "CHUKYDONVI");
      for (xmlNodePtr c = xmlSecGetNextElementNode (el->children); c != NULL;
           c = xmlSecGetNextElementNode (c->next), i++)
        assert_string_equal ((const char *) c->name, refsvc_xml_field_name ((refsvc_doc_kind) k, i));
      assert_int_equal (i, refsvc_xml_field_count ((refsvc_doc_kind) k));
      xmlFreeDoc (doc);
    }
}

static void
test_reissue (void **state)
{
  const char *const gcs_o[] = { "CAP_LAN_DAU", "0", NULL };
  const char *const gbt_o[] = { "SO_BAOTU_BD", "7001", "QUYEN_SO_BD", "04/2026", NULL };
  g_autoptr (GBytes) b1 = make_doc (61, "hospital-rsa-TEST-ONLY", gcs_o);
  g_autoptr (GBytes) b2 = make_doc (60, "hospital-rsa-TEST-ONLY", gbt_o);
  refsvc_error *err = NULL;
  g_autoptr (refsvc_xmldoc) d1 = parse_bytes (REFSVC_DOC_BIRTH_CERT, b1, &err);
  g_autoptr (refsvc_xmldoc) d2 = parse_bytes (REFSVC_DOC_DEATH_NOTICE, b2, &err);

  (void) state;
  assert_non_null (d1);
  assert_non_null (d2);
  assert_false (d1->first_issue);
  assert_false (d2->first_issue);
}

static void
test_wrong_kind (void **state)
{
  g_autoptr (GBytes) gbt = make_doc (60, "hospital-ec-TEST-ONLY", NULL);
  g_autoptr (GBytes) gcs = make_doc (61, "hospital-ec-TEST-ONLY", NULL);

  (void) state;
  expect_error (REFSVC_DOC_BIRTH_CERT, gbt, "xml.wrong_kind");
  expect_error (REFSVC_DOC_DEATH_NOTICE, gcs, "xml.wrong_kind");
  expect_error (39, gcs, "xml.wrong_kind");
  refsvc_error_free (expect_error_str (REFSVC_DOC_BIRTH_CERT,
                                       "<HSCHUNGTU><FILEHOSO/></HSCHUNGTU>", -1, "xml.wrong_kind"));
  refsvc_error_free (expect_error_str (REFSVC_DOC_BIRTH_CERT,
                                       "<HSDLGCS xmlns=\"urn:x\"><GIAYCHUNGSINH Id=\"a\"/></HSDLGCS>",
                                       -1, "xml.wrong_kind"));
}

static void
test_malformed (void **state)
{
  static const char *const bad[] = {
    "",
    "not xml",
    "<HSDLGCS><GIAYCHUNGSINH Id=\"Id-1\"><MA_GCS>1</MA_GCS>",
    "<HSDLGCS><GIAYCHUNGSINH Id=\"Id-1\"><MA_GCS>&nbsp;</MA_GCS></GIAYCHUNGSINH></HSDLGCS>",
    /* layout */
    "<HSDLGCS><CHUKYDONVI/></HSDLGCS>",
    "<HSDLGCS><GIAYCHUNGSINH><MA_GCS>1</MA_GCS></GIAYCHUNGSINH><CHUKYDONVI/></HSDLGCS>",
    "<HSDLGCS><GIAYCHUNGSINH Id=\"1 2\"/><CHUKYDONVI/></HSDLGCS>",
    "<HSDLGCS><GIAYCHUNGSINH Id=\"Id-1\"/><GIAYCHUNGSINH Id=\"Id-2\"/><CHUKYDONVI/></HSDLGCS>",
    "<HSDLGCS><GIAYCHUNGSINH Id=\"Id-1\"/><CHUKYDONVI/><CHUKYDONVI/></HSDLGCS>",
    "<HSDLGCS><GIAYCHUNGSINH Id=\"Id-1\"/><CHUKYDONVI/><EXTRA/></HSDLGCS>",
    "<HSDLGCS>text<GIAYCHUNGSINH Id=\"Id-1\"/><CHUKYDONVI/></HSDLGCS>",
  };

  (void) state;
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    refsvc_error_free (expect_error_str (REFSVC_DOC_BIRTH_CERT, bad[i], -1, "xml.malformed"));
  refsvc_error_free (expect_error_str (REFSVC_DOC_BIRTH_CERT, "<HSDLGCS/>", 3, "xml.malformed"));
}

static void
test_too_large (void **state)
{
  GString *s = g_string_new ("<HSDLGCS><GIAYCHUNGSINH Id=\"Id-1\"><GHI_CHU>");

  (void) state;
  while (s->len <= REFSVC_XMLDOC_MAX_BYTES)
    g_string_append (s, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
  g_string_append (s, "</GHI_CHU></GIAYCHUNGSINH><CHUKYDONVI/></HSDLGCS>");
  refsvc_error_free (expect_error_str (REFSVC_DOC_BIRTH_CERT, s->str, (gssize) s->len,
                                       "xml.malformed"));
  g_string_free (s, TRUE);
}

static void
test_missing_required (void **state)
{
  const char *const o[] = { "HOTEN_NND", NULL, "NGAYSINH_NND", "", NULL };
  g_autoptr (GBytes) b = make_doc (61, "hospital-rsa-TEST-ONLY", o);
  gsize len;
  const char *p = g_bytes_get_data (b, &len);
  refsvc_error *e = expect_error_str (REFSVC_DOC_BIRTH_CERT, p, (gssize) len, "xml.invalid");

  (void) state;
  assert_int_equal (e->fields->len, 2);
  assert_true (has_field (e, "/GIAYCHUNGSINH/HOTEN_NND", "required"));
  assert_true (has_field (e, "/GIAYCHUNGSINH/NGAYSINH_NND", "required"));
  refsvc_error_free (e);
}

static void
test_bad_formats_gcs (void **state)
{
  const char *const o[] = {
    "NGAY_SINH_CON", "20260230083000",   /* 30 February */
    "GIOI_TINH_CON", "4", "LOAI_GIAYTO_NND", "5", "SINHCON_PHAUTHUAT", "2",
    "NGAY_CT", "2026", "CAN_NANG_CON", "3,2", "NGAYCAP_CCCD_NND", "2021081",
    "NGAYSINH_NND", "1996",              /* year only: accepted */
    NULL,
  };
  g_autoptr (GBytes) b = make_doc (61, "hospital-rsa-TEST-ONLY", o);
  gsize len;
  const char *p = g_bytes_get_data (b, &len);
  refsvc_error *e = expect_error_str (REFSVC_DOC_BIRTH_CERT, p, (gssize) len, "xml.invalid");

  (void) state;
  assert_true (has_field (e, "/GIAYCHUNGSINH/NGAY_SINH_CON", "format"));
  assert_true (has_field (e, "/GIAYCHUNGSINH/GIOI_TINH_CON", "code_list"));
  assert_true (has_field (e, "/GIAYCHUNGSINH/LOAI_GIAYTO_NND", "code_list"));
  assert_true (has_field (e, "/GIAYCHUNGSINH/SINHCON_PHAUTHUAT", "code_list"));
  assert_true (has_field (e, "/GIAYCHUNGSINH/NGAY_CT", "format"));
  assert_true (has_field (e, "/GIAYCHUNGSINH/CAN_NANG_CON", "format"));
  assert_true (has_field (e, "/GIAYCHUNGSINH/NGAYCAP_CCCD_NND", "format"));
  assert_int_equal (e->fields->len, 7);
  refsvc_error_free (e);
}

static void
test_bad_formats_gbt (void **state)
{
  const char *const o[] = {
    "NGAY_TV", "202611190900",   /* the day before admission */
    "MACSKCB", "0100", "GIOI_TINH", "0", "NGAY_SINH", "19481312",
    NULL,
  };
  const char *const ok_same_day[] = { "NGAY_TV", "202611200715", NULL };
  const char *const bad_time[] = { "NGAY_TV", "202611222460", NULL };
  g_autoptr (GBytes) b = make_doc (60, "hospital-rsa-TEST-ONLY", o);
  g_autoptr (GBytes) same = make_doc (60, "hospital-rsa-TEST-ONLY", ok_same_day);
  g_autoptr (GBytes) bt = make_doc (60, "hospital-rsa-TEST-ONLY", bad_time);
  gsize len;
  const char *p = g_bytes_get_data (b, &len);
  refsvc_error *e = expect_error_str (REFSVC_DOC_DEATH_NOTICE, p, (gssize) len, "xml.invalid");
  refsvc_error *err = NULL;
  g_autoptr (refsvc_xmldoc) d = parse_bytes (REFSVC_DOC_DEATH_NOTICE, same, &err);

  (void) state;
  assert_true (has_field (e, "/GIAYBAOTU/NGAY_TV", "consistency"));
  assert_true (has_field (e, "/GIAYBAOTU/MACSKCB", "length"));
  assert_true (has_field (e, "/GIAYBAOTU/GIOI_TINH", "code_list"));
  assert_true (has_field (e, "/GIAYBAOTU/NGAY_SINH", "format"));
  assert_int_equal (e->fields->len, 4);
  refsvc_error_free (e);
  /* Same day, minutes before admission: allowed (death on the way in). */
  assert_null (err);
  assert_non_null (d);
  expect_error (REFSVC_DOC_DEATH_NOTICE, bt, "xml.invalid");
}

static void
test_field_shape (void **state)
{
  const char *const o[] = { "EXTRA_FIELD", "giữ lại", NULL };
  g_autoptr (GBytes) b = make_doc (61, "hospital-rsa-TEST-ONLY", o);
  g_autoptr (GBytes) dup = replace_once (b, "<SO>4512</SO>", "<SO>4512</SO><SO>4513</SO>");
  g_autoptr (GBytes) nested = replace_once (b, "<SO>4512</SO>", "<SO><b>4512</b></SO>");
  g_autoptr (GBytes) longv = NULL;
  refsvc_error *err = NULL;
  g_autoptr (refsvc_xmldoc) d = parse_bytes (REFSVC_DOC_BIRTH_CERT, b, &err);
  g_autofree char *big = g_strnfill (1025, 'a');
  const char *const ol[] = { "GHI_CHU", big, NULL };
  gsize len;
  const char *p;
  refsvc_error *e;

  (void) state;
  /* Unknown elements are kept (forward compatible), not refused. */
  assert_non_null (d);
  assert_string_equal (json_object_get_string_member (d->fields, "EXTRA_FIELD"), "giữ lại");
  p = g_bytes_get_data (dup, &len);
  e = expect_error_str (REFSVC_DOC_BIRTH_CERT, p, (gssize) len, "xml.invalid");
  assert_true (has_field (e, "/GIAYCHUNGSINH/SO", "consistency"));
  refsvc_error_free (e);
  p = g_bytes_get_data (nested, &len);
  e = expect_error_str (REFSVC_DOC_BIRTH_CERT, p, (gssize) len, "xml.invalid");
  assert_true (has_field (e, "/GIAYCHUNGSINH/SO", "type"));
  refsvc_error_free (e);
  longv = make_doc (61, "hospital-rsa-TEST-ONLY", ol);
  p = g_bytes_get_data (longv, &len);
  e = expect_error_str (REFSVC_DOC_BIRTH_CERT, p, (gssize) len, "xml.invalid");
  assert_true (has_field (e, "/GIAYCHUNGSINH/GHI_CHU", "length"));
  refsvc_error_free (e);
}

/* Entity tricks never get as far as an expansion: any DOCTYPE is refused. */
static void
test_entities_refused (void **state)
{
  static const char *const hostile[] = {
    "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\">"
    "<!ENTITY lol1 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">"
    "<!ENTITY lol2 \"&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;\">"
    "<!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">"
    "<!ENTITY lol4 \"&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;\">"
    "<!ENTITY lol5 \"&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;\">"
    "<!ENTITY lol6 \"&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;\">"
    "<!ENTITY lol7 \"&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;\">"
    "<!ENTITY lol8 \"&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;\">"
    "<!ENTITY lol9 \"&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;\">]>"
    "<HSDLGCS><GIAYCHUNGSINH Id=\"Id-1\"><MA_GCS>&lol9;</MA_GCS></GIAYCHUNGSINH>"
    "<CHUKYDONVI/></HSDLGCS>",
    "<?xml version=\"1.0\"?><!DOCTYPE HSDLGCS [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>"
    "<HSDLGCS><GIAYCHUNGSINH Id=\"Id-1\"><MA_GCS>&xxe;</MA_GCS></GIAYCHUNGSINH>"
    "<CHUKYDONVI/></HSDLGCS>",
    "<?xml version=\"1.0\"?><!DOCTYPE HSDLGCS SYSTEM \"http://127.0.0.1:9/x.dtd\">"
    "<HSDLGCS><GIAYCHUNGSINH Id=\"Id-1\"/><CHUKYDONVI/></HSDLGCS>",
    "<?xml version=\"1.0\"?><!DOCTYPE HSDLGCS [<!ENTITY % p SYSTEM \"file:///etc/passwd\"> %p;]>"
    "<HSDLGCS/>",
  };

  g_autoptr (GBytes) b = make_doc (61, "hospital-rsa-TEST-ONLY", NULL);
  /* Even a bare DOCTYPE on an otherwise valid package (a DTD could declare
   * other ID attributes and move a signature's target). */
  g_autoptr (GBytes) dt = replace_once (b, "<HSDLGCS>", "<!DOCTYPE HSDLGCS><HSDLGCS>");

  (void) state;
  for (guint i = 0; i < G_N_ELEMENTS (hostile); i++)
    refsvc_error_free (expect_error_str (REFSVC_DOC_BIRTH_CERT, hostile[i], -1, "xml.malformed"));
  expect_error (REFSVC_DOC_BIRTH_CERT, dt, "xml.malformed");
}

static void
test_deep_nesting (void **state)
{
  GString *s = g_string_new ("<HSDLGCS><GIAYCHUNGSINH Id=\"Id-1\"><GHI_CHU>");

  (void) state;
  for (int i = 0; i < 100000; i++)
    g_string_append (s, "<a>");
  refsvc_error_free (expect_error_str (REFSVC_DOC_BIRTH_CERT, s->str, (gssize) s->len,
                                       "xml.malformed"));
  g_string_free (s, TRUE);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_valid_gcs_rsa),
    cmocka_unit_test (test_valid_gbt_ec),
    cmocka_unit_test (test_sample_order),
    cmocka_unit_test (test_reissue),
    cmocka_unit_test (test_tampered),
    cmocka_unit_test (test_unsigned),
    cmocka_unit_test (test_untrusted_signers),
    cmocka_unit_test (test_wrong_kind),
    cmocka_unit_test (test_malformed),
    cmocka_unit_test (test_too_large),
    cmocka_unit_test (test_missing_required),
    cmocka_unit_test (test_bad_formats_gcs),
    cmocka_unit_test (test_bad_formats_gbt),
    cmocka_unit_test (test_field_shape),
    cmocka_unit_test (test_entities_refused),
    cmocka_unit_test (test_deep_nesting),
    cmocka_unit_test (test_signature_variants),
    cmocka_unit_test (test_wrapping_and_tricks),
    cmocka_unit_test (test_concurrent),
  };

  return cmocka_run_group_tests (tests, xmldoc_setup, xmldoc_teardown);
}
