/* testsign-xml.c — placeholder, being written */
#include "testsign.h"
