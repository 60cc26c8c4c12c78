/* refsvc-xmldoc.c — placeholder, being written */
#include "refsvc.h"
