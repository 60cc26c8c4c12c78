/* pace.c — to be written */
