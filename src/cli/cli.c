/* cli.c -- subcommand table and dispatch (see cli.h). */
#include "common/common.h"
#include "cli/cli.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct cli_cmd {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *summary;
};

static const struct cli_cmd commands[] = {
    {"serve", cmd_serve, "run the server (the default)"},
    {"setup", cmd_setup, "create the first account and operator"},
    {"demo", cmd_demo, "start a throwaway instance with realistic data"},
    {"migrate", cmd_migrate, "apply database migrations and exit"},
    {"expire", cmd_expire, "remove events past the retention period"},
    {"secret", cmd_secret, "print new random secrets"},
    {"version", cmd_version, "print the version and revision"},
};

static void usage(FILE *f)
{
    fprintf(f, "Usage: candor [COMMAND] [OPTIONS]\n\n"
               "Fair, privacy-first web analytics.\n\nCommands:\n");
    for (size_t i = 0; i < CD_ARRAY_SIZE(commands); i++)
        fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(f, "\nRun 'candor COMMAND --help' for the options of a command.\n"
               "Exit status: 0 success, 1 failure, 2 usage or configuration "
               "error.\n");
}

int cli_parse_long(const char *arg, long min, long max, long *out)
{
    char *end = NULL;
    long v;

    if (arg == NULL || *arg < '0' || *arg > '9')
        return CD_EINVAL;
    errno = 0;
    v = strtol(arg, &end, 10);
    if (errno != 0 || *end != '\0' || v < min || v > max)
        return CD_EINVAL;
    *out = v;
    return CD_OK;
}

void cli_usage_option(FILE *f, int width, const char *option,
                      const char *help)
{
    const char *line = help;
    size_t len;

    fprintf(f, "  %-*s  ", width - 4, option);
    for (;;) {
        len = strcspn(line, "\n");
        fprintf(f, "%.*s\n", (int)len, line);
        if (line[len] == '\0')
            break;
        line += len + 1;
        fprintf(f, "%*s", width, "");
    }
}

int cli_main(int argc, char **argv)
{
    const char *name;

    if (argc < 2 || argv[1][0] == '-') {
        if (argc >= 2 && (strcmp(argv[1], "--help") == 0 ||
                          strcmp(argv[1], "-h") == 0)) {
            usage(stdout);
            return CLI_EXIT_OK;
        }
        if (argc >= 2 && strcmp(argv[1], "--version") == 0) {
            char *vargv[] = {"version", NULL};
            return cmd_version(1, vargv);
        }
        /* No subcommand: serve, with any flags given. */
        argv[0] = "serve";
        return cmd_serve(argc, argv);
    }
    name = argv[1];
    if (strcmp(name, "help") == 0) {
        usage(stdout);
        return CLI_EXIT_OK;
    }
    for (size_t i = 0; i < CD_ARRAY_SIZE(commands); i++) {
        if (strcmp(name, commands[i].name) == 0)
            return commands[i].fn(argc - 1, argv + 1);
    }
    fprintf(stderr, "candor: unknown command '%s'\n\n", name);
    usage(stderr);
    return CLI_EXIT_USAGE;
}
