/* api.h -- Candor's HTTP API: the route table and what handlers share.
 *
 * The route table is handed to the HTTP server (http/server.h); each handler
 * lives in the file of its resource (health.c, ...). Handlers reach the
 * database through the connection of their own event loop (struct
 * api_loop) and the shared group-commit writer (struct api_app), never
 * through a global.
 */
#ifndef CD_API_API_H
#define CD_API_API_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "api/operator.h"
#include "common/err.h"
#include "http/router.h"

struct config;
struct store;
struct store_writer;
struct crypto_pool;
struct mailer;
struct mail_msg;
struct http_req;
struct ratelimit;

/* Shared by every loop and worker; read-only while serving. */
struct api_app {
    const struct config *cfg;
    struct store_writer *writer; /* group commit; NULL in tests that need none */
    struct crypto_pool *pool;    /* slow work off the loops (api/call.h) */
    struct mailer *mailer;       /* invitations and password resets */
    struct operator_keys keys;   /* from the server secret */
    struct ratelimit *ratelimit; /* throttles (ratelimit.h); NULL: none */
};

#define API_SALT_CACHE 64       /* accounts whose salt a loop keeps */
#define API_SALT_CACHE_MS 10000 /* how long: a retired account stops taking
                                 * events within this time */

/* One per event loop, created on that loop's thread. */
struct api_loop {
    struct store *store; /* this loop's own database connection */
    struct api_salt {    /* active accounts' user salts, for ingestion */
        char account_id[65];
        char user_salt[64];
        int64_t expires_ms;
    } salts[API_SALT_CACHE];
};

extern const struct route api_routes[];
extern const size_t api_routes_count;

/* Derive the keys from cfg->secret and start the worker pool (cfg must
 * outlive app). api_app_release() stops the pool after its queued work. */
int api_app_init(struct api_app *app, const struct config *cfg,
                 struct cd_error *err) CD_MUST_CHECK;
void api_app_release(struct api_app *app);

/* http_server_opts.loop_init / loop_fini: open and close the loop's
 * database connection. app is a struct api_app. */
int api_loop_init(void *app, int index, void **data, struct cd_error *err);
void api_loop_fini(void *app, void *data);

/* Offen's name of a retention in days ("6months", "12weeks", ...). */
const char *api_retention_name(int days);
/* seq = max(seq, s) for sequences (ULIDs, CRYPTO_ULID_SIZE buffers);
 * s may be NULL. */
void api_keep_max(char *seq, const char *s);

/* Handlers (one file per resource). */
void api_healthz(struct http_req *r);
void api_versionz(struct http_req *r);
void api_setup_get(struct http_req *r);
void api_setup_post(struct http_req *r);
void api_login_get(struct http_req *r);
void api_login_post(struct http_req *r);
void api_logout(struct http_req *r);
void api_account_get(struct http_req *r);
void api_account_secrets(struct http_req *r);
void api_account_post(struct http_req *r);
void api_account_delete(struct http_req *r);
void api_account_styles(struct http_req *r);
void api_vault(struct http_req *r);
void api_events_post(struct http_req *r);
void api_events_get(struct http_req *r);
void api_exchange_get(struct http_req *r);
void api_exchange_post(struct http_req *r);
void api_purge(struct http_req *r);
void api_change_password(struct http_req *r);
void api_forgot_password(struct http_req *r);
void api_reset_password(struct http_req *r);
void api_change_email(struct http_req *r);
void api_share_account(struct http_req *r);
void api_join(struct http_req *r);

/* Shared by the operator management routes (password.c). */

#define API_URL_TEMPLATE_MAX 2048 /* bytes of a urlTemplate in a request */
#define API_URL_MAX 8192          /* bytes of a link made from one */

/* Is tmpl a link template we mail: http:// or https:// (any case), then at
 * least one byte, at most API_URL_TEMPLATE_MAX bytes, no control bytes or
 * spaces. */
bool api_url_template_ok(const char *tmpl);

/* tmpl with every "{token}" replaced by token, as Offen does, in a heap
 * string *out (caller frees). CD_ETOOBIG past API_URL_MAX bytes (*out is
 * NULL then). */
int api_url_fill(const char *tmpl, const char *token,
                 char **out) CD_MUST_CHECK;

/* Which wrapped copy of the KEK api_em_rewrap() writes. */
enum api_kek_slot {
    API_KEK_PASSWORD, /* password_encrypted_kek (PW) */
    API_KEK_EMAIL,    /* email_encrypted_kek (EM) */
    API_KEK_ONE_TIME, /* one_time_encrypted_kek (OT) */
};

/* For every relationship of u: KEK = D(EK(email), EM), then the slot's
 * copy = E(key, KEK). The key of the lower-cased email, which Candor
 * writes EMs with, is derived once for all relationships; an EM it does
 * not open (a row Offen wrote under the email as typed) falls back to
 * operator_unwrap_em(). Every key is wiped. CD_OK, CD_EAUTH (an EM that
 * no key opens) or a crypto error; u is then partly rewritten, so the
 * caller must not save it. */
int api_em_rewrap(struct store_user *u, const char *email,
                  const unsigned char key[32],
                  enum api_kek_slot slot) CD_MUST_CHECK;

/* Does password match u's hashed_password? false for an operator without
 * one (invited, not joined). One Argon2id. */
bool api_password_matches(const struct store_user *u, const char *password);

/* mailer_send() through app's mailer; CD_EIO if app has none. */
int api_mail(const struct api_app *app, const char *to,
             const struct mail_msg *msg, struct cd_error *err) CD_MUST_CHECK;

/* Per-request helpers for handlers. */
struct api_loop *api_loop_of(struct http_req *r);
struct api_app *api_app_of(struct http_req *r);

#endif /* CD_API_API_H */
