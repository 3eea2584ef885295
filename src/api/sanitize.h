/* sanitize.h -- turn an account name typed by a person into plain text.
 *
 * Offen runs account names through bluemonday's strict policy (remove every
 * tag, keep the text) and HTML-unescapes the result, so "<b>Foo</b> & Bar"
 * is stored as "Foo & Bar". sanitize_name() does the same with an HTML
 * tokenizer of its own that follows the one bluemonday uses
 * (golang.org/x/net/html), and goes a little further: the result never
 * contains '<' nor control characters, and is trimmed. See
 * docs/internals/css.md for every rule and where we differ.
 *
 * Pure: no I/O, no global state; safe from any thread.
 */
#ifndef CD_API_SANITIZE_H
#define CD_API_SANITIZE_H

#include <stddef.h>

#define SANITIZE_MAX_BYTES 1024 /* longest input accepted */

/* Sanitise in[0..len) (need not be NUL-terminated; NULL is allowed when len
 * is 0) and return the plain text as a NUL-terminated string that the caller
 * frees with free(). Returns NULL when the input is not valid UTF-8 (overlong
 * forms and surrogates included) or is longer than SANITIZE_MAX_BYTES. The
 * result is valid UTF-8, holds no '<', no NUL and no other control character,
 * has no leading or trailing white space, and is never longer than the input.
 * It may be empty: the caller decides whether an empty name is acceptable.
 *
 *   - Tags, comments, doctypes and processing instructions are removed; the
 *     text between them is kept ("a<br>b" gives "ab").
 *   - The contents of script, style, iframe, noscript, noembed, noframes,
 *     template, textarea, title, xmp, plaintext, object and frameset are
 *     dropped with the element.
 *   - A tag cut off by the end of the input is dropped ("a <b" gives "a").
 *     A '<' that starts no tag ("a < b") is text, but '<' is then removed.
 *   - Character references are decoded once, as Go's html.UnescapeString
 *     does, for amp, lt, gt, quot, apos, nbsp and numeric ones (decimal and
 *     hex); other named references are left as they are.
 *   - Tab, CR, LF, FF and VT become a space; other control characters
 *     (C0, DEL, C1) are removed, whether typed or written as references. */
char *sanitize_name(const char *in, size_t len);

#endif /* CD_API_SANITIZE_H */
