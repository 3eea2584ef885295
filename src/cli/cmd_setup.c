/* cmd_setup.c -- `candor setup`: the first account and its operator.
 *
 * The same bootstrap as POST /api/setup (api/setup.h), from flags or from
 * prompts; the password prompt does not echo. It refuses when an operator
 * with that email exists, and (as Offen) when the database holds data,
 * unless --force, which replaces accounts, operators and events.
 */
#include "common/common.h"

#include <getopt.h>
#include <stdio.h>
#include <termios.h>
#include <unistd.h>

#include "api/operator.h"
#include "api/setup.h"
#include "cli/cli.h"
#include "common/config.h"
#include "common/log.h"
#include "crypto/argon.h"
#include "crypto/memeq.h"
#include "store/store.h"

#define SETUP_LINE_MAX 1024

static void usage(FILE *f)
{
    fprintf(f,
            "Usage: candor setup --email EMAIL --name ACCOUNT [--password PW]\n"
            "                    [--account-id UUID] [--force] [--envfile PATH]\n"
            "\n"
            "Create the first account and a super admin operator for it.\n"
            "Without --password, the password is asked for on the terminal\n"
            "(not echoed); it must have 8 to 64 bytes.\n\n"
            "Options:\n"
            "  --email EMAIL       the operator's email address (login)\n"
            "  --name ACCOUNT      the account's name\n"
            "  --password PW       the password (visible in the process list:\n"
            "                      prefer the prompt)\n"
            "  --account-id UUID   the account's id (default: a new one, or\n"
            "                      CANDOR_APP_ROOTACCOUNT)\n"
            "  --force             allow a database that holds data: its\n"
            "                      accounts, operators and events are REPLACED\n");
    cli_usage_option(f, 22, "--envfile PATH", CLI_ENVFILE_HELP);
    fprintf(f,
            "  -h, --help          show this help\n\n"
            "Exit status: 0 created, 1 failed (the email exists, the database\n"
            "holds data, ...), 2 bad options or configuration.\n");
}

/* Read one line from the terminal without echo into buf. */
static int prompt_password(char *buf, size_t size)
{
    struct termios old, quiet;
    FILE *tty = fopen("/dev/tty", "r+");
    int rc = -1;

    if (tty == NULL)
        return -1;
    fprintf(tty, "Password for the new operator (not displayed): ");
    fflush(tty);
    if (tcgetattr(fileno(tty), &old) == 0) {
        quiet = old;
        quiet.c_lflag &= ~(tcflag_t)ECHO;
        tcsetattr(fileno(tty), TCSAFLUSH, &quiet);
        if (fgets(buf, (int)size, tty) != NULL) {
            buf[strcspn(buf, "\r\n")] = '\0';
            rc = 0;
        }
        tcsetattr(fileno(tty), TCSAFLUSH, &old);
        fprintf(tty, "\n");
    }
    fclose(tty);
    return rc;
}

struct setup_args {
    const char *email, *name, *password, *account_id, *envfile;
    int force;
};

static int run(const struct setup_args *a, struct config *cfg)
{
    struct cd_error err = {0};
    struct operator_keys keys;
    struct store_user u = {0};
    struct store *st = NULL;
    char id[SETUP_ID_SIZE];
    char *clean = NULL;
    int rc = CLI_EXIT_FAILURE;

    if (setup_check(a->name, a->email, a->password, &clean, &err) < 0) {
        fprintf(stderr, "candor setup: %s\n", err.msg);
        return CLI_EXIT_USAGE;
    }
    if (config_ensure_secret(cfg, &err) < 0 ||
        operator_keys_init(&keys, cfg->secret, cfg->secret_len, &err) < 0) {
        fprintf(stderr, "candor setup: %s\n", err.msg);
        free(clean);
        return CLI_EXIT_FAILURE;
    }
    if (store_open(&st, cfg->db_dialect, cfg->db_connection_string, &err) < 0 ||
        store_migrate(st, &err) < 0) {
        fprintf(stderr, "candor setup: database: %s\n", err.msg);
        goto out;
    }
    if (operator_find(st, &keys, a->email, false, &u, &err) == CD_OK) {
        fprintf(stderr, "candor setup: an operator with the email %s exists "
                "already; log in with it, or choose another email\n",
                a->email);
        goto out;
    }
    if (setup_bootstrap(st, &keys, a->account_id, clean, a->email,
                        a->password, a->force, id, &err) < 0) {
        fprintf(stderr, "candor setup: %s%s\n", err.msg,
                err.rc == CD_EEXIST ? " (the database holds data; --force "
                                      "replaces it)" : "");
        goto out;
    }
    log_info("Successfully created account %s with ID %s, you can use the "
             "given credentials to access it", clean, id);
    rc = CLI_EXIT_OK;
out:
    store_user_release(&u);
    store_close(st);
    operator_keys_release(&keys);
    free(clean);
    return rc;
}

int cmd_setup(int argc, char **argv)
{
    static const struct option options[] = {
        {"email", required_argument, NULL, 'm'},
        {"name", required_argument, NULL, 'n'},
        {"password", required_argument, NULL, 'p'},
        {"account-id", required_argument, NULL, 'i'},
        {"forceid", required_argument, NULL, 'i'}, /* Offen's name */
        {"force", no_argument, NULL, 'f'},
        {"envfile", required_argument, NULL, 'e'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct setup_args a = {NULL, NULL, NULL, NULL, NULL, 0};
    struct cd_error err = {0};
    struct config cfg;
    char pw[SETUP_LINE_MAX];
    int c, rc;

    optind = 1;
    while ((c = getopt_long_only(argc, argv, "h", options, NULL)) != -1) {
        switch (c) {
        case 'm': a.email = optarg; break;
        case 'n': a.name = optarg; break;
        case 'p': a.password = optarg; break;
        case 'i': a.account_id = optarg; break;
        case 'f': a.force = 1; break;
        case 'e': a.envfile = optarg; break;
        case 'h': usage(stdout); return CLI_EXIT_OK;
        default: usage(stderr); return CLI_EXIT_USAGE;
        }
    }
    if (optind < argc || a.email == NULL || a.name == NULL) {
        fprintf(stderr, "candor setup: --email and --name are required\n\n");
        usage(stderr);
        return CLI_EXIT_USAGE;
    }
    if (config_load(&cfg, a.envfile, &err) < 0) {
        fprintf(stderr, "candor: %s\n", err.msg);
        config_release(&cfg);
        return CLI_EXIT_USAGE;
    }
    if (cfg.argon_num_cpu_override > 0 &&
        crypto_argon_set_cpu_override(cfg.argon_num_cpu_override) < 0)
        log_warn("ignoring the Argon2 CPU override");
    if (a.account_id == NULL)
        a.account_id = cfg.app_root_account;
    if (a.password == NULL) {
        if (prompt_password(pw, sizeof(pw)) < 0) {
            fprintf(stderr, "candor setup: no terminal to ask for the "
                    "password on; give --password\n");
            config_release(&cfg);
            return CLI_EXIT_USAGE;
        }
        a.password = pw;
    }
    rc = config_ensure_data_dir(&cfg, &err) < 0 ? CLI_EXIT_FAILURE
                                                : run(&a, &cfg);
    if (rc == CLI_EXIT_FAILURE && err.msg[0] != '\0' && err.rc != 0)
        fprintf(stderr, "candor setup: %s\n", err.msg);
    crypto_wipe(pw, sizeof(pw));
    config_release(&cfg);
    return rc;
}
