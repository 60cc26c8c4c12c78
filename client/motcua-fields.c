/* motcua-fields.c — placeholder, being written */
#include <glib.h>
