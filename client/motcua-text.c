/* motcua-text.c — Vietnamese text helpers: NFC, name keys, numbers and
 * dates in words
 *
 * The name key works on the case-folded NFD text, one syllable (run of
 * letters and combining marks) at a time: each base letter becomes a cell
 * with at most one shape mark (circumflex, breve, horn) and at most one
 * tone mark (grave, acute, tilde, hook above, dot below).  The rules are in
 * motcua-text.h. */
#define G_LOG_DOMAIN "motcua-text"

#include "motcua-text.h"

#include <string.h>

/* ------------------------------------------------------------ NFC */

char *
motcua_text_nfc (const char *s)
{
  g_return_val_if_fail (s != NULL, NULL);

  if (!g_utf8_validate (s, -1, NULL))
    return NULL;
  return g_utf8_normalize (s, -1, G_NORMALIZE_NFC);
}

/* ------------------------------------------------------------ name keys */

enum
{
  MARK_GRAVE = 0x0300,
  MARK_ACUTE = 0x0301,
  MARK_CIRCUMFLEX = 0x0302,
  MARK_TILDE = 0x0303,
  MARK_BREVE = 0x0306,
  MARK_HOOK = 0x0309,
  MARK_HORN = 0x031B,
  MARK_DOT_BELOW = 0x0323,
  LETTER_D_STROKE = 0x0111, /* đ */
};

typedef struct
{
  gunichar base;
  gunichar shape; /* 0 or a shape mark */
  gunichar tone;  /* 0 or a tone mark */
} Cell;

static gboolean
is_tone_mark (gunichar c)
{
  return c == MARK_GRAVE || c == MARK_ACUTE || c == MARK_TILDE
         || c == MARK_HOOK || c == MARK_DOT_BELOW;
}

static gboolean
is_shape_mark (gunichar c)
{
  return c == MARK_CIRCUMFLEX || c == MARK_BREVE || c == MARK_HORN;
}

static gboolean
shape_allowed (gunichar base, gunichar shape)
{
  switch (shape)
    {
    case MARK_CIRCUMFLEX:
      return base == 'a' || base == 'e' || base == 'o';
    case MARK_BREVE:
      return base == 'a';
    case MARK_HORN:
      return base == 'o' || base == 'u';
    default:
      return FALSE;
    }
}

static gboolean
is_vowel (const Cell *c)
{
  return c->base < 0x80 && strchr ("aeiouy", (int) c->base) != NULL;
}

static void
append_unichars (GString *out, const gunichar *s, gsize n)
{
  for (gsize i = 0; i < n; i++)
    if (s[i] != 0)
      g_string_append_unichar (out, s[i]);
}

/* Splits a syllable into cells; FALSE when it is not written in the
 * Vietnamese alphabet (a–z, đ, the eight marks, each at most once). */
static gboolean
parse_cells (const gunichar *s, gsize n, Cell *cells, gsize *n_cells)
{
  gsize k = 0;

  for (gsize i = 0; i < n; i++)
    {
      gunichar c = s[i];

      if ((c >= 'a' && c <= 'z') || c == LETTER_D_STROKE)
        {
          cells[k].base = c;
          cells[k].shape = 0;
          cells[k].tone = 0;
          k++;
        }
      else if (k == 0)
        return FALSE;
      else if (is_tone_mark (c) && cells[k - 1].tone == 0)
        cells[k - 1].tone = c;
      else if (is_shape_mark (c) && cells[k - 1].shape == 0
               && shape_allowed (cells[k - 1].base, c))
        cells[k - 1].shape = c;
      else
        return FALSE;
    }
  *n_cells = k;
  return TRUE;
}

/* Where the tone goes in cells[s, e) (the vowel cluster). */
static gsize
tone_position (const Cell *cells, gsize s, gsize e, gboolean closed)
{
  gsize len = e - s;

  for (gsize i = e; i > s; i--)
    if (cells[i - 1].shape != 0)
      return i - 1;
  if (closed)
    return e - 1;
  if (len == 1)
    return s;
  if (len == 3)
    return s + 1;
  /* len == 2 */
  {
    gunichar a = cells[s].base, b = cells[s + 1].base;

    if ((a == 'o' && (b == 'a' || b == 'e')) || (a == 'u' && b == 'y'))
      return s + 1;
    return s;
  }
}

/* Appends one syllable, canonicalised when it can be. */
static void
append_syllable (GString *out, const gunichar *s, gsize n)
{
  g_autofree Cell *cells = g_new (Cell, n);
  gsize n_cells = 0, start = 0, end, n_tones = 0, tone_at = 0;

  if (!parse_cells (s, n, cells, &n_cells))
    goto verbatim;

  while (start < n_cells && !is_vowel (&cells[start]))
    start++;
  if (start == n_cells)
    goto verbatim;

  /* "qu" and "gi" + vowel: the u / i belongs to the initial consonant. */
  if (start + 1 < n_cells && is_vowel (&cells[start + 1]) && cells[start].shape == 0
      && ((start >= 1 && cells[start - 1].base == 'q' && cells[start].base == 'u')
          || (start == 1 && cells[0].base == 'g' && cells[start].base == 'i')))
    start++;

  end = start;
  while (end < n_cells && is_vowel (&cells[end]))
    end++;
  for (gsize i = end; i < n_cells; i++)
    if (is_vowel (&cells[i]))
      goto verbatim; /* vowel after a final consonant: not one syllable */
  if (end - start > 3)
    goto verbatim;

  /* quí/quý, quít/quýt */
  if (start >= 2 && cells[start - 1].base == 'u' && cells[start - 2].base == 'q'
      && end - start == 1 && cells[start].base == 'i')
    cells[start].base = 'y';

  for (gsize i = 0; i < n_cells; i++)
    if (cells[i].tone != 0)
      {
        n_tones++;
        tone_at = i;
      }
  if (n_tones == 1)
    {
      gsize target = tone_position (cells, start, end, end < n_cells);
      gunichar tone = cells[tone_at].tone;

      cells[tone_at].tone = 0;
      cells[target].tone = tone;
    }

  for (gsize i = 0; i < n_cells; i++)
    {
      gunichar u[3] = { cells[i].base, cells[i].shape, cells[i].tone };

      append_unichars (out, u, 3);
    }
  return;

verbatim:
  append_unichars (out, s, n);
}

static gboolean
is_word_char (gunichar c)
{
  return g_unichar_isalpha (c) || g_unichar_ismark (c);
}

char *
motcua_text_name_key (const char *name)
{
  g_return_val_if_fail (name != NULL, NULL);

  if (!g_utf8_validate (name, -1, NULL))
    return NULL;

  g_autofree char *folded = g_utf8_casefold (name, -1);
  g_autofree char *nfd = g_utf8_normalize (folded, -1, G_NORMALIZE_NFD);
  glong n = 0;
  g_autofree gunichar *u = g_utf8_to_ucs4_fast (nfd, -1, &n);
  g_autoptr (GString) out = g_string_new (NULL);
  gboolean pending_space = FALSE;

  for (glong i = 0; i < n;)
    {
      if (g_unichar_isspace (u[i]))
        {
          pending_space = TRUE;
          i++;
          continue;
        }
      if (pending_space && out->len > 0)
        g_string_append_c (out, ' ');
      pending_space = FALSE;

      if (is_word_char (u[i]))
        {
          glong j = i;

          while (j < n && is_word_char (u[j]))
            j++;
          append_syllable (out, u + i, (gsize) (j - i));
          i = j;
        }
      else
        {
          g_string_append_unichar (out, u[i]);
          i++;
        }
    }

  return g_utf8_normalize (out->str, -1, G_NORMALIZE_NFC);
}

gboolean
motcua_text_names_equal (const char *a, const char *b)
{
  g_return_val_if_fail (a != NULL, FALSE);
  g_return_val_if_fail (b != NULL, FALSE);

  g_autofree char *ka = motcua_text_name_key (a);
  g_autofree char *kb = motcua_text_name_key (b);

  return ka != NULL && kb != NULL && strcmp (ka, kb) == 0;
}

/* ------------------------------------------------------------ numbers */

static const char *const digit_words[10] = {
  "không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín",
};

static void
add_word (GString *out, const char *w)
{
  if (out->len > 0)
    g_string_append_c (out, ' ');
  g_string_append (out, w);
}

/* A group of three digits (v < 1000, v > 0); full: a higher group precedes,
 * so zero hundreds and tens are read ("không trăm linh …"). */
static void
add_triple (GString *out, guint v, gboolean full)
{
  guint h = v / 100, t = v / 10 % 10, u = v % 10;
  gboolean with_hundreds = h > 0 || full;

  if (with_hundreds)
    {
      add_word (out, digit_words[h]);
      add_word (out, "trăm");
    }

  if (t == 0)
    {
      if (u > 0)
        {
          if (with_hundreds)
            add_word (out, "linh");
          add_word (out, digit_words[u]);
        }
      return;
    }

  if (t == 1)
    add_word (out, "mười");
  else
    {
      add_word (out, digit_words[t]);
      add_word (out, "mươi");
    }

  if (u == 1)
    add_word (out, t > 1 ? "mốt" : "một");
  else if (u == 4)
    add_word (out, t > 1 ? "tư" : "bốn");
  else if (u == 5)
    add_word (out, "lăm");
  else if (u > 0)
    add_word (out, digit_words[u]);
}

static void
add_below_billion (GString *out, guint32 n, gboolean full)
{
  const guint groups[3] = { n / 1000000u, n / 1000u % 1000u, n % 1000u };
  const char *const scales[3] = { "triệu", "nghìn", NULL };

  for (guint i = 0; i < 3; i++)
    {
      if (groups[i] == 0)
        continue;
      add_triple (out, groups[i], full);
      if (scales[i] != NULL)
        add_word (out, scales[i]);
      full = TRUE;
    }
}

static void
add_number (GString *out, guint64 n)
{
  const guint64 billion = 1000000000u;

  if (n >= billion)
    {
      guint32 rest = (guint32) (n % billion);

      add_number (out, n / billion);
      add_word (out, "tỷ");
      if (rest > 0)
        add_below_billion (out, rest, TRUE);
    }
  else
    add_below_billion (out, (guint32) n, FALSE);
}

char *
motcua_text_number_in_words (guint64 n)
{
  GString *out = g_string_new (NULL);

  if (n == 0)
    g_string_append (out, digit_words[0]);
  else
    add_number (out, n);
  return g_string_free (out, FALSE);
}

/* ------------------------------------------------------------ dates */

static const char *const month_words[12] = {
  "một", "hai", "ba", "tư", "năm", "sáu",
  "bảy", "tám", "chín", "mười", "mười một", "mười hai",
};

char *
motcua_text_date_in_words (const GDate *d)
{
  g_return_val_if_fail (d != NULL, NULL);

  if (!g_date_valid (d))
    return NULL;

  g_autofree char *day = motcua_text_number_in_words (g_date_get_day (d));
  g_autofree char *year = motcua_text_number_in_words (g_date_get_year (d));
  GDateMonth month = g_date_get_month (d);

  return g_strdup_printf ("Ngày %s, tháng %s, năm %s", day, month_words[month - 1], year);
}
