/* aa.c — to be written */
