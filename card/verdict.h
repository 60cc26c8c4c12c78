/* verdict.h — combining the three checks into one verdict
 *
 * A check that failed stays failed for the whole session: nothing may
 * turn it back into a pass (a later, better-looking result is ignored). */
#ifndef MC_VERDICT_H
#define MC_VERDICT_H

#include "motcua-card.h"
#include "pa.h"

void mc_verdict_reset (mc_verdict *v);
/* Sets a check unless it already failed. */
void mc_check_set (mc_check *c, mc_check_result result, mc_status code, const char *reason);
/* Compares a DG with the SOD; a mismatch fails the passive check. */
void mc_verdict_check_dg (mc_verdict *v, const mc_sod *sod, int number,
                          const uint8_t *data, size_t len);
/* genuine: passive passed and a chip check (CA or AA) passed, none failed;
 * failed: any check failed; unverified otherwise. */
void mc_verdict_update (mc_verdict *v);

#endif
