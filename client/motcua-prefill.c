/* motcua-prefill.c — (being written) */
#include "motcua-prefill.h"
