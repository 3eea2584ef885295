/* jsonx.c -- Go-compatible JSON output, strict input (see jsonx.h). */
#include "common/common.h"
#include "common/jsonx.h"

#include <stdlib.h>
#include <string.h>

#include "common/xalloc.h"

/* Bytes jansson leaves raw that Go escapes: '<' '>' '&', and the UTF-8
 * encodings of U+2028 and U+2029 (E2 80 A8 / E2 80 A9). Outside strings
 * none of them can occur in JSON, so a byte scan is exact. */
static size_t extra_len(const char *s, size_t n)
{
    size_t extra = 0;

    for (size_t i = 0; i < n; i++) {
        if (s[i] == '<' || s[i] == '>' || s[i] == '&')
            extra += 5;
        else if ((unsigned char)s[i] == 0xE2 && i + 2 < n &&
                 (unsigned char)s[i + 1] == 0x80 &&
                 ((unsigned char)s[i + 2] == 0xA8 ||
                  (unsigned char)s[i + 2] == 0xA9))
            extra += 3;
    }
    return extra;
}

char *jsonx_dump(const json_t *v, size_t *len)
{
    static const char hex[] = "0123456789abcdef";
    char *raw;
    char *out;
    size_t n, extra, j = 0;

    if (v == NULL) {
        *len = 4;
        return xstrdup("null");
    }
    raw = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
    if (raw == NULL)
        abort(); /* only on allocation failure */
    n = strlen(raw);
    extra = extra_len(raw, n);
    if (extra == 0) {
        *len = n;
        return raw;
    }
    out = xmalloc(n + extra + 1);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)raw[i];
        unsigned cp = 0;

        if (c == '<' || c == '>' || c == '&') {
            cp = c;
        } else if (c == 0xE2 && i + 2 < n &&
                   (unsigned char)raw[i + 1] == 0x80 &&
                   ((unsigned char)raw[i + 2] == 0xA8 ||
                    (unsigned char)raw[i + 2] == 0xA9)) {
            cp = (unsigned char)raw[i + 2] == 0xA8 ? 0x2028 : 0x2029;
            i += 2;
        } else {
            out[j++] = (char)c;
            continue;
        }
        memcpy(out + j, "\\u", 2);
        out[j + 2] = hex[(cp >> 12) & 0xF];
        out[j + 3] = hex[(cp >> 8) & 0xF];
        out[j + 4] = hex[(cp >> 4) & 0xF];
        out[j + 5] = hex[cp & 0xF];
        j += 6;
    }
    out[j] = '\0';
    free(raw);
    *len = j;
    return out;
}

int jsonx_parse(const char *buf, size_t len, json_t **out,
                struct cd_error *err)
{
    json_error_t je;

    *out = json_loadb(buf, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY,
                      &je);
    if (*out == NULL)
        return cd_error_set(err, CD_EPROTO, "invalid JSON at position %d: %s",
                            je.position, je.text);
    return CD_OK;
}

json_t *jsonx_error(const char *msg, int status)
{
    json_t *v = json_pack("{s:s,s:i}", "error", msg, "status", status);

    if (v == NULL)
        v = json_pack("{s:s,s:i}", "error", "request failed", "status",
                      status);
    if (v == NULL)
        abort(); /* only on allocation failure */
    return v;
}
