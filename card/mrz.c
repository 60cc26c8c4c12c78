/* mrz.c — to be written */
