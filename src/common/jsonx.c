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

/* 1 for a byte that goes out as it is: printable ASCII except '"', '\\'
 * and the '<' '>' '&' that Go escapes. */
#define RAW(c)                                                               \
    ((c) >= 0x20 && (c) < 0x80 && (c) != '"' && (c) != '\\' && (c) != '<' &&  \
     (c) != '>' && (c) != '&')
#define RAW4(c) RAW(c), RAW((c) + 1), RAW((c) + 2), RAW((c) + 3)
#define RAW16(c) RAW4(c), RAW4((c) + 4), RAW4((c) + 8), RAW4((c) + 12)
#define RAW64(c) RAW16(c), RAW16((c) + 16), RAW16((c) + 32), RAW16((c) + 48)
static const unsigned char raw_byte[256] = {
    RAW64(0x00), RAW64(0x40), RAW64(0x80), RAW64(0xC0),
};

/* The end of the run from i on that is copied as it is: raw bytes and
 * valid UTF-8 sequences other than U+2028 and U+2029. *bad is set when the
 * run ends at a byte that is not UTF-8. */
static size_t raw_run(const unsigned char *u, size_t i, size_t n, bool *bad)
{
    for (;;) {
        size_t len;

        while (i < n && raw_byte[u[i]])
            i++;
        if (i == n || u[i] < 0x80)
            return i;
        len = utf8_decode(u + i, n - i, NULL);
        if (len == 0) {
            *bad = true;
            return i;
        }
        if (len == 3 && u[i] == 0xE2 && u[i + 1] == 0x80 &&
            (u[i + 2] == 0xA8 || u[i + 2] == 0xA9))
            return i;
        i += len;
    }
}

/* The escape of the character at u (not raw: an ASCII byte, or U+2028 or
 * U+2029) into esc; its length in the input goes to *in. */
static size_t escape(const unsigned char *u, char esc[7], size_t *in)
{
    static const char hex[] = "0123456789abcdef";
    static const char upper[] = "0123456789ABCDEF";

    *in = 1;
    memcpy(esc, "\\u00", 4);
    if (u[0] == 0xE2) { /* U+2028 or U+2029 */
        *in = 3;
        memcpy(esc, u[2] == 0xA8 ? "\\u2028" : "\\u2029", 6);
        return 6;
    }
    if (u[0] == '"' || u[0] == '\\') {
        esc[1] = (char)u[0];
        return 2;
    }
    if (u[0] == '\b' || u[0] == '\f' || u[0] == '\n' || u[0] == '\r' ||
        u[0] == '\t') {
        esc[1] = u[0] == '\b' ? 'b' : u[0] == '\f' ? 'f'
               : u[0] == '\n' ? 'n' : u[0] == '\r' ? 'r' : 't';
        return 2;
    }
    /* other controls (jansson: upper-case hex) and < > & */
    esc[4] = (u[0] < 0x20 ? upper : hex)[u[0] >> 4];
    esc[5] = (u[0] < 0x20 ? upper : hex)[u[0] & 0xF];
    return 6;
}

int jsonx_add_string(struct buf *b, const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t start = b->len, i = 0;
    bool bad = false;
    int rc = buf_addch(b, '"');

    while (rc == CD_OK && i < n) {
        size_t end = raw_run(u, i, n, &bad), in = 0, outlen;
        char esc[7];

        rc = buf_add(b, s + i, end - i);
        if (rc < 0 || end == n)
            break;
        if (bad) {
            rc = CD_EPROTO;
            break;
        }
        outlen = escape(u + end, esc, &in);
        rc = buf_add(b, esc, outlen);
        i = end + in;
    }
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
