/* refsvc-backoffice.c — placeholder, being written */
#include "refsvc.h"
