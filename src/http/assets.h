/* assets.h -- the files of web/, compiled into the binary.
 *
 * At build time tools/embed.c turns every file under web/ into one entry of
 * assets_table[] in the generated assets.c (see docs/internals/assets.md):
 * the bytes, a gzip -9 variant when it pays, the content type and strong
 * ETags. Everything here is read-only data with process lifetime: pointers
 * are never freed, and any thread may read them without locking.
 */
#ifndef CD_HTTP_ASSETS_H
#define CD_HTTP_ASSETS_H

#include <stddef.h>

struct asset {
    const char *path;         /* URL path, e.g. "/index.html", "/robots.txt" */
    const char *content_type; /* e.g. "text/html; charset=utf-8" */
    const unsigned char *data; /* the file's bytes, not NUL-terminated */
    size_t len;                /* bytes in data */
    /* gzip -9 variant (mtime 0), or NULL/0 when it would not be smaller by
     * at least 5%, or for already-compressed types (png, jpg, woff, woff2,
     * gz). */
    const unsigned char *gz;
    size_t gz_len;
    const char *etag;    /* strong ETag, quoted: "\"<32 hex>\"", the first
                          * 32 hex digits of sha256(data) */
    const char *etag_gz; /* strong ETag of the gzip variant, "\"<32 hex>-gz\""
                          * (different bytes need a different strong ETag);
                          * always set, meaningful only when gz != NULL */
};

/* Sorted by path in strcmp() order; paths are unique. */
extern const struct asset assets_table[];
extern const size_t assets_count;

/* Find an asset by exact URL path path[0..len), which need not be
 * NUL-terminated. Case-sensitive; no normalisation ("/", "/index.html/" and
 * "/x/../index.html" are all misses). Returns NULL when there is no such
 * asset, or when path is NULL. Binary search: O(log assets_count). */
const struct asset *assets_find(const char *path, size_t len);

#endif /* CD_HTTP_ASSETS_H */
