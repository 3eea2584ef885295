/* assets.c -- lookup in the embedded asset table (see assets.h).
 *
 * The table itself is generated into the build directory by tools/embed.c;
 * this file only searches it. Lookups compare the request path as a counted
 * byte string against the table's NUL-terminated paths, in the same order
 * as strcmp(), so a request path that contains a NUL byte or runs past an
 * entry's end never matches it.
 */
#include "common/common.h"
#include "http/assets.h"

#include <string.h>

/* Compare path[0..len) with the NUL-terminated s, in strcmp() order. */
static int assets_cmp(const char *path, size_t len, const char *s)
{
    size_t n = strlen(s);
    int c = memcmp(path, s, len < n ? len : n);

    if (c != 0)
        return c;
    return (len > n) - (len < n);
}

const struct asset *assets_find(const char *path, size_t len)
{
    size_t lo = 0;
    size_t hi = assets_count;

    if (path == NULL)
        return NULL;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = assets_cmp(path, len, assets_table[mid].path);

        if (c == 0)
            return &assets_table[mid];
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return NULL;
}
