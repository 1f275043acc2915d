#include "cli.h"
int cli_tour(int argc, char **argv) { (void)argc; return cli_fail(argv[0], "not yet"); }
