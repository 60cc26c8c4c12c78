/* trust-store.c — to be written */
