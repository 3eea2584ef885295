/* err.h -- one error convention for the whole server.
 *
 * A fallible function returns int: CD_OK (0) or a negative CD_E* code, and is
 * marked CD_MUST_CHECK. An optional struct cd_error carries the human-readable
 * detail; callers that do not care pass NULL. Each API handler maps codes
 * to HTTP statuses itself, because the same code means different statuses
 * on different routes (an unknown account is 400 on /api/exchange, as in
 * Offen, and 404 on /api/events).
 */
#ifndef CD_COMMON_ERR_H
#define CD_COMMON_ERR_H

enum cd_rc {
    CD_OK = 0,
    CD_ENOMEM = -1,    /* allocation failed (only where we do not abort) */
    CD_EINVAL = -2,    /* bad caller input                   -> 400 */
    CD_ETOOBIG = -3,   /* a cap was exceeded                 -> 413 */
    CD_ENOTFOUND = -4, /* no such thing                      -> 404 */
    CD_EAUTH = -5,     /* not authenticated                  -> 401 */
    CD_EAGAIN = -6,    /* try again later / need more input  */
    CD_EPROTO = -7,    /* malformed data                     -> 400 */
    CD_ESTORE = -8,    /* database failure                   -> 503 */
    CD_EIO = -9,       /* file or socket I/O failed          */
    CD_EEXIST = -10,   /* already exists                     -> 409 */
    CD_EFORBIDDEN = -11, /* authenticated but not allowed    -> 403 */
};

#define CD_MUST_CHECK __attribute__((warn_unused_result))

struct cd_error {
    int rc;         /* the code passed to the last cd_error_set() */
    char msg[256];  /* NUL-terminated detail, "" when none */
};

/* Static English name of a code ("invalid argument"); never NULL. */
const char *cd_strerror(int rc);

/* Record a printf-style message in *err (if err is non-NULL) and return rc,
 * so callers write  return cd_error_set(err, CD_EINVAL, "bad port '%s'", s); */
int cd_error_set(struct cd_error *err, int rc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif /* CD_COMMON_ERR_H */
