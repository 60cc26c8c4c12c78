/* motcua-sync.c — (being written) */
#include "motcua-sync.h"
