/* test-dossier.c — motcua-json-pointer and motcua-dossier: RFC 6901
 * pointers, the prefill rule and conflicts, the dossier file (round trip,
 * mode 0600, malformations), derived fields and the payload bytes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>
#include <glib.h>
#include <glib/gstdio.h>

#include "motcua-dossier.h"
#include "motcua-error.h"
#include "motcua-json-pointer.h"

static JsonNode *
parse (const char *json)
{
  g_autoptr (JsonParser) p = json_parser_new ();
  assert_true (json_parser_load_from_data (p, json, -1, NULL));
  return json_node_copy (json_parser_get_root (p));
}

static void
test_pointer_split (void **state)
{
  (void) state;
  g_auto (GStrv) a = motcua_json_pointer_split ("/a~1b/c~0d/~01");
  assert_non_null (a);
  assert_int_equal (g_strv_length (a), 3);
  assert_string_equal (a[0], "a/b");
  assert_string_equal (a[1], "c~d");
  assert_string_equal (a[2], "~1");
  g_auto (GStrv) empty = motcua_json_pointer_split ("");
  assert_int_equal (g_strv_length (empty), 0);
  g_auto (GStrv) blank = motcua_json_pointer_split ("/");
  assert_int_equal (g_strv_length (blank), 1);
  assert_string_equal (blank[0], "");
  assert_null (motcua_json_pointer_split ("a/b"));
  assert_null (motcua_json_pointer_split ("/a~2"));
  assert_null (motcua_json_pointer_split ("/a~"));
  assert_null (motcua_json_pointer_split ("/\xff"));
  g_autofree char *p = motcua_json_pointer_append ("/x", "a/b~c");
  assert_string_equal (p, "/x/a~1b~0c");
}

static void
test_pointer_get_set (void **state)
{
  (void) state;
  g_autoptr (JsonNode) root = parse ("{\"a/b\":{\"c~d\":1},\"arr\":[{\"x\":\"0\"},{\"x\":\"1\"}],\"\":2}");

  JsonNode *n = motcua_json_pointer_get (root, "/a~1b/c~0d");
  assert_non_null (n);
  assert_int_equal (json_node_get_int (n), 1);
  assert_int_equal (json_node_get_int (motcua_json_pointer_get (root, "/")), 2);
  assert_ptr_equal (motcua_json_pointer_get (root, ""), root);
  assert_string_equal (json_node_get_string (motcua_json_pointer_get (root, "/arr/1/x")), "1");
  assert_null (motcua_json_pointer_get (root, "/arr/01/x"));
  assert_null (motcua_json_pointer_get (root, "/arr/2"));
  assert_null (motcua_json_pointer_get (root, "/arr/-"));
  assert_null (motcua_json_pointer_get (root, "/a~1b/c~0d/deeper"));

  /* Missing parents are created as objects; a scalar parent refuses. */
  assert_true (motcua_json_pointer_set (root, "/new/deep/v", json_node_init_string (json_node_alloc (), "x")));
  assert_string_equal (json_node_get_string (motcua_json_pointer_get (root, "/new/deep/v")), "x");
  assert_false (motcua_json_pointer_set (root, "/a~1b/c~0d/v", json_node_init_int (json_node_alloc (), 3)));
  assert_false (motcua_json_pointer_set (root, "", json_node_init_int (json_node_alloc (), 3)));
  /* Arrays: replace in place (order kept), append with "-". */
  assert_true (motcua_json_pointer_set (root, "/arr/0", json_node_init_string (json_node_alloc (), "r")));
  assert_string_equal (json_node_get_string (motcua_json_pointer_get (root, "/arr/0")), "r");
  assert_string_equal (json_node_get_string (motcua_json_pointer_get (root, "/arr/1/x")), "1");
  assert_true (motcua_json_pointer_set (root, "/arr/-", json_node_init_int (json_node_alloc (), 9)));
  assert_int_equal (json_node_get_int (motcua_json_pointer_get (root, "/arr/2")), 9);

  assert_true (motcua_json_pointer_remove (root, "/arr/0"));
  assert_string_equal (json_node_get_string (motcua_json_pointer_get (root, "/arr/0/x")), "1");
  assert_true (motcua_json_pointer_remove (root, "/a~1b"));
  assert_false (motcua_json_pointer_remove (root, "/a~1b"));
  assert_false (motcua_json_pointer_remove (root, ""));
}

static void
test_new (void **state)
{
  (void) state;
  g_autoptr (MotcuaDossier) d = motcua_dossier_new (MOTCUA_PROCEDURE_DEATH, "00004");
  assert_int_equal (motcua_dossier_get_procedure (d), MOTCUA_PROCEDURE_DEATH);
  assert_string_equal (motcua_dossier_get_string (d, "/maDonViTiepNhan"), "00004");
  assert_string_equal (motcua_dossier_get_string (d, "/khaiTu/noiDangKy"), "00004");
  assert_non_null (motcua_dossier_get (d, "/xoaThuongTru"));
  assert_non_null (motcua_dossier_get (d, "/maiTang"));
  assert_null (motcua_dossier_get (d, "/khaiSinh"));
  const char *made = motcua_dossier_get_string (d, "/ngayLap");
  assert_non_null (made);
  assert_int_equal (strlen (made), 10);
  assert_int_equal (motcua_dossier_get_source (d, "/ngayLap", NULL), MOTCUA_SOURCE_DERIVED);
  assert_string_equal (motcua_dossier_get_subject_name (d), "");
  assert_int_equal (motcua_procedure_from_name ("birth"), MOTCUA_PROCEDURE_BIRTH);
  assert_int_equal (motcua_procedure_from_name ("x"), 0);
  assert_int_equal (motcua_source_kind_from_name (motcua_source_kind_name (MOTCUA_SOURCE_DEATH_NOTICE)),
                    MOTCUA_SOURCE_DEATH_NOTICE);
}

static void
test_prefill_rule (void **state)
{
  (void) state;
  g_autoptr (MotcuaDossier) d = motcua_dossier_new (MOTCUA_PROCEDURE_BIRTH, "00004");
  const char *p = "/khaiSinh/meHoTen";
  const char *ref;

  assert_int_equal (motcua_dossier_set_string (d, p, "NGUYỄN VĂN A", MOTCUA_SOURCE_CARD, "001196012345"),
                    MOTCUA_SET_APPLIED);
  assert_int_equal (motcua_dossier_get_source (d, p, &ref), MOTCUA_SOURCE_CARD);
  assert_string_equal (ref, "001196012345");
  /* The same name in other case and tone placement is no conflict. */
  assert_int_equal (motcua_dossier_set_string (d, p, "Nguyễn Văn A", MOTCUA_SOURCE_BIRTH_CERT,
                                               "00123.GCS.01001.26"),
                    MOTCUA_SET_UNCHANGED);
  assert_int_equal (motcua_dossier_get_conflicts (d)->len, 0);
  /* Another name is. */
  assert_int_equal (motcua_dossier_set_string (d, p, "Trần Thị B", MOTCUA_SOURCE_BIRTH_CERT,
                                               "00123.GCS.01001.26"),
                    MOTCUA_SET_CONFLICT);
  assert_string_equal (motcua_dossier_get_string (d, p), "NGUYỄN VĂN A");
  GPtrArray *c = motcua_dossier_get_conflicts (d);
  assert_int_equal (c->len, 1);
  MotcuaConflict *k = c->pdata[0];
  assert_string_equal (k->path, p);
  assert_int_equal (k->source, MOTCUA_SOURCE_CARD);
  assert_int_equal (k->offered_source, MOTCUA_SOURCE_BIRTH_CERT);
  assert_string_equal (json_node_get_string (k->offered), "Trần Thị B");
  /* Offered again: still one conflict. */
  motcua_dossier_set_string (d, p, "Trần Thị B", MOTCUA_SOURCE_BIRTH_CERT, "00123.GCS.01001.26");
  assert_int_equal (c->len, 1);
  /* The same card read again may update its own value. */
  assert_int_equal (motcua_dossier_set_string (d, p, "NGUYỄN VĂN AN", MOTCUA_SOURCE_CARD, "001196012345"),
                    MOTCUA_SET_APPLIED);
  /* The clerk settles it; documents never overwrite the clerk. */
  assert_int_equal (motcua_dossier_set_string (d, p, "Trần Thị B", MOTCUA_SOURCE_CLERK, NULL),
                    MOTCUA_SET_APPLIED);
  assert_int_equal (c->len, 0);
  assert_int_equal (motcua_dossier_set_string (d, p, "NGUYỄN VĂN A", MOTCUA_SOURCE_CARD, "001196012345"),
                    MOTCUA_SET_KEPT_CLERK);
  assert_string_equal (motcua_dossier_get_string (d, p), "Trần Thị B");
  assert_int_equal (c->len, 0);
  /* Dates are not names: a different value is a conflict. */
  motcua_dossier_set_string (d, "/khaiSinh/meNgaySinh", "14.03.1996", MOTCUA_SOURCE_CARD, "x");
  assert_int_equal (motcua_dossier_set_string (d, "/khaiSinh/meNgaySinh", "15.03.1996",
                                               MOTCUA_SOURCE_BIRTH_CERT, "y"),
                    MOTCUA_SET_CONFLICT);
  /* Strings are stored NFC. */
  motcua_dossier_set_string (d, "/khaiSinh/nksHoTen", "Nguye\xcc\x82\xcc\x83n", MOTCUA_SOURCE_CLERK, NULL);
  assert_string_equal (motcua_dossier_get_string (d, "/khaiSinh/nksHoTen"), "Nguyễn");
  assert_string_equal (motcua_dossier_get_subject_name (d), "Nguyễn");
  assert_true (motcua_dossier_remove (d, "/khaiSinh/meNgaySinh"));
  assert_int_equal (c->len, 0);
  assert_false (motcua_dossier_remove (d, "/khaiSinh/meNgaySinh"));
}

static void
test_derive (void **state)
{
  (void) state;
  g_autoptr (MotcuaDossier) d = motcua_dossier_new (MOTCUA_PROCEDURE_BIRTH, "00004");
  motcua_dossier_set_string (d, "/ngayLap", "20.11.2026", MOTCUA_SOURCE_CLERK, NULL);
  motcua_dossier_set_string (d, "/khaiSinh/nksNgaySinh", "09.11.2026", MOTCUA_SOURCE_BIRTH_CERT, "g");
  motcua_dossier_set_string (d, "/khaiSinh/meQuocTich", "VN", MOTCUA_SOURCE_CARD, "m");
  motcua_dossier_set_string (d, "/khaiSinh/meDanToc", "01", MOTCUA_SOURCE_CARD, "m");
  motcua_dossier_derive (d);
  /* As the national form (tests/refsvc/samples/birth-valid.json) writes it. */
  assert_string_equal (motcua_dossier_get_string (d, "/khaiSinh/nksNgaySinhBangChu"),
                       "Ngày chín, tháng mười một, năm hai nghìn không trăm hai mươi sáu");
  assert_string_equal (motcua_dossier_get_string (d, "/khaiSinh/loaiDangKy"), "1");
  assert_string_equal (motcua_dossier_get_string (d, "/khaiSinh/nksQuocTich"), "VN");
  assert_string_equal (motcua_dossier_get_string (d, "/khaiSinh/nksDanToc"), "01");
  /* The father of another ethnicity: no derived ethnicity any more. */
  motcua_dossier_set_string (d, "/khaiSinh/chaHoTen", "Lò Văn Páo", MOTCUA_SOURCE_CARD, "f");
  motcua_dossier_set_string (d, "/khaiSinh/chaDanToc", "04", MOTCUA_SOURCE_CARD, "f");
  motcua_dossier_derive (d);
  assert_null (motcua_dossier_get (d, "/khaiSinh/nksDanToc"));
  /* A late registration; the clerk's words are kept. */
  motcua_dossier_set_string (d, "/ngayLap", "20.01.2027", MOTCUA_SOURCE_CLERK, NULL);
  motcua_dossier_set_string (d, "/khaiSinh/nksNgaySinhBangChu", "Ngày chín tháng Mười Một", MOTCUA_SOURCE_CLERK, NULL);
  motcua_dossier_derive (d);
  assert_string_equal (motcua_dossier_get_string (d, "/khaiSinh/loaiDangKy"), "2");
  assert_string_equal (motcua_dossier_get_string (d, "/khaiSinh/nksNgaySinhBangChu"), "Ngày chín tháng Mười Một");
}

static MotcuaDossier *
sample_dossier (void)
{
  g_autoptr (MotcuaDossier) d = motcua_dossier_new (MOTCUA_PROCEDURE_BIRTH, "00004");
  motcua_dossier_set_string (d, "/khaiSinh/meHoTen", "Trần Thị Thu Hà", MOTCUA_SOURCE_CARD, "001196012345");
  motcua_dossier_set_string (d, "/khaiSinh/meHoTen", "Trần Thị Hà", MOTCUA_SOURCE_BIRTH_CERT, "00123.GCS.01001.26");
  g_autoptr (JsonNode) addr = parse ("{\"maTinh\":\"01\",\"maXa\":\"00004\",\"dcChiTiet\":\"Số 12\"}");
  motcua_dossier_set (d, "/khaiSinh/meNoiCuTru", addr, MOTCUA_SOURCE_CARD, "001196012345");
  g_autoptr (JsonNode) t = json_node_init_boolean (json_node_alloc (), TRUE);
  motcua_dossier_set (d, "/thuongTru/chuHoDongY", t, MOTCUA_SOURCE_CLERK, NULL);
  return g_steal_pointer (&d);
}

static void
test_file_round_trip (void **state)
{
  (void) state;
  g_autoptr (MotcuaDossier) d = sample_dossier ();
  gsize len = 0;
  g_autofree char *data = motcua_dossier_to_data (d, &len);
  g_autoptr (GError) error = NULL;
  g_autoptr (MotcuaDossier) e = motcua_dossier_new_from_data (data, len, &error);
  assert_null (error);
  assert_non_null (e);
  g_autofree char *again = motcua_dossier_to_data (e, NULL);
  assert_string_equal (data, again);
  assert_int_equal (motcua_dossier_get_conflicts (e)->len, 1);
  const char *ref;
  assert_int_equal (motcua_dossier_get_source (e, "/khaiSinh/meNoiCuTru", &ref), MOTCUA_SOURCE_CARD);
  assert_string_equal (ref, "001196012345");

  /* Payload bytes: compact, the same every time and after a round trip. */
  g_autoptr (GBytes) b1 = motcua_dossier_serialize_payload (d);
  g_autoptr (GBytes) b2 = motcua_dossier_serialize_payload (d);
  g_autoptr (GBytes) b3 = motcua_dossier_serialize_payload (e);
  assert_true (g_bytes_equal (b1, b2));
  assert_true (g_bytes_equal (b1, b3));
  gsize blen;
  const char *bytes = g_bytes_get_data (b1, &blen);
  assert_null (memchr (bytes, '\n', blen));
  assert_true (g_str_has_prefix (bytes, "{\"maDonViTiepNhan\":\"00004\",\"ngayLap\":"));

  /* Saved atomically with mode 0600. */
  g_autofree char *dir = g_dir_make_tmp ("test-dossier-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "d.json", NULL);
  assert_true (motcua_dossier_save (d, path, &error));
  struct stat st;
  assert_int_equal (stat (path, &st), 0);
  assert_int_equal (st.st_mode & 0777, 0600);
  g_autoptr (MotcuaDossier) f = motcua_dossier_load (path, &error);
  assert_non_null (f);
  g_autofree char *third = motcua_dossier_to_data (f, NULL);
  assert_string_equal (data, third);
  g_unlink (path);
  g_rmdir (dir);
  assert_null (motcua_dossier_load (path, &error));
  assert_true (g_error_matches (error, MOTCUA_ERROR, MOTCUA_ERROR_IO));
}

static void
test_file_malformed (void **state)
{
  (void) state;
  static const struct { const char *json, *pointer; } cases[] = {
    { "[]", "\"\"" },
    { "{", "\"\"" },
    { "{\"format\":\"motcua-dossier/2\",\"procedure\":\"birth\",\"payload\":{}}", "/format" },
    { "{\"format\":\"motcua-dossier/1\",\"procedure\":\"marriage\",\"payload\":{}}", "/procedure" },
    { "{\"format\":\"motcua-dossier/1\",\"procedure\":\"birth\",\"payload\":[]}", "/payload" },
    { "{\"format\":\"motcua-dossier/1\",\"procedure\":\"birth\",\"payload\":{},\"x\":1}", "/x" },
    { "{\"format\":\"motcua-dossier/1\",\"procedure\":\"birth\",\"payload\":{},"
      "\"sources\":{\"/khaiSinh/meHoTen\":{\"kind\":\"rumour\"}}}", "/sources/~1khaiSinh~1meHoTen/kind" },
    { "{\"format\":\"motcua-dossier/1\",\"procedure\":\"birth\",\"payload\":{},"
      "\"sources\":{\"noSlash\":{\"kind\":\"card\"}}}", "/sources/noSlash" },
    { "{\"format\":\"motcua-dossier/1\",\"procedure\":\"birth\",\"payload\":{},"
      "\"conflicts\":[{\"path\":\"/a\",\"value\":1,\"source\":{\"kind\":\"card\"},\"offered\":2}]}",
      "/conflicts/0/offeredSource" },
    { "{\"format\":\"motcua-dossier/1\",\"procedure\":\"birth\",\"payload\":{},\"conflicts\":{}}", "/conflicts" },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (MotcuaDossier) d = motcua_dossier_new_from_data (cases[i].json, strlen (cases[i].json), &error);
      assert_null (d);
      assert_true (g_error_matches (error, MOTCUA_ERROR, MOTCUA_ERROR_DOSSIER_FORMAT));
      if (strstr (error->message, cases[i].pointer) == NULL)
        fail_msg ("case %zu: %s lacks %s", i, error->message, cases[i].pointer);
    }
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_pointer_split),
    cmocka_unit_test (test_pointer_get_set),
    cmocka_unit_test (test_new),
    cmocka_unit_test (test_prefill_rule),
    cmocka_unit_test (test_derive),
    cmocka_unit_test (test_file_round_trip),
    cmocka_unit_test (test_file_malformed),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
