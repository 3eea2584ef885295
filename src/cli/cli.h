/* cli.h -- the candor command line: one table of subcommands.
 *
 * Each subcommand is a function cmd_<name>(argc, argv) in cli/cmd_<name>.c,
 * called with argv[0] set to the subcommand's name. It parses its own flags
 * with getopt_long, answers --help (exit 0) and returns the process exit
 * status. Only main.c and cli/ end the process.
 */
#ifndef CD_CLI_CLI_H
#define CD_CLI_CLI_H

/* Exit statuses every subcommand uses. */
enum cli_exit {
    CLI_EXIT_OK = 0,      /* success */
    CLI_EXIT_FAILURE = 1, /* the work failed (database, network, ...) */
    CLI_EXIT_USAGE = 2,   /* bad flags, or a configuration that is invalid */
};

/* Dispatch argv (as given to main) to a subcommand; no subcommand means
 * "serve". Returns the exit status. */
int cli_main(int argc, char **argv);

int cmd_serve(int argc, char **argv);
int cmd_migrate(int argc, char **argv);
int cmd_secret(int argc, char **argv);
int cmd_setup(int argc, char **argv);
int cmd_demo(int argc, char **argv);
int cmd_expire(int argc, char **argv);
int cmd_version(int argc, char **argv);

#endif /* CD_CLI_CLI_H */
