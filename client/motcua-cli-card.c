/* motcua-cli-card.c — `motcua-cli card list|read|watch`
 *
 * Prints the holder's data to stdout (that is its job); nothing personal
 * goes to stderr or any log.  Exit codes are the MOTCUA_EXIT_* values. */
#define G_LOG_DOMAIN "motcua-cli-card"

#include <glib/gi18n.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "motcua-card-json.h"
#include "motcua-cli-private.h"

static mc_context *cli_ctx;   /* for the signal thread */

static gpointer
cli_signal_thread (gpointer data)
{
  sigset_t *set = data;
  int sig;
  if (sigwait (set, &sig) == 0 && cli_ctx)
    mc_context_cancel (cli_ctx);
  return NULL;
}

/* Ctrl-C cancels the blocking card call instead of killing the process
 * mid-transaction: signals are taken by a thread (sigwait), which then
 * calls the thread-safe mc_context_cancel. */
static void
cli_install_cancel (mc_context *ctx)
{
  static sigset_t set;
  sigemptyset (&set);
  sigaddset (&set, SIGINT);
  sigaddset (&set, SIGTERM);
  pthread_sigmask (SIG_BLOCK, &set, NULL);
  cli_ctx = ctx;
  g_thread_unref (g_thread_new ("cancel", cli_signal_thread, &set));
}

int
motcua_cli_exit_for_status (mc_status st)
{
  switch (st)
    {
    case MC_OK: return MOTCUA_EXIT_OK;
    case MC_ERR_ACCESS_DENIED:
    case MC_ERR_BAD_ACCESS_DATA:
    case MC_ERR_NEED_MRZ_DATA: return MOTCUA_EXIT_ACCESS_DENIED;
    case MC_ERR_NO_CARD:
    case MC_ERR_NO_READER: return MOTCUA_EXIT_NO_CARD;
    case MC_ERR_NO_SERVICE: return MOTCUA_EXIT_NO_SERVICE;
    case MC_ERR_CANCELLED: return MOTCUA_EXIT_CANCELLED;
    default: return MOTCUA_EXIT_CARD_ERROR;
    }
}

int
motcua_cli_card_error (mc_status st, const char *what)
{
  /* Vietnamese first, then English, then the stable code. */
  g_printerr ("%s: %s\n  (%s)\n  [%s]\n", what, mc_status_message_vi (st),
              mc_status_message_en (st), mc_status_code (st));
  return motcua_cli_exit_for_status (st);
}

/* ---------------------------------------------------------------- list */

static int
cli_card_list (int argc, char **argv)
{
  gboolean json = FALSE;
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Xuất JSON (JSON output)"), NULL },
    { NULL }
  };
  int rc;
  if (!motcua_cli_parse (&argc, &argv, "card list", _("Liệt kê đầu đọc thẻ (list readers)"), entries, &rc))
    return rc;

  mc_context *ctx = NULL;
  mc_status st = mc_context_new (&ctx);
  if (st != MC_OK)
    return motcua_cli_card_error (st, _("Không mở được dịch vụ thẻ"));
  mc_reader *readers = NULL;
  size_t n = 0;
  st = mc_context_list_readers (ctx, &readers, &n);
  if (st != MC_OK)
    {
      mc_context_free (ctx);
      return motcua_cli_card_error (st, _("Không liệt kê được đầu đọc"));
    }

  if (json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();
      json_builder_begin_array (b);
      for (size_t i = 0; i < n; i++)
        {
          g_autofree char *atr = motcua_cli_hex (readers[i].atr, readers[i].atr_len);
          json_builder_begin_object (b);
          json_builder_set_member_name (b, "name");
          json_builder_add_string_value (b, readers[i].name);
          json_builder_set_member_name (b, "card_present");
          json_builder_add_boolean_value (b, readers[i].card_present);
          json_builder_set_member_name (b, "card_in_use");
          json_builder_add_boolean_value (b, readers[i].card_in_use);
          json_builder_set_member_name (b, "atr");
          if (readers[i].atr_len)
            json_builder_add_string_value (b, atr);
          else
            json_builder_add_null_value (b);
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
      motcua_cli_print_json (json_builder_get_root (b));
    }
  else if (n == 0)
    g_print ("%s\n", _("Không có đầu đọc thẻ nào (no readers)."));
  else
    for (size_t i = 0; i < n; i++)
      {
        g_autofree char *atr = motcua_cli_hex (readers[i].atr, readers[i].atr_len);
        g_print ("%s\n  %s%s%s\n", readers[i].name,
                 readers[i].card_present ? _("có thẻ (card present)") : _("không có thẻ (no card)"),
                 readers[i].atr_len ? "  ATR " : "", readers[i].atr_len ? atr : "");
      }
  mc_readers_free (readers, n);
  mc_context_free (ctx);
  return MOTCUA_EXIT_OK;
}

/* ---------------------------------------------------------------- watch */

static int
cli_card_watch (int argc, char **argv)
{
  int count = 0;
  GOptionEntry entries[] = {
    { "count", 'n', 0, G_OPTION_ARG_INT, &count, N_("Dừng sau N sự kiện (stop after N events)"), "N" },
    { NULL }
  };
  int rc;
  if (!motcua_cli_parse (&argc, &argv, "card watch", _("Theo dõi đầu đọc và thẻ (watch readers and cards)"), entries, &rc))
    return rc;

  mc_context *ctx = NULL;
  mc_status st = mc_context_new (&ctx);
  if (st != MC_OK)
    return motcua_cli_card_error (st, _("Không mở được dịch vụ thẻ"));
  cli_install_cancel (ctx);
  static const char *names[] = {
    [MC_EVENT_NONE] = "none",
    [MC_EVENT_READER_ADDED] = "reader-added",
    [MC_EVENT_READER_REMOVED] = "reader-removed",
    [MC_EVENT_CARD_INSERTED] = "card-inserted",
    [MC_EVENT_CARD_REMOVED] = "card-removed",
    [MC_EVENT_SERVICE_RESTARTED] = "service-restarted",
  };
  for (int i = 0; count <= 0 || i < count; i++)
    {
      mc_event ev;
      st = mc_context_wait_event (ctx, -1, &ev);
      if (st != MC_OK)
        break;
      g_print ("%s\t%s\n", names[ev.kind], ev.reader);
      fflush (stdout);
    }
  mc_context_free (ctx);
  return st == MC_OK ? MOTCUA_EXIT_OK : motcua_cli_card_error (st, _("Dừng theo dõi"));
}

/* ---------------------------------------------------------------- read */

static void
print_field (const char *label, const char *value)
{
  g_print ("  %-34s %s\n", label, value ? value : "—");
}

static void
print_identity (const mc_identity *id, const mc_face *face, const mc_verdict *v,
                mc_access_method access, const mc_stats *stats)
{
  print_field (_("Số định danh (ID number)"), id->id_number);
  print_field (_("Họ và tên (full name)"), id->full_name);
  print_field (_("Ngày sinh (date of birth)"), id->date_of_birth);
  print_field (_("Giới tính (sex)"), id->sex);
  print_field (_("Quốc tịch (nationality)"), id->nationality);
  print_field (_("Dân tộc (ethnicity)"), id->ethnicity);
  print_field (_("Tôn giáo (religion)"), id->religion);
  print_field (_("Quê quán (place of origin)"), id->place_of_origin);
  print_field (_("Nơi thường trú (residence)"), id->place_of_residence);
  print_field (_("Đặc điểm nhận dạng (marks)"), id->identifying_marks);
  print_field (_("Ngày cấp (date of issue)"), id->date_of_issue);
  print_field (_("Có giá trị đến (date of expiry)"), id->date_of_expiry);
  print_field (_("Họ tên cha (father)"), id->father_name);
  print_field (_("Họ tên mẹ (mother)"), id->mother_name);
  print_field (_("Họ tên vợ/chồng (spouse)"), id->spouse_name);
  print_field (_("Số CMND cũ (old ID number)"), id->old_id_number);
  if (face)
    {
      g_autofree char *f = g_strdup_printf ("%s, %zu B", mc_face_format_name (face->format), face->len);
      print_field (_("Ảnh chân dung (face)"), f);
    }
  print_field (_("Phương thức truy cập (access)"),
               access == MC_ACCESS_PACE ? "PACE" : access == MC_ACCESS_BAC ? "BAC" : NULL);

  const char *verdict = v->status == MC_VERDICT_GENUINE ? _("THẺ THẬT (genuine)")
                      : v->status == MC_VERDICT_FAILED ? _("KHÔNG HỢP LỆ — có dấu hiệu giả mạo (FAILED)")
                      : _("Chưa xác minh được (unverified)");
  print_field (_("Kết luận (verdict)"), verdict);
  const struct { const char *label; const mc_check *c; } checks[] = {
    { _("  Xác thực thụ động (passive)"), &v->passive },
    { _("  Xác thực chủ động (active)"), &v->active },
    { _("  Xác thực chip (chip)"), &v->chip },
  };
  for (size_t i = 0; i < G_N_ELEMENTS (checks); i++)
    {
      g_autofree char *s = g_strdup_printf ("%s — %s", mc_check_result_name (checks[i].c->result),
                                            checks[i].c->reason);
      print_field (checks[i].label, s);
    }
  g_autofree char *st = g_strdup_printf ("%u APDU, %lu B in, %lu B out, %.0f ms text, %.0f ms total",
                                         stats->apdus, stats->bytes_in, stats->bytes_out,
                                         stats->ms_text, stats->ms_total);
  print_field (_("Thống kê (stats)"), st);
}

static int
exit_for_verdict (const mc_verdict *v)
{
  switch (v->status)
    {
    case MC_VERDICT_GENUINE: return MOTCUA_EXIT_OK;
    case MC_VERDICT_FAILED: return MOTCUA_EXIT_FAILED;
    case MC_VERDICT_UNVERIFIED: default: return MOTCUA_EXIT_UNVERIFIED;
    }
}

/* Builds the access data from the options; MC_ERR_BAD_ACCESS_DATA when
 * none or a mix was given. */
static mc_status
cli_access_from_options (const char *can, const char *id, const char *dob, const char *expiry,
                         char **mrz, mc_access *a)
{
  int kinds = (can != NULL) + (id || dob || expiry) + (mrz != NULL);
  if (kinds != 1)
    return MC_ERR_BAD_ACCESS_DATA;
  if (can)
    return mc_access_from_can (a, can);
  if (mrz)
    {
      if (g_strv_length (mrz) != 3)
        return MC_ERR_BAD_ACCESS_DATA;
      return mc_access_from_mrz (a, mrz[0], mrz[1], mrz[2]);
    }
  if (!id || !dob || !expiry)
    return MC_ERR_BAD_ACCESS_DATA;
  return mc_access_from_id (a, id, dob, expiry);
}

/* --mrz takes three values: GOption takes one per flag, so the two
 * following arguments are folded in before parsing. */
static char **
cli_take_mrz (int *argc, char **argv)
{
  for (int i = 1; i < *argc; i++)
    if (g_str_equal (argv[i], "--mrz"))
      {
        if (i + 3 >= *argc)
          return NULL;   /* fewer than three lines: reported as bad access data */
        char **mrz = g_new0 (char *, 4);
        for (int k = 0; k < 3; k++)
          mrz[k] = g_strdup (argv[i + 1 + k]);
        for (int j = i; j + 4 < *argc; j++)
          argv[j] = argv[j + 4];
        *argc -= 4;
        argv[*argc] = NULL;
        return mrz;
      }
  return NULL;
}

static int
cli_card_read (int argc, char **argv)
{
  g_autofree char *reader = NULL, *can = NULL, *id = NULL, *dob = NULL, *expiry = NULL;
  g_autofree char *face_out = NULL;
  g_auto(GStrv) trust_dirs = NULL;
  g_auto(GStrv) mrz = NULL;
  gboolean no_face = FALSE, json = FALSE, mrz_incomplete = FALSE;
  int wait = 0;
  GOptionEntry entries[] = {
    { "reader", 'r', 0, G_OPTION_ARG_STRING, &reader, N_("Tên đầu đọc (reader name; default: the first with a card)"), "NAME" },
    { "can", 0, 0, G_OPTION_ARG_STRING, &can, N_("Số CAN: 6 số cuối của số định danh (CAN)"), "DIGITS" },
    { "id", 0, 0, G_OPTION_ARG_STRING, &id, N_("Số định danh 12 chữ số (12-digit ID number)"), "NUMBER" },
    { "dob", 0, 0, G_OPTION_ARG_STRING, &dob, N_("Ngày sinh (date of birth)"), "YYYY-MM-DD" },
    { "expiry", 0, 0, G_OPTION_ARG_STRING, &expiry, N_("Ngày hết hạn (date of expiry)"), "YYYY-MM-DD" },
    { "mrz", 0, 0, G_OPTION_ARG_NONE, &mrz_incomplete, N_("Ba dòng MRZ mặt sau thẻ (the three MRZ lines)"), "'L1' 'L2' 'L3'" },
    { "no-face", 0, 0, G_OPTION_ARG_NONE, &no_face, N_("Không đọc ảnh (skip the face image)"), NULL },
    { "face-out", 0, 0, G_OPTION_ARG_FILENAME, &face_out, N_("Ghi ảnh ra tệp (write the face image to FILE)"), "FILE" },
    { "trust", 't', 0, G_OPTION_ARG_FILENAME_ARRAY, &trust_dirs, N_("Thư mục/tệp CSCA tin cậy (CSCA trust store; repeatable)"), "DIR" },
    { "wait", 'w', 0, G_OPTION_ARG_INT, &wait, N_("Chờ thẻ tối đa N giây (wait up to N s for a card)"), "N" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Xuất JSON (JSON output)"), NULL },
    { NULL }
  };
  mrz = cli_take_mrz (&argc, argv);
  int rc;
  if (!motcua_cli_parse (&argc, &argv, "card read",
                         _("Đọc và xác thực thẻ căn cước gắn chip (read and verify the chip ID card)"),
                         entries, &rc))
    return rc;

  mc_access access;
  memset (&access, 0, sizeof access);
  /* --mrz still here means it was not followed by three lines. */
  mc_status st = mrz_incomplete ? MC_ERR_BAD_ACCESS_DATA
                                : cli_access_from_options (can, id, dob, expiry, mrz, &access);
  /* The typed access data is a secret: wipe our copies now. */
  char *typed[] = { can, id, dob, expiry };
  for (size_t i = 0; i < G_N_ELEMENTS (typed); i++)
    if (typed[i])
      explicit_bzero (typed[i], strlen (typed[i]));
  for (size_t i = 0; mrz && mrz[i]; i++)
    explicit_bzero (mrz[i], strlen (mrz[i]));
  if (st != MC_OK)
    {
      mc_access_clear (&access);
      motcua_cli_card_error (st, _("Dữ liệu truy cập"));
      g_printerr ("%s\n", _("Dùng --can DIGITS, hoặc --id NUMBER --dob YYYY-MM-DD --expiry YYYY-MM-DD, hoặc --mrz 'L1' 'L2' 'L3'."));
      return MOTCUA_EXIT_USAGE;
    }

  mc_trust_store *trust = NULL;
  st = motcua_cli_load_trust (trust_dirs, &trust);
  if (st != MC_OK)
    {
      mc_access_clear (&access);
      return motcua_cli_card_error (st, _("Kho chứng thư CSCA"));
    }

  mc_context *ctx = NULL;
  mc_card *card = NULL;
  mc_identity *ident = NULL;
  mc_face *face = NULL;
  mc_verdict verdict;
  mc_stats stats;
  if ((st = mc_context_new (&ctx)) != MC_OK)
    goto out;
  cli_install_cancel (ctx);

  st = mc_card_connect (ctx, reader, &card);
  for (gint64 deadline = g_get_monotonic_time () + (gint64) wait * G_USEC_PER_SEC;
       st == MC_ERR_NO_CARD && wait > 0 && g_get_monotonic_time () < deadline;)
    {
      mc_event ev;
      mc_status w = mc_context_wait_event (ctx, (long) ((deadline - g_get_monotonic_time ()) / 1000), &ev);
      if (w != MC_OK && w != MC_ERR_TIMEOUT)
        {
          st = w;
          break;
        }
      st = mc_card_connect (ctx, reader, &card);
    }
  if (st != MC_OK)
    goto out;
  if ((st = mc_card_authenticate (card, &access)) != MC_OK)
    goto out;
  if ((st = mc_card_read_identity (card, &ident)) != MC_OK)
    goto out;
  if ((st = mc_card_verify (card, trust, &verdict)) != MC_OK)
    goto out;
  if (!no_face || face_out)
    {
      if ((st = mc_card_read_face (card, &face)) != MC_OK)
        goto out;
      if (face_out)
        {
          g_autoptr(GError) error = NULL;
          if (!g_file_set_contents_full (face_out, (const char *) face->data, (gssize) face->len,
                                         G_FILE_SET_CONTENTS_CONSISTENT, 0600, &error))
            {
              g_printerr ("%s: %s\n", _("Không ghi được ảnh"), error->message);
              st = MC_ERR_INVALID_ARG;
              goto out;
            }
        }
    }
  mc_card_get_verdict (card, &verdict);
  mc_card_get_stats (card, &stats);

  if (json)
    motcua_cli_print_json (motcua_card_json_build (ident, no_face ? NULL : face,
                                                   mc_card_access_method (card), &verdict, &stats));
  else
    print_identity (ident, no_face ? NULL : face, &verdict, mc_card_access_method (card), &stats);
  rc = exit_for_verdict (&verdict);

out:
  if (st != MC_OK)
    rc = motcua_cli_card_error (st, _("Không đọc được thẻ"));
  mc_access_clear (&access);
  mc_face_free (face);
  mc_identity_free (ident);
  mc_card_free (card);
  mc_context_free (ctx);
  mc_trust_store_free (trust);
  return rc;
}

int
motcua_cli_card (int argc, char **argv)
{
  if (argc < 2 || g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h"))
    {
      g_print ("%s\n\n  list   %s\n  read   %s\n  watch  %s\n",
               _("Cách dùng: motcua-cli card LỆNH [TUỲ CHỌN]  (usage: motcua-cli card COMMAND)"),
               _("liệt kê đầu đọc và thẻ (list readers and cards)"),
               _("đọc và xác thực thẻ (read and verify a card)"),
               _("theo dõi cắm/rút thẻ và đầu đọc (watch card and reader events)"));
      return argc < 2 ? MOTCUA_EXIT_USAGE : MOTCUA_EXIT_OK;
    }
  if (g_str_equal (argv[1], "list"))
    return cli_card_list (argc - 1, argv + 1);
  if (g_str_equal (argv[1], "read"))
    return cli_card_read (argc - 1, argv + 1);
  if (g_str_equal (argv[1], "watch"))
    return cli_card_watch (argc - 1, argv + 1);
  g_printerr ("%s: %s\n", _("Lệnh không hợp lệ (unknown command)"), argv[1]);
  return MOTCUA_EXIT_USAGE;
}
