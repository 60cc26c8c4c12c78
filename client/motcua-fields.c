/* motcua-fields.c — field-level validation and normalisation of dossiers
 *
 * ID numbers (Thông tư 07/2016/TT-BCA structure, warnings only), dates,
 * times, phone numbers and e-mail addresses.  See motcua-fields.h for the
 * accepted forms and the machine codes. */
#define G_LOG_DOMAIN "motcua-fields"

#include "motcua-fields.h"
#include "motcua-csv.h"

#include <string.h>
#include <glib/gi18n-lib.h>

G_DEFINE_QUARK (motcua-fields-error-quark, motcua_fields_error)

MotcuaProblem *
motcua_problem_new (const char *path, const char *code, MotcuaSeverity s, const char *message)
{
  g_return_val_if_fail (code != NULL, NULL);
  g_return_val_if_fail (message != NULL, NULL);
  g_return_val_if_fail (s == MOTCUA_SEVERITY_WARNING || s == MOTCUA_SEVERITY_ERROR, NULL);

  MotcuaProblem *p = g_new0 (MotcuaProblem, 1);
  p->path = g_strdup (path ? path : "");
  p->code = g_strdup (code);
  p->severity = s;
  p->message = g_strdup (message);
  return p;
}

void
motcua_problem_free (MotcuaProblem *p)
{
  if (p == NULL)
    return;
  g_free (p->path);
  g_free (p->code);
  g_free (p->message);
  g_free (p);
}

static void
add_problem (GPtrArray *problems, const char *path, const char *code, MotcuaSeverity s,
             const char *message)
{
  if (problems != NULL)
    g_ptr_array_add (problems, motcua_problem_new (path, code, s, message));
}

/* ---- Province codes ------------------------------------------------------ */

static GMutex provinces_lock;
static GHashTable *provinces; /* "01" → itself; immutable once published */

/* Field index of one CSV line, or NULL when the line is malformed or
 * has fewer fields. */
static char *
csv_field (const char *line, guint index)
{
  g_autoptr (GPtrArray) fields = g_ptr_array_new_with_free_func (g_free);

  if (motcua_csv_split (line, fields) != NULL || index >= fields->len)
    return NULL;
  return g_strdup (g_ptr_array_index (fields, index));
}

gboolean
motcua_fields_load (const char *codes_dir, GError **error)
{
  g_return_val_if_fail (codes_dir != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  g_autoptr (GMutexLocker) locker = g_mutex_locker_new (&provinces_lock);
  if (g_atomic_pointer_get (&provinces) != NULL)
    return TRUE;

  g_autofree char *file = g_build_filename (codes_dir, "units-legacy-to-2025.csv", NULL);
  g_autofree char *contents = NULL;
  if (!g_file_get_contents (file, &contents, NULL, error))
    return FALSE;

  g_auto (GStrv) lines = g_strsplit (contents, "\n", -1);
  g_autoptr (GHashTable) set = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  gint column = -1;
  for (guint i = 0; lines[i] != NULL; i++)
    {
      char *line = lines[i];
      gsize len = strlen (line);
      if (len > 0 && line[len - 1] == '\r')
        line[--len] = '\0';
      if (i == 0 && g_str_has_prefix (line, "\xEF\xBB\xBF"))
        line += 3;
      if (len == 0)
        continue;
      if (column < 0)
        {
          for (guint c = 0; c < 64; c++)
            {
              g_autofree char *name = csv_field (line, c);
              if (name == NULL)
                break;
              if (strcmp (name, "old_province_code") == 0)
                {
                  column = (gint) c;
                  break;
                }
            }
          if (column < 0)
            {
              g_set_error (error, MOTCUA_FIELDS_ERROR, MOTCUA_FIELDS_ERROR_DATA,
                           "%s: no column old_province_code in the header", file);
              return FALSE;
            }
          continue;
        }
      g_autofree char *code = csv_field (line, (guint) column);
      if (code == NULL || strlen (code) != 2 || !g_ascii_isdigit (code[0])
          || !g_ascii_isdigit (code[1]))
        {
          g_set_error (error, MOTCUA_FIELDS_ERROR, MOTCUA_FIELDS_ERROR_DATA,
                       "%s:%u: old_province_code is not two digits", file, i + 1);
          return FALSE;
        }
      if (!g_hash_table_contains (set, code))
        g_hash_table_add (set, g_steal_pointer (&code));
    }
  if (g_hash_table_size (set) == 0)
    {
      g_set_error (error, MOTCUA_FIELDS_ERROR, MOTCUA_FIELDS_ERROR_DATA,
                   "%s: no province codes", file);
      return FALSE;
    }
  g_debug ("%u pre-2025 province codes loaded from %s", g_hash_table_size (set), file);
  g_atomic_pointer_set (&provinces, g_steal_pointer (&set));
  return TRUE;
}

/* ---- Dates --------------------------------------------------------------- */

typedef enum { DATE_OK, DATE_BAD_SHAPE, DATE_NO_SUCH_DAY } DateResult;

/* Copies @text without surrounding ASCII blanks into @buf (size @size);
 * FALSE when it does not fit. */
static gboolean
trimmed_copy (const char *text, char *buf, gsize size)
{
  while (g_ascii_isspace (*text))
    text++;
  gsize len = strlen (text);
  while (len > 0 && g_ascii_isspace (text[len - 1]))
    len--;
  if (len >= size)
    return FALSE;
  memcpy (buf, text, len);
  buf[len] = '\0';
  return TRUE;
}

/* Reads a run of 1–4 ASCII digits; returns how many (0 = none or too many). */
static guint
read_number (const char **p, guint *value)
{
  guint n = 0;
  *value = 0;
  while (g_ascii_isdigit (**p))
    {
      if (++n > 4)
        return 0;
      *value = *value * 10 + (guint) (**p - '0');
      (*p)++;
    }
  return n;
}

static gboolean
valid_dmy (guint d, guint m, guint y)
{
  return y >= 1 && y <= 9999 && m >= 1 && m <= 12 && d >= 1 && d <= 31
         && g_date_valid_dmy ((GDateDay) d, (GDateMonth) m, (GDateYear) y);
}

static guint
digits_value (const char *s, guint n)
{
  guint v = 0;
  for (guint i = 0; i < n; i++)
    v = v * 10 + (guint) (s[i] - '0');
  return v;
}

static DateResult
parse_date (const char *text, GDate *out)
{
  char buf[16];
  guint d, m, y;
  if (!trimmed_copy (text, buf, sizeof buf))
    return DATE_BAD_SHAPE;

  gsize len = strlen (buf);
  if (len == 8 && strspn (buf, "0123456789") == 8)
    {
      y = digits_value (buf, 4);
      m = digits_value (buf + 4, 2);
      d = digits_value (buf + 6, 2);
      if (!((buf[0] == '1' && buf[1] == '9') || (buf[0] == '2' && buf[1] == '0'))
          || !valid_dmy (d, m, y))
        {
          d = digits_value (buf, 2);
          m = digits_value (buf + 2, 2);
          y = digits_value (buf + 4, 4);
        }
    }
  else
    {
      const char *p = buf;
      guint a, b, c;
      guint na = read_number (&p, &a);
      char sep = *p;
      if (na == 0 || (sep != '/' && sep != '.' && sep != '-'))
        return DATE_BAD_SHAPE;
      p++;
      guint nb = read_number (&p, &b);
      if (nb == 0 || nb > 2 || *p != sep)
        return DATE_BAD_SHAPE;
      p++;
      guint nc = read_number (&p, &c);
      if (nc == 0 || *p != '\0')
        return DATE_BAD_SHAPE;
      if (na == 4 && nc <= 2)
        y = a, m = b, d = c;
      else if (na <= 2 && nc == 4)
        d = a, m = b, y = c;
      else
        return DATE_BAD_SHAPE;
    }
  if (!valid_dmy (d, m, y))
    return DATE_NO_SUCH_DAY;
  if (out != NULL)
    g_date_set_dmy (out, (GDateDay) d, (GDateMonth) m, (GDateYear) y);
  return DATE_OK;
}

gboolean
motcua_fields_parse_date (const char *text, GDate *out)
{
  g_return_val_if_fail (text != NULL, FALSE);
  return parse_date (text, out) == DATE_OK;
}

char *
motcua_fields_format_date (const GDate *date, MotcuaDateFormat format)
{
  g_return_val_if_fail (date != NULL, NULL);
  if (!g_date_valid (date))
    return NULL;
  guint d = g_date_get_day (date), m = g_date_get_month (date), y = g_date_get_year (date);
  switch (format)
    {
    case MOTCUA_DATE_DOTTED:
      return g_strdup_printf ("%02u.%02u.%04u", d, m, y);
    case MOTCUA_DATE_COMPACT:
      return g_strdup_printf ("%04u%02u%02u", y, m, d);
    case MOTCUA_DATE_ISO:
      return g_strdup_printf ("%04u-%02u-%02u", y, m, d);
    default:
      g_return_val_if_reached (NULL);
    }
}

char *
motcua_fields_normalize_date (const char *text, MotcuaDateFormat format, const char *path,
                              GPtrArray *problems)
{
  g_return_val_if_fail (text != NULL, NULL);
  GDate date;
  g_date_clear (&date, 1);
  switch (parse_date (text, &date))
    {
    case DATE_OK:
      return motcua_fields_format_date (&date, format);
    case DATE_NO_SUCH_DAY:
      add_problem (problems, path, "date.invalid", MOTCUA_SEVERITY_ERROR,
                   _("Ngày này không có trong lịch (ví dụ: 31/02 hoặc 29/02 của năm không nhuận)."));
      return NULL;
    case DATE_BAD_SHAPE:
    default:
      add_problem (problems, path, "date.format", MOTCUA_SEVERITY_ERROR,
                   _("Ngày không đúng định dạng; hãy nhập theo dạng ngày/tháng/năm, ví dụ 05/01/1990."));
      return NULL;
    }
}

/* ---- Times --------------------------------------------------------------- */

gboolean
motcua_fields_parse_time (const char *text, guint *hour, guint *minute)
{
  g_return_val_if_fail (text != NULL, FALSE);
  char buf[16];
  if (!trimmed_copy (text, buf, sizeof buf))
    return FALSE;

  const char *p = buf;
  guint h, m = 0, s;
  guint nh = read_number (&p, &h);
  if (nh == 0 || nh > 2 || h > 23)
    return FALSE;
  if (*p == ':')
    {
      p++;
      if (read_number (&p, &m) != 2 || m > 59)
        return FALSE;
      if (*p == ':')
        {
          p++;
          if (read_number (&p, &s) != 2 || s > 59)
            return FALSE;
        }
    }
  else if (*p == 'h' || *p == 'H')
    {
      p++;
      if (*p != '\0' && (read_number (&p, &m) != 2 || m > 59))
        return FALSE;
    }
  else
    return FALSE;
  if (*p != '\0')
    return FALSE;
  if (hour != NULL)
    *hour = h;
  if (minute != NULL)
    *minute = m;
  return TRUE;
}

char *
motcua_fields_normalize_time (const char *text, const char *path, GPtrArray *problems)
{
  g_return_val_if_fail (text != NULL, NULL);
  guint h, m;
  if (!motcua_fields_parse_time (text, &h, &m))
    {
      add_problem (problems, path, "time.format", MOTCUA_SEVERITY_ERROR,
                   _("Giờ không hợp lệ; hãy nhập theo dạng giờ:phút từ 00:00 đến 23:59, ví dụ 08:30."));
      return NULL;
    }
  return g_strdup_printf ("%02u:%02u", h, m);
}

/* ---- ID numbers ---------------------------------------------------------- */

gboolean
motcua_fields_check_id_number (const char *id, const char *birth_date, char sex,
                               const char *path, GPtrArray *problems)
{
  g_return_val_if_fail (id != NULL, FALSE);
  g_return_val_if_fail (sex == 0 || sex == 'M' || sex == 'F', FALSE);

  glong n = g_utf8_validate (id, -1, NULL) ? g_utf8_strlen (id, -1) : (glong) strlen (id);
  if (n != 12)
    {
      g_autofree char *msg = g_strdup_printf (
          _("Số định danh cá nhân phải có đúng 12 chữ số (đang có %ld ký tự)."), n);
      add_problem (problems, path, "id.length", MOTCUA_SEVERITY_ERROR, msg);
      return FALSE;
    }
  if (strspn (id, "0123456789") != 12)
    {
      add_problem (problems, path, "id.digits", MOTCUA_SEVERITY_ERROR,
                   _("Số định danh cá nhân chỉ được gồm các chữ số 0–9."));
      return FALSE;
    }

  /* Structure (Thông tư 07/2016/TT-BCA, basis expired 1 July 2024): warnings. */
  GHashTable *set = g_atomic_pointer_get (&provinces);
  if (set != NULL)
    {
      char code[3] = { id[1], id[2], '\0' };
      if (id[0] != '0' || !g_hash_table_contains (set, code))
        {
          g_autofree char *msg = g_strdup_printf (
              _("Ba chữ số đầu của số định danh (%.3s) không phải mã tỉnh nơi đăng ký khai sinh; "
                "hãy kiểm tra lại."), id);
          add_problem (problems, path, "id.province", MOTCUA_SEVERITY_WARNING, msg);
        }
    }

  guint digit = (guint) (id[3] - '0');
  GDate date;
  g_date_clear (&date, 1);
  gboolean have_year = birth_date != NULL && parse_date (birth_date, &date) == DATE_OK;
  guint year = have_year ? g_date_get_year (&date) : 0;
  gboolean century_known = have_year && year >= 1900 && year <= 2399;
  gboolean ok = TRUE;
  if (century_known && digit / 2 != year / 100 - 19)
    ok = FALSE;
  if (sex != 0 && digit % 2 != (sex == 'F' ? 1u : 0u))
    ok = FALSE;
  if (!ok)
    {
      g_autofree char *msg = NULL;
      if (century_known && sex != 0)
        msg = g_strdup_printf (
            _("Chữ số thứ 4 của số định danh (%c) không khớp với thế kỷ sinh và giới tính "
              "(với năm sinh %u và giới tính %s, chữ số này thường là %u); hãy kiểm tra lại."),
            id[3], year, sex == 'F' ? _("nữ") : _("nam"),
            (year / 100 - 19) * 2 + (sex == 'F' ? 1u : 0u));
      else if (century_known)
        msg = g_strdup_printf (
            _("Chữ số thứ 4 của số định danh (%c) không khớp với thế kỷ của năm sinh %u; "
              "hãy kiểm tra lại."), id[3], year);
      else
        msg = g_strdup_printf (
            _("Chữ số thứ 4 của số định danh (%c) không khớp với giới tính %s; hãy kiểm tra lại."),
            id[3], sex == 'F' ? _("nữ") : _("nam"));
      add_problem (problems, path, "id.century_sex", MOTCUA_SEVERITY_WARNING, msg);
    }

  if (have_year && digits_value (id + 4, 2) != year % 100)
    {
      g_autofree char *msg = g_strdup_printf (
          _("Chữ số thứ 5 và 6 của số định danh (%.2s) không khớp với năm sinh %u; "
            "hãy kiểm tra lại."), id + 4, year);
      add_problem (problems, path, "id.birth_year", MOTCUA_SEVERITY_WARNING, msg);
    }
  return TRUE;
}

/* ---- Phone numbers ------------------------------------------------------- */

char *
motcua_fields_normalize_phone (const char *text, const char *path, GPtrArray *problems)
{
  g_return_val_if_fail (text != NULL, NULL);

  g_autoptr (GString) digits = g_string_new (NULL);
  gboolean plus = FALSE, ok = TRUE;
  for (const char *p = text; *p != '\0' && ok; p++)
    {
      if (g_ascii_isdigit (*p))
        g_string_append_c (digits, *p);
      else if (*p == '+' && digits->len == 0 && !plus)
        plus = TRUE;
      else if (!(*p == ' ' || *p == '\t' || *p == '.' || *p == '-' || *p == '(' || *p == ')'))
        ok = FALSE;
      if (digits->len > 20)
        ok = FALSE;
    }

  /* Country code 84 → trunk prefix 0 (kept if written as "(0)"). */
  const char *rest = NULL;
  gboolean international = TRUE;
  if (ok)
    {
      if (plus)
        rest = g_str_has_prefix (digits->str, "84") ? digits->str + 2 : NULL;
      else if (g_str_has_prefix (digits->str, "0084"))
        rest = digits->str + 4;
      else if (g_str_has_prefix (digits->str, "84"))
        rest = digits->str + 2;
      else
        {
          rest = digits->str;
          international = FALSE;
        }
    }

  g_autofree char *national = NULL;
  if (rest != NULL && *rest != '\0')
    national = (rest[0] == '0' || !international) ? g_strdup (rest)
                                                   : g_strconcat ("0", rest, NULL);

  gsize len = national ? strlen (national) : 0;
  gboolean mobile = len == 10 && strchr ("35789", national[1]) != NULL;
  gboolean landline = len >= 10 && len <= 11 && national[1] == '2';
  if (national == NULL || national[0] != '0' || !(mobile || landline))
    {
      add_problem (problems, path, "phone.format", MOTCUA_SEVERITY_ERROR,
                   _("Số điện thoại không hợp lệ: cần số di động 10 chữ số bắt đầu bằng 03, 05, 07, "
                     "08, 09 hoặc số cố định bắt đầu bằng 02."));
      return NULL;
    }
  return g_steal_pointer (&national);
}

/* ---- E-mail -------------------------------------------------------------- */

static gboolean
email_valid (const char *text)
{
  gsize len = strlen (text);
  if (len == 0 || len > 254 || !g_utf8_validate (text, -1, NULL))
    return FALSE;
  const char *at = strchr (text, '@');
  if (at == NULL || strchr (at + 1, '@') != NULL)
    return FALSE;

  gsize local_len = (gsize) (at - text);
  if (local_len == 0 || local_len > 64 || text[0] == '.' || at[-1] == '.')
    return FALSE;
  for (const char *p = text; p < at; p++)
    {
      unsigned char c = (unsigned char) *p;
      if (c <= 0x20 || c >= 0x7F || strchr ("\"(),:;<>[\\]", c) != NULL)
        return FALSE;
      if (c == '.' && p[1] == '.')
        return FALSE;
    }

  const char *domain = at + 1;
  guint labels = 0, label_len = 0;
  gunichar prev = 0;
  for (const char *p = domain;; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      if (c == '.' || c == 0)
        {
          if (label_len == 0 || label_len > 63 || prev == '-')
            return FALSE;
          labels++;
          label_len = 0;
          if (c == 0)
            break;
        }
      else if (c == '-')
        {
          if (label_len == 0)
            return FALSE;
          label_len++;
        }
      else if ((c < 0x80 && g_ascii_isalnum ((char) c))
               || (c >= 0x80 && (g_unichar_isalnum (c) || g_unichar_ismark (c))))
        label_len++;
      else
        return FALSE;
      prev = c;
    }
  return labels >= 2;
}

gboolean
motcua_fields_check_email (const char *text, const char *path, GPtrArray *problems)
{
  g_return_val_if_fail (text != NULL, FALSE);
  if (email_valid (text))
    return TRUE;
  add_problem (problems, path, "email.format", MOTCUA_SEVERITY_ERROR,
               _("Địa chỉ thư điện tử không hợp lệ (ví dụ hợp lệ: ten@example.vn)."));
  return FALSE;
}
