/* card-file.c — whole-file READ BINARY with adaptive chunking
 *
 * ICAO 9303-10 §3.6.3 allows reading an EF by short EF identifier (the
 * first READ BINARY selects it) and then by offset.  Each file starts with
 * its TLV header, so the first answer tells the file's size and the rest
 * is read in as few APDUs as the chunk size allows.
 *
 * Chunk sizes: a protected response carries DO'87' (padding indicator,
 * data padded to the block size), DO'99' and DO'8E' — about 35 bytes more
 * than the plain data.  0xDF (223) keeps a short response within 256
 * bytes (JMRTD's default); 0xA0 (160) is the common safe fallback. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "card-file.h"
#include "tlv.h"

#define MC_FILE_MAX (160 * 1024)   /* no LDS file on an ID card is larger */
#define MC_SM_OVERHEAD 64          /* protected-response overhead, rounded up */
#define MC_EXT_CHUNK_MAX (65536 - MC_SM_OVERHEAD)

/* The fallback ladder: extended rungs first (used only when both card and
 * reader allow extended length), then short ones. */
static const size_t mc_ladder[] = { MC_EXT_CHUNK_MAX, 4096, 1024, 0xDF, 0xA0, 0x40 };
#define MC_LADDER_FIRST_SHORT 3
#define MC_LADDER_LEN (sizeof mc_ladder / sizeof mc_ladder[0])

/* Process-wide memory of the rung that worked, per reader + ATR. */
#define MC_MEMORY_SLOTS 16
static struct {
  uint64_t key;
  int step;
  size_t chunk;
} mc_memory[MC_MEMORY_SLOTS];
static pthread_mutex_t mc_memory_lock = PTHREAD_MUTEX_INITIALIZER;

/* FNV-1a: a cheap key for the memory table, not a security function. */
static uint64_t
mc_chunking_key (const char *reader, const uint8_t *atr, size_t atr_len)
{
  uint64_t h = 0xcbf29ce484222325ULL;
  for (const char *p = reader ? reader : ""; *p; p++)
    h = (h ^ (uint8_t) *p) * 0x100000001b3ULL;
  h = (h ^ 0xFF) * 0x100000001b3ULL;
  for (size_t i = 0; i < atr_len; i++)
    h = (h ^ atr[i]) * 0x100000001b3ULL;
  return h ? h : 1;
}

static void
mc_chunking_set_step (mc_chunking *c, int step)
{
  c->step = step;
  c->chunk = mc_ladder[step];
  c->extended = step < MC_LADDER_FIRST_SHORT;
}

void
mc_chunking_init (mc_chunking *c, const char *reader, const uint8_t *atr, size_t atr_len,
                  int card_extended, int reader_max_apdu)
{
  memset (c, 0, sizeof *c);
  c->key = mc_chunking_key (reader, atr, atr_len);

  int step = MC_LADDER_FIRST_SHORT;
  size_t limit = MC_EXT_CHUNK_MAX;
  /* Extended length needs both ends: the card says so in its ATR, and a
   * reader that reports its maximum APDU size must allow more than a
   * short APDU carries.  A reader that reports nothing is tried. */
  if (card_extended && (reader_max_apdu == 0 || reader_max_apdu > 261))
    {
      step = 0;
      if (reader_max_apdu > 0 && (size_t) reader_max_apdu > MC_SM_OVERHEAD)
        limit = (size_t) reader_max_apdu - MC_SM_OVERHEAD;
    }
  mc_chunking_set_step (c, step);
  if (c->extended && c->chunk > limit)
    c->chunk = limit;

  pthread_mutex_lock (&mc_memory_lock);
  for (size_t i = 0; i < MC_MEMORY_SLOTS; i++)
    if (mc_memory[i].key == c->key)
      {
        if (mc_memory[i].step >= c->step)
          {
            mc_chunking_set_step (c, mc_memory[i].step);
            c->chunk = mc_memory[i].chunk;
          }
        break;
      }
  pthread_mutex_unlock (&mc_memory_lock);
}

mc_status
mc_chunking_step_down (mc_chunking *c)
{
  /* The next rung strictly smaller than what is in use (the chunk may
   * already have adapted below its rung). */
  for (size_t s = (size_t) c->step + 1; s < MC_LADDER_LEN; s++)
    if (mc_ladder[s] < c->chunk)
      {
        mc_chunking_set_step (c, (int) s);
        return MC_OK;
      }
  return MC_ERR_NOT_SUPPORTED;
}

void
mc_chunking_remember (const mc_chunking *c)
{
  pthread_mutex_lock (&mc_memory_lock);
  size_t slot = (size_t) (c->key % MC_MEMORY_SLOTS);
  for (size_t i = 0; i < MC_MEMORY_SLOTS; i++)
    if (mc_memory[i].key == c->key)
      slot = i;
  mc_memory[slot].key = c->key;
  mc_memory[slot].step = c->step;
  mc_memory[slot].chunk = c->chunk;
  pthread_mutex_unlock (&mc_memory_lock);
}

void
mc_file_buf_clear (mc_file_buf *buf)
{
  if (buf->data)
    {
      OPENSSL_cleanse (buf->data, buf->cap);
      free (buf->data);
    }
  memset (buf, 0, sizeof *buf);
}

/* Appends n bytes.  The buffer is sized once the TLV header tells the
 * file's total size; before that it grows to what has arrived. */
static mc_status
mc_file_buf_append (mc_file_buf *buf, const uint8_t *data, size_t n)
{
  if (buf->total && n > buf->total - buf->len)
    n = buf->total - buf->len;   /* the card sent more than the file holds */
  size_t need = buf->len + n;
  if (need > MC_FILE_MAX)
    return MC_ERR_MALFORMED;
  if (need > buf->cap)
    {
      size_t cap = buf->total ? buf->total : need;
      uint8_t *p = malloc (cap ? cap : 1);
      if (!p)
        return MC_ERR_NOMEM;
      if (buf->data)
        {
          memcpy (p, buf->data, buf->len);
          OPENSSL_cleanse (buf->data, buf->cap);
          free (buf->data);
        }
      buf->data = p;
      buf->cap = cap;
    }
  memcpy (buf->data + buf->len, data, n);
  buf->len = need;

  if (buf->total == 0)
    {
      uint32_t tag;
      size_t hdr, vlen;
      if (mc_tlv_read_header (buf->data, buf->len, &tag, &hdr, &vlen) == MC_OK)
        {
          if (vlen > MC_FILE_MAX - hdr)
            return MC_ERR_MALFORMED;
          buf->total = hdr + vlen;
          if (buf->len > buf->total)
            buf->len = buf->total;
        }
      else if (buf->len >= 6)
        return MC_ERR_MALFORMED;   /* 6 bytes always hold a valid header */
    }
  return MC_OK;
}

/* One READ BINARY.  Offsets up to 0x7FFF go in P1-P2 (B0); above that the
 * odd instruction B1 carries the offset in DO'54' and wraps the answer in
 * DO'53' (ISO 7816-4 §11.3.3).  The first read of a file uses its SFI. */
static mc_status
mc_read_binary (mc_channel *ch, const mc_chunking *c, int by_sfi, uint8_t sfi,
                size_t offset, size_t want, uint8_t *out, size_t cap, size_t *got,
                uint16_t *sw)
{
  mc_apdu a = { .cla = 0x00, .ins = 0xB0, .le = want, .extended = c->extended };
  uint8_t do54[5];

  if (by_sfi)
    {
      a.p1 = (uint8_t) (0x80 | sfi);
      a.p2 = (uint8_t) offset;
    }
  else if (offset <= 0x7FFF)
    {
      a.p1 = (uint8_t) (offset >> 8);
      a.p2 = (uint8_t) offset;
    }
  else
    {
      a.ins = 0xB1;
      do54[0] = 0x54;
      do54[1] = 0x03;
      do54[2] = (uint8_t) (offset >> 16);
      do54[3] = (uint8_t) (offset >> 8);
      do54[4] = (uint8_t) offset;
      a.data = do54;
      a.lc = sizeof do54;
      a.le = want + 4;   /* room for the DO'53' header */
    }

  mc_status st = mc_channel_transceive (ch, &a, out, cap, got, sw);
  if (st != MC_OK || a.ins != 0xB1 || *got == 0)
    return st;
  mc_tlv t;
  if (mc_tlv_read (out, *got, &t) != MC_OK || t.tag != 0x53)
    return MC_ERR_MALFORMED;
  memmove (out, t.value, t.len);
  *got = t.len;
  return MC_OK;
}

static int
mc_sw_is_wrong_length (uint16_t sw)
{
  return sw == 0x6700 || (sw & 0xFF00) == 0x6C00 || sw == 0x6F00;
}

mc_status
mc_card_file_read (mc_channel *ch, mc_chunking *c, uint8_t sfi,
                   mc_file_buf *buf, int *need_reauth)
{
  *need_reauth = 0;
  size_t cap = MC_EXT_CHUNK_MAX + 16;
  uint8_t *tmp = malloc (cap);
  if (!tmp)
    return MC_ERR_NOMEM;

  mc_status st = MC_OK;
  int by_sfi = buf->len == 0 && buf->total == 0;
  while (buf->total == 0 || buf->len < buf->total)
    {
      size_t want = c->chunk;
      if (buf->total && want > buf->total - buf->len)
        want = buf->total - buf->len;
      /* SFI addressing carries the offset in P2 only (0..255). */
      if (by_sfi && buf->len > 0xFF)
        by_sfi = 0;

      size_t got = 0;
      uint16_t sw = 0;
      st = mc_read_binary (ch, c, by_sfi, sfi, buf->len, want, tmp, cap, &got, &sw);
      if (st == MC_ERR_READER || st == MC_ERR_SM)
        {
          /* The APDU may or may not have reached the card: the secure
           * messaging counters can no longer be trusted.  Step down and
           * let the caller re-open the session. */
          if (mc_chunking_step_down (c) != MC_OK)
            break;
          *need_reauth = 1;
          break;
        }
      if (st != MC_OK)
        break;
      if (mc_sw_is_wrong_length (sw))
        {
          if ((st = mc_chunking_step_down (c)) != MC_OK)
            {
              st = MC_ERR_CARD_STATUS;
              break;
            }
          continue;
        }
      /* 6282: end of file reached before Le bytes — data still valid. */
      if (sw != 0x9000 && sw != 0x6282)
        {
          st = mc_sw_to_status (sw);
          break;
        }
      if (got == 0)
        {
          st = MC_ERR_MALFORMED;   /* no progress: the file is shorter than its header says */
          break;
        }
      by_sfi = 0;
      if ((st = mc_file_buf_append (buf, tmp, got)) != MC_OK)
        break;
      /* A card that answers fewer bytes than asked (without ending the
       * file) is telling its buffer size: ask that much from now on. */
      if (got < want && sw == 0x9000 && buf->total && buf->len < buf->total && got >= 16)
        c->chunk = got;
      if (sw == 0x6282 && buf->total && buf->len < buf->total)
        {
          st = MC_ERR_MALFORMED;
          break;
        }
    }
  OPENSSL_cleanse (tmp, cap);
  free (tmp);
  return st;
}
