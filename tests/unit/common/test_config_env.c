/* test_config_env.c -- where configuration values come from: _FILE values
 * (trimmed, capped, exclusive with the plain variable), the env file
 * cascade and --envfile, the dotenv syntax, $VAR expansion, and
 * config_getenv(). The meaning of the values is tested in test_config.c. */
#include "common/common.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/config.h"

#include "config_fixture.h"

static void load_ok(struct config *cfg, const char *envfile)
{
    struct cd_error err = {0};
    int rc = config_load(cfg, envfile, &err);

    if (rc != CD_OK)
        fail_msg("config_load: %d %s", rc, err.msg);
}

/* config_load() fails with rc and a message containing want. */
static void load_fails(const char *envfile, int rc_want, const char *want)
{
    struct config cfg;
    struct cd_error err = {0};
    int rc = config_load(&cfg, envfile, &err);

    config_release(&cfg);
    if (rc != rc_want || !strstr(err.msg, want))
        fail_msg("rc %d, message \"%s\", want %d \"%s\"", rc, err.msg,
                 rc_want, want);
}

/* ---- _FILE -------------------------------------------------------------- */

static void test_file_trimmed(void **state)
{
    struct config cfg;

    (void)state;
    write_file("pw.txt", "  s3cret word \n\n");
    write_file("secret.txt", "MDEyMzQ1Njc4OWFiY2RlZg==\n");
    write_file("port.txt", "\t8080\r\n");
    setenv("CANDOR_SMTP_PASSWORD_FILE", "pw.txt", 1);
    setenv("OFFEN_SECRET_FILE", "secret.txt", 1);
    setenv("OFFEN_SERVER_PORT_FILE", "port.txt", 1);
    load_ok(&cfg, NULL);
    assert_string_equal(cfg.smtp_password, "s3cret word");
    assert_int_equal(cfg.secret_len, 16); /* Offen fails on the newline */
    assert_memory_equal(cfg.secret, "0123456789abcdef", 16);
    assert_int_equal(cfg.server_port, 8080);
    config_release(&cfg);

    /* Nothing but whitespace counts as unset. */
    write_file("port.txt", " \n");
    load_ok(&cfg, NULL);
    assert_int_equal(cfg.server_port, 3000);
    config_release(&cfg);

    /* A bad value names the _FILE variable. */
    write_file("port.txt", "abc\n");
    load_fails(NULL, CD_EINVAL,
               "invalid value \"abc\" for OFFEN_SERVER_PORT_FILE:");
    write_file_n("port.txt", "80\0" "80", 5);
    load_fails(NULL, CD_EINVAL, "OFFEN_SERVER_PORT_FILE: file \"port.txt\" "
                                "contains a NUL byte");
}

static void test_file_conflict(void **state)
{
    struct config cfg;

    (void)state;
    write_file("port.txt", "8080");
    setenv("CANDOR_SERVER_PORT", "1", 1);
    setenv("CANDOR_SERVER_PORT_FILE", "port.txt", 1);
    load_fails(NULL, CD_EINVAL, "both CANDOR_SERVER_PORT and "
                                "CANDOR_SERVER_PORT_FILE are set");
    /* An empty NAME_FILE is unset, so no conflict. */
    setenv("CANDOR_SERVER_PORT_FILE", "", 1);
    load_ok(&cfg, NULL);
    assert_int_equal(cfg.server_port, 1);
    config_release(&cfg);
    /* Different prefixes do not conflict: CANDOR_ wins. */
    unsetenv("CANDOR_SERVER_PORT");
    setenv("CANDOR_SERVER_PORT_FILE", "port.txt", 1);
    setenv("OFFEN_SERVER_PORT", "9", 1);
    load_ok(&cfg, NULL);
    assert_int_equal(cfg.server_port, 8080);
    config_release(&cfg);
}

static void test_file_missing(void **state)
{
    (void)state;
    setenv("CANDOR_SMTP_PASSWORD_FILE", "no/such/file", 1);
    load_fails(NULL, CD_EIO, "CANDOR_SMTP_PASSWORD_FILE: cannot read "
                             "\"no/such/file\"");
}

static void test_file_cap(void **state)
{
    struct config cfg;

    (void)state;
    write_filled("big.txt", CONFIG_FILE_MAX, 'x', NULL); /* at the cap */
    setenv("CANDOR_SMTP_PASSWORD_FILE", "big.txt", 1);
    load_ok(&cfg, NULL);
    assert_int_equal(strlen(cfg.smtp_password), CONFIG_FILE_MAX);
    config_release(&cfg);
    write_filled("big.txt", CONFIG_FILE_MAX + 1, 'x', NULL); /* one past */
    load_fails(NULL, CD_EINVAL, "CANDOR_SMTP_PASSWORD_FILE: file \"big.txt\" "
                                "is larger than 65536 bytes");
}

/* ---- the env file ------------------------------------------------------- */

static void test_cascade_local(void **state)
{
    struct config cfg;

    (void)state;
    write_file("candor.env", "CANDOR_SERVER_PORT=1111\n");
    write_file("offen.env", "OFFEN_SERVER_PORT=2222\n");
    load_ok(&cfg, NULL);
    assert_int_equal(cfg.server_port, 1111);
    assert_string_equal(cfg.env_file, "./candor.env");
    config_release(&cfg);
    /* The file fills a private map; the environment stays untouched. */
    assert_null(getenv("CANDOR_SERVER_PORT"));

    assert_int_equal(unlink("candor.env"), 0);
    load_ok(&cfg, NULL);
    assert_int_equal(cfg.server_port, 2222);
    assert_string_equal(cfg.env_file, "./offen.env");
    config_release(&cfg);
    assert_null(getenv("OFFEN_SERVER_PORT"));
}

static void test_cascade_home(void **state)
{
    char want[PATH_MAX];
    struct config cfg;

    (void)state;
    assert_int_equal(mkdir(".config", 0700), 0);
    assert_int_equal(mkdir("xdg", 0700), 0);
    snprintf(want, sizeof(want), "%s/xdg", fx.dir);
    setenv("XDG_CONFIG_HOME", want, 1);

    write_file("xdg/offen.env", "OFFEN_SERVER_PORT=4\n");
    load_ok(&cfg, NULL);
    assert_int_equal(cfg.server_port, 4);
    config_release(&cfg);
    write_file("xdg/candor.env", "OFFEN_SERVER_PORT=3\n");
    load_ok(&cfg, NULL);
    assert_int_equal(cfg.server_port, 3);
    snprintf(want, sizeof(want), "%s/xdg/candor.env", fx.dir);
    assert_string_equal(cfg.env_file, want);
    config_release(&cfg);

    write_file(".config/offen.env", "OFFEN_SERVER_PORT=2\n");
    load_ok(&cfg, NULL);
    assert_int_equal(cfg.server_port, 2);
    config_release(&cfg);
    write_file(".config/candor.env", "OFFEN_SERVER_PORT=1\n");
    load_ok(&cfg, NULL);
    assert_int_equal(cfg.server_port, 1);
    snprintf(want, sizeof(want), "%s/.config/candor.env", fx.dir);
    assert_string_equal(cfg.env_file, want);
    config_release(&cfg);
}

static void test_env_beats_file(void **state)
{
    struct config cfg;
    char *log;

    (void)state;
    write_file("pw.txt", "from-file\n");
    write_file("candor.env",
               "CANDOR_SERVER_PORT=1111\n"
               "CANDOR_APP_LOCALE=de\n"
               "CANDOR_SMTP_PASSWORD_FILE=pw.txt\n"
               "OFFEN_SMTP_HOST=offen.example\n"
               "CANDOR_SMTP_HOST=candor.example\n"
               "CANDOR_SMTP_USER=first\n"
               "CANDOR_SMTP_USER=second\n");
    setenv("OFFEN_SERVER_PORT", "3333", 1);
    capture_begin();
    load_ok(&cfg, NULL);
    log = capture_end();
    assert_int_equal(cfg.server_port, 3333);   /* any environment form wins */
    assert_string_equal(cfg.app_locale, "de"); /* the file fills the rest */
    assert_string_equal(cfg.smtp_password, "from-file");
    assert_string_equal(cfg.smtp_host, "candor.example");
    assert_string_equal(cfg.smtp_user, "second"); /* the last one wins */
    assert_non_null(strstr(log, "CANDOR_SMTP_HOST in ./candor.env and "
                                "OFFEN_SMTP_HOST in ./candor.env"));
    free(log);
    config_release(&cfg);
}

static void test_file_errors_name_file(void **state)
{
    (void)state;
    write_file("candor.env", "CANDOR_SERVER_PORT=abc\n");
    load_fails(NULL, CD_EINVAL, "invalid value \"abc\" for CANDOR_SERVER_PORT"
                                " in ./candor.env:");
    write_file("candor.env", "A=1\nbroken\n");
    load_fails(NULL, CD_EINVAL, "env file ./candor.env: line 2:");
    write_file("candor.env",
               "CANDOR_SERVER_PORT=1\nCANDOR_SERVER_PORT_FILE=x\n");
    load_fails(NULL, CD_EINVAL, "CANDOR_SERVER_PORT_FILE in ./candor.env");
}

static void test_envfile_flag(void **state)
{
    struct config cfg;

    (void)state;
    load_fails("missing.env", CD_EIO, "cannot read env file missing.env");
    assert_int_equal(mkdir("dir.env", 0700), 0);
    load_fails("dir.env", CD_EIO, "dir.env");

    /* A given file is used even when the cascade would find another. */
    write_file("candor.env", "CANDOR_SERVER_PORT=1111\n");
    write_file("my.env", "export CANDOR_SERVER_PORT=2222\n");
    load_ok(&cfg, "my.env");
    assert_int_equal(cfg.server_port, 2222);
    assert_string_equal(cfg.env_file, "my.env");
    config_release(&cfg);
}

static void test_envfile_cap(void **state)
{
    const char *head = "CANDOR_SMTP_USER=";
    struct config cfg;

    (void)state;
    write_filled("my.env", CONFIG_FILE_MAX, 'u', head); /* at the cap */
    load_ok(&cfg, "my.env");
    assert_int_equal(strlen(cfg.smtp_user), CONFIG_FILE_MAX - strlen(head));
    config_release(&cfg);
    write_filled("my.env", CONFIG_FILE_MAX + 1, 'u', head); /* one past */
    load_fails("my.env", CD_EINVAL, "env file my.env is larger than 65536 "
                                    "bytes");
}

/* ---- dotenv syntax ------------------------------------------------------ */

struct collected {
    char key[32][64];
    char value[32][256];
    size_t n;
    size_t stop_at; /* return 7 from this call on (1-based), 0: never */
};

static int collect(const char *key, const char *value, void *ctx)
{
    struct collected *c = ctx;

    assert_true(c->n < 32);
    snprintf(c->key[c->n], sizeof(c->key[0]), "%s", key);
    snprintf(c->value[c->n], sizeof(c->value[0]), "%s", value);
    c->n++;
    return c->stop_at && c->n >= c->stop_at ? 7 : 0;
}

static const char *value_of(const struct collected *c, const char *key)
{
    for (size_t i = 0; i < c->n; i++) {
        if (strcmp(c->key[i], key) == 0)
            return c->value[i];
    }
    fail_msg("no key %s", key);
    return NULL;
}

static void test_dotenv_values(void **state)
{
    static const char text[] =
        "# a comment\n"
        "   \n"
        "\n"
        "export EXPORTED=yes\n"
        "PLAIN=value\n"
        "  SPACED = spaced value   \n"
        "SQ='single # not a comment \\n'\n"
        "DQ=\"l1\\nl2 \\\"q\\\" b\\\\s\\tt\\rr\"\n"
        "TRAIL=value # a comment\n"
        "HASH=value#not-a-comment\n"
        "LEADHASH=#value\n"
        "EMPTY=\n"
        "EMPTYQ=\"\"\n"
        "ONLYCOMMENT= # nothing\n"
        "CRLF=crlf\r\n"
        "MULTI=\"first\n"
        "second\"\n"
        "AFTER=1\n"
        "DOTTED.KEY=ok\n"
        "export=is-a-key\n"
        "DQC=\"x\"   # comment\n"
        "ESC=\"a\\qb\"\n"
        "EQ=a=b\n"
        "LAST=no newline";
    struct collected c = {0};
    struct cd_error err = {0};

    (void)state;
    assert_int_equal(config_parse_env(text, strlen(text), collect, &c, &err),
                     CD_OK);
    assert_int_equal(c.n, 20);
    assert_string_equal(value_of(&c, "EXPORTED"), "yes");
    assert_string_equal(value_of(&c, "PLAIN"), "value");
    assert_string_equal(value_of(&c, "SPACED"), "spaced value");
    assert_string_equal(value_of(&c, "SQ"), "single # not a comment \\n");
    assert_string_equal(value_of(&c, "DQ"), "l1\nl2 \"q\" b\\s\tt\rr");
    assert_string_equal(value_of(&c, "TRAIL"), "value");
    assert_string_equal(value_of(&c, "HASH"), "value#not-a-comment");
    assert_string_equal(value_of(&c, "LEADHASH"), "#value");
    assert_string_equal(value_of(&c, "EMPTY"), "");
    assert_string_equal(value_of(&c, "EMPTYQ"), "");
    assert_string_equal(value_of(&c, "ONLYCOMMENT"), "");
    assert_string_equal(value_of(&c, "CRLF"), "crlf");
    assert_string_equal(value_of(&c, "MULTI"), "first\nsecond");
    assert_string_equal(value_of(&c, "AFTER"), "1");
    assert_string_equal(value_of(&c, "DOTTED.KEY"), "ok");
    assert_string_equal(value_of(&c, "export"), "is-a-key");
    assert_string_equal(value_of(&c, "DQC"), "x");
    assert_string_equal(value_of(&c, "ESC"), "a\\qb"); /* kept as written */
    assert_string_equal(value_of(&c, "EQ"), "a=b");
    assert_string_equal(value_of(&c, "LAST"), "no newline");
    assert_string_equal(c.key[0], "EXPORTED"); /* in file order */
}

static void test_dotenv_errors(void **state)
{
    static const struct {
        const char *text;
        const char *want;
    } bad[] = {
        {"A=1\nB=2\nnoequals\n", "line 3: expected '=' after noequals"},
        {"A=1\nB=\"open\nC=3\n", "line 2: the quoted value has no closing"},
        {"A='x' trailing\n", "line 1: unexpected text after the closing"},
        {"=value\n", "line 1: expected KEY=VALUE"},
        {"KEY WITH SPACE=1\n", "line 1: expected '='"},
        {"export\n", "line 1:"},
        {"-A=1\n", "line 1: expected KEY=VALUE"},
        {"A=1\n\nM=\"a\nb\"\nbad line\n", "line 5:"},
    };
    struct cd_error err = {0};

    (void)state;
    for (size_t i = 0; i < CD_ARRAY_SIZE(bad); i++) {
        struct collected c = {0};

        memset(&err, 0, sizeof(err));
        assert_int_equal(config_parse_env(bad[i].text, strlen(bad[i].text),
                                          collect, &c, &err), CD_EPROTO);
        if (strstr(err.msg, bad[i].want) == NULL)
            fail_msg("\"%s\" lacks \"%s\"", err.msg, bad[i].want);
    }
    {
        struct collected c = {0};

        assert_int_equal(config_parse_env("A=1\nB=2\0C=3\n", 12, collect, &c,
                                          &err), CD_EPROTO);
        assert_non_null(strstr(err.msg, "line 2: NUL byte"));
        assert_int_equal(c.n, 0); /* nothing is reported from a bad text */
    }
}

static void test_dotenv_cap(void **state)
{
    char *text = malloc(CONFIG_FILE_MAX + 1);
    struct collected c = {0};
    struct cd_error err = {0};

    (void)state;
    assert_non_null(text);
    memset(text, 'v', CONFIG_FILE_MAX + 1);
    memcpy(text, "K=", 2);
    assert_int_equal(config_parse_env(text, CONFIG_FILE_MAX, collect, &c,
                                      &err), CD_OK); /* at the cap */
    assert_int_equal(c.n, 1);
    assert_int_equal(config_parse_env(text, CONFIG_FILE_MAX + 1, collect, &c,
                                      &err), CD_ETOOBIG); /* one past */
    assert_int_equal(c.n, 1);
    free(text);
}

static void test_dotenv_stop(void **state)
{
    static const char text[] = "A=1\nB=2\nC=3\n";
    struct collected c = {.stop_at = 2};
    struct cd_error err = {0};

    (void)state;
    assert_int_equal(config_parse_env(text, strlen(text), collect, &c, &err),
                     7);
    assert_int_equal(c.n, 2);
}

/* ---- $VAR expansion ----------------------------------------------------- */

static void test_expansion(void **state)
{
    static const struct {
        const char *in;
        const char *out;
    } cases[] = {
        {"plain", "plain"},
        {"a$", "a$"},
        {"x${}y", "xy"},
        {"p$CD_UNSET_VARIABLE/q", "p/q"},
        {"${CD_TEST_DIR", "CD_TEST_DIR"},
        {"$1x", "x"},
        {"a$$b", "ab"},
        {"${CD_TEST_DIR}x", NULL}, /* NULL: fx.dir + "x" */
    };
    char want[PATH_MAX];
    struct config cfg;

    (void)state;
    setenv("CANDOR_SERVER_SSLCERTIFICATE", "$CD_TEST_DIR/c.pem", 1);
    setenv("CANDOR_SERVER_SSLKEY", "${CD_TEST_DIR}/k.pem", 1);
    setenv("CANDOR_SMTP_PASSWORD", "pa$CD_TEST_DIR", 1); /* never expanded */
    load_ok(&cfg, NULL);
    snprintf(want, sizeof(want), "%s/c.pem", fx.dir);
    assert_string_equal(cfg.server_ssl_cert, want);
    snprintf(want, sizeof(want), "%s/k.pem", fx.dir);
    assert_string_equal(cfg.server_ssl_key, want);
    assert_string_equal(cfg.smtp_password, "pa$CD_TEST_DIR");
    config_release(&cfg);

    for (size_t i = 0; i < CD_ARRAY_SIZE(cases); i++) {
        setenv("CANDOR_DATABASE_CONNECTIONSTRING", cases[i].in, 1);
        load_ok(&cfg, NULL);
        snprintf(want, sizeof(want), "%sx", fx.dir);
        assert_string_equal(cfg.db_connection_string,
                            cases[i].out ? cases[i].out : want);
        config_release(&cfg);
    }

    /* Expanding to nothing leaves the default; names also come from the
     * env file, as they do in Offen (which loads it into the environment). */
    setenv("CANDOR_DATABASE_CONNECTIONSTRING", "$CD_UNSET_VARIABLE", 1);
    load_ok(&cfg, NULL);
    assert_non_null(strstr(cfg.db_connection_string, "/candor.db"));
    config_release(&cfg);
    unsetenv("CANDOR_DATABASE_CONNECTIONSTRING");
    write_file("candor.env", "DBHOST=db.example\n"
               "CANDOR_DATABASE_CONNECTIONSTRING=postgres://${DBHOST}/x\n");
    load_ok(&cfg, NULL);
    assert_string_equal(cfg.db_connection_string, "postgres://db.example/x");
    config_release(&cfg);
}

/* ---- config_getenv ------------------------------------------------------ */

static void test_getenv(void **state)
{
    struct cd_error err = {0};
    char *v = (char *)"sentinel";

    (void)state;
    write_file("candor.env", "CANDOR_SMTP_HOST=from-file\n");
    assert_int_equal(config_getenv("SMTP_HOST", &v, &err), CD_OK);
    assert_null(v); /* the env file is not consulted */
    setenv("OFFEN_SMTP_HOST", "offen", 1);
    assert_int_equal(config_getenv("SMTP_HOST", &v, &err), CD_OK);
    assert_string_equal(v, "offen");
    free(v);
    setenv("CANDOR_SMTP_HOST", "candor", 1);
    assert_int_equal(config_getenv("SMTP_HOST", &v, &err), CD_OK);
    assert_string_equal(v, "candor");
    free(v);
    write_file("host.txt", "  filed \n");
    unsetenv("CANDOR_SMTP_HOST");
    setenv("CANDOR_SMTP_HOST_FILE", "host.txt", 1);
    assert_int_equal(config_getenv("SMTP_HOST", &v, &err), CD_OK);
    assert_string_equal(v, "filed");
    free(v);
    setenv("CANDOR_SMTP_HOST", "both", 1);
    assert_int_equal(config_getenv("SMTP_HOST", &v, &err), CD_EINVAL);
    assert_null(v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        FIXTURE_TEST(test_file_trimmed),
        FIXTURE_TEST(test_file_conflict),
        FIXTURE_TEST(test_file_missing),
        FIXTURE_TEST(test_file_cap),
        FIXTURE_TEST(test_cascade_local),
        FIXTURE_TEST(test_cascade_home),
        FIXTURE_TEST(test_env_beats_file),
        FIXTURE_TEST(test_file_errors_name_file),
        FIXTURE_TEST(test_envfile_flag),
        FIXTURE_TEST(test_envfile_cap),
        FIXTURE_TEST(test_dotenv_values),
        FIXTURE_TEST(test_dotenv_errors),
        FIXTURE_TEST(test_dotenv_cap),
        FIXTURE_TEST(test_dotenv_stop),
        FIXTURE_TEST(test_expansion),
        FIXTURE_TEST(test_getenv),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
