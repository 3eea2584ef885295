/* cmd_expire.c -- `candor expire`: remove events past the retention once,
 * as one round of the server's hourly job (expire_once()). It does not
 * migrate: on several nodes sharing a database, `candor migrate` runs when
 * the operator says so (docs/deploying.md), never from a cron job. */
#include "common/common.h"

#include <getopt.h>
#include <stdio.h>

#include "api/expire.h"
#include "cli/cli.h"
#include "common/config.h"
#include "common/log.h"

static void usage(FILE *f)
{
    fprintf(f, "Usage: candor expire [--envfile PATH]\n\n"
               "Remove the events older than the retention period\n"
               "(CANDOR_APP_RETENTION, 6 months by default) once, leaving a\n"
               "tombstone for each. A single node does this every hour by\n"
               "itself; run this from cron when several nodes share one\n"
               "database (CANDOR_APP_SINGLENODE=false). It does not migrate\n"
               "the database: `candor migrate` must have run.\n\n"
               "Options:\n");
    cli_usage_option(f, 18, "--envfile PATH", CLI_ENVFILE_HELP);
    fprintf(f, "  -h, --help      show this help\n\n"
               "Exit status: 0 done, 1 failed, 2 bad options or "
               "configuration.\n");
}

int cmd_expire(int argc, char **argv)
{
    static const struct option options[] = {
        {"envfile", required_argument, NULL, 'e'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct cd_error err = {0};
    const char *envfile = NULL;
    struct config cfg;
    size_t removed = 0;
    int c, rc = CLI_EXIT_FAILURE;

    optind = 1;
    while ((c = getopt_long_only(argc, argv, "h", options, NULL)) != -1) {
        if (c == 'e') {
            envfile = optarg;
        } else if (c == 'h') {
            usage(stdout);
            return CLI_EXIT_OK;
        } else {
            usage(stderr);
            return CLI_EXIT_USAGE;
        }
    }
    if (optind < argc) {
        usage(stderr);
        return CLI_EXIT_USAGE;
    }
    if (config_load(&cfg, envfile, &err) < 0) {
        fprintf(stderr, "candor: %s\n", err.msg);
        config_release(&cfg);
        return CLI_EXIT_USAGE;
    }
    if (expire_once(&cfg, &removed, &err) < 0) {
        fprintf(stderr, "candor expire: %s\n", err.msg);
    } else {
        log_info("Successfully expired events removed=%zu", removed);
        rc = CLI_EXIT_OK;
    }
    config_release(&cfg);
    return rc;
}
