/* motcua-units.c — placeholder, being written */
#include <glib.h>
