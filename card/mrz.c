/* mrz.c — TD1 machine-readable zone (ICAO 9303-3 §4.9, 9303-5 §4.2)
 *
 * TD1 = three lines of 30 characters:
 *   1: document code (2), issuing state (3), document number (9), check
 *      digit, optional data 1 (15)
 *   2: date of birth (6) + check digit, sex, date of expiry (6) + check
 *      digit, nationality (3), optional data 2 (11), composite check digit
 *   3: name, primary and secondary identifiers separated by "<<"
 * The Vietnamese card puts the last 9 digits of the 12-digit ID number in
 * the document number field and the full ID number at the start of
 * optional data 1. */
#include <string.h>

#include <openssl/crypto.h>

#include "mrz.h"

#define TD1_LEN 30

static int
mrz_char_value (char c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'A' && c <= 'Z')
    return c - 'A' + 10;
  if (c == '<')
    return 0;
  return -1;
}

/* ICAO 9303-3 §4.9: weights 7, 3, 1 repeated, sum modulo 10. */
int
mc_mrz_check_digit (const char *s, size_t len)
{
  static const int w[3] = { 7, 3, 1 };
  if (!s)
    return -1;
  int sum = 0;
  for (size_t i = 0; i < len; i++)
    {
      int v = mrz_char_value (s[i]);
      if (v < 0)
        return -1;
      sum = (sum + v * w[i % 3]) % 10;
    }
  return sum;
}

static int
mrz_check (const char *field, size_t len, char cd)
{
  int d = mc_mrz_check_digit (field, len);
  return d >= 0 && cd == '0' + d;
}

static int
mrz_line_ok (const char *l)
{
  if (!l || strlen (l) != TD1_LEN)
    return 0;
  for (size_t i = 0; i < TD1_LEN; i++)
    if (mrz_char_value (l[i]) < 0)
      return 0;
  return 1;
}

/* Copies len chars into out (cap bytes), '<' fillers removed from both
 * ends and, when spaces is set, inner '<' turned into spaces. */
static void
mrz_copy (char *out, size_t cap, const char *s, size_t len, int spaces)
{
  while (len > 0 && s[len - 1] == '<')
    len--;
  while (len > 0 && s[0] == '<')
    {
      s++;
      len--;
    }
  if (len >= cap)
    len = cap - 1;
  for (size_t i = 0; i < len; i++)
    out[i] = (spaces && s[i] == '<') ? ' ' : s[i];
  out[len] = '\0';
}

/* Line 3: primary identifier "<<" secondary identifier (9303-3 §4.6). */
static void
mrz_names (const char *l3, mc_mrz *out)
{
  const char *sep = NULL;
  for (size_t i = 0; i + 1 < TD1_LEN; i++)
    if (l3[i] == '<' && l3[i + 1] == '<')
      {
        sep = l3 + i;
        break;
      }
  if (!sep)
    {
      mrz_copy (out->primary_identifier, sizeof out->primary_identifier, l3, TD1_LEN, 1);
      out->secondary_identifier[0] = '\0';
      return;
    }
  mrz_copy (out->primary_identifier, sizeof out->primary_identifier, l3,
            (size_t) (sep - l3), 1);
  const char *rest = sep + 2;
  mrz_copy (out->secondary_identifier, sizeof out->secondary_identifier, rest,
            (size_t) (l3 + TD1_LEN - rest), 1);
}

/* Composite check digit for TD1 (9303-5 §4.2.2): upper line positions
 * 6-30, middle line 1-7, 9-15 and 19-29. */
static int
mrz_composite_ok (const char *l1, const char *l2)
{
  char buf[25 + 7 + 7 + 11];
  memcpy (buf, l1 + 5, 25);
  memcpy (buf + 25, l2, 7);
  memcpy (buf + 32, l2 + 8, 7);
  memcpy (buf + 39, l2 + 18, 11);
  int ok = mrz_check (buf, sizeof buf, l2[29]);
  OPENSSL_cleanse (buf, sizeof buf);
  return ok;
}

mc_status
mc_mrz_parse_td1 (const char *l1, const char *l2, const char *l3, mc_mrz *out)
{
  if (!out)
    return MC_ERR_INVALID_ARG;
  memset (out, 0, sizeof *out);
  if (!mrz_line_ok (l1) || !mrz_line_ok (l2) || !mrz_line_ok (l3))
    return MC_ERR_MALFORMED;
  mrz_copy (out->document_code, sizeof out->document_code, l1, 2, 0);
  mrz_copy (out->issuing_state, sizeof out->issuing_state, l1 + 2, 3, 0);
  mrz_copy (out->document_number, sizeof out->document_number, l1 + 5, 9, 0);
  mrz_copy (out->optional_data1, sizeof out->optional_data1, l1 + 15, 15, 0);
  memcpy (out->date_of_birth, l2, 6);
  out->sex[0] = l2[7];
  memcpy (out->date_of_expiry, l2 + 8, 6);
  mrz_copy (out->nationality, sizeof out->nationality, l2 + 15, 3, 0);
  mrz_copy (out->optional_data2, sizeof out->optional_data2, l2 + 18, 11, 0);
  mrz_names (l3, out);
  out->check_digits_ok = mrz_check (l1 + 5, 9, l1[14])
                         && mrz_check (l2, 6, l2[6])
                         && mrz_check (l2 + 8, 6, l2[14])
                         && mrz_composite_ok (l1, l2);
  return MC_OK;
}

static int
mrz_is_date (const char *s)
{
  if (!s || strlen (s) != 6)
    return 0;
  for (int i = 0; i < 6; i++)
    if (s[i] < '0' || s[i] > '9')
      return 0;
  return 1;
}

/* ICAO 9303-11 §9.7.2: document number (padded with '<' to 9) + check
 * digit, date of birth + check digit, date of expiry + check digit. */
mc_status
mc_mrz_key_info (const mc_access *a, char out[25])
{
  if (!a || !out)
    return MC_ERR_INVALID_ARG;
  size_t n = strnlen (a->document_number, sizeof a->document_number);
  if (n == 0 || n > 9 || !mrz_is_date (a->date_of_birth)
      || !mrz_is_date (a->date_of_expiry))
    return MC_ERR_BAD_ACCESS_DATA;
  memset (out, '<', 9);
  memcpy (out, a->document_number, n);
  int cd = mc_mrz_check_digit (out, 9);
  if (cd < 0)
    {
      OPENSSL_cleanse (out, 25);
      return MC_ERR_BAD_ACCESS_DATA;
    }
  out[9] = (char) ('0' + cd);
  memcpy (out + 10, a->date_of_birth, 6);
  out[16] = (char) ('0' + mc_mrz_check_digit (out + 10, 6));
  memcpy (out + 17, a->date_of_expiry, 6);
  out[23] = (char) ('0' + mc_mrz_check_digit (out + 17, 6));
  out[24] = '\0';
  return MC_OK;
}
