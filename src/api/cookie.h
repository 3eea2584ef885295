/* cookie.h -- the Set-Cookie values Candor sends, exactly as Offen does.
 *
 * Offen sets two cookies, `user` (the visitor's id) and `auth` (the
 * operator's signed session), always on Path=/api, HttpOnly, with Go's
 * attribute order (Path, Expires, HttpOnly, Secure, SameSite). Whether a
 * context is secure is the caller's decision, made by http_is_secure():
 * TLS on the connection, or X-Forwarded-Proto: https from a configured
 * trusted proxy, never from a client header alone. Secure contexts get
 * Secure, and the cross-site `user` cookie gets SameSite=None; insecure
 * ones SameSite=Lax.
 */
#ifndef CD_API_COOKIE_H
#define CD_API_COOKIE_H

#include <stddef.h>
#include <stdint.h>

#define COOKIE_MAX 4200 /* room for a 4096-byte token plus attributes */

/* `auth=<token>; Path=/api; HttpOnly; [Secure; ]SameSite=Lax` (a session
 * cookie: no Expires). Writes at most COOKIE_MAX bytes to out. */
void cookie_auth(char *out, size_t size, const char *token, int secure);
/* The `auth` cookie cleared (empty, expired in 1970). */
void cookie_auth_clear(char *out, size_t size, int secure);
/* `user=<id>; Path=/api; Expires=<now + days>; HttpOnly; ...` */
void cookie_user(char *out, size_t size, const char *user_id, int64_t now_s,
                 int days, int secure);
/* The `user` cookie cleared. */
void cookie_user_clear(char *out, size_t size, int secure);

#endif /* CD_API_COOKIE_H */
