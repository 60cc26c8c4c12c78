/* lds.c — LDS file table, EF.COM, date normalisation, identity clean-up
 *
 * ICAO 9303-10 §4.6 (EF.COM, EF.SOD), §4.7 (data groups) and Table 39
 * (file identifiers, short EF identifiers and tags). */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "lds.h"
#include "tlv.h"

/* ICAO 9303-10 §4.6, §4.7: FID 01xx, SFI = low byte, tag per DG. */
static const mc_lds_file mc_lds_files[] = {
  { MC_FILE_COM,        0x011E, 0x1E, 0x60 },
  { MC_FILE_SOD,        0x011D, 0x1D, 0x77 },
  { MC_FILE_CARDACCESS, 0x011C, 0x1C, 0x00 }, /* a bare SET, no tag */
  { 1,  0x0101, 0x01, 0x61 },
  { 2,  0x0102, 0x02, 0x75 },
  { 3,  0x0103, 0x03, 0x63 },
  { 4,  0x0104, 0x04, 0x76 },
  { 5,  0x0105, 0x05, 0x65 },
  { 6,  0x0106, 0x06, 0x66 },
  { 7,  0x0107, 0x07, 0x67 },
  { 8,  0x0108, 0x08, 0x68 },
  { 9,  0x0109, 0x09, 0x69 },
  { 10, 0x010A, 0x0A, 0x6A },
  { 11, 0x010B, 0x0B, 0x6B },
  { 12, 0x010C, 0x0C, 0x6C },
  { 13, 0x010D, 0x0D, 0x6D },
  { 14, 0x010E, 0x0E, 0x6E },
  { 15, 0x010F, 0x0F, 0x6F },
  { 16, 0x0110, 0x10, 0x70 },
};

#define MC_N_LDS_FILES (sizeof mc_lds_files / sizeof mc_lds_files[0])

const mc_lds_file *
mc_lds_file_by_number (int number)
{
  for (size_t i = 0; i < MC_N_LDS_FILES; i++)
    if (mc_lds_files[i].number == number)
      return &mc_lds_files[i];
  return NULL;
}

const mc_lds_file *
mc_lds_file_by_tag (uint8_t tag)
{
  if (tag == 0)
    return NULL;
  for (size_t i = 0; i < MC_N_LDS_FILES; i++)
    if (mc_lds_files[i].tag == tag)
      return &mc_lds_files[i];
  return NULL;
}

/* Copies a short printable data object into a NUL-terminated field. */
static mc_status
com_copy_digits (const mc_tlv *t, char *out, size_t cap)
{
  if (t->len + 1 > cap)
    return MC_ERR_MALFORMED;
  for (size_t i = 0; i < t->len; i++)
    if (t->value[i] < '0' || t->value[i] > '9')
      return MC_ERR_MALFORMED;
  memcpy (out, t->value, t->len);
  out[t->len] = '\0';
  return MC_OK;
}

/* EF.COM (ICAO 9303-10 §4.6.1): 60 { 5F01 LDS version "aabb",
 * 5F36 Unicode version "aabbcc", 5C tag list }. */
mc_status
mc_com_parse (const uint8_t *buf, size_t len, mc_com *out)
{
  mc_tlv outer, t;
  mc_status s;

  if (!buf || !out)
    return MC_ERR_INVALID_ARG;
  memset (out, 0, sizeof *out);
  if ((s = mc_tlv_read (buf, len, &outer)) != MC_OK)
    return s;
  if (outer.tag != 0x60 || outer.header_len + outer.len != len)
    return MC_ERR_MALFORMED;

  if (mc_tlv_find (outer.value, outer.len, 0x5F01, &t) != MC_OK
      || t.len != 4
      || com_copy_digits (&t, out->lds_version, sizeof out->lds_version) != MC_OK)
    goto bad;
  if (mc_tlv_find (outer.value, outer.len, 0x5F36, &t) != MC_OK
      || t.len != 6
      || com_copy_digits (&t, out->unicode_version, sizeof out->unicode_version) != MC_OK)
    goto bad;
  if (mc_tlv_find (outer.value, outer.len, 0x5C, &t) != MC_OK
      || t.len > sizeof out->tags)
    goto bad;
  memcpy (out->tags, t.value, t.len);
  out->n_tags = t.len;
  return MC_OK;

bad:
  memset (out, 0, sizeof *out);
  return MC_ERR_MALFORMED;
}

/* ------------------------------------------------------------------ dates */

static int
date_digits (const char *s, size_t n, int *out)
{
  int v = 0;
  for (size_t i = 0; i < n; i++)
    {
      if (s[i] < '0' || s[i] > '9')
        return -1;
      v = v * 10 + (s[i] - '0');
    }
  *out = v;
  return 0;
}

static int
date_valid (int y, int m, int d)
{
  static const int mdays[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
  if (y < 1850 || y > 2199 || m < 1 || m > 12 || d < 1)
    return 0;
  int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  int max = mdays[m - 1] + (m == 2 && leap);
  return d <= max;
}

/* Parses "dd?mm?yyyy" (sep NUL: no separators) into y/m/d. */
static int
date_dmy (const char *s, size_t n, char sep, int *y, int *m, int *d)
{
  size_t want = sep ? 10 : 8;
  size_t mo = sep ? 3 : 2, yo = sep ? 6 : 4;
  if (n != want)
    return -1;
  if (sep && (s[2] != sep || s[5] != sep))
    return -1;
  if (date_digits (s, 2, d) || date_digits (s + mo, 2, m) || date_digits (s + yo, 4, y))
    return -1;
  return date_valid (*y, *m, *d) ? 0 : -1;
}

/* Parses "yyyy?mm?dd" (sep NUL: no separators). */
static int
date_ymd (const char *s, size_t n, char sep, int *y, int *m, int *d)
{
  size_t want = sep ? 10 : 8;
  size_t mo = sep ? 5 : 4, dof = sep ? 8 : 6;
  if (n != want)
    return -1;
  if (sep && (s[4] != sep || s[7] != sep))
    return -1;
  if (date_digits (s, 4, y) || date_digits (s + mo, 2, m) || date_digits (s + dof, 2, d))
    return -1;
  return date_valid (*y, *m, *d) ? 0 : -1;
}

/* The DG13 date format is unconfirmed (domain.md): accept the plausible
 * forms.  For eight bare digits, ddmmyyyy and yyyymmdd can never both be
 * valid dates in 1850..2199 (the month position of one is the century of
 * the other), so trying both is unambiguous. */
int
mc_lds_normalise_date (const char *in, char out[11])
{
  int y = 0, m = 0, d = 0;
  if (!in || !out)
    return -1;
  while (*in == ' ')
    in++;
  size_t n = strnlen (in, 32);
  while (n > 0 && in[n - 1] == ' ')
    n--;

  if (date_dmy (in, n, '/', &y, &m, &d) != 0
      && date_dmy (in, n, '-', &y, &m, &d) != 0
      && date_dmy (in, n, '.', &y, &m, &d) != 0
      && date_ymd (in, n, '-', &y, &m, &d) != 0
      && date_ymd (in, n, '/', &y, &m, &d) != 0
      && date_dmy (in, n, '\0', &y, &m, &d) != 0
      && date_ymd (in, n, '\0', &y, &m, &d) != 0)
    return -1;
  out[0] = (char) ('0' + y / 1000);
  out[1] = (char) ('0' + y / 100 % 10);
  out[2] = (char) ('0' + y / 10 % 10);
  out[3] = (char) ('0' + y % 10);
  out[4] = '-';
  out[5] = (char) ('0' + m / 10);
  out[6] = (char) ('0' + m % 10);
  out[7] = '-';
  out[8] = (char) ('0' + d / 10);
  out[9] = (char) ('0' + d % 10);
  out[10] = '\0';
  return 0;
}

/* --------------------------------------------------------------- identity */

static void
wipe_str (char **p)
{
  if (*p)
    {
      OPENSSL_cleanse (*p, strlen (*p));
      free (*p);
      *p = NULL;
    }
}

void
mc_identity_clear (mc_identity *id)
{
  if (!id)
    return;
  char **strs[] = {
    &id->id_number, &id->full_name, &id->date_of_birth, &id->sex,
    &id->nationality, &id->ethnicity, &id->religion, &id->place_of_origin,
    &id->place_of_residence, &id->identifying_marks, &id->date_of_issue,
    &id->date_of_expiry, &id->father_name, &id->mother_name,
    &id->spouse_name, &id->old_id_number,
  };
  for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++)
    wipe_str (strs[i]);
  for (size_t i = 0; i < id->n_other_fields && id->other_fields; i++)
    {
      mc_dg13_field *f = &id->other_fields[i];
      wipe_str (&f->value);
      if (f->raw)
        {
          OPENSSL_cleanse (f->raw, f->raw_len);
          free (f->raw);
        }
    }
  free (id->other_fields);
  OPENSSL_cleanse (id, sizeof *id);
  memset (id, 0, sizeof *id);
}
