/* refsvc-store.c — placeholder, being written */
#include "refsvc.h"
