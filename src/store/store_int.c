/* store_int.c -- helpers shared by accounts.c and users.c.
 *
 * The transaction wrapper the management writes use, string helpers for
 * rows of text, and Offen's timestamps: accounts.created is the only
 * typed value the store interprets. Offen 1.4 on SQLite stores it as the
 * text Go's driver writes ("2024-05-01 10:00:00.123456789+02:00", local
 * time); we read every form Offen's drivers produce and write Offen's
 * SQLite form in UTC. The calendar arithmetic is done here (proleptic
 * Gregorian, days from 1970-01-01), not with gmtime()/timegm(), so that
 * it does not depend on the C library's range or the TZ variable.
 *
 * The reconnect backoff both server backends share lives here too.
 *
 * Threading: no state; the functions are safe on any thread.
 */
#include "common/common.h"
#include "store/store_int.h"

#include <stdio.h>
#include <time.h>

#include "common/xalloc.h"
#include "store/store.h"
#include "store/store_backend.h"

const struct store_accounts_sql *store_sql(struct store *st)
{
    return st->backend->accounts;
}

const char *store_str(const char *s)
{
    return s != NULL ? s : "";
}

char *store_col_dup(const char *col)
{
    return xstrdup(col != NULL ? col : "");
}

int store_wrap_error(struct cd_error *err, int rc, const char *what)
{
    char msg[sizeof(err->msg)];

    if (err == NULL)
        return rc;
    snprintf(msg, sizeof(msg), "%s", err->msg);
    return cd_error_set(err, rc, "%s: %s", what, msg);
}

int store_tx(struct store *st, store_tx_fn *fn, const void *arg,
             struct cd_error *err)
{
    int rc = store_begin(st, err);

    if (rc < 0)
        return rc;
    rc = fn(st, arg, err);
    if (rc == CD_OK)
        return store_commit(st, err); /* rolls back if it fails */
    store_rollback(st, NULL);
    return rc;
}

/* ---- reconnect backoff ------------------------------------------------ */

struct timespec store_backoff_now(void)
{
    struct timespec now;

    clock_gettime(CLOCK_MONOTONIC, &now);
    return now;
}

bool store_backoff_blocked(const struct store_backoff *b,
                           const struct timespec *now)
{
    if (b->ms == 0)
        return false;
    return now->tv_sec < b->retry_at.tv_sec ||
           (now->tv_sec == b->retry_at.tv_sec &&
            now->tv_nsec < b->retry_at.tv_nsec);
}

void store_backoff_failed(struct store_backoff *b, const struct timespec *now)
{
    b->ms = b->ms == 0 ? STORE_BACKOFF_MIN_MS : b->ms * 2;
    if (b->ms > STORE_BACKOFF_MAX_MS)
        b->ms = STORE_BACKOFF_MAX_MS;
    b->retry_at.tv_sec = now->tv_sec + b->ms / 1000;
    b->retry_at.tv_nsec = now->tv_nsec + (b->ms % 1000) * 1000000L;
    if (b->retry_at.tv_nsec >= 1000000000L) {
        b->retry_at.tv_sec++;
        b->retry_at.tv_nsec -= 1000000000L;
    }
}

void store_backoff_ok(struct store_backoff *b)
{
    b->ms = 0;
}

/* ---- timestamps ------------------------------------------------------- */

#define MS_PER_DAY INT64_C(86400000)

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Exactly n digits at s. */
static bool digits(const char *s, int n, int *out)
{
    int v = 0;

    for (int i = 0; i < n; i++) {
        if (!is_digit(s[i]))
            return false;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
}

static bool leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int y, int m)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30,
                                 31, 31, 30, 31, 30, 31};

    return m == 2 && leap(y) ? 29 : days[m - 1];
}

/* Days since 1970-01-01 of a proleptic Gregorian date (eras of 400 years,
 * counted from March, so that the leap day ends a year). */
static int64_t days_from_civil(int y, int m, int d)
{
    int64_t era, yoe, doy, doe;

    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = y - era * 400;
    doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* The inverse. */
static void civil_from_days(int64_t z, int *y, int *m, int *d)
{
    int64_t era, doe, yoe, doy, mp;

    z += 719468;
    era = (z >= 0 ? z : z - 146096) / 146097;
    doe = z - era * 146097;
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*m <= 2));
}

/* "[ T]HH:MM[:SS[.f...]]" at *p; advances *p. */
static bool parse_clock(const char **p, int *h, int *mi, int *sec, int *ms)
{
    const char *s = *p;
    int scale = 100;

    if (!digits(s, 2, h) || s[2] != ':' || !digits(s + 3, 2, mi))
        return false;
    s += 5;
    if (*s == ':') {
        if (!digits(s + 1, 2, sec))
            return false;
        s += 3;
        if (*s == '.') {
            if (!is_digit(s[1]))
                return false;
            for (s++; is_digit(*s); s++, scale /= 10)
                *ms += (*s - '0') * scale; /* scale reaches 0: dropped */
        }
    }
    *p = s;
    return *h < 24 && *mi < 60 && *sec < 60;
}

/* "", "Z", or "+hh", "+hhmm", "+hh:mm" (or '-'): the offset in minutes. */
static bool parse_zone(const char *s, int *minutes)
{
    int sign, oh = 0, om = 0;

    *minutes = 0;
    if (*s == '\0')
        return true;
    if (*s == 'Z' || *s == 'z')
        return s[1] == '\0';
    if (*s != '+' && *s != '-')
        return false;
    sign = *s == '-' ? -1 : 1;
    if (!digits(s + 1, 2, &oh))
        return false;
    s += 3;
    if (*s == ':')
        s++;
    if (*s != '\0') {
        if (!digits(s, 2, &om) || s[2] != '\0')
            return false;
    }
    *minutes = sign * (oh * 60 + om);
    return oh < 24 && om < 60;
}

int store_time_parse(const char *s, int64_t *ms)
{
    int y, mo, d, h = 0, mi = 0, sec = 0, frac = 0, zone = 0;
    const char *p = s;
    int64_t days;

    *ms = 0;
    if (s == NULL || !digits(p, 4, &y) || p[4] != '-' ||
        !digits(p + 5, 2, &mo) || p[7] != '-' || !digits(p + 8, 2, &d))
        return CD_EPROTO;
    if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo))
        return CD_EPROTO;
    p += 10;
    if (*p == ' ' || *p == 'T' || *p == 't') {
        p++;
        if (!parse_clock(&p, &h, &mi, &sec, &frac))
            return CD_EPROTO;
    }
    if (!parse_zone(p, &zone))
        return CD_EPROTO;
    days = days_from_civil(y, mo, d);
    *ms = days * MS_PER_DAY +
          ((int64_t)h * 3600 + mi * 60 + sec - (int64_t)zone * 60) * 1000 +
          frac;
    return CD_OK;
}

int store_time_format(int64_t ms, char out[STORE_TIME_TEXT_SIZE])
{
    /* 0000-01-01 and 10000-01-01: four-digit years. */
    static const int64_t lo = INT64_C(-62167219200000);
    static const int64_t hi = INT64_C(253402300800000);
    int64_t days, rem;
    int y, m, d;

    out[0] = '\0';
    if (ms < lo || ms >= hi)
        return CD_EINVAL;
    days = ms / MS_PER_DAY;
    rem = ms % MS_PER_DAY;
    if (rem < 0) {
        rem += MS_PER_DAY;
        days--;
    }
    civil_from_days(days, &y, &m, &d);
    snprintf(out, STORE_TIME_TEXT_SIZE,
             "%04d-%02d-%02d %02d:%02d:%02d.%03d000000+00:00", y, m, d,
             (int)(rem / 3600000), (int)(rem / 60000 % 60),
             (int)(rem / 1000 % 60), (int)(rem % 1000));
    return CD_OK;
}
