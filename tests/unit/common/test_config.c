/* test_config.c -- common/config: defaults, every type's valid and invalid
 * values (with the variable named in the message), CANDOR_ over OFFEN_,
 * the data folder, the persistent secret and the Heroku overrides. Where
 * values come from (_FILE, env files, dotenv, $VAR) is tested in
 * test_config_env.c. */
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

#include "common/base64.h"
#include "common/config.h"
#include "common/log.h"

#include "config_fixture.h"

static void load_ok(struct config *cfg)
{
    struct cd_error err = {0};
    int rc = config_load(cfg, NULL, &err);

    if (rc != CD_OK)
        fail_msg("config_load: %d %s", rc, err.msg);
}

/* config_load() fails with CD_EINVAL and a message containing want. */
static void load_fails(const char *want)
{
    struct config cfg;
    struct cd_error err = {0};
    int rc = config_load(&cfg, NULL, &err);

    config_release(&cfg);
    if (rc != CD_EINVAL || err.rc != CD_EINVAL || !strstr(err.msg, want))
        fail_msg("rc %d, message \"%s\", want \"%s\"", rc, err.msg, want);
}

static void test_defaults(void **state)
{
    struct config cfg;
    char want[PATH_MAX];
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);

    (void)state;
    load_ok(&cfg);
    assert_string_equal(cfg.server_host, "0.0.0.0");
    assert_int_equal(cfg.server_port, 3000);
    assert_int_equal(cfg.server_reverse_proxy, 0);
    assert_null(cfg.server_ssl_cert);
    assert_null(cfg.server_ssl_key);
    assert_int_equal(cfg.server_threads, cpus < 1 ? 1 : cpus > 64 ? 64 : cpus);
    assert_int_equal(cfg.server_max_header_bytes, 16384);
    assert_int_equal(cfg.server_max_body_bytes, 65536);
    assert_int_equal(cfg.server_request_timeout, 10);
    assert_int_equal(cfg.server_max_conns_per_ip, 256);
    assert_int_equal(cfg.db_dialect, CONFIG_DIALECT_SQLITE);
    assert_int_equal(cfg.db_connection_retries, 0);
    snprintf(want, sizeof(want), "%s/.local/share/candor", fx.dir);
    assert_string_equal(cfg.data_dir, want);
    snprintf(want, sizeof(want), "%s/.local/share/candor/candor.db", fx.dir);
    assert_string_equal(cfg.db_connection_string, want);
    assert_int_equal(cfg.app_development, 0);
    assert_int_equal(cfg.app_log_level, LOG_INFO);
    assert_int_equal(cfg.app_single_node, 1);
    assert_string_equal(cfg.app_locale, "en");
    assert_null(cfg.app_root_account);
    assert_int_equal(cfg.app_retention_days, 186);
    assert_int_equal(cfg.secret_len, 0);
    assert_int_equal(cfg.secret_from_env, 0);
    assert_null(cfg.smtp_host);
    assert_int_equal(cfg.smtp_port, 587);
    assert_null(cfg.smtp_user);
    assert_null(cfg.smtp_password);
    assert_string_equal(cfg.smtp_sender, "no-reply@offen.dev");
    assert_string_equal(cfg.smtp_auth_type, "LOGIN");
    assert_int_equal(cfg.argon_num_cpu_override, 0);
    assert_null(cfg.env_file);
    config_release(&cfg);
    assert_null(cfg.server_host); /* released and zeroed: safe again */
    config_release(&cfg);
    config_release(NULL);
}

static void test_data_dir(void **state)
{
    struct config cfg;

    (void)state;
    setenv("XDG_DATA_HOME", "/srv/xdg", 1);
    load_ok(&cfg);
    assert_string_equal(cfg.data_dir, "/srv/xdg/candor");
    assert_string_equal(cfg.db_connection_string, "/srv/xdg/candor/candor.db");
    config_release(&cfg);

    setenv("CANDOR_APP_DATADIR", "/var/lib/candor", 1);
    load_ok(&cfg);
    assert_string_equal(cfg.data_dir, "/var/lib/candor");
    assert_string_equal(cfg.db_connection_string, "/var/lib/candor/candor.db");
    config_release(&cfg);

    /* The XDG spec says to ignore a relative XDG_DATA_HOME. */
    unsetenv("CANDOR_APP_DATADIR");
    setenv("XDG_DATA_HOME", "relative", 1);
    load_ok(&cfg);
    assert_non_null(strstr(cfg.data_dir, "/.local/share/candor"));
    config_release(&cfg);

    /* An explicit connection string is kept as it is. */
    setenv("CANDOR_DATABASE_CONNECTIONSTRING", "/tmp/x.db", 1);
    load_ok(&cfg);
    assert_string_equal(cfg.db_connection_string, "/tmp/x.db");
    config_release(&cfg);
}

static void test_no_home(void **state)
{
    struct config cfg;
    struct cd_error err = {0};

    (void)state;
    unsetenv("HOME");
    load_fails("CANDOR_APP_DATADIR");
    setenv("CANDOR_DATABASE_CONNECTIONSTRING", "/tmp/x.db", 1);
    load_ok(&cfg);
    assert_null(cfg.data_dir);
    assert_int_equal(config_ensure_data_dir(&cfg, &err), CD_EINVAL);
    assert_int_equal(config_ensure_secret(&cfg, &err), CD_EINVAL);
    assert_non_null(strstr(err.msg, "CANDOR_APP_DATADIR"));
    config_release(&cfg);
}

struct int_case {
    const char *name;
    long min, max;
    size_t off;
    int is_size;
};

#define INT_CASE(n, lo, hi, f) {n, lo, hi, offsetof(struct config, f), 0}
#define SIZE_CASE(n, lo, hi, f) {n, lo, hi, offsetof(struct config, f), 1}
static const struct int_case ints[] = {
    INT_CASE("SERVER_PORT", 0, 65535, server_port),
    INT_CASE("SERVER_THREADS", 1, 64, server_threads),
    SIZE_CASE("SERVER_MAXHEADERBYTES", 1024, 1048576,
              server_max_header_bytes),
    SIZE_CASE("SERVER_MAXBODYBYTES", 1024, 67108864, server_max_body_bytes),
    INT_CASE("SERVER_REQUESTTIMEOUT", 1, 3600, server_request_timeout),
    INT_CASE("SERVER_MAXCONNSPERIP", 1, 100000, server_max_conns_per_ip),
    INT_CASE("DATABASE_CONNECTIONRETRIES", 0, 100, db_connection_retries),
    INT_CASE("SMTP_PORT", 1, 65535, smtp_port),
    INT_CASE("ARGONNUMCPUOVERRIDE", 1, 127, argon_num_cpu_override),
};

static long int_field(const struct config *cfg, const struct int_case *c)
{
    const char *p = (const char *)cfg + c->off;

    return c->is_size ? (long)*(const size_t *)p : *(const int *)p;
}

/* Every integer at both ends of its range and one past each end. */
static void test_int_ranges(void **state)
{
    (void)state;
    for (size_t i = 0; i < CD_ARRAY_SIZE(ints); i++) {
        const struct int_case *c = &ints[i];
        char var[64];
        char val[32];
        char want[160];
        const long ok[] = {c->min, c->max};
        const long bad[] = {c->min - 1, c->max + 1};

        snprintf(var, sizeof(var), "CANDOR_%s", c->name);
        for (size_t k = 0; k < 2; k++) {
            struct config cfg;

            snprintf(val, sizeof(val), "%ld", ok[k]);
            setenv(var, val, 1);
            load_ok(&cfg);
            assert_int_equal(int_field(&cfg, c), ok[k]);
            config_release(&cfg);
        }
        for (size_t k = 0; k < 2; k++) {
            struct config cfg;
            struct cd_error err = {0};

            snprintf(val, sizeof(val), "%ld", bad[k]);
            setenv(var, val, 1);
            assert_int_equal(config_load(&cfg, NULL, &err), CD_EINVAL);
            snprintf(want, sizeof(want), "invalid value \"%s\" for %s: not "
                     "an integer between %ld and %ld", val, var, c->min,
                     c->max);
            assert_string_equal(err.msg, want);
            config_release(&cfg);
        }
        unsetenv(var);
    }
}

static void test_int_syntax(void **state)
{
    static const char *const bad[] = {"abc", " 80", "80 ", "8O", "0x50",
                                      "1e3", "80.0", "-", "+",
                                      "99999999999999999999999"};
    struct config cfg;
    struct cd_error err = {0};

    (void)state;
    for (size_t i = 0; i < CD_ARRAY_SIZE(bad); i++) {
        setenv("CANDOR_SERVER_PORT", bad[i], 1);
        load_fails("CANDOR_SERVER_PORT");
    }
    setenv("CANDOR_SERVER_PORT", "abc", 1);
    assert_int_equal(config_load(&cfg, NULL, &err), CD_EINVAL);
    assert_string_equal(err.msg, "invalid value \"abc\" for "
                        "CANDOR_SERVER_PORT: not an integer between 0 and "
                        "65535");
    config_release(&cfg);
    /* Go's strconv.Atoi accepts a sign and leading zeros. */
    setenv("CANDOR_SERVER_PORT", "+0080", 1);
    load_ok(&cfg);
    assert_int_equal(cfg.server_port, 80);
    config_release(&cfg);
}

static void test_bools(void **state)
{
    static const char *const vars[] = {"CANDOR_SERVER_REVERSEPROXY",
                                       "CANDOR_APP_DEVELOPMENT",
                                       "CANDOR_APP_SINGLENODE"};
    static const char *const yes[] = {"1", "t", "T", "TRUE", "true", "True"};
    static const char *const no[] = {"0", "f", "F", "FALSE", "false", "False"};
    static const char *const bad[] = {"yes", "no", "TRue", "2", "on", "y"};

    (void)state;
    for (size_t v = 0; v < CD_ARRAY_SIZE(vars); v++) {
        for (size_t i = 0; i < CD_ARRAY_SIZE(yes); i++) {
            struct config cfg;

            setenv(vars[v], yes[i], 1);
            load_ok(&cfg);
            assert_int_equal(cfg.server_reverse_proxy + cfg.app_development +
                             cfg.app_single_node, v == 2 ? 1 : 2);
            config_release(&cfg);
            setenv(vars[v], no[i], 1);
            load_ok(&cfg);
            assert_int_equal(cfg.server_reverse_proxy + cfg.app_development +
                             cfg.app_single_node, v == 2 ? 0 : 1);
            config_release(&cfg);
        }
        for (size_t i = 0; i < CD_ARRAY_SIZE(bad); i++) {
            setenv(vars[v], bad[i], 1);
            load_fails(vars[v]);
            load_fails("not a boolean");
        }
        unsetenv(vars[v]);
    }
}

static void test_dialect(void **state)
{
    static const struct {
        const char *value;
        enum config_dialect want;
    } ok[] = {{"sqlite3", CONFIG_DIALECT_SQLITE},
              {"sqlite", CONFIG_DIALECT_SQLITE},
              {"postgres", CONFIG_DIALECT_POSTGRES},
              {"mysql", CONFIG_DIALECT_MYSQL}};
    struct config cfg;

    (void)state;
    setenv("CANDOR_DATABASE_CONNECTIONSTRING", "dsn", 1);
    for (size_t i = 0; i < CD_ARRAY_SIZE(ok); i++) {
        setenv("CANDOR_DATABASE_DIALECT", ok[i].value, 1);
        load_ok(&cfg);
        assert_int_equal(cfg.db_dialect, ok[i].want);
        config_release(&cfg);
    }
    setenv("CANDOR_DATABASE_DIALECT", "pg", 1);
    load_fails("invalid value \"pg\" for CANDOR_DATABASE_DIALECT");
    setenv("CANDOR_DATABASE_DIALECT", "SQLITE3", 1);
    load_fails("CANDOR_DATABASE_DIALECT");
    /* A server database needs a connection string; SQLite has a default. */
    unsetenv("CANDOR_DATABASE_CONNECTIONSTRING");
    setenv("CANDOR_DATABASE_DIALECT", "postgres", 1);
    load_fails("CANDOR_DATABASE_CONNECTIONSTRING is required");
    setenv("CANDOR_DATABASE_DIALECT", "mysql", 1);
    load_fails("CANDOR_DATABASE_CONNECTIONSTRING is required");
}

static void test_enums(void **state)
{
    static const char *const locales[] = {"en", "de", "fr", "es", "pt", "vi"};
    static const struct {
        const char *name;
        int days;
    } periods[] = {{"6months", 186}, {"12weeks", 84}, {"6weeks", 42},
                   {"30days", 30},   {"7days", 7}};
    struct config cfg;

    (void)state;
    for (size_t i = 0; i < CD_ARRAY_SIZE(locales); i++) {
        setenv("CANDOR_APP_LOCALE", locales[i], 1);
        load_ok(&cfg);
        assert_string_equal(cfg.app_locale, locales[i]);
        config_release(&cfg);
    }
    setenv("CANDOR_APP_LOCALE", "EN", 1);
    load_fails("invalid value \"EN\" for CANDOR_APP_LOCALE");
    setenv("CANDOR_APP_LOCALE", "it", 1);
    load_fails("CANDOR_APP_LOCALE");
    unsetenv("CANDOR_APP_LOCALE");

    for (size_t i = 0; i < CD_ARRAY_SIZE(periods); i++) {
        setenv("OFFEN_APP_RETENTION", periods[i].name, 1);
        load_ok(&cfg);
        assert_int_equal(cfg.app_retention_days, periods[i].days);
        config_release(&cfg);
    }
    setenv("OFFEN_APP_RETENTION", "1year", 1);
    load_fails("invalid value \"1year\" for OFFEN_APP_RETENTION");
    setenv("OFFEN_APP_RETENTION", "186", 1);
    load_fails("OFFEN_APP_RETENTION");
}

/* SERVER_HTTPPORT: 0..65535, only with a certificate and key (it
 * redirects to https); -1 when unset. */
static void test_http_port(void **state)
{
    static const long ok[] = {0, 65535}, bad[] = {-1, 65536};
    struct config cfg;
    char val[32], want[160];

    (void)state;
    load_ok(&cfg);
    assert_int_equal(cfg.server_http_port, -1);
    config_release(&cfg);
    setenv("CANDOR_SERVER_HTTPPORT", "80", 1);
    load_fails("CANDOR_SERVER_HTTPPORT redirects to https and needs "
               "CANDOR_SERVER_SSLCERTIFICATE and CANDOR_SERVER_SSLKEY");
    setenv("CANDOR_SERVER_SSLCERTIFICATE", "/nonexistent/cert.pem", 1);
    setenv("CANDOR_SERVER_SSLKEY", "/nonexistent/key.pem", 1);
    for (size_t k = 0; k < 2; k++) {
        snprintf(val, sizeof(val), "%ld", ok[k]);
        setenv("CANDOR_SERVER_HTTPPORT", val, 1);
        load_ok(&cfg);
        assert_int_equal(cfg.server_http_port, ok[k]);
        config_release(&cfg);
    }
    for (size_t k = 0; k < 2; k++) {
        snprintf(val, sizeof(val), "%ld", bad[k]);
        setenv("CANDOR_SERVER_HTTPPORT", val, 1);
        snprintf(want, sizeof(want), "invalid value \"%s\" for "
                 "CANDOR_SERVER_HTTPPORT: not an integer between 0 and "
                 "65535", val);
        load_fails(want);
    }
    unsetenv("CANDOR_SERVER_HTTPPORT");
    unsetenv("CANDOR_SERVER_SSLCERTIFICATE");
    unsetenv("CANDOR_SERVER_SSLKEY");
}

/* RATELIMIT: memory (the default) or database; anything else stops. */
static void test_ratelimit(void **state)
{
    struct config cfg;

    (void)state;
    load_ok(&cfg);
    assert_int_equal(cfg.ratelimit, CONFIG_RATELIMIT_MEMORY);
    config_release(&cfg);
    setenv("CANDOR_RATELIMIT", "memory", 1);
    load_ok(&cfg);
    assert_int_equal(cfg.ratelimit, CONFIG_RATELIMIT_MEMORY);
    config_release(&cfg);
    setenv("OFFEN_RATELIMIT", "database", 1);
    unsetenv("CANDOR_RATELIMIT");
    load_ok(&cfg);
    assert_int_equal(cfg.ratelimit, CONFIG_RATELIMIT_DATABASE);
    config_release(&cfg);
    unsetenv("OFFEN_RATELIMIT");
    setenv("CANDOR_RATELIMIT", "Database", 1);
    load_fails("invalid value \"Database\" for CANDOR_RATELIMIT: not one "
               "of memory, database");
    setenv("CANDOR_RATELIMIT", "redis", 1);
    load_fails("CANDOR_RATELIMIT");
    unsetenv("CANDOR_RATELIMIT");
}

static void test_log_level(void **state)
{
    static const struct {
        const char *name;
        enum log_level level;
    } ok[] = {{"panic", LOG_ERROR}, {"fatal", LOG_ERROR},
              {"error", LOG_ERROR}, {"warn", LOG_WARN},
              {"warning", LOG_WARN}, {"info", LOG_INFO},
              {"debug", LOG_DEBUG}, {"trace", LOG_DEBUG}};
    struct config cfg;

    (void)state;
    for (size_t i = 0; i < CD_ARRAY_SIZE(ok); i++) {
        setenv("CANDOR_APP_LOGLEVEL", ok[i].name, 1);
        load_ok(&cfg);
        assert_int_equal(cfg.app_log_level, ok[i].level);
        config_release(&cfg);
    }
    setenv("CANDOR_APP_LOGLEVEL", "verbose", 1);
    load_fails("invalid value \"verbose\" for CANDOR_APP_LOGLEVEL");
}

static void test_auth_type(void **state)
{
    static const char *const in[] = {"login", "PLAIN", "Cram-Md5", "noauth"};
    static const char *const out[] = {"LOGIN", "PLAIN", "CRAM-MD5", "NOAUTH"};
    struct config cfg;

    (void)state;
    for (size_t i = 0; i < CD_ARRAY_SIZE(in); i++) {
        setenv("CANDOR_SMTP_AUTHTYPE", in[i], 1);
        load_ok(&cfg);
        assert_string_equal(cfg.smtp_auth_type, out[i]);
        config_release(&cfg);
    }
    setenv("CANDOR_SMTP_AUTHTYPE", "XOAUTH2", 1);
    load_fails("invalid value \"XOAUTH2\" for CANDOR_SMTP_AUTHTYPE");
}

static void test_root_account(void **state)
{
    static const char *const bad[] = {
        "123",
        "9b63c4d8-65c0-438c-9d30-cc4b0117339",   /* one digit short */
        "9b63c4d8-65c0-438c-9d30-cc4b011733933", /* one digit long */
        "9b63c4d8x65c0-438c-9d30-cc4b01173393",  /* no dash */
        "9b63c4d8-65c0-438c-9d30-cc4b0117339g",  /* not hex */
        "9b63c4d865c0-438c-9d30-cc4b01173393-",  /* dash misplaced */
    };
    struct config cfg;

    (void)state;
    setenv("CANDOR_APP_ROOTACCOUNT", "9b63c4d8-65c0-438c-9d30-cc4b01173393",
           1);
    load_ok(&cfg);
    assert_string_equal(cfg.app_root_account,
                        "9b63c4d8-65c0-438c-9d30-cc4b01173393");
    config_release(&cfg);
    setenv("CANDOR_APP_ROOTACCOUNT", "9B63C4D8-65C0-438C-9D30-CC4B01173393",
           1);
    load_ok(&cfg);
    assert_string_equal(cfg.app_root_account,
                        "9b63c4d8-65c0-438c-9d30-cc4b01173393");
    config_release(&cfg);
    for (size_t i = 0; i < CD_ARRAY_SIZE(bad); i++) {
        setenv("CANDOR_APP_ROOTACCOUNT", bad[i], 1);
        load_fails("for CANDOR_APP_ROOTACCOUNT: not an account id");
    }
}

static void test_strings(void **state)
{
    struct config cfg;

    (void)state;
    setenv("CANDOR_SERVER_HOST", "127.0.0.1", 1);
    setenv("CANDOR_SMTP_HOST", "smtp.example.com", 1);
    setenv("CANDOR_SMTP_USER", "me", 1);
    setenv("CANDOR_SMTP_PASSWORD", "pass word", 1);
    setenv("OFFEN_SMTP_SENDER", "hello@example.com", 1);
    setenv("CANDOR_SERVER_SSLCERTIFICATE", "/etc/c.pem", 1);
    setenv("CANDOR_SERVER_SSLKEY", "/etc/k.pem", 1);
    load_ok(&cfg);
    assert_string_equal(cfg.server_host, "127.0.0.1");
    assert_string_equal(cfg.smtp_host, "smtp.example.com");
    assert_string_equal(cfg.smtp_user, "me");
    assert_string_equal(cfg.smtp_password, "pass word");
    assert_string_equal(cfg.smtp_sender, "hello@example.com");
    assert_string_equal(cfg.server_ssl_cert, "/etc/c.pem");
    assert_string_equal(cfg.server_ssl_key, "/etc/k.pem");
    config_release(&cfg);

    /* Certificate and key go together. */
    unsetenv("CANDOR_SERVER_SSLKEY");
    load_fails("must be set together");
    unsetenv("CANDOR_SERVER_SSLCERTIFICATE");
    setenv("CANDOR_SERVER_SSLKEY", "/etc/k.pem", 1);
    load_fails("must be set together");
}

static void test_secret_env(void **state)
{
    unsigned char bytes[65];
    char text[100];
    char *log;
    struct config cfg;
    struct cd_error err = {0};

    (void)state;
    setenv("CANDOR_SECRET", "MDEyMzQ1Njc4OWFiY2RlZg==", 1);
    load_ok(&cfg);
    assert_int_equal(cfg.secret_len, 16);
    assert_memory_equal(cfg.secret, "0123456789abcdef", 16);
    assert_int_equal(cfg.secret_from_env, 1);
    /* A configured secret is kept: no file, not even the data folder. */
    assert_int_equal(config_ensure_secret(&cfg, &err), CD_OK);
    assert_int_equal(access(cfg.data_dir, F_OK), -1);
    config_release(&cfg);
    for (size_t i = 0; i < sizeof(bytes); i++)
        bytes[i] = (unsigned char)i;
    base64_encode(text, bytes, CONFIG_SECRET_MAX); /* at the cap */
    setenv("CANDOR_SECRET", text, 1);
    load_ok(&cfg);
    assert_int_equal(cfg.secret_len, CONFIG_SECRET_MAX);
    assert_memory_equal(cfg.secret, bytes, CONFIG_SECRET_MAX);
    config_release(&cfg);
    base64_encode(text, bytes, CONFIG_SECRET_MAX + 1); /* one past */
    setenv("CANDOR_SECRET", text, 1);
    load_fails("CANDOR_SECRET: longer than 64 bytes");
    /* Invalid base64; the message must not repeat the value. */
    setenv("CANDOR_SECRET", "not-base64!", 1);
    assert_int_equal(config_load(&cfg, NULL, &err), CD_EINVAL);
    assert_non_null(strstr(err.msg, "CANDOR_SECRET"));
    assert_null(strstr(err.msg, "not-base64!"));
    config_release(&cfg);
    setenv("CANDOR_SECRET", "Zh==", 1); /* not canonical */
    load_fails("CANDOR_SECRET: not standard base64");
    /* A short secret works but is worth a warning. */
    setenv("OFFEN_SECRET", "AAAA", 1);
    unsetenv("CANDOR_SECRET");
    capture_begin();
    load_ok(&cfg);
    log = capture_end();
    assert_int_equal(cfg.secret_len, 3);
    assert_non_null(strstr(log, "OFFEN_SECRET holds only 3 bytes"));
    free(log);
    config_release(&cfg);
}

static void test_offen_alias(void **state)
{
    struct config cfg;
    char *log;

    (void)state;
    setenv("OFFEN_SERVER_PORT", "4000", 1);
    load_ok(&cfg);
    assert_int_equal(cfg.server_port, 4000);
    config_release(&cfg);
    setenv("OFFEN_SERVER_PORT", "x", 1);
    load_fails("invalid value \"x\" for OFFEN_SERVER_PORT:");

    /* Both set: CANDOR_ wins, with a warning when they differ. */
    setenv("OFFEN_SERVER_PORT", "4000", 1);
    setenv("CANDOR_SERVER_PORT", "5000", 1);
    capture_begin();
    load_ok(&cfg);
    log = capture_end();
    assert_int_equal(cfg.server_port, 5000);
    assert_non_null(strstr(log, "CANDOR_SERVER_PORT and OFFEN_SERVER_PORT "
                                "are both set"));
    assert_null(strstr(log, "4000")); /* values are never logged */
    free(log);
    config_release(&cfg);
    setenv("CANDOR_SERVER_PORT", "4000", 1);
    capture_begin();
    load_ok(&cfg);
    log = capture_end();
    assert_null(strstr(log, "both set"));
    free(log);
    config_release(&cfg);
    /* CANDOR_ wins even when it is the invalid one. */
    setenv("CANDOR_SERVER_PORT", "nope", 1);
    load_fails("CANDOR_SERVER_PORT");
}

static void test_empty_is_unset(void **state)
{
    struct config cfg;

    (void)state;
    setenv("CANDOR_SERVER_PORT", "", 1);
    setenv("CANDOR_APP_LOCALE", "", 1);
    setenv("CANDOR_SERVER_REVERSEPROXY", "", 1);
    setenv("CANDOR_SECRET", "", 1);
    load_ok(&cfg);
    assert_int_equal(cfg.server_port, 3000);
    assert_string_equal(cfg.app_locale, "en");
    assert_int_equal(cfg.server_reverse_proxy, 0);
    assert_int_equal(cfg.secret_len, 0);
    config_release(&cfg);
    setenv("OFFEN_SERVER_PORT", "4000", 1);
    load_ok(&cfg);
    assert_int_equal(cfg.server_port, 4000);
    config_release(&cfg);
}

static void test_unsupported(void **state)
{
    struct config cfg;
    char *log;

    (void)state;
    setenv("OFFEN_SERVER_AUTOTLS", "example.com", 1);
    load_fails("OFFEN_SERVER_AUTOTLS is not supported");
    load_fails("CANDOR_SERVER_SSLCERTIFICATE");
    unsetenv("OFFEN_SERVER_AUTOTLS");

    setenv("OFFEN_SERVER_LETSENCRYPTEMAIL", "me@example.com", 1);
    setenv("OFFEN_SERVER_CERTIFICATECACHE", "/var/cache", 1);
    capture_begin();
    load_ok(&cfg);
    log = capture_end();
    assert_non_null(strstr(log, "OFFEN_SERVER_LETSENCRYPTEMAIL is ignored"));
    assert_non_null(strstr(log, "OFFEN_SERVER_CERTIFICATECACHE is ignored"));
    free(log);
    config_release(&cfg);

    setenv("OFFEN_APP_DEPLOYTARGET", "aws", 1);
    load_fails("invalid value \"aws\" for OFFEN_APP_DEPLOYTARGET");
}

static void test_unknown_warns(void **state)
{
    struct config cfg;
    char *log;

    (void)state;
    setenv("CANDOR_SERVER_PROT", "80", 1);
    setenv("CANDOR_SMTP_PASSWORD_FILE", "/dev/null", 1); /* known */
    capture_begin();
    load_ok(&cfg);
    log = capture_end();
    assert_non_null(strstr(log, "unknown variable CANDOR_SERVER_PROT"));
    assert_null(strstr(log, "CANDOR_SMTP_PASSWORD_FILE"));
    free(log);
    config_release(&cfg);
}

/* ---- the data folder and the secret file -------------------------------- */

static void test_ensure_data_dir(void **state)
{
    struct config cfg;
    struct cd_error err = {0};
    struct stat st;

    (void)state;
    setenv("CANDOR_APP_DATADIR", "a/b/c", 1);
    load_ok(&cfg);
    assert_int_equal(config_ensure_data_dir(&cfg, &err), CD_OK);
    assert_int_equal(stat("a/b/c", &st), 0);
    assert_true(S_ISDIR(st.st_mode));
    assert_int_equal(st.st_mode & 0077, 0);
    assert_int_equal(stat("a", &st), 0);
    assert_int_equal(st.st_mode & 0077, 0);
    assert_int_equal(config_ensure_data_dir(&cfg, &err), CD_OK); /* again */
    config_release(&cfg);

    write_file("plain", "x");
    setenv("CANDOR_APP_DATADIR", "plain", 1);
    load_ok(&cfg);
    assert_int_equal(config_ensure_data_dir(&cfg, &err), CD_EIO);
    assert_non_null(strstr(err.msg, "plain"));
    config_release(&cfg);
}

static void test_secret_file_created(void **state)
{
    struct config cfg;
    struct cd_error err = {0};
    unsigned char first[CONFIG_SECRET_MAX];
    unsigned char dec[64];
    char text[128] = "";
    struct stat st;
    size_t n;
    FILE *f;

    (void)state;
    setenv("CANDOR_APP_DATADIR", "data/candor", 1);
    load_ok(&cfg);
    assert_int_equal(config_ensure_secret(&cfg, &err), CD_OK);
    assert_int_equal(cfg.secret_len, 32);
    assert_int_equal(cfg.secret_from_env, 0);
    memcpy(first, cfg.secret, 32);
    config_release(&cfg);

    assert_int_equal(stat("data/candor", &st), 0);
    assert_int_equal(st.st_mode & 0777, 0700);
    assert_int_equal(stat("data/candor/secret", &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    f = fopen("data/candor/secret", "r");
    assert_non_null(f);
    n = fread(text, 1, sizeof(text) - 1, f);
    fclose(f);
    assert_int_equal(n, 45); /* 44 base64 characters and a newline */
    assert_int_equal(text[44], '\n');
    assert_int_equal(base64_decode(dec, sizeof(dec), &n, text, 44), CD_OK);
    assert_int_equal(n, 32);
    assert_memory_equal(dec, first, 32);
    snprintf(text, sizeof(text), "data/candor/secret.%ld.tmp",
             (long)getpid());
    assert_int_equal(access(text, F_OK), -1); /* no temporary file left */

    /* The next start reads the same secret. */
    load_ok(&cfg);
    assert_int_equal(config_ensure_secret(&cfg, &err), CD_OK);
    assert_int_equal(cfg.secret_len, 32);
    assert_memory_equal(cfg.secret, first, 32);
    config_release(&cfg);
}

static void test_secret_file_invalid(void **state)
{
    static const unsigned char zeros[CONFIG_SECRET_MAX + 1];
    char too_long[128];
    const char *bad[] = {"not base64!\n", "", "\n", "Zh==\n", too_long};
    struct config cfg;
    struct cd_error err = {0};
    char *log;

    (void)state;
    base64_encode(too_long, zeros, sizeof(zeros)); /* one past the cap */
    memcpy(too_long + strlen(too_long), "\n", 2);
    setenv("CANDOR_APP_DATADIR", "data", 1);
    assert_int_equal(mkdir("data", 0700), 0);
    for (size_t i = 0; i < CD_ARRAY_SIZE(bad); i++) {
        write_file("data/secret", bad[i]);
        load_ok(&cfg);
        assert_int_equal(config_ensure_secret(&cfg, &err), CD_EINVAL);
        assert_non_null(strstr(err.msg, "invalid secret file data/secret"));
        assert_int_equal(cfg.secret_len, 0);
        config_release(&cfg);
    }
    /* CRLF is fine; a readable-by-all file works with a warning. */
    write_file("data/secret", "MDEyMzQ1Njc4OWFiY2RlZg==\r\n");
    assert_int_equal(chmod("data/secret", 0644), 0);
    load_ok(&cfg);
    capture_begin();
    assert_int_equal(config_ensure_secret(&cfg, &err), CD_OK);
    log = capture_end();
    assert_int_equal(cfg.secret_len, 16);
    assert_memory_equal(cfg.secret, "0123456789abcdef", 16);
    assert_non_null(strstr(log, "chmod 600"));
    free(log);
    config_release(&cfg);
}

/* ---- Heroku ------------------------------------------------------------- */

static void test_heroku(void **state)
{
    struct config cfg;
    struct cd_error err = {0};

    (void)state;
    setenv("DATABASE_URL", "postgres://u:p@db/x", 1);
    setenv("PORT", "5000", 1);
    setenv("APP_SECRET", "raw secret bytes", 1);
    load_ok(&cfg); /* without the deploy target these mean nothing */
    assert_int_equal(cfg.server_port, 3000);
    assert_int_equal(cfg.secret_len, 0);
    assert_non_null(strstr(cfg.db_connection_string, "candor.db"));
    config_release(&cfg);

    setenv("OFFEN_APP_DEPLOYTARGET", "heroku", 1);
    setenv("CANDOR_SERVER_PORT", "4000", 1);
    load_ok(&cfg);
    assert_string_equal(cfg.db_connection_string, "postgres://u:p@db/x");
    assert_int_equal(cfg.server_port, 5000);
    assert_int_equal(cfg.secret_len, 16);
    assert_memory_equal(cfg.secret, "raw secret bytes", 16); /* not base64 */
    assert_int_equal(cfg.secret_from_env, 1);
    assert_int_equal(config_ensure_secret(&cfg, &err), CD_OK);
    config_release(&cfg);

    setenv("PORT", "0", 1); /* as in Offen, 0 leaves the port alone */
    load_ok(&cfg);
    assert_int_equal(cfg.server_port, 4000);
    config_release(&cfg);
    setenv("PORT", "http", 1);
    load_fails("invalid value \"http\" for PORT");
    setenv("PORT", "5000", 1);
    setenv("APP_SECRET", "0123456789012345678901234567890123456789012345678"
                         "901234567890123X", 1); /* 65 bytes */
    assert_int_equal(config_load(&cfg, NULL, &err), CD_EINVAL);
    assert_non_null(strstr(err.msg, "APP_SECRET"));
    assert_null(strstr(err.msg, "0123"));
    config_release(&cfg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        FIXTURE_TEST(test_defaults),
        FIXTURE_TEST(test_data_dir),
        FIXTURE_TEST(test_no_home),
        FIXTURE_TEST(test_int_ranges),
        FIXTURE_TEST(test_int_syntax),
        FIXTURE_TEST(test_bools),
        FIXTURE_TEST(test_dialect),
        FIXTURE_TEST(test_enums),
        FIXTURE_TEST(test_http_port),
        FIXTURE_TEST(test_ratelimit),
        FIXTURE_TEST(test_log_level),
        FIXTURE_TEST(test_auth_type),
        FIXTURE_TEST(test_root_account),
        FIXTURE_TEST(test_strings),
        FIXTURE_TEST(test_secret_env),
        FIXTURE_TEST(test_offen_alias),
        FIXTURE_TEST(test_empty_is_unset),
        FIXTURE_TEST(test_unsupported),
        FIXTURE_TEST(test_unknown_warns),
        FIXTURE_TEST(test_ensure_data_dir),
        FIXTURE_TEST(test_secret_file_created),
        FIXTURE_TEST(test_secret_file_invalid),
        FIXTURE_TEST(test_heroku),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
