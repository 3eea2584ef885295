/* buf.h -- a growable byte buffer with a mandatory hard cap.
 *
 * Invariants: ptr is never NULL and always NUL-terminated; len < max; a
 * buffer that never grew points at the shared buf_empty and owns nothing.
 * Only buf_detach() hands ownership of ptr to the caller (free() it).
 * Every append fails with CD_ETOOBIG instead of growing past max, and leaves
 * the buffer untouched when it fails: hostile input cannot grow us further.
 */
#ifndef CD_COMMON_BUF_H
#define CD_COMMON_BUF_H

#include <stdarg.h>
#include <stddef.h>

#include "common/err.h"

struct buf {
    char *ptr;
    size_t len; /* bytes used, excluding the NUL */
    size_t cap; /* bytes allocated; 0 means ptr is buf_empty */
    size_t max; /* hard cap: len + 1 never exceeds it */
};

extern char buf_empty[1];
#define BUF_INIT(max_) { .ptr = buf_empty, .len = 0, .cap = 0, .max = (max_) }

void buf_init(struct buf *b, size_t max);
int buf_add(struct buf *b, const void *p, size_t n) CD_MUST_CHECK;
int buf_adds(struct buf *b, const char *s) CD_MUST_CHECK;
int buf_addch(struct buf *b, char c) CD_MUST_CHECK;
int buf_addf(struct buf *b, const char *fmt, ...) CD_MUST_CHECK
    __attribute__((format(printf, 2, 3)));
int buf_vaddf(struct buf *b, const char *fmt, va_list ap) CD_MUST_CHECK
    __attribute__((format(printf, 2, 0)));
/* Read a whole file; CD_ETOOBIG if it does not fit under max, CD_EIO if it
 * cannot be read (errno is kept). */
int buf_read_file(struct buf *b, const char *path) CD_MUST_CHECK;
void buf_reset(struct buf *b);                /* len = 0, keep memory */
void buf_release(struct buf *b);              /* free; back to BUF_INIT */
char *buf_detach(struct buf *b, size_t *len); /* caller frees the result */

#endif /* CD_COMMON_BUF_H */
