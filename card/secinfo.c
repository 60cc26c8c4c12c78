/* secinfo.c — to be written */
