/* test_cli.c -- cli/cli: the helpers every subcommand shares.
 *
 * cli_parse_long() takes digits only, inside [min, max]: both ends of the
 * range and one past each, and strtol()'s overflow past LONG_MAX, are
 * refused without touching *out. cli_usage_option() lays out an option
 * and its help lines in the columns the usage texts use, with
 * CLI_ENVFILE_HELP as the example.
 */
#include "common/common.h"

#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "cli/cli.h"

static void test_parse_long(void **state)
{
    static const char *bad[] = {"", "-1", "+1", " 1", "1 ", "1x", "0x10",
                                "99999999999999999999999"};
    long v = -7;

    (void)state;
    assert_int_equal(cli_parse_long("0", 0, 65535, &v), CD_OK);
    assert_int_equal(v, 0);
    assert_int_equal(cli_parse_long("65535", 0, 65535, &v), CD_OK);
    assert_int_equal(v, 65535);
    v = -7;
    assert_int_equal(cli_parse_long("65536", 0, 65535, &v), CD_EINVAL);
    assert_int_equal(cli_parse_long("0", 1, 10, &v), CD_EINVAL);
    assert_int_equal(v, -7);
    assert_int_equal(cli_parse_long(NULL, 0, 10, &v), CD_EINVAL);
    for (size_t i = 0; i < CD_ARRAY_SIZE(bad); i++)
        assert_int_equal(cli_parse_long(bad[i], 0, 1L << 40, &v), CD_EINVAL);
    assert_int_equal(v, -7);
}

static void test_parse_long_overflow(void **state)
{
    char max[32];
    long v = -7;

    (void)state;
    /* Past LONG_MAX: strtol() clamps to LONG_MAX and sets ERANGE, which
     * must not pass for LONG_MAX itself. */
    assert_int_equal(cli_parse_long("99999999999999999999", 0, LONG_MAX, &v),
                     CD_EINVAL);
    assert_int_equal(v, -7);
    snprintf(max, sizeof(max), "%ld", LONG_MAX);
    assert_int_equal(cli_parse_long(max, 0, LONG_MAX, &v), CD_OK);
    assert_true(v == LONG_MAX);
}

static void test_usage_option(void **state)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);

    (void)state;
    assert_non_null(f);
    cli_usage_option(f, 18, "--envfile PATH", "one\ntwo");
    cli_usage_option(f, 8, "--long-option", "x");
    cli_usage_option(f, 18, "--envfile PATH", CLI_ENVFILE_HELP);
    assert_int_equal(fclose(f), 0);
    assert_string_equal(text,
                        "  --envfile PATH  one\n"
                        "                  two\n"
                        "  --long-option  x\n"
                        "  --envfile PATH  read configuration from PATH "
                        "(it must exist)\n"
                        "                  instead of the first candor.env "
                        "or offen.env\n"
                        "                  found in ., ~/.config, "
                        "$XDG_CONFIG_HOME or\n"
                        "                  /etc/candor, /etc/offen\n");
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_long),
        cmocka_unit_test(test_parse_long_overflow),
        cmocka_unit_test(test_usage_option),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
