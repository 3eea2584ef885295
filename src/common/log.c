/* log.c -- logfmt lines on stderr (see log.h). */
#include "common/common.h"
#include "common/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static volatile int log_level = LOG_INFO;

static const char *const level_names[] = {"error", "warn", "info", "debug"};

void log_set_level(enum log_level level)
{
    log_level = level;
}

enum log_level log_get_level(void)
{
    return (enum log_level)log_level;
}

int log_level_parse(const char *s, enum log_level *out)
{
    static const struct {
        const char *name;
        enum log_level level;
    } names[] = {
        {"panic", LOG_ERROR}, {"fatal", LOG_ERROR}, {"error", LOG_ERROR},
        {"warn", LOG_WARN},   {"warning", LOG_WARN}, {"info", LOG_INFO},
        {"debug", LOG_DEBUG}, {"trace", LOG_DEBUG},
    };

    for (size_t i = 0; i < CD_ARRAY_SIZE(names); i++) {
        if (strcmp(s, names[i].name) == 0) {
            *out = names[i].level;
            return CD_OK;
        }
    }
    return CD_EINVAL;
}

void log_msg(enum log_level level, const char *fmt, ...)
{
    char line[2048];
    char msg[1536];
    struct timespec ts;
    struct tm tm;
    size_t n = 0;
    int k;
    va_list ap;

    if ((int)level > log_level)
        return;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    k = snprintf(line, sizeof(line),
                 "time=%04d-%02d-%02dT%02d:%02d:%02dZ level=%s msg=\"",
                 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                 tm.tm_min, tm.tm_sec, level_names[level]);
    n = (size_t)k;
    /* Escape quotes, backslashes and control bytes: one message, one line. */
    for (const char *p = msg; *p && n < sizeof(line) - 8; p++) {
        unsigned char c = (unsigned char)*p;

        if (c == '"' || c == '\\') {
            line[n++] = '\\';
            line[n++] = (char)c;
        } else if (c < 0x20) {
            n += (size_t)snprintf(line + n, sizeof(line) - n, "\\x%02x", c);
        } else {
            line[n++] = (char)c;
        }
    }
    line[n++] = '"';
    line[n++] = '\n';
    if (write(STDERR_FILENO, line, n) < 0)
        return; /* nowhere left to report it */
}
