/* motcua-text.c — placeholder, being written */
#include <glib.h>
