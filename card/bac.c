/* bac.c — to be written */
