/* motcua-cli.c — the motcua command line: entry point and shared helpers */
#define G_LOG_DOMAIN "motcua-cli"

#include "motcua-config.h"

#include <glib/gi18n.h>
#include <locale.h>
#include <stdio.h>
#include <sys/stat.h>

#include "motcua-cli-private.h"

#define DEFAULT_TRUST_ETC "/etc/motcua/csca"
#define DEFAULT_TRUST_SHARE MOTCUA_DATADIR "/csca"

gboolean
motcua_cli_parse_args (int *argc, char ***argv, const char *name, const char *summary,
                       const char *args_name, const GOptionEntry *entries, int n_args, int *rc)
{
  g_autofree char *param = args_name ? g_strdup_printf ("%s — %s", args_name, summary)
                                     : g_strdup_printf ("— %s", summary);
  g_autoptr(GOptionContext) oc = g_option_context_new (param);
  g_autoptr(GError) error = NULL;
  g_option_context_add_main_entries (oc, entries, GETTEXT_PACKAGE);
  g_option_context_set_summary (oc, name);
  if (!g_option_context_parse (oc, argc, argv, &error))
    {
      g_printerr ("%s: %s\n", name, error->message);
      *rc = MOTCUA_EXIT_USAGE;
      return FALSE;
    }
  if (*argc > n_args + 1)
    {
      g_printerr ("%s: %s %s\n", name, _("Tham số thừa (unexpected argument)"), (*argv)[n_args + 1]);
      *rc = MOTCUA_EXIT_USAGE;
      return FALSE;
    }
  if (*argc < n_args + 1)
    {
      g_printerr ("%s: %s %s\n", name, _("Thiếu tham số (missing argument)"), args_name);
      *rc = MOTCUA_EXIT_USAGE;
      return FALSE;
    }
  return TRUE;
}

gboolean
motcua_cli_parse (int *argc, char ***argv, const char *name, const char *summary,
                  const GOptionEntry *entries, int *rc)
{
  return motcua_cli_parse_args (argc, argv, name, summary, NULL, entries, 0, rc);
}

char *
motcua_cli_hex (const uint8_t *data, size_t len)
{
  GString *s = g_string_sized_new (len * 2 + 1);
  for (size_t i = 0; i < len; i++)
    g_string_append_printf (s, "%02X", data[i]);
  return g_string_free (s, FALSE);
}

void
motcua_cli_print_json (JsonNode *node)
{
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  json_generator_set_pretty (gen, TRUE);
  json_generator_set_root (gen, node);
  g_autofree char *text = json_generator_to_data (gen, NULL);
  g_print ("%s\n", text);
  /* The text holds personal data: wipe before it goes back to the heap. */
  explicit_bzero (text, strlen (text));
  json_node_unref (node);
}

static mc_status
cli_trust_add (mc_trust_store *ts, const char *path)
{
  struct stat st;
  if (stat (path, &st) != 0)
    return MC_ERR_TRUST_STORE;
  if (S_ISDIR (st.st_mode))
    return mc_trust_store_add_dir (ts, path);
  if (g_str_has_suffix (path, ".ml"))
    return mc_trust_store_add_master_list (ts, path);
  if (g_str_has_suffix (path, ".crl"))
    return mc_trust_store_add_crl_file (ts, path);
  return mc_trust_store_add_cert_file (ts, path);
}

mc_status
motcua_cli_load_trust (char **paths, mc_trust_store **out)
{
  *out = NULL;
  mc_trust_store *ts = NULL;
  mc_status st = mc_trust_store_new (&ts);
  if (st != MC_OK)
    return st;
  if (paths && paths[0])
    {
      /* Named paths must load: a typo must not silently weaken checks. */
      for (size_t i = 0; paths[i]; i++)
        if ((st = cli_trust_add (ts, paths[i])) != MC_OK)
          {
            mc_trust_store_free (ts);
            return st;
          }
    }
  else
    {
      const char *env = g_getenv ("MOTCUA_CSCA_DIR");
      const char *defaults[] = { env, DEFAULT_TRUST_ETC, DEFAULT_TRUST_SHARE };
      for (size_t i = 0; i < G_N_ELEMENTS (defaults); i++)
        if (defaults[i] && g_file_test (defaults[i], G_FILE_TEST_IS_DIR))
          cli_trust_add (ts, defaults[i]);
    }
  if (mc_trust_store_count (ts) == 0)
    {
      mc_trust_store_free (ts);
      return MC_OK;   /* no store: passive authentication reports unverified */
    }
  *out = ts;
  return MC_OK;
}

static void
print_usage (void)
{
  g_print ("%s\n\n", _("Cách dùng: motcua-cli [--version] LỆNH ...  (usage: motcua-cli COMMAND ...)"));
  g_print ("%s\n", _("Lệnh (commands):"));
  g_print ("  card list   %s\n", _("liệt kê đầu đọc và thẻ (list readers and cards)"));
  g_print ("  card read   %s\n", _("đọc và xác thực thẻ căn cước gắn chip (read and verify the chip ID card)"));
  g_print ("  card watch  %s\n", _("theo dõi cắm/rút thẻ và đầu đọc (watch card and reader events)"));
  g_print ("  dossier new|fill|set|show|validate\n              %s\n",
           _("lập hồ sơ: điền từ thẻ và giấy tờ bệnh viện, nhập, kiểm tra (prepare a dossier)"));
  g_print ("  submit FILE [--can CAN] [--send]\n              %s\n",
           _("kiểm tra, ký số, xếp hàng gửi; --can: kèm bằng chứng thẻ có mặt (validate, sign, enqueue)"));
  g_print ("  hospital sign  %s\n", _("ký giấy chứng sinh / giấy báo tử (sign a birth certificate or death notice)"));
  g_print ("  queue list|show|retry|cancel|export|audit-verify|purge\n              %s\n",
           _("hàng đợi gửi hồ sơ (the submission queue)"));
  g_print ("  report --from DATE --to DATE [--stuck-days N] [--csv|--json]\n              %s\n",
           _("báo cáo tháng theo mẫu quốc gia (national monthly report)"));
  g_print ("  sync --once [--json] | sync --daemon\n              %s\n",
           _("gửi hàng đợi tới hệ thống liên thông, cập nhật trạng thái (drain the queue, poll statuses)"));
  g_print ("  status KEY [--json]\n              %s\n\n",
           _("trạng thái một hồ sơ, lấy mới từ hệ thống liên thông (one dossier's status, fresh)"));
  g_print ("%s\n", _("Mã thoát (exit codes):"));
  g_print ("  0  %s\n", _("thành công; với card read: thẻ thật (success; card read: genuine)"));
  g_print ("  2  %s\n", _("sai cú pháp lệnh (usage error)"));
  g_print ("  3  %s\n", _("đã đọc thẻ, chưa xác minh được tính xác thực (read, unverified)"));
  g_print ("  4  %s\n", _("đã đọc thẻ, xác thực THẤT BẠI (read, verification FAILED)"));
  g_print ("  5  %s\n", _("sai hoặc thiếu dữ liệu truy cập: CAN, MRZ (access denied)"));
  g_print ("  6  %s\n", _("không có đầu đọc hoặc không có thẻ (no reader or no card)"));
  g_print ("  7  %s\n", _("lỗi thẻ: bị rút ra, dữ liệu hỏng, lỗi đầu đọc (card error)"));
  g_print ("  8  %s\n", _("dịch vụ pcscd không chạy (no PC/SC service)"));
  g_print ("  9  %s\n", _("đã huỷ (cancelled)"));
  g_print ("  10 %s\n", _("hồ sơ còn lỗi (the dossier has validation errors)"));
  g_print ("  11 %s\n", _("sai mã PIN, còn lượt thử, hoặc đã huỷ nhập PIN (wrong PIN / PIN entry cancelled)"));
  g_print ("  12 %s\n", _("mã PIN đã bị khoá (PIN locked)"));
  g_print ("  13 %s\n", _("lỗi thiết bị ký số: không có token, khoá, chứng thư (token or signing error)"));
  g_print ("  14 %s\n", _("lỗi hàng đợi: không mở/ghi được, sai khoá thiết bị, dữ liệu bị sửa (queue error)"));
  g_print ("  15 %s\n", _("không tìm thấy hồ sơ hoặc giấy tờ (not found)"));
  g_print ("  16 %s\n", _("không làm được ở trạng thái hiện tại (not allowed in this state)"));
  g_print ("  17 %s\n", _("không kết nối được hệ thống liên thông; dữ liệu vẫn được giữ (network error, work kept)"));
  g_print ("  18 %s\n", _("hệ thống liên thông từ chối yêu cầu (refused by the service)"));
  g_print ("  19 %s\n", _("cấu hình thiếu hoặc sai (configuration error)"));
  g_print ("  20 %s\n", _("tệp hoặc giấy tờ sai định dạng hoặc không xác thực được (malformed or unauthentic data)"));
}

int
main (int argc, char **argv)
{
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, MOTCUA_LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  if (argc < 2 || g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h"))
    {
      print_usage ();
      return argc < 2 ? MOTCUA_EXIT_USAGE : MOTCUA_EXIT_OK;
    }
  if (g_str_equal (argv[1], "--version"))
    {
      g_print ("motcua-cli %s\n", MOTCUA_VERSION);
      return MOTCUA_EXIT_OK;
    }
  if (g_str_equal (argv[1], "dossier"))
    return motcua_cli_dossier (argc - 1, argv + 1);
  if (g_str_equal (argv[1], "submit"))
    return motcua_cli_submit (argc - 1, argv + 1);
  if (g_str_equal (argv[1], "card"))
    return motcua_cli_card (argc - 1, argv + 1);
  if (g_str_equal (argv[1], "hospital"))
    return motcua_cli_hospital (argc - 1, argv + 1);
  if (g_str_equal (argv[1], "queue"))
    return motcua_cli_queue (argc - 1, argv + 1);
  if (g_str_equal (argv[1], "report"))
    return motcua_cli_report (argc - 1, argv + 1);
  if (g_str_equal (argv[1], "sync"))
    return motcua_cli_sync (argc - 1, argv + 1);
  if (g_str_equal (argv[1], "status"))
    return motcua_cli_status (argc - 1, argv + 1);
  g_printerr ("%s: %s\n", _("Lệnh không hợp lệ (unknown command)"), argv[1]);
  print_usage ();
  return MOTCUA_EXIT_USAGE;
}
