/* xalloc.h -- allocation that cannot fail.
 *
 * A failed small allocation means the process cannot do anything useful, so
 * these abort with a message instead of returning NULL (as git, h2o and Redis
 * do). Sizes that come from untrusted input must be capped *before* they reach
 * these functions; the caps, not these wrappers, are the memory-safety line.
 */
#ifndef CD_COMMON_XALLOC_H
#define CD_COMMON_XALLOC_H

#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t n);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);  /* copies at most n bytes, adds NUL */

#endif /* CD_COMMON_XALLOC_H */
