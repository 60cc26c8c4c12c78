/* test-lds.c — LDS file table, EF.COM, DG1, DG2 and date normalisation
 * (card/lds.c, card/lds-dg1.c, card/lds-dg2.c)
 *
 * Vectors: the file table from ICAO 9303-10 §4.6 Table 37; the EF.COM of
 * ICAO 9303-11 App. D; the TD1 specimen of ICAO 9303-3 / 9303-5
 * (ERIKSSON ANNA MARIA); DG2 facial records laid out per ISO/IEC
 * 19794-5:2005 §5.4–5.7 and wrapped per ICAO 9303-10 §4.7.2.  Inputs are
 * built here with the tlv.h writer; nothing is compared with the parser's
 * own output except through these independent layouts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "lds.h"
#include "mrz.h"
#include "tlv.h"

/* ------------------------------------------------------------- helpers */

static uint8_t *
hex_decode (const char *hex, size_t *len)
{
  size_t n = strlen (hex) / 2;
  uint8_t *r = malloc (n ? n : 1);
  assert_non_null (r);
  for (size_t i = 0; i < n; i++)
    {
      unsigned v;
      assert_int_equal (sscanf (hex + 2 * i, "%2x", &v), 1);
      r[i] = (uint8_t) v;
    }
  *len = n;
  return r;
}

/* A growing byte buffer for building test inputs. */
typedef struct {
  uint8_t *p;
  size_t   n;
} buf;

static void
buf_add (buf *b, const void *p, size_t n)
{
  b->p = realloc (b->p, b->n + n + 1);
  assert_non_null (b->p);
  if (n)
    memcpy (b->p + b->n, p, n);
  b->n += n;
}

static void
buf_u8 (buf *b, uint8_t v)
{
  buf_add (b, &v, 1);
}

static void
buf_be16 (buf *b, uint16_t v)
{
  uint8_t x[2] = { (uint8_t) (v >> 8), (uint8_t) v };
  buf_add (b, x, 2);
}

static void
buf_be32 (buf *b, uint32_t v)
{
  uint8_t x[4] = { (uint8_t) (v >> 24), (uint8_t) (v >> 16), (uint8_t) (v >> 8),
                   (uint8_t) v };
  buf_add (b, x, 4);
}

/* Appends tag, length and value (tlv.h writer). */
static void
buf_tlv (buf *b, uint32_t tag, const void *value, size_t vlen)
{
  uint8_t h[8];
  size_t hl = mc_tlv_put_header (tag, vlen, h, sizeof h);
  assert_true (hl > 0);
  buf_add (b, h, hl);
  buf_add (b, value, vlen);
}

/* Replaces b with tag { b }. */
static void
buf_wrap (buf *b, uint32_t tag)
{
  buf w = { 0 };
  buf_tlv (&w, tag, b->p, b->n);
  free (b->p);
  *b = w;
}

/* ------------------------------------------------------- the file table */

/* ICAO 9303-10 §4.6 Table 37: file identifier, short EF identifier and
 * tag of each LDS file.  EF.CardAccess (011C / 1C) is a bare SecurityInfos
 * SET with no application tag. */
static const struct {
  int      number;
  uint16_t fid;
  uint8_t  sfi;
  uint8_t  tag;
} table37[] = {
  { MC_FILE_COM, 0x011E, 0x1E, 0x60 },
  { MC_FILE_SOD, 0x011D, 0x1D, 0x77 },
  { MC_FILE_CARDACCESS, 0x011C, 0x1C, 0x00 },
  { 1, 0x0101, 0x01, 0x61 },  { 2, 0x0102, 0x02, 0x75 },
  { 3, 0x0103, 0x03, 0x63 },  { 4, 0x0104, 0x04, 0x76 },
  { 5, 0x0105, 0x05, 0x65 },  { 6, 0x0106, 0x06, 0x66 },
  { 7, 0x0107, 0x07, 0x67 },  { 8, 0x0108, 0x08, 0x68 },
  { 9, 0x0109, 0x09, 0x69 },  { 10, 0x010A, 0x0A, 0x6A },
  { 11, 0x010B, 0x0B, 0x6B }, { 12, 0x010C, 0x0C, 0x6C },
  { 13, 0x010D, 0x0D, 0x6D }, { 14, 0x010E, 0x0E, 0x6E },
  { 15, 0x010F, 0x0F, 0x6F }, { 16, 0x0110, 0x10, 0x70 },
};

static void
test_file_table (void **state)
{
  (void) state;
  for (size_t i = 0; i < sizeof table37 / sizeof table37[0]; i++)
    {
      const mc_lds_file *f = mc_lds_file_by_number (table37[i].number);
      assert_non_null (f);
      assert_int_equal (f->number, table37[i].number);
      assert_int_equal (f->fid, table37[i].fid);
      assert_int_equal (f->sfi, table37[i].sfi);
      assert_int_equal (f->tag, table37[i].tag);
      if (table37[i].tag != 0)
        {
          const mc_lds_file *g = mc_lds_file_by_tag (table37[i].tag);
          assert_non_null (g);
          assert_ptr_equal (g, f);
        }
    }
  /* Numbers and tags that name no LDS file. */
  const int bad_numbers[] = { 0, -1, 17, 0x1B, 0x1F, 0x20, 0x101, 1000 };
  for (size_t i = 0; i < sizeof bad_numbers / sizeof bad_numbers[0]; i++)
    assert_null (mc_lds_file_by_number (bad_numbers[i]));
  const uint8_t bad_tags[] = { 0x00, 0x62, 0x64, 0x71, 0x72, 0x74, 0x78, 0x30, 0xFF };
  for (size_t i = 0; i < sizeof bad_tags; i++)
    assert_null (mc_lds_file_by_tag (bad_tags[i]));
}

/* -------------------------------------------------------------- EF.COM */

/* ICAO 9303-11 App. D: EF.COM of the worked example. */
static const char *com_appd = "60145F0104303130365F36063034303030305C026175";

static void
test_com_appendix_d (void **state)
{
  (void) state;
  size_t n;
  uint8_t *b = hex_decode (com_appd, &n);
  mc_com c;
  assert_int_equal (mc_com_parse (b, n, &c), MC_OK);
  assert_string_equal (c.lds_version, "0106");
  assert_string_equal (c.unicode_version, "040000");
  assert_int_equal (c.n_tags, 2);
  assert_int_equal (c.tags[0], 0x61);
  assert_int_equal (c.tags[1], 0x75);
  free (b);
}

static void
test_com_vietnam (void **state)
{
  (void) state;
  static const uint8_t tags[] = { 0x61, 0x75, 0x63, 0x6D, 0x6E, 0x6F };
  buf b = { 0 };
  buf_tlv (&b, 0x5F01, "0107", 4);
  buf_tlv (&b, 0x5F36, "040000", 6);
  buf_tlv (&b, 0x5C, tags, sizeof tags);
  buf_wrap (&b, 0x60);
  mc_com c;
  assert_int_equal (mc_com_parse (b.p, b.n, &c), MC_OK);
  assert_string_equal (c.lds_version, "0107");
  assert_string_equal (c.unicode_version, "040000");
  assert_int_equal (c.n_tags, sizeof tags);
  assert_memory_equal (c.tags, tags, sizeof tags);
  for (size_t i = 0; i < c.n_tags; i++)
    assert_non_null (mc_lds_file_by_tag (c.tags[i]));
  free (b.p);
}

static void
test_com_malformed (void **state)
{
  (void) state;
  size_t n;
  uint8_t *b = hex_decode (com_appd, &n);
  mc_com c;

  /* Truncated at every length. */
  for (size_t cut = 0; cut < n; cut++)
    assert_int_not_equal (mc_com_parse (b, cut, &c), MC_OK);
  /* Wrong outer tag. */
  b[0] = 0x61;
  assert_int_equal (mc_com_parse (b, n, &c), MC_ERR_MALFORMED);
  b[0] = 0x60;
  /* Non-digit LDS version. */
  b[5] = 'A';
  assert_int_equal (mc_com_parse (b, n, &c), MC_ERR_MALFORMED);
  b[5] = '0';
  assert_int_equal (mc_com_parse (b, n, &c), MC_OK);
  /* Trailing bytes after the outer TLV. */
  uint8_t *t = malloc (n + 1);
  memcpy (t, b, n);
  t[n] = 0x00;
  assert_int_equal (mc_com_parse (t, n + 1, &c), MC_ERR_MALFORMED);
  free (t);
  free (b);

  /* Missing tag list 5C. */
  buf m = { 0 };
  buf_tlv (&m, 0x5F01, "0107", 4);
  buf_tlv (&m, 0x5F36, "040000", 6);
  buf_wrap (&m, 0x60);
  assert_int_equal (mc_com_parse (m.p, m.n, &c), MC_ERR_MALFORMED);
  assert_int_equal (c.n_tags, 0);
  free (m.p);

  /* LDS version of the wrong length. */
  buf v = { 0 };
  buf_tlv (&v, 0x5F01, "010", 3);
  buf_tlv (&v, 0x5F36, "040000", 6);
  buf_tlv (&v, 0x5C, "\x61", 1);
  buf_wrap (&v, 0x60);
  assert_int_equal (mc_com_parse (v.p, v.n, &c), MC_ERR_MALFORMED);
  free (v.p);

  /* A tag list longer than mc_com can hold. */
  uint8_t many[33];
  memset (many, 0x61, sizeof many);
  buf l = { 0 };
  buf_tlv (&l, 0x5F01, "0107", 4);
  buf_tlv (&l, 0x5F36, "040000", 6);
  buf_tlv (&l, 0x5C, many, sizeof many);
  buf_wrap (&l, 0x60);
  assert_int_equal (mc_com_parse (l.p, l.n, &c), MC_ERR_MALFORMED);
  free (l.p);

  assert_int_equal (mc_com_parse (NULL, 4, &c), MC_ERR_INVALID_ARG);
}

/* ----------------------------------------------------------------- DG1 */

/* ICAO 9303-3 / 9303-5 TD1 specimen. */
static const char *td1_l1 = "I<UTOD231458907<<<<<<<<<<<<<<<";
static const char *td1_l2 = "7408122F1204159UTO<<<<<<<<<<<6";
static const char *td1_l3 = "ERIKSSON<<ANNA<MARIA<<<<<<<<<<";

/* 61 { 5F1F <mrz> } (ICAO 9303-10 §4.7.1). */
static void
dg1_build (buf *b, const char *mrz, size_t mrz_len)
{
  memset (b, 0, sizeof *b);
  buf_tlv (b, 0x5F1F, mrz, mrz_len);
  buf_wrap (b, 0x61);
}

static void
dg1_from_lines (buf *b, const char *l1, const char *l2, const char *l3)
{
  char mrz[91];
  assert_int_equal (strlen (l1), 30);
  assert_int_equal (strlen (l2), 30);
  assert_int_equal (strlen (l3), 30);
  snprintf (mrz, sizeof mrz, "%s%s%s", l1, l2, l3);
  dg1_build (b, mrz, 90);
}

static void
test_dg1_specimen (void **state)
{
  (void) state;
  buf b;
  dg1_from_lines (&b, td1_l1, td1_l2, td1_l3);
  /* 61 5D 5F1F 5A <90 bytes>: one-byte lengths throughout. */
  assert_int_equal (b.n, 2 + 3 + 90);
  assert_int_equal (b.p[0], 0x61);
  assert_int_equal (b.p[1], 0x5D);
  assert_int_equal (b.p[2], 0x5F);
  assert_int_equal (b.p[3], 0x1F);
  assert_int_equal (b.p[4], 0x5A);

  mc_mrz m;
  assert_int_equal (mc_dg1_parse (b.p, b.n, &m), MC_OK);
  assert_string_equal (m.document_code, "I");
  assert_string_equal (m.issuing_state, "UTO");
  assert_string_equal (m.document_number, "D23145890");
  assert_string_equal (m.optional_data1, "");
  assert_string_equal (m.date_of_birth, "740812");
  assert_string_equal (m.sex, "F");
  assert_string_equal (m.date_of_expiry, "120415");
  assert_string_equal (m.nationality, "UTO");
  assert_string_equal (m.optional_data2, "");
  assert_string_equal (m.primary_identifier, "ERIKSSON");
  assert_string_equal (m.secondary_identifier, "ANNA MARIA");
  assert_int_equal (m.check_digits_ok, 1);
  free (b.p);
}

static char
cd_char (const char *s, size_t n)
{
  int d = mc_mrz_check_digit (s, n);
  assert_true (d >= 0 && d <= 9);
  return (char) ('0' + d);
}

/* A Vietnamese-style TD1: IDVNM, the last 9 digits of the 12-digit ID
 * number as document number, its check digit, then the full ID number in
 * optional data 1.  The check digits are computed here for building; the
 * fields are asserted from the layout of ICAO 9303-5 §4.2. */
static void
vn_lines (char l1[31], char l2[31], char l3[31])
{
  const char *id = "079203001234";
  memset (l1, '<', 30);
  l1[30] = '\0';
  memcpy (l1, "IDVNM", 5);
  memcpy (l1 + 5, id + 3, 9);
  l1[14] = cd_char (l1 + 5, 9);
  memcpy (l1 + 15, id, 12);

  memset (l2, '<', 30);
  l2[30] = '\0';
  memcpy (l2, "031108", 6);
  l2[6] = cd_char (l2, 6);
  l2[7] = 'F';
  memcpy (l2 + 8, "281108", 6);
  l2[14] = cd_char (l2 + 8, 6);
  memcpy (l2 + 15, "VNM", 3);
  /* Composite (ICAO 9303-5 §4.2.2): line 1 positions 6-30, line 2
   * positions 1-7, 9-15 and 19-29. */
  char comp[50];
  memcpy (comp, l1 + 5, 25);
  memcpy (comp + 25, l2, 7);
  memcpy (comp + 32, l2 + 8, 7);
  memcpy (comp + 39, l2 + 18, 11);
  l2[29] = cd_char (comp, sizeof comp);

  strcpy (l3, "TRAN<<THI<MAI<<<<<<<<<<<<<<<<<");
  assert_int_equal (strlen (l3), 30);
}

static void
test_dg1_vietnam (void **state)
{
  (void) state;
  char l1[31], l2[31], l3[31];
  vn_lines (l1, l2, l3);
  buf b;
  dg1_from_lines (&b, l1, l2, l3);
  mc_mrz m;
  assert_int_equal (mc_dg1_parse (b.p, b.n, &m), MC_OK);
  assert_string_equal (m.document_code, "ID");
  assert_string_equal (m.issuing_state, "VNM");
  assert_string_equal (m.document_number, "203001234");
  assert_string_equal (m.optional_data1, "079203001234");
  assert_string_equal (m.date_of_birth, "031108");
  assert_string_equal (m.sex, "F");
  assert_string_equal (m.date_of_expiry, "281108");
  assert_string_equal (m.nationality, "VNM");
  assert_string_equal (m.optional_data2, "");
  assert_string_equal (m.primary_identifier, "TRAN");
  assert_string_equal (m.secondary_identifier, "THI MAI");
  assert_int_equal (m.check_digits_ok, 1);
  free (b.p);
}

static void
test_dg1_bad_check_digit (void **state)
{
  (void) state;
  char l1[31], l2[31], l3[31];
  /* Each check digit of the specimen wrong in turn: parses, flagged. */
  const struct { int line, pos; } cds[] = { { 1, 14 }, { 2, 6 }, { 2, 14 }, { 2, 29 } };
  for (size_t i = 0; i < sizeof cds / sizeof cds[0]; i++)
    {
      strcpy (l1, td1_l1);
      strcpy (l2, td1_l2);
      char *p = cds[i].line == 1 ? l1 + cds[i].pos : l2 + cds[i].pos;
      *p = *p == '9' ? '0' : (char) (*p + 1);
      buf b;
      dg1_from_lines (&b, l1, l2, td1_l3);
      mc_mrz m;
      assert_int_equal (mc_dg1_parse (b.p, b.n, &m), MC_OK);
      assert_int_equal (m.check_digits_ok, 0);
      assert_string_equal (m.primary_identifier, "ERIKSSON");
      free (b.p);
    }
  /* The Vietnamese one with the document-number check digit off. */
  vn_lines (l1, l2, l3);
  l1[14] = l1[14] == '9' ? '0' : (char) (l1[14] + 1);
  buf b;
  dg1_from_lines (&b, l1, l2, l3);
  mc_mrz m;
  assert_int_equal (mc_dg1_parse (b.p, b.n, &m), MC_OK);
  assert_int_equal (m.check_digits_ok, 0);
  assert_string_equal (m.document_number, "203001234");
  free (b.p);
}

static void
test_dg1_malformed (void **state)
{
  (void) state;
  char mrz[92];
  snprintf (mrz, sizeof mrz, "%s%s%s<", td1_l1, td1_l2, td1_l3);
  mc_mrz m;
  buf b;

  /* 89 and 91 characters. */
  dg1_build (&b, mrz, 89);
  assert_int_equal (mc_dg1_parse (b.p, b.n, &m), MC_ERR_MALFORMED);
  free (b.p);
  dg1_build (&b, mrz, 91);
  assert_int_equal (mc_dg1_parse (b.p, b.n, &m), MC_ERR_MALFORMED);
  free (b.p);

  /* Wrong outer tag, wrong inner tag. */
  memset (&b, 0, sizeof b);
  buf_tlv (&b, 0x5F1F, mrz, 90);
  buf_wrap (&b, 0x62);
  assert_int_equal (mc_dg1_parse (b.p, b.n, &m), MC_ERR_MALFORMED);
  free (b.p);
  memset (&b, 0, sizeof b);
  buf_tlv (&b, 0x5F1E, mrz, 90);
  buf_wrap (&b, 0x61);
  assert_int_equal (mc_dg1_parse (b.p, b.n, &m), MC_ERR_MALFORMED);
  free (b.p);

  /* A character outside the MRZ set. */
  mrz[40] = 'a';
  dg1_build (&b, mrz, 90);
  assert_int_equal (mc_dg1_parse (b.p, b.n, &m), MC_ERR_MALFORMED);
  free (b.p);
  mrz[40] = td1_l2[10];

  /* Truncated at every length; trailing garbage. */
  dg1_build (&b, mrz, 90);
  assert_int_equal (mc_dg1_parse (b.p, b.n, &m), MC_OK);
  for (size_t cut = 0; cut < b.n; cut++)
    assert_int_not_equal (mc_dg1_parse (b.p, cut, &m), MC_OK);
  buf_u8 (&b, 0x00);
  assert_int_equal (mc_dg1_parse (b.p, b.n, &m), MC_ERR_MALFORMED);
  free (b.p);

  assert_int_equal (mc_dg1_parse (NULL, 10, &m), MC_ERR_INVALID_ARG);
}

/* ----------------------------------------------------------------- DG2 */

/* A tiny JPEG (SOI, APP0/JFIF, EOI) and the start of a JPEG 2000 file
 * (the JP2 signature box, ISO/IEC 15444-1 Annex I). */
static const uint8_t jpeg_img[] = {
  0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 'J', 'F', 'I', 'F', 0x00, 0x01, 0x01,
  0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0xFF, 0xD9,
};
static const uint8_t jp2_img[] = {
  0x00, 0x00, 0x00, 0x0C, 0x6A, 0x50, 0x20, 0x20, 0x0D, 0x0A, 0x87, 0x0A,
  0x00, 0x00, 0x00, 0x14, 'f', 't', 'y', 'p', 'j', 'p', '2', ' ',
};

/* ISO/IEC 19794-5:2005 facial record with one face:
 *   §5.4 record header: 'FAC\0', version '010\0', record length (4),
 *        number of facial images (2)
 *   §5.5 facial information: block length (4), number of feature points
 *        (2), gender, eye colour, hair colour (1 each), feature mask (3),
 *        expression (2), pose angle (3), pose angle uncertainty (3)
 *   §5.6 feature points: 8 bytes each (type, code, x, y, reserved)
 *   §5.7 image information: face image type, image data type (0 JPEG,
 *        1 JPEG 2000), width (2), height (2), colour space, source type,
 *        device type (2), quality (2); then the image data. */
static void
fac_record (buf *r, const uint8_t *img, size_t img_len, int data_type,
            uint16_t n_points)
{
  uint32_t block_len = 20 + 8u * n_points + 12 + (uint32_t) img_len;
  memset (r, 0, sizeof *r);
  buf_add (r, "FAC\0", 4);
  buf_add (r, "010\0", 4);
  buf_be32 (r, 14 + block_len);
  buf_be16 (r, 1);

  buf_be32 (r, block_len);
  buf_be16 (r, n_points);
  buf_u8 (r, 0x02);               /* gender: female */
  buf_u8 (r, 0x03);               /* eye colour: brown */
  buf_u8 (r, 0x01);               /* hair colour: black */
  buf_add (r, "\x00\x00\x01", 3); /* feature mask: features specified */
  buf_be16 (r, 0x0001);           /* expression: neutral */
  buf_add (r, "\x00\x00\x00", 3); /* pose angle: unspecified */
  buf_add (r, "\x00\x00\x00", 3); /* pose angle uncertainty */
  for (uint16_t i = 0; i < n_points; i++)
    {
      buf_u8 (r, 0x01);           /* MPEG-4 feature point */
      buf_u8 (r, (uint8_t) (0x31 + i)); /* 3.1 / 3.2: eye centres */
      buf_be16 (r, (uint16_t) (100 + 60 * i));
      buf_be16 (r, 120);
      buf_be16 (r, 0);
    }
  buf_u8 (r, 0x01);               /* face image type: full frontal */
  buf_u8 (r, (uint8_t) data_type);
  buf_be16 (r, 240);              /* width */
  buf_be16 (r, 320);              /* height */
  buf_u8 (r, 0x01);               /* colour space: 24-bit RGB */
  buf_u8 (r, 0x02);               /* source type: digital still */
  buf_be16 (r, 0x0000);           /* device type */
  buf_be16 (r, 0x0000);           /* quality */
  buf_add (r, img, img_len);
}

/* 75 { 7F61 { 02 01 01, 7F60 { A1 <header>, data_tag <record> } } }
 * (ICAO 9303-10 §4.7.2; the header per ISO/IEC 7816-11 / CBEFF). */
static void
dg2_wrap (buf *out, const buf *rec, uint32_t data_tag)
{
  static const uint8_t hdr[] = {
    0x80, 0x02, 0x01, 0x01,   /* ICAO header version */
    0x81, 0x01, 0x02,         /* biometric type: facial features */
    0x87, 0x02, 0x01, 0x01,   /* format owner */
    0x88, 0x02, 0x00, 0x08,   /* format type */
  };
  buf bit = { 0 };
  buf_tlv (&bit, 0xA1, hdr, sizeof hdr);
  buf_tlv (&bit, data_tag, rec->p, rec->n);
  buf_wrap (&bit, 0x7F60);

  memset (out, 0, sizeof *out);
  buf_tlv (out, 0x02, "\x01", 1);
  buf_add (out, bit.p, bit.n);
  free (bit.p);
  buf_wrap (out, 0x7F61);
  buf_wrap (out, 0x75);
}

/* Offset of needle in hay (the image is placed there exactly once). */
static size_t
find_bytes (const buf *hay, const uint8_t *needle, size_t n)
{
  size_t found = SIZE_MAX;
  for (size_t i = 0; i + n <= hay->n; i++)
    if (memcmp (hay->p + i, needle, n) == 0)
      {
        assert_int_equal (found, SIZE_MAX);
        found = i;
      }
  assert_true (found != SIZE_MAX);
  return found;
}

static void
check_dg2 (const uint8_t *img, size_t img_len, int data_type, uint16_t n_points,
           uint32_t data_tag, mc_face_format want)
{
  buf rec, dg2;
  fac_record (&rec, img, img_len, data_type, n_points);
  dg2_wrap (&dg2, &rec, data_tag);
  mc_dg2_info info;
  assert_int_equal (mc_dg2_parse (dg2.p, dg2.n, &info), MC_OK);
  assert_int_equal (info.format, want);
  assert_int_equal (info.offset, find_bytes (&dg2, img, img_len));
  assert_int_equal (info.len, img_len);
  /* The image ends the record, which ends the DG2. */
  assert_int_equal (info.offset + info.len, dg2.n);
  assert_memory_equal (dg2.p + info.offset, img, img_len);
  free (rec.p);
  free (dg2.p);
}

static void
test_dg2_jpeg (void **state)
{
  (void) state;
  check_dg2 (jpeg_img, sizeof jpeg_img, 0, 0, 0x5F2E, MC_FACE_JPEG);
  check_dg2 (jpeg_img, sizeof jpeg_img, 0, 2, 0x5F2E, MC_FACE_JPEG);
}

static void
test_dg2_jpeg2000 (void **state)
{
  (void) state;
  check_dg2 (jp2_img, sizeof jp2_img, 1, 0, 0x5F2E, MC_FACE_JPEG2000);
  check_dg2 (jp2_img, sizeof jp2_img, 1, 2, 0x5F2E, MC_FACE_JPEG2000);
}

static void
test_dg2_7f2e (void **state)
{
  (void) state;
  check_dg2 (jpeg_img, sizeof jpeg_img, 0, 2, 0x7F2E, MC_FACE_JPEG);
  check_dg2 (jp2_img, sizeof jp2_img, 1, 0, 0x7F2E, MC_FACE_JPEG2000);
}

/* A large image needs multi-byte lengths in every wrapper. */
static void
test_dg2_large (void **state)
{
  (void) state;
  size_t n = 70000;
  uint8_t *img = malloc (n);
  assert_non_null (img);
  for (size_t i = 0; i < n; i++)
    img[i] = (uint8_t) (i * 131 + 7);
  memcpy (img, jpeg_img, 4);
  memcpy (img + n - 2, "\xFF\xD9", 2);
  buf rec, dg2;
  fac_record (&rec, img, n, 0, 0);
  dg2_wrap (&dg2, &rec, 0x5F2E);
  mc_dg2_info info;
  assert_int_equal (mc_dg2_parse (dg2.p, dg2.n, &info), MC_OK);
  assert_int_equal (info.format, MC_FACE_JPEG);
  assert_int_equal (info.len, n);
  assert_int_equal (info.offset, dg2.n - n);
  assert_memory_equal (dg2.p + info.offset, img, n);
  free (rec.p);
  free (dg2.p);
  free (img);
}

/* Byte offsets inside the facial record (ISO/IEC 19794-5 §5.4, §5.5). */
#define REC_LEN_OFF     8
#define BLOCK_LEN_OFF   14
#define N_POINTS_OFF    18

static void
put_be32 (uint8_t *p, uint32_t v)
{
  p[0] = (uint8_t) (v >> 24);
  p[1] = (uint8_t) (v >> 16);
  p[2] = (uint8_t) (v >> 8);
  p[3] = (uint8_t) v;
}

static mc_status
parse_modified (uint32_t block_len, int set_block, uint16_t n_points, int set_points,
                uint32_t rec_len, int set_rec)
{
  buf rec, dg2;
  fac_record (&rec, jpeg_img, sizeof jpeg_img, 0, 0);
  if (set_block)
    put_be32 (rec.p + BLOCK_LEN_OFF, block_len);
  if (set_points)
    {
      rec.p[N_POINTS_OFF] = (uint8_t) (n_points >> 8);
      rec.p[N_POINTS_OFF + 1] = (uint8_t) n_points;
    }
  if (set_rec)
    put_be32 (rec.p + REC_LEN_OFF, rec_len);
  dg2_wrap (&dg2, &rec, 0x5F2E);
  mc_dg2_info info;
  mc_status s = mc_dg2_parse (dg2.p, dg2.n, &info);
  free (rec.p);
  free (dg2.p);
  return s;
}

static void
test_dg2_bad_record (void **state)
{
  (void) state;
  uint32_t block = 20 + 12 + sizeof jpeg_img;
  /* Unmodified: fine. */
  assert_int_equal (parse_modified (0, 0, 0, 0, 0, 0), MC_OK);
  /* Block length one past the record, and far past. */
  assert_int_equal (parse_modified (block + 1, 1, 0, 0, 0, 0), MC_ERR_MALFORMED);
  assert_int_equal (parse_modified (0xFFFFFFFFu, 1, 0, 0, 0, 0), MC_ERR_MALFORMED);
  /* Block length too short for info + image information, or no image. */
  assert_int_equal (parse_modified (20 + 11, 1, 0, 0, 0, 0), MC_ERR_MALFORMED);
  assert_int_equal (parse_modified (20 + 12, 1, 0, 0, 0, 0), MC_ERR_MALFORMED);
  /* Feature points that push the image offset past the buffer. */
  assert_int_equal (parse_modified (0, 0, 3, 1, 0, 0), MC_ERR_MALFORMED);
  assert_int_equal (parse_modified (0, 0, 0xFFFF, 1, 0, 0), MC_ERR_MALFORMED);
  /* Feature points that fit in the block leave a shorter image. */
  assert_int_equal (parse_modified (0, 0, 1, 1, 0, 0), MC_OK);
  /* Record length past the data object, or too short. */
  assert_int_equal (parse_modified (0, 0, 0, 0, 14 + block + 1, 1), MC_ERR_MALFORMED);
  assert_int_equal (parse_modified (0, 0, 0, 0, 14 + 20 - 1, 1), MC_ERR_MALFORMED);
  assert_int_equal (parse_modified (0, 0, 0, 0, 0xFFFFFFFFu, 1), MC_ERR_MALFORMED);
}

static void
test_dg2_malformed (void **state)
{
  (void) state;
  buf rec, dg2;
  mc_dg2_info info;

  fac_record (&rec, jpeg_img, sizeof jpeg_img, 0, 2);
  dg2_wrap (&dg2, &rec, 0x5F2E);
  assert_int_equal (mc_dg2_parse (dg2.p, dg2.n, &info), MC_OK);
  /* Truncated at every length. */
  for (size_t cut = 0; cut < dg2.n; cut++)
    assert_int_not_equal (mc_dg2_parse (dg2.p, cut, &info), MC_OK);
  /* Wrong outer tag. */
  dg2.p[0] = 0x76;
  assert_int_equal (mc_dg2_parse (dg2.p, dg2.n, &info), MC_ERR_MALFORMED);
  free (dg2.p);

  /* Data object tagged neither 5F2E nor 7F2E. */
  dg2_wrap (&dg2, &rec, 0x5F2F);
  assert_int_equal (mc_dg2_parse (dg2.p, dg2.n, &info), MC_ERR_MALFORMED);
  free (dg2.p);

  /* Zero faces in the record header. */
  rec.p[13] = 0;
  dg2_wrap (&dg2, &rec, 0x5F2E);
  assert_int_equal (mc_dg2_parse (dg2.p, dg2.n, &info), MC_ERR_MALFORMED);
  free (dg2.p);
  rec.p[13] = 1;
  free (rec.p);

  /* A record too short to hold its header and facial information. */
  buf shortrec = { 0 };
  buf_add (&shortrec, "FAC\0" "010\0", 8);
  buf_be32 (&shortrec, 20);
  buf_be16 (&shortrec, 1);
  buf_be32 (&shortrec, 20);
  dg2_wrap (&dg2, &shortrec, 0x5F2E);
  assert_int_equal (mc_dg2_parse (dg2.p, dg2.n, &info), MC_ERR_MALFORMED);
  free (dg2.p);
  free (shortrec.p);

  /* Neither a facial record nor a recognisable bare image. */
  buf junk = { 0 };
  buf_add (&junk, "NOT A FACE", 10);
  dg2_wrap (&dg2, &junk, 0x5F2E);
  assert_int_equal (mc_dg2_parse (dg2.p, dg2.n, &info), MC_ERR_MALFORMED);
  free (dg2.p);
  free (junk.p);

  /* A bare JPEG without the 19794-5 record is accepted as is. */
  buf bare = { 0 };
  buf_add (&bare, jpeg_img, sizeof jpeg_img);
  dg2_wrap (&dg2, &bare, 0x5F2E);
  assert_int_equal (mc_dg2_parse (dg2.p, dg2.n, &info), MC_OK);
  assert_int_equal (info.format, MC_FACE_JPEG);
  assert_int_equal (info.offset, dg2.n - sizeof jpeg_img);
  assert_int_equal (info.len, sizeof jpeg_img);
  free (dg2.p);
  free (bare.p);

  assert_int_equal (mc_dg2_parse (NULL, 10, &info), MC_ERR_INVALID_ARG);
}

/* --------------------------------------------------------------- dates */

static void
test_dates_accepted (void **state)
{
  (void) state;
  static const struct { const char *in, *out; } ok[] = {
    { "15/03/1989", "1989-03-15" },
    { "15031989", "1989-03-15" },
    { "19890315", "1989-03-15" },
    { "1989-03-15", "1989-03-15" },
    { "15-03-1989", "1989-03-15" },
    { "15.03.1989", "1989-03-15" },
    { "01/01/2000", "2000-01-01" },
    { "31/12/2099", "2099-12-31" },
    { "29/02/2020", "2020-02-29" },  /* leap year */
    { "29/02/2000", "2000-02-29" },  /* divisible by 400 */
    { "31012021", "2021-01-31" },
    { "20210131", "2021-01-31" },
    { " 15/03/1989 ", "1989-03-15" },
  };
  for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
    {
      char out[11];
      memset (out, 'x', sizeof out);
      assert_int_equal (mc_lds_normalise_date (ok[i].in, out), 0);
      assert_string_equal (out, ok[i].out);
    }
}

static void
test_dates_rejected (void **state)
{
  (void) state;
  static const char *bad[] = {
    "31/02/2020", "00/01/2000", "2020-13-01", "29/02/2019", "29/02/1900",
    "31/04/2021", "32/01/2021", "15/00/1989", "2020-00-10", "20201301",
    "13322020", "abcdefgh", "15/03/89", "1/3/1989", "15/03-1989", "15 03 1989",
    "1989-3-15", "15/03/1989x", "x15/03/1989", "+5/03/1989", "15/03/19 9",
    "", "   ",
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    {
      char out[11];
      if (mc_lds_normalise_date (bad[i], out) == 0)
        fail_msg ("accepted \"%s\" as %s", bad[i], out);
    }
  char out[11];
  assert_int_not_equal (mc_lds_normalise_date (NULL, out), 0);
  assert_int_not_equal (mc_lds_normalise_date ("15/03/1989", NULL), 0);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_file_table),
    cmocka_unit_test (test_com_appendix_d),
    cmocka_unit_test (test_com_vietnam),
    cmocka_unit_test (test_com_malformed),
    cmocka_unit_test (test_dg1_specimen),
    cmocka_unit_test (test_dg1_vietnam),
    cmocka_unit_test (test_dg1_bad_check_digit),
    cmocka_unit_test (test_dg1_malformed),
    cmocka_unit_test (test_dg2_jpeg),
    cmocka_unit_test (test_dg2_jpeg2000),
    cmocka_unit_test (test_dg2_7f2e),
    cmocka_unit_test (test_dg2_large),
    cmocka_unit_test (test_dg2_bad_record),
    cmocka_unit_test (test_dg2_malformed),
    cmocka_unit_test (test_dates_accepted),
    cmocka_unit_test (test_dates_rejected),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
