/* lds-dg13.c — to be written */
