/* ca.c — to be written */
