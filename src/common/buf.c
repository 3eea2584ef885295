/* buf.c -- capped growable buffer (see buf.h for the invariants). */
#include "common/common.h"
#include "common/buf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/xalloc.h"

char buf_empty[1];

void buf_init(struct buf *b, size_t max)
{
    b->ptr = buf_empty;
    b->len = 0;
    b->cap = 0;
    b->max = max;
}

/* Make room for n more bytes plus the NUL; CD_ETOOBIG past max. */
static int buf_grow(struct buf *b, size_t n)
{
    size_t cap;

    if (n >= b->max - b->len)
        return CD_ETOOBIG;
    if (b->len + n + 1 <= b->cap)
        return CD_OK;
    cap = b->cap ? b->cap : 64;
    while (cap < b->len + n + 1)
        cap *= 2;
    if (cap > b->max)
        cap = b->max;
    b->ptr = xrealloc(b->cap ? b->ptr : NULL, cap);
    if (b->cap == 0)
        b->ptr[0] = '\0';
    b->cap = cap;
    return CD_OK;
}

int buf_add(struct buf *b, const void *p, size_t n)
{
    int rc;

    if (n == 0)
        return CD_OK;
    rc = buf_grow(b, n);
    if (rc < 0)
        return rc;
    memcpy(b->ptr + b->len, p, n);
    b->len += n;
    b->ptr[b->len] = '\0';
    return CD_OK;
}

int buf_adds(struct buf *b, const char *s)
{
    return buf_add(b, s, strlen(s));
}

int buf_addch(struct buf *b, char c)
{
    return buf_add(b, &c, 1);
}

int buf_vaddf(struct buf *b, const char *fmt, va_list ap)
{
    va_list cp;
    int n;
    int rc;

    va_copy(cp, ap);
    n = vsnprintf(NULL, 0, fmt, cp);
    va_end(cp);
    if (n < 0)
        return CD_EINVAL;
    if (n == 0)
        return CD_OK;
    rc = buf_grow(b, (size_t)n);
    if (rc < 0)
        return rc;
    vsnprintf(b->ptr + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
    return CD_OK;
}

int buf_addf(struct buf *b, const char *fmt, ...)
{
    va_list ap;
    int rc;

    va_start(ap, fmt);
    rc = buf_vaddf(b, fmt, ap);
    va_end(ap);
    return rc;
}

int buf_read_file(struct buf *b, const char *path)
{
    char chunk[8192];
    int fd;
    int rc = CD_EIO;

    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return CD_EIO;
    for (;;) {
        ssize_t n = read(fd, chunk, sizeof(chunk));

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            goto out;
        if (n == 0)
            break;
        rc = buf_add(b, chunk, (size_t)n);
        if (rc < 0)
            goto out;
    }
    rc = CD_OK;
out:
    if (rc == CD_EIO) {
        int saved = errno;

        close(fd);
        errno = saved;
    } else {
        close(fd);
    }
    return rc;
}

void buf_reset(struct buf *b)
{
    b->len = 0;
    if (b->cap)
        b->ptr[0] = '\0';
}

void buf_release(struct buf *b)
{
    if (b->cap)
        free(b->ptr);
    b->ptr = buf_empty;
    b->len = 0;
    b->cap = 0;
}

char *buf_detach(struct buf *b, size_t *len)
{
    char *p = b->cap ? b->ptr : xstrdup("");

    if (len)
        *len = b->len;
    b->ptr = buf_empty;
    b->len = 0;
    b->cap = 0;
    return p;
}
