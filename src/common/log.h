/* log.h -- the server's diagnostic log, on stderr.
 *
 * One line per message in logfmt: time=... level=... msg="...". Messages
 * never carry IP addresses, user agents or secrets: Candor's privacy promise
 * covers its own logs. The access log is separate (http/access_log.h) and
 * goes to stdout. Thread-safe: each line is written with one write(2).
 */
#ifndef CD_COMMON_LOG_H
#define CD_COMMON_LOG_H

enum log_level {
    LOG_ERROR = 0,
    LOG_WARN = 1,
    LOG_INFO = 2,
    LOG_DEBUG = 3,
};

/* Messages above this level are dropped; LOG_INFO until set. */
void log_set_level(enum log_level level);
enum log_level log_get_level(void);
/* Parse Offen's level names (panic fatal error warn warning info debug
 * trace); returns CD_OK or CD_EINVAL. */
int log_level_parse(const char *s, enum log_level *out);

void log_msg(enum log_level level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARN, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)

#endif /* CD_COMMON_LOG_H */
