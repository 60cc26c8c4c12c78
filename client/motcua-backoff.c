/* motcua-backoff.c — (being written) */
#include "motcua-backoff.h"
