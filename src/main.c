/* main.c -- entry point: hand the command line to cli/. */
#include "common/common.h"

#include "cli/cli.h"

int main(int argc, char **argv)
{
    return cli_main(argc, argv);
}
