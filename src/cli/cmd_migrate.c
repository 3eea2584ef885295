/* cmd_migrate.c -- `candor migrate`: apply database migrations and exit.
 *
 * Loads the configuration as `serve` does, makes sure the data folder
 * exists (the default SQLite file lives there), opens the database and
 * runs store_migrate(): Offen's migrations first, then Candor's. Needed
 * when several nodes share one database (CANDOR_APP_SINGLENODE=false), as
 * only a single node migrates at start-up. Offen's single-dash flag
 * (-envfile PATH) is accepted too.
 *
 * Exit status: 0 migrated (or nothing to do), 1 the database failed,
 * 2 bad options or configuration.
 */
#include "common/common.h"

#include <getopt.h>
#include <stdio.h>

#include "cli/cli.h"
#include "common/config.h"
#include "common/log.h"
#include "store/store.h"

static void usage(FILE *f)
{
    fprintf(f,
            "Usage: candor migrate [--envfile PATH]\n\n"
            "Apply the database migrations (Offen's, then Candor's) and "
            "exit.\nRunning it again is harmless.\n\n"
            "Options:\n");
    cli_usage_option(f, 18, "--envfile PATH", CLI_ENVFILE_HELP);
    fprintf(f,
            "  -h, --help      show this help\n\n"
            "Exit status: 0 success, 1 database failure, 2 bad options or\n"
            "configuration.\n");
}

static const char *message(const struct cd_error *err, int rc)
{
    return err->msg[0] != '\0' ? err->msg : cd_strerror(rc);
}

/* Everything after the configuration: folder, open, migrate. */
static int migrate(const struct config *cfg)
{
    struct cd_error err = {0};
    struct store *st = NULL;
    int rc = CD_OK;

    if (cfg->db_dialect == CONFIG_DIALECT_SQLITE)
        rc = config_ensure_data_dir(cfg, &err);
    if (rc == CD_OK)
        rc = store_open(&st, cfg->db_dialect, cfg->db_connection_string,
                        &err);
    if (rc == CD_OK)
        rc = store_migrate(st, &err);
    store_close(st);
    if (rc < 0) {
        fprintf(stderr, "candor: %s\n", message(&err, rc));
        return CLI_EXIT_FAILURE;
    }
    log_info("Successfully applied database migrations");
    return CLI_EXIT_OK;
}

int cmd_migrate(int argc, char **argv)
{
    static const struct option options[] = {
        {"envfile", required_argument, NULL, 'e'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct config cfg;
    struct cd_error err = {0};
    const char *envfile = NULL;
    int c, rc;

    optind = 1;
    while ((c = getopt_long_only(argc, argv, "h", options, NULL)) != -1) {
        switch (c) {
        case 'e':
            envfile = optarg;
            break;
        case 'h':
            usage(stdout);
            return CLI_EXIT_OK;
        default:
            usage(stderr);
            return CLI_EXIT_USAGE;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "candor migrate: unexpected argument '%s'\n\n",
                argv[optind]);
        usage(stderr);
        return CLI_EXIT_USAGE;
    }
    rc = config_load(&cfg, envfile, &err);
    if (rc < 0) {
        fprintf(stderr, "candor: %s\n", message(&err, rc));
        rc = CLI_EXIT_USAGE;
        goto out;
    }
    log_set_level((enum log_level)cfg.app_log_level);
    rc = migrate(&cfg);
out:
    config_release(&cfg);
    return rc;
}
