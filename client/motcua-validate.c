/* motcua-validate.c — (being written) */
#include "motcua-validate.h"
