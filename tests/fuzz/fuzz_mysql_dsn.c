/* fuzz_mysql_dsn.c -- mysql_dsn_parse(), Offen's MySQL DSN, on arbitrary
 * text.
 *
 * The DSN comes from an operator's configuration, but a parser of it must
 * still hold its caps on any input. Checks: the result is CD_OK,
 * CD_EINVAL or CD_ETOOBIG; a failure carries a message that never repeats
 * the password and leaves *out all zero; on success every field is
 * NUL-terminated within its cap, a tcp port is in 1..65535, a unix socket
 * path is non-empty, and timeouts are within MYSQL_DSN_TIMEOUT_MAX; input
 * longer than MYSQL_DSN_MAX is refused.
 */
#include "common/common.h"

#include <string.h>

#include "fuzz.h"
#include "store/mysql_dsn.h"

static bool terminated(const char *s, size_t cap)
{
    return memchr(s, '\0', cap + 1) != NULL;
}

static bool all_zero(const void *p, size_t n)
{
    const unsigned char *b = p;

    for (size_t i = 0; i < n; i++) {
        if (b[i] != 0)
            return false;
    }
    return true;
}

static void check_ok(const struct mysql_dsn *d)
{
    FUZZ_CHECK(terminated(d->user, MYSQL_DSN_USER_MAX));
    FUZZ_CHECK(terminated(d->password, MYSQL_DSN_PASSWORD_MAX));
    FUZZ_CHECK(terminated(d->host, MYSQL_DSN_HOST_MAX));
    FUZZ_CHECK(terminated(d->socket, MYSQL_DSN_SOCKET_MAX));
    FUZZ_CHECK(terminated(d->dbname, MYSQL_DSN_DBNAME_MAX));
    if (d->unix_socket) {
        FUZZ_CHECK(d->socket[0] != '\0');
    } else {
        FUZZ_CHECK(d->host[0] != '\0');
        FUZZ_CHECK(d->port >= 1 && d->port <= 65535);
    }
    FUZZ_CHECK(d->connect_timeout_s <= MYSQL_DSN_TIMEOUT_MAX);
    FUZZ_CHECK(d->read_timeout_s <= MYSQL_DSN_TIMEOUT_MAX);
    FUZZ_CHECK(d->write_timeout_s <= MYSQL_DSN_TIMEOUT_MAX);
    FUZZ_CHECK(d->tls <= MYSQL_DSN_TLS_SKIP_VERIFY);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* an exact-length, NUL-terminated copy: the parser takes a C string */
    char *text = malloc(size + 1);
    struct cd_error err = {0, ""};
    struct mysql_dsn d;
    int rc;

    FUZZ_CHECK(text != NULL);
    if (size)
        memcpy(text, data, size);
    text[size] = '\0';
    rc = mysql_dsn_parse(&d, text, &err);
    FUZZ_CHECK(rc == CD_OK || rc == CD_EINVAL || rc == CD_ETOOBIG);
    if (strlen(text) > MYSQL_DSN_MAX)
        FUZZ_CHECK(rc == CD_ETOOBIG);
    if (rc == CD_OK) {
        check_ok(&d);
    } else {
        FUZZ_CHECK(err.msg[0] != '\0');
        FUZZ_CHECK(all_zero(&d, sizeof(d)));
        /* the message may quote a parameter, never the password */
        if (strncmp(text, "u:SECRETPW@", 11) == 0 &&
            strstr(text + 11, "SECRETPW") == NULL)
            FUZZ_CHECK(strstr(err.msg, "SECRETPW") == NULL);
    }
    free(text);
    return 0;
}
