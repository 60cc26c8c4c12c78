/* tlv.c — to be written */
