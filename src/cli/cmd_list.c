#include "cli.h"
int cli_list(int argc, char **argv) { (void)argc; return cli_fail(argv[0], "not yet"); }
