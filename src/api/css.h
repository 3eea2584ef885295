/* css.h -- strict validation of the consent-banner CSS an operator sets.
 *
 * The style sheet of an account is put, unescaped, inside a <style> element
 * of the vault page, whose CSP allows inline script. Validation is the only
 * guard, so css_validate() accepts a small, well-formed subset of CSS and
 * rejects everything else. It keeps every check of Offen's validator (see
 * docs/internals/css.md) and closes its holes:
 *
 *   - only style rules and @media at-rules; every rule inside an @media is
 *     checked; no declarations directly inside @media; no nested @media;
 *   - every selector is a class selector, anchored at both ends:
 *     ".a", ".a:hover", ".a .b:focus" (descendants of classes);
 *   - no '<', '>', '\', '!', non-ASCII bytes or control characters anywhere
 *     (so no "</style>" breakout, no escapes, no !important);
 *   - property names and values are compared case-insensitively.
 *
 * Comments are allowed and ignored; they are stripped, without leaving a
 * space, before names and values are checked, so a comment cannot split a
 * blocked word: "ur", a comment, "l(" is checked as "url(".
 *
 * Pure: no allocation, no I/O, no global state; safe from any thread.
 */
#ifndef CD_API_CSS_H
#define CD_API_CSS_H

#include <stddef.h>

#include "common/err.h"

#define CSS_MAX_BYTES 16384        /* the whole style sheet */
#define CSS_MAX_RULES 256          /* style rules plus @media rules */
#define CSS_MAX_DECLS 64           /* declarations in one style rule */
#define CSS_MAX_PRELUDE_BYTES 1024 /* a selector list or a media query */
#define CSS_MAX_SELECTOR_BYTES 128 /* one selector of a list, trimmed */
#define CSS_MAX_PROPERTY_BYTES 64  /* one property name */
#define CSS_MAX_VALUE_BYTES 512    /* one declaration value */

/* Validate the style sheet css[0..len) (need not be NUL-terminated; NULL is
 * allowed when len is 0). The empty sheet, or one of only whitespace and
 * comments, is valid: it means "no styles".
 *
 * Returns CD_OK when the sheet may be served as it is. Otherwise returns
 * CD_EINVAL and, if err is non-NULL, sets err->msg to what was rejected and
 * on which line, e.g. "line 3: property 'opacity' is not allowed". Every
 * rejection, a cap included, is CD_EINVAL: the API answers all of them with
 * 400, as Offen does. Messages quote only bytes that already passed the
 * character checks, so they are printable ASCII.
 *
 * Prelude and value caps count bytes with comments removed. */
int css_validate(const char *css, size_t len, struct cd_error *err)
    CD_MUST_CHECK;

#endif /* CD_API_CSS_H */
