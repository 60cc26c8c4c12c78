/* test-e2e-cli.c — a birth and a death dossier from card tap to "accepted"
 *
 * Everything real: the simulated chip cards behind a real pcscd
 * (tests/cardsim/cardsim-stack.sh), the reference liên thông service over
 * mutual TLS (service-harness.c), SoftHSM2 tokens for the clerk's signature
 * and the device key (tests/client/make-tokens.sh), a hospital's signed
 * birth certificate / death notice sent through the BHXH gateway, and the
 * built motcua-cli driven exactly as a script at a counter would:
 *
 *   dossier new → dossier fill (each person's card; the hospital document by
 *   its code) → dossier set (only what no document carries) → dossier
 *   validate → submit --send (sign with the token PIN, card-presence proof,
 *   enqueue, one sync pass) → the service has it exactly once.
 *
 * Prints how many fields were typed by hand for each dossier.  Needs root
 * (pcscd in its own mount namespace); exits 77 (skip) otherwise. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "motcua-config.h"
#include "service-harness.h"
#include "test-tokens.h"
#include "testsign.h"

#define FACILITY "01001"
#define GATEWAY_USER "01001_BV"
#define GATEWAY_PASSWORD "TEST-ONLY-password"

static svc_service *svc;
static TestTokens *tokens;
static char *work_dir;      /* dossier files, the queue, the configuration */
static char *stack_state;   /* the card stack */
static char *stack_script;
static char *profiles_dir;
static char *trust_dir;
static char *cli_path;
static char *gateway_token, *gateway_id_token;

/* ------------------------------------------------------------ helpers */

static gboolean
run_argv (char **argv, char **out, int *exit_code)
{
  g_autofree char *std_err = NULL;
  int wait_status = 0;
  g_autoptr(GError) error = NULL;
  if (!g_spawn_sync (NULL, argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, out, &std_err,
                     &wait_status, &error))
    {
      fprintf (stderr, "spawn %s: %s\n", argv[0], error->message);
      return FALSE;
    }
  if (std_err && *std_err)
    fprintf (stderr, "[%s %s] %s", argv[1], argv[2] ? argv[2] : "", std_err);
  *exit_code = WIFEXITED (wait_status) ? WEXITSTATUS (wait_status) : -1;
  return TRUE;
}

/* Runs motcua-cli with the NULL-terminated arguments; returns its exit code
 * and, when @json is not NULL, its standard output parsed. */
static int
cli (JsonNode **json, ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_ptr_array_add (argv, cli_path);
  va_list ap;
  va_start (ap, json);
  for (char *a = va_arg (ap, char *); a; a = va_arg (ap, char *))
    g_ptr_array_add (argv, a);
  va_end (ap);
  g_ptr_array_add (argv, NULL);

  g_autofree char *out = NULL;
  int code = -1;
  assert_true (run_argv ((char **) argv->pdata, &out, &code));
  if (json)
    {
      g_autoptr(JsonParser) p = json_parser_new ();
      *json = out && json_parser_load_from_data (p, out, -1, NULL)
              ? json_node_copy (json_parser_get_root (p)) : NULL;
      if (*json == NULL)
        fprintf (stderr, "motcua-cli output is not JSON:\n%s\n", out ? out : "");
    }
  return code;
}

static void
insert_card (const char *profile)
{
  g_autofree char *conf = g_strdup_printf ("%s/%s.conf", profiles_dir, profile);
  char *argv[] = { "/bin/sh", stack_script, "card", stack_state, "--profile", conf, NULL };
  int code = -1;
  g_autofree char *out = NULL;
  assert_true (run_argv (argv, &out, &code));
  assert_int_equal (code, 0);
}

/* The simulated card's CAN: the last 6 digits of the profile's ID number. */
static char *
card_can (const char *profile)
{
  g_autofree char *conf = g_strdup_printf ("%s/%s.conf", profiles_dir, profile);
  g_autofree char *text = NULL;
  assert_true (g_file_get_contents (conf, &text, NULL, NULL));
  const char *id = strstr (text, "id_number = ");
  assert_non_null (id);
  return g_strndup (id + strlen ("id_number = ") + 6, 6);
}

/* Taps @profile's card for @role. */
static void
fill_from_card (const char *file, const char *profile, const char *role)
{
  insert_card (profile);
  g_autofree char *can = card_can (profile);
  g_autoptr(JsonNode) out = NULL;
  int code = cli (&out, "dossier", "fill", file, "--role", role, "--can", can,
                  "--trust", trust_dir, "--json", NULL);
  assert_int_equal (code, 0);
}

/* Types one value (the clerk's keyboard); counts the typed fields. */
static guint typed;
static void
type_field (const char *file, const char *pointer, const char *value)
{
  assert_int_equal (cli (NULL, "dossier", "set", file, pointer, value, NULL), 0);
  typed++;
}

/* A typed value that is not text: a number, a yes/no, a list. */
static void
type_json (const char *file, const char *pointer, const char *json)
{
  assert_int_equal (cli (NULL, "dossier", "set", file, pointer, json, "--raw", NULL), 0);
  typed++;
}

static const char *
str_at (JsonNode *root, const char *pointer)
{
  return root ? svc_json_str (root, pointer) : NULL;
}

/* The string at @pointer equals @want (a missing member fails, not crashes). */
#define assert_json_str(root, pointer, want) \
  do { \
    const char *got_ = str_at ((root), (pointer)); \
    if (g_strcmp0 (got_, (want)) != 0) \
      fail_msg ("%s: got %s, want %s", (pointer), got_ ? got_ : "(absent)", (want)); \
  } while (0)

/* ------------------------------------------------------------ the hospital */

static svc_response *
gateway_post (const char *path, const char *const *pairs)
{
  g_autoptr(GString) body = g_string_new (NULL);
  for (size_t i = 0; pairs[i]; i += 2)
    {
      g_autofree char *v = g_uri_escape_string (pairs[i + 1], NULL, FALSE);
      g_string_append_printf (body, "%s%s=%s", i ? "&" : "", pairs[i], v);
    }
  return svc_request (svc, "POST", path, SVC_HOSPITAL, NULL,
                      "application/x-www-form-urlencoded", body->str, body->len);
}

/* The hospital sends a signed document through the BHXH gateway. */
static void
hospital_sends (int loai, const char *code, const char *const *overrides)
{
  g_autoptr(GBytes) xml = testsign_xml_document (loai, code, FACILITY, "hospital-ec-TEST-ONLY", overrides);
  assert_non_null (xml);
  g_autofree char *b64 = g_base64_encode (g_bytes_get_data (xml, NULL), g_bytes_get_size (xml));
  g_autofree char *md5 = g_compute_checksum_for_string (G_CHECKSUM_MD5, GATEWAY_PASSWORD, -1);
  g_autofree char *loai_s = g_strdup_printf ("%d", loai);
  const char *form[] = {
    "maCskcb", FACILITY, "token", gateway_token, "id_token", gateway_id_token,
    "username", GATEWAY_USER, "password", md5, "loaiHs", loai_s, "fileBase64Str", b64, NULL
  };
  g_autoptr(svc_response) r = gateway_post ("/api/hososuckhoe/guiGiayToDienTu", form);
  if (r->status != 200 || g_strcmp0 (svc_json_str (r->json, "/MaKetQua"), "200") != 0)
    fail_msg ("the gateway refused the document: HTTP %ld %s", r->status, r->body);
}

/* ------------------------------------------------------------ set-up */

static int
setup (void **state)
{
  (void) state;
  const char *root = g_getenv ("MOTCUA_SOURCE_ROOT");
  const char *build = g_getenv ("MOTCUA_BUILD_ROOT");
  if (!root || !build)
    return -1;
  profiles_dir = g_build_filename (root, "tests", "cardsim", "profiles", NULL);
  trust_dir = g_build_filename (root, "certs", "test", "trust", NULL);
  stack_script = g_build_filename (build, "tests", "cardsim", "cardsim-stack.sh", NULL);
  cli_path = g_build_filename (build, "client", "motcua-cli", NULL);
  work_dir = g_dir_make_tmp ("motcua-e2e-XXXXXX", NULL);
  stack_state = g_build_filename (work_dir, "cards", NULL);

  /* The card stack, with the mother's card first. */
  g_autofree char *mother = g_strdup_printf ("%s/mother.conf", profiles_dir);
  char *argv[] = { "/bin/sh", stack_script, "start", stack_state, "--profile", mother, NULL };
  g_autofree char *env = NULL;
  int code = -1;
  if (!run_argv (argv, &env, &code) || code != 0)
    return -1;
  /* export PCSCLITE_CSOCK_NAME=…  export MOTCUA_READER='…' */
  g_auto(GStrv) lines = g_strsplit (env, "\n", -1);
  for (size_t i = 0; lines[i]; i++)
    {
      char *line = lines[i];
      if (!g_str_has_prefix (line, "export "))
        continue;
      char *eq = strchr (line, '=');
      if (!eq)
        continue;
      *eq = '\0';
      g_autofree char *value = g_shell_unquote (eq + 1, NULL);
      g_setenv (line + strlen ("export "), value ? value : eq + 1, TRUE);
    }

  if ((svc = svc_start (NULL)) == NULL || (tokens = test_tokens_new ()) == NULL)
    return -1;

  /* The counter's configuration: the service, its device certificate, the
   * clerk's signing token and the device-key token (both SoftHSM2). */
  g_autofree char *conf_path = g_build_filename (work_dir, "motcua.conf", NULL);
  g_autofree char *queue = g_build_filename (work_dir, "queue.db", NULL);
  g_autofree char *conf = g_strdup_printf (
      "[motcua]\n"
      "service-url = %s\nservice-ca = %s/service-ca-TEST-ONLY.pem\n"
      "client-cert = %s/counter-TEST-ONLY.pem\nclient-key = %s/counter-TEST-ONLY.key\n"
      "unit = 00004\nactor = clerk-e2e\nqueue = %s\n"
      "token-module = %s\ntoken-label = motcua-clerk\nsigner-key = clerk-ec\n"
      "device-token-label = motcua-device\ndevice-key-label = device\n"
      "doc-trust = %s/signing-ca-TEST-ONLY.pem:%s/signing-ca-TEST-ONLY.crl\ncsca = %s\n",
      svc->url, svc->pki_dir, svc->pki_dir, svc->pki_dir, queue, tokens->module,
      svc->pki_dir, svc->pki_dir, trust_dir);
  if (!g_file_set_contents (conf_path, conf, -1, NULL))
    return -1;
  g_setenv ("MOTCUA_CONF", conf_path, TRUE);
  g_setenv ("XDG_CONFIG_HOME", work_dir, TRUE);   /* no user configuration */
  g_setenv ("MOTCUA_PIN", tokens->pin, TRUE);
  g_setenv ("MOTCUA_DEVICE_PIN", tokens->pin, TRUE);

  g_autofree char *md5 = g_compute_checksum_for_string (G_CHECKSUM_MD5, GATEWAY_PASSWORD, -1);
  const char *form[] = { "username", GATEWAY_USER, "password", md5, NULL };
  g_autoptr(svc_response) r = gateway_post ("/api/token/take", form);
  gateway_token = g_strdup (svc_json_str (r->json, "/APIKey/access_token"));
  gateway_id_token = g_strdup (svc_json_str (r->json, "/APIKey/id_token"));
  return gateway_token && gateway_id_token ? 0 : -1;
}

static int
teardown (void **state)
{
  (void) state;
  if (stack_state)
    {
      char *argv[] = { "/bin/sh", stack_script, "stop", stack_state, NULL };
      int code;
      g_autofree char *out = NULL;
      run_argv (argv, &out, &code);
    }
  gboolean clean = svc == NULL || svc_stop (svc);
  g_clear_pointer (&tokens, test_tokens_free);
  if (work_dir)
    {
      g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", work_dir);
      (void) !system (cmd);
    }
  return clean ? 0 : -1;
}

/* ------------------------------------------------------------ submitting */

/* Validates, submits with the card on the reader, and checks the service
 * holds the dossier exactly once with a verified card-presence proof. */
static void
submit_and_check (const char *file, const char *card_profile, const char *procedure)
{
  g_autoptr(JsonNode) problems = NULL;
  int valid = cli (&problems, "dossier", "validate", file, "--json", NULL);
  if (valid != 0)
    {
      g_autofree char *text = problems ? json_to_string (problems, TRUE) : g_strdup ("?");
      fail_msg ("dossier validate exited %d:\n%s", valid, text);
    }

  g_autofree char *can = card_can (card_profile);
  g_autoptr(JsonNode) item = NULL;
  assert_int_equal (cli (&item, "submit", file, "--send", "--can", can, "--trust", trust_dir,
                         "--json", NULL), 0);
  assert_non_null (item);
  /* Accepted; the first per-system statuses may already have arrived. */
  const char *st = str_at (item, "/state");
  assert_non_null (st);
  if (!g_str_equal (st, "accepted") && !g_str_equal (st, "processing"))
    {
      g_autofree char *text = json_to_string (item, TRUE);
      fail_msg ("submitted item not accepted:\n%s", text);
    }
  const char *tx = str_at (item, "/transactionId");
  const char *dossier_id = str_at (item, "/dossierId");
  assert_non_null (tx);
  assert_non_null (dossier_id);
  assert_int_equal (svc_admin_count_transaction (svc, tx), 1);

  g_autofree char *path = g_strdup_printf ("/v1/dossiers/%s", dossier_id);
  g_autoptr(svc_response) r = svc_get_as (svc, SVC_COUNTER, path);
  assert_int_equal (r->status, 200);
  assert_json_str (r->json, "/procedure", procedure);
  assert_json_str (r->json, "/transactionId", tx);
  /* The chip proved it was on the reader for this very dossier. */
  g_autoptr(JsonNode) stored = svc_admin (svc, "GET", "/admin/dossiers", NULL, NULL);
  const char *presence = NULL;
  for (guint i = 0; i < svc_json_len (stored, "/dossiers"); i++)
    {
      g_autofree char *tp = g_strdup_printf ("/dossiers/%u/transactionId", i);
      g_autofree char *pp = g_strdup_printf ("/dossiers/%u/cardPresence", i);
      if (g_strcmp0 (svc_json_str (stored, tp), tx) == 0)
        presence = svc_json_str (stored, pp);
    }
  assert_non_null (presence);
  assert_string_equal (presence, "verified");

  /* The local status agrees with the service's. */
  g_autoptr(JsonNode) status = NULL;
  assert_int_equal (cli (&status, "status", dossier_id, "--json", NULL), 0);
  assert_json_str (status, "/item/dossierId", dossier_id);
}

static void
test_birth (void **state)
{
  (void) state;
  g_autofree char *file = g_build_filename (work_dir, "birth.json", NULL);
  g_autofree char *code = g_strdup_printf ("%05d.GCS.%s.26", g_random_int_range (1, 99999), FACILITY);
  const char *overrides[] = {
    "HOTEN_NND", "Trần Thị Thu Hà", "NGAYSINH_NND", "19960314", "SO_CCCD_NND", "001196012345",
    "NGAYCAP_CCCD_NND", "20240801",
    "HO_TEN_CHA", "Nguyễn Văn Hùng", "SO_CCCD_CHA_NND", "036093004567",
    "NGAYSINH_CHA_NND", "19930802",
    "TEN_CON", "Nguyễn Minh Khang", "GIOI_TINH_CON", "1", NULL
  };
  hospital_sends (61, code, overrides);

  typed = 0;
  assert_int_equal (cli (NULL, "dossier", "new", "birth", "--unit", "00004", "-o", file, NULL), 0);
  fill_from_card (file, "mother", "mother");
  fill_from_card (file, "father", "father");
  fill_from_card (file, "father", "requester");
  g_autoptr(JsonNode) filled = NULL;
  assert_int_equal (cli (&filled, "dossier", "fill", file, "--birth-cert", code, "--json", NULL), 0);

  /* What no document carries. */
  type_field (file, "/khaiSinh/nycQuanHe", "Cha");
  type_field (file, "/khaiSinh/nycSoDienThoai", "0912345678");
  type_field (file, "/thuongTru/quanHeVoiChuHo", "Con");
  type_field (file, "/thuongTru/chuHoHoTen", "Nguyễn Văn Hùng");
  type_field (file, "/thuongTru/chuHoSoDinhDanh", "036093004567");
  type_json (file, "/thuongTru/noiThuongTru",
             "{\"maTinh\":\"01\",\"maXa\":\"00004\",\"dcChiTiet\":\"Số 12 ngõ 34 phố Đội Cấn\"}");
  type_json (file, "/bhyt/diaChiNhanThe",
             "{\"maTinh\":\"01\",\"maXa\":\"00004\",\"dcChiTiet\":\"Số 12 ngõ 34 phố Đội Cấn\"}");
  type_json (file, "/thuongTru/chuHoDongY", "true");
  type_field (file, "/bhyt/noiDangKyKCB", "01005");
  type_field (file, "/bhyt/phuongThucNhanThe", "2");
  /* The child's hometown follows the father's (quê quán), which no
   * document states for the child. */
  type_json (file, "/khaiSinh/nksQueQuan",
             "{\"maTinh\":\"37\",\"maXa\":\"14215\",\"dcChiTiet\":\"Xã Hải Hậu, tỉnh Ninh Bình\"}");
  /* The father's 2021 card prints a pre-2025 address whose ward was split:
   * prefill kept the text and warned; the clerk picks the 2025 ward. */
  type_field (file, "/khaiSinh/chaNoiCuTru/maTinh", "01");
  type_field (file, "/khaiSinh/chaNoiCuTru/maXa", "00004");
  type_field (file, "/khaiSinh/nycNoiCuTru/maTinh", "01");
  type_field (file, "/khaiSinh/nycNoiCuTru/maXa", "00004");
  fprintf (stderr, "e2e birth: %u fields typed by hand\n", typed);

  g_autoptr(JsonNode) shown = NULL;
  assert_int_equal (cli (&shown, "dossier", "show", file, "--json", NULL), 0);
  /* The mother's name came from her card; the child's from the certificate. */
  assert_json_str (shown, "/payload/khaiSinh/meHoTen", "Trần Thị Thu Hà");
  assert_json_str (shown, "/sources/~1khaiSinh~1meHoTen/kind", "card");
  assert_json_str (shown, "/payload/khaiSinh/nksHoTen", "Nguyễn Minh Khang");
  assert_json_str (shown, "/sources/~1khaiSinh~1nksHoTen/kind", "birthCertificate");

  submit_and_check (file, "father", "birth");
}

static void
test_death_head_of_household (void **state)
{
  (void) state;
  g_autofree char *file = g_build_filename (work_dir, "death.json", NULL);
  g_autofree char *code = g_strdup_printf ("%05d.GBT.%s.26", g_random_int_range (1, 99999), FACILITY);
  const char *overrides[] = {
    "HO_TEN", "Lê Văn Thành", "NGAY_SINH", "19480205", "GIOI_TINH", "1",
    "SO_GIAYTO", "001048003321", "NGAY_CAP", "20210410", NULL
  };
  hospital_sends (60, code, overrides);

  typed = 0;
  assert_int_equal (cli (NULL, "dossier", "new", "death", "--unit", "00004", "-o", file, NULL), 0);
  fill_from_card (file, "deceased", "deceased");
  fill_from_card (file, "requester-death", "requester");
  fill_from_card (file, "requester-death", "claimant");
  assert_int_equal (cli (NULL, "dossier", "fill", file, "--death-notice", code, NULL), 0);

  type_field (file, "/khaiTu/nycQuanHe", "Con");
  type_field (file, "/khaiTu/nycSoDienThoai", "0987654321");
  /* The deceased headed a household of three: the wife becomes the head
   * and the remaining members' relationships are restated. */
  type_json (file, "/xoaThuongTru/laChuHo", "true");
  type_json (file, "/xoaThuongTru/soThanhVienConLai", "2");
  type_field (file, "/xoaThuongTru/chuHoMoi/hoTen", "Phạm Thị Lan");
  type_field (file, "/xoaThuongTru/chuHoMoi/soDinhDanh", "001150001122");
  type_field (file, "/xoaThuongTru/chuHoMoi/quanHeVoiChuHoCu", "Vợ");
  type_json (file, "/xoaThuongTru/thanhVienConLai",
              "[{\"hoTen\":\"Phạm Thị Lan\",\"soDinhDanh\":\"001150001122\",\"quanHeVoiChuHoMoi\":\"Chủ hộ\"},"
              "{\"hoTen\":\"Lê Thị Mai\",\"soDinhDanh\":\"001180009876\",\"quanHeVoiChuHoMoi\":\"Con\"}]");
  type_field (file, "/maiTang/doiTuong", "1");
  type_field (file, "/maiTang/nguoiNhan/quanHe", "Con");
  type_field (file, "/maiTang/hinhThucNhan", "TIEN_MAT");
  type_field (file, "/maiTang/thoiGianMaiTang", "25.11.2026");
  type_field (file, "/maiTang/diaDiemMaiTang", "Nghĩa trang Văn Điển, Thành phố Hà Nội");
  /* The card's address and the death notice's differ: a conflict the clerk
   * settles by confirming the last residence. */
  type_json (file, "/khaiTu/nktNoiCuTru",
             "{\"maTinh\":\"01\",\"maXa\":\"00004\",\"dcChiTiet\":\"Số 5 phố Quán Thánh\"}");
  fprintf (stderr, "e2e death: %u fields typed by hand\n", typed);

  submit_and_check (file, "requester-death", "death");
}

int
main (void)
{
  if (getuid () != 0)
    {
      fprintf (stderr, "skip: needs root (pcscd in a private mount namespace)\n");
      return 77;
    }
  svc_global_init ();
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_birth),
    cmocka_unit_test (test_death_head_of_household),
  };
  return cmocka_run_group_tests (tests, setup, teardown);
}
