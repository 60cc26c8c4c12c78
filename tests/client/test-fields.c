/* test-fields.c — field checks: ID numbers, dates, times, phones, e-mail */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <glib.h>
#include <glib/gstdio.h>

#include "motcua-fields.h"

static GPtrArray *
new_problems (void)
{
  return g_ptr_array_new_with_free_func ((GDestroyNotify) motcua_problem_free);
}

/* The problem with @code, or NULL. */
static MotcuaProblem *
find (GPtrArray *problems, const char *code)
{
  for (guint i = 0; i < problems->len; i++)
    {
      MotcuaProblem *p = g_ptr_array_index (problems, i);
      if (strcmp (p->code, code) == 0)
        return p;
    }
  return NULL;
}

/* The problem with @code; the test fails when there is none. */
static MotcuaProblem *
get (GPtrArray *problems, const char *code)
{
  MotcuaProblem *p = find (problems, code);
  if (p == NULL)
    {
      fail_msg ("no problem %s", code);
      abort ();
    }
  return p;
}

static char *
codes_dir (void)
{
  const char *root = g_getenv ("MOTCUA_SOURCE_ROOT");
  assert_non_null (root);
  return g_build_filename (root, "data", "codes", NULL);
}

static void
write_csv (const char *dir, const char *contents)
{
  g_autofree char *file = g_build_filename (dir, "units-legacy-to-2025.csv", NULL);
  assert_true (g_file_set_contents (file, contents, -1, NULL));
}

static void
test_problem (void **state)
{
  (void) state;
  g_autoptr (MotcuaProblem) p = motcua_problem_new (NULL, "x.y", MOTCUA_SEVERITY_WARNING, "Thử");
  assert_string_equal (p->path, "");
  assert_string_equal (p->code, "x.y");
  assert_int_equal (p->severity, MOTCUA_SEVERITY_WARNING);
  assert_string_equal (p->message, "Thử");
  motcua_problem_free (NULL);
}

/* Runs first: the province table is process-wide and loaded once. */
static void
test_load (void **state)
{
  (void) state;
  g_autoptr (GPtrArray) pr = new_problems ();
  /* Not loaded yet: the province check is skipped. */
  assert_true (motcua_fields_check_id_number ("003089012345", "1989-05-17", 'M', "/a", pr));
  assert_int_equal (pr->len, 0);

  g_autoptr (GError) error = NULL;
  assert_false (motcua_fields_load ("/nonexistent-motcua", &error));
  assert_true (g_error_matches (error, G_FILE_ERROR, G_FILE_ERROR_NOENT));
  g_clear_error (&error);

  g_autofree char *tmp = g_dir_make_tmp ("motcua-fields-XXXXXX", NULL);
  assert_non_null (tmp);
  write_csv (tmp, "a,b\n01,x\n");
  assert_false (motcua_fields_load (tmp, &error));
  assert_true (g_error_matches (error, MOTCUA_FIELDS_ERROR, MOTCUA_FIELDS_ERROR_DATA));
  g_clear_error (&error);
  write_csv (tmp, "name,old_province_code\n\"Hà Nội, thủ đô\",01\nX,1\n");
  assert_false (motcua_fields_load (tmp, &error));
  assert_non_null (strstr (error->message, ":3:"));
  g_clear_error (&error);
  write_csv (tmp, "old_province_code\r\n");
  assert_false (motcua_fields_load (tmp, &error));
  g_clear_error (&error);

  /* The real list, with a BOM and CRLF line ends. */
  g_autofree char *dir = codes_dir ();
  g_autofree char *real = g_build_filename (dir, "units-legacy-to-2025.csv", NULL);
  g_autofree char *contents = NULL;
  assert_true (g_file_get_contents (real, &contents, NULL, NULL));
  /* The shipped list already has CRLF ends: rebuild them from bare lines. */
  g_auto (GStrv) lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      gsize n = strlen (lines[i]);
      if (n > 0 && lines[i][n - 1] == '\r')
        lines[i][n - 1] = '\0';
    }
  g_autofree char *crlf = g_strjoinv ("\r\n", lines);
  g_autofree char *with_bom = g_strconcat ("\xEF\xBB\xBF", crlf, NULL);
  write_csv (tmp, with_bom);
  assert_true (motcua_fields_load (tmp, &error));
  assert_null (error);
  /* Loaded once: a later call is a no-op, even with a bad directory. */
  assert_true (motcua_fields_load ("/nonexistent-motcua", &error));
  assert_null (error);
  g_autofree char *file = g_build_filename (tmp, "units-legacy-to-2025.csv", NULL);
  g_unlink (file);
  g_rmdir (tmp);
}
static void
test_id_ok (void **state)
{
  (void) state;
  g_autoptr (GPtrArray) pr = new_problems ();
  /* Hà Nội (001), 1900s male (0), born 89. */
  assert_true (motcua_fields_check_id_number ("001089012345", "1989-05-17", 'M', "/me/id", pr));
  assert_int_equal (pr->len, 0);
  /* 2000s female (3), Hồ Chí Minh (079), born 2005; sex/date unknown also fine. */
  assert_true (motcua_fields_check_id_number ("079305000001", "2005-01-01", 'F', "/x", pr));
  assert_true (motcua_fields_check_id_number ("079305000001", NULL, 0, "/x", pr));
  assert_true (motcua_fields_check_id_number ("079305000001", "2005-01-01", 0, "/x", pr));
  assert_true (motcua_fields_check_id_number ("079305000001", NULL, 'F', "/x", pr));
  /* Other accepted birth-date forms. */
  assert_true (motcua_fields_check_id_number ("079305000001", "01/01/2005", 'F', "/x", pr));
  /* 2100s male (4); 2300s female (9). */
  assert_true (motcua_fields_check_id_number ("001400000000", "2100-03-01", 'M', "/x", pr));
  assert_true (motcua_fields_check_id_number ("001999000000", "2399-03-01", 'F', "/x", pr));
  /* Born before 1900: century unknown, only the year is compared. */
  assert_true (motcua_fields_check_id_number ("001099000000", "1899-03-01", 'M', "/x", pr));
  assert_int_equal (pr->len, 0);
}

static void
test_id_errors (void **state)
{
  (void) state;
  g_autoptr (GPtrArray) pr = new_problems ();
  assert_false (motcua_fields_check_id_number ("00108901234", "1989-05-17", 'M', "/me/id", pr));
  assert_int_equal (pr->len, 1);
  MotcuaProblem *p = get (pr, "id.length");
  assert_int_equal (p->severity, MOTCUA_SEVERITY_ERROR);
  assert_string_equal (p->path, "/me/id");
  assert_true (g_utf8_validate (p->message, -1, NULL));
  assert_non_null (strstr (p->message, "12"));

  g_ptr_array_set_size (pr, 0);
  assert_false (motcua_fields_check_id_number ("0010890123456", NULL, 0, "/a", pr));
  assert_false (motcua_fields_check_id_number ("", NULL, 0, "/a", pr));
  assert_int_equal (pr->len, 2);
  assert_non_null (find (pr, "id.length"));

  g_ptr_array_set_size (pr, 0);
  assert_false (motcua_fields_check_id_number ("00108901234A", NULL, 0, "/a", pr));
  assert_false (motcua_fields_check_id_number (" 01089012345", NULL, 0, "/a", pr));
  /* 12 characters, one of them a full-width digit: not ASCII digits. */
  assert_false (motcua_fields_check_id_number ("00108901234\xef\xbc\x95", NULL, 0, "/a", pr));
  assert_int_equal (pr->len, 3);
  for (guint i = 0; i < pr->len; i++)
    {
      MotcuaProblem *q = g_ptr_array_index (pr, i);
      assert_string_equal (q->code, "id.digits");
      assert_int_equal (q->severity, MOTCUA_SEVERITY_ERROR);
    }
  /* NULL problems: result only. */
  assert_false (motcua_fields_check_id_number ("123", NULL, 0, "/a", NULL));
}

static void
test_id_warnings (void **state)
{
  (void) state;
  g_autoptr (GPtrArray) pr = new_problems ();
  /* Century/sex digit 2 (2000s male) for a man born 1989: warning only. */
  assert_true (motcua_fields_check_id_number ("001289012345", "1989-05-17", 'M', "/me/id", pr));
  assert_int_equal (pr->len, 1);
  MotcuaProblem *p = get (pr, "id.century_sex");
  assert_int_equal (p->severity, MOTCUA_SEVERITY_WARNING);
  assert_string_equal (p->path, "/me/id");

  /* Right century, wrong sex. */
  g_ptr_array_set_size (pr, 0);
  assert_true (motcua_fields_check_id_number ("001089012345", "1989-05-17", 'F', "/a", pr));
  assert_int_equal (pr->len, 1);
  assert_non_null (find (pr, "id.century_sex"));
  /* Sex only / century only. */
  g_ptr_array_set_size (pr, 0);
  assert_true (motcua_fields_check_id_number ("001189012345", NULL, 'M', "/a", pr));
  assert_true (motcua_fields_check_id_number ("001289012345", "1989-05-17", 0, "/a", pr));
  assert_int_equal (pr->len, 2);

  /* Birth year digits wrong. */
  g_ptr_array_set_size (pr, 0);
  assert_true (motcua_fields_check_id_number ("001090012345", "1989-05-17", 'M', "/a", pr));
  assert_int_equal (pr->len, 1);
  p = get (pr, "id.birth_year");
  assert_int_equal (p->severity, MOTCUA_SEVERITY_WARNING);

  /* Province: 003 is no pre-2025 code, 1xx never; 096 (Cà Mau) is. */
  g_ptr_array_set_size (pr, 0);
  assert_true (motcua_fields_check_id_number ("003089012345", "1989-05-17", 'M', "/a", pr));
  assert_true (motcua_fields_check_id_number ("101089012345", "1989-05-17", 'M', "/a", pr));
  assert_true (motcua_fields_check_id_number ("096089012345", "1989-05-17", 'M', "/a", pr));
  assert_int_equal (pr->len, 2);
  assert_string_equal (((MotcuaProblem *) pr->pdata[0])->code, "id.province");
  assert_string_equal (((MotcuaProblem *) pr->pdata[1])->code, "id.province");
  assert_int_equal (((MotcuaProblem *) pr->pdata[0])->severity, MOTCUA_SEVERITY_WARNING);

  /* Everything wrong at once: three warnings, still no error. */
  g_ptr_array_set_size (pr, 0);
  assert_true (motcua_fields_check_id_number ("099512345678", "1989-05-17", 'M', "/a", pr));
  assert_int_equal (pr->len, 3);
  assert_non_null (find (pr, "id.province"));
  assert_non_null (find (pr, "id.century_sex"));
  assert_non_null (find (pr, "id.birth_year"));

  /* An unparsable birth date is "unknown", not a problem here. */
  g_ptr_array_set_size (pr, 0);
  assert_true (motcua_fields_check_id_number ("001089012345", "hôm qua", 'M', "/a", pr));
  assert_int_equal (pr->len, 0);
}

static void
assert_date (const char *text, const char *iso)
{
  GDate d;
  g_date_clear (&d, 1);
  assert_true (motcua_fields_parse_date (text, &d));
  g_autofree char *s = motcua_fields_format_date (&d, MOTCUA_DATE_ISO);
  assert_string_equal (s, iso);
}

static void
test_dates (void **state)
{
  (void) state;
  assert_date ("05/01/1990", "1990-01-05");
  assert_date ("5/1/1990", "1990-01-05");
  assert_date ("05.01.1990", "1990-01-05");
  assert_date ("05-01-1990", "1990-01-05");
  assert_date ("1990-01-05", "1990-01-05");
  assert_date ("1990-1-5", "1990-01-05");
  assert_date ("19900105", "1990-01-05");
  assert_date ("05011990", "1990-01-05");
  assert_date ("  05/01/1990\n", "1990-01-05");
  /* 8 digits starting 19/20 that are no yyyyMMdd date: ddMMyyyy. */
  assert_date ("20011990", "1990-01-20");
  assert_date ("19122000", "2000-12-19");
  assert_date ("20240229", "2024-02-29");
  assert_date ("29/02/2024", "2024-02-29");
  assert_date ("29/02/2000", "2000-02-29");
  assert_date ("31/12/9999", "9999-12-31");

  GDate d;
  g_date_clear (&d, 1);
  const char *refused[] = {
    "29/02/2023", "29/02/1900", "31/02/2024", "31/04/2024", "00/01/2024", "01/13/2024",
    "01/00/2024", "32/01/2024", "05/01/90", "05/01/01990", "005/01/1990", "05/01-1990",
    "05 01 1990", "05/01/1990x", "", "   ", "1990-01", "1990/01/05/", "0501199", "050119900",
    "00000000", "31022024", "20230229", "a5/01/1990", "05//1990", "12:30", "01/01/0000",
  };
  for (gsize i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      if (motcua_fields_parse_date (refused[i], &d))
        fail_msg ("accepted \"%s\"", refused[i]);
    }
  assert_false (g_date_valid (&d)); /* untouched */
}

static void
test_date_format (void **state)
{
  (void) state;
  GDate *d = g_date_new_dmy (7, G_DATE_MARCH, 2004);
  g_autofree char *dotted = motcua_fields_format_date (d, MOTCUA_DATE_DOTTED);
  g_autofree char *compact = motcua_fields_format_date (d, MOTCUA_DATE_COMPACT);
  g_autofree char *iso = motcua_fields_format_date (d, MOTCUA_DATE_ISO);
  assert_string_equal (dotted, "07.03.2004");
  assert_string_equal (compact, "20040307");
  assert_string_equal (iso, "2004-03-07");
  g_date_free (d);

  GDate invalid;
  g_date_clear (&invalid, 1);
  assert_null (motcua_fields_format_date (&invalid, MOTCUA_DATE_ISO));

  g_autoptr (GPtrArray) pr = new_problems ();
  g_autofree char *n1 = motcua_fields_normalize_date ("7/3/2004", MOTCUA_DATE_DOTTED, "/d", pr);
  assert_string_equal (n1, "07.03.2004");
  assert_int_equal (pr->len, 0);
  assert_null (motcua_fields_normalize_date ("29/02/2023", MOTCUA_DATE_ISO, "/d1", pr));
  assert_null (motcua_fields_normalize_date ("mồng 7", MOTCUA_DATE_ISO, "/d2", pr));
  assert_int_equal (pr->len, 2);
  MotcuaProblem *p = pr->pdata[0];
  assert_string_equal (p->code, "date.invalid");
  assert_string_equal (p->path, "/d1");
  assert_int_equal (p->severity, MOTCUA_SEVERITY_ERROR);
  p = pr->pdata[1];
  assert_string_equal (p->code, "date.format");
  assert_string_equal (p->path, "/d2");
}

static void
assert_time (const char *text, const char *expected)
{
  g_autoptr (GPtrArray) pr = new_problems ();
  g_autofree char *s = motcua_fields_normalize_time (text, "/t", pr);
  if (s == NULL)
    fail_msg ("refused \"%s\"", text);
  assert_string_equal (s, expected);
  assert_int_equal (pr->len, 0);
}

static void
test_times (void **state)
{
  (void) state;
  assert_time ("08:30", "08:30");
  assert_time ("8:30", "08:30");
  assert_time ("8h30", "08:30");
  assert_time ("08H30", "08:30");
  assert_time ("8h", "08:00");
  assert_time ("08:30:00", "08:30");
  assert_time ("23:59:59", "23:59");
  assert_time ("00:00", "00:00");
  assert_time (" 17:05 ", "17:05");

  guint h = 99, m = 99;
  assert_true (motcua_fields_parse_time ("9h05", &h, &m));
  assert_int_equal (h, 9);
  assert_int_equal (m, 5);

  g_autoptr (GPtrArray) pr = new_problems ();
  const char *refused[] = {
    "24:00", "12:60", "8:3", "8h5", "123:00", "08:30:60", "08:30:0", "08", "", "08:30 sáng",
    "08-30", "08:30:00:00", "h30", ":30", "-1:00", "8h30m",
  };
  for (gsize i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      if (motcua_fields_normalize_time (refused[i], "/t", pr) != NULL)
        fail_msg ("accepted \"%s\"", refused[i]);
    }
  assert_int_equal (pr->len, G_N_ELEMENTS (refused));
  MotcuaProblem *p = pr->pdata[0];
  assert_string_equal (p->code, "time.format");
  assert_int_equal (p->severity, MOTCUA_SEVERITY_ERROR);
}

static void
assert_phone (const char *text, const char *expected)
{
  g_autoptr (GPtrArray) pr = new_problems ();
  g_autofree char *s = motcua_fields_normalize_phone (text, "/p", pr);
  if (s == NULL)
    fail_msg ("refused \"%s\"", text);
  assert_string_equal (s, expected);
  assert_int_equal (pr->len, 0);
}

static void
test_phones (void **state)
{
  (void) state;
  assert_phone ("+84 912 345 678", "0912345678");
  assert_phone ("0912345678", "0912345678");
  assert_phone ("0912.345.678", "0912345678");
  assert_phone ("0912-345-678", "0912345678");
  assert_phone ("84912345678", "0912345678");
  assert_phone ("0084 912 345 678", "0912345678");
  assert_phone ("+84 (0) 912 345 678", "0912345678");
  assert_phone ("+84-3-2345-6789", "0323456789");
  assert_phone ("070 123 4567", "0701234567");
  assert_phone ("0583334444", "0583334444");
  assert_phone ("0861234567", "0861234567");
  /* Landlines: 02x + 8 digits (11), and a 10-digit one. */
  assert_phone ("(024) 3823 4567", "02438234567");
  assert_phone ("+84 28 3823 4567", "02838234567");
  assert_phone ("0283823456", "0283823456");

  g_autoptr (GPtrArray) pr = new_problems ();
  const char *refused[] = {
    "091234567",       /* 9 digits */
    "912345678",       /* no trunk 0 and no country code */
    "09123456789",     /* 11-digit mobile */
    "0123456789",      /* old 01x prefix */
    "0412345678",      /* no such prefix */
    "0612345678",
    "021234567",       /* 9-digit landline */
    "021234567890",    /* 12 digits */
    "+1 202 555 0100", /* not Vietnam */
    "+84",
    "",
    "0912 345 67a",
    "0912+345678",
    "++84912345678",
    "1900 1234",
    "0912345678 ext 1",
    "091234567812345678901234",
  };
  for (gsize i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      g_autofree char *s = motcua_fields_normalize_phone (refused[i], "/p", pr);
      if (s != NULL)
        fail_msg ("accepted \"%s\" as %s", refused[i], s);
    }
  assert_int_equal (pr->len, G_N_ELEMENTS (refused));
  MotcuaProblem *p = pr->pdata[0];
  assert_string_equal (p->code, "phone.format");
  assert_string_equal (p->path, "/p");
  assert_int_equal (p->severity, MOTCUA_SEVERITY_ERROR);
}

static void
test_emails (void **state)
{
  (void) state;
  const char *accepted[] = {
    "a@b.vn", "nguyen.van.a@example.com.vn", "x+tag@mail.example.org", "A_B-c@Sub-1.Example.VN",
    "ten@bộ.việtnam",
  };
  g_autoptr (GPtrArray) pr = new_problems ();
  for (gsize i = 0; i < G_N_ELEMENTS (accepted); i++)
    {
      if (!motcua_fields_check_email (accepted[i], "/e", pr))
        fail_msg ("refused \"%s\"", accepted[i]);
    }
  assert_int_equal (pr->len, 0);

  /* Length limits: local part 64 ok / 65 not; total 254 ok / 255 not. */
  g_autofree char *l64 = g_strnfill (64, 'a');
  g_autofree char *l65 = g_strnfill (65, 'a');
  g_autofree char *ok64 = g_strconcat (l64, "@example.vn", NULL);
  g_autofree char *bad65 = g_strconcat (l65, "@example.vn", NULL);
  assert_true (motcua_fields_check_email (ok64, "/e", NULL));
  assert_false (motcua_fields_check_email (bad65, "/e", NULL));
  g_autofree char *lab = g_strnfill (63, 'd');
  /* "a@" + 3 × (63 + ".") + 57 + ".vn" = 2 + 192 + 57 + 3 = 254 */
  g_autofree char *tail57 = g_strnfill (57, 'e');
  g_autofree char *t254 = g_strconcat ("a@", lab, ".", lab, ".", lab, ".", tail57, ".vn", NULL);
  g_autofree char *t255 = g_strconcat ("ab@", lab, ".", lab, ".", lab, ".", tail57, ".vn", NULL);
  assert_int_equal (strlen (t254), 254);
  assert_true (motcua_fields_check_email (t254, "/e", NULL));
  assert_false (motcua_fields_check_email (t255, "/e", NULL));
  g_autofree char *lab64 = g_strnfill (64, 'd');
  g_autofree char *longlabel = g_strconcat ("a@", lab64, ".vn", NULL);
  assert_false (motcua_fields_check_email (longlabel, "/e", NULL));

  const char *refused[] = {
    "", "a", "a@", "@b.vn", "a@b", "a@@b.vn", "a@b@c.vn", "a b@c.vn", " a@b.vn", "a@b.vn ",
    "a@b .vn", ".a@b.vn", "a.@b.vn", "a..b@c.vn", "a@.b.vn", "a@b.vn.", "a@b..vn", "a@-b.vn",
    "a@b-.vn", "a@b_c.vn", "\"a\"@b.vn", "a(b)@c.vn", "a@b.vn\n", "ạ@b.vn", "a@b\xc2\xa0x.vn",
    "a@\xff.vn",
  };
  for (gsize i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      if (motcua_fields_check_email (refused[i], "/e", pr))
        fail_msg ("accepted \"%s\"", refused[i]);
    }
  assert_int_equal (pr->len, G_N_ELEMENTS (refused));
  MotcuaProblem *p = pr->pdata[0];
  assert_string_equal (p->code, "email.format");
  assert_string_equal (p->path, "/e");
  assert_int_equal (p->severity, MOTCUA_SEVERITY_ERROR);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_problem),
    cmocka_unit_test (test_load),
    cmocka_unit_test (test_id_ok),
    cmocka_unit_test (test_id_errors),
    cmocka_unit_test (test_id_warnings),
    cmocka_unit_test (test_dates),
    cmocka_unit_test (test_date_format),
    cmocka_unit_test (test_times),
    cmocka_unit_test (test_phones),
    cmocka_unit_test (test_emails),
  };
  return cmocka_run_group_tests_name ("fields", tests, NULL, NULL);
}
