/* lds.c — to be written */
