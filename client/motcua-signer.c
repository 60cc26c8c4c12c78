/* motcua-signer.c — (being written) */
#include "motcua-signer.h"
