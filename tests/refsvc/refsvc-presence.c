/* refsvc-presence.c — placeholder, being written */
#include "refsvc.h"
