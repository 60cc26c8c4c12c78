/* chip-auth.c — to be written */
