/* guard.h -- cross-site requests and the security headers of every answer.
 *
 * Browsers say where a request comes from (Origin, Sec-Fetch-Site); a
 * request that changes state with the caller's cookies must come from this
 * server's own pages (the operators' app, the vault, which runs on this
 * origin even when a site on another origin frames it). Clients that send
 * neither header (curl, server-to-server) are not browsers acting for a
 * victim and pass. Framing: only the vault may be framed, by anyone (sites
 * embed it); everything else refuses framing.
 */
#ifndef CD_HTTP_GUARD_H
#define CD_HTTP_GUARD_H

struct http_req;

/* Offen's CSP (reference/offen-server.md §6.3) tightened: no inline or
 * eval'd script (every script of web/ is a file), no plugins, no <base>,
 * forms only to us. Inline styles stay: the vault injects the account's
 * validated styles, the landing page has a <style> element. */
#define GUARD_CSP_COMMON                                                     \
    "default-src 'self'; script-src 'self'; "                                \
    "style-src 'self' 'unsafe-inline'; img-src 'self' data:; "               \
    "object-src 'none'; base-uri 'none'; "
/* Every HTML answer but the vault: never framed. */
#define GUARD_CSP_PAGE                                                       \
    GUARD_CSP_COMMON "form-action 'self'; frame-ancestors 'none'"
/* The vault: framed by the sites that embed it, on any origin. */
#define GUARD_CSP_VAULT                                                      \
    GUARD_CSP_COMMON "form-action 'none'; frame-ancestors *"

/* 1 if r was sent by a browser from another site: Sec-Fetch-Site is
 * cross-site, or same-site without an Origin that is ours, or an Origin
 * (including "null") whose host[:port] is not the request's Host (the
 * scheme is not compared: behind a TLS-terminating proxy we see http while
 * the browser says https; the proxy must pass Host through). 0 otherwise,
 * including requests with neither header. */
int guard_cross_site(const struct http_req *r);

/* Headers for every answer: X-Content-Type-Options: nosniff and
 * Referrer-Policy: no-referrer; unless frameable, X-Frame-Options: DENY;
 * over TLS, Strict-Transport-Security (a year). Call it once per answer. */
void guard_headers(struct http_req *r, int frameable);

#endif /* CD_HTTP_GUARD_H */
