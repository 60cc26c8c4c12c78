/* lds-dg2.c — to be written */
