/* cli.h -- the candor command line: one table of subcommands.
 *
 * Each subcommand is a function cmd_<name>(argc, argv) in cli/cmd_<name>.c,
 * called with argv[0] set to the subcommand's name. It parses its own flags
 * with getopt_long_only (so Offen's single-dash spellings work too),
 * answers --help (exit 0) and returns the process exit status. Only main.c
 * and cli/ end the process.
 */
#ifndef CD_CLI_CLI_H
#define CD_CLI_CLI_H

#include <stdio.h>

#include "common/err.h"

/* The help of --envfile, for every command that reads the configuration
 * (config_load()): lines to print after "--envfile PATH", see
 * cli_usage_option(). docs/candor.1 says the same in each subsection. */
#define CLI_ENVFILE_HELP                                                  \
    "read configuration from PATH (it must exist)\n"                      \
    "instead of the first candor.env or offen.env\n"                      \
    "found in ., ~/.config, $XDG_CONFIG_HOME or\n"                        \
    "/etc/candor, /etc/offen"

/* Exit statuses every subcommand uses. */
enum cli_exit {
    CLI_EXIT_OK = 0,      /* success */
    CLI_EXIT_FAILURE = 1, /* the work failed (database, network, ...) */
    CLI_EXIT_USAGE = 2,   /* bad flags, or a configuration that is invalid */
};

/* Dispatch argv (as given to main) to a subcommand; no subcommand means
 * "serve". Returns the exit status. */
int cli_main(int argc, char **argv);

/* A decimal integer in [min, max] from a flag's argument: digits only (no
 * sign, no blanks). CD_OK and *out, or CD_EINVAL (NULL, not a number, out
 * of range, or past LONG_MAX; *out untouched). */
int cli_parse_long(const char *arg, long min, long max,
                   long *out) CD_MUST_CHECK;

/* Print one option of a usage text: "  OPTION" padded to width columns
 * (at least two blanks after it), then help, whose further lines
 * ('\n'-separated) are indented as far. */
void cli_usage_option(FILE *f, int width, const char *option,
                      const char *help);

int cmd_serve(int argc, char **argv);
int cmd_migrate(int argc, char **argv);
int cmd_secret(int argc, char **argv);
int cmd_setup(int argc, char **argv);
int cmd_demo(int argc, char **argv);
int cmd_expire(int argc, char **argv);
int cmd_version(int argc, char **argv);

#endif /* CD_CLI_CLI_H */
