/* refsvc-errors.c — placeholder, being written */
#include "refsvc.h"
