/* cardsim.c — the virtual CCCD: state, command dispatch, files, secure
 * messaging.  Access protocols are in cardsim-access.c, personalisation in
 * cardsim-lds.c and cardsim-sod.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include "cardsim-int.h"
#include <eac/objects.h>
#include "mrz.h"

#define RESP_MAX (65536 + 2)
#define NO_EXT_CAP 223

static const uint8_t emrtd_aid[] = { 0xA0, 0x00, 0x00, 0x02, 0x47, 0x10, 0x01 };

/* ---------------------------------------------------------------- APDU */

/* ISO 7816-4 §5.1: cases 1-4, short and extended. */
int
cardsim_apdu_parse (const uint8_t *cmd, size_t len, cardsim_apdu *a)
{
  memset (a, 0, sizeof *a);
  if (len < 4)
    return -1;
  a->cla = cmd[0]; a->ins = cmd[1]; a->p1 = cmd[2]; a->p2 = cmd[3];
  if (len == 4)
    return 0;
  size_t b4 = cmd[4];
  if (len == 5)
    {
      a->has_le = 1;
      a->le = b4 ? b4 : 256;
      return 0;
    }
  if (b4 != 0)
    {
      if (len == 5 + b4)
        {
          a->data = cmd + 5; a->lc = b4;
          return 0;
        }
      if (len == 6 + b4)
        {
          a->data = cmd + 5; a->lc = b4;
          a->has_le = 1;
          a->le = cmd[len - 1] ? cmd[len - 1] : 256;
          return 0;
        }
      return -1;
    }
  /* extended */
  if (len < 7)
    return -1;
  a->extended = 1;
  size_t v = ((size_t) cmd[5] << 8) | cmd[6];
  if (len == 7)
    {
      a->has_le = 1;
      a->le = v ? v : 65536;
      return 0;
    }
  if (v == 0)
    return -1;
  if (len == 7 + v)
    {
      a->data = cmd + 7; a->lc = v;
      return 0;
    }
  if (len == 9 + v)
    {
      a->data = cmd + 7; a->lc = v;
      size_t le = ((size_t) cmd[len - 2] << 8) | cmd[len - 1];
      a->has_le = 1;
      a->le = le ? le : 65536;
      return 0;
    }
  return -1;
}

int
cardsim_resp_put (cardsim_resp *r, const uint8_t *d, size_t n)
{
  if (n > r->cap - r->len)
    return -1;
  memcpy (r->data + r->len, d, n);
  r->len += n;
  return 0;
}

/* ---------------------------------------------------------------- lifecycle */

void
cardsim_buf_set (cardsim_buf *b, uint8_t *data, size_t len)
{
  if (b->data)
    {
      OPENSSL_cleanse (b->data, b->len);
      free (b->data);
    }
  b->data = data;
  b->len = len;
}

static void
session_clear (cardsim *c)
{
  c->app_selected = 0;
  c->selected_file = 0;
  c->access_granted = 0;
  c->have_challenge = 0;
  c->ca_pending = 0;
  c->switch_sm = 0;
  mc_sm_clear (&c->sm);
  mc_sm_clear (&c->next_sm);
  OPENSSL_cleanse (c->rnd_ic, sizeof c->rnd_ic);
  cardsim_pace_clear (c);
}

void
cardsim_reset (cardsim *c)
{
  session_clear (c);
}

/* MRZ_information (ICAO 9303-11 §9.7.2) from the profile's dates. */
static int
make_access_data (cardsim *c, char **error)
{
  const char *id = cardsim_profile_get (&c->profile, "id_number");
  const char *dob = cardsim_profile_get (&c->profile, "date_of_birth");
  const char *doe = cardsim_profile_get (&c->profile, "date_of_expiry");
  if (!id || strlen (id) != 12 || !dob || strlen (dob) != 10 || !doe || strlen (doe) != 10)
    {
      *error = strdup ("profile: id_number (12 digits), date_of_birth and "
                       "date_of_expiry (YYYY-MM-DD) are required");
      return -1;
    }
  memcpy (c->can, id + 6, 6);
  c->can[6] = 0;
  memcpy (c->doc, id + 3, 9);
  c->doc[9] = 0;
  snprintf (c->dob, sizeof c->dob, "%.2s%.2s%.2s", dob + 2, dob + 5, dob + 8);
  snprintf (c->doe, sizeof c->doe, "%.2s%.2s%.2s", doe + 2, doe + 5, doe + 8);
  int d1 = mc_mrz_check_digit (c->doc, 9);
  int d2 = mc_mrz_check_digit (c->dob, 6);
  int d3 = mc_mrz_check_digit (c->doe, 6);
  if (d1 < 0 || d2 < 0 || d3 < 0)
    {
      *error = strdup ("profile: bad characters in id_number or dates");
      return -1;
    }
  snprintf (c->mrz_info, sizeof c->mrz_info, "%s%d%s%d%s%d",
            c->doc, d1, c->dob, d2, c->doe, d3);
  return 0;
}

int
cardsim_new (const char *profile_path, const char *pki_dir,
             const cardsim_faults *faults, cardsim **out, char **error)
{
  *out = NULL;
  *error = NULL;
  cardsim *c = calloc (1, sizeof *c);
  if (!c)
    {
      *error = strdup ("out of memory");
      return -1;
    }
  if (faults)
    c->faults = *faults;
  /* OpenPACE's NIDs are 0 until EAC_init() (which tests and the main may
   * already have called). */
  if (NID_id_PACE_ECDH_GM_AES_CBC_CMAC_128 == NID_undef)
    EAC_init ();
  if (cardsim_profile_load (profile_path, &c->profile, error) != 0
      || make_access_data (c, error) != 0
      || cardsim_build_files (c, pki_dir, error) != 0
      || cardsim_build_sod (c, pki_dir, error) != 0)
    {
      cardsim_free (c);
      return -1;
    }
  /* --tamper-dg: the SOD is signed, now change the DG (ICAO 9303-11 §5.1
   * passive authentication must notice). */
  int t = c->faults.tamper_dg;
  if (t > 0 && t < CARDSIM_N_FILES && c->files[t].len > 0)
    c->files[t].data[c->files[t].len - 1] ^= 0x01;
  *out = c;
  return 0;
}

void
cardsim_free (cardsim *c)
{
  if (!c)
    return;
  session_clear (c);
  for (int i = 0; i < CARDSIM_N_FILES; i++)
    cardsim_buf_set (&c->files[i], NULL, 0);
  EVP_PKEY_free (c->aa_key);
  EVP_PKEY_free (c->ca_key);
  cardsim_profile_clear (&c->profile);
  OPENSSL_cleanse (c, sizeof *c);
  free (c);
}

/* ISO 14443 card through a PC/SC reader (PC/SC part 3 §3.1.3.2.3.2):
 * 3B 8n 80 01, historical bytes, TCK.  The historical bytes are a category
 * indicator 80 and the card capabilities 73 (ISO 7816-4 §8.1.1.2.7); the
 * third byte's b7 announces extended Lc/Le, b8 command chaining. */
size_t
cardsim_atr (const cardsim *c, uint8_t *atr, size_t cap)
{
  uint8_t hist[] = { 0x80, 0x73, 0xA0, 0x21, 0xC0 };
  if (c->faults.no_extended)
    hist[4] = 0x80;
  size_t k = sizeof hist;
  if (cap < 4 + k + 1)
    return 0;
  size_t n = 0;
  atr[n++] = 0x3B;
  atr[n++] = 0x80 | (uint8_t) k;
  atr[n++] = 0x80;
  atr[n++] = 0x01;
  memcpy (atr + n, hist, k);
  n += k;
  uint8_t tck = 0;
  for (size_t i = 1; i < n; i++)
    tck ^= atr[i];
  atr[n++] = tck;
  return n;
}

const mc_sm *
cardsim_sm (const cardsim *c)
{
  return &c->sm;
}

const char *
cardsim_can (const cardsim *c)
{
  return c->can;
}

int
cardsim_file (const cardsim *c, int number, const uint8_t **data, size_t *len)
{
  if (number <= 0 || number >= CARDSIM_N_FILES || !c->files[number].data)
    return -1;
  *data = c->files[number].data;
  *len = c->files[number].len;
  return 0;
}

void
cardsim_mrz_keys (const cardsim *c, char doc[10], char dob[7], char doe[7])
{
  memcpy (doc, c->doc, 10);
  memcpy (dob, c->dob, 7);
  memcpy (doe, c->doe, 7);
}

/* ---------------------------------------------------------------- files */

/* FID 01xx → file number xx (DG1-DG16 0101-0110, EF.CardAccess 011C, EF.SOD
 * 011D, EF.COM 011E): the low byte equals the short EF identifier. */
static int
fid_to_number (uint16_t fid)
{
  if ((fid >> 8) != 0x01)
    return 0;
  int n = fid & 0xFF;
  if ((n >= 1 && n <= 16) || (n >= 0x1C && n <= 0x1E))
    return n;
  return 0;
}

static int
file_exists (const cardsim *c, int n)
{
  if (n == 3)
    return 1;            /* DG3: present, EAC-protected */
  if (n == 0x1C && c->faults.bac_only)
    return 0;
  return n > 0 && n < CARDSIM_N_FILES && c->files[n].data != NULL;
}

static void
do_select (cardsim *c, const cardsim_apdu *a, cardsim_resp *r)
{
  if (a->p1 == 0x04)
    {
      if (a->lc == sizeof emrtd_aid && memcmp (a->data, emrtd_aid, a->lc) == 0)
        {
          c->app_selected = 1;
          c->selected_file = 0;
          r->sw = 0x9000;
        }
      else
        r->sw = 0x6A82;
      return;
    }
  /* The MF: like the real card, not selectable. */
  if ((a->p1 == 0x00 && (a->lc == 0 || (a->lc == 2 && a->data[0] == 0x3F && a->data[1] == 0x00)))
      || (a->p1 == 0x02 && a->lc == 2 && a->data[0] == 0x3F && a->data[1] == 0x00))
    {
      r->sw = 0x6D00;
      return;
    }
  if ((a->p1 != 0x02 && a->p1 != 0x00) || a->lc != 2)
    {
      r->sw = 0x6A86;
      return;
    }
  int n = fid_to_number ((uint16_t) (a->data[0] << 8 | a->data[1]));
  /* EF.CardAccess lives in the MF and is reachable without selecting it;
   * the others only inside the eMRTD application. */
  if (!n || !file_exists (c, n) || (n != 0x1C && !c->app_selected))
    {
      r->sw = 0x6A82;
      return;
    }
  c->selected_file = n;
  r->sw = 0x9000;
}

/* Data may only leave the chip under SM after access control, except
 * EF.CardAccess (ICAO 9303-11 §4.1, §9.2.11). */
static uint16_t
read_allowed (const cardsim *c, int n)
{
  if (n == 3)
    return 0x6982;
  if (n == 0x1C)
    return 0;
  if (!c->access_granted || !c->sm.active)
    return 0x6982;
  return 0;
}

static size_t
le_cap (const cardsim_apdu *a)
{
  return a->has_le ? a->le : 256;
}

static void
read_out (cardsim *c, int n, size_t off, size_t le, cardsim_resp *r)
{
  const cardsim_buf *f = &c->files[n];
  if (off > f->len)
    {
      r->sw = 0x6B00;
      return;
    }
  size_t avail = f->len - off;
  size_t take = avail < le ? avail : le;
  if (cardsim_resp_put (r, f->data + off, take) != 0)
    {
      r->sw = 0x6F00;
      return;
    }
  r->sw = take == 0 ? 0x6282 : 0x9000;
}

static void
do_read_binary (cardsim *c, const cardsim_apdu *a, cardsim_resp *r)
{
  int n = c->selected_file;
  size_t off;
  if (a->p1 & 0x80)
    {
      if (a->p1 & 0x60)
        {
          r->sw = 0x6A86;
          return;
        }
      n = a->p1 & 0x1F;
      if (!file_exists (c, n) || (n != 0x1C && !c->app_selected))
        {
          r->sw = 0x6A82;
          return;
        }
      c->selected_file = n;
      off = a->p2;
    }
  else
    off = ((size_t) (a->p1 & 0x7F) << 8) | a->p2;
  if (!n)
    {
      r->sw = 0x6986;    /* no current EF */
      return;
    }
  uint16_t deny = read_allowed (c, n);
  if (deny)
    {
      r->sw = deny;
      return;
    }
  read_out (c, n, off, le_cap (a), r);
}

/* READ BINARY with odd INS (ISO 7816-4 §11.3.3): offset in DO'54',
 * response data in DO'53'. */
static void
do_read_binary_odd (cardsim *c, const cardsim_apdu *a, cardsim_resp *r)
{
  int n = c->selected_file;
  uint16_t p = (uint16_t) (a->p1 << 8 | a->p2);
  if (p != 0)
    {
      n = fid_to_number (p);
      if (!n || !file_exists (c, n) || (n != 0x1C && !c->app_selected))
        {
          r->sw = 0x6A82;
          return;
        }
      c->selected_file = n;
    }
  if (!n)
    {
      r->sw = 0x6986;
      return;
    }
  if (a->lc < 3 || a->data[0] != 0x54 || a->data[1] < 1 || a->data[1] > 3
      || (size_t) a->data[1] + 2 != a->lc)
    {
      r->sw = 0x6A80;
      return;
    }
  size_t off = 0;
  for (size_t i = 0; i < a->data[1]; i++)
    off = (off << 8) | a->data[2 + i];
  uint16_t deny = read_allowed (c, n);
  if (deny)
    {
      r->sw = deny;
      return;
    }
  const cardsim_buf *f = &c->files[n];
  if (off > f->len)
    {
      r->sw = 0x6B00;
      return;
    }
  size_t le = le_cap (a);
  size_t avail = f->len - off;
  /* 53 header: 1 tag byte + up to 4 length bytes */
  size_t take = avail;
  while (take > 0 && 1 + (take < 0x80 ? 1 : take < 0x100 ? 2 : take < 0x10000 ? 3 : 4) + take > le)
    take--;
  uint8_t hdr[5];
  size_t h = 0;
  hdr[h++] = 0x53;
  if (take < 0x80)
    hdr[h++] = (uint8_t) take;
  else if (take < 0x100)
    {
      hdr[h++] = 0x81;
      hdr[h++] = (uint8_t) take;
    }
  else
    {
      hdr[h++] = 0x82;
      hdr[h++] = (uint8_t) (take >> 8);
      hdr[h++] = (uint8_t) take;
    }
  if (cardsim_resp_put (r, hdr, h) != 0 || cardsim_resp_put (r, f->data + off, take) != 0)
    {
      r->sw = 0x6F00;
      return;
    }
  r->sw = take == 0 ? 0x6282 : 0x9000;
}

/* ---------------------------------------------------------------- dispatch */

static void
dispatch (cardsim *c, const cardsim_apdu *a, int under_sm, cardsim_resp *r)
{
  uint8_t cla = a->cla & ~0x0C;
  if (cla != 0x00 && !(cla == 0x10 && a->ins == 0x86))
    {
      r->sw = 0x6E00;
      return;
    }
  /* --no-extended: a card that cannot send more than 223 bytes at once
   * refuses READ BINARY with a larger Le (other answers are small). */
  if (c->faults.no_extended && (a->ins == 0xB0 || a->ins == 0xB1)
      && a->has_le && a->le > NO_EXT_CAP)
    {
      r->sw = 0x6700;
      return;
    }
  switch (a->ins)
    {
    case 0xA4: do_select (c, a, r); break;
    case 0xB0: do_read_binary (c, a, r); break;
    case 0xB1: do_read_binary_odd (c, a, r); break;
    case 0x84: cardsim_get_challenge (c, a, r); break;
    case 0x82:
      if (under_sm)
        r->sw = 0x6985;
      else
        cardsim_external_auth (c, a, r);
      break;
    case 0x22: cardsim_mse (c, a, r); break;
    case 0x86: cardsim_general_auth (c, a, r); break;
    case 0x88: cardsim_internal_auth (c, a, r); break;
    default: r->sw = 0x6D00; break;
    }
}

static size_t
put_sw (uint8_t *resp, size_t cap, size_t n, uint16_t sw)
{
  if (cap < n + 2)
    return 0;
  resp[n] = (uint8_t) (sw >> 8);
  resp[n + 1] = (uint8_t) sw;
  return n + 2;
}

/* SM failed: the session ends (ICAO 9303-11 §9.8.4) and the answer is
 * plain. */
static size_t
sm_abort (cardsim *c, uint8_t *resp, size_t cap, uint16_t sw)
{
  mc_sm_clear (&c->sm);
  c->access_granted = 0;
  c->ca_pending = 0;
  return put_sw (resp, cap, 0, sw);
}

size_t
cardsim_process (cardsim *c, const uint8_t *cmd, size_t cmd_len,
                 uint8_t *resp, size_t cap)
{
  if (cap < 2)
    return 0;
  /* GET DATA UID: a contactless reader answers this itself. */
  if (cmd_len == 5 && cmd[0] == 0xFF && cmd[1] == 0xCA && cmd[2] == 0 && cmd[3] == 0)
    {
      if (cap < 6)
        return put_sw (resp, cap, 0, 0x6700);
      RAND_bytes (resp, 4);
      return put_sw (resp, cap, 4, 0x9000);
    }
  if (cmd_len >= 7 && cmd[4] == 0 && c->faults.no_extended)
    return put_sw (resp, cap, 0, 0x6700);

  uint8_t *plain = NULL;
  uint8_t *data = malloc (RESP_MAX);
  size_t out = 0;
  cardsim_apdu a;
  int under_sm = 0;
  if (!data)
    return put_sw (resp, cap, 0, 0x6F00);

  if (c->sm.active)
    {
      if (cmd_len < 1 || (cmd[0] & 0x0C) != 0x0C)
        {
          out = sm_abort (c, resp, cap, 0x6987);
          goto done;
        }
      size_t plain_len = 0;
      plain = malloc (cmd_len + 16);
      if (!plain
          || mc_sm_unwrap_command (&c->sm, cmd, cmd_len, plain, cmd_len + 16, &plain_len) != MC_OK
          || cardsim_apdu_parse (plain, plain_len, &a) != 0)
        {
          out = sm_abort (c, resp, cap, 0x6988);
          goto done;
        }
      under_sm = 1;
    }
  else if (cardsim_apdu_parse (cmd, cmd_len, &a) != 0)
    {
      out = put_sw (resp, cap, 0, 0x6700);
      goto done;
    }

  cardsim_resp r = { data, 0, RESP_MAX - 2, 0x6F00 };
  dispatch (c, &a, under_sm, &r);

  if (under_sm && c->sm.active)
    {
      if (mc_sm_wrap_response (&c->sm, r.data, r.len, r.sw, resp, cap, &out) != MC_OK)
        out = sm_abort (c, resp, cap, 0x6F00);
      else if (c->faults.corrupt_mac && out >= 3 + 8)
        resp[out - 3] ^= 0x01;   /* last byte of DO'8E' */
    }
  else
    {
      if (r.len + 2 > cap)
        out = put_sw (resp, cap, 0, 0x6F00);
      else
        {
          memcpy (resp, r.data, r.len);
          out = put_sw (resp, cap, r.len, r.sw);
        }
    }
  /* New keys (BAC, PACE, CA) apply from the next command on: the answer
   * that established them went out under the old state (ICAO 9303-11
   * §6.2). */
  if (c->switch_sm)
    {
      c->sm = c->next_sm;
      mc_sm_clear (&c->next_sm);
      c->switch_sm = 0;
    }
  OPENSSL_cleanse (data, r.len);

done:
  if (plain)
    {
      OPENSSL_cleanse (plain, cmd_len + 16);
      free (plain);
    }
  free (data);
  return out;
}
