/* refsvc-dossier.c — placeholder, being written */
#include "refsvc.h"
