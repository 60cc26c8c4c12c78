/* tlv.c — bounded BER-TLV reading and writing
 *
 * ISO/IEC 7816-4 §5.2.2 (tags) and §5.2.3 / ICAO 9303-10 §4 (lengths).
 * Every read is checked against the buffer end: outside data never makes
 * this code read past what it was given. */
#include "tlv.h"

#define MC_TLV_MAX_TAG_BYTES 4
#define MC_TLV_MAX_LEN_BYTES 4

/* Reads the tag at buf[0..len).  Multi-byte tags: the first byte has its
 * low five bits all set (11111), then subsequent bytes follow while their
 * b8 is set (ISO 7816-4 §5.2.2.1).  Limited to 4 bytes in total. */
static mc_status
tlv_read_tag (const uint8_t *buf, size_t len, uint32_t *tag, size_t *used)
{
  if (len < 1)
    return MC_ERR_MALFORMED;
  uint32_t t = buf[0];
  size_t i = 1;
  if ((buf[0] & 0x1F) == 0x1F)
    {
      for (;;)
        {
          if (i >= len || i >= MC_TLV_MAX_TAG_BYTES)
            return MC_ERR_MALFORMED;
          t = (t << 8) | buf[i];
          i++;
          if ((buf[i - 1] & 0x80) == 0)
            break;
        }
    }
  *tag = t;
  *used = i;
  return MC_OK;
}

/* Reads a definite length: short form 00-7F, long form 81-84 followed by
 * one to four big-endian bytes.  80 (indefinite) and 85-FF are refused. */
static mc_status
tlv_read_len (const uint8_t *buf, size_t len, size_t *out, size_t *used)
{
  if (len < 1)
    return MC_ERR_MALFORMED;
  uint8_t b = buf[0];
  if (b < 0x80)
    {
      *out = b;
      *used = 1;
      return MC_OK;
    }
  size_t n = b & 0x7F;
  if (n == 0 || n > MC_TLV_MAX_LEN_BYTES || n >= len)
    return MC_ERR_MALFORMED;
  uint64_t v = 0;
  for (size_t i = 1; i <= n; i++)
    v = (v << 8) | buf[i];
  if (v > SIZE_MAX)
    return MC_ERR_MALFORMED;
  *out = (size_t) v;
  *used = 1 + n;
  return MC_OK;
}

mc_status
mc_tlv_read_header (const uint8_t *buf, size_t len, uint32_t *tag,
                    size_t *header_len, size_t *value_len)
{
  if (!buf || !tag || !header_len || !value_len)
    return MC_ERR_INVALID_ARG;
  size_t tag_len, len_len;
  mc_status st = tlv_read_tag (buf, len, tag, &tag_len);
  if (st != MC_OK)
    return st;
  st = tlv_read_len (buf + tag_len, len - tag_len, value_len, &len_len);
  if (st != MC_OK)
    return st;
  *header_len = tag_len + len_len;
  return MC_OK;
}

mc_status
mc_tlv_read (const uint8_t *buf, size_t len, mc_tlv *out)
{
  if (!buf || !out)
    return MC_ERR_INVALID_ARG;
  uint32_t tag;
  size_t hdr, vlen;
  mc_status st = mc_tlv_read_header (buf, len, &tag, &hdr, &vlen);
  if (st != MC_OK)
    return st;
  /* hdr <= len holds here; compare without adding to avoid overflow. */
  if (vlen > len - hdr)
    return MC_ERR_MALFORMED;
  out->tag = tag;
  out->constructed = (buf[0] & 0x20) != 0;
  out->value = buf + hdr;
  out->len = vlen;
  out->header_len = hdr;
  return MC_OK;
}

mc_status
mc_tlv_find (const uint8_t *buf, size_t len, uint32_t tag, mc_tlv *out)
{
  if (!out || (!buf && len))
    return MC_ERR_INVALID_ARG;
  size_t off = 0;
  while (off < len)
    {
      mc_tlv t;
      mc_status st = mc_tlv_read (buf + off, len - off, &t);
      if (st != MC_OK)
        return st;
      if (t.tag == tag)
        {
          *out = t;
          return MC_OK;
        }
      off += t.header_len + t.len;
    }
  return MC_ERR_MALFORMED;
}

static size_t
tlv_tag_bytes (uint32_t tag)
{
  if (tag > 0xFFFFFF)
    return 4;
  if (tag > 0xFFFF)
    return 3;
  if (tag > 0xFF)
    return 2;
  return 1;
}

static size_t
tlv_len_bytes (size_t len)
{
  if (len < 0x80)
    return 1;
  if (len <= 0xFF)
    return 2;
  if (len <= 0xFFFF)
    return 3;
  if (len <= 0xFFFFFF)
    return 4;
  if ((uint64_t) len <= 0xFFFFFFFFu)
    return 5;
  return 0;
}

size_t
mc_tlv_put_header (uint32_t tag, size_t len, uint8_t *out, size_t cap)
{
  size_t tb = tlv_tag_bytes (tag), lb = tlv_len_bytes (len);
  if (lb == 0 || !out || cap < tb + lb)
    return 0;
  size_t p = 0;
  for (size_t i = tb; i > 0; i--)
    out[p++] = (uint8_t) (tag >> (8 * (i - 1)));
  if (lb == 1)
    out[p++] = (uint8_t) len;
  else
    {
      out[p++] = (uint8_t) (0x80 | (lb - 1));
      for (size_t i = lb - 1; i > 0; i--)
        out[p++] = (uint8_t) ((uint64_t) len >> (8 * (i - 1)));
    }
  return p;
}

size_t
mc_tlv_size (uint32_t tag, size_t len)
{
  size_t tb = tlv_tag_bytes (tag), lb = tlv_len_bytes (len);
  if (lb == 0 || len > SIZE_MAX - tb - lb)
    return 0;
  return tb + lb + len;
}
