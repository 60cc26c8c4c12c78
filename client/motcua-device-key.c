/* motcua-device-key.c — (being written) */
#include "motcua-device-key.h"
