/* refsvc-gateway.c — placeholder, being written */
#include "refsvc.h"
