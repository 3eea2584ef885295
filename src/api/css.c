/* css.c -- a small, strict CSS parser that validates banner styles.
 *
 * The accepted language (ws is whitespace and comments):
 *
 *   sheet    := ws (rule ws)*
 *   rule     := style | media
 *   media    := "@media" query "{" ws (style ws)* "}"
 *   style    := selector ("," selector)* "{" (ws decl? ws ";")* ws decl? ws "}"
 *   selector := compound (ws+ compound)*
 *   compound := "." [a-z_-]+ (":" ("hover" | "active" | "focus"))?
 *   decl     := property ws ":" value
 *
 * One pass with a cursor, no tree: each part is checked as soon as it has
 * been read and the first failure ends the pass with a message that names
 * the line. A byte pass runs first and refuses every byte that could leave
 * the <style> element or make a browser read the sheet differently from us:
 * '<', '>', '\', '!', control characters, non-ASCII. After it, the structure
 * we see is the one a browser sees: there are no escapes, strings cannot
 * span lines, values cannot hold braces, and parentheses must balance inside
 * one declaration, so no ';' or '}' hides in a block we did not track.
 *
 * Everything lives on the stack (the caps bound the buffers); nothing is
 * allocated and nothing is global.
 */
#include "common/common.h"

#include "api/css.h"

#include <stdarg.h>
#include <stdio.h>

struct css_parser {
    const char *s;        /* the style sheet, s[0..len) */
    size_t len;
    size_t pos;           /* next byte to read */
    unsigned line;        /* 1-based line of s[pos] */
    unsigned rules;       /* rules read so far, nested ones included */
    struct cd_error *err; /* may be NULL */
};

/* Text with comments removed: a prelude or a declaration value. */
struct css_text {
    char *ptr; /* caller's array of max + 1 bytes */
    size_t len;
    size_t max;
};

/* Properties that are refused whatever their value, matched as suffixes,
 * so "-webkit-opacity" and "max-width" are refused too. The first seven are
 * Offen's; the others hide or shrink the banner as surely as opacity does,
 * and "font" is the shorthand that would bypass the font-size rule. */
static const char *const blocked_properties[] = {
    "opacity", "content", "filter", "behavior", "width", "cursor",
    "pointer-events",
    "font", "transform", "scale", "rotate", "translate", "zoom",
    "visibility", "clip", "clip-path",
};

/* Substrings refused in every value. The first seven are Offen's (any '-'
 * included, so "sans-serif" and "-9999px" are refused); the others name
 * functions that load or read something: image(), src(), attr(). */
static const char *const blocked_values[] = {
    "url", "expression", "javascript", "calc", "transform", "transparent",
    "-",
    "image", "src", "attr",
};

static bool is_ws(int c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

static bool is_lower(int c) { return c >= 'a' && c <= 'z'; }
static bool is_digit(int c) { return c >= '0' && c <= '9'; }

static bool is_alpha(int c)
{
    return is_lower(c) || (c >= 'A' && c <= 'Z');
}

static int to_lower(int c)
{
    return (c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c;
}

/* Record "line N: <message>" and return CD_EINVAL. */
static int fail(struct css_parser *p, unsigned line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(struct css_parser *p, unsigned line, const char *fmt, ...)
{
    char msg[200];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    return cd_error_set(p->err, CD_EINVAL, "line %u: %s", line, msg);
}

/* Refuse bytes that have no place in banner CSS, before any parsing. */
static int check_bytes(struct css_parser *p)
{
    unsigned line = 1;

    for (size_t i = 0; i < p->len; i++) {
        unsigned char c = (unsigned char)p->s[i];

        if (c >= 0x80)
            return fail(p, line, "non-ASCII byte 0x%02x", c);
        if ((c < 0x20 && !is_ws(c)) || c == 0x7f)
            return fail(p, line, "control character 0x%02x", c);
        if (c == '<' || c == '>')
            return fail(p, line, "'%c' is not allowed", c);
        if (c == '\\')
            return fail(p, line, "backslash escapes are not allowed");
        if (c == '!')
            return fail(p, line, "'!' is not allowed (no !important)");
        if (c == '\n')
            line++;
    }
    return CD_OK;
}

/* The byte off places ahead of the cursor, or -1 past the end. */
static int peek(const struct css_parser *p, size_t off)
{
    if (p->len - p->pos <= off)
        return -1;
    return (unsigned char)p->s[p->pos + off];
}

static void advance(struct css_parser *p)
{
    if (p->s[p->pos] == '\n')
        p->line++;
    p->pos++;
}

static bool at_comment(const struct css_parser *p)
{
    return peek(p, 0) == '/' && peek(p, 1) == '*';
}

/* Skip one comment; the cursor is on its "/ *". */
static int skip_comment(struct css_parser *p)
{
    unsigned line = p->line;

    advance(p);
    advance(p);
    for (;;) {
        if (peek(p, 0) < 0)
            return fail(p, line, "unterminated comment");
        if (peek(p, 0) == '*' && peek(p, 1) == '/')
            break;
        advance(p);
    }
    advance(p);
    advance(p);
    return CD_OK;
}

static int skip_ws(struct css_parser *p)
{
    for (;;) {
        if (at_comment(p)) {
            int rc = skip_comment(p);

            if (rc < 0)
                return rc;
        } else if (is_ws(peek(p, 0))) {
            advance(p);
        } else {
            return CD_OK;
        }
    }
}

static bool text_add(struct css_text *t, char c)
{
    if (t->len >= t->max)
        return false;
    t->ptr[t->len++] = c;
    t->ptr[t->len] = '\0';
    return true;
}

/* Trim whitespace at both ends of t in place (moves the bytes). */
static void text_trim(struct css_text *t)
{
    size_t start = 0;

    while (t->len > 0 && is_ws((unsigned char)t->ptr[t->len - 1]))
        t->len--;
    while (start < t->len && is_ws((unsigned char)t->ptr[start]))
        start++;
    memmove(t->ptr, t->ptr + start, t->len - start);
    t->len -= start;
    t->ptr[t->len] = '\0';
}

static bool selector_char(int c)
{
    return is_lower(c) || is_ws(c) || c == '_' || c == '-' || c == '.' ||
           c == ':' || c == ',';
}

static bool media_char(int c)
{
    return is_alpha(c) || is_digit(c) || is_ws(c) || c == '(' || c == ')' ||
           c == ':' || c == ',' || c == '.' || c == '-' || c == '/';
}

/* Read a prelude up to and including its '{', comments removed, into t.
 * allowed() tells which bytes it may hold; what names it in messages. */
static int read_prelude(struct css_parser *p, struct css_text *t,
                        bool (*allowed)(int), const char *what, bool in_media)
{
    unsigned line = p->line;

    for (;;) {
        int c = peek(p, 0);

        if (c < 0)
            return fail(p, line, "%s is not followed by '{'", what);
        if (c == '{')
            break;
        if (at_comment(p)) {
            int rc = skip_comment(p);

            if (rc < 0)
                return rc;
            continue;
        }
        if (in_media && (c == ';' || c == '}'))
            return fail(p, line, "declarations directly inside @media are "
                                 "not allowed");
        if (!allowed(c))
            return fail(p, p->line, "character '%c' is not allowed in %s", c,
                        what);
        if (!text_add(t, (char)c))
            return fail(p, line, "%s is longer than %d bytes", what,
                        CSS_MAX_PRELUDE_BYTES);
        advance(p);
    }
    advance(p);
    return CD_OK;
}

/* Length of the run of class-name bytes [a-z_-] at s[i..n). */
static size_t class_run(const char *s, size_t i, size_t n)
{
    size_t start = i;

    while (i < n && (is_lower((unsigned char)s[i]) || s[i] == '_' ||
                     s[i] == '-'))
        i++;
    return i - start;
}

static bool is_pseudo(const char *s, size_t n)
{
    return (n == 5 && memcmp(s, "hover", 5) == 0) ||
           (n == 6 && memcmp(s, "active", 6) == 0) ||
           (n == 5 && memcmp(s, "focus", 5) == 0);
}

/* Does the trimmed selector s[0..n) match the selector production above? */
static bool selector_ok(const char *s, size_t n)
{
    size_t i = 0;

    for (;;) {
        size_t run;

        if (i >= n || s[i] != '.')
            return false;
        run = class_run(s, ++i, n);
        if (run == 0)
            return false;
        i += run;
        if (i < n && s[i] == ':') {
            run = class_run(s, ++i, n);
            if (!is_pseudo(s + i, run))
                return false;
            i += run;
        }
        if (i == n)
            return true;
        if (!is_ws((unsigned char)s[i]))
            return false;
        while (i < n && is_ws((unsigned char)s[i]))
            i++;
    }
}

/* Up to 48 bytes of s[0..n) for a message, each run of white space (a
 * newline, say) as one space, so messages stay on one line. */
static const char *quote(const char *s, size_t n, char out[49])
{
    size_t k = 0;

    for (size_t i = 0; i < n && k < 48; i++) {
        if (!is_ws((unsigned char)s[i]))
            out[k++] = s[i];
        else if (k == 0 || out[k - 1] != ' ')
            out[k++] = ' ';
    }
    out[k] = '\0';
    return out;
}

/* Check each selector of the list t; *root tells whether the list is
 * exactly ".banner__root", the one rule that may set font-size. */
static int check_selectors(struct css_parser *p, unsigned line,
                           const struct css_text *t, bool *root)
{
    size_t start = 0;
    unsigned count = 0;
    char q[49];

    *root = false;
    while (start <= t->len) {
        const char *comma = memchr(t->ptr + start, ',', t->len - start);
        size_t end = comma ? (size_t)(comma - t->ptr) : t->len;
        const char *s = t->ptr + start;
        size_t n = end - start;

        while (n > 0 && is_ws((unsigned char)s[n - 1]))
            n--;
        while (n > 0 && is_ws((unsigned char)s[0])) {
            s++;
            n--;
        }
        if (n == 0)
            return fail(p, line, "empty selector");
        if (n > CSS_MAX_SELECTOR_BYTES)
            return fail(p, line, "selector is longer than %d bytes",
                        CSS_MAX_SELECTOR_BYTES);
        if (!selector_ok(s, n))
            return fail(p, line, "selector '%s' is not allowed: use class "
                        "selectors like .banner__root, optionally with "
                        ":hover, :active or :focus", quote(s, n, q));
        count++;
        *root = count == 1 && n == 13 && memcmp(s, ".banner__root", 13) == 0;
        start = end + 1;
    }
    if (count != 1)
        *root = false;
    return CD_OK;
}

static int check_media(struct css_parser *p, unsigned line,
                       struct css_text *t)
{
    int depth = 0;

    text_trim(t);
    if (t->len == 0)
        return fail(p, line, "@media needs a media query");
    for (size_t i = 0; i < t->len; i++) {
        if (t->ptr[i] == '(')
            depth++;
        else if (t->ptr[i] == ')' && --depth < 0)
            break;
    }
    if (depth != 0)
        return fail(p, line, "unbalanced parentheses in the media query");
    return CD_OK;
}

/* Copy a quoted string, quotes included, into t; the cursor is on the
 * opening quote. Strings hold any printable byte the byte pass left, but
 * cannot span lines (a browser would end them there). */
static int read_string(struct css_parser *p, struct css_text *t,
                       const char *prop)
{
    unsigned line = p->line;
    int quote = peek(p, 0);

    for (bool first = true;; first = false) {
        int c = peek(p, 0);

        if (c < 0)
            return fail(p, line, "unterminated string");
        if (c == '\n' || c == '\r' || c == '\f')
            return fail(p, line, "line break inside a string");
        if (!text_add(t, (char)c))
            return fail(p, line, "value of '%s' is longer than %d bytes",
                        prop, CSS_MAX_VALUE_BYTES);
        advance(p);
        if (!first && c == quote)
            return CD_OK;
    }
}

static bool value_char(int c)
{
    return is_alpha(c) || is_digit(c) || is_ws(c) || c == '#' || c == '%' ||
           c == '.' || c == ',' || c == '(' || c == ')' || c == '/' ||
           c == '+' || c == '_' || c == '-';
}

/* Read a value up to, not including, the ';' or '}' that ends it. */
static int read_value(struct css_parser *p, struct css_text *t,
                      const char *prop)
{
    unsigned line = p->line;
    int depth = 0;

    for (;;) {
        int c = peek(p, 0);
        int rc;

        if (c < 0)
            return fail(p, line, "declaration of '%s' is not ended by ';' "
                                 "or '}'", prop);
        if (at_comment(p) || c == '"' || c == '\'') {
            rc = at_comment(p) ? skip_comment(p) : read_string(p, t, prop);
            if (rc < 0)
                return rc;
            continue;
        }
        if (c == ';' || c == '}') {
            if (depth == 0)
                return CD_OK;
            return fail(p, line, "unbalanced '(' in the value of '%s'", prop);
        }
        if (!value_char(c))
            return fail(p, p->line, "character '%c' is not allowed in the "
                                    "value of '%s'", c, prop);
        if (c == '(')
            depth++;
        if (c == ')' && --depth < 0)
            return fail(p, line, "unbalanced ')' in the value of '%s'", prop);
        if (!text_add(t, (char)c))
            return fail(p, line, "value of '%s' is longer than %d bytes",
                        prop, CSS_MAX_VALUE_BYTES);
        advance(p);
    }
}

static bool ends_with(const char *s, size_t n, const char *suffix)
{
    size_t k = strlen(suffix);

    return n >= k && memcmp(s + n - k, suffix, k) == 0;
}

/* "12px" .. "99px", Offen's ^(1[2-9]|[2-9][0-9])px$ */
static bool font_size_ok(const char *v, size_t n)
{
    return n == 4 && v[0] >= '1' && v[0] <= '9' && is_digit(v[1]) &&
           (v[0] != '1' || v[1] >= '2') && v[2] == 'p' && v[3] == 'x';
}

/* Offen's checks, and ours, on one declaration. prop and val are lower
 * case, val is trimmed. */
static int check_decl(struct css_parser *p, unsigned line, const char *prop,
                      size_t plen, const char *val, size_t vlen, bool root)
{
    if (vlen == 0)
        return fail(p, line, "empty value for '%s'", prop);
    for (size_t i = 0; i < CD_ARRAY_SIZE(blocked_properties); i++)
        if (ends_with(prop, plen, blocked_properties[i]))
            return fail(p, line, "property '%s' is not allowed", prop);
    for (size_t i = 0; i < CD_ARRAY_SIZE(blocked_values); i++)
        if (strstr(val, blocked_values[i]) != NULL)
            return fail(p, line, "value of '%s' contains '%s', which is not "
                        "allowed", prop, blocked_values[i]);
    if (ends_with(prop, plen, "font-size")) {
        if (!font_size_ok(val, vlen))
            return fail(p, line, "font-size must be 12px to 99px");
        if (!root)
            return fail(p, line, "font-size is only allowed in a rule whose "
                                 "only selector is .banner__root");
    }
    if (ends_with(prop, plen, "display") && strcmp(val, "none") == 0)
        return fail(p, line, "display: none is not allowed");
    return CD_OK;
}

static int parse_decl(struct css_parser *p, bool root)
{
    char prop[CSS_MAX_PROPERTY_BYTES + 1];
    char val[CSS_MAX_VALUE_BYTES + 1];
    struct css_text v = { val, 0, CSS_MAX_VALUE_BYTES };
    unsigned line = p->line;
    size_t n = 0;
    int rc;

    while (is_alpha(peek(p, 0)) || peek(p, 0) == '-') {
        if (n == CSS_MAX_PROPERTY_BYTES)
            return fail(p, line, "property name is longer than %d bytes",
                        CSS_MAX_PROPERTY_BYTES);
        prop[n++] = (char)to_lower(peek(p, 0));
        advance(p);
    }
    prop[n] = '\0';
    if (n == 0)
        return fail(p, line, "expected a property name, found '%c' (nested "
                             "rules are not allowed)", peek(p, 0));
    if (n >= 2 && prop[0] == '-' && prop[1] == '-')
        return fail(p, line, "custom properties are not allowed");
    if (!is_lower(prop[prop[0] == '-']))
        return fail(p, line, "'%s' is not a property name", prop);
    rc = skip_ws(p);
    if (rc < 0)
        return rc;
    if (peek(p, 0) != ':')
        return fail(p, p->line, "expected ':' after '%s'", prop);
    advance(p);
    val[0] = '\0';
    rc = read_value(p, &v, prop);
    if (rc < 0)
        return rc;
    text_trim(&v);
    for (size_t i = 0; i < v.len; i++)
        val[i] = (char)to_lower((unsigned char)val[i]);
    return check_decl(p, line, prop, n, val, v.len, root);
}

/* The declarations of a style rule; the cursor is just past its '{'. */
static int parse_block(struct css_parser *p, unsigned line, bool root)
{
    unsigned decls = 0;

    for (;;) {
        int rc = skip_ws(p);
        int c;

        if (rc < 0)
            return rc;
        c = peek(p, 0);
        if (c < 0)
            return fail(p, line, "rule is not closed by '}'");
        if (c == '}') {
            advance(p);
            return CD_OK;
        }
        if (c == ';') {
            advance(p);
            continue;
        }
        if (++decls > CSS_MAX_DECLS)
            return fail(p, p->line, "more than %d declarations in one rule",
                        CSS_MAX_DECLS);
        rc = parse_decl(p, root);
        if (rc < 0)
            return rc;
    }
}

static int count_rule(struct css_parser *p)
{
    if (++p->rules > CSS_MAX_RULES)
        return fail(p, p->line, "more than %d rules", CSS_MAX_RULES);
    return CD_OK;
}

static int parse_style(struct css_parser *p, bool in_media)
{
    char buf[CSS_MAX_PRELUDE_BYTES + 1];
    struct css_text t = { buf, 0, CSS_MAX_PRELUDE_BYTES };
    unsigned line = p->line;
    bool root;
    int rc;

    buf[0] = '\0';
    rc = count_rule(p);
    if (rc < 0)
        return rc;
    rc = read_prelude(p, &t, selector_char, "a selector", in_media);
    if (rc < 0)
        return rc;
    rc = check_selectors(p, line, &t, &root);
    if (rc < 0)
        return rc;
    return parse_block(p, line, root);
}

static bool is_media_keyword(const char *s, size_t n)
{
    static const char media[] = "media";

    if (n != sizeof(media) - 1)
        return false;
    for (size_t i = 0; i < n; i++)
        if (to_lower((unsigned char)s[i]) != media[i])
            return false;
    return true;
}

/* An at-rule; the cursor is on its '@'. Only @media is allowed, holding
 * style rules only. */
static int parse_at_rule(struct css_parser *p)
{
    char buf[CSS_MAX_PRELUDE_BYTES + 1];
    struct css_text t = { buf, 0, CSS_MAX_PRELUDE_BYTES };
    unsigned line = p->line;
    const char *name;
    size_t n = 0;
    int rc;

    advance(p);
    name = p->s + p->pos;
    while (is_alpha(peek(p, n)) || is_digit(peek(p, n)) || peek(p, n) == '-')
        n++;
    if (!is_media_keyword(name, n))
        return fail(p, line, "at-rule '@%.*s' is not allowed (only @media)",
                    (int)(n > 32 ? 32 : n), name);
    p->pos += n;
    buf[0] = '\0';
    rc = count_rule(p);
    if (rc == CD_OK)
        rc = read_prelude(p, &t, media_char, "a media query", false);
    if (rc == CD_OK)
        rc = check_media(p, line, &t);
    while (rc == CD_OK) {
        rc = skip_ws(p);
        if (rc < 0)
            break;
        if (peek(p, 0) < 0)
            return fail(p, line, "@media is not closed by '}'");
        if (peek(p, 0) == '}') {
            advance(p);
            break;
        }
        if (peek(p, 0) == '@')
            return fail(p, p->line, "at-rules inside @media are not allowed");
        rc = parse_style(p, true);
    }
    return rc;
}

int css_validate(const char *css, size_t len, struct cd_error *err)
{
    struct css_parser p = { .s = css, .len = len, .line = 1, .err = err };
    int rc;

    if (len == 0)
        return CD_OK;
    if (css == NULL)
        return cd_error_set(err, CD_EINVAL, "no style sheet");
    if (len > CSS_MAX_BYTES)
        return cd_error_set(err, CD_EINVAL, "style sheet is longer than %d "
                            "bytes", CSS_MAX_BYTES);
    rc = check_bytes(&p);
    while (rc == CD_OK) {
        rc = skip_ws(&p);
        if (rc < 0 || peek(&p, 0) < 0)
            break;
        if (peek(&p, 0) == '@')
            rc = parse_at_rule(&p);
        else if (peek(&p, 0) == '}')
            rc = fail(&p, p.line, "unexpected '}'");
        else
            rc = parse_style(&p, false);
    }
    return rc;
}
