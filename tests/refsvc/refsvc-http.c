/* refsvc-http.c — placeholder, being written */
#include "refsvc.h"
