/* card-private.h — library-wide internals */
#ifndef MC_CARD_PRIVATE_H
#define MC_CARD_PRIVATE_H

/* OpenPACE's object identifiers are 0 until EAC_init() ran: everything
 * that touches OpenPACE NIDs calls this first (thread-safe, once). */
void mc_eac_init_once (void);

#endif
