/* mysql_dsn.c -- Offen's MySQL DSN (go-sql-driver/mysql form), parsed.
 *
 * The split follows the Go driver's ParseDSN, so a string Offen accepts
 * means the same here: the LAST '/' ends the address part; before it, the
 * last '@' ends the credentials (the password runs from the first ':' to
 * that '@', so it may hold '@' and ':'); then "protocol(address)"; after
 * the '/', the database name up to the first '?', then &-separated
 * key=value parameters, %-decoded. Only what mysql_real_connect() needs is
 * kept; see mysql_dsn.h for the caps. Nothing is allocated, so the parser
 * can run on hostile input (tests/fuzz/fuzz_mysql_dsn.c) without a leak.
 */
#include "common/common.h"
#include "store/mysql_dsn.h"

#include <string.h>

/* A slice of the input: not NUL-terminated. */
struct span {
    const char *p;
    size_t n;
};

static struct span span_of(const char *p, size_t n)
{
    struct span s = {p, n};

    return s;
}

static bool span_is(struct span s, const char *lit)
{
    return s.n == strlen(lit) && memcmp(s.p, lit, s.n) == 0;
}

static int copy_span(char *dst, size_t cap, struct span s, const char *what,
                     struct cd_error *err)
{
    if (s.n > cap)
        return cd_error_set(err, CD_ETOOBIG,
                            "MySQL DSN: %s longer than %zu bytes", what, cap);
    if (memchr(s.p, '\0', s.n) != NULL)
        return cd_error_set(err, CD_EINVAL, "MySQL DSN: NUL in %s", what);
    memcpy(dst, s.p, s.n);
    dst[s.n] = '\0';
    return CD_OK;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* %-decode s into dst (at most cap bytes and a NUL); in a query value '+'
 * is a space, as Go's url.QueryUnescape has it. */
static int unescape(char *dst, size_t cap, struct span s, bool query,
                    const char *what, struct cd_error *err)
{
    size_t len = 0;

    for (size_t i = 0; i < s.n; i++) {
        int c = (unsigned char)s.p[i];

        if (c == '%') {
            int hi = s.n - i > 2 ? hexval(s.p[i + 1]) : -1;
            int lo = s.n - i > 2 ? hexval(s.p[i + 2]) : -1;

            if (hi < 0 || lo < 0)
                return cd_error_set(err, CD_EINVAL,
                                    "MySQL DSN: bad %%-escape in %s", what);
            c = hi * 16 + lo;
            i += 2;
        } else if (c == '+' && query) {
            c = ' ';
        }
        if (c == 0)
            return cd_error_set(err, CD_EINVAL, "MySQL DSN: NUL in %s",
                                what);
        if (len == cap)
            return cd_error_set(err, CD_ETOOBIG,
                                "MySQL DSN: %s longer than %zu bytes", what,
                                cap);
        dst[len++] = (char)c;
    }
    dst[len] = '\0';
    return CD_OK;
}

/* Decimal digits only, value in [lo, hi]. */
static bool parse_uint(const char *s, size_t n, unsigned lo, unsigned hi,
                       unsigned *out)
{
    unsigned long v = 0;

    if (n == 0 || n > 10)
        return false;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (unsigned long)(s[i] - '0');
    }
    if (v < lo || v > hi)
        return false;
    *out = (unsigned)v;
    return true;
}

/* A Go duration of whole units ("30s", "1m30s", "500ms", "2h"), rounded up
 * to seconds, at most MYSQL_DSN_TIMEOUT_MAX. Fractions are refused. */
static bool parse_duration(const char *s, unsigned *out)
{
    static const struct {
        const char *unit;
        unsigned long long ms_num, ms_den; /* milliseconds per unit */
    } units[] = {
        {"ms", 1, 1},   {"us", 1, 1000}, {"ns", 1, 1000000},
        {"h", 3600000, 1}, {"m", 60000, 1}, {"s", 1000, 1},
    };
    unsigned long long total_ns = 0;

    if (*s == '\0')
        return false;
    if (strcmp(s, "0") == 0) {
        *out = 0;
        return true;
    }
    while (*s != '\0') {
        unsigned long long v = 0, ns = 0;
        size_t digits = 0, u;

        while (s[digits] >= '0' && s[digits] <= '9') {
            if (digits == 9)
                return false; /* past any sane timeout */
            v = v * 10 + (unsigned long long)(s[digits] - '0');
            digits++;
        }
        if (digits == 0)
            return false;
        s += digits;
        for (u = 0; u < CD_ARRAY_SIZE(units); u++) {
            size_t ul = strlen(units[u].unit);

            if (strncmp(s, units[u].unit, ul) == 0) {
                /* v < 1e9 and ms_num <= 3.6e6: no overflow here, and
                 * none below once the component is known to be small. */
                unsigned long long ms = v * units[u].ms_num;

                if (ms / units[u].ms_den > MYSQL_DSN_TIMEOUT_MAX * 1000ull)
                    return false;
                ns = ms * 1000000ull / units[u].ms_den;
                s += ul;
                break;
            }
        }
        if (u == CD_ARRAY_SIZE(units))
            return false;
        total_ns += ns;
        if (total_ns > MYSQL_DSN_TIMEOUT_MAX * 1000000000ull)
            return false;
    }
    *out = (unsigned)((total_ns + 999999999ull) / 1000000000ull);
    return true;
}

static int set_timeout(unsigned *dst, const char *key, const char *value,
                       struct cd_error *err)
{
    if (!parse_duration(value, dst))
        return cd_error_set(err, CD_EINVAL,
                            "MySQL DSN: %s='%s' is not a duration of at "
                            "most %d s (like 10s or 500ms)",
                            key, value, MYSQL_DSN_TIMEOUT_MAX);
    return CD_OK;
}

static int set_tls(struct mysql_dsn *d, const char *value,
                   struct cd_error *err)
{
    if (strcmp(value, "true") == 0 || strcmp(value, "1") == 0)
        d->tls = MYSQL_DSN_TLS_VERIFY;
    else if (strcmp(value, "false") == 0 || strcmp(value, "0") == 0)
        d->tls = MYSQL_DSN_TLS_OFF;
    else if (strcmp(value, "skip-verify") == 0)
        d->tls = MYSQL_DSN_TLS_SKIP_VERIFY;
    else if (strcmp(value, "preferred") == 0)
        d->tls = MYSQL_DSN_TLS_PREFERRED;
    else
        return cd_error_set(err, CD_EINVAL,
                            "MySQL DSN: tls='%s' is not one of true, false, "
                            "skip-verify, preferred (named TLS configs are "
                            "Go-only)", value);
    return CD_OK;
}

/* One key=value pair. */
static int parse_param(struct mysql_dsn *d, struct span kv,
                       struct cd_error *err)
{
    const char *eq = memchr(kv.p, '=', kv.n);
    char key[MYSQL_DSN_VALUE_MAX + 1];
    char value[MYSQL_DSN_VALUE_MAX + 1];
    int rc;

    if (eq == NULL || eq == kv.p)
        return cd_error_set(err, CD_EINVAL,
                            "MySQL DSN: parameter without key=value");
    rc = unescape(key, sizeof(key) - 1,
                  span_of(kv.p, (size_t)(eq - kv.p)), true,
                  "a parameter name", err);
    if (rc == CD_OK)
        rc = unescape(value, sizeof(value) - 1,
                      span_of(eq + 1, kv.n - (size_t)(eq + 1 - kv.p)), true,
                      "a parameter value", err);
    if (rc < 0)
        return rc;
    if (strcmp(key, "timeout") == 0)
        return set_timeout(&d->connect_timeout_s, key, value, err);
    if (strcmp(key, "readTimeout") == 0)
        return set_timeout(&d->read_timeout_s, key, value, err);
    if (strcmp(key, "writeTimeout") == 0)
        return set_timeout(&d->write_timeout_s, key, value, err);
    if (strcmp(key, "tls") == 0)
        return set_tls(d, value, err);
    return CD_OK; /* parseTime, loc, charset, ...: see mysql_dsn.h */
}

static int parse_params(struct mysql_dsn *d, struct span q,
                        struct cd_error *err)
{
    size_t count = 0;

    while (q.n > 0) {
        const char *amp = memchr(q.p, '&', q.n);
        size_t len = amp != NULL ? (size_t)(amp - q.p) : q.n;
        int rc;

        if (len > 0) {
            if (++count > MYSQL_DSN_PARAMS_MAX)
                return cd_error_set(err, CD_ETOOBIG,
                                    "MySQL DSN: more than %d parameters",
                                    MYSQL_DSN_PARAMS_MAX);
            rc = parse_param(d, span_of(q.p, len), err);
            if (rc < 0)
                return rc;
        }
        if (amp == NULL)
            break;
        q = span_of(amp + 1, q.n - len - 1);
    }
    return CD_OK;
}

/* "host", "host:port", "[v6]", "[v6]:port", ":port" or "". */
static int parse_tcp_addr(struct mysql_dsn *d, struct span a,
                          struct cd_error *err)
{
    struct span host = a, port = {NULL, 0};
    const char *colon;

    if (a.n > 0 && a.p[0] == '[') {
        const char *close = memchr(a.p, ']', a.n);

        if (close == NULL)
            return cd_error_set(err, CD_EINVAL,
                                "MySQL DSN: '[' without ']' in the address");
        host = span_of(a.p + 1, (size_t)(close - a.p - 1));
        if ((size_t)(close - a.p) + 1 < a.n) {
            if (close[1] != ':')
                return cd_error_set(err, CD_EINVAL,
                                    "MySQL DSN: junk after ']' in the "
                                    "address");
            port = span_of(close + 2, a.n - (size_t)(close - a.p) - 2);
        }
    } else if ((colon = memchr(a.p, ':', a.n)) != NULL) {
        host = span_of(a.p, (size_t)(colon - a.p));
        port = span_of(colon + 1, a.n - host.n - 1);
        if (memchr(port.p, ':', port.n) != NULL)
            return cd_error_set(err, CD_EINVAL,
                                "MySQL DSN: an IPv6 address needs [brackets]");
    }
    if (host.n == 0)
        host = span_of("127.0.0.1", 9);
    d->port = MYSQL_DSN_DEFAULT_PORT;
    if (port.p != NULL && !parse_uint(port.p, port.n, 1, 65535, &d->port))
        return cd_error_set(err, CD_EINVAL,
                            "MySQL DSN: the port is not a number in 1-65535");
    return copy_span(d->host, MYSQL_DSN_HOST_MAX, host, "the host", err);
}

/* [user[:password]@][protocol[(address)]], a = everything before the
 * last '/'. */
static int parse_head(struct mysql_dsn *d, struct span a,
                      struct cd_error *err)
{
    const char *at = NULL, *open;
    struct span net, addr = {NULL, 0};
    int rc;

    for (size_t i = a.n; i > 0; i--) {
        if (a.p[i - 1] == '@') {
            at = a.p + i - 1;
            break;
        }
    }
    if (at != NULL) {
        struct span cred = span_of(a.p, (size_t)(at - a.p));
        const char *colon = memchr(cred.p, ':', cred.n);
        struct span user = cred;

        if (colon != NULL) {
            user.n = (size_t)(colon - cred.p);
            rc = copy_span(d->password, MYSQL_DSN_PASSWORD_MAX,
                           span_of(colon + 1, cred.n - user.n - 1),
                           "the password", err);
            if (rc < 0)
                return rc;
            d->has_password = true;
        }
        rc = copy_span(d->user, MYSQL_DSN_USER_MAX, user, "the user", err);
        if (rc < 0)
            return rc;
        a = span_of(at + 1, a.n - cred.n - 1);
    }
    net = a;
    open = memchr(a.p, '(', a.n);
    if (open != NULL) {
        if (a.p[a.n - 1] != ')')
            return cd_error_set(err, CD_EINVAL,
                                "MySQL DSN: the address must end in ')'");
        net.n = (size_t)(open - a.p);
        addr = span_of(open + 1, a.n - net.n - 2);
    }
    if (net.n == 0 || span_is(net, "tcp"))
        return parse_tcp_addr(d, addr.p != NULL ? addr : span_of("", 0),
                              err);
    if (!span_is(net, "unix"))
        return cd_error_set(err, CD_EINVAL,
                            "MySQL DSN: protocol must be tcp or unix");
    d->unix_socket = true;
    if (addr.p == NULL || addr.n == 0)
        addr = span_of("/tmp/mysql.sock", 15);
    return copy_span(d->socket, MYSQL_DSN_SOCKET_MAX, addr, "the socket path",
                     err);
}

static int parse(struct mysql_dsn *out, const char *s, struct cd_error *err)
{
    size_t len = strnlen(s, MYSQL_DSN_MAX + 1);
    const char *slash = NULL, *q;
    struct span db;
    int rc;

    memset(out, 0, sizeof(*out));
    if (len > MYSQL_DSN_MAX)
        return cd_error_set(err, CD_ETOOBIG,
                            "MySQL DSN longer than %d bytes", MYSQL_DSN_MAX);
    for (size_t i = len; i > 0; i--) {
        if (s[i - 1] == '/') {
            slash = s + i - 1;
            break;
        }
    }
    if (slash == NULL)
        return cd_error_set(err, CD_EINVAL,
                            "MySQL DSN has no '/' before the database name "
                            "(user:password@tcp(host:port)/dbname)");
    rc = parse_head(out, span_of(s, (size_t)(slash - s)), err);
    if (rc < 0)
        return rc;
    q = strchr(slash + 1, '?');
    db = span_of(slash + 1, q != NULL ? (size_t)(q - slash - 1)
                                      : len - (size_t)(slash + 1 - s));
    rc = unescape(out->dbname, MYSQL_DSN_DBNAME_MAX, db, false,
                  "the database name", err);
    if (rc == CD_OK && q != NULL)
        rc = parse_params(out, span_of(q + 1, len - (size_t)(q + 1 - s)),
                          err);
    return rc;
}

int mysql_dsn_parse(struct mysql_dsn *out, const char *s,
                    struct cd_error *err)
{
    int rc = parse(out, s, err);

    if (rc < 0)
        explicit_bzero(out, sizeof(*out)); /* no half-parsed password */
    return rc;
}
