/* config.h -- Candor's configuration: environment, env file, defaults.
 *
 * Sources, highest precedence first:
 *   1. the process environment: CANDOR_<NAME>, else OFFEN_<NAME>;
 *   2. <NAME>_FILE variants of both: the value is read from that file and
 *      trimmed of surrounding whitespace (Offen does not trim, a defect);
 *   3. the env file: --envfile PATH if given (it must exist), else the first
 *      of ./candor.env, ./offen.env, $HOME/.config/candor.env,
 *      $HOME/.config/offen.env, $XDG_CONFIG_HOME/candor.env,
 *      $XDG_CONFIG_HOME/offen.env, /etc/candor/candor.env,
 *      /etc/offen/offen.env that exists; its keys only fill in what the
 *      environment does not set;
 *   4. the defaults of Offen 1.4 (reference/offen-server.md §14.2), except
 *      where DESIGN.md says otherwise (data folder, persistent secret).
 * An empty value counts as unset. Setting both NAME and NAME_FILE, or any
 * value that does not parse, is an error naming the variable; the CLI turns
 * it into exit status 2.
 *
 * Ownership: config_load() fills a struct config whose strings it owns;
 * config_release() frees them and wipes the secret.
 */
#ifndef CD_COMMON_CONFIG_H
#define CD_COMMON_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"

#define CONFIG_SECRET_MAX 64           /* bytes of decoded secret we accept */
#define CONFIG_FILE_MAX (64 * 1024)    /* cap on env files and _FILE values */

enum config_dialect {
    CONFIG_DIALECT_SQLITE = 0,
    CONFIG_DIALECT_POSTGRES,
    CONFIG_DIALECT_MYSQL,
};

/* Where the throttle's state lives (api/ratelimit.h): in this process, or
 * in the database, shared by several nodes. */
enum config_ratelimit {
    CONFIG_RATELIMIT_MEMORY = 0,
    CONFIG_RATELIMIT_DATABASE = 1,
};

struct config {
    /* server */
    char *server_host;          /* listen address; default "0.0.0.0" */
    int server_port;            /* 0..65535, 0 = any free port; 3000 */
    int server_reverse_proxy;   /* bool; default 0 */
    char *server_ssl_cert;      /* path or NULL */
    char *server_ssl_key;       /* path or NULL */
    int server_http_port;       /* plain port redirecting to https; -1 off */
    int server_threads;         /* event loops; default: online CPUs */
    size_t server_max_header_bytes; /* request line + headers; 16 KiB */
    size_t server_max_body_bytes;   /* request body; 64 KiB */
    int server_request_timeout; /* seconds to receive a whole request; 10 */
    int server_max_conns_per_ip;    /* concurrent connections; 256 */
    int ratelimit;              /* enum config_ratelimit; default memory */

    /* database */
    enum config_dialect db_dialect;  /* default sqlite3 */
    char *db_connection_string;      /* default <data_dir>/candor.db */
    int db_connection_retries;       /* default 0 */

    /* app */
    char *data_dir;             /* CANDOR_APP_DATADIR; see config_load() */
    int app_development;        /* bool */
    int app_log_level;          /* enum log_level */
    int app_single_node;        /* bool; default 1 */
    char *app_locale;           /* en de fr es pt vi; default "en" */
    char *app_root_account;     /* UUID or NULL */
    int app_retention_days;     /* 186 (6months) 84 42 30 7 */

    /* secret: decoded bytes of CANDOR_SECRET, or of <data_dir>/secret */
    unsigned char secret[CONFIG_SECRET_MAX];
    size_t secret_len;          /* 0 until config_ensure_secret() */
    int secret_from_env;        /* 1 when CANDOR_SECRET/OFFEN_SECRET set it */

    /* smtp */
    char *smtp_host;            /* NULL = mail goes to the log */
    int smtp_port;              /* default 587 */
    char *smtp_user;
    char *smtp_password;
    char *smtp_sender;          /* default "no-reply@offen.dev" */
    char *smtp_auth_type;       /* LOGIN PLAIN CRAM-MD5 NOAUTH; "LOGIN" */

    int argon_num_cpu_override; /* 0 = unset, else 1..127 */

    char *env_file;             /* the env file that was read, or NULL */
};

/* Fill *cfg from the sources above. envfile is the --envfile flag or NULL.
 * Returns CD_OK, or CD_EINVAL with err->msg naming the variable, or CD_EIO
 * when a named file cannot be read. *cfg is always safe to release. */
int config_load(struct config *cfg, const char *envfile,
                struct cd_error *err) CD_MUST_CHECK;

/* Make sure cfg->secret is set: keep one from the environment, else read
 * <data_dir>/secret, else create it there (mode 0600, 32 random bytes,
 * base64) so that a restart logs nobody out. Creates data_dir (0700) if
 * missing. */
int config_ensure_secret(struct config *cfg, struct cd_error *err)
    CD_MUST_CHECK;

/* Create cfg->data_dir (and parents) with mode 0700 if it does not exist. */
int config_ensure_data_dir(const struct config *cfg, struct cd_error *err)
    CD_MUST_CHECK;

void config_release(struct config *cfg);

/* Lookup used by config_load(), exposed for tests and the CLI: the value of
 * CANDOR_<name> / OFFEN_<name> (or their _FILE forms) from the environment,
 * without the env file. Returns CD_OK with *out set (caller frees) or NULL
 * when unset. */
int config_getenv(const char *name, char **out, struct cd_error *err)
    CD_MUST_CHECK;

/* Parse dotenv text (KEY=VALUE, optional "export ", quotes, # comments)
 * and call fn(key, value, ctx) for each entry; stops at the first fn
 * returning non-zero. CD_EPROTO with err->msg giving the line on a syntax
 * error. Values are unquoted; text of at most CONFIG_FILE_MAX bytes. */
int config_parse_env(const char *text, size_t len,
                     int (*fn)(const char *key, const char *value, void *ctx),
                     void *ctx, struct cd_error *err) CD_MUST_CHECK;

#endif /* CD_COMMON_CONFIG_H */
