/* refsvc-trust.c — placeholder, being written */
#include "refsvc.h"
