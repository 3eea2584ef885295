/* sanitize.c -- account names to plain text (see sanitize.h).
 *
 * A tokenizer that finds where tags, comments and raw-text elements begin
 * and end the way golang.org/x/net/html does (the tokenizer behind Offen's
 * bluemonday): '<' starts markup only before a letter, '/', '!' or '?';
 * quoted attribute values may hold '>'; a tag cut off by the end of the
 * input is dropped with everything after it; after a raw-text start tag
 * (script, style, ...) everything up to the matching end tag is content.
 * Text between markup is decoded (character references), filtered ('<' and
 * control characters) and appended to the result; the contents of the
 * elements in skipped[] are dropped, counting nesting as bluemonday does.
 *
 * Simplification, on purpose: script content ends at the first "</script"
 * (x/net/html also knows the "<!--<script>" escape states). Script content
 * is dropped either way, so this only moves where dropping stops.
 *
 * The result is built in a struct buf capped at the input length: decoding
 * and filtering never make text longer.
 */
#include "common/common.h"

#include "api/sanitize.h"

#include <strings.h>

#include "common/buf.h"
#include "common/utf8.h"
#include "common/xalloc.h"

struct san {
    const char *s;   /* input, s[0..len) */
    size_t len;
    size_t pos;      /* next byte to tokenize */
    unsigned skip;   /* open elements whose text is dropped */
    struct buf out;  /* the plain text so far */
};

/* Where a tag ends and what it is called. */
struct tag {
    const char *name;
    size_t name_len;
    size_t end;        /* index just past its '>' */
    bool self_closing; /* the byte before '>' is '/' */
};

/* Elements x/net/html reads as raw text: nothing inside is markup. */
static const char *const raw_text[] = {
    "iframe", "noembed", "noframes", "noscript", "plaintext", "script",
    "style", "textarea", "title", "xmp",
};

/* Other elements whose content is dropped: bluemonday's object, frameset
 * and nostyle, and template. */
static const char *const skipped[] = {
    "template", "object", "frameset", "nostyle",
};

struct entity {
    const char *name;
    uint32_t cp;
    bool legacy; /* also recognised without ';', as a prefix */
};

static const struct entity entities[] = {
    { "amp", '&', true }, { "AMP", '&', true }, { "lt", '<', true },
    { "LT", '<', true },  { "gt", '>', true },  { "GT", '>', true },
    { "quot", '"', true }, { "QUOT", '"', true }, { "apos", '\'', false },
    { "nbsp", 0xa0, true },
};

/* What &#128; .. &#159; mean (Windows-1252), as the HTML standard says. */
static const uint16_t c1_replacement[32] = {
    0x20ac, 0x0081, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021,
    0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008d, 0x017d, 0x008f,
    0x0090, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014,
    0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0x009d, 0x017e, 0x0178,
};

static bool is_alpha(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_digit(int c) { return c >= '0' && c <= '9'; }

static int hex_value(int c)
{
    if (is_digit(c))
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static bool is_html_ws(int c)
{
    return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\f';
}

static bool utf8_valid(const char *s, size_t n)
{
    uint32_t cp;

    for (size_t i = 0; i < n;) {
        size_t k = utf8_decode((const unsigned char *)s + i, n - i, &cp);

        if (k == 0)
            return false;
        i += k;
    }
    return true;
}

static size_t utf8_encode(uint32_t cp, char out[4])
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xc0 | cp >> 6);
        out[1] = (char)(0x80 | (cp & 0x3f));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xe0 | cp >> 12);
        out[1] = (char)(0x80 | (cp >> 6 & 0x3f));
        out[2] = (char)(0x80 | (cp & 0x3f));
        return 3;
    }
    out[0] = (char)(0xf0 | cp >> 18);
    out[1] = (char)(0x80 | (cp >> 12 & 0x3f));
    out[2] = (char)(0x80 | (cp >> 6 & 0x3f));
    out[3] = (char)(0x80 | (cp & 0x3f));
    return 4;
}

/* Append one character of text: '<' and control characters are dropped,
 * line breaks and tabs become spaces. */
static int put_cp(struct san *z, uint32_t cp)
{
    char enc[4];

    if (cp == '<')
        return CD_OK;
    if (cp == '\t' || cp == '\n' || cp == '\r' || cp == '\f' || cp == '\v')
        cp = ' ';
    else if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f))
        return CD_OK;
    return buf_add(&z->out, enc, utf8_encode(cp, enc));
}

/* A numeric reference at p[0..n) = "&#..."; returns the bytes it used, or
 * 0 if it has no digits (then it is text). */
static size_t numeric_ref(const char *p, size_t n, uint32_t *cp)
{
    bool hex = n > 2 && (p[2] == 'x' || p[2] == 'X');
    size_t i = hex ? 3 : 2, start = i;
    uint32_t v = 0;

    for (; i < n; i++) {
        int d = hex ? hex_value((unsigned char)p[i])
                    : (is_digit(p[i]) ? p[i] - '0' : -1);

        if (d < 0)
            break;
        if (v <= 0x10ffff) /* saturate: the value is invalid already */
            v = v * (hex ? 16 : 10) + (uint32_t)d;
    }
    if (i == start)
        return 0;
    if (i < n && p[i] == ';')
        i++;
    if (v >= 0x80 && v <= 0x9f)
        v = c1_replacement[v - 0x80];
    else if (v == 0 || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
        v = 0xfffd;
    *cp = v;
    return i;
}

/* A named reference at p[0..n) = "&..."; returns the bytes it used, or 0
 * if it is not one we know (then it is text). Like Go's html package, a
 * legacy name is also recognised without ';' and as a prefix ("&ltx"). */
static size_t named_ref(const char *p, size_t n, uint32_t *cp)
{
    size_t run = 1;

    while (run < n && (is_alpha(p[run]) || is_digit(p[run])))
        run++;
    run--; /* the name's length, without the '&' */
    for (size_t i = 0; i < CD_ARRAY_SIZE(entities); i++) {
        size_t k = strlen(entities[i].name);

        if (run == k && 1 + k < n && p[1 + k] == ';' &&
            memcmp(p + 1, entities[i].name, k) == 0) {
            *cp = entities[i].cp;
            return k + 2;
        }
    }
    for (size_t i = 0; i < CD_ARRAY_SIZE(entities); i++) {
        size_t k = strlen(entities[i].name);

        if (entities[i].legacy && run >= k &&
            memcmp(p + 1, entities[i].name, k) == 0) {
            *cp = entities[i].cp;
            return k + 1;
        }
    }
    return 0;
}

/* Decode and append the text p[0..n), unless inside a skipped element. */
static int emit_text(struct san *z, const char *p, size_t n)
{
    int rc = CD_OK;

    if (z->skip > 0)
        return CD_OK;
    for (size_t i = 0; i < n && rc == CD_OK;) {
        uint32_t cp = 0;
        size_t used = 0;

        if (p[i] == '&' && i + 1 < n)
            used = p[i + 1] == '#' ? numeric_ref(p + i, n - i, &cp)
                                   : named_ref(p + i, n - i, &cp);
        if (used == 0) /* valid UTF-8 was checked first: never 0 here */
            used = utf8_decode((const unsigned char *)p + i, n - i, &cp);
        rc = put_cp(z, cp);
        i += used;
    }
    return rc;
}

static bool name_in(const char *name, size_t n, const char *const *set,
                    size_t count)
{
    for (size_t i = 0; i < count; i++)
        if (strlen(set[i]) == n && strncasecmp(name, set[i], n) == 0)
            return true;
    return false;
}

static size_t skip_html_ws(const char *s, size_t i, size_t n)
{
    while (i < n && is_html_ws((unsigned char)s[i]))
        i++;
    return i;
}

/* One attribute name at s[i], as x/net/html reads it; returns where the
 * attribute's value (if any) may start. */
static size_t attr_key(const char *s, size_t i, size_t n)
{
    for (size_t start = i; i < n; i++) {
        if (is_html_ws((unsigned char)s[i]) || s[i] == '/')
            return i + 1;
        if (s[i] == '=' && i == start)
            continue; /* a leading '=' belongs to the name */
        if (s[i] == '=' || s[i] == '>')
            return i;
    }
    return n;
}

/* An optional "= value" at s[i]; returns the index after it. */
static size_t attr_value(const char *s, size_t i, size_t n)
{
    const char *close;

    i = skip_html_ws(s, i, n);
    if (i == n || s[i] != '=')
        return i;
    i = skip_html_ws(s, i + 1, n);
    if (i == n || s[i] == '>')
        return i;
    if (s[i] == '"' || s[i] == '\'') {
        close = memchr(s + i + 1, s[i], n - i - 1);
        return close ? (size_t)(close - s) + 1 : n;
    }
    while (i < n && !is_html_ws((unsigned char)s[i]) && s[i] != '>')
        i++;
    return i;
}

/* Read the tag whose name starts at s[i] (just after "<" or "</").
 * Returns false if the input ends before its '>'. */
static bool read_tag(const struct san *z, size_t i, struct tag *t)
{
    const char *s = z->s;
    size_t n = z->len;

    t->name = s + i;
    while (i < n && !is_html_ws((unsigned char)s[i]) && s[i] != '/' &&
           s[i] != '>')
        i++;
    t->name_len = (size_t)(s + i - t->name);
    for (;;) {
        i = skip_html_ws(s, i, n);
        if (i >= n)
            return false;
        if (s[i] == '>')
            break;
        i = attr_value(s, attr_key(s, i, n), n);
    }
    t->end = i + 1;
    t->self_closing = s[i - 1] == '/';
    return true;
}

/* Index just past the next '>' from s[i], or the end of the input. */
static size_t close_angle(const struct san *z, size_t i)
{
    const char *gt = memchr(z->s + i, '>', z->len - i);

    return gt ? (size_t)(gt - z->s) + 1 : z->len;
}

/* Index just past the comment whose "<!--" ends before s[i]: "-->", "--!>"
 * and the short "<!-->" all close it; the end of the input does too. */
static size_t comment_end(const struct san *z, size_t i)
{
    unsigned dashes = 2;

    for (; i < z->len; i++) {
        char c = z->s[i];

        if (c == '-') {
            dashes++;
            continue;
        }
        if (c == '>' && dashes >= 2)
            return i + 1;
        if (c == '!' && dashes >= 2) {
            if (++i >= z->len)
                return z->len;
            if (z->s[i] == '>')
                return i + 1;
        }
        dashes = 0;
    }
    return z->len;
}

/* After a raw-text start tag: skip to its end tag ("</name" followed by
 * white space, '/' or '>', any case), or to the end of the input. */
static void skip_raw_text(struct san *z, const struct tag *t)
{
    size_t k = t->name_len;

    if (k == 9 && strncasecmp(t->name, "plaintext", 9) == 0) {
        z->pos = z->len;
        return;
    }
    for (size_t i = z->pos; i + k + 2 < z->len; i++) {
        if (z->s[i] == '<' && z->s[i + 1] == '/' &&
            strncasecmp(z->s + i + 2, t->name, k) == 0 &&
            (is_html_ws((unsigned char)z->s[i + k + 2]) ||
             z->s[i + k + 2] == '/' || z->s[i + k + 2] == '>')) {
            z->pos = i;
            return;
        }
    }
    z->pos = z->len;
}

/* Markup at z->pos ('<' then a letter, '/', '!' or '?'): skip it. When
 * the input ends inside a tag, that tag is dropped and z->pos = len. */
static int markup(struct san *z)
{
    const char *s = z->s;
    size_t i = z->pos + 1;
    struct tag t;

    z->pos = z->len; /* unless a complete piece of markup is found */
    if (is_alpha((unsigned char)s[i])) {
        if (!read_tag(z, i, &t))
            return CD_OK;
        z->pos = t.end;
        if (name_in(t.name, t.name_len, raw_text, CD_ARRAY_SIZE(raw_text)))
            skip_raw_text(z, &t);
        else if (name_in(t.name, t.name_len, skipped, CD_ARRAY_SIZE(skipped))
                 && !t.self_closing)
            z->skip++;
    } else if (s[i] == '/') {
        if (++i == z->len) /* "</" at the very end is text */
            return emit_text(z, "</", 2);
        if (s[i] == '>') {
            z->pos = i + 1; /* "</>" is nothing at all */
        } else if (is_alpha((unsigned char)s[i])) {
            if (!read_tag(z, i, &t))
                return CD_OK;
            z->pos = t.end;
            if (z->skip > 0 && name_in(t.name, t.name_len, skipped,
                                       CD_ARRAY_SIZE(skipped)))
                z->skip--;
        } else {
            z->pos = close_angle(z, i); /* a bogus comment */
        }
    } else if (s[i] == '!' && i + 2 < z->len && s[i + 1] == '-' &&
               s[i + 2] == '-') {
        z->pos = comment_end(z, i + 3);
    } else { /* doctype, bogus comment, processing instruction */
        z->pos = close_angle(z, i + 1);
    }
    return CD_OK;
}

/* Index of the next '<' at or after z->pos that starts markup, or len. */
static size_t next_markup(const struct san *z)
{
    for (size_t i = z->pos; i + 1 < z->len; i++) {
        int c = (unsigned char)z->s[i + 1];

        if (z->s[i] == '<' && (is_alpha(c) || c == '/' || c == '!' ||
                               c == '?'))
            return i;
    }
    return z->len;
}

static int tokenize(struct san *z)
{
    while (z->pos < z->len) {
        size_t at = next_markup(z);
        int rc = emit_text(z, z->s + z->pos, at - z->pos);

        z->pos = at;
        if (rc == CD_OK && at < z->len)
            rc = markup(z);
        if (rc < 0)
            return rc;
    }
    return CD_OK;
}

static bool is_space_cp(uint32_t cp)
{
    return cp == ' ' || (cp >= '\t' && cp <= '\r') || cp == 0x85 ||
           cp == 0xa0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200a) ||
           cp == 0x2028 || cp == 0x2029 || cp == 0x202f || cp == 0x205f ||
           cp == 0x3000;
}

/* Shrink [*start, *end) of s past white space at both ends. */
static void trim_space(const char *s, size_t *start, size_t *end)
{
    const unsigned char *u = (const unsigned char *)s;
    uint32_t cp;
    size_t k;

    while (*start < *end) {
        k = utf8_decode(u + *start, *end - *start, &cp);
        if (k == 0 || !is_space_cp(cp))
            break;
        *start += k;
    }
    while (*end > *start) {
        size_t last = *end - 1;

        while (last > *start && (u[last] & 0xc0) == 0x80)
            last--;
        k = utf8_decode(u + last, *end - last, &cp);
        if (k == 0 || !is_space_cp(cp))
            break;
        *end = last;
    }
}

char *sanitize_name(const char *in, size_t len)
{
    struct san z = { .s = in, .len = len };
    char *result = NULL;
    size_t start = 0, end;

    if (len > SANITIZE_MAX_BYTES || (in == NULL && len > 0))
        return NULL;
    if (!utf8_valid(in, len))
        return NULL;
    buf_init(&z.out, len + 1); /* the text never grows: len + NUL */
    if (tokenize(&z) == CD_OK) {
        end = z.out.len;
        trim_space(z.out.ptr, &start, &end);
        result = xstrndup(z.out.ptr + start, end - start);
    }
    buf_release(&z.out);
    return result;
}
