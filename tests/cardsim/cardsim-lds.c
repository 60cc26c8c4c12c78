/* cardsim-lds.c — personalisation: EF.COM, DG1, DG2, DG13, DG14, DG15 and
 * EF.CardAccess (ICAO 9303-10 §4.6-4.7, 9303-11 §9.2) built from a
 * profile.  DER structures go through OpenSSL's ASN.1 templates; the LDS
 * application-tag wrappers through ASN1_put_object. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/asn1t.h>
#include <openssl/crypto.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/sha.h>
#include <eac/objects.h>
#include "cardsim-int.h"
#include "chip-auth.h"
#include "mrz.h"
#include "tlv.h"

/* ---------------------------------------------------------------- ASN.1 */

/* DG13 (domain.md): SEQUENCE { INTEGER 1, OID, SET OF SEQUENCE {
 * INTEGER field, ANY value } } */
typedef struct {
  ASN1_INTEGER *number;
  ASN1_TYPE *value;
} CS_DG13_FIELD;
DECLARE_ASN1_FUNCTIONS (CS_DG13_FIELD)
ASN1_SEQUENCE (CS_DG13_FIELD) = {
  ASN1_SIMPLE (CS_DG13_FIELD, number, ASN1_INTEGER),
  ASN1_SIMPLE (CS_DG13_FIELD, value, ASN1_ANY),
} ASN1_SEQUENCE_END (CS_DG13_FIELD)
IMPLEMENT_ASN1_FUNCTIONS (CS_DG13_FIELD)
DEFINE_STACK_OF (CS_DG13_FIELD)

typedef struct {
  ASN1_INTEGER *version;
  ASN1_OBJECT *oid;
  STACK_OF (CS_DG13_FIELD) *fields;
} CS_DG13;
DECLARE_ASN1_FUNCTIONS (CS_DG13)
ASN1_SEQUENCE (CS_DG13) = {
  ASN1_SIMPLE (CS_DG13, version, ASN1_INTEGER),
  ASN1_SIMPLE (CS_DG13, oid, ASN1_OBJECT),
  ASN1_SET_OF (CS_DG13, fields, CS_DG13_FIELD),
} ASN1_SEQUENCE_END (CS_DG13)
IMPLEMENT_ASN1_FUNCTIONS (CS_DG13)

/* SEQUENCE OF UTF8String (DG13 fields 13 and 14) */
typedef STACK_OF (ASN1_UTF8STRING) CS_NAMES;
DECLARE_ASN1_ITEM (CS_NAMES)
ASN1_ITEM_TEMPLATE (CS_NAMES) =
  ASN1_EX_TEMPLATE_TYPE (ASN1_TFLG_SEQUENCE_OF, 0, CS_NAMES, ASN1_UTF8STRING)
ASN1_ITEM_TEMPLATE_END (CS_NAMES)

/* PACEInfo (ICAO 9303-11 §9.2.1) and EF.CardAccess = SET OF it */
typedef struct {
  ASN1_OBJECT *protocol;
  ASN1_INTEGER *version;
  ASN1_INTEGER *parameter_id;
} CS_PACE_INFO;
DECLARE_ASN1_FUNCTIONS (CS_PACE_INFO)
ASN1_SEQUENCE (CS_PACE_INFO) = {
  ASN1_SIMPLE (CS_PACE_INFO, protocol, ASN1_OBJECT),
  ASN1_SIMPLE (CS_PACE_INFO, version, ASN1_INTEGER),
  ASN1_OPT (CS_PACE_INFO, parameter_id, ASN1_INTEGER),
} ASN1_SEQUENCE_END (CS_PACE_INFO)
IMPLEMENT_ASN1_FUNCTIONS (CS_PACE_INFO)
DEFINE_STACK_OF (CS_PACE_INFO)

typedef STACK_OF (CS_PACE_INFO) CS_CARD_ACCESS;
DECLARE_ASN1_ITEM (CS_CARD_ACCESS)
ASN1_ITEM_TEMPLATE (CS_CARD_ACCESS) =
  ASN1_EX_TEMPLATE_TYPE (ASN1_TFLG_SET_OF, 0, CS_CARD_ACCESS, CS_PACE_INFO)
ASN1_ITEM_TEMPLATE_END (CS_CARD_ACCESS)

/* ---------------------------------------------------------------- TLV */

/* Appends tag (as written, e.g. 0x7F61) + length + value.  The LDS
 * writes some tags in two bytes where DER would use one (5F01), so the
 * header comes from the BER-TLV writer, not ASN1_put_object. */
static void
put_tlv (GByteArray *b, uint32_t tag, const void *v, size_t n)
{
  uint8_t hdr[16];
  size_t h = mc_tlv_put_header (tag, n, hdr, sizeof hdr);
  g_assert (h > 0);
  g_byte_array_append (b, hdr, (guint) h);
  if (n)
    g_byte_array_append (b, v, (guint) n);
}

static void
file_set (cardsim *c, int n, GByteArray *b)
{
  size_t len = b->len;
  uint8_t *d = malloc (len ? len : 1);
  memcpy (d, b->data, len);
  cardsim_buf_set (&c->files[n], d, len);
  OPENSSL_cleanse (b->data, b->len);
  g_byte_array_free (b, TRUE);
}

int
cardsim_wrap (int tag, int app, int constructed, const uint8_t *v, size_t vlen,
              uint8_t **out, size_t *out_len)
{
  int total = ASN1_object_size (constructed, (int) vlen, tag);
  if (total <= 0 || !(*out = malloc ((size_t) total)))
    return -1;
  uint8_t *p = *out;
  ASN1_put_object (&p, constructed, (int) vlen, tag, app ? V_ASN1_APPLICATION : V_ASN1_UNIVERSAL);
  memcpy (p, v, vlen);
  *out_len = (size_t) total;
  return 0;
}

/* ---------------------------------------------------------------- EF.COM */

static void
build_com (cardsim *c)
{
  GByteArray *in = g_byte_array_new (), *b = g_byte_array_new ();
  /* DG3 is listed: real cards carry it behind EAC (6982 here). */
  uint8_t tags[] = { 0x61, 0x75, 0x63, 0x6D, 0x6E, 0x6F };
  put_tlv (in, 0x5F01, "0107", 4);
  put_tlv (in, 0x5F36, "040000", 6);
  put_tlv (in, 0x5C, tags, sizeof tags);
  put_tlv (b, 0x60, in->data, in->len);
  g_byte_array_free (in, TRUE);
  file_set (c, 0x1E, b);
}

/* ---------------------------------------------------------------- DG1 */

/* Vietnamese name → MRZ characters: strip the diacritics (NFD, drop the
 * combining marks), Đ → D, upper case, other characters → '<'. */
static void
mrz_name (const char *utf8, char *out, size_t cap)
{
  gchar *nfd = g_utf8_normalize (utf8, -1, G_NORMALIZE_NFD);
  size_t n = 0;
  for (const gchar *p = nfd; p && *p && n + 1 < cap; p = g_utf8_next_char (p))
    {
      gunichar ch = g_utf8_get_char (p);
      if (ch >= 0x300 && ch <= 0x36F)
        continue;
      if (ch == 0x110 || ch == 0x111)
        ch = 'D';
      ch = g_unichar_toupper (ch);
      out[n++] = (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ? (char) ch : '<';
    }
  out[n] = 0;
  g_free (nfd);
}

static void
pad (char *dst, const char *src, size_t width)
{
  size_t l = strlen (src);
  memset (dst, '<', width);
  memcpy (dst, src, l < width ? l : width);
}

static int
check_digit (const char *s, size_t n)
{
  int d = mc_mrz_check_digit (s, n);
  return d < 0 ? 0 : d;
}

/* TD1 (ICAO 9303-5 §4.2): line 1 = document code, VNM, document number
 * (last 9 digits of the ID), its check digit, optional data beginning with
 * the 12-digit ID number. */
static int
build_dg1 (cardsim *c, char **error)
{
  const cardsim_profile *p = &c->profile;
  const char *id = cardsim_profile_get (p, "id_number");
  const char *name = cardsim_profile_get (p, "full_name");
  const char *sex = cardsim_profile_get (p, "sex");
  if (!name || !sex)
    {
      *error = strdup ("profile: full_name and sex are required");
      return -1;
    }
  char l1[31], l2[31], l3[31], tmp[256];
  pad (l1, p->generation == 2024 ? "IT" : "ID", 2);
  memcpy (l1 + 2, "VNM", 3);
  memcpy (l1 + 5, c->doc, 9);
  l1[14] = (char) ('0' + check_digit (c->doc, 9));
  pad (l1 + 15, id, 15);
  l1[30] = 0;

  memcpy (l2, c->dob, 6);
  l2[6] = (char) ('0' + check_digit (c->dob, 6));
  l2[7] = (sex[0] == 'M' || strcmp (sex, "Nam") == 0) ? 'M'
          : (sex[0] == 'F' || strncmp (sex, "N\xE1\xBB\xAF", 4) == 0) ? 'F' : '<';
  memcpy (l2 + 8, c->doe, 6);
  l2[14] = (char) ('0' + check_digit (c->doe, 6));
  memcpy (l2 + 15, "VNM", 3);
  memset (l2 + 18, '<', 11);
  /* composite: line 1 positions 6-30, line 2 positions 1-7, 9-15, 19-29 */
  char comp[60];
  memcpy (comp, l1 + 5, 25);
  memcpy (comp + 25, l2, 7);
  memcpy (comp + 32, l2 + 8, 7);
  memcpy (comp + 39, l2 + 18, 11);
  l2[29] = (char) ('0' + check_digit (comp, 50));
  l2[30] = 0;

  /* line 3: SURNAME<<GIVEN<NAMES */
  mrz_name (name, tmp, sizeof tmp);
  char *sp = strchr (tmp, '<');
  char l3s[300];
  if (sp)
    {
      *sp = 0;
      snprintf (l3s, sizeof l3s, "%s<<%s", tmp, sp + 1);
    }
  else
    snprintf (l3s, sizeof l3s, "%s", tmp);
  pad (l3, l3s, 30);
  l3[30] = 0;

  char mrz[91];
  memcpy (mrz, l1, 30);
  memcpy (mrz + 30, l2, 30);
  memcpy (mrz + 60, l3, 30);
  GByteArray *in = g_byte_array_new (), *b = g_byte_array_new ();
  put_tlv (in, 0x5F1F, mrz, 90);
  put_tlv (b, 0x61, in->data, in->len);
  OPENSSL_cleanse (in->data, in->len);
  g_byte_array_free (in, TRUE);
  OPENSSL_cleanse (mrz, sizeof mrz);
  file_set (c, 1, b);
  return 0;
}

/* ---------------------------------------------------------------- DG2 */

static void
be (uint8_t *p, uint32_t v, int n)
{
  for (int i = n - 1; i >= 0; i--, v >>= 8)
    p[i] = (uint8_t) v;
}

/* Image size from a JPEG SOFn segment or a JP2 'ihdr' box; 0 if unknown. */
static void
image_size (const uint8_t *d, size_t n, int jp2, unsigned *w, unsigned *h)
{
  *w = *h = 0;
  if (jp2)
    {
      for (size_t i = 0; i + 12 <= n; i++)
        if (memcmp (d + i, "ihdr", 4) == 0)
          {
            *h = (unsigned) (d[i + 4] << 24 | d[i + 5] << 16 | d[i + 6] << 8 | d[i + 7]);
            *w = (unsigned) (d[i + 8] << 24 | d[i + 9] << 16 | d[i + 10] << 8 | d[i + 11]);
            return;
          }
      return;
    }
  size_t i = 2;
  while (i + 9 < n && d[i] == 0xFF)
    {
      uint8_t m = d[i + 1];
      size_t seg = (size_t) (d[i + 2] << 8 | d[i + 3]);
      if (m >= 0xC0 && m <= 0xC3)
        {
          *h = (unsigned) (d[i + 5] << 8 | d[i + 6]);
          *w = (unsigned) (d[i + 7] << 8 | d[i + 8]);
          return;
        }
      i += 2 + seg;
    }
}

/* DG2 (ICAO 9303-10 §4.7.2): 75 { 7F61 { 02 count, 7F60 { A1 biometric
 * header template, 5F2E ISO/IEC 19794-5:2005 facial record } } } */
static int
build_dg2 (cardsim *c, char **error)
{
  const char *face = cardsim_profile_get (&c->profile, "face");
  gchar *img = NULL;
  gsize img_len = 0;
  GError *err = NULL;
  if (!face)
    {
      *error = strdup ("profile: face is required");
      return -1;
    }
  if (!g_file_get_contents (face, &img, &img_len, &err))
    {
      *error = strdup (err->message);
      g_error_free (err);
      return -1;
    }
  int jp2 = img_len > 12 && memcmp (img + 4, "jP  ", 4) == 0;
  unsigned w, h;
  image_size ((const uint8_t *) img, img_len, jp2, &w, &h);

  /* facial record header (14) + facial information (20) + image
   * information (12) + image */
  size_t rec_len = 14 + 20 + 12 + img_len;
  uint8_t *rec = calloc (1, rec_len);
  memcpy (rec, "FAC\0" "010\0", 8);
  be (rec + 8, (uint32_t) rec_len, 4);
  be (rec + 12, 1, 2);                  /* number of facial images */
  uint8_t *fi = rec + 14;
  be (fi, (uint32_t) (20 + 12 + img_len), 4); /* facial record data length */
  /* feature points 0, gender/eye/hair/mask/expression/pose unspecified */
  uint8_t *ii = fi + 20;
  ii[0] = 1;                            /* full frontal */
  ii[1] = jp2 ? 1 : 0;                  /* image data type: JPEG / JPEG2000 */
  be (ii + 2, w, 2);
  be (ii + 4, h, 2);
  ii[6] = 1;                            /* 24-bit RGB */
  ii[7] = 2;                            /* source: digital still */
  memcpy (ii + 12, img, img_len);
  g_free (img);

  static const uint8_t hdr_version[] = { 0x01, 0x01 }, type[] = { 0x02 },
    owner[] = { 0x01, 0x01 }, ftype[] = { 0x00, 0x08 }, count[] = { 0x01 };
  GByteArray *bht = g_byte_array_new (), *bit = g_byte_array_new (),
    *grp = g_byte_array_new (), *b = g_byte_array_new ();
  put_tlv (bht, 0x80, hdr_version, 2);
  put_tlv (bht, 0x81, type, 1);
  put_tlv (bht, 0x87, owner, 2);
  put_tlv (bht, 0x88, ftype, 2);
  put_tlv (bit, 0xA1, bht->data, bht->len);
  put_tlv (bit, 0x5F2E, rec, rec_len);
  free (rec);
  put_tlv (grp, 0x02, count, 1);
  put_tlv (grp, 0x7F60, bit->data, bit->len);
  GByteArray *g2 = g_byte_array_new ();
  put_tlv (g2, 0x7F61, grp->data, grp->len);
  put_tlv (b, 0x75, g2->data, g2->len);
  g_byte_array_free (bht, TRUE);
  g_byte_array_free (bit, TRUE);
  g_byte_array_free (grp, TRUE);
  g_byte_array_free (g2, TRUE);
  file_set (c, 2, b);
  return 0;
}

/* ---------------------------------------------------------------- DG13 */

/* "YYYY-MM-DD" → card form: 2021 "dd/mm/yyyy", 2024 "ddmmyyyy". */
static void
card_date (const char *iso, int generation, char *out, size_t cap)
{
  if (!iso || strlen (iso) != 10 || iso[4] != '-')
    {
      snprintf (out, cap, "%s", iso ? iso : "");
      return;
    }
  if (generation == 2024)
    snprintf (out, cap, "%.2s%.2s%.4s", iso + 8, iso + 5, iso);
  else
    snprintf (out, cap, "%.2s/%.2s/%.4s", iso + 8, iso + 5, iso);
}

static int
add_field (CS_DG13 *dg, int number, ASN1_TYPE *value)
{
  CS_DG13_FIELD *f = CS_DG13_FIELD_new ();
  if (!f || !value)
    goto err;
  ASN1_TYPE_free (f->value);
  f->value = value;
  value = NULL;
  if (!ASN1_INTEGER_set (f->number, number) || !sk_CS_DG13_FIELD_push (dg->fields, f))
    goto err;
  return 0;
err:
  ASN1_TYPE_free (value);
  CS_DG13_FIELD_free (f);
  return -1;
}

static ASN1_TYPE *
string_value (const char *s, int type)
{
  ASN1_STRING *str = ASN1_STRING_type_new (type);
  ASN1_TYPE *t = ASN1_TYPE_new ();
  if (!str || !t || !ASN1_STRING_set (str, s, (int) strlen (s)))
    {
      ASN1_STRING_free (str);
      ASN1_TYPE_free (t);
      return NULL;
    }
  ASN1_TYPE_set (t, type, str);
  return t;
}

/* SEQUENCE OF UTF8String, as an ANY value. */
static ASN1_TYPE *
names_value (const char *a, const char *b)
{
  CS_NAMES *names = sk_ASN1_UTF8STRING_new_null ();
  const char *v[2] = { a, b };
  ASN1_TYPE *t = NULL;
  uint8_t *der = NULL;
  for (int i = 0; i < 2 && names; i++)
    {
      if (!v[i])
        continue;
      ASN1_UTF8STRING *s = ASN1_UTF8STRING_new ();
      if (!s || !ASN1_STRING_set (s, v[i], (int) strlen (v[i])) || !sk_ASN1_UTF8STRING_push (names, s))
        {
          ASN1_UTF8STRING_free (s);
          goto out;
        }
    }
  int len = ASN1_item_i2d ((ASN1_VALUE *) names, &der, ASN1_ITEM_rptr (CS_NAMES));
  ASN1_STRING *seq = ASN1_STRING_new ();
  t = ASN1_TYPE_new ();
  if (len <= 0 || !seq || !t || !ASN1_STRING_set (seq, der, len))
    {
      ASN1_STRING_free (seq);
      ASN1_TYPE_free (t);
      t = NULL;
      goto out;
    }
  ASN1_TYPE_set (t, V_ASN1_SEQUENCE, seq);
out:
  OPENSSL_free (der);
  sk_ASN1_UTF8STRING_pop_free (names, ASN1_UTF8STRING_free);
  return t;
}

static int
build_dg13 (cardsim *c, char **error)
{
  const cardsim_profile *p = &c->profile;
  int gen = p->generation;
  CS_DG13 *dg = CS_DG13_new ();
  char date[32];
  int rc = -1;
  uint8_t *der = NULL;
  if (!dg || !ASN1_INTEGER_set (dg->version, 1))
    goto out;
  ASN1_OBJECT_free (dg->oid);
  dg->oid = OBJ_txt2obj ("1.0.10646.1.0.8", 1);
  if (!dg->oid)
    goto out;

  static const struct { int n; const char *key; int date; int printable; } map[] = {
    { 1, "id_number", 0, 1 }, { 2, "full_name", 0, 0 }, { 3, "date_of_birth", 1, 0 },
    { 4, "sex", 0, 0 }, { 5, "nationality", 0, 0 }, { 6, "ethnicity", 0, 0 },
    { 7, "religion", 0, 0 }, { 8, "place_of_origin", 0, 0 },
    { 9, "place_of_residence", 0, 0 }, { 10, "identifying_marks", 0, 0 },
    { 11, "date_of_issue", 1, 0 }, { 12, "date_of_expiry", 1, 0 },
    { 15, "old_id_number", 0, 1 },
  };
  for (size_t i = 0; i < G_N_ELEMENTS (map); i++)
    {
      const char *v = cardsim_profile_get (p, map[i].key);
      /* the 2024 card no longer carries identifying marks */
      if (!v || (gen == 2024 && map[i].n == 10))
        continue;
      if (map[i].n == 4 && strcmp (v, "M") == 0)
        v = "Nam";
      else if (map[i].n == 4 && strcmp (v, "F") == 0)
        v = "N\xE1\xBB\xAF";
      if (map[i].date)
        {
          card_date (v, gen, date, sizeof date);
          v = date;
        }
      if (add_field (dg, map[i].n, string_value (v, map[i].printable ? V_ASN1_PRINTABLESTRING
                                                                     : V_ASN1_UTF8STRING)) != 0)
        goto out;
    }
  const char *father = cardsim_profile_get (p, "father_name");
  const char *mother = cardsim_profile_get (p, "mother_name");
  if ((father || mother)
      && add_field (dg, 13, names_value (father ? father : "", mother ? mother : "")) != 0)
    goto out;
  const char *spouse = cardsim_profile_get (p, "spouse_name");
  if (spouse && add_field (dg, 14, names_value (spouse, NULL)) != 0)
    goto out;
  if (gen == 2024)
    {
      /* field 16: a 16-hex-character value (meaning unconfirmed) */
      const char *hex = cardsim_profile_get (p, "personal_id_hex");
      char buf[17];
      if (!hex)
        {
          uint8_t md[SHA256_DIGEST_LENGTH];
          const char *id = cardsim_profile_get (p, "id_number");
          SHA256 ((const uint8_t *) id, strlen (id), md);
          for (int i = 0; i < 8; i++)
            snprintf (buf + 2 * i, 3, "%02X", md[i]);
          hex = buf;
        }
      if (add_field (dg, 16, string_value (hex, V_ASN1_PRINTABLESTRING)) != 0)
        goto out;
    }
  int len = i2d_CS_DG13 (dg, &der);
  if (len <= 0)
    goto out;
  GByteArray *b = g_byte_array_new ();
  put_tlv (b, 0x6D, der, (size_t) len);
  OPENSSL_cleanse (der, (size_t) len);
  file_set (c, 13, b);
  rc = 0;
out:
  OPENSSL_free (der);
  CS_DG13_free (dg);
  if (rc)
    *error = strdup ("DG13: encoding failed");
  return rc;
}

/* ---------------------------------------------------------------- CardAccess */

static int
build_card_access (cardsim *c)
{
  CS_CARD_ACCESS *set = sk_CS_PACE_INFO_new_null ();
  CS_PACE_INFO *pi = CS_PACE_INFO_new ();
  uint8_t *der = NULL;
  int rc = -1;
  if (!set || !pi)
    goto out;
  ASN1_OBJECT_free (pi->protocol);
  pi->protocol = OBJ_dup (OBJ_nid2obj (NID_id_PACE_ECDH_GM_AES_CBC_CMAC_128));
  pi->parameter_id = ASN1_INTEGER_new ();
  if (!pi->protocol || !pi->parameter_id || !ASN1_INTEGER_set (pi->version, 2)
      || !ASN1_INTEGER_set (pi->parameter_id, 13) || !sk_CS_PACE_INFO_push (set, pi))
    goto out;
  pi = NULL;
  int len = ASN1_item_i2d ((ASN1_VALUE *) set, &der, ASN1_ITEM_rptr (CS_CARD_ACCESS));
  if (len <= 0)
    goto out;
  uint8_t *copy = malloc ((size_t) len);
  if (!copy)
    goto out;
  memcpy (copy, der, (size_t) len);
  cardsim_buf_set (&c->files[0x1C], copy, (size_t) len);
  rc = 0;
out:
  OPENSSL_free (der);
  CS_PACE_INFO_free (pi);
  sk_CS_PACE_INFO_pop_free (set, CS_PACE_INFO_free);
  return rc;
}

/* ---------------------------------------------------------------- keys */

static EVP_PKEY *
load_key (const char *dir, const char *name, char **error)
{
  gchar *path = g_build_filename (dir, name, NULL);
  FILE *f = fopen (path, "r");
  EVP_PKEY *k = f ? PEM_read_PrivateKey (f, NULL, NULL, NULL) : NULL;
  if (f)
    fclose (f);
  if (!k)
    *error = g_strdup_printf ("cannot load key %s", path);
  g_free (path);
  return k;
}

static int
build_chip_auth (cardsim *c, const char *pki_dir, char **error)
{
  const char *keys = cardsim_profile_get (&c->profile, "keys");
  int ec = keys && strcmp (keys, "aa=ec") == 0;
  if (keys && !ec && strcmp (keys, "aa=rsa") != 0)
    {
      *error = strdup ("profile: keys must be aa=rsa or aa=ec");
      return -1;
    }
  c->aa_key = load_key (pki_dir, ec ? "aa-ec-TEST-ONLY.key" : "aa-rsa-TEST-ONLY.key", error);
  if (!c->aa_key)
    return -1;
  c->ca_key = load_key (pki_dir, "ca-TEST-ONLY.key", error);
  if (!c->ca_key)
    return -1;
  /* RSA: ISO/IEC 9796-2 with SHA-1 (no AA info in DG14); EC: ECDSA
   * SHA-256, named in DG14's ActiveAuthenticationInfo. */
  c->aa_hash_nid = ec ? NID_sha256 : NID_sha1;
  uint8_t *d = NULL;
  size_t n = 0;
  if (chip_build_dg14 (c->ca_key, NID_id_CA_ECDH_AES_CBC_CMAC_128, c->aa_key,
                       ec ? NID_ecdsa_with_SHA256 : NID_undef, &d, &n) != 0)
    {
      *error = strdup ("DG14: chip_build_dg14 failed");
      return -1;
    }
  cardsim_buf_set (&c->files[14], d, n);
  if (chip_build_dg15 (c->aa_key, &d, &n) != 0)
    {
      *error = strdup ("DG15: chip_build_dg15 failed");
      return -1;
    }
  cardsim_buf_set (&c->files[15], d, n);
  return 0;
}

int
cardsim_build_files (cardsim *c, const char *pki_dir, char **error)
{
  build_com (c);
  if (build_dg1 (c, error) != 0 || build_dg2 (c, error) != 0
      || build_dg13 (c, error) != 0 || build_chip_auth (c, pki_dir, error) != 0)
    return -1;
  if (build_card_access (c) != 0)
    {
      *error = strdup ("EF.CardAccess: encoding failed");
      return -1;
    }
  return 0;
}
