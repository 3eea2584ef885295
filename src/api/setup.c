/* setup.c -- GET and POST /api/setup: the first account and operator.
 *
 * Setup is allowed only while the database is empty (Offen's definition,
 * store_is_empty()). Unlike Offen, which answers every failure with 500, a
 * bad name or password is 400 and a database that is not empty is 403, the
 * same answer GET /api/setup gives then.
 */
#include "common/common.h"
#include "api/setup.h"

#include "api/api.h"
#include "api/body.h"
#include "api/call.h"
#include "api/operator.h"
#include "api/sanitize.h"
#include "common/log.h"
#include "crypto/memeq.h"
#include "http/http.h"
#include "store/store.h"

int setup_bootstrap(struct store *st, const struct operator_keys *k,
                    const char *account_id, const char *name,
                    const char *email, const char *password, bool force,
                    char out_id[SETUP_ID_SIZE], struct cd_error *err)
{
    struct store_account acc;
    struct store_user u;
    struct store_relationship rel;
    unsigned char kek[32];
    int rc;

    if (!force && !store_is_empty(st))
        return cd_error_set(err, CD_EEXIST, "action would overwrite "
                            "existing data - not allowed");
    rc = operator_account_new(account_id, name, &acc, kek, err);
    if (rc < 0)
        return rc;
    rc = operator_user_new(email, password, 1, &u, err);
    if (rc == CD_OK) {
        rc = operator_grant(&u, email, password, acc.account_id, kek, &rel,
                            err);
        if (rc == CD_OK) {
            u.rels = &rel;
            u.nrels = 1;
            rc = store_bootstrap(st, &acc, 1, &u, 1, force, err);
            u.rels = NULL;
            u.nrels = 0;
            store_relationship_release(&rel);
        }
        if (rc == CD_OK)
            rc = operator_set_lookup(st, k, u.account_user_id, email, err);
        if (rc == CD_OK && out_id != NULL)
            snprintf(out_id, SETUP_ID_SIZE, "%s", acc.account_id);
        store_user_release(&u);
    }
    crypto_wipe(kek, sizeof(kek));
    store_account_release(&acc);
    return rc;
}

int setup_check(const char *name, const char *email, const char *password,
                char **clean_name, struct cd_error *err)
{
    *clean_name = sanitize_name(name, strlen(name));
    if (*clean_name == NULL || **clean_name == '\0') {
        free(*clean_name);
        *clean_name = NULL;
        return cd_error_set(err, CD_EINVAL, "the account name is empty or "
                            "invalid");
    }
    if (!operator_email_ok(email))
        cd_error_set(err, CD_EINVAL, "the email address is invalid");
    else if (!operator_password_ok(password))
        cd_error_set(err, CD_EINVAL, "the password must have %d to %d bytes",
                     OPERATOR_PASSWORD_MIN, OPERATOR_PASSWORD_MAX);
    else
        return CD_OK;
    free(*clean_name);
    *clean_name = NULL;
    return CD_EINVAL;
}

static void setup_post(struct call *c, struct store *st)
{
    struct cd_error err = {0};
    const char *name, *email, *password;
    char *clean = NULL;
    int rc;

    if (body_string(c->body, "accountName", 0, &name, &err) < 0 ||
        body_string(c->body, "emailAddress", OPERATOR_EMAIL_MAX, &email,
                    &err) < 0 ||
        body_string(c->body, "password", 0, &password, &err) < 0 ||
        setup_check(name, email, password, &clean, &err) < 0) {
        free(clean);
        call_reply_error(c, 400, "%s", err.msg);
        return;
    }
    rc = setup_bootstrap(st, &c->app->keys, NULL, clean, email, password,
                         false, NULL, &err);
    free(clean);
    if (rc == CD_EEXIST) {
        call_reply_error(c, 403, "%s", err.msg);
    } else if (rc < 0) {
        log_error("setup: %s", err.msg);
        call_reply_error(c, 500, "setup failed");
    } else {
        log_info("Created the first account and operator");
        call_reply_empty(c, 204);
    }
}

void api_setup_post(struct http_req *r)
{
    call_start(r, setup_post, CALL_BODY);
}

void api_setup_get(struct http_req *r)
{
    /* A handful of COUNTs on the loop's own connection: cheap. */
    if (store_is_empty(api_loop_of(r)->store))
        http_reply_empty(r, 204);
    else
        http_reply_json(r, 403, NULL);
}
