/* lds-dg2.c — DG2, the encoded face (ICAO 9303-10 §4.7.2)
 *
 * 75 { 7F61 { 02 <count>, 7F60 { A1 <header>, 5F2E|7F2E <biometric data> }
 * ... } }.  The biometric data is an ISO/IEC 19794-5:2005 facial record:
 *
 *   record header       14 bytes  'FAC\0', version, record length (4), #faces (2)
 *   facial info block   20 bytes  block length (4), #feature points (2), ...
 *   feature points       8 bytes each
 *   image information   12 bytes  image type, data type, width, height, ...
 *   image data          block length - 20 - 8 * points - 12 bytes
 *
 * Only the first facial image is returned.  Every offset is checked. */
#include <string.h>

#include "lds.h"
#include "tlv.h"

#define FAC_HEADER_LEN     14
#define FAC_INFO_LEN       20
#define FAC_POINT_LEN      8
#define FAC_IMAGE_INFO_LEN 12

static uint32_t
be32 (const uint8_t *p)
{
  return (uint32_t) p[0] << 24 | (uint32_t) p[1] << 16 | (uint32_t) p[2] << 8 | p[3];
}

static mc_face_format
dg2_sniff (const uint8_t *p, size_t n)
{
  static const uint8_t jpeg[] = { 0xFF, 0xD8, 0xFF };
  static const uint8_t jp2[] = { 0x00, 0x00, 0x00, 0x0C, 0x6A, 0x50, 0x20, 0x20 };
  static const uint8_t j2k[] = { 0xFF, 0x4F, 0xFF, 0x51 };
  if (n >= sizeof jpeg && memcmp (p, jpeg, sizeof jpeg) == 0)
    return MC_FACE_JPEG;
  if (n >= sizeof jp2 && memcmp (p, jp2, sizeof jp2) == 0)
    return MC_FACE_JPEG2000;
  if (n >= sizeof j2k && memcmp (p, j2k, sizeof j2k) == 0)
    return MC_FACE_JPEG2000;
  return MC_FACE_UNKNOWN;
}

/* Locates the image inside an ISO/IEC 19794-5 record at rec[0..n). */
static mc_status
dg2_facial_record (const uint8_t *rec, size_t n, size_t *img_off, size_t *img_len)
{
  if (n < FAC_HEADER_LEN + FAC_INFO_LEN)
    return MC_ERR_MALFORMED;
  if (memcmp (rec, "FAC\0", 4) != 0)
    return MC_ERR_MALFORMED;
  uint32_t rec_len = be32 (rec + 8);
  uint16_t n_faces = (uint16_t) (rec[12] << 8 | rec[13]);
  if (rec_len > n || rec_len < FAC_HEADER_LEN + FAC_INFO_LEN || n_faces < 1)
    return MC_ERR_MALFORMED;

  const uint8_t *info = rec + FAC_HEADER_LEN;
  size_t avail = rec_len - FAC_HEADER_LEN;
  uint32_t block_len = be32 (info);
  size_t n_points = (size_t) (info[4] << 8 | info[5]);
  size_t fixed = FAC_INFO_LEN + n_points * FAC_POINT_LEN + FAC_IMAGE_INFO_LEN;
  if (block_len > avail || block_len < fixed)
    return MC_ERR_MALFORMED;

  *img_off = FAC_HEADER_LEN + fixed;
  *img_len = block_len - fixed;
  if (*img_len == 0)
    return MC_ERR_MALFORMED;
  return MC_OK;
}

mc_status
mc_dg2_parse (const uint8_t *buf, size_t len, mc_dg2_info *out)
{
  mc_tlv outer, bit, tmpl, data;
  mc_status s;

  if (!buf || !out)
    return MC_ERR_INVALID_ARG;
  memset (out, 0, sizeof *out);
  if ((s = mc_tlv_read (buf, len, &outer)) != MC_OK)
    return s;
  if (outer.tag != 0x75 || outer.header_len + outer.len != len)
    return MC_ERR_MALFORMED;
  /* Biometric Information Group Template, then its first Biometric
   * Information Template (ICAO 9303-10 §4.7.2, Table 41). */
  if (mc_tlv_find (outer.value, outer.len, 0x7F61, &bit) != MC_OK
      || mc_tlv_find (bit.value, bit.len, 0x7F60, &tmpl) != MC_OK)
    return MC_ERR_MALFORMED;
  mc_tlv count;
  if (mc_tlv_find (bit.value, bit.len, 0x02, &count) != MC_OK
      || count.len != 1 || count.value[0] < 1)
    return MC_ERR_MALFORMED;
  if (mc_tlv_find (tmpl.value, tmpl.len, 0x5F2E, &data) != MC_OK
      && mc_tlv_find (tmpl.value, tmpl.len, 0x7F2E, &data) != MC_OK)
    return MC_ERR_MALFORMED;

  size_t base = (size_t) (data.value - buf);
  size_t off, ilen;
  if (data.len >= 4 && memcmp (data.value, "FAC\0", 4) == 0)
    {
      if ((s = dg2_facial_record (data.value, data.len, &off, &ilen)) != MC_OK)
        return s;
    }
  else if (dg2_sniff (data.value, data.len) != MC_FACE_UNKNOWN)
    {
      /* Some issuers store the bare image: accept it. */
      off = 0;
      ilen = data.len;
    }
  else
    return MC_ERR_MALFORMED;

  out->offset = base + off;
  out->len = ilen;
  /* An image of another format is returned as MC_FACE_UNKNOWN; the caller
   * decides whether to show it. */
  out->format = dg2_sniff (buf + out->offset, out->len);
  return MC_OK;
}
