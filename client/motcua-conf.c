/* motcua-conf.c — (being written) */
#include "motcua-conf.h"
