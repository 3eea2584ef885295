/* jsonscan.c -- a validating JSON scanner that keeps only named fields
 * (see jsonscan.h).
 *
 * One pass of recursive descent over the input, bounded by
 * JSONSCAN_MAX_DEPTH, with no tree: strings are checked in place (eight
 * bytes at a time while they hold nothing special) and reported as
 * slices of the input, together with their decoded length. Keys are
 * remembered on a stack (inline for ordinary bodies, malloc'd past
 * KEYS_INLINE) until their object closes; then its keys are checked for
 * duplicates, pairwise when there are few and after sorting otherwise, so
 * hostile input costs O(n log n), never O(n^2). Keys with escapes are
 * compared by their decoded bytes, as jansson does.
 *
 * The rules that go beyond the RFC are jansson's, so that the two agree
 * on every input (tests/fuzz/fuzz_jsonscan.c checks it): \u0000 is
 * refused, integers must fit int64, and a number whose magnitude rounds
 * past DBL_MAX (strtod's overflow) is refused. The last one is decided
 * exactly on the decimal digits, without strtod or the locale.
 *
 * No global state: thread-safe.
 */
#include "common/common.h"
#include "common/jsonscan.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/utf8.h"
#include "common/xalloc.h"

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#define KEYS_INLINE 16 /* keys held without malloc */
#define PAIRWISE_MAX 8 /* objects up to this many keys: no sort */

/* 2^1024 - 2^970: the least decimal value strtod rounds to infinity. */
static const char dbl_overflow[] =
    "179769313486231580793728971405303415079934132710037826936173778980444"
    "968292764750946649017977587207096330286416692887910946555547851940402"
    "630657488671505820681908902000708383676273854845817711531764475730270"
    "069855571366959622842914819860834936475292719074168444365510704342711"
    "559699508093042880177904174497792";

enum kind { K_ERR = -1, K_STRING, K_NULL, K_OTHER };

struct scan {
    const char *buf;        /* the input, for offsets */
    const char *p;          /* next byte to read */
    const char *end;        /* one past the last byte */
    const char *at;         /* where the error is */
    const char *why;        /* what it is (static text) */
    const struct jsonscan_field *fields;
    size_t nfields;
    size_t name_len[JSONSCAN_MAX_FIELDS];
    uint64_t bad;           /* fields whose last value is not string/null */
    struct jsonscan_str *keys; /* keys of the open objects, innermost last */
    size_t nkeys, cap;
    struct jsonscan_str inline_keys[KEYS_INLINE];
};

static const struct jsonscan_str absent = { "", 0, 0, false, false };

static int scan_value(struct scan *s, unsigned depth,
                      struct jsonscan_str *str);

static int fail(struct scan *s, const char *at, const char *why)
{
    s->at = at;
    s->why = why;
    return K_ERR;
}

static bool is_digit(unsigned char c)
{
    return (unsigned)(c - '0') < 10;
}

static int hex_value(unsigned char c)
{
    if (is_digit(c))
        return c - '0';
    c |= 0x20;
    return (unsigned)(c - 'a') < 6 ? c - 'a' + 10 : -1;
}

/* The four hex digits at p (which has at least 4 bytes), or -1. */
static long hex4(const char *p)
{
    long v = 0;

    for (int i = 0; i < 4; i++) {
        int h = hex_value((unsigned char)p[i]);

        if (h < 0)
            return -1;
        v = v << 4 | h;
    }
    return v;
}

static unsigned char ascii_lower(unsigned char c)
{
    return c >= 'A' && c <= 'Z' ? (unsigned char)(c + 32) : c;
}

static void skip_ws(struct scan *s)
{
    while (s->p < s->end && (*s->p == ' ' || *s->p == '\n' ||
                             *s->p == '\r' || *s->p == '\t'))
        s->p++;
}

/* ---- strings ------------------------------------------------------- */

/* Do the 8 bytes at p hold a quote, a backslash, a control character or
 * a byte >= 0x80? (Exact as a whole, not per byte.) */
static bool special8(const char *p)
{
    const uint64_t ones = 0x0101010101010101ULL;
    uint64_t x, q, b;

    memcpy(&x, p, 8);
    q = x ^ (ones * '"');
    b = x ^ (ones * '\\');
    return ((((x - ones * 0x20) & ~x) | ((q - ones) & ~q) |
             ((b - ones) & ~b) | x) & (ones * 0x80)) != 0;
}

/* Skip the bytes from p that cannot end or complicate a string: 16 at a
 * time with SSE2 (x86-64 always has it), then 8 at a time. Returns where
 * to go on one byte at a time. */
static const char *skip_plain(const char *p, const char *end)
{
#ifdef __SSE2__
    const __m128i quote = _mm_set1_epi8('"'), bslash = _mm_set1_epi8('\\');
    const __m128i space = _mm_set1_epi8(' ');

    while (end - p >= 16) {
        __m128i x = _mm_loadu_si128((const __m128i *)(const void *)p);
        /* signed bytes: < ' ' is a control character or >= 0x80 */
        __m128i m = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, quote),
                                              _mm_cmpeq_epi8(x, bslash)),
                                 _mm_cmplt_epi8(x, space));
        int mask = _mm_movemask_epi8(m);

        if (mask != 0)
            return p + __builtin_ctz((unsigned)mask);
        p += 16;
    }
#endif
    while (end - p >= 8 && !special8(p))
        p += 8;
    return p;
}

/* Check the escape at p (a backslash); returns its length in the input
 * and adds to *shrink the bytes decoding saves, or 0 after fail(). */
static size_t scan_escape(struct scan *s, const char *p, size_t *shrink)
{
    size_t avail = (size_t)(s->end - p);
    long cp, lo;

    if (avail < 2) {
        fail(s, p, "unterminated string");
        return 0;
    }
    switch (p[1]) {
    case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r':
    case 't':
        *shrink += 1;
        return 2;
    case 'u':
        break;
    default:
        fail(s, p, "invalid escape");
        return 0;
    }
    cp = avail >= 6 ? hex4(p + 2) : -1;
    if (cp < 0 || cp == 0 || (cp >= 0xDC00 && cp <= 0xDFFF)) {
        fail(s, p, cp < 0 ? "invalid \\u escape" : cp == 0 ?
             "\\u0000 in a string" : "lone surrogate");
        return 0;
    }
    if (cp < 0xD800 || cp > 0xDBFF) {
        *shrink += cp < 0x80 ? 5 : cp < 0x800 ? 4 : 3;
        return 6;
    }
    lo = avail >= 12 && p[6] == '\\' && p[7] == 'u' ? hex4(p + 8) : -1;
    if (lo < 0xDC00 || lo > 0xDFFF) {
        fail(s, p, "lone surrogate");
        return 0;
    }
    *shrink += 8;
    return 12;
}

/* The string at s->p (its opening quote) into *str; s->p goes past it. */
static int scan_string(struct scan *s, struct jsonscan_str *str)
{
    const char *start = s->p + 1, *p = start, *end = s->end;
    size_t shrink = 0, n;

    for (;;) {
        p = skip_plain(p, end);
        while (p < end && (unsigned char)*p >= 0x20 &&
               (unsigned char)*p < 0x80 && *p != '"' && *p != '\\')
            p++;
        if (p == end)
            return fail(s, p, "unterminated string");
        if (*p == '"')
            break;
        if ((unsigned char)*p < 0x20)
            return fail(s, p, "control character in a string");
        if (*p == '\\') {
            n = scan_escape(s, p, &shrink);
            if (n == 0)
                return K_ERR;
        } else {
            n = utf8_decode((const unsigned char *)p, (size_t)(end - p), NULL);
            if (n == 0)
                return fail(s, p, "invalid UTF-8");
        }
        p += n;
    }
    str->raw = start;
    str->raw_len = (size_t)(p - start);
    str->len = str->raw_len - shrink;
    str->escaped = shrink != 0;
    str->present = true;
    s->p = p + 1;
    return K_STRING;
}

/* Decode the escape at *pp (validated) into out; returns the bytes
 * written and moves *pp past it. */
static size_t unescape(const char **pp, unsigned char out[4])
{
    const char *p = *pp;
    long cp;

    *pp = p + 2;
    switch (p[1]) {
    case 'b': out[0] = '\b'; return 1;
    case 'f': out[0] = '\f'; return 1;
    case 'n': out[0] = '\n'; return 1;
    case 'r': out[0] = '\r'; return 1;
    case 't': out[0] = '\t'; return 1;
    case 'u': break;
    default: out[0] = (unsigned char)p[1]; return 1;
    }
    cp = hex4(p + 2);
    *pp = p + 6;
    if (cp >= 0xD800 && cp <= 0xDBFF) {
        cp = 0x10000 + ((cp - 0xD800) << 10) + (hex4(p + 8) - 0xDC00);
        *pp = p + 12;
    }
    if (cp < 0x80) {
        out[0] = (unsigned char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (unsigned char)(0xC0 | cp >> 6);
        out[1] = (unsigned char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (unsigned char)(0xE0 | cp >> 12);
        out[1] = (unsigned char)(0x80 | (cp >> 6 & 0x3F));
        out[2] = (unsigned char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (unsigned char)(0xF0 | cp >> 18);
    out[1] = (unsigned char)(0x80 | (cp >> 12 & 0x3F));
    out[2] = (unsigned char)(0x80 | (cp >> 6 & 0x3F));
    out[3] = (unsigned char)(0x80 | (cp & 0x3F));
    return 4;
}

/* The decoded bytes of a validated string, one at a time. */
struct dec {
    const char *p, *end;
    unsigned char tmp[4];
    size_t n, i;            /* tmp[i..n) still to give */
};

static void dec_init(struct dec *d, const struct jsonscan_str *str)
{
    d->p = str->raw;
    d->end = str->raw + str->raw_len;
    d->n = d->i = 0;
}

/* The next byte, or -1 at the end. */
static int dec_next(struct dec *d)
{
    if (d->i < d->n)
        return d->tmp[d->i++];
    if (d->p == d->end)
        return -1;
    if (*d->p != '\\')
        return (unsigned char)*d->p++;
    d->n = unescape(&d->p, d->tmp);
    d->i = 1;
    return d->tmp[0];
}

void jsonscan_copy(const struct jsonscan_str *s, char *dst)
{
    const char *p = s->raw, *end = s->raw + s->raw_len;
    unsigned char tmp[4];

    while (p < end) {
        const char *bs = memchr(p, '\\', (size_t)(end - p));
        size_t run = (size_t)((bs ? bs : end) - p), n;

        memcpy(dst, p, run);
        dst += run;
        p += run;
        if (p == end)
            break;
        n = unescape(&p, tmp);
        memcpy(dst, tmp, n);
        dst += n;
    }
    *dst = '\0';
}

char *jsonscan_strdup(const struct jsonscan_str *s)
{
    char *dst = xmalloc(s->len + 1);

    jsonscan_copy(s, dst);
    return dst;
}

/* ---- keys ---------------------------------------------------------- */

/* Decoded byte order (a total order; equal means the same bytes). */
static int key_cmp(const struct jsonscan_str *a, const struct jsonscan_str *b)
{
    struct dec da, db;
    int ca, cb;

    if (!a->escaped && !b->escaped) {
        size_t n = a->len < b->len ? a->len : b->len;
        int c = memcmp(a->raw, b->raw, n);

        return c ? c : (a->len > b->len) - (a->len < b->len);
    }
    dec_init(&da, a);
    dec_init(&db, b);
    do {
        ca = dec_next(&da);
        cb = dec_next(&db);
    } while (ca == cb && ca >= 0);
    return (ca > cb) - (ca < cb);
}

static int key_order(const void *a, const void *b)
{
    return key_cmp(a, b);
}

static bool key_same(const struct jsonscan_str *a,
                     const struct jsonscan_str *b)
{
    return a->len == b->len && key_cmp(a, b) == 0;
}

static void push_key(struct scan *s, const struct jsonscan_str *key)
{
    if (s->nkeys == s->cap) {
        struct jsonscan_str *k = xmalloc(2 * s->cap * sizeof(*k));

        memcpy(k, s->keys, s->nkeys * sizeof(*k));
        if (s->keys != s->inline_keys)
            free(s->keys);
        s->keys = k;
        s->cap *= 2;
    }
    s->keys[s->nkeys++] = *key;
}

/* Refuse duplicates among the keys of the object that started at base. */
static int check_dups(struct scan *s, size_t base)
{
    struct jsonscan_str *k = s->keys + base;
    size_t n = s->nkeys - base;

    if (n <= PAIRWISE_MAX) {
        for (size_t j = 1; j < n; j++)
            for (size_t i = 0; i < j; i++)
                if (key_same(&k[i], &k[j]))
                    return fail(s, k[j].raw - 1, "duplicate key");
        return 0;
    }
    qsort(k, n, sizeof(*k), key_order);
    for (size_t i = 1; i < n; i++)
        if (key_same(&k[i - 1], &k[i]))
            return fail(s, k[i].raw - 1, "duplicate key");
    return 0;
}

/* Does key equal name (name_len bytes) ignoring ASCII case? */
static bool key_is(const struct jsonscan_str *key, const char *name,
                   size_t name_len)
{
    struct dec d;

    if (key->len != name_len)
        return false;
    if (!key->escaped) {
        if (memcmp(key->raw, name, name_len) == 0) /* the usual case */
            return true;
        for (size_t i = 0; i < name_len; i++)
            if (ascii_lower((unsigned char)key->raw[i]) !=
                ascii_lower((unsigned char)name[i]))
                return false;
        return true;
    }
    dec_init(&d, key);
    for (size_t i = 0; i < name_len; i++)
        if (ascii_lower((unsigned char)dec_next(&d)) !=
            ascii_lower((unsigned char)name[i]))
            return false;
    return true;
}

/* The fields a top-level key stands for, as a bit mask. */
static uint64_t key_match(const struct scan *s, const struct jsonscan_str *key)
{
    uint64_t mask = 0;

    for (size_t i = 0; i < s->nfields; i++)
        if (key_is(key, s->fields[i].name, s->name_len[i]))
            mask |= (uint64_t)1 << i;
    return mask;
}

/* The last matching key wins: record its value for the fields in mask. */
static void record(struct scan *s, uint64_t mask, int kind,
                   const struct jsonscan_str *str)
{
    for (size_t i = 0; mask != 0; i++, mask >>= 1) {
        if (!(mask & 1))
            continue;
        *s->fields[i].out = kind == K_STRING ? *str : absent;
        if (kind == K_OTHER)
            s->bad |= (uint64_t)1 << i;
        else
            s->bad &= ~((uint64_t)1 << i);
    }
}

/* ---- numbers and literals ------------------------------------------ */

/* Does the decimal number with digits int[0..ni) frac[0..nf) and
 * exponent e round past DBL_MAX? */
static bool real_overflows(const char *ip, size_t ni, const char *fp,
                           size_t nf, long long e)
{
    size_t n = ni + nf, k = 0;
    long long mag;

#define DIGIT(i) ((i) < ni ? ip[(i)] : fp[(i) - ni])
    while (k < n && DIGIT(k) == '0')
        k++;
    if (k == n)
        return false; /* zero */
    mag = (long long)ni - 1 - (long long)k + e; /* exponent of 1st digit */
    if (mag != (long long)sizeof(dbl_overflow) - 2)
        return mag > (long long)sizeof(dbl_overflow) - 2;
    for (size_t i = 0; i < sizeof(dbl_overflow) - 1; i++) {
        char d = k + i < n ? DIGIT(k + i) : '0';

        if (d != dbl_overflow[i])
            return d > dbl_overflow[i];
    }
#undef DIGIT
    return true; /* at or past the midpoint: rounds to infinity */
}

static const char *digits(const char *p, const char *end)
{
    while (p < end && is_digit((unsigned char)*p))
        p++;
    return p;
}

static int scan_number(struct scan *s)
{
    const char *p = s->p, *end = s->end, *ip, *fp = NULL;
    size_t ni, nf = 0;
    bool neg = *p == '-', real = false;
    long long e = 0;

    p += neg;
    ip = p;
    if (p == end || !is_digit((unsigned char)*p))
        return fail(s, p, "invalid number");
    p = *p == '0' ? p + 1 : digits(p, end);
    if (p < end && is_digit((unsigned char)*p))
        return fail(s, p, "leading zero");
    ni = (size_t)(p - ip);
    if (p < end && *p == '.') {
        fp = ++p;
        p = digits(p, end);
        nf = (size_t)(p - fp);
        if (nf == 0)
            return fail(s, p, "digit expected");
        real = true;
    }
    if (p < end && (*p == 'e' || *p == 'E')) {
        bool eneg = false;
        const char *ep;

        p++;
        if (p < end && (*p == '+' || *p == '-'))
            eneg = *p++ == '-';
        ep = p;
        for (; p < end && is_digit((unsigned char)*p); p++)
            if (e < 1000000000000000LL) /* saturate: far past any input */
                e = e * 10 + (*p - '0');
        if (p == ep)
            return fail(s, p, "digit expected");
        e = eneg ? -e : e;
        real = true;
    }
    if (!real && (ni > 19 || (ni == 19 &&
                  memcmp(ip, neg ? "9223372036854775808" :
                         "9223372036854775807", 19) > 0)))
        return fail(s, s->p, "integer out of range");
    if (real && real_overflows(ip, ni, fp, nf, e))
        return fail(s, s->p, "number out of range");
    s->p = p;
    return K_OTHER;
}

static int literal(struct scan *s, const char *word, size_t n, int kind)
{
    if ((size_t)(s->end - s->p) < n || memcmp(s->p, word, n) != 0)
        return fail(s, s->p, "invalid literal");
    s->p += n;
    return kind;
}

/* ---- containers ---------------------------------------------------- */

/* The object at s->p (its '{') at depth; top: the document's own. */
static int scan_object(struct scan *s, unsigned depth, bool top)
{
    size_t base = s->nkeys;
    struct jsonscan_str key, str;
    uint64_t mask = 0;
    int kind;

    if (depth > JSONSCAN_MAX_DEPTH)
        return fail(s, s->p, "nested too deeply");
    s->p++;
    skip_ws(s);
    if (s->p < s->end && *s->p == '}') {
        s->p++;
        return K_OTHER;
    }
    for (;;) {
        if (s->p == s->end || *s->p != '"')
            return fail(s, s->p, "string or '}' expected");
        if (scan_string(s, &key) < 0)
            return K_ERR;
        push_key(s, &key);
        skip_ws(s);
        if (s->p == s->end || *s->p != ':')
            return fail(s, s->p, "':' expected");
        s->p++;
        skip_ws(s);
        if (top)
            mask = key_match(s, &key);
        kind = scan_value(s, depth, &str);
        if (kind < 0)
            return K_ERR;
        if (mask)
            record(s, mask, kind, &str);
        skip_ws(s);
        if (s->p < s->end && *s->p == ',') {
            s->p++;
            skip_ws(s);
            continue;
        }
        if (s->p < s->end && *s->p == '}')
            break;
        return fail(s, s->p, "',' or '}' expected");
    }
    s->p++;
    if (check_dups(s, base) < 0)
        return K_ERR;
    s->nkeys = base;
    return K_OTHER;
}

static int scan_array(struct scan *s, unsigned depth)
{
    struct jsonscan_str str;

    if (depth > JSONSCAN_MAX_DEPTH)
        return fail(s, s->p, "nested too deeply");
    s->p++;
    skip_ws(s);
    if (s->p < s->end && *s->p == ']') {
        s->p++;
        return K_OTHER;
    }
    for (;;) {
        if (scan_value(s, depth, &str) < 0)
            return K_ERR;
        skip_ws(s);
        if (s->p < s->end && *s->p == ',') {
            s->p++;
            skip_ws(s);
            continue;
        }
        if (s->p < s->end && *s->p == ']')
            break;
        return fail(s, s->p, "',' or ']' expected");
    }
    s->p++;
    return K_OTHER;
}

/* The value at s->p, inside a container at depth. */
static int scan_value(struct scan *s, unsigned depth,
                      struct jsonscan_str *str)
{
    if (s->p == s->end)
        return fail(s, s->p, "value expected");
    switch (*s->p) {
    case '"': return scan_string(s, str);
    case '{': return scan_object(s, depth + 1, false);
    case '[': return scan_array(s, depth + 1);
    case 't': return literal(s, "true", 4, K_OTHER);
    case 'f': return literal(s, "false", 5, K_OTHER);
    case 'n': return literal(s, "null", 4, K_NULL);
    default: break;
    }
    if (*s->p == '-' || is_digit((unsigned char)*s->p))
        return scan_number(s);
    return fail(s, s->p, "value expected");
}

/* ---- the document -------------------------------------------------- */

static int scan_document(struct scan *s)
{
    skip_ws(s);
    if (s->p < s->end && *s->p == '{') {
        if (scan_object(s, 1, true) < 0)
            return K_ERR;
    } else if (literal(s, "null", 4, K_NULL) < 0) {
        return fail(s, s->p, "an object or null expected");
    }
    skip_ws(s);
    if (s->p != s->end)
        return fail(s, s->p, "end of input expected");
    return 0;
}

static int check_fields(const struct scan *s, struct cd_error *err)
{
    for (size_t i = 0; i < s->nfields; i++) {
        const struct jsonscan_field *f = &s->fields[i];

        if (s->bad & ((uint64_t)1 << i))
            return cd_error_set(err, CD_EPROTO, "field %s must be a string",
                                f->name);
        if (f->out->len > f->max)
            return cd_error_set(err, CD_ETOOBIG, "field %s is longer than "
                                "%zu bytes", f->name, f->max);
    }
    return CD_OK;
}

int jsonscan_fields(const char *buf, size_t len,
                    const struct jsonscan_field *fields, size_t nfields,
                    struct cd_error *err)
{
    struct scan s;
    int rc = CD_EPROTO;

    if (nfields > JSONSCAN_MAX_FIELDS)
        return cd_error_set(err, CD_EINVAL, "more than %d JSON fields",
                            JSONSCAN_MAX_FIELDS);
    if (buf == NULL) /* only with len 0: keeps the pointer arithmetic defined */
        buf = "";
    s.buf = s.p = buf;
    s.end = buf + len;
    s.at = NULL;
    s.why = "";
    s.fields = fields;
    s.nfields = nfields;
    s.bad = 0;
    s.keys = s.inline_keys;
    s.nkeys = 0;
    s.cap = KEYS_INLINE;
    for (size_t i = 0; i < nfields; i++) {
        s.name_len[i] = strlen(fields[i].name);
        *fields[i].out = absent;
    }
    if (scan_document(&s) < 0) {
        cd_error_set(err, rc, "invalid JSON at byte %zu: %s",
                     (size_t)(s.at - buf), s.why);
        goto out;
    }
    rc = check_fields(&s, err);
out:
    if (s.keys != s.inline_keys)
        free(s.keys);
    for (size_t i = 0; rc < 0 && i < nfields; i++)
        *fields[i].out = absent;
    return rc;
}
