/* mysql_dsn.h -- Offen's MySQL connection string, parsed (store/ only).
 *
 * Offen hands OFFEN_DATABASE_CONNECTIONSTRING to go-sql-driver/mysql, whose
 * DSN form is
 *
 *     [user[:password]@][protocol[(address)]]/dbname[?param=value&...]
 *
 * for example "offen:secret@tcp(db.internal:3306)/offen?parseTime=true".
 * mysql_dsn_parse() turns it into the arguments of mysql_real_connect(),
 * so the same string serves Offen and Candor. It needs no client library
 * and allocates nothing: every field is a fixed array with a cap, and a
 * string past a cap is refused (CD_ETOOBIG), never cut.
 */
#ifndef CD_STORE_MYSQL_DSN_H
#define CD_STORE_MYSQL_DSN_H

#include <stdbool.h>
#include <stddef.h>

#include "common/err.h"

#define MYSQL_DSN_MAX 1024         /* the whole string, in bytes */
#define MYSQL_DSN_USER_MAX 80      /* MariaDB's longest user name */
#define MYSQL_DSN_PASSWORD_MAX 256
#define MYSQL_DSN_HOST_MAX 255     /* a DNS name, or an IP literal */
#define MYSQL_DSN_SOCKET_MAX 107   /* sun_path holds 108 with the NUL */
#define MYSQL_DSN_DBNAME_MAX 64    /* MySQL's longest identifier */
#define MYSQL_DSN_PARAMS_MAX 32    /* ?a=b&c=d pairs */
#define MYSQL_DSN_VALUE_MAX 128    /* one parameter's value, decoded */
#define MYSQL_DSN_TIMEOUT_MAX 3600 /* seconds, for timeout= and friends */
#define MYSQL_DSN_DEFAULT_PORT 3306

enum mysql_dsn_tls {
    MYSQL_DSN_TLS_OFF,       /* tls=false (the default) */
    MYSQL_DSN_TLS_PREFERRED, /* tls=preferred: use it if the server can */
    MYSQL_DSN_TLS_VERIFY,    /* tls=true: required, certificate verified */
    MYSQL_DSN_TLS_SKIP_VERIFY, /* tls=skip-verify: required, not verified */
};

struct mysql_dsn {
    char user[MYSQL_DSN_USER_MAX + 1];         /* "" when none given */
    char password[MYSQL_DSN_PASSWORD_MAX + 1]; /* "" when none given */
    bool has_password;                         /* ":" was present */
    char host[MYSQL_DSN_HOST_MAX + 1];   /* tcp: "127.0.0.1" by default;
                                          * IPv6 without brackets */
    unsigned port;                       /* tcp: 3306 by default */
    char socket[MYSQL_DSN_SOCKET_MAX + 1]; /* unix: the socket path */
    bool unix_socket;                    /* protocol unix */
    char dbname[MYSQL_DSN_DBNAME_MAX + 1]; /* may be "" */
    unsigned connect_timeout_s; /* timeout=, 0: the library's default */
    unsigned read_timeout_s;    /* readTimeout=, 0: none */
    unsigned write_timeout_s;   /* writeTimeout=, 0: none */
    enum mysql_dsn_tls tls;
};

/* Parse s (NUL-terminated) into *out, which is fully overwritten (and
 * all zero after a failure, so no half-parsed password stays behind).
 * Returns CD_OK; CD_ETOOBIG when s or a part of it is longer than its cap
 * (MYSQL_DSN_*_MAX) or there are more than MYSQL_DSN_PARAMS_MAX
 * parameters; CD_EINVAL for anything malformed: no "/", a protocol other
 * than tcp or unix, a bad port, a bad %-escape, a bad timeout or tls
 * value. *err names the part and never repeats the password. Parameters
 * Candor does not use (parseTime, loc, charset, collation, ...) are
 * accepted and ignored: Candor always talks utf8mb4 in UTC. */
int mysql_dsn_parse(struct mysql_dsn *out, const char *s,
                    struct cd_error *err) CD_MUST_CHECK;

#endif /* CD_STORE_MYSQL_DSN_H */
