/* access.c — access data for PACE and BAC from what the clerk typed
 *
 * The Vietnamese card: CAN = last 6 digits of the 12-digit ID number;
 * BAC document number = last 9 digits; dates of birth and expiry as in
 * the MRZ (YYMMDD).  Everything here is a secret or personal data and
 * is wiped on every error path. */
#include <ctype.h>
#include <string.h>

#include <openssl/crypto.h>

#include "mrz.h"

#define TD1_LEN 30

static int
all_digits (const char *s, size_t n)
{
  for (size_t i = 0; i < n; i++)
    if (s[i] < '0' || s[i] > '9')
      return 0;
  return 1;
}

void
mc_access_clear (mc_access *a)
{
  if (a)
    OPENSSL_cleanse (a, sizeof *a);
}

mc_status
mc_access_from_can (mc_access *a, const char *can)
{
  if (!a || !can)
    return MC_ERR_INVALID_ARG;
  mc_access_clear (a);
  if (strlen (can) != 6 || !all_digits (can, 6))
    return MC_ERR_BAD_ACCESS_DATA;
  memcpy (a->can, can, 6);
  return MC_OK;
}

static int
leap (int y)
{
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* "YYYY-MM-DD" (a real calendar date) → "YYMMDD". */
static int
iso_to_yymmdd (const char *iso, char out[7])
{
  static const int mdays[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
  if (strlen (iso) != 10 || iso[4] != '-' || iso[7] != '-'
      || !all_digits (iso, 4) || !all_digits (iso + 5, 2) || !all_digits (iso + 8, 2))
    return 0;
  int y = (iso[0] - '0') * 1000 + (iso[1] - '0') * 100 + (iso[2] - '0') * 10 + (iso[3] - '0');
  int m = (iso[5] - '0') * 10 + (iso[6] - '0');
  int d = (iso[8] - '0') * 10 + (iso[9] - '0');
  if (y < 1900 || m < 1 || m > 12 || d < 1)
    return 0;
  int max = mdays[m - 1] + (m == 2 && leap (y));
  if (d > max)
    return 0;
  memcpy (out, iso + 2, 2);
  memcpy (out + 2, iso + 5, 2);
  memcpy (out + 4, iso + 8, 2);
  out[6] = '\0';
  return 1;
}

mc_status
mc_access_from_id (mc_access *a, const char *id_number,
                   const char *dob_iso, const char *expiry_iso)
{
  if (!a || !id_number || !dob_iso || !expiry_iso)
    return MC_ERR_INVALID_ARG;
  mc_access_clear (a);
  if (strlen (id_number) != 12 || !all_digits (id_number, 12)
      || !iso_to_yymmdd (dob_iso, a->date_of_birth)
      || !iso_to_yymmdd (expiry_iso, a->date_of_expiry))
    {
      mc_access_clear (a);
      return MC_ERR_BAD_ACCESS_DATA;
    }
  memcpy (a->can, id_number + 6, 6);
  memcpy (a->document_number, id_number + 3, 9);
  return MC_OK;
}

/* Copies a typed MRZ line into out: surrounding white space dropped,
 * letters upper-cased.  0 when it is not 30 characters. */
static int
mrz_line_norm (const char *in, char out[TD1_LEN + 1])
{
  if (!in)
    return 0;
  while (*in && isspace ((unsigned char) *in))
    in++;
  size_t n = strlen (in);
  while (n > 0 && isspace ((unsigned char) in[n - 1]))
    n--;
  if (n != TD1_LEN)
    return 0;
  for (size_t i = 0; i < n; i++)
    out[i] = (char) toupper ((unsigned char) in[i]);
  out[n] = '\0';
  return 1;
}

mc_status
mc_access_from_mrz (mc_access *a, const char *l1, const char *l2, const char *l3)
{
  if (!a || !l1 || !l2)
    return MC_ERR_INVALID_ARG;
  mc_access_clear (a);
  char n1[TD1_LEN + 1], n2[TD1_LEN + 1], n3[TD1_LEN + 1];
  mc_mrz m;
  mc_status st = MC_ERR_BAD_ACCESS_DATA;
  /* The name line plays no part in the keys: accept it missing. */
  if (!l3)
    {
      memset (n3, '<', TD1_LEN);
      n3[TD1_LEN] = '\0';
    }
  if (mrz_line_norm (l1, n1) && mrz_line_norm (l2, n2) && (!l3 || mrz_line_norm (l3, n3))
      && mc_mrz_parse_td1 (n1, n2, n3, &m) == MC_OK
      && mc_mrz_check_digit (n1 + 5, 9) == n1[14] - '0'
      && mc_mrz_check_digit (n2, 6) == n2[6] - '0'
      && mc_mrz_check_digit (n2 + 8, 6) == n2[14] - '0'
      && all_digits (n2, 6) && all_digits (n2 + 8, 6))
    {
      /* The document number as printed (9 chars, '<' kept) is the key. */
      memcpy (a->document_number, n1 + 5, 9);
      memcpy (a->date_of_birth, n2, 6);
      memcpy (a->date_of_expiry, n2 + 8, 6);
      /* Vietnamese card: optional data 1 starts with the 12-digit ID
       * number, whose last 6 digits are the CAN. */
      if (all_digits (n1 + 15, 12))
        memcpy (a->can, n1 + 21, 6);
      st = MC_OK;
    }
  OPENSSL_cleanse (n1, sizeof n1);
  OPENSSL_cleanse (n2, sizeof n2);
  OPENSSL_cleanse (n3, sizeof n3);
  OPENSSL_cleanse (&m, sizeof m);
  if (st != MC_OK)
    mc_access_clear (a);
  return st;
}
