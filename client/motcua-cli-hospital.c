/* motcua-cli-hospital.c — `motcua-cli hospital sign IN.xml -o OUT.xml`
 *
 * Signs a birth certificate (HSDLGCS) or death notice (HSDLGBT) package
 * with the hospital's signer from the configuration (motcua-conf.h), in
 * the BHXH PL02 layout (docs/protocol-hospital.md §6).  The PIN comes from
 * MOTCUA_PIN or is asked on the terminal without echo; with a PIN pad it
 * is typed on the pad. */
#define G_LOG_DOMAIN "motcua-cli"

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "motcua-cli-private.h"
#include "motcua-conf.h"
#include "motcua-error.h"
#include "motcua-signer.h"

static gboolean
write_atomically (const char *path, GBytes *data, GError **error)
{
  g_autoptr (GError) local = NULL;
  if (!g_file_set_contents_full (path, g_bytes_get_data (data, NULL), (gssize) g_bytes_get_size (data),
                                 G_FILE_SET_CONTENTS_CONSISTENT, 0644, &local))
    {
      motcua_error_set (error, MOTCUA_ERROR_IO, "%s", local->message);
      return FALSE;
    }
  return TRUE;
}

static gboolean
login (MotcuaSigner *signer, GError **error)
{
  if (motcua_signer_is_logged_in (signer))
    return TRUE;
  if (motcua_signer_has_pin_pad (signer))
    {
      g_printerr ("%s\n", _("Nhập mã PIN trên bàn phím của đầu đọc (enter the PIN on the PIN pad)"));
      return motcua_signer_login (signer, NULL, error);
    }
  char *pin = motcua_cli_read_pin ("MOTCUA_PIN", _("Mã PIN thiết bị ký (signing token PIN)"));
  if (pin == NULL)
    {
      motcua_error_set (error, MOTCUA_ERROR_PIN_CANCELLED, _("không có mã PIN: đặt MOTCUA_PIN hoặc chạy trên terminal (no PIN: set MOTCUA_PIN or use a terminal)"));
      return FALSE;
    }
  gboolean ok = motcua_signer_login (signer, pin, error);
  motcua_cli_pin_free (pin);
  return ok;
}

static int
cli_hospital_sign (int argc, char **argv)
{
  g_autofree char *out_path = NULL;
  gboolean json = FALSE;
  int rc = MOTCUA_EXIT_OK;
  const GOptionEntry entries[] = {
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &out_path, N_("tệp XML đã ký (the signed XML file)"), "OUT.xml" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("kết quả dạng JSON (JSON output)"), NULL },
    { NULL, 0, 0, 0, NULL, NULL, NULL },
  };
  if (!motcua_cli_parse_args (&argc, &argv, "motcua-cli hospital sign",
                              _("ký giấy chứng sinh / giấy báo tử (sign a birth certificate or death notice)"),
                              "IN.xml", entries, 1, &rc))
    return rc;
  if (out_path == NULL)
    {
      g_printerr ("motcua-cli hospital sign: %s\n", _("thiếu -o OUT.xml (missing -o OUT.xml)"));
      return MOTCUA_EXIT_USAGE;
    }

  g_autoptr (GError) error = NULL;
  g_autoptr (MotcuaConf) conf = NULL;
  g_autoptr (MotcuaSigner) signer = NULL;
  g_autoptr (GBytes) in = NULL, signed_xml = NULL;
  g_autofree char *text = NULL;
  gsize len = 0;
  g_autoptr (GError) io = NULL;

  if (!g_file_get_contents (argv[1], &text, &len, &io))
    {
      motcua_error_set (&error, MOTCUA_ERROR_IO, "%s", io->message);
      goto fail;
    }
  in = g_bytes_new_take (g_steal_pointer (&text), len);
  if ((conf = motcua_conf_load (&error)) == NULL
      || (signer = motcua_conf_open_signer (conf, &error)) == NULL
      || !login (signer, &error)
      || (signed_xml = motcua_signer_sign_xml (signer, in, &error)) == NULL
      || !write_atomically (out_path, signed_xml, &error))
    goto fail;

  if (json)
    {
      g_autoptr (JsonBuilder) b = json_builder_new ();
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "output");
      json_builder_add_string_value (b, out_path);
      json_builder_set_member_name (b, "signer");
      json_builder_add_string_value (b, motcua_signer_get_subject (signer));
      json_builder_set_member_name (b, "bytes");
      json_builder_add_int_value (b, (gint64) g_bytes_get_size (signed_xml));
      json_builder_end_object (b);
      motcua_cli_print_json (json_builder_get_root (b));
    }
  else
    g_print ("%s: %s\n%s: %s\n", _("Đã ký (signed)"), out_path, _("Người ký (signer)"),
             motcua_signer_get_subject (signer));
  return MOTCUA_EXIT_OK;

fail:
  motcua_cli_print_error (error, json);
  return motcua_cli_exit_for_error (error);
}

int
motcua_cli_hospital (int argc, char **argv)
{
  if (argc < 2 || g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h"))
    {
      g_print ("%s\n\n  sign IN.xml -o OUT.xml [--json]   %s\n",
               _("Cách dùng: motcua-cli hospital LỆNH [TUỲ CHỌN]  (usage: motcua-cli hospital COMMAND)"),
               _("ký giấy chứng sinh / giấy báo tử (sign a birth certificate or death notice)"));
      return argc < 2 ? MOTCUA_EXIT_USAGE : MOTCUA_EXIT_OK;
    }
  if (g_str_equal (argv[1], "sign"))
    return cli_hospital_sign (argc - 1, argv + 1);
  g_printerr ("%s: %s\n", _("Lệnh không hợp lệ (unknown command)"), argv[1]);
  return MOTCUA_EXIT_USAGE;
}
