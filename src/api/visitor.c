/* visitor.c -- the visitor's routes: key exchange, own events, purge.
 *
 * A visitor is known only by the random id in their `user` cookie. For
 * each account, the server files what they send under
 * secret_id = SHA-256(user id || account's user salt) (crypto/hashfast.h),
 * so the database never links a visitor's rows across accounts, and the
 * visitor's reads and purges recompute the ids for every account.
 *
 * GET /api/exchange runs on the loop (one read); the others run on the
 * worker pool (api/call.h) because they touch every account and write.
 */
#include "common/common.h"

#include "api/api.h"
#include "api/body.h"
#include "api/call.h"
#include "api/cookie.h"
#include "common/config.h"
#include "common/log.h"
#include "common/timefmt.h"
#include "common/xalloc.h"
#include "crypto/hashfast.h"
#include "crypto/random.h"
#include "crypto/ulid.h"
#include "http/http.h"
#include "store/store.h"

#define VISITOR_SECRET_MAX 8192 /* bytes of an RSA-wrapped visitor key */

static const struct store_ulids visitor_ulids = {
    .next = crypto_ulid_new,
    .sibling = crypto_ulid_sibling,
};
#define VISITOR_ACCOUNT_MAX 64

/* GET /api/exchange?accountId=: what a vault needs to encrypt for it. */
void api_exchange_get(struct http_req *r)
{
    struct store_account acc = {0};
    struct cd_error err = {0};
    char created[TIMEFMT_RFC3339_SIZE];
    struct http_str id;
    char *account;
    json_t *pub;
    int rc;

    if (!http_query_param(r, "accountId", &id) || id.len == 0 ||
        id.len > VISITOR_ACCOUNT_MAX) {
        http_reply_error(r, 400, "no or invalid accountId");
        return;
    }
    account = http_strdup(r, id);
    rc = store_account_get(api_loop_of(r)->store, account, true, &acc, &err);
    if (rc < 0) {
        http_reply_error(r, rc == CD_ESTORE ? 503 : 400, "unknown account %s",
                         account);
        return;
    }
    pub = json_loads(acc.public_key, 0, NULL);
    timefmt_rfc3339(acc.created_unix_ms, created);
    http_reply_json(r, 200, json_pack("{s:s,s:s,s:o,s:s}", "accountId",
                                      acc.account_id, "name", acc.name,
                                      "publicKey", pub ? pub : json_null(),
                                      "created", created));
    store_account_release(&acc);
}

/* The visitor's secret id for every account, retired ones included. */
static int secret_ids(struct store *st, const char *user,
                      struct store_account_list *accounts, char ***ids,
                      struct cd_error *err)
{
    int rc = store_accounts_all(st, false, accounts, err);

    *ids = NULL;
    if (rc < 0)
        return rc;
    *ids = xcalloc(accounts->n ? accounts->n : 1, sizeof(**ids));
    for (size_t i = 0; i < accounts->n; i++) {
        const struct store_account *a = &accounts->v[i];

        (*ids)[i] = xmalloc(CRYPTO_SECRET_ID_SIZE);
        rc = crypto_hash_fast(user, strlen(user), a->user_salt,
                              strlen(a->user_salt), (*ids)[i]);
        if (rc < 0) /* an account with a broken salt matches no one */
            snprintf((*ids)[i], CRYPTO_SECRET_ID_SIZE, "-");
    }
    return CD_OK;
}

static void ids_free(char **ids, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(ids[i]);
    free(ids);
}

static char *user_of(struct call *c)
{
    return c->user; /* NULL when the request had no `user` cookie */
}

/* POST /api/exchange {accountId, encryptedSecret} */
static void exchange_post(struct call *c, struct store *st)
{
    struct store_account acc = {0};
    struct cd_error err = {0};
    char secret[CRYPTO_SECRET_ID_SIZE], parked[CRYPTO_SECRET_ID_SIZE];
    char uuid[37], park[37], cookie[COOKIE_MAX];
    const char *account, *encrypted;
    const char *user = user_of(c);
    int rc;

    if (body_string(c->body, "accountId", VISITOR_ACCOUNT_MAX, &account,
                    &err) < 0 ||
        body_string(c->body, "encryptedSecret", VISITOR_SECRET_MAX,
                    &encrypted, &err) < 0) {
        call_reply_error(c, err.rc == CD_ETOOBIG ? 413 : 400, "%s", err.msg);
        return;
    }
    if (*encrypted == '\0') {
        call_reply_error(c, 400, "encryptedSecret is missing");
        return;
    }
    if (user == NULL) {
        if (crypto_uuid4(uuid) < 0) {
            call_reply_error(c, 500, "cannot make an id");
            return;
        }
        user = uuid;
    }
    rc = store_account_get(st, account, true, &acc, &err);
    if (rc < 0) {
        call_reply_error(c, rc == CD_ESTORE ? 503 : 400, "unknown account %s",
                         account);
        return;
    }
    if (crypto_hash_fast(user, strlen(user), acc.user_salt,
                         strlen(acc.user_salt), secret) < 0 ||
        crypto_uuid4(park) < 0 ||
        crypto_hash_fast(park, strlen(park), acc.user_salt,
                         strlen(acc.user_salt), parked) < 0) {
        call_reply_error(c, 400, "the account cannot take secrets");
        goto out;
    }
    rc = store_secret_associate(st, secret, encrypted, parked, &visitor_ulids,
                                NULL, &err);
    if (rc < 0) {
        log_warn("exchange: %s", err.msg);
        call_reply_error(c, rc == CD_ESTORE ? 503 : 400, "cannot store the "
                         "secret");
        goto out;
    }
    cookie_user(cookie, sizeof(cookie), user, timefmt_now_s(),
                c->app->cfg->app_retention_days, c->secure);
    call_set_cookie(c, cookie);
    call_reply_empty(c, 204);
out:
    store_account_release(&acc);
}

struct events_out {
    json_t *events;     /* accountId -> [events] */
    json_t *deleted;    /* [eventId] of tombstones, or NULL */
    char sequence[CRYPTO_ULID_SIZE];
};

static int add_tombstone(void *ctx, const struct store_tombstone *t)
{
    struct events_out *o = ctx;

    if (o->deleted == NULL)
        o->deleted = json_array();
    json_array_append_new(o->deleted, json_string(t->event_id));
    api_keep_max(o->sequence, t->sequence);
    return 0;
}

static int add_event(void *ctx, const struct store_event *ev)
{
    struct events_out *o = ctx;
    const char *account = ev->account_id;
    json_t *list = json_object_get(o->events, account);

    if (list == NULL) {
        list = json_array();
        json_object_set_new(o->events, account, list);
    }
    json_array_append_new(list, json_pack("{s:s,s:s,s:s}", "accountId",
                                          account, "eventId", ev->event_id,
                                          "payload", ev->payload));
    api_keep_max(o->sequence, ev->sequence);
    return 0;
}

/* GET /api/events[?since=] */
static void events_get(struct call *c, struct store *st)
{
    struct store_account_list accounts = {0};
    struct cd_error err = {0};
    struct events_out o = {0};
    char *since = call_query_param(c, "since");
    char **ids = NULL;
    json_t *reply;
    int rc;

    if (since != NULL && *since != '\0' &&
        !crypto_ulid_valid(since, strlen(since))) {
        call_reply_error(c, 400, "since is not a sequence");
        goto out;
    }
    if (since != NULL && *since == '\0') {
        free(since);
        since = NULL;
    }
    rc = secret_ids(st, c->user, &accounts, &ids, &err);
    o.events = json_object();
    if (rc == CD_OK)
        rc = store_events_by_secrets(st, (const char *const *)ids,
                                     accounts.n, since, add_event, &o, &err);
    if (rc == CD_OK && since != NULL)
        rc = store_tombstones_by_secrets(st, (const char *const *)ids,
                                         accounts.n, since, add_tombstone, &o,
                                         &err);
    if (rc < 0) {
        log_error("events: %s", err.msg);
        json_decref(o.events);
        json_decref(o.deleted);
        call_reply_error(c, 503, "database unavailable");
        goto out;
    }
    reply = json_pack("{s:o,s:s}", "events", o.events, "retentionPeriod",
                      api_retention_name(c->app->cfg->app_retention_days));
    if (o.deleted != NULL)
        json_object_set_new(reply, "deletedEvents", o.deleted);
    if (*o.sequence != '\0')
        json_object_set_new(reply, "sequence", json_string(o.sequence));
    call_reply_json(c, 200, reply);
out:
    ids_free(ids, accounts.n);
    store_account_list_release(&accounts);
    free(since);
}

/* POST /api/purge[?user=1] */
static void purge(struct call *c, struct store *st)
{
    struct store_account_list accounts = {0};
    struct cd_error err = {0};
    char cookie[COOKIE_MAX];
    char *clear = call_query_param(c, "user");
    char **ids = NULL;
    size_t removed = 0;
    int rc;

    rc = secret_ids(st, c->user, &accounts, &ids, &err);
    if (rc == CD_OK)
        rc = store_purge_secrets(st, (const char *const *)ids, accounts.n,
                                 &visitor_ulids, &removed, &err);
    if (rc < 0) {
        log_error("purge: %s", err.msg);
        call_reply_error(c, 503, "database unavailable");
    } else {
        if (clear != NULL && *clear != '\0') {
            cookie_user_clear(cookie, sizeof(cookie), c->secure);
            call_set_cookie(c, cookie);
        }
        call_reply_empty(c, 204);
    }
    ids_free(ids, accounts.n);
    store_account_list_release(&accounts);
    free(clear);
}

static void need_user(struct http_req *r, call_fn fn)
{
    struct http_str v;

    if (!http_cookie(r, "user", &v)) {
        http_reply_error(r, 400, "user cookie: received no or blank "
                         "identifier");
        return;
    }
    call_start(r, fn, 0);
}

void api_exchange_post(struct http_req *r)
{
    call_start(r, exchange_post, CALL_BODY);
}

void api_events_get(struct http_req *r)
{
    need_user(r, events_get);
}

void api_purge(struct http_req *r)
{
    need_user(r, purge);
}
