/* testsign-presence.c — placeholder, being written */
#include "testsign.h"
