/* refsvc-api.c — placeholder, being written */
#include "refsvc.h"
