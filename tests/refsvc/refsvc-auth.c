/* refsvc-auth.c — placeholder, being written */
#include "refsvc.h"
