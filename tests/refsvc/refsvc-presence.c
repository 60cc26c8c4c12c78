/* refsvc-presence.c — the card-presence proof of a dossier
 *
 * The client had the holder's chip sign, with Active Authentication
 * (ICAO 9303-11 §6.1), a challenge bound to the dossier: the first 8
 * bytes of SHA-256(payload bytes).  It sends the signature with the
 * card's DG15 and EF.SOD; libmotcua-card checks the SOD against the CSCA
 * store (Passive Authentication, §5.1), DG15 against the SOD and the
 * signature against DG15 (mc_presence_verify). */
#include <string.h>
#include <time.h>

#include <openssl/evp.h>

#include "motcua-card.h"
#include "refsvc.h"

static const guint8 *
bytes_of (GBytes *b, gsize *len)
{
  *len = 0;
  return b ? g_bytes_get_data (b, len) : NULL;
}

const char *
refsvc_presence_verify (refsvc_trust *t, const guint8 *payload, gsize payload_len,
                        GBytes *aa_signature, GBytes *dg15, GBytes *sod)
{
  gsize sig_len, dg15_len, sod_len;
  const guint8 *sig_p = bytes_of (aa_signature, &sig_len);
  const guint8 *dg15_p = bytes_of (dg15, &dg15_len);
  const guint8 *sod_p = bytes_of (sod, &sod_len);
  if (!t || !sig_p || !dg15_p || !sod_p || !sig_len || !dg15_len || !sod_len
      || (!payload && payload_len))
    return "presence.malformed";

  /* challenge = SHA-256(payload)[0..8) */
  guint8 md[EVP_MAX_MD_SIZE];
  unsigned int md_len = 0;
  if (EVP_Digest (payload_len ? (const void *) payload : "", payload_len, md, &md_len,
                  EVP_sha256 (), NULL) != 1 || md_len < 8)
    return "presence.malformed";

  mc_presence r;
  mc_status st = mc_presence_verify (sod_p, sod_len, dg15_p, dg15_len, md, sig_p, sig_len,
                                     refsvc_trust_csca (t), time (NULL), &r);
  if (st != MC_OK)
    return "presence.malformed";
  switch (r.result)
    {
    case MC_PRESENCE_VERIFIED:
      return NULL;
    case MC_PRESENCE_SOD_UNTRUSTED:
      return "presence.sod_untrusted";
    case MC_PRESENCE_DG15_MISMATCH:
      return "presence.dg15_mismatch";
    case MC_PRESENCE_INVALID:
    default:
      return "presence.invalid";
    }
}
