/* testsign-cms.c — placeholder, being written */
#include "testsign.h"
