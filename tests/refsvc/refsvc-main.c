/* refsvc-main.c — placeholder, being written */
#include "refsvc.h"
int main (void) { return 1; }
