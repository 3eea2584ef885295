/* cmd_version.c -- `candor version`: print version and build revision. */
#include "common/common.h"

#include <getopt.h>
#include <stdio.h>

#include "cli/cli.h"

int cmd_version(int argc, char **argv)
{
    static const struct option options[] = {
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int c;

    optind = 1;
    while ((c = getopt_long_only(argc, argv, "h", options, NULL)) != -1) {
        if (c == 'h') {
            printf("Usage: candor version\n\n"
                   "Print the version and the build revision (the same "
                   "revision /versionz reports).\n");
            return CLI_EXIT_OK;
        }
        fprintf(stderr, "Usage: candor version\n");
        return CLI_EXIT_USAGE;
    }
    if (optind < argc) {
        fprintf(stderr, "Usage: candor version\n");
        return CLI_EXIT_USAGE;
    }
    printf("candor %s revision=%s\n", CANDOR_VERSION, CANDOR_REVISION);
    return CLI_EXIT_OK;
}
