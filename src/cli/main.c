#include <stdio.h>
#include "actlab/act.h"
int main(void) { printf("actlab %s\n", actlab_version_string()); return 0; }
