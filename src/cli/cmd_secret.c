/* cmd_secret.c -- `candor secret`: print new random secrets.
 *
 * Each value is --length random bytes from crypto_random(), in standard
 * base64: the format CANDOR_SECRET expects. Values go to stdout, one per
 * line; without --quiet each line reads like Offen's log line,
 * `Created 16 bytes secret secret="..."`, so scripts written for Offen's
 * output still find the value. Offen's single-dash flags (-length 16) are
 * accepted too. The random bytes and their text are wiped after use.
 */
#include "common/common.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "common/base64.h"
#include "crypto/random.h"

#define SECRET_LENGTH_DEFAULT 16
#define SECRET_LENGTH_MAX 1024
#define SECRET_COUNT_MAX 1000

static void usage(FILE *f)
{
    fprintf(f,
            "Usage: candor secret [--length N] [--count N] [--quiet]\n\n"
            "Print random values in standard base64, for example for\n"
            "CANDOR_SECRET.\n\n"
            "Options:\n"
            "  --length N  bytes per value, 1 to %d (default %d)\n"
            "  --count N   how many values, 1 to %d (default 1)\n"
            "  --quiet     print only the values, one per line\n"
            "  -h, --help  show this help\n",
            SECRET_LENGTH_MAX, SECRET_LENGTH_DEFAULT, SECRET_COUNT_MAX);
}

static int print_secrets(long length, long count, int quiet)
{
    unsigned char raw[SECRET_LENGTH_MAX];
    char text[(SECRET_LENGTH_MAX + 2) / 3 * 4 + 1];
    int rc = CLI_EXIT_OK;

    for (long i = 0; i < count; i++) {
        if (crypto_random(raw, (size_t)length) < 0) {
            fprintf(stderr, "candor secret: cannot get random bytes\n");
            rc = CLI_EXIT_FAILURE;
            break;
        }
        base64_encode(text, raw, (size_t)length);
        if (quiet)
            printf("%s\n", text);
        else
            printf("Created %ld bytes secret secret=\"%s\"\n", length, text);
    }
    explicit_bzero(raw, sizeof(raw));
    explicit_bzero(text, sizeof(text));
    if (fflush(stdout) != 0 && rc == CLI_EXIT_OK) {
        fprintf(stderr, "candor secret: cannot write the output\n");
        rc = CLI_EXIT_FAILURE;
    }
    return rc;
}

int cmd_secret(int argc, char **argv)
{
    static const struct option options[] = {
        {"length", required_argument, NULL, 'l'},
        {"count", required_argument, NULL, 'c'},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    long length = SECRET_LENGTH_DEFAULT;
    long count = 1;
    int quiet = 0;
    int c;

    optind = 1;
    while ((c = getopt_long_only(argc, argv, "h", options, NULL)) != -1) {
        switch (c) {
        case 'l':
            if (cli_parse_long(optarg, 1, SECRET_LENGTH_MAX, &length) < 0) {
                fprintf(stderr, "candor secret: --length must be a number "
                        "from 1 to %d\n\n", SECRET_LENGTH_MAX);
                goto usage;
            }
            break;
        case 'c':
            if (cli_parse_long(optarg, 1, SECRET_COUNT_MAX, &count) < 0) {
                fprintf(stderr, "candor secret: --count must be a number "
                        "from 1 to %d\n\n", SECRET_COUNT_MAX);
                goto usage;
            }
            break;
        case 'q':
            quiet = 1;
            break;
        case 'h':
            usage(stdout);
            return CLI_EXIT_OK;
        default:
            goto usage;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "candor secret: unexpected argument '%s'\n\n",
                argv[optind]);
        goto usage;
    }
    return print_secrets(length, count, quiet);
usage:
    usage(stderr);
    return CLI_EXIT_USAGE;
}
