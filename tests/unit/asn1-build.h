/* asn1-build.h — building DER test inputs with OpenSSL (tests only)
 *
 * Small helpers over ASN1_TYPE / ASN1_SEQUENCE_ANY so that tests build
 * their inputs with OpenSSL's encoder instead of hand-written bytes.
 * Every function takes ownership of its ASN1_TYPE arguments. */
#ifndef MC_TEST_ASN1_BUILD_H
#define MC_TEST_ASN1_BUILD_H

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/asn1.h>
#include <openssl/objects.h>

#include "tlv.h"

static inline ASN1_TYPE *
ab_string (int type, const char *s)
{
  ASN1_STRING *a = ASN1_STRING_type_new (type);
  ASN1_STRING_set (a, s, (int) strlen (s));
  ASN1_TYPE *t = ASN1_TYPE_new ();
  ASN1_TYPE_set (t, type, a);
  return t;
}

static inline ASN1_TYPE *
ab_bytes (int type, const void *p, size_t n)
{
  ASN1_STRING *a = ASN1_STRING_type_new (type);
  ASN1_STRING_set (a, p, (int) n);
  ASN1_TYPE *t = ASN1_TYPE_new ();
  ASN1_TYPE_set (t, type, a);
  return t;
}

static inline ASN1_TYPE *
ab_utf8 (const char *s)
{
  return ab_string (V_ASN1_UTF8STRING, s);
}

static inline ASN1_TYPE *
ab_int (long v)
{
  ASN1_INTEGER *i = ASN1_INTEGER_new ();
  ASN1_INTEGER_set (i, v);
  ASN1_TYPE *t = ASN1_TYPE_new ();
  ASN1_TYPE_set (t, V_ASN1_INTEGER, i);
  return t;
}

static inline ASN1_TYPE *
ab_oid (const char *dotted)
{
  ASN1_TYPE *t = ASN1_TYPE_new ();
  ASN1_TYPE_set (t, V_ASN1_OBJECT, OBJ_txt2obj (dotted, 1));
  return t;
}

/* A SEQUENCE (set = 0) or SET (set = 1) of the NULL-terminated items. */
static inline ASN1_TYPE *
ab_list (int set, ...)
{
  STACK_OF (ASN1_TYPE) *sk = sk_ASN1_TYPE_new_null ();
  va_list ap;
  va_start (ap, set);
  ASN1_TYPE *it;
  while ((it = va_arg (ap, ASN1_TYPE *)))
    sk_ASN1_TYPE_push (sk, it);
  va_end (ap);
  unsigned char *der = NULL;
  int n = set ? i2d_ASN1_SET_ANY (sk, &der) : i2d_ASN1_SEQUENCE_ANY (sk, &der);
  sk_ASN1_TYPE_pop_free (sk, ASN1_TYPE_free);
  ASN1_STRING *s = ASN1_STRING_new ();
  ASN1_STRING_set (s, der, n);
  OPENSSL_free (der);
  ASN1_TYPE *t = ASN1_TYPE_new ();
  ASN1_TYPE_set (t, set ? V_ASN1_SET : V_ASN1_SEQUENCE, s);
  return t;
}
#define AB_SEQ(...) ab_list (0, __VA_ARGS__, (ASN1_TYPE *) NULL)
#define AB_SET(...) ab_list (1, __VA_ARGS__, (ASN1_TYPE *) NULL)

/* DER of t (freed); *len set.  Caller frees with free(). */
static inline uint8_t *
ab_der (ASN1_TYPE *t, size_t *len)
{
  unsigned char *der = NULL;
  int n = i2d_ASN1_TYPE (t, &der);
  ASN1_TYPE_free (t);
  uint8_t *r = malloc ((size_t) n);
  memcpy (r, der, (size_t) n);
  OPENSSL_free (der);
  *len = (size_t) n;
  return r;
}

/* Wraps value bytes in an application tag (tlv.h writer); frees value. */
static inline uint8_t *
ab_wrap (uint32_t tag, uint8_t *value, size_t vlen, size_t *len)
{
  size_t total = mc_tlv_size (tag, vlen);
  uint8_t *r = malloc (total);
  size_t h = mc_tlv_put_header (tag, vlen, r, total);
  memcpy (r + h, value, vlen);
  free (value);
  *len = total;
  return r;
}

#endif
