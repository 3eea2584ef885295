/* jsonx.c -- Go-compatible JSON output, strict input (see jsonx.h). */
#include "common/common.h"
#include "common/jsonx.h"

#include <stdlib.h>
#include <string.h>

#include "common/utf8.h"
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

int jsonx_add_string(struct buf *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *u = (const unsigned char *)s;
    size_t start = b->len, i = 0, run = 0;
    int rc = buf_addch(b, '"');

    while (rc == CD_OK && i < n) {
        size_t len = u[i] < 0x80 ? 1 : utf8_decode(u + i, n - i, NULL);
        char esc[7] = "\\u00";
        const char *out = esc;
        size_t outlen = 2;

        if (len == 0) {
            rc = CD_EPROTO;
            break;
        }
        if (len == 3 && u[i] == 0xE2 && u[i + 1] == 0x80 &&
            (u[i + 2] == 0xA8 || u[i + 2] == 0xA9)) {
            out = u[i + 2] == 0xA8 ? "\\u2028" : "\\u2029";
            outlen = 6;
        } else if (len > 1 || (u[i] >= 0x20 && u[i] != '"' && u[i] != '\\' &&
                               u[i] != '<' && u[i] != '>' && u[i] != '&')) {
            i += len, run += len; /* plain: copied in runs */
            continue;
        } else if (u[i] == '"' || u[i] == '\\') {
            esc[1] = (char)u[i];
        } else if (u[i] == '\b' || u[i] == '\f' || u[i] == '\n' ||
                   u[i] == '\r' || u[i] == '\t') {
            esc[1] = u[i] == '\b' ? 'b' : u[i] == '\f' ? 'f'
                   : u[i] == '\n' ? 'n' : u[i] == '\r' ? 'r' : 't';
        } else { /* other controls (jansson: upper-case hex) and < > & */
            static const char upper[] = "0123456789ABCDEF";
            const char *digits = u[i] < 0x20 ? upper : hex;

            esc[4] = digits[u[i] >> 4];
            esc[5] = digits[u[i] & 0xF];
            outlen = 6;
        }
        rc = buf_add(b, s + i - run, run);
        if (rc == CD_OK)
            rc = buf_add(b, out, outlen);
        i += len;
        run = 0;
    }
    if (rc == CD_OK)
        rc = buf_add(b, s + i - run, run);
    if (rc == CD_OK)
        rc = buf_addch(b, '"');
    if (rc < 0) {
        b->len = start;
        b->ptr[start] = '\0';
    }
    return rc;
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
