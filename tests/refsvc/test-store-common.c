/* test-store-common.c — fixtures for the store and back-office tests */
#include "test-store-common.h"

#include <glib/gstdio.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

int
store_fixture_setup (void **state)
{
  store_fixture *f = g_new0 (store_fixture, 1);
  GError *error = NULL;
  f->dir = g_dir_make_tmp ("refsvc-store-XXXXXX", &error);
  assert_non_null (f->dir);
  f->path = g_build_filename (f->dir, "refsvc.sqlite", NULL);
  f->st = refsvc_store_open (f->path, &error);
  if (!f->st)
    fail_msg ("open: %s", error->message);
  *state = f;
  return 0;
}

int
store_fixture_teardown (void **state)
{
  store_fixture *f = *state;
  refsvc_store_close (f->st);
  static const char *const suffixes[] = { "", "-wal", "-shm" };
  for (gsize i = 0; i < G_N_ELEMENTS (suffixes); i++) {
    g_autofree char *p = g_strconcat (f->path, suffixes[i], NULL);
    g_unlink (p);
  }
  g_rmdir (f->dir);
  g_free (f->path);
  g_free (f->dir);
  g_free (f);
  return 0;
}

void
store_fixture_reopen (store_fixture *f)
{
  GError *error = NULL;
  refsvc_store_close (f->st);
  f->st = refsvc_store_open (f->path, &error);
  if (!f->st)
    fail_msg ("reopen: %s", error->message);
}

char *
test_uuid (void)
{
  return g_uuid_string_random ();   /* already lowercase */
}

static const char birth_payload[] =
  "{\"khaiSinh\":{\"nksHoTen\":\"Nguyễn Thị An\",\"nksNgaySinh\":\"20.11.2026\","
  "\"meHoTen\":\"Trần Thị Bình\",\"nycHoTen\":\"Trần Thị Bình\"},"
  "\"bhyt\":{\"noiDangKyKCB\":\"01001\"}}";
static const char death_payload[] =
  "{\"khaiTu\":{\"nktHoTen\":\"Lê Văn Cường\",\"nktNgayChet\":\"20.11.2026\"},"
  "\"xoaThuongTru\":{\"laChuHo\":false,\"soThanhVienConLai\":0}}";

test_sub *
test_sub_new (refsvc_procedure p, const char *tx, const char *unit, const char *payload_json,
              int variant)
{
  test_sub *t = g_new0 (test_sub, 1);
  t->tx = g_strdup (tx);
  t->unit = g_strdup (unit);
  t->device = g_strdup_printf ("counter-%s-01", unit);
  if (!payload_json)
    payload_json = p == REFSVC_DEATH ? death_payload : birth_payload;
  t->payload = g_bytes_new (payload_json, strlen (payload_json));
  static const guint8 fake_cms[] = { 0x30, 0x80, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7 };
  t->signature = g_bytes_new (fake_cms, sizeof fake_cms);
  t->root = json_from_string (payload_json, NULL);
  assert_non_null (t->root);
  g_strlcpy (t->signer.subject, "CN=Nguyễn Văn Cán Bộ,O=UBND xã 00004,C=VN",
             sizeof t->signer.subject);
  g_strlcpy (t->signer.issuer, "CN=motcua signing CA TEST-ONLY,C=VN", sizeof t->signer.issuer);
  g_strlcpy (t->signer.serial, "1a2b3c", sizeof t->signer.serial);
  g_strlcpy (t->signer.key_type, "EC-P-256", sizeof t->signer.key_type);
  t->signer.signing_time = T0 - 60;
  /* The request body the service would hash: enough to vary by variant. */
  g_autofree char *body = g_strdup_printf ("{\"transactionId\":\"%s\",\"v\":%d,\"p\":%s}", tx,
                                           variant, payload_json);
  gsize len = sizeof t->sha;
  GChecksum *c = g_checksum_new (G_CHECKSUM_SHA256);
  g_checksum_update (c, (const guchar *) body, -1);
  g_checksum_get_digest (c, t->sha, &len);
  g_checksum_free (c);
  t->sub = (refsvc_submission) {
    .transaction_id = t->tx, .procedure = p, .unit = t->unit, .device_id = t->device,
    .request_sha256 = t->sha, .payload = t->payload, .payload_root = t->root,
    .signature = t->signature, .signer = &t->signer, .presence_verified = variant % 2 == 1,
  };
  return t;
}

void
test_sub_free (test_sub *t)
{
  if (!t)
    return;
  g_free (t->tx);
  g_free (t->unit);
  g_free (t->device);
  g_bytes_unref (t->payload);
  g_bytes_unref (t->signature);
  json_node_unref (t->root);
  g_free (t);
}

refsvc_backoffice_config
test_bo_defaults (void)
{
  return (refsvc_backoffice_config) {
    .refuse_ratio = 0, .supplement_ratio = 0, .seed = 1,
    .receive_s = 600, .start_s = 1800, .process_s = 86400, .return_s = 3600,
  };
}

JsonNode *
test_parse (const char *text)
{
  assert_non_null (text);
  GError *error = NULL;
  JsonNode *n = json_from_string (text, &error);
  if (!n)
    fail_msg ("not JSON (%s): %s", error->message, text);
  return n;
}

JsonObject *
test_system (JsonNode *doc, const char *system)
{
  JsonArray *a = json_object_get_array_member (json_node_get_object (doc), "systems");
  assert_non_null (a);
  for (guint i = 0; i < json_array_get_length (a); i++) {
    JsonObject *o = json_array_get_object_element (a, i);
    if (g_strcmp0 (json_object_get_string_member (o, "system"), system) == 0)
      return o;
  }
  fail_msg ("no system %s", system);
  return NULL;
}

const char *
test_system_status (JsonNode *doc, const char *system)
{
  return json_object_get_string_member (test_system (doc, system), "status");
}

char *
test_submit (refsvc_store *st, test_sub *t, const refsvc_backoffice_config *bo, gint64 now)
{
  guint status = 0;
  g_autofree char *answer = NULL;
  assert_int_equal (refsvc_store_submit (st, &t->sub, bo, now, &status, &answer),
                    REFSVC_STORE_CREATED);
  assert_int_equal (status, 201);
  g_autoptr (JsonNode) n = test_parse (answer);
  return g_strdup (json_object_get_string_member (json_node_get_object (n), "dossierId"));
}

const char *
test_status_of (refsvc_store *st, const char *dossier_id, const char *system)
{
  g_autoptr (JsonNode) doc = refsvc_store_dossier_status (st, dossier_id, NULL);
  assert_non_null (doc);
  /* status codes are static strings of the table: map back through it */
  const char *code = test_system_status (doc, system);
  for (int s = 0; s <= 10; s++)
    if (g_strcmp0 (refsvc_status_code (s), code) == 0)
      return refsvc_status_code (s);
  fail_msg ("unknown status %s", code);
  return NULL;
}

refsvc_xmldoc
test_make_doc (refsvc_doc_kind kind, const char *code, gboolean first_issue)
{
  refsvc_xmldoc d = { .kind = kind, .code = (char *) code, .facility = (char *) "01001",
                      .first_issue = first_issue, .fields = json_object_new () };
  json_object_set_string_member (d.fields, kind == REFSVC_DOC_BIRTH_CERT ? "MA_GCS" : "MA_GBT",
                                 code);
  json_object_set_string_member (d.fields, "HO_TEN_CON", "Nguyễn Thị An");
  g_strlcpy (d.signer.subject, "CN=Bệnh viện TEST-ONLY,C=VN", sizeof d.signer.subject);
  g_strlcpy (d.signer.key_type, "RSA-2048", sizeof d.signer.key_type);
  return d;
}

