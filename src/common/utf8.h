/* utf8.h -- strict UTF-8: one checker for every module.
 *
 * Well-formed means Unicode's table 3-7 (as jansson and Go's encoding/json
 * check): no overlong forms, no surrogates (U+D800..U+DFFF), nothing past
 * U+10FFFF, no truncated sequence, no stray continuation byte. Stateless
 * and thread-safe.
 */
#ifndef CD_COMMON_UTF8_H
#define CD_COMMON_UTF8_H

#include <stddef.h>
#include <stdint.h>

/* Length (1 to 4) of the well-formed sequence at s[0..n), or 0 if it is not
 * one (or n is 0). When cp is not NULL it receives the code point. */
size_t utf8_decode(const unsigned char *s, size_t n, uint32_t *cp);

#endif /* CD_COMMON_UTF8_H */
