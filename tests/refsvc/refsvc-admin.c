/* refsvc-admin.c — placeholder, being written */
#include "refsvc.h"
