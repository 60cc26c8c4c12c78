/* lds-dg1.c — to be written */
