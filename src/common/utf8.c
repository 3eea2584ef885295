/* utf8.c -- strict UTF-8 decoding (see utf8.h). The second byte's range
 * depends on the lead byte (table 3-7), which rules out overlongs,
 * surrogates and code points past U+10FFFF without decoding first. */
#include "common/common.h"
#include "common/utf8.h"

static bool cont(unsigned char c)
{
    return c >= 0x80 && c <= 0xBF;
}

size_t utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
    unsigned c, lo = 0x80, hi = 0xBF;
    size_t len;
    uint32_t v;

    if (n == 0)
        return 0;
    c = s[0];
    if (c < 0x80) {
        len = 1, v = c;
    } else if (c >= 0xC2 && c <= 0xDF) {
        len = 2, v = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3, v = c & 0x0F;
        lo = c == 0xE0 ? 0xA0 : 0x80; /* no overlong */
        hi = c == 0xED ? 0x9F : 0xBF; /* no surrogate */
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4, v = c & 0x07;
        lo = c == 0xF0 ? 0x90 : 0x80; /* no overlong */
        hi = c == 0xF4 ? 0x8F : 0xBF; /* nothing past U+10FFFF */
    } else {
        return 0;
    }
    if (n < len || (len > 1 && (s[1] < lo || s[1] > hi)))
        return 0;
    for (size_t i = 1; i < len; i++) {
        if (!cont(s[i]))
            return 0;
        v = v << 6 | (s[i] & 0x3F);
    }
    if (cp != NULL)
        *cp = v;
    return len;
}
