/* config.c -- what Candor's configuration means (see config.h).
 *
 * One table, vars[], lists every variable with its parser and the field it
 * fills. config_load() applies the defaults, asks config_env.c for each
 * variable (environment, _FILE, env file) and parses what it finds, then
 * checks what involves several variables and fills the defaults that
 * depend on others (the data folder, the database path). The secret file
 * and the data folder are handled in config_secret.c.
 *
 * Error messages name the variable as the user wrote it (with the env file
 * when it came from there) and never repeat the value of SECRET or
 * SMTP_PASSWORD. Paths and the connection string get Offen's $VAR / ${VAR}
 * expansion.
 *
 * Not thread-safe: it reads the environment, which setenv() may change.
 * Ownership: every string in struct config is malloc'd and freed by
 * config_release(); the secret, the connection string (it may hold a
 * password) and the SMTP password are wiped first.
 */
#include "common/common.h"
#include "common/config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "common/base64.h"
#include "common/buf.h"
#include "common/config_env.h"
#include "common/log.h"
#include "common/xalloc.h"

#define SECRET_WEAK_BYTES 16 /* shorter secrets get a warning */

struct loader {
    struct config *cfg;
    struct config_env *env; /* the env file's entries */
    int heroku;             /* APP_DEPLOYTARGET=heroku */
};

struct var;
typedef int var_parse_fn(struct loader *ld, const struct var *v,
                         const char *val, const char *shown,
                         struct cd_error *err);

struct var {
    const char *name;    /* without prefix, e.g. "SERVER_PORT" */
    var_parse_fn *parse;
    size_t off;          /* offsetof(struct config, field) */
    long min, max;       /* range of integer fields */
};

static void wipe_free(char *s)
{
    if (s != NULL) {
        explicit_bzero(s, strlen(s));
        free(s);
    }
}

static void set_str(char **field, const char *s)
{
    free(*field);
    *field = s ? xstrdup(s) : NULL;
}

/* "invalid value "abc" for CANDOR_X: why"; val NULL hides the value. */
static int bad_value(const char *val, const char *shown, const char *why,
                     struct cd_error *err)
{
    if (val == NULL)
        return cd_error_set(err, CD_EINVAL, "invalid value for %s: %s",
                            shown, why);
    return cd_error_set(err, CD_EINVAL, "invalid value \"%.64s%s\" for %s: %s",
                        val, strlen(val) > 64 ? "..." : "", shown, why);
}

static void *field(struct loader *ld, const struct var *v)
{
    return (char *)ld->cfg + v->off;
}

/* ---- parsers for the table --------------------------------------------- */

static int parse_string(struct loader *ld, const struct var *v,
                        const char *val, const char *shown,
                        struct cd_error *err)
{
    CD_UNUSED(shown);
    CD_UNUSED(err);
    set_str(field(ld, v), val);
    return CD_OK;
}

static int parse_expanded(struct loader *ld, const struct var *v,
                          const char *val, const char *shown,
                          struct cd_error *err)
{
    struct buf b = BUF_INIT(CONFIG_FILE_MAX + 1);
    char **dst = field(ld, v);
    int rc = config_env_expand(ld->env, val, &b);

    if (rc < 0) {
        rc = cd_error_set(err, CD_EINVAL, "%s: value is longer than %d bytes "
                          "after $VAR expansion", shown, CONFIG_FILE_MAX);
        goto out;
    }
    wipe_free(*dst); /* a connection string may hold a password */
    *dst = b.len ? xstrdup(b.ptr) : NULL;
out:
    explicit_bzero(b.ptr, b.len);
    buf_release(&b);
    return rc;
}

static int parse_long(const char *s, long min, long max, long *out)
{
    char *end;
    long n;

    if (!isdigit((unsigned char)s[0]) &&
        !((s[0] == '+' || s[0] == '-') && isdigit((unsigned char)s[1])))
        return CD_EINVAL;
    errno = 0;
    n = strtol(s, &end, 10);
    if (errno != 0 || *end != '\0' || n < min || n > max)
        return CD_EINVAL;
    *out = n;
    return CD_OK;
}

static int parse_range(const struct var *v, const char *val,
                       const char *shown, long *n, struct cd_error *err)
{
    char why[80];

    if (parse_long(val, v->min, v->max, n) == CD_OK)
        return CD_OK;
    snprintf(why, sizeof(why), "not an integer between %ld and %ld", v->min,
             v->max);
    return bad_value(val, shown, why, err);
}

static int parse_int(struct loader *ld, const struct var *v, const char *val,
                     const char *shown, struct cd_error *err)
{
    long n = 0;
    int rc = parse_range(v, val, shown, &n, err);

    if (rc == CD_OK)
        *(int *)field(ld, v) = (int)n;
    return rc;
}

static int parse_size(struct loader *ld, const struct var *v, const char *val,
                      const char *shown, struct cd_error *err)
{
    long n = 0;
    int rc = parse_range(v, val, shown, &n, err);

    if (rc == CD_OK)
        *(size_t *)field(ld, v) = (size_t)n;
    return rc;
}

static int parse_bool(struct loader *ld, const struct var *v, const char *val,
                      const char *shown, struct cd_error *err)
{
    /* Go's strconv.ParseBool, which Offen uses. */
    static const char *const yes[] = {"1", "t", "T", "TRUE", "true", "True"};
    static const char *const no[] = {"0", "f", "F", "FALSE", "false", "False"};

    for (size_t i = 0; i < CD_ARRAY_SIZE(yes); i++) {
        if (strcmp(val, yes[i]) == 0 || strcmp(val, no[i]) == 0) {
            *(int *)field(ld, v) = strcmp(val, yes[i]) == 0;
            return CD_OK;
        }
    }
    return bad_value(val, shown, "not a boolean (true or false)", err);
}

static int parse_dialect(struct loader *ld, const struct var *v,
                         const char *val, const char *shown,
                         struct cd_error *err)
{
    enum config_dialect *d = field(ld, v);

    if (strcmp(val, "sqlite3") == 0 || strcmp(val, "sqlite") == 0)
        *d = CONFIG_DIALECT_SQLITE;
    else if (strcmp(val, "postgres") == 0)
        *d = CONFIG_DIALECT_POSTGRES;
    else if (strcmp(val, "mysql") == 0)
        *d = CONFIG_DIALECT_MYSQL;
    else
        return bad_value(val, shown, "not one of sqlite3, postgres, mysql",
                         err);
    return CD_OK;
}

static int parse_ratelimit(struct loader *ld, const struct var *v,
                           const char *val, const char *shown,
                           struct cd_error *err)
{
    if (strcmp(val, "memory") == 0)
        *(int *)field(ld, v) = CONFIG_RATELIMIT_MEMORY;
    else if (strcmp(val, "database") == 0)
        *(int *)field(ld, v) = CONFIG_RATELIMIT_DATABASE;
    else
        return bad_value(val, shown, "not one of memory, database", err);
    return CD_OK;
}

static int parse_loglevel(struct loader *ld, const struct var *v,
                          const char *val, const char *shown,
                          struct cd_error *err)
{
    enum log_level level;

    if (log_level_parse(val, &level) != CD_OK)
        return bad_value(val, shown, "not one of panic, fatal, error, warn, "
                         "warning, info, debug, trace", err);
    *(int *)field(ld, v) = (int)level;
    return CD_OK;
}

static int parse_locale(struct loader *ld, const struct var *v,
                        const char *val, const char *shown,
                        struct cd_error *err)
{
    static const char *const locales[] = {"en", "de", "fr", "es", "pt", "vi"};

    for (size_t i = 0; i < CD_ARRAY_SIZE(locales); i++) {
        if (strcmp(val, locales[i]) == 0) {
            set_str(field(ld, v), val);
            return CD_OK;
        }
    }
    return bad_value(val, shown, "not one of en, de, fr, es, pt, vi", err);
}

static int parse_retention(struct loader *ld, const struct var *v,
                           const char *val, const char *shown,
                           struct cd_error *err)
{
    static const struct {
        const char *name;
        int days;
    } periods[] = {{"6months", 186}, {"12weeks", 84}, {"6weeks", 42},
                   {"30days", 30},   {"7days", 7}};

    for (size_t i = 0; i < CD_ARRAY_SIZE(periods); i++) {
        if (strcmp(val, periods[i].name) == 0) {
            *(int *)field(ld, v) = periods[i].days;
            return CD_OK;
        }
    }
    return bad_value(val, shown, "not one of 6months, 12weeks, 6weeks, "
                     "30days, 7days", err);
}

static int parse_authtype(struct loader *ld, const struct var *v,
                          const char *val, const char *shown,
                          struct cd_error *err)
{
    static const char *const types[] = {"LOGIN", "PLAIN", "CRAM-MD5",
                                        "NOAUTH"};

    for (size_t i = 0; i < CD_ARRAY_SIZE(types); i++) {
        if (strcasecmp(val, types[i]) == 0) {
            set_str(field(ld, v), types[i]);
            return CD_OK;
        }
    }
    return bad_value(val, shown, "not one of LOGIN, PLAIN, CRAM-MD5, NOAUTH",
                     err);
}

/* An account id: a UUID, 8-4-4-4-12 hex digits; stored in lower case as
 * the database holds it. */
static int parse_uuid(struct loader *ld, const struct var *v, const char *val,
                      const char *shown, struct cd_error *err)
{
    char id[37];

    if (strlen(val) != 36)
        goto bad;
    for (size_t i = 0; i < 36; i++) {
        int dash = i == 8 || i == 13 || i == 18 || i == 23;

        if (dash ? val[i] != '-' : !isxdigit((unsigned char)val[i]))
            goto bad;
        id[i] = (char)tolower((unsigned char)val[i]);
    }
    id[36] = '\0';
    set_str(field(ld, v), id);
    return CD_OK;
bad:
    return bad_value(val, shown, "not an account id (a UUID such as "
                     "9b63c4d8-65c0-438c-9d30-cc4b01173393)", err);
}

static int parse_secret(struct loader *ld, const struct var *v,
                        const char *val, const char *shown,
                        struct cd_error *err)
{
    struct config *cfg = ld->cfg;
    size_t n = 0;
    int rc;

    CD_UNUSED(v);
    rc = base64_decode(cfg->secret, sizeof(cfg->secret), &n, val,
                       strlen(val));
    if (rc == CD_ETOOBIG)
        return bad_value(NULL, shown, "longer than 64 bytes once decoded",
                         err);
    if (rc < 0 || n == 0)
        return bad_value(NULL, shown, "not standard base64 (as printed by "
                         "'candor secret')", err);
    cfg->secret_len = n;
    cfg->secret_from_env = 1;
    if (n < SECRET_WEAK_BYTES)
        log_warn("%s holds only %zu bytes; use at least %d ('candor secret' "
                 "makes one)", shown, n, SECRET_WEAK_BYTES);
    return CD_OK;
}

static int parse_deploy_target(struct loader *ld, const struct var *v,
                               const char *val, const char *shown,
                               struct cd_error *err)
{
    CD_UNUSED(v);
    if (strcmp(val, "heroku") != 0)
        return bad_value(val, shown, "the only deploy target is heroku", err);
    ld->heroku = 1;
    return CD_OK;
}

static int parse_autotls(struct loader *ld, const struct var *v,
                         const char *val, const char *shown,
                         struct cd_error *err)
{
    CD_UNUSED(ld);
    CD_UNUSED(v);
    CD_UNUSED(val);
    return cd_error_set(err, CD_EINVAL, "%s is not supported: Candor does "
                        "not obtain certificates itself; set "
                        "CANDOR_SERVER_SSLCERTIFICATE and CANDOR_SERVER_SSLKEY"
                        " (or run behind a reverse proxy)", shown);
}

static int parse_ignored(struct loader *ld, const struct var *v,
                         const char *val, const char *shown,
                         struct cd_error *err)
{
    CD_UNUSED(ld);
    CD_UNUSED(v);
    CD_UNUSED(val);
    CD_UNUSED(err);
    log_warn("%s is ignored: Candor has no automatic TLS", shown);
    return CD_OK;
}

#define F(f) offsetof(struct config, f)
static const struct var vars[] = {
    {"SERVER_HOST", parse_string, F(server_host)},
    {"SERVER_PORT", parse_int, F(server_port), 0, 65535},
    {"SERVER_REVERSEPROXY", parse_bool, F(server_reverse_proxy)},
    {"SERVER_SSLCERTIFICATE", parse_expanded, F(server_ssl_cert)},
    {"SERVER_SSLKEY", parse_expanded, F(server_ssl_key)},
    {"SERVER_HTTPPORT", parse_int, F(server_http_port), 0, 65535},
    {"SERVER_THREADS", parse_int, F(server_threads), 1, 64},
    {"SERVER_MAXHEADERBYTES", parse_size, F(server_max_header_bytes), 1024,
     1048576},
    {"SERVER_MAXBODYBYTES", parse_size, F(server_max_body_bytes), 1024,
     67108864},
    {"SERVER_REQUESTTIMEOUT", parse_int, F(server_request_timeout), 1, 3600},
    {"SERVER_MAXCONNSPERIP", parse_int, F(server_max_conns_per_ip), 1,
     100000},
    {"RATELIMIT", parse_ratelimit, F(ratelimit)},
    {"SERVER_AUTOTLS", parse_autotls, 0},
    {"SERVER_LETSENCRYPTEMAIL", parse_ignored, 0},
    {"SERVER_CERTIFICATECACHE", parse_ignored, 0},
    {"DATABASE_DIALECT", parse_dialect, F(db_dialect)},
    {"DATABASE_CONNECTIONSTRING", parse_expanded, F(db_connection_string)},
    {"DATABASE_CONNECTIONRETRIES", parse_int, F(db_connection_retries), 0,
     100},
    {"APP_DATADIR", parse_string, F(data_dir)},
    {"APP_DEVELOPMENT", parse_bool, F(app_development)},
    {"APP_LOGLEVEL", parse_loglevel, F(app_log_level)},
    {"APP_SINGLENODE", parse_bool, F(app_single_node)},
    {"APP_LOCALE", parse_locale, F(app_locale)},
    {"APP_ROOTACCOUNT", parse_uuid, F(app_root_account)},
    {"APP_RETENTION", parse_retention, F(app_retention_days)},
    {"APP_DEPLOYTARGET", parse_deploy_target, 0},
    {"SECRET", parse_secret, 0},
    {"SMTP_HOST", parse_string, F(smtp_host)},
    {"SMTP_PORT", parse_int, F(smtp_port), 1, 65535},
    {"SMTP_USER", parse_string, F(smtp_user)},
    {"SMTP_PASSWORD", parse_string, F(smtp_password)},
    {"SMTP_SENDER", parse_string, F(smtp_sender)},
    {"SMTP_AUTHTYPE", parse_authtype, F(smtp_auth_type)},
    {"ARGONNUMCPUOVERRIDE", parse_int, F(argon_num_cpu_override), 1, 127},
};
#undef F

/* ---- config_load ------------------------------------------------------ */

/* Warn about CANDOR_ names we do not know: most likely typos. */
static void warn_unknown(const char *key, const char *where, void *ctx)
{
    char name[128];
    size_t len;

    CD_UNUSED(ctx);
    if (strncmp(key, "CANDOR_", 7) != 0)
        return;
    snprintf(name, sizeof(name), "%s", key + 7);
    len = strlen(name);
    if (len > 5 && strcmp(name + len - 5, "_FILE") == 0)
        name[len - 5] = '\0';
    for (size_t i = 0; i < CD_ARRAY_SIZE(vars); i++) {
        if (strcmp(name, vars[i].name) == 0)
            return;
    }
    log_warn("unknown variable %s%s%s is ignored", key, where ? " in " : "",
             where ? where : "");
}

static void set_defaults(struct config *cfg)
{
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);

    cfg->server_host = xstrdup("0.0.0.0");
    cfg->server_port = 3000;
    cfg->server_http_port = -1;
    cfg->server_threads = cpus < 1 ? 1 : cpus > 64 ? 64 : (int)cpus;
    cfg->server_max_header_bytes = 16384;
    cfg->server_max_body_bytes = 65536;
    cfg->server_request_timeout = 10;
    cfg->server_max_conns_per_ip = 256;
    cfg->db_dialect = CONFIG_DIALECT_SQLITE;
    cfg->app_log_level = LOG_INFO;
    cfg->app_single_node = 1;
    cfg->app_locale = xstrdup("en");
    cfg->app_retention_days = 186;
    cfg->smtp_port = 587;
    cfg->smtp_sender = xstrdup("no-reply@offen.dev");
    cfg->smtp_auth_type = xstrdup("LOGIN");
}

/* OFFEN_APP_DEPLOYTARGET=heroku: the platform's own variables win.
 * APP_SECRET is used as raw bytes, as Offen does. */
static int apply_heroku(struct loader *ld, struct cd_error *err)
{
    static const struct var conn = {
        "DATABASE_URL", parse_expanded,
        offsetof(struct config, db_connection_string)};
    static const struct var port = {
        "PORT", parse_int, offsetof(struct config, server_port), 0, 65535};
    struct config *cfg = ld->cfg;
    struct config_value f;
    const char *v;
    int rc = CD_OK;

    v = config_env_raw(ld->env, "DATABASE_URL", &f);
    if (v)
        rc = parse_expanded(ld, &conn, v, f.shown, err);
    v = config_env_raw(ld->env, "PORT", &f);
    if (v && rc == CD_OK && strcmp(v, "0") != 0) /* Offen ignores 0 */
        rc = parse_int(ld, &port, v, f.shown, err);
    v = config_env_raw(ld->env, "APP_SECRET", &f);
    if (v && rc == CD_OK && strlen(v) > sizeof(cfg->secret))
        rc = bad_value(NULL, f.shown, "longer than 64 bytes", err);
    if (v && rc == CD_OK) {
        cfg->secret_len = strlen(v);
        memcpy(cfg->secret, v, cfg->secret_len);
        cfg->secret_from_env = 1;
    }
    return rc;
}

static char *join(const char *a, const char *b)
{
    size_t n = strlen(a) + strlen(b) + 1;
    char *p = xmalloc(n);

    snprintf(p, n, "%s%s", a, b);
    return p;
}

/* $XDG_DATA_HOME/candor, else $HOME/.local/share/candor, else NULL. */
static void set_data_dir(struct config *cfg)
{
    const char *xdg = getenv("XDG_DATA_HOME");
    const char *home = getenv("HOME");

    if (cfg->data_dir != NULL)
        return;
    if (xdg && xdg[0] == '/') /* the XDG spec: ignore relative paths */
        cfg->data_dir = join(xdg, "/candor");
    else if (home && *home)
        cfg->data_dir = join(home, "/.local/share/candor");
}

/* Checks and defaults that involve more than one variable. */
static int finish(struct loader *ld, struct cd_error *err)
{
    struct config *cfg = ld->cfg;
    int rc = CD_OK;

    if ((cfg->server_ssl_cert == NULL) != (cfg->server_ssl_key == NULL))
        return cd_error_set(err, CD_EINVAL, "CANDOR_SERVER_SSLCERTIFICATE "
                            "and CANDOR_SERVER_SSLKEY must be set together");
    if (cfg->server_http_port >= 0 && cfg->server_ssl_cert == NULL)
        return cd_error_set(err, CD_EINVAL, "CANDOR_SERVER_HTTPPORT redirects"
                            " to https and needs CANDOR_SERVER_SSLCERTIFICATE "
                            "and CANDOR_SERVER_SSLKEY");
    if (ld->heroku)
        rc = apply_heroku(ld, err);
    if (rc < 0)
        return rc;
    set_data_dir(cfg);
    if (cfg->db_connection_string != NULL)
        return CD_OK;
    if (cfg->db_dialect != CONFIG_DIALECT_SQLITE)
        return cd_error_set(err, CD_EINVAL, "CANDOR_DATABASE_CONNECTIONSTRING"
                            " is required with the %s dialect",
                            cfg->db_dialect == CONFIG_DIALECT_MYSQL
                                ? "mysql" : "postgres");
    if (cfg->data_dir == NULL)
        return cd_error_set(err, CD_EINVAL, "no place for the database: set "
                            "CANDOR_APP_DATADIR or "
                            "CANDOR_DATABASE_CONNECTIONSTRING (HOME is not "
                            "set)");
    cfg->db_connection_string = join(cfg->data_dir, "/candor.db");
    return CD_OK;
}

int config_load(struct config *cfg, const char *envfile,
                struct cd_error *err)
{
    struct loader ld = {.cfg = cfg};
    int rc;

    memset(cfg, 0, sizeof(*cfg));
    set_defaults(cfg);
    rc = config_env_open(&ld.env, envfile, err);
    if (rc < 0)
        goto out;
    if (config_env_path(ld.env) != NULL)
        cfg->env_file = xstrdup(config_env_path(ld.env));
    config_env_each_key(ld.env, warn_unknown, NULL);
    for (size_t i = 0; i < CD_ARRAY_SIZE(vars); i++) {
        struct config_value f;

        rc = config_env_lookup(ld.env, vars[i].name, &f, err);
        if (rc == CD_OK && f.value != NULL)
            rc = vars[i].parse(&ld, &vars[i], f.value, f.shown, err);
        config_value_release(&f);
        if (rc < 0)
            goto out;
    }
    rc = finish(&ld, err);
out:
    config_env_free(ld.env);
    return rc;
}

void config_release(struct config *cfg)
{
    if (cfg == NULL)
        return;
    free(cfg->server_host);
    free(cfg->server_ssl_cert);
    free(cfg->server_ssl_key);
    wipe_free(cfg->db_connection_string); /* may hold a password */
    free(cfg->data_dir);
    free(cfg->app_locale);
    free(cfg->app_root_account);
    free(cfg->smtp_host);
    free(cfg->smtp_user);
    wipe_free(cfg->smtp_password);
    free(cfg->smtp_sender);
    free(cfg->smtp_auth_type);
    free(cfg->env_file);
    explicit_bzero(cfg, sizeof(*cfg));
}
