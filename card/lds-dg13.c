/* lds-dg13.c — DG13, the Vietnamese holder data (ICAO 9303-10 §4.7.13:
 * "optional details", content defined by the issuing State)
 *
 * As seen on CCCD 2021 / 2024 cards (docs/domain.md):
 *
 *   6D { SEQUENCE { INTEGER 1, OID 1.0.10646.1.0.8,
 *                   SET { SEQUENCE { INTEGER n, value } ... } } }
 *
 * No published specification exists, so the parser is liberal about the
 * container (SET or SEQUENCE, with or without the version and OID) and
 * strict about the values: every string must be valid UTF-8 without NUL.
 * Fields are taken by number, never by position; any may be absent.
 * A field number that appears twice makes the DG malformed (which value
 * would be the holder's is then unknowable). */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/asn1.h>
#include <openssl/crypto.h>

#include "lds.h"
#include "tlv.h"

#define DG13_MAX_FIELD   10000
#define DG13_MAX_STRINGS 8
#define DG13_SEP         " | "

typedef struct {
  char  *s[DG13_MAX_STRINGS];
  size_t n;
} dg13_texts;

static void
texts_clear (dg13_texts *t)
{
  for (size_t i = 0; i < t->n; i++)
    if (t->s[i])
      {
        OPENSSL_cleanse (t->s[i], strlen (t->s[i]));
        free (t->s[i]);
      }
  t->n = 0;
}

/* Strict UTF-8 (RFC 3629): no overlongs, no surrogates, <= U+10FFFF, no NUL. */
static int
utf8_valid (const unsigned char *p, size_t n)
{
  size_t i = 0;
  while (i < n)
    {
      unsigned c = p[i];
      size_t k;
      unsigned min, cp;
      if (c == 0)
        return 0;
      if (c < 0x80)
        {
          i++;
          continue;
        }
      else if ((c & 0xE0) == 0xC0)
        k = 1, min = 0x80, cp = c & 0x1F;
      else if ((c & 0xF0) == 0xE0)
        k = 2, min = 0x800, cp = c & 0x0F;
      else if ((c & 0xF8) == 0xF0)
        k = 3, min = 0x10000, cp = c & 0x07;
      else
        return 0;
      if (n - i <= k)
        return 0;
      for (size_t j = 1; j <= k; j++)
        {
          if ((p[i + j] & 0xC0) != 0x80)
            return 0;
          cp = cp << 6 | (p[i + j] & 0x3F);
        }
      if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
      i += k + 1;
    }
  return 1;
}

static int
is_string_type (int type)
{
  switch (type)
    {
    case V_ASN1_UTF8STRING:
    case V_ASN1_PRINTABLESTRING:
    case V_ASN1_IA5STRING:
    case V_ASN1_VISIBLESTRING:
    case V_ASN1_NUMERICSTRING:
    case V_ASN1_T61STRING:
    case V_ASN1_BMPSTRING:
    case V_ASN1_UNIVERSALSTRING:
      return 1;
    default:
      return 0;
    }
}

/* Converts a string value to UTF-8.  MC_ERR_MALFORMED on invalid text. */
static mc_status
string_to_utf8 (const ASN1_TYPE *v, char **out)
{
  const ASN1_STRING *s = v->value.asn1_string;
  unsigned char *u = NULL;
  int n;

  *out = NULL;
  if (v->type == V_ASN1_UTF8STRING)
    {
      n = ASN1_STRING_length (s);
      const unsigned char *d = ASN1_STRING_get0_data (s);
      if (n < 0 || !utf8_valid (d, (size_t) n))
        return MC_ERR_MALFORMED;
      u = OPENSSL_malloc ((size_t) n + 1);
      if (!u)
        return MC_ERR_NOMEM;
      memcpy (u, d, (size_t) n);
    }
  else
    {
      /* The other string types are converted by OpenSSL, which checks
       * their character repertoire (e.g. BMPString code units). */
      n = ASN1_STRING_to_UTF8 (&u, s);
      if (n < 0)
        return MC_ERR_MALFORMED;
      if (!utf8_valid (u, (size_t) n))
        {
          OPENSSL_clear_free (u, (size_t) n);
          return MC_ERR_MALFORMED;
        }
    }
  char *r = malloc ((size_t) n + 1);
  if (!r)
    {
      OPENSSL_clear_free (u, (size_t) n);
      return MC_ERR_NOMEM;
    }
  memcpy (r, u, (size_t) n);
  r[n] = '\0';
  OPENSSL_clear_free (u, (size_t) n);
  *out = r;
  return MC_OK;
}

static mc_status
texts_add (dg13_texts *t, const ASN1_TYPE *v)
{
  if (t->n == DG13_MAX_STRINGS)
    return MC_ERR_MALFORMED;
  char *s;
  mc_status st = string_to_utf8 (v, &s);
  if (st != MC_OK)
    return st;
  t->s[t->n++] = s;
  return MC_OK;
}

/* Elements of a constructed SET or SEQUENCE value; NULL when v is neither
 * or its content does not parse. */
static STACK_OF (ASN1_TYPE) *
children_of (const ASN1_TYPE *v)
{
  if (v->type != V_ASN1_SEQUENCE && v->type != V_ASN1_SET)
    return NULL;
  const ASN1_STRING *s = v->value.asn1_string;
  const unsigned char *p = ASN1_STRING_get0_data (s);
  long n = ASN1_STRING_length (s);
  const unsigned char *q = p;
  STACK_OF (ASN1_TYPE) *sk;
  if (v->type == V_ASN1_SEQUENCE)
    sk = d2i_ASN1_SEQUENCE_ANY (NULL, &q, n);
  else
    sk = d2i_ASN1_SET_ANY (NULL, &q, n);
  if (sk && q != p + n)
    {
      sk_ASN1_TYPE_pop_free (sk, ASN1_TYPE_free);
      return NULL;
    }
  return sk;
}

/* Collects the text of a field's value elements: strings directly, and the
 * strings one level down in a SEQUENCE / SET (parents, spouse). */
static mc_status
collect_texts (STACK_OF (ASN1_TYPE) *entry, dg13_texts *t)
{
  for (int i = 1; i < sk_ASN1_TYPE_num (entry); i++)
    {
      const ASN1_TYPE *v = sk_ASN1_TYPE_value (entry, i);
      if (is_string_type (v->type))
        {
          mc_status s = texts_add (t, v);
          if (s != MC_OK)
            return s;
        }
      else if (v->type == V_ASN1_SEQUENCE || v->type == V_ASN1_SET)
        {
          STACK_OF (ASN1_TYPE) *sub = children_of (v);
          if (!sub)
            return MC_ERR_MALFORMED;
          mc_status s = MC_OK;
          for (int j = 0; j < sk_ASN1_TYPE_num (sub) && s == MC_OK; j++)
            {
              const ASN1_TYPE *w = sk_ASN1_TYPE_value (sub, j);
              if (is_string_type (w->type))
                s = texts_add (t, w);
            }
          sk_ASN1_TYPE_pop_free (sub, ASN1_TYPE_free);
          if (s != MC_OK)
            return s;
        }
      /* other types (INTEGER, OCTET STRING ...) have no text; their DER
       * is kept when the field ends up in other_fields. */
    }
  return MC_OK;
}

static char *
texts_join (const dg13_texts *t)
{
  size_t n = 1;
  for (size_t i = 0; i < t->n; i++)
    n += strlen (t->s[i]) + (i ? strlen (DG13_SEP) : 0);
  char *r = malloc (n);
  if (!r)
    return NULL;
  r[0] = '\0';
  for (size_t i = 0; i < t->n; i++)
    {
      if (i)
        strcat (r, DG13_SEP);
      strcat (r, t->s[i]);
    }
  return r;
}

/* DER of the value elements (everything after the field number). */
static mc_status
value_der (STACK_OF (ASN1_TYPE) *entry, uint8_t **out, size_t *out_len)
{
  size_t total = 0;
  *out = NULL;
  *out_len = 0;
  for (int i = 1; i < sk_ASN1_TYPE_num (entry); i++)
    {
      int n = i2d_ASN1_TYPE (sk_ASN1_TYPE_value (entry, i), NULL);
      if (n <= 0)
        return MC_ERR_MALFORMED;
      total += (size_t) n;
    }
  uint8_t *buf = malloc (total ? total : 1);
  if (!buf)
    return MC_ERR_NOMEM;
  unsigned char *p = buf;
  for (int i = 1; i < sk_ASN1_TYPE_num (entry); i++)
    i2d_ASN1_TYPE (sk_ASN1_TYPE_value (entry, i), &p);
  *out = buf;
  *out_len = total;
  return MC_OK;
}

static char **
known_slot (mc_identity *id, long number)
{
  switch (number)
    {
    case 1: return &id->id_number;
    case 2: return &id->full_name;
    case 3: return &id->date_of_birth;
    case 4: return &id->sex;
    case 5: return &id->nationality;
    case 6: return &id->ethnicity;
    case 7: return &id->religion;
    case 8: return &id->place_of_origin;
    case 9: return &id->place_of_residence;
    case 10: return &id->identifying_marks;
    case 11: return &id->date_of_issue;
    case 12: return &id->date_of_expiry;
    case 15: return &id->old_id_number;
    default: return NULL;
    }
}

static mc_status
add_other (mc_identity *id, long number, STACK_OF (ASN1_TYPE) *entry,
           const dg13_texts *t)
{
  for (size_t i = 0; i < id->n_other_fields; i++)
    if (id->other_fields[i].number == number)
      return MC_ERR_MALFORMED;
  mc_dg13_field f = { .number = (int) number };
  mc_status s = value_der (entry, &f.raw, &f.raw_len);
  if (s != MC_OK)
    return s;
  f.value = texts_join (t);
  mc_dg13_field *n = realloc (id->other_fields,
                              (id->n_other_fields + 1) * sizeof *n);
  if (!f.value || !n)
    {
      free (f.value);
      free (f.raw);
      if (n)
        id->other_fields = n;
      return MC_ERR_NOMEM;
    }
  id->other_fields = n;
  id->other_fields[id->n_other_fields++] = f;
  return MC_OK;
}

/* Moves ownership of string i of t into *slot (NULL for an empty string:
 * an empty field counts as absent). */
static mc_status
take_text (dg13_texts *t, size_t i, char **slot)
{
  if (*slot)
    return MC_ERR_MALFORMED;   /* duplicate field */
  if (i >= t->n)
    return MC_OK;
  if (t->s[i][0] != '\0')
    {
      *slot = t->s[i];
      t->s[i] = NULL;
    }
  return MC_OK;
}

/* Turns a date field into ISO form when it parses. */
static mc_status
field_date (char **slot)
{
  char iso[11];
  if (!*slot || mc_lds_normalise_date (*slot, iso) != 0)
    return MC_OK;
  char *r = malloc (sizeof iso);
  if (!r)
    return MC_ERR_NOMEM;
  memcpy (r, iso, sizeof iso);
  OPENSSL_cleanse (*slot, strlen (*slot));
  free (*slot);
  *slot = r;
  return MC_OK;
}

/* One SEQUENCE { INTEGER n, value ... }. */
static mc_status
parse_field (mc_identity *id, STACK_OF (ASN1_TYPE) *entry, unsigned *seen13)
{
  const ASN1_TYPE *num = sk_ASN1_TYPE_value (entry, 0);
  long number = ASN1_INTEGER_get (num->value.integer);
  if (number < 0 || number > DG13_MAX_FIELD)
    return MC_ERR_MALFORMED;

  dg13_texts t = { 0 };
  mc_status s = collect_texts (entry, &t);
  if (s != MC_OK)
    goto out;

  char **slot = known_slot (id, number);
  if (slot && t.n > 0)
    {
      s = take_text (&t, 0, slot);
      if (s == MC_OK && (number == 3 || number == 11 || number == 12))
        s = field_date (slot);
    }
  else if (number == 13 && t.n > 0)
    {
      /* Parents: father's name, mother's name (either may be empty). */
      if (*seen13 & 1)
        s = MC_ERR_MALFORMED;
      *seen13 |= 1;
      if (s == MC_OK)
        s = take_text (&t, 0, &id->father_name);
      if (s == MC_OK)
        s = take_text (&t, 1, &id->mother_name);
    }
  else if (number == 14 && t.n > 0)
    {
      if (*seen13 & 2)
        s = MC_ERR_MALFORMED;
      *seen13 |= 2;
      if (s == MC_OK)
        s = take_text (&t, 0, &id->spouse_name);
    }
  else
    /* Unknown number, or a known one without text: keep it raw. */
    s = add_other (id, number, entry, &t);

out:
  texts_clear (&t);
  return s;
}

/* A field entry is a SEQUENCE whose first element is an INTEGER. */
static int
is_entry (STACK_OF (ASN1_TYPE) *sk)
{
  return sk_ASN1_TYPE_num (sk) >= 1
         && sk_ASN1_TYPE_value (sk, 0)->type == V_ASN1_INTEGER;
}

/* Walks the top-level element: SEQUENCE { INTEGER, OID, SET of entries }
 * or directly a SET / SEQUENCE of entries. */
static mc_status
parse_container (mc_identity *id, STACK_OF (ASN1_TYPE) *top)
{
  unsigned seen = 0;
  mc_status s = MC_OK;
  for (int i = 0; i < sk_ASN1_TYPE_num (top) && s == MC_OK; i++)
    {
      const ASN1_TYPE *c = sk_ASN1_TYPE_value (top, i);
      if (c->type != V_ASN1_SEQUENCE && c->type != V_ASN1_SET)
        continue;   /* version INTEGER, OID, anything else */
      STACK_OF (ASN1_TYPE) *kids = children_of (c);
      if (!kids)
        return MC_ERR_MALFORMED;
      if (c->type == V_ASN1_SEQUENCE && is_entry (kids))
        s = parse_field (id, kids, &seen);
      else
        for (int j = 0; j < sk_ASN1_TYPE_num (kids) && s == MC_OK; j++)
          {
            const ASN1_TYPE *e = sk_ASN1_TYPE_value (kids, j);
            if (e->type != V_ASN1_SEQUENCE)
              continue;
            STACK_OF (ASN1_TYPE) *f = children_of (e);
            if (!f)
              s = MC_ERR_MALFORMED;
            else if (is_entry (f))
              s = parse_field (id, f, &seen);
            sk_ASN1_TYPE_pop_free (f, ASN1_TYPE_free);
          }
      sk_ASN1_TYPE_pop_free (kids, ASN1_TYPE_free);
    }
  return s;
}

static void
move_dg13 (mc_identity *dst, mc_identity *src)
{
  /* Keep dst's DG1 data; replace every DG13 field. */
  int has_mrz = dst->has_mrz;
  mc_mrz mrz = dst->mrz;
  mc_identity_clear (dst);
  *dst = *src;
  dst->has_mrz = has_mrz;
  dst->mrz = mrz;
  OPENSSL_cleanse (&mrz, sizeof mrz);
  memset (src, 0, sizeof *src);
}

mc_status
mc_dg13_parse (const uint8_t *buf, size_t len, mc_identity *id)
{
  mc_tlv outer;
  mc_status s;
  mc_identity tmp;

  if (!buf || !id)
    return MC_ERR_INVALID_ARG;
  if ((s = mc_tlv_read (buf, len, &outer)) != MC_OK)
    return s;
  if (outer.tag != 0x6D || outer.header_len + outer.len != len
      || outer.len > LONG_MAX)
    return MC_ERR_MALFORMED;

  ASN1_TYPE *top = NULL;
  const unsigned char *p = outer.value;
  top = d2i_ASN1_TYPE (NULL, &p, (long) outer.len);
  if (!top || p != outer.value + outer.len)
    {
      ASN1_TYPE_free (top);
      return MC_ERR_MALFORMED;
    }
  STACK_OF (ASN1_TYPE) *kids = children_of (top);
  ASN1_TYPE_free (top);
  if (!kids)
    return MC_ERR_MALFORMED;

  memset (&tmp, 0, sizeof tmp);
  s = parse_container (&tmp, kids);
  sk_ASN1_TYPE_pop_free (kids, ASN1_TYPE_free);
  if (s != MC_OK)
    {
      mc_identity_clear (&tmp);
      return s;
    }
  move_dg13 (id, &tmp);
  return MC_OK;
}
