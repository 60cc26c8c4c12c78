/* secinfo.c — SecurityInfos of EF.CardAccess and DG14 (ICAO 9303-11 §9.2)
 *
 *   SecurityInfos ::= SET OF SecurityInfo
 *   SecurityInfo  ::= SEQUENCE { protocol OBJECT IDENTIFIER,
 *                                requiredData ANY, optionalData ANY OPTIONAL }
 *
 * Recognised entries (ICAO 9303-11 §9.2.1-9.2.6):
 *   PACEInfo                      id-PACE-*  0.4.0.127.0.7.2.2.4.x.y  { version, parameterId OPTIONAL }
 *   PACEDomainParameterInfo       id-PACE-*  0.4.0.127.0.7.2.2.4.x    { AlgorithmIdentifier, id OPTIONAL }
 *   ChipAuthenticationInfo        id-CA-*    0.4.0.127.0.7.2.2.3.x.y  { version, keyId OPTIONAL }
 *   ChipAuthenticationPublicKeyInfo id-PK-*  0.4.0.127.0.7.2.2.1.x    { SubjectPublicKeyInfo, keyId OPTIONAL }
 *   ActiveAuthenticationInfo      2.23.136.1.1.5                      { version, signatureAlgorithm }
 *
 * The structure is checked completely here (types of every component, the
 * CA public key parses) because OpenPACE crashes on some malformed input.
 * Unknown protocols are skipped.  OpenPACE NIDs need EAC_init() first. */
#include <string.h>

#include <openssl/asn1t.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>

#include "secinfo.h"

typedef struct {
  ASN1_OBJECT *protocol;
  ASN1_TYPE   *required;
  ASN1_TYPE   *optional;
} MC_SECINFO;

ASN1_SEQUENCE (MC_SECINFO) = {
  ASN1_SIMPLE (MC_SECINFO, protocol, ASN1_OBJECT),
  ASN1_SIMPLE (MC_SECINFO, required, ASN1_ANY),
  ASN1_OPT (MC_SECINFO, optional, ASN1_ANY),
} static_ASN1_SEQUENCE_END (MC_SECINFO)

DEFINE_STACK_OF (MC_SECINFO)
typedef STACK_OF (MC_SECINFO) MC_SECINFOS;

ASN1_ITEM_TEMPLATE (MC_SECINFOS) =
  ASN1_EX_TEMPLATE_TYPE (ASN1_TFLG_SET_OF, 0, SecurityInfos, MC_SECINFO)
static_ASN1_ITEM_TEMPLATE_END (MC_SECINFOS)

/* DER content octets of the OID arcs, without the tag and length. */
static const uint8_t oid_bsi_de_protocols_smartcard[] = { 0x04, 0x00, 0x7F, 0x00, 0x07, 0x02, 0x02 };
static const uint8_t oid_icao_aa[] = { 0x67, 0x81, 0x08, 0x01, 0x01, 0x05 }; /* 2.23.136.1.1.5 */

#define ARC_PK   0x01
#define ARC_CA   0x03
#define ARC_PACE 0x04

/* For an OID 0.4.0.127.0.7.2.2.<family>.<rest...>, returns family and the
 * number of arcs after it; 0 for other OIDs. */
static int
bsi_family (const ASN1_OBJECT *o, size_t *n_after)
{
  const unsigned char *d = OBJ_get0_data (o);
  size_t n = OBJ_length (o);
  size_t p = sizeof oid_bsi_de_protocols_smartcard;
  if (!d || n <= p || memcmp (d, oid_bsi_de_protocols_smartcard, p) != 0)
    return 0;
  /* The arcs we care about are all < 128: one byte each. */
  for (size_t i = p; i < n; i++)
    if (d[i] & 0x80)
      return 0;
  *n_after = n - p - 1;
  return d[p];
}

static int
is_icao_aa (const ASN1_OBJECT *o)
{
  const unsigned char *d = OBJ_get0_data (o);
  return d && OBJ_length (o) == sizeof oid_icao_aa
         && memcmp (d, oid_icao_aa, sizeof oid_icao_aa) == 0;
}

static int
int_value (const ASN1_TYPE *t, long *out)
{
  if (!t || t->type != V_ASN1_INTEGER)
    return 0;
  long v = ASN1_INTEGER_get (t->value.integer);
  if (v < 0)
    return 0;
  *out = v;
  return 1;
}

static mc_status
parse_pace (const MC_SECINFO *si, size_t n_after, mc_secinfos *out)
{
  long version, param = -1;
  if (n_after == 1)
    {
      /* PACEDomainParameterInfo: AlgorithmIdentifier, parameterId OPTIONAL */
      if (si->required->type != V_ASN1_SEQUENCE
          || (si->optional && !int_value (si->optional, &param)))
        return MC_ERR_MALFORMED;
      return MC_OK;
    }
  if (n_after != 2)
    return MC_OK;   /* not a PACE protocol OID we know */
  if (!int_value (si->required, &version)
      || (si->optional && !int_value (si->optional, &param)))
    return MC_ERR_MALFORMED;
  int nid = OBJ_obj2nid (si->protocol);
  if (nid == NID_undef || out->has_pace)
    return MC_OK;   /* unsupported mapping, or not the first PACEInfo */
  out->has_pace = 1;
  out->pace_nid = nid;
  out->pace_version = (int) version;
  out->pace_param_id = param > 0x7FFF ? -1 : (int) param;
  return MC_OK;
}

static mc_status
parse_ca (const MC_SECINFO *si, size_t n_after, mc_secinfos *out)
{
  long version, key_id = -1;
  if (n_after == 1)
    {
      /* ChipAuthenticationDomainParameterInfo */
      if (si->required->type != V_ASN1_SEQUENCE
          || (si->optional && !int_value (si->optional, &key_id)))
        return MC_ERR_MALFORMED;
      return MC_OK;
    }
  if (n_after != 2)
    return MC_OK;
  if (!int_value (si->required, &version)
      || (si->optional && !int_value (si->optional, &key_id)))
    return MC_ERR_MALFORMED;
  int nid = OBJ_obj2nid (si->protocol);
  if (nid == NID_undef || out->has_ca)
    return MC_OK;
  out->has_ca = 1;
  out->ca_nid = nid;
  out->ca_version = (int) version;
  out->ca_key_id = key_id;
  return MC_OK;
}

static mc_status
parse_pk (const MC_SECINFO *si, size_t n_after, mc_secinfos *out)
{
  long key_id = -1;
  if (n_after != 1)
    return MC_OK;
  if (si->required->type != V_ASN1_SEQUENCE
      || (si->optional && !int_value (si->optional, &key_id)))
    return MC_ERR_MALFORMED;
  /* The key must parse as a SubjectPublicKeyInfo (OpenPACE's error path
   * for a bad key is where it double-frees). */
  const ASN1_STRING *s = si->required->value.sequence;
  const unsigned char *p = ASN1_STRING_get0_data (s);
  long n = ASN1_STRING_length (s);
  EVP_PKEY *k = d2i_PUBKEY (NULL, &p, n);
  int ok = k && p == ASN1_STRING_get0_data (s) + n;
  EVP_PKEY_free (k);
  if (!ok)
    return MC_ERR_MALFORMED;
  if (!out->has_ca_pubkey)
    {
      out->has_ca_pubkey = 1;
      out->ca_pubkey_key_id = key_id;
    }
  return MC_OK;
}

static mc_status
parse_aa (const MC_SECINFO *si, mc_secinfos *out)
{
  long version;
  if (!int_value (si->required, &version))
    return MC_ERR_MALFORMED;
  if (si->optional && si->optional->type != V_ASN1_OBJECT)
    return MC_ERR_MALFORMED;
  if (out->has_aa)
    return MC_OK;
  out->has_aa = 1;
  out->aa_sig_nid = si->optional ? OBJ_obj2nid (si->optional->value.object)
                                 : NID_undef;
  return MC_OK;
}

mc_status
mc_secinfos_parse (const uint8_t *der, size_t len, mc_secinfos *out)
{
  if (!der || !out)
    return MC_ERR_INVALID_ARG;
  memset (out, 0, sizeof *out);
  out->pace_param_id = -1;
  out->ca_key_id = -1;
  out->ca_pubkey_key_id = -1;
  if (len == 0 || len > 65536)
    return MC_ERR_MALFORMED;

  const unsigned char *p = der;
  MC_SECINFOS *set = (MC_SECINFOS *) ASN1_item_d2i (NULL, &p, (long) len,
                                                    ASN1_ITEM_rptr (MC_SECINFOS));
  if (!set || p != der + len)
    {
      if (set)
        ASN1_item_free ((ASN1_VALUE *) set, ASN1_ITEM_rptr (MC_SECINFOS));
      return MC_ERR_MALFORMED;
    }

  mc_status s = MC_OK;
  for (int i = 0; i < sk_MC_SECINFO_num (set) && s == MC_OK; i++)
    {
      const MC_SECINFO *si = sk_MC_SECINFO_value (set, i);
      size_t n_after = 0;
      if (is_icao_aa (si->protocol))
        s = parse_aa (si, out);
      else
        switch (bsi_family (si->protocol, &n_after))
          {
          case ARC_PACE: s = parse_pace (si, n_after, out); break;
          case ARC_CA:   s = parse_ca (si, n_after, out); break;
          case ARC_PK:   s = parse_pk (si, n_after, out); break;
          default:       break;   /* unknown SecurityInfo: ignored */
          }
    }
  ASN1_item_free ((ASN1_VALUE *) set, ASN1_ITEM_rptr (MC_SECINFOS));
  if (s != MC_OK)
    {
      memset (out, 0, sizeof *out);
      out->pace_param_id = -1;
      out->ca_key_id = -1;
      out->ca_pubkey_key_id = -1;
    }
  return s;
}
