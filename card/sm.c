/* sm.c — to be written */
