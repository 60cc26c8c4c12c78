/* test-report.c — known queue items give known cells of the national
 * table; the CSV layout (BOM, CRLF, RFC 4180 quoting) */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "motcua-error.h"
#include "motcua-queue.h"
#include "motcua-report.h"

typedef struct {
  char *dir, *db, *key_path, *other_key_path;
  MotcuaDeviceKey *key;
  MotcuaQueue *q;
} Fixture;

static char *
write_key (const char *dir, const char *name)
{
  char *path = g_build_filename (dir, name, NULL);
  EVP_PKEY *pkey = EVP_RSA_gen (2048);
  BIO *b = BIO_new_file (path, "w");
  assert_non_null (b);
  assert_int_equal (PEM_write_bio_PrivateKey (b, pkey, NULL, NULL, 0, NULL, NULL), 1);
  BIO_free (b);
  EVP_PKEY_free (pkey);
  return path;
}

static int
setup (void **state)
{
  Fixture *f = g_new0 (Fixture, 1);
  f->dir = g_dir_make_tmp ("motcua-queue-XXXXXX", NULL);
  f->db = g_build_filename (f->dir, "queue.db", NULL);
  f->key_path = write_key (f->dir, "device.pem");
  f->other_key_path = write_key (f->dir, "other.pem");
  g_autoptr(GError) error = NULL;
  f->key = motcua_device_key_open_file (f->key_path, &error);
  assert_null (error);
  f->q = motcua_queue_open (f->db, f->key, &error);
  assert_null (error);
  assert_non_null (f->q);
  *state = f;
  return 0;
}

static int
teardown (void **state)
{
  Fixture *f = *state;
  motcua_queue_close (f->q);
  motcua_device_key_free (f->key);
  const char *suffixes[] = { "", "-wal", "-shm", ".lock" };
  for (gsize i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *p = g_strconcat (f->db, suffixes[i], NULL);
      g_unlink (p);
    }
  g_unlink (f->key_path);
  g_unlink (f->other_key_path);
  g_rmdir (f->dir);
  g_free (f->db);
  g_free (f->key_path);
  g_free (f->other_key_path);
  g_free (f->dir);
  g_free (f);
  return 0;
}

static MotcuaDossier *
new_dossier (MotcuaProcedure p, const char *name)
{
  MotcuaDossier *d = motcua_dossier_new (p, "00004");
  motcua_dossier_set_string (d, p == MOTCUA_PROCEDURE_BIRTH ? "/khaiSinh/nksHoTen"
                                                            : "/khaiTu/nktHoTen",
                             name, MOTCUA_SOURCE_CLERK, NULL);
  return d;
}

static GBytes *
body_for (MotcuaQueue *q, gint64 id)
{
  g_autoptr(MotcuaQueueItem) item = motcua_queue_get_by_id (q, id, NULL);
  assert_non_null (item);
  char *s = g_strdup_printf ("{\"transactionId\":\"%s\",\"procedure\":\"%s\","
                             "\"payload\":\"e30=\",\"signature\":\"AA==\"}",
                             item->transaction_id, motcua_procedure_name (item->procedure));
  return g_bytes_new_take (s, strlen (s));
}

static gint64
queued (Fixture *f, MotcuaProcedure p)
{
  g_autoptr(MotcuaDossier) d = new_dossier (p, "Hà Văn Sơn");
  gint64 id = 0;
  assert_true (motcua_queue_add_draft (f->q, d, "clerk", &id, NULL));
  g_autoptr(GBytes) body = body_for (f->q, id);
  assert_true (motcua_queue_set_signed (f->q, id, body, "clerk", NULL));
  assert_true (motcua_queue_release (f->q, id, "clerk", NULL));
  return id;
}

static void
accept (Fixture *f, gint64 id, const char *dossier_id)
{
  g_autoptr(GPtrArray) c = motcua_queue_claim (f->q, G_MAXINT64 / 2, 1, NULL);
  assert_int_equal (c->len, 1);
  assert_int_equal (((MotcuaQueueItem *) g_ptr_array_index (c, 0))->id, id);
  assert_true (motcua_queue_mark_accepted (f->q, id, dossier_id, NULL));
}

static void
status (Fixture *f, const char *dossier_id, const char *system, int code, const char *reason)
{
  MotcuaSystemStatus s = { .system = (char *) system, .status = code,
                           .status_name = (char *) "X", .reason = (char *) reason };
  assert_true (motcua_queue_update_system (f->q, dossier_id, &s, NULL));
}

static JsonObject *
system_row (JsonNode *root, int group, int system)
{
  JsonArray *groups = json_object_get_array_member (json_node_get_object (root), "groups");
  JsonObject *g = json_array_get_object_element (groups, group);
  return json_array_get_object_element (json_object_get_array_member (g, "systems"), system);
}

static void
test_cells (void **state)
{
  Fixture *f = *state;
  /* Birth: one not yet sent, one accepted (no statuses yet), one with
   * hoTich done and cuTru refused with a reason containing a comma. */
  queued (f, MOTCUA_PROCEDURE_BIRTH);
  gint64 b2 = queued (f, MOTCUA_PROCEDURE_BIRTH);
  gint64 b3 = queued (f, MOTCUA_PROCEDURE_BIRTH);
  /* Death: one cancelled, one in processing at hoTich. */
  gint64 d1 = queued (f, MOTCUA_PROCEDURE_DEATH);
  gint64 d2 = queued (f, MOTCUA_PROCEDURE_DEATH);
  assert_true (motcua_queue_cancel (f->q, d1, "clerk", NULL));
  /* The first birth item is oldest: claim order is by due time then id. */
  g_autoptr(GPtrArray) skip = motcua_queue_claim (f->q, G_MAXINT64 / 2, 1, NULL);
  assert_true (motcua_queue_mark_retry (f->q, ((MotcuaQueueItem *) g_ptr_array_index (skip, 0))->id,
                                        g_get_real_time () / G_USEC_PER_SEC, "network", "down", 0, NULL));
  accept (f, b2, "HS-B2");
  accept (f, b3, "HS-B3");
  accept (f, d2, "HS-D2");
  status (f, "HS-B3", "hoTich", 10, NULL);
  status (f, "HS-B3", "cuTru", 3, "Mã đơn vị hành chính nơi cư trú không tồn tại, \"xã A\"");
  status (f, "HS-B3", "bhxh", 2, NULL);
  status (f, "HS-D2", "hoTich", 4, NULL);

  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  g_autoptr(GError) error = NULL;
  g_autoptr(MotcuaReport) r = motcua_report_build (f->q, now - 3600, now + 3600, 0, now, &error);
  assert_non_null (r);
  g_autoptr(JsonNode) j = motcua_report_to_json (r);
  JsonObject *birth = json_array_get_object_element (
    json_object_get_array_member (json_node_get_object (j), "groups"), 0);
  assert_int_equal (json_object_get_int_member (birth, "total"), 3);
  JsonObject *ht = system_row (j, 0, 0), *ct = system_row (j, 0, 1), *bh = system_row (j, 0, 2);
  assert_string_equal (json_object_get_string_member (ht, "system"), "hoTich");
  assert_int_equal (json_object_get_int_member (ht, "total"), 3);
  assert_int_equal (json_object_get_int_member (ht, "chuaGuiDi"), 1);
  assert_int_equal (json_object_get_int_member (ht, "moiDangKy"), 1);
  assert_int_equal (json_object_get_int_member (ht, "daTraKetQua"), 1);
  assert_int_equal (json_object_get_int_member (ct, "chuaGuiDi"), 2);
  assert_int_equal (json_object_get_int_member (ct, "tuChoi"), 1);
  assert_int_equal (json_object_get_int_member (bh, "daTiepNhan"), 1);
  assert_int_equal (json_object_get_int_member (bh, "chuaGuiDi"), 2);
  JsonObject *death = json_array_get_object_element (
    json_object_get_array_member (json_node_get_object (j), "groups"), 1);
  assert_int_equal (json_object_get_int_member (death, "total"), 2);
  assert_int_equal (json_object_get_int_member (death, "cancelled"), 1);
  JsonObject *dht = system_row (j, 1, 0), *dld = system_row (j, 1, 2);
  assert_int_equal (json_object_get_int_member (dht, "total"), 1);
  assert_int_equal (json_object_get_int_member (dht, "dangXuLy"), 1);
  assert_string_equal (json_object_get_string_member (dld, "system"), "ldtbxh");
  assert_int_equal (json_object_get_int_member (dld, "chuaGuiDi"), 1);
  JsonArray *refusals = json_object_get_array_member (json_node_get_object (j), "refusals");
  assert_int_equal (json_array_get_length (refusals), 1);
  assert_string_equal (json_object_get_string_member (json_array_get_object_element (refusals, 0),
                                                      "system"), "cuTru");

  /* Nothing created outside the period. */
  g_autoptr(MotcuaReport) empty = motcua_report_build (f->q, now + 3600, now + 7200, 0, now, &error);
  g_autoptr(JsonNode) je = motcua_report_to_json (empty);
  assert_int_equal (json_object_get_int_member (system_row (je, 0, 0), "total"), 0);

  /* Stuck: everything non-final is "stuck" when seen 2 days later. */
  g_autoptr(MotcuaReport) later = motcua_report_build (f->q, now - 3600, now + 3600, 1,
                                                       now + 2 * 86400, &error);
  g_autoptr(JsonNode) jl = motcua_report_to_json (later);
  /* b1 queued, b2 accepted, b3 refused (final) no, d2 processing, d1 cancelled no */
  assert_int_equal (json_array_get_length (json_object_get_array_member (json_node_get_object (jl),
                                                                         "stuck")), 3);

  /* CSV: BOM, CRLF only, the header, the quoted reason. */
  g_autofree char *csv = motcua_report_to_csv (r);
  assert_memory_equal (csv, "\xEF\xBB\xBF", 3);
  for (const char *p = csv; *p; p++)
    if (*p == '\n')
      assert_true (p > csv && p[-1] == '\r');
  assert_non_null (strstr (csv, "Nhóm thủ tục,Đơn vị,Tổng,Chưa gửi đi,Mới đăng ký,Đã tiếp nhận,"
                                "Đang xử lý,"));
  assert_non_null (strstr (csv, "Liên thông khai sinh,Hệ thống ĐKQLHTĐT dùng chung,3,1,1,0,0,0,0,1,0,0\r\n"));
  assert_non_null (strstr (csv, "Liên thông khai sinh,Hệ thống Quản lý cư trú,3,2,0,0,0,0,0,0,1,0\r\n"));
  assert_non_null (strstr (csv, "Liên thông khai sinh,Hệ thống DVCLT,3,"));
  assert_non_null (strstr (csv, "Liên thông khai tử,Hệ thống của Bộ LĐTBXH,1,1,"));
  assert_non_null (strstr (csv, ",cuTru,X,\"Mã đơn vị hành chính nơi cư trú không tồn tại, "
                                "\"\"xã A\"\"\"\r\n"));
  /* No personal data in a report. */
  assert_null (strstr (csv, "Hà Văn Sơn"));
  g_autofree char *jtext = json_to_string (j, FALSE);
  assert_null (strstr (jtext, "Hà Văn Sơn"));
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown (test_cells, setup, teardown),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
