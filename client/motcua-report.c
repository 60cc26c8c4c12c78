/* motcua-report.c — (being written) */
#include "motcua-report.h"
