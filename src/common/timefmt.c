/* timefmt.c -- Go-compatible RFC 3339 times (see timefmt.h). */
#include "common/common.h"
#include "common/timefmt.h"

#include <stdio.h>
#include <time.h>

void timefmt_rfc3339(int64_t ms, char out[TIMEFMT_RFC3339_SIZE])
{
    int64_t secs = ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000);
    int frac = (int)(ms - secs * 1000);
    time_t t = (time_t)secs;
    struct tm tm;
    int n;

    gmtime_r(&t, &tm);
    n = snprintf(out, TIMEFMT_RFC3339_SIZE, "%04d-%02d-%02dT%02d:%02d:%02d",
                 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                 tm.tm_min, tm.tm_sec);
    if (frac != 0) {
        int digits = 3;

        while (frac % 10 == 0) {
            frac /= 10;
            digits--;
        }
        n += snprintf(out + n, (size_t)(TIMEFMT_RFC3339_SIZE - n), ".%0*d",
                      digits, frac);
    }
    snprintf(out + n, (size_t)(TIMEFMT_RFC3339_SIZE - n), "Z");
}

int64_t timefmt_now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t timefmt_mono_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t timefmt_now_s(void)
{
    return timefmt_now_ms() / 1000;
}
