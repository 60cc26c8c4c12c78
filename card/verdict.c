/* verdict.c — the authenticity verdict and its per-check reasons */
#include <stdio.h>
#include <string.h>

#include "verdict.h"

void
mc_verdict_reset (mc_verdict *v)
{
  memset (v, 0, sizeof *v);
  v->status = MC_VERDICT_UNVERIFIED;
  snprintf (v->passive.reason, sizeof v->passive.reason, "not run");
  snprintf (v->active.reason, sizeof v->active.reason, "not run");
  snprintf (v->chip.reason, sizeof v->chip.reason, "not run");
}

void
mc_check_set (mc_check *c, mc_check_result result, mc_status code, const char *reason)
{
  if (c->result == MC_CHECK_FAILED && result != MC_CHECK_FAILED)
    return;
  c->result = result;
  c->code = code;
  snprintf (c->reason, sizeof c->reason, "%s", reason ? reason : "");
}

void
mc_verdict_check_dg (mc_verdict *v, const mc_sod *sod, int number,
                     const uint8_t *data, size_t len)
{
  if (mc_sod_check_dg (sod, number, data, len) == MC_CHECK_PASSED)
    return;
  char reason[sizeof v->passive.reason];
  snprintf (reason, sizeof reason,
            "DG%d does not match its hash in EF.SOD: the data was altered", number);
  mc_check_set (&v->passive, MC_CHECK_FAILED, MC_ERR_MALFORMED, reason);
}

void
mc_verdict_update (mc_verdict *v)
{
  if (v->passive.result == MC_CHECK_FAILED || v->active.result == MC_CHECK_FAILED
      || v->chip.result == MC_CHECK_FAILED)
    v->status = MC_VERDICT_FAILED;
  else if (v->passive.result == MC_CHECK_PASSED
           && (v->chip.result == MC_CHECK_PASSED || v->active.result == MC_CHECK_PASSED))
    v->status = MC_VERDICT_GENUINE;
  else
    v->status = MC_VERDICT_UNVERIFIED;
}

const char *
mc_verdict_status_name (mc_verdict_status s)
{
  switch (s)
    {
    case MC_VERDICT_GENUINE: return "genuine";
    case MC_VERDICT_FAILED: return "failed";
    case MC_VERDICT_UNVERIFIED: default: return "unverified";
    }
}

const char *
mc_check_result_name (mc_check_result r)
{
  switch (r)
    {
    case MC_CHECK_PASSED: return "passed";
    case MC_CHECK_FAILED: return "failed";
    case MC_CHECK_UNVERIFIED: return "unverified";
    case MC_CHECK_NOT_DONE: default: return "not_done";
    }
}
