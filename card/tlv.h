/* tlv.h — bounded BER-TLV reading and writing (ISO/IEC 7816-4 §5.2, ICAO 9303-10 §4)
 *
 * Used for the LDS wrappers (tags 60, 61, 6D, 6E, 6F, 75, 77 ...) and the
 * secure-messaging data objects (87, 97, 99, 8E).  Never reads past the
 * buffer it is given; definite lengths only, at most 4 length bytes. */
#ifndef MC_TLV_H
#define MC_TLV_H

#include "motcua-card.h"

typedef struct {
  uint32_t       tag;        /* tag bytes as a big-endian number, e.g. 0x5F1F */
  int            constructed;
  const uint8_t *value;      /* points into the parsed buffer */
  size_t         len;        /* value length */
  size_t         header_len; /* tag + length bytes */
} mc_tlv;

/* Parses one TLV at buf.  MC_ERR_MALFORMED when it does not fit in len. */
mc_status mc_tlv_read (const uint8_t *buf, size_t len, mc_tlv *out);
/* Parses only the tag and length at buf (the value may lie beyond len):
 * for learning a file's size from its first bytes. */
mc_status mc_tlv_read_header (const uint8_t *buf, size_t len, uint32_t *tag,
                              size_t *header_len, size_t *value_len);
/* Finds the first TLV with tag among the siblings in buf.  MC_ERR_MALFORMED
 * when the siblings before it do not parse or the tag is absent. */
mc_status mc_tlv_find (const uint8_t *buf, size_t len, uint32_t tag, mc_tlv *out);
/* Writes tag and length; returns the header size, or 0 when cap is too small. */
size_t    mc_tlv_put_header (uint32_t tag, size_t len, uint8_t *out, size_t cap);
/* Total encoded size of a TLV with a value of len bytes (0 on overflow). */
size_t    mc_tlv_size (uint32_t tag, size_t len);

#endif
