/* apdu.c — to be written */
