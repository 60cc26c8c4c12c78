/* motcua-dossier.c — (being written) */
#include "motcua-dossier.h"
