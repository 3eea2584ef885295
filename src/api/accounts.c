/* accounts.c -- /api/accounts: read, create and retire accounts, and the
 * consent banner's styles.
 *
 * GET returns what an operator's browser needs to decrypt the account's
 * data: the public key, the private key encrypted with the KEK the login
 * handed out, and (from the events issue on) the events and the visitors'
 * wrapped secrets. Creating an account re-checks the operator's password,
 * as Offen does, because the new account's KEK is wrapped with it.
 */
#include "common/common.h"

#include "api/api.h"
#include "api/auth.h"
#include "api/body.h"
#include "api/call.h"
#include "api/css.h"
#include "api/operator.h"
#include "api/sanitize.h"
#include "common/config.h"
#include "common/log.h"
#include "common/timefmt.h"
#include "crypto/memeq.h"
#include "crypto/ulid.h"
#include "store/store.h"

static json_t *account_json(const struct store_account *a, int retention)
{
    char created[TIMEFMT_RFC3339_SIZE];
    json_t *pub = json_loads(a->public_key, 0, NULL);
    json_t *v;

    timefmt_rfc3339(a->created_unix_ms, created);
    v = json_pack("{s:s,s:s,s:o,s:s,s:s,s:s}", "accountId", a->account_id,
                  "name", a->name, "publicKey", pub ? pub : json_null(),
                  "encryptedPrivateKey", a->encrypted_private_key, "created",
                  created, "retentionPeriod", api_retention_name(retention));
    if (v != NULL && *a->account_styles != '\0')
        json_object_set_new(v, "accountStyles",
                            json_string(a->account_styles));
    return v;
}

struct account_events {
    json_t *events;  /* [{secretId?, eventId, payload}] */
    json_t *secrets; /* secretId -> encryptedSecret */
    json_t *deleted; /* [eventId] */
    json_t *wanted;  /* secretId -> true, to look up afterwards */
    char sequence[CRYPTO_ULID_SIZE];
};

static int add_event(void *ctx, const struct store_event *ev)
{
    struct account_events *o = ctx;
    json_t *e = json_pack("{s:s,s:s}", "eventId", ev->event_id, "payload",
                          ev->payload);

    if (ev->secret_id != NULL) {
        json_object_set_new(e, "secretId", json_string(ev->secret_id));
        json_object_set_new(o->wanted, ev->secret_id, json_true());
    }
    json_array_append_new(o->events, e);
    api_keep_max(o->sequence, ev->sequence);
    return 0;
}

static int add_tombstone(void *ctx, const struct store_tombstone *t)
{
    struct account_events *o = ctx;

    json_array_append_new(o->deleted, json_string(t->event_id));
    api_keep_max(o->sequence, t->sequence);
    return 0;
}

static int add_secret(void *ctx, const char *id, const char *secret)
{
    json_object_set_new(((struct account_events *)ctx)->secrets, id,
                        json_string(secret));
    return 0;
}

/* Events since `since` (by sequence: Offen compares event ids, which
 * misses parked events), their visitors' wrapped secrets, and with since,
 * the ids deleted meanwhile. Adds them to v as Offen's fields. */
static int add_events(struct store *st, const char *account_id,
                      const char *since, json_t *v, struct cd_error *err)
{
    struct account_events o = {json_array(), json_object(), json_array(),
                               json_object(), ""};
    const char **ids = NULL;
    size_t n = 0;
    const char *key;
    json_t *val;
    int rc;

    rc = store_events_by_account(st, account_id, since, add_event, &o, err);
    if (rc == CD_OK && since != NULL)
        rc = store_tombstones_by_account(st, account_id, since,
                                         add_tombstone, &o, err);
    if (rc == CD_OK && json_object_size(o.wanted) > 0) {
        ids = calloc(json_object_size(o.wanted), sizeof(*ids));
        json_object_foreach(o.wanted, key, val)
            ids[n++] = key;
        rc = store_secrets_get_many(st, ids, n, add_secret, &o, err);
        free(ids);
    }
    if (rc == CD_OK) {
        if (json_array_size(o.events) > 0)
            json_object_set_new(v, "events", json_pack("{s:O}", account_id,
                                                       o.events));
        if (json_array_size(o.deleted) > 0)
            json_object_set(v, "deletedEvents", o.deleted);
        if (json_object_size(o.secrets) > 0)
            json_object_set(v, "secrets", o.secrets);
        if (*o.sequence != '\0')
            json_object_set_new(v, "sequence", json_string(o.sequence));
    }
    json_decref(o.events);
    json_decref(o.secrets);
    json_decref(o.deleted);
    json_decref(o.wanted);
    return rc;
}

static void account_get(struct call *c, struct store *st)
{
    struct operator_login l;
    struct store_account a = {0};
    struct cd_error err = {0};
    char *since = NULL;
    json_t *v = NULL;
    int rc;

    if (auth_require(c, st, &l) < 0)
        return;
    if (!auth_has_account(&l, c->params[0])) {
        call_reply_error(c, 403, "not allowed to access account %s",
                         c->params[0]);
        goto out;
    }
    since = call_query_param(c, "since");
    if (since != NULL && *since != '\0' &&
        !crypto_ulid_valid(since, strlen(since))) {
        call_reply_error(c, 400, "since is not a sequence");
        goto out;
    }
    rc = store_account_get(st, c->params[0], false, &a, &err);
    if (rc == CD_OK) {
        v = account_json(&a, c->app->cfg->app_retention_days);
        rc = add_events(st, a.account_id, since && *since ? since : NULL, v,
                        &err);
    }
    if (rc == CD_ENOTFOUND) {
        call_reply_error(c, 404, "unknown account %s", c->params[0]);
    } else if (rc < 0) {
        log_error("account: %s", err.msg);
        call_reply_error(c, 503, "database unavailable");
    } else {
        call_reply_json(c, 200, v);
        v = NULL;
    }
    json_decref(v);
    store_account_release(&a);
out:
    free(since);
    operator_login_release(&l);
}

static void account_delete(struct call *c, struct store *st)
{
    struct operator_login l;
    struct cd_error err = {0};
    int rc;

    if (auth_require(c, st, &l) < 0)
        return;
    if (!auth_has_account(&l, c->params[0]) || l.admin_level != 1) {
        call_reply_error(c, 403, "not allowed to retire account %s",
                         c->params[0]);
        goto out;
    }
    rc = store_account_retire(st, c->params[0], &err);
    if (rc == CD_ENOTFOUND)
        call_reply_error(c, 404, "unknown account %s", c->params[0]);
    else if (rc < 0)
        call_reply_error(c, 503, "database unavailable");
    else
        call_reply_empty(c, 204);
out:
    operator_login_release(&l);
}

/* Create the account and the creator's relationship to it. */
static int create(struct store *st, const char *name, const char *email,
                  const char *password, const char *user_id,
                  struct cd_error *err)
{
    struct store_user u = {0};
    struct store_account acc;
    struct store_relationship rel;
    unsigned char kek[32];
    int rc;

    rc = store_user_get(st, user_id, false, &u, err);
    if (rc < 0)
        return rc;
    rc = operator_account_new(NULL, name, &acc, kek, err);
    if (rc == CD_OK) {
        rc = operator_grant(&u, email, password, acc.account_id, kek, &rel,
                            err);
        if (rc == CD_OK) {
            rc = store_account_create(st, &acc, &rel, err);
            store_relationship_release(&rel);
        }
        store_account_release(&acc);
    }
    crypto_wipe(kek, sizeof(kek));
    store_user_release(&u);
    return rc;
}

static void account_post(struct call *c, struct store *st)
{
    struct operator_login session, l;
    struct cd_error err = {0};
    const char *name, *email, *password;
    char *clean = NULL;
    bool taken = false;
    int rc;

    if (auth_require(c, st, &session) < 0)
        return;
    memset(&l, 0, sizeof(l));
    if (body_string(c->body, "accountName", 0, &name, &err) < 0 ||
        body_string(c->body, "emailAddress", OPERATOR_EMAIL_MAX, &email,
                    &err) < 0 ||
        body_string(c->body, "password", 0, &password, &err) < 0) {
        call_reply_error(c, 400, "%s", err.msg);
        goto out;
    }
    if (operator_login(st, &c->app->keys, email, password, &l, &err) < 0) {
        call_reply_error(c, 401, "invalid credentials");
        goto out;
    }
    if (strcmp(l.account_user_id, session.account_user_id) != 0) {
        call_reply_error(c, 400, "credentials do not match the session");
        goto out;
    }
    if (l.admin_level != 1) {
        call_reply_error(c, 403, "only super admins create accounts");
        goto out;
    }
    clean = sanitize_name(name, strlen(name));
    if (clean == NULL || *clean == '\0') {
        call_reply_error(c, 400, "the account name is empty or invalid");
        goto out;
    }
    if (store_account_name_taken(st, clean, &taken, &err) < 0 || taken) {
        call_reply_error(c, taken ? 409 : 503, taken ? "an account named %s "
                         "exists already" : "database unavailable", clean);
        goto out;
    }
    rc = create(st, clean, email, password, l.account_user_id, &err);
    if (rc < 0) {
        log_error("create account: %s", err.msg);
        call_reply_error(c, 500, "cannot create the account");
        goto out;
    }
    call_reply_json(c, 201, NULL);
out:
    free(clean);
    operator_login_release(&l);
    operator_login_release(&session);
}

static void account_styles(struct call *c, struct store *st)
{
    struct operator_login l;
    struct cd_error err = {0};
    const char *css;
    char *dry;
    int rc;

    if (body_string(c->body, "accountStyles", CSS_MAX_BYTES + 1, &css,
                    &err) < 0) {
        call_reply_error(c, 400, "%s", err.msg);
        return;
    }
    if (auth_require(c, st, &l) < 0)
        return;
    if (!auth_has_account(&l, c->params[0])) {
        call_reply_error(c, 401, "not allowed to change account %s",
                         c->params[0]);
        goto out;
    }
    if (css_validate(css, strlen(css), &err) < 0) {
        call_reply_error(c, 400, "invalid styles: %s", err.msg);
        goto out;
    }
    dry = call_query_param(c, "dryRun");
    if (dry != NULL && *dry != '\0') {
        free(dry);
        call_reply_empty(c, 204);
        goto out;
    }
    free(dry);
    rc = store_account_set_styles(st, c->params[0], css, &err);
    if (rc == CD_ENOTFOUND)
        call_reply_error(c, 404, "unknown account %s", c->params[0]);
    else if (rc < 0)
        call_reply_error(c, 503, "database unavailable");
    else
        call_reply_empty(c, 204);
out:
    operator_login_release(&l);
}

void api_account_get(struct http_req *r)
{
    call_start(r, account_get, 0);
}

void api_account_delete(struct http_req *r)
{
    call_start(r, account_delete, 0);
}

void api_account_post(struct http_req *r)
{
    call_start(r, account_post, CALL_BODY);
}

void api_account_styles(struct http_req *r)
{
    call_start(r, account_styles, CALL_BODY);
}
