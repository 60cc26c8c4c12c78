/* motcua-queue.c — (being written) */
#include "motcua-queue.h"
