/* test-store-docs.c — hospital documents in the store: idempotency by
 * (loaiHs, code), conflicts, re-issues, the look-up answer. */
#include "test-store-common.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

static JsonObject *
obj (JsonNode *n)
{
  return json_node_get_object (n);
}

static gint64
count (refsvc_store *st, const char *what)
{
  g_autoptr (JsonNode) n = refsvc_store_admin_counts (st);
  assert_non_null (n);
  return json_object_get_int_member (obj (n), what);
}

static void
test_documents (void **state)
{
  store_fixture *f = *state;
  refsvc_xmldoc d = test_make_doc (REFSVC_DOC_BIRTH_CERT, "01001.GCS.2026.000123", TRUE);
  g_autoptr (GBytes) xml = g_bytes_new_static ("<HSDLGCS>1</HSDLGCS>", 20);
  g_autofree char *gd = NULL, *at = NULL, *gd2 = NULL, *at2 = NULL;
  assert_int_equal (refsvc_store_put_document (f->st, &d, xml, "hospital-01001-01", T0, &gd, &at),
                    REFSVC_STORE_CREATED);
  assert_true (g_str_has_prefix (gd, "HS_GCS_"));
  assert_int_equal (strlen (gd), 7 + 36);
  for (const char *p = gd + 7; *p; p++)
    assert_true (*p == '-' || g_ascii_isdigit (*p) || g_ascii_isupper (*p));
  assert_string_equal (at, "20261123170000");   /* 10:00Z = 17:00 in Vietnam */

  /* the same bytes later: the first MaGD and time */
  assert_int_equal (refsvc_store_put_document (f->st, &d, xml, "hospital-01001-01", T0 + 99,
                                               &gd2, &at2), REFSVC_STORE_REPLAY);
  assert_string_equal (gd2, gd);
  assert_string_equal (at2, at);
  g_clear_pointer (&gd2, g_free);
  g_clear_pointer (&at2, g_free);

  /* other bytes, first issue: conflict */
  g_autoptr (GBytes) xml2 = g_bytes_new_static ("<HSDLGCS>2</HSDLGCS>", 20);
  assert_int_equal (refsvc_store_put_document (f->st, &d, xml2, "hospital-01001-01", T0 + 100,
                                               &gd2, &at2), REFSVC_STORE_CONFLICT);
  assert_null (gd2);
  assert_null (at2);

  /* other bytes, a re-issue (CAP_LAN_DAU 0): replaces, new MaGD */
  refsvc_xmldoc re = test_make_doc (REFSVC_DOC_BIRTH_CERT, "01001.GCS.2026.000123", FALSE);
  assert_int_equal (refsvc_store_put_document (f->st, &re, xml2, "hospital-01001-01", T0 + 3600,
                                               &gd2, &at2), REFSVC_STORE_CREATED);
  assert_string_not_equal (gd2, gd);
  assert_string_equal (at2, "20261123180000");

  g_autoptr (JsonNode) got = refsvc_store_get_document (f->st, REFSVC_DOC_BIRTH_CERT,
                                                        "01001.GCS.2026.000123");
  assert_non_null (got);
  JsonObject *o = obj (got);
  assert_string_equal (json_object_get_string_member (o, "code"), "01001.GCS.2026.000123");
  assert_int_equal (json_object_get_int_member (o, "loaiHs"), 61);
  assert_string_equal (json_object_get_string_member (o, "maGD"), gd2);
  assert_string_equal (json_object_get_string_member (o, "receivedAt"), "2026-11-23T11:00:00Z");
  assert_string_equal (json_object_get_string_member (o, "facility"), "01001");
  assert_string_equal (json_object_get_string_member (json_object_get_object_member (o, "signer"),
                                                      "keyType"), "RSA-2048");
  assert_string_equal (json_object_get_string_member (json_object_get_object_member (o, "fields"),
                                                      "HO_TEN_CON"), "Nguyễn Thị An");
  gsize len = 0;
  g_autofree guchar *raw = g_base64_decode (json_object_get_string_member (o, "document"), &len);
  assert_int_equal (len, 20);
  assert_memory_equal (raw, "<HSDLGCS>2</HSDLGCS>", 20);

  /* kinds are separate key spaces; unknown codes are not found */
  assert_null (refsvc_store_get_document (f->st, REFSVC_DOC_DEATH_NOTICE, "01001.GCS.2026.000123"));
  assert_null (refsvc_store_get_document (f->st, REFSVC_DOC_BIRTH_CERT, "nope"));
  refsvc_xmldoc gbt = test_make_doc (REFSVC_DOC_DEATH_NOTICE, "01001.GCS.2026.000123", TRUE);
  g_autofree char *gd3 = NULL, *at3 = NULL;
  assert_int_equal (refsvc_store_put_document (f->st, &gbt, xml, "hospital-01001-01", T0, &gd3,
                                               &at3), REFSVC_STORE_CREATED);
  assert_true (g_str_has_prefix (gd3, "HS_GBT_"));
  assert_int_equal (count (f->st, "documents"), 2);
  json_object_unref (d.fields);
  json_object_unref (re.fields);
  json_object_unref (gbt.fields);
}

static refsvc_store_result
put (refsvc_store *st, refsvc_xmldoc *d, const char *xml, gint64 now, char **gd)
{
  g_autoptr (GBytes) b = g_bytes_new (xml, strlen (xml));
  g_autofree char *at = NULL;
  char *id = NULL;
  refsvc_store_result r = refsvc_store_put_document (st, d, b, "hospital-01001-01", now, &id, &at);
  assert_true ((id != NULL) == (r == REFSVC_STORE_CREATED || r == REFSVC_STORE_REPLAY));
  assert_true ((at != NULL) == (id != NULL));
  if (gd)
    *gd = id;
  else
    g_free (id);
  return r;
}

static void
test_reissues (void **state)
{
  store_fixture *f = *state;
  refsvc_xmldoc first = test_make_doc (REFSVC_DOC_DEATH_NOTICE, "GBT-9", TRUE);
  refsvc_xmldoc again = test_make_doc (REFSVC_DOC_DEATH_NOTICE, "GBT-9", FALSE);
  g_autofree char *a = NULL, *b = NULL, *c = NULL;
  /* a re-issue of a document never seen is simply stored */
  assert_int_equal (put (f->st, &again, "<v1/>", T0, &a), REFSVC_STORE_CREATED);
  assert_true (g_str_has_prefix (a, "HS_GBT_"));
  assert_int_equal (put (f->st, &again, "<v2/>", T0 + 1, &b), REFSVC_STORE_CREATED);
  assert_string_not_equal (a, b);
  /* the replaced bytes are no longer a replay: a first issue conflicts */
  assert_int_equal (put (f->st, &first, "<v1/>", T0 + 2, NULL), REFSVC_STORE_CONFLICT);
  /* the current bytes are, whatever CAP_LAN_DAU says */
  assert_int_equal (put (f->st, &first, "<v2/>", T0 + 3, &c), REFSVC_STORE_REPLAY);
  assert_string_equal (c, b);
  assert_int_equal (count (f->st, "documents"), 1);
  json_object_unref (first.fields);
  json_object_unref (again.fields);
}

static void
test_odd_documents (void **state)
{
  store_fixture *f = *state;
  refsvc_xmldoc d = test_make_doc (REFSVC_DOC_BIRTH_CERT, "GCS-odd", TRUE);
  d.facility = NULL;
  json_object_unref (d.fields);
  d.fields = NULL;
  assert_int_equal (put (f->st, &d, "", T0, NULL), REFSVC_STORE_CREATED);
  g_autoptr (JsonNode) got = refsvc_store_get_document (f->st, REFSVC_DOC_BIRTH_CERT, "GCS-odd");
  assert_non_null (got);
  assert_true (json_object_get_null_member (obj (got), "facility"));
  assert_int_equal (json_object_get_size (json_object_get_object_member (obj (got), "fields")), 0);
  assert_string_equal (json_object_get_string_member (obj (got), "document"), "");
  /* unknown kinds and missing codes are refused, nothing stored */
  d.kind = 39;
  assert_int_equal (put (f->st, &d, "<x/>", T0, NULL), REFSVC_STORE_ERROR);
  d.kind = REFSVC_DOC_BIRTH_CERT;
  d.code = NULL;
  assert_int_equal (put (f->st, &d, "<x/>", T0, NULL), REFSVC_STORE_ERROR);
  assert_null (refsvc_store_get_document (f->st, REFSVC_DOC_BIRTH_CERT, NULL));
  assert_int_equal (count (f->st, "documents"), 1);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown (test_documents, store_fixture_setup, store_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_reissues, store_fixture_setup, store_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_odd_documents, store_fixture_setup, store_fixture_teardown),
  };
  return cmocka_run_group_tests_name ("refsvc-store-docs", tests, NULL, NULL);
}
