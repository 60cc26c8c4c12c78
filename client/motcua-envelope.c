/* motcua-envelope.c — (being written) */
#include "motcua-envelope.h"
