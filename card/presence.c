/* presence.c — card-presence proof checked without the card
 *
 * A terminal that had the card in its field asks the chip to sign a
 * challenge with Active Authentication (ICAO 9303-11 §6.1) and sends the
 * signature on, with the card's DG15 (the AA public key) and EF.SOD.  A
 * verifier elsewhere then checks, in this order:
 *
 *   1. Passive Authentication of the SOD (ICAO 9303-11 §5.1): its CMS
 *      signature and the Document Signer's chain to a CSCA in the store,
 *      CRLs included, at the given time;
 *   2. that DG15 is the file whose hash the SOD lists (so the public key
 *      is the genuine card's, §5.1 step 3);
 *   3. the AA signature over the challenge with that key.
 *
 * The challenge must be bound by the caller to what the proof vouches for
 * (e.g. a hash of a signed payload); this file only checks the signature.
 * Nothing here keeps state, so concurrent calls sharing one trust store
 * are safe. */
#include <stdio.h>
#include <string.h>

#include "aa.h"
#include "motcua-card.h"
#include "pa.h"

#define MC_FILE_DG15 15

static void
presence_set (mc_presence *out, mc_presence_result r, const char *reason)
{
  out->result = r;
  snprintf (out->reason, sizeof out->reason, "%s", reason);
}

mc_status
mc_presence_verify (const uint8_t *sod, size_t sod_len,
                    const uint8_t *dg15, size_t dg15_len,
                    const uint8_t challenge[8],
                    const uint8_t *sig, size_t sig_len,
                    const mc_trust_store *ts, time_t now, mc_presence *out)
{
  if (!out)
    return MC_ERR_INVALID_ARG;
  memset (out, 0, sizeof *out);
  if (!sod || !dg15 || !challenge || (!sig && sig_len))
    return MC_ERR_INVALID_ARG;

  /* 1. EF.SOD: parse, signature, chain (Passive Authentication). */
  mc_sod parsed;
  mc_status st = mc_sod_verify (sod, sod_len, ts, now, &parsed);
  if (st != MC_OK)
    return st == MC_ERR_INVALID_ARG ? st : MC_ERR_MALFORMED;
  out->sod = parsed.signature;
  if (parsed.signature.result != MC_CHECK_PASSED)
    {
      presence_set (out, MC_PRESENCE_SOD_UNTRUSTED, parsed.signature.reason);
      return MC_OK;
    }

  /* 2. DG15 against its hash in the SOD (a DG15 the SOD does not list
   *    fails too: the key would not be protected). */
  if (mc_sod_check_dg (&parsed, MC_FILE_DG15, dg15, dg15_len) != MC_CHECK_PASSED)
    {
      presence_set (out, MC_PRESENCE_DG15_MISMATCH,
                    "DG15 does not match its hash in EF.SOD");
      return MC_OK;
    }

  /* 3. The AA signature.  No DG14 travels with the proof, so an EC key's
   *    hash is chosen by key size (aa_sig_nid 0, see aa.h). */
  st = mc_aa_verify (dg15, dg15_len, 0, challenge, sig, sig_len);
  if (st == MC_OK)
    presence_set (out, MC_PRESENCE_VERIFIED,
                  "the chip of a genuine card signed the challenge");
  else if (st == MC_ERR_MALFORMED)
    {
      memset (out, 0, sizeof *out);
      return MC_ERR_MALFORMED;
    }
  else
    presence_set (out, MC_PRESENCE_INVALID,
                  "the Active Authentication signature does not verify");
  return MC_OK;
}
