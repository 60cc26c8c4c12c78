/* access.c — to be written */
