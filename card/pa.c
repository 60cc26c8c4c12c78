/* pa.c — to be written */
