/* card-file.h — reading whole elementary files in as few APDUs as the card
 * and the reader allow (ICAO 9303-10 §3.6.3, 9303-11 §9.8.6)
 *
 * The chunk size starts at the largest the card's ATR and the reader's
 * properties permit (extended length when both do), steps down on
 * wrong-length or transport errors, and adapts to what the card returns.
 * The size that worked is remembered per reader and ATR for the process. */
#ifndef MC_CARD_FILE_H
#define MC_CARD_FILE_H

#include "apdu.h"

typedef struct {
  size_t chunk;       /* plain data bytes asked per READ BINARY */
  int    extended;    /* extended-length APDUs in use */
  int    step;        /* index in the fallback ladder */
  uint64_t key;       /* reader + ATR, for the process-wide memory */
} mc_chunking;

void      mc_chunking_init (mc_chunking *c, const char *reader, const uint8_t *atr,
                            size_t atr_len, int card_extended, int reader_max_apdu);
/* Next rung down the ladder; MC_ERR_NOT_SUPPORTED when at the bottom. */
mc_status mc_chunking_step_down (mc_chunking *c);
/* Remembers c as the size that works for its reader and card. */
void      mc_chunking_remember (const mc_chunking *c);

/* Reads the file with short EF identifier sfi (first by SFI, then by
 * offset).  On a wrong-length or transport error the chunk steps down and
 * *need_reauth is set when secure messaging broke: the caller re-opens
 * the session, selects the file and calls again (offset resumes).  *out is
 * malloc'd and holds the whole TLV. */
typedef struct {
  uint8_t *data;
  size_t   len;     /* bytes read so far */
  size_t   cap;     /* bytes allocated */
  size_t   total;   /* 0 until the TLV header is known */
} mc_file_buf;

mc_status mc_card_file_read (mc_channel *ch, mc_chunking *c, uint8_t sfi,
                             mc_file_buf *buf, int *need_reauth);
void      mc_file_buf_clear (mc_file_buf *buf);

#endif
