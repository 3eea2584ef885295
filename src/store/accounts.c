/* accounts.c -- accounts, the empty-database test and bootstrap.
 *
 * The backend-neutral half of the account functions of store.h: argument
 * checks, transactions, and rows of text turned into struct
 * store_account. The SQL is the dialect's (struct store_accounts_sql,
 * store_backend.h), run through store_query() and store_count().
 *
 * Offen's management flows (reference §9.8, §11.6-§11.8) define what each
 * write touches: creating an account writes the account and its creator's
 * relationship together; retiring one sets `retired` and deletes every
 * relationship to it; bootstrap (Offen's setup) drops every table but
 * tombstones, migrates again and inserts the new rows, all in one
 * transaction, so a failure leaves the database as it was.
 *
 * Threading: each call uses st only; a struct store belongs to one thread.
 */
#include "common/common.h"

#include <stdio.h>
#include <strings.h>

#include "common/xalloc.h"
#include "store/store.h"
#include "store/store_backend.h"
#include "store/store_int.h"

#define ACCOUNT_NCOL 8 /* the ACCOUNT rows of store_backend.h */

void store_account_release(struct store_account *a)
{
    if (a == NULL)
        return;
    free(a->account_id);
    free(a->name);
    free(a->public_key);
    free(a->encrypted_private_key);
    free(a->user_salt);
    free(a->account_styles);
    memset(a, 0, sizeof(*a));
}

void store_account_list_release(struct store_account_list *l)
{
    if (l == NULL)
        return;
    for (size_t i = 0; i < l->n; i++)
        store_account_release(&l->v[i]);
    free(l->v);
    memset(l, 0, sizeof(*l));
}

/* Booleans as the dialects return them: 0/1 (SQLite, MySQL), t/f
 * (PostgreSQL), true/false. NULL is false. */
static bool parse_bool(const char *s)
{
    if (s == NULL)
        return false;
    if (strcasecmp(s, "t") == 0 || strcasecmp(s, "true") == 0)
        return true;
    return strtod(s, NULL) != 0;
}

struct account_rows {
    struct store_account_list *list;
    size_t cap;
};

static int account_row(void *ctx, const char *const *col, size_t ncol,
                       struct cd_error *err)
{
    struct account_rows *r = ctx;
    struct store_account *a;
    int64_t created = STORE_TIME_ZERO_MS;

    if (ncol != ACCOUNT_NCOL)
        return cd_error_set(err, CD_ESTORE, "account row of %zu columns",
                            ncol);
    if (col[7] != NULL && store_time_parse(col[7], &created) < 0)
        return cd_error_set(err, CD_ESTORE,
                            "account %s: cannot parse created '%s'",
                            store_str(col[0]), col[7]);
    if (r->list->n == r->cap) {
        r->cap = r->cap != 0 ? 2 * r->cap : 4;
        r->list->v = xrealloc(r->list->v, r->cap * sizeof(*r->list->v));
    }
    a = &r->list->v[r->list->n++];
    a->account_id = store_col_dup(col[0]);
    a->name = store_col_dup(col[1]);
    a->public_key = store_col_dup(col[2]);
    a->encrypted_private_key = store_col_dup(col[3]);
    a->user_salt = store_col_dup(col[4]);
    a->retired = parse_bool(col[5]);
    a->account_styles = store_col_dup(col[6]);
    a->created_unix_ms = created;
    return CD_OK;
}

static int account_rows(struct store *st, const char *sql,
                        const char *const *params, size_t n,
                        struct store_account_list *out, struct cd_error *err)
{
    struct account_rows r = {.list = out};
    int rc;

    memset(out, 0, sizeof(*out));
    rc = store_query(st, sql, params, n, account_row, &r, err);
    if (rc < 0)
        store_account_list_release(out);
    return rc;
}

static bool empty_str(const char *s)
{
    return s == NULL || *s == '\0';
}

bool store_is_empty(struct store *st)
{
    long long empty = 0;

    if (store_count(st, store_sql(st)->is_empty, NULL, 0, &empty, NULL) < 0)
        return false;
    return empty == 1;
}

int store_account_get(struct store *st, const char *account_id,
                      bool active_only, struct store_account *out,
                      struct cd_error *err)
{
    struct store_account_list list = {0};
    int rc = CD_EINVAL;

    memset(out, 0, sizeof(*out));
    if (empty_str(account_id)) {
        cd_error_set(err, rc, "no account id");
        goto out;
    }
    rc = account_rows(st, store_sql(st)->account_by_id[active_only],
                      &account_id, 1, &list, err);
    if (rc < 0)
        goto out;
    rc = CD_ENOTFOUND;
    if (list.n == 0) {
        cd_error_set(err, rc, "no such account");
        goto out;
    }
    *out = list.v[0];
    memset(&list.v[0], 0, sizeof(list.v[0]));
    rc = CD_OK;
out:
    store_account_list_release(&list);
    return rc;
}

int store_accounts_all(struct store *st, bool active_only,
                       struct store_account_list *out, struct cd_error *err)
{
    return account_rows(st, store_sql(st)->accounts_all[active_only], NULL,
                        0, out, err);
}

int store_account_name_taken(struct store *st, const char *name, bool *taken,
                             struct cd_error *err)
{
    long long n = 0;
    int rc;

    *taken = false;
    if (name == NULL)
        return cd_error_set(err, CD_EINVAL, "no account name");
    rc = store_count(st, store_sql(st)->account_name_count, &name, 1, &n,
                     err);
    *taken = rc == CD_OK && n > 0;
    return rc;
}

/* INSERT the account row; created 0 is now. */
static int account_insert(struct store *st, const struct store_account *a,
                          struct cd_error *err)
{
    char created[STORE_TIME_TEXT_SIZE];
    int64_t ms = a->created_unix_ms;
    const char *p[ACCOUNT_NCOL];
    struct timespec ts;

    if (empty_str(a->account_id))
        return cd_error_set(err, CD_EINVAL, "no account id");
    if (ms == 0) {
        clock_gettime(CLOCK_REALTIME, &ts);
        ms = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
    }
    if (store_time_format(ms, created) < 0)
        return cd_error_set(err, CD_EINVAL, "created time out of range");
    p[0] = a->account_id;
    p[1] = store_str(a->name);
    p[2] = store_str(a->public_key);
    p[3] = store_str(a->encrypted_private_key);
    p[4] = store_str(a->user_salt);
    p[5] = a->retired ? "1" : "0";
    p[6] = store_str(a->account_styles);
    p[7] = created;
    return store_query(st, store_sql(st)->account_insert, p, ACCOUNT_NCOL,
                       NULL, NULL, err);
}

struct create_args {
    const struct store_account *acc;
    const struct store_relationship *rel;
};

static int create_tx(struct store *st, const void *arg, struct cd_error *err)
{
    const struct create_args *a = arg;
    const char *name = store_str(a->acc->name);
    long long n = 0;
    int rc = store_count(st, store_sql(st)->account_name_count, &name, 1, &n,
                         err);

    if (rc == CD_OK && n > 0)
        rc = cd_error_set(err, CD_EEXIST, "an account named '%s' exists",
                          name);
    if (rc == CD_OK)
        rc = account_insert(st, a->acc, err);
    if (rc == CD_OK && a->rel != NULL)
        rc = store_relationships_write(st, a->rel, 1, NULL, false, err);
    return rc;
}

int store_account_create(struct store *st, const struct store_account *acc,
                         const struct store_relationship *rel,
                         struct cd_error *err)
{
    struct create_args args = {acc, rel};
    int rc = CD_EINVAL;

    if (empty_str(acc->account_id) || empty_str(acc->name)) {
        cd_error_set(err, rc, "an account needs an id and a name");
        goto out;
    }
    rc = store_tx(st, create_tx, &args, err);
out:
    return rc < 0 ? store_wrap_error(err, rc, "create account") : rc;
}

/* COUNT the account (active ones only if asked); CD_ENOTFOUND if none. */
static int account_exists(struct store *st, const char *id, bool active,
                          struct cd_error *err)
{
    long long n = 0;
    int rc = store_count(st, store_sql(st)->account_count[active], &id, 1,
                         &n, err);

    if (rc == CD_OK && n == 0)
        rc = cd_error_set(err, CD_ENOTFOUND, "no such account%s",
                          active ? ", or retired already" : "");
    return rc;
}

static int retire_tx(struct store *st, const void *arg, struct cd_error *err)
{
    const char *id = arg;
    int rc = account_exists(st, id, true, err);

    if (rc == CD_OK)
        rc = store_query(st, store_sql(st)->account_retire, &id, 1, NULL,
                         NULL, err);
    if (rc == CD_OK)
        rc = store_query(st, store_sql(st)->account_rels_delete, &id, 1,
                         NULL, NULL, err);
    return rc;
}

int store_account_retire(struct store *st, const char *account_id,
                         struct cd_error *err)
{
    int rc = CD_EINVAL;

    if (empty_str(account_id))
        cd_error_set(err, rc, "no account id");
    else
        rc = store_tx(st, retire_tx, account_id, err);
    return rc < 0 ? store_wrap_error(err, rc, "retire account") : rc;
}

struct styles_args {
    const char *account_id, *css;
};

static int styles_tx(struct store *st, const void *arg, struct cd_error *err)
{
    const struct styles_args *a = arg;
    const char *p[2] = {store_str(a->css), a->account_id};
    int rc = account_exists(st, a->account_id, false, err);

    if (rc == CD_OK)
        rc = store_query(st, store_sql(st)->account_set_styles, p, 2, NULL,
                         NULL, err);
    return rc;
}

int store_account_set_styles(struct store *st, const char *account_id,
                             const char *css, struct cd_error *err)
{
    struct styles_args args = {account_id, css};
    int rc = CD_EINVAL;

    if (empty_str(account_id))
        cd_error_set(err, rc, "no account id");
    else
        rc = store_tx(st, styles_tx, &args, err);
    return rc < 0 ? store_wrap_error(err, rc, "set account styles") : rc;
}

/* ---- bootstrap -------------------------------------------------------- */

struct bootstrap_args {
    const struct store_account *accounts;
    size_t naccounts;
    const struct store_user *users;
    size_t nusers;
    bool force;
    bool *refused; /* set: not empty, and not forced */
};

static int bootstrap_reset(struct store *st, struct cd_error *err)
{
    const char *const *drop = store_sql(st)->bootstrap_drop;
    int rc = CD_OK;

    for (size_t i = 0; drop[i] != NULL && rc == CD_OK; i++)
        rc = store_query(st, drop[i], NULL, 0, NULL, NULL, err);
    if (rc == CD_OK)
        rc = store_migrate_in_tx(st, err);
    return rc;
}

static int bootstrap_tx(struct store *st, const void *arg,
                        struct cd_error *err)
{
    const struct bootstrap_args *a = arg;
    int rc = CD_OK;

    /* Checked inside the transaction, so nothing can be written between
     * the check and the drop. */
    if (!a->force && !store_is_empty(st)) {
        *a->refused = true;
        return cd_error_set(err, CD_EEXIST, "action would overwrite "
                                            "existing data - not allowed");
    }
    rc = bootstrap_reset(st, err);
    for (size_t i = 0; i < a->naccounts && rc == CD_OK; i++)
        rc = account_insert(st, &a->accounts[i], err);
    for (size_t i = 0; i < a->nusers && rc == CD_OK; i++)
        rc = store_user_write(st, &a->users[i], false, err);
    return rc;
}

int store_bootstrap(struct store *st, const struct store_account *accounts,
                    size_t naccounts, const struct store_user *users,
                    size_t nusers, bool force, struct cd_error *err)
{
    bool refused = false;
    struct bootstrap_args args = {accounts, naccounts, users, nusers, force,
                                  &refused};
    int rc = store_tx(st, bootstrap_tx, &args, err);

    if (rc < 0 && !refused) /* Offen's refusal keeps its words */
        store_wrap_error(err, rc, "bootstrap");
    return rc;
}
