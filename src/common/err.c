/* err.c -- error codes and the optional detail record (see err.h). */
#include "common/common.h"
#include "common/err.h"

#include <stdarg.h>
#include <stdio.h>

const char *cd_strerror(int rc)
{
    switch (rc) {
    case CD_OK:         return "success";
    case CD_ENOMEM:     return "out of memory";
    case CD_EINVAL:     return "invalid argument";
    case CD_ETOOBIG:    return "too large";
    case CD_ENOTFOUND:  return "not found";
    case CD_EAUTH:      return "not authenticated";
    case CD_EAGAIN:     return "try again";
    case CD_EPROTO:     return "malformed input";
    case CD_ESTORE:     return "database error";
    case CD_EIO:        return "input/output error";
    case CD_EEXIST:     return "already exists";
    case CD_EFORBIDDEN: return "forbidden";
    }
    return "unknown error";
}

int cd_error_set(struct cd_error *err, int rc, const char *fmt, ...)
{
    va_list ap;

    if (err == NULL)
        return rc;
    err->rc = rc;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
    va_end(ap);
    return rc;
}
