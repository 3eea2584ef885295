/* test_mysql_dsn.c -- Offen's MySQL DSN (go-sql-driver/mysql form), parsed
 * into mysql_real_connect() arguments: every form the Go driver accepts,
 * every cap exactly at and one past its limit, and malformed input. No
 * server is needed. */
#include "common/common.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "store/mysql_dsn.h"

static struct mysql_dsn d;

static void parse_ok(const char *s)
{
    struct cd_error err = {0};

    if (mysql_dsn_parse(&d, s, &err) != CD_OK)
        fail_msg("mysql_dsn_parse(%s): %s", s, err.msg);
}

static int parse_rc(const char *s, struct cd_error *err)
{
    memset(err, 0, sizeof(*err));
    return mysql_dsn_parse(&d, s, err);
}

static void test_offen_forms(void **state)
{
    (void)state;
    parse_ok("offen:secret@tcp(db.internal:3307)/offen?parseTime=true");
    assert_string_equal(d.user, "offen");
    assert_string_equal(d.password, "secret");
    assert_true(d.has_password);
    assert_false(d.unix_socket);
    assert_string_equal(d.host, "db.internal");
    assert_int_equal(d.port, 3307);
    assert_string_equal(d.dbname, "offen");
    assert_int_equal(d.tls, MYSQL_DSN_TLS_OFF);
    assert_int_equal(d.connect_timeout_s, 0);

    /* Defaults: tcp to 127.0.0.1:3306, no user, no password. */
    parse_ok("/offen");
    assert_string_equal(d.user, "");
    assert_false(d.has_password);
    assert_string_equal(d.host, "127.0.0.1");
    assert_int_equal(d.port, MYSQL_DSN_DEFAULT_PORT);
    assert_string_equal(d.dbname, "offen");
    parse_ok("u@tcp/db");
    assert_string_equal(d.host, "127.0.0.1");
    parse_ok("u@tcp()/db");
    assert_string_equal(d.host, "127.0.0.1");
    parse_ok("u:@tcp(h)/");
    assert_true(d.has_password);
    assert_string_equal(d.password, "");
    assert_string_equal(d.host, "h");
    assert_int_equal(d.port, 3306);
    assert_string_equal(d.dbname, "");
    parse_ok("u@tcp(:3310)/db");
    assert_string_equal(d.host, "127.0.0.1");
    assert_int_equal(d.port, 3310);
    /* IPv6 in brackets, with and without a port. */
    parse_ok("u@tcp([::1]:3308)/db");
    assert_string_equal(d.host, "::1");
    assert_int_equal(d.port, 3308);
    parse_ok("u@tcp([fe80::1])/db");
    assert_string_equal(d.host, "fe80::1");
    assert_int_equal(d.port, 3306);
    /* A unix socket; its path has slashes of its own. */
    parse_ok("root@unix(/run/mysqld/mysqld.sock)/offen");
    assert_true(d.unix_socket);
    assert_string_equal(d.socket, "/run/mysqld/mysqld.sock");
    assert_string_equal(d.dbname, "offen");
    parse_ok("root@unix/offen");
    assert_string_equal(d.socket, "/tmp/mysql.sock");
}

static void test_password_characters(void **state)
{
    (void)state;
    /* The last '@' ends the credentials; the first ':' starts the
     * password, which may hold ':', '@', '(' and '/'... */
    parse_ok("u:p@ss:w(o)rd@tcp(h:1)/db");
    assert_string_equal(d.user, "u");
    assert_string_equal(d.password, "p@ss:w(o)rd");
    assert_string_equal(d.host, "h");
    assert_int_equal(d.port, 1);
    /* ...but the last '/' ends the address part, as in the Go driver. */
    parse_ok("u:a/b@tcp(h)/db");
    assert_string_equal(d.dbname, "db");
    assert_string_equal(d.password, "a/b");
    /* Not %-decoded, as in the Go driver. */
    parse_ok("u:%41@tcp(h)/db");
    assert_string_equal(d.password, "%41");
}

static void test_params(void **state)
{
    struct cd_error err;

    (void)state;
    parse_ok("u@tcp(h)/db?parseTime=true&loc=Local&charset=utf8mb4,utf8"
             "&timeout=5s&readTimeout=1m30s&writeTimeout=500ms&tls=true");
    assert_int_equal(d.connect_timeout_s, 5);
    assert_int_equal(d.read_timeout_s, 90);
    assert_int_equal(d.write_timeout_s, 1); /* rounded up to seconds */
    assert_int_equal(d.tls, MYSQL_DSN_TLS_VERIFY);
    parse_ok("u@tcp(h)/db?tls=skip-verify&timeout=0");
    assert_int_equal(d.tls, MYSQL_DSN_TLS_SKIP_VERIFY);
    assert_int_equal(d.connect_timeout_s, 0);
    parse_ok("u@tcp(h)/db?tls=preferred&&timeout=1h&");
    assert_int_equal(d.tls, MYSQL_DSN_TLS_PREFERRED);
    assert_int_equal(d.connect_timeout_s, 3600);
    parse_ok("u@tcp(h)/db?tls=false");
    assert_int_equal(d.tls, MYSQL_DSN_TLS_OFF);
    /* Values are %-decoded, '+' is a space in them; the name is too. */
    parse_ok("u@tcp(h)/my%2Ddb?loc=Europe%2FBerlin&time%6Fut=3s");
    assert_string_equal(d.dbname, "my-db");
    assert_int_equal(d.connect_timeout_s, 3);

    assert_int_equal(parse_rc("u@tcp(h)/db?timeout=5", &err), CD_EINVAL);
    assert_non_null(strstr(err.msg, "timeout='5'"));
    assert_int_equal(parse_rc("u@tcp(h)/db?timeout=1.5s", &err), CD_EINVAL);
    assert_int_equal(parse_rc("u@tcp(h)/db?timeout=-1s", &err), CD_EINVAL);
    assert_int_equal(parse_rc("u@tcp(h)/db?timeout=s", &err), CD_EINVAL);
    assert_int_equal(parse_rc("u@tcp(h)/db?readTimeout=3d", &err), CD_EINVAL);
    assert_int_equal(parse_rc("u@tcp(h)/db?tls=custom", &err), CD_EINVAL);
    assert_non_null(strstr(err.msg, "tls='custom'"));
    assert_int_equal(parse_rc("u@tcp(h)/db?parseTime", &err), CD_EINVAL);
    assert_int_equal(parse_rc("u@tcp(h)/db?=x", &err), CD_EINVAL);
    assert_int_equal(parse_rc("u@tcp(h)/db?a=%zz", &err), CD_EINVAL);
    assert_int_equal(parse_rc("u@tcp(h)/db?a=%4", &err), CD_EINVAL);
    assert_int_equal(parse_rc("u@tcp(h)/db?a=%00", &err), CD_EINVAL);
}

static void test_timeout_cap(void **state)
{
    struct cd_error err;

    (void)state;
    /* MYSQL_DSN_TIMEOUT_MAX (3600 s) exactly, and one past it. */
    parse_ok("u@tcp(h)/db?timeout=3600s");
    assert_int_equal(d.connect_timeout_s, MYSQL_DSN_TIMEOUT_MAX);
    parse_ok("u@tcp(h)/db?timeout=59m60s");
    assert_int_equal(d.connect_timeout_s, MYSQL_DSN_TIMEOUT_MAX);
    assert_int_equal(parse_rc("u@tcp(h)/db?timeout=3601s", &err), CD_EINVAL);
    assert_int_equal(parse_rc("u@tcp(h)/db?timeout=3600001ms", &err),
                     CD_EINVAL);
    assert_int_equal(parse_rc("u@tcp(h)/db?timeout=999999999999h", &err),
                     CD_EINVAL);
    /* Large enough to wrap a 64-bit count of nanoseconds. */
    assert_int_equal(parse_rc("u@tcp(h)/db?timeout=999999999h", &err),
                     CD_EINVAL);
    assert_int_equal(parse_rc("u@tcp(h)/db?timeout=5124096h", &err),
                     CD_EINVAL);
    assert_int_equal(parse_rc("u@tcp(h)/db?timeout=1h1ns", &err), CD_EINVAL);
    parse_ok("u@tcp(h)/db?timeout=59m59s999ms1us");
    assert_int_equal(d.connect_timeout_s, MYSQL_DSN_TIMEOUT_MAX);
}

static void test_malformed(void **state)
{
    struct cd_error err;

    (void)state;
    assert_int_equal(parse_rc("", &err), CD_EINVAL);
    assert_int_equal(parse_rc("u@tcp(h:3306)", &err), CD_EINVAL);
    assert_non_null(strstr(err.msg, "no '/'"));
    assert_int_equal(parse_rc("u@udp(h)/db", &err), CD_EINVAL);
    assert_non_null(strstr(err.msg, "tcp or unix"));
    assert_int_equal(parse_rc("u@tcp(h/db", &err), CD_EINVAL);
    assert_int_equal(parse_rc("u@tcp(h:0)/db", &err), CD_EINVAL);
    assert_int_equal(parse_rc("u@tcp(h:65536)/db", &err), CD_EINVAL);
    assert_int_equal(parse_rc("u@tcp(h:x)/db", &err), CD_EINVAL);
    assert_int_equal(parse_rc("u@tcp(h:)/db", &err), CD_EINVAL);
    assert_int_equal(parse_rc("u@tcp(::1)/db", &err), CD_EINVAL);
    assert_non_null(strstr(err.msg, "[brackets]"));
    assert_int_equal(parse_rc("u@tcp([::1)/db", &err), CD_EINVAL);
    assert_int_equal(parse_rc("u@tcp([::1]x)/db", &err), CD_EINVAL);
    parse_ok("u@tcp(h:65535)/db");
    assert_int_equal(d.port, 65535);
}

/* A string of n copies of c. */
static const char *rep(char c, size_t n)
{
    static char buf[2][MYSQL_DSN_MAX + 8];
    static int which;
    char *out = buf[which++ % 2];

    assert_true(n < sizeof(buf[0]));
    memset(out, c, n);
    out[n] = '\0';
    return out;
}

/* pre + max bytes + post parses; pre + max + 1 bytes + post is
 * CD_ETOOBIG, naming what. */
static void expect_cap(const char *pre, const char *post, size_t max,
                       const char *what)
{
    char s[MYSQL_DSN_MAX * 2];
    struct cd_error err;

    snprintf(s, sizeof(s), "%s%s%s", pre, rep('a', max), post);
    if (mysql_dsn_parse(&d, s, &err) != CD_OK)
        fail_msg("%s at its cap: %s", what, err.msg);
    snprintf(s, sizeof(s), "%s%s%s", pre, rep('a', max + 1), post);
    assert_int_equal(parse_rc(s, &err), CD_ETOOBIG);
    assert_non_null(strstr(err.msg, what));
}

static void test_caps(void **state)
{
    char s[MYSQL_DSN_MAX * 2];
    struct cd_error err;
    size_t n;

    (void)state;
    expect_cap("", ":pw@tcp(h)/db", MYSQL_DSN_USER_MAX, "the user");
    assert_int_equal(strlen(d.user), 0); /* cleared by the failure */
    expect_cap("u:", "@tcp(h)/db", MYSQL_DSN_PASSWORD_MAX, "the password");
    expect_cap("u@tcp(", ":1)/db", MYSQL_DSN_HOST_MAX, "the host");
    expect_cap("u@unix(/", ")/db", MYSQL_DSN_SOCKET_MAX - 1,
               "the socket path");
    expect_cap("u@tcp(h)/", "", MYSQL_DSN_DBNAME_MAX, "the database name");
    expect_cap("u@tcp(h)/db?loc=", "", MYSQL_DSN_VALUE_MAX,
               "a parameter value");
    expect_cap("u@tcp(h)/db?", "=1", MYSQL_DSN_VALUE_MAX,
               "a parameter name");
    /* A %-escape counts as the one byte it stands for. */
    snprintf(s, sizeof(s), "u@tcp(h)/%s%%41",
             rep('a', MYSQL_DSN_DBNAME_MAX - 1));
    parse_ok(s);
    assert_int_equal(d.dbname[MYSQL_DSN_DBNAME_MAX - 1], 'A');

    /* MYSQL_DSN_PARAMS_MAX parameters, and one more. */
    n = (size_t)snprintf(s, sizeof(s), "u@tcp(h)/db?");
    for (int i = 0; i < MYSQL_DSN_PARAMS_MAX; i++)
        n += (size_t)snprintf(s + n, sizeof(s) - n, "p%d=1&", i);
    parse_ok(s);
    snprintf(s + n, sizeof(s) - n, "one=more");
    assert_int_equal(parse_rc(s, &err), CD_ETOOBIG);
    assert_non_null(strstr(err.msg, "parameters"));

    /* The whole string: MYSQL_DSN_MAX bytes, and one more. */
    n = (size_t)snprintf(s, sizeof(s), "u@tcp(h)/db?");
    /* padded with empty parameters ("&"), which count for nothing else */
    while (n < MYSQL_DSN_MAX)
        s[n++] = '&';
    s[n] = '\0';
    parse_ok(s);
    s[n++] = '&';
    s[n] = '\0';
    assert_int_equal(parse_rc(s, &err), CD_ETOOBIG);
    assert_non_null(strstr(err.msg, "longer than"));
}

static void test_error_hides_password(void **state)
{
    struct cd_error err;

    (void)state;
    assert_int_equal(parse_rc("u:hunter2@tcp(h:99999)/db", &err), CD_EINVAL);
    assert_null(strstr(err.msg, "hunter2"));
    assert_int_equal(parse_rc("u:hunter2@tcp(h)/db?tls=x", &err), CD_EINVAL);
    assert_null(strstr(err.msg, "hunter2"));
    /* A failure leaves nothing behind in *out, the password included. */
    parse_ok("u:hunter2@tcp(h)/db");
    assert_int_equal(parse_rc("u:hunter2@tcp(h)/db?tls=x", &err), CD_EINVAL);
    assert_string_equal(d.password, "");
    assert_string_equal(d.user, "");
    assert_false(d.has_password);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_offen_forms),
        cmocka_unit_test(test_password_characters),
        cmocka_unit_test(test_params),
        cmocka_unit_test(test_timeout_cap),
        cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_caps),
        cmocka_unit_test(test_error_hides_password),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
