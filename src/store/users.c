/* users.c -- operators, their relationships and their email lookups.
 *
 * The backend-neutral half of the user functions of store.h. Offen reads
 * a user with its relationships preloaded (reference §12.5); here one
 * statement returns both, a user LEFT JOIN its relationships ordered by
 * user, and user_row() folds consecutive rows of one user into one struct
 * store_user. A read is therefore one consistent snapshot. Writes run in
 * one transaction each; the user's row and its relationships are upserted
 * by primary key, as GORM's Save with associations does.
 *
 * Email lookups (candor_email_lookups) spare a login the Argon2id scan
 * over every operator: see store.h for the contract and
 * docs/internals/store.md for why a lookup is tied to a hashed_email.
 *
 * Threading: each call uses st only; a struct store belongs to one thread.
 */
#include "common/common.h"

#include <inttypes.h>
#include <stdio.h>

#include "common/xalloc.h"
#include "store/store.h"
#include "store/store_backend.h"
#include "store/store_int.h"

#define USER_NCOL 11 /* the USER rows of store_backend.h */
#define REL_NCOL 6   /* the relationship's part of them, last */

void store_relationship_release(struct store_relationship *r)
{
    if (r == NULL)
        return;
    free(r->relationship_id);
    free(r->account_user_id);
    free(r->account_id);
    free(r->password_encrypted_kek);
    free(r->email_encrypted_kek);
    free(r->one_time_encrypted_kek);
    memset(r, 0, sizeof(*r));
}

void store_user_release(struct store_user *u)
{
    if (u == NULL)
        return;
    free(u->account_user_id);
    free(u->hashed_email);
    free(u->hashed_password);
    free(u->salt);
    for (size_t i = 0; i < u->nrels; i++)
        store_relationship_release(&u->rels[i]);
    free(u->rels);
    memset(u, 0, sizeof(*u));
}

void store_user_list_release(struct store_user_list *l)
{
    if (l == NULL)
        return;
    for (size_t i = 0; i < l->n; i++)
        store_user_release(&l->v[i]);
    free(l->v);
    memset(l, 0, sizeof(*l));
}

static bool empty_str(const char *s)
{
    return s == NULL || *s == '\0';
}

/* ---- reading ---------------------------------------------------------- */

struct user_rows {
    struct store_user_list *list;
    size_t cap;     /* of list->v */
    size_t rel_cap; /* of the last user's rels */
};

static struct store_user *user_add(struct user_rows *r,
                                   const char *const *col)
{
    struct store_user *u;

    if (r->list->n == r->cap) {
        r->cap = r->cap != 0 ? 2 * r->cap : 4;
        r->list->v = xrealloc(r->list->v, r->cap * sizeof(*r->list->v));
    }
    u = &r->list->v[r->list->n++];
    memset(u, 0, sizeof(*u));
    u->account_user_id = store_col_dup(col[0]);
    u->hashed_email = store_col_dup(col[1]);
    u->hashed_password = store_col_dup(col[2]);
    u->salt = store_col_dup(col[3]);
    u->admin_level = col[4] != NULL ? strtoll(col[4], NULL, 10) : 0;
    r->rel_cap = 0;
    return u;
}

static void rel_add(struct user_rows *r, struct store_user *u,
                    const char *const *col)
{
    struct store_relationship *rel;

    if (u->nrels == r->rel_cap) {
        r->rel_cap = r->rel_cap != 0 ? 2 * r->rel_cap : 2;
        u->rels = xrealloc(u->rels, r->rel_cap * sizeof(*u->rels));
    }
    rel = &u->rels[u->nrels++];
    rel->relationship_id = store_col_dup(col[0]);
    rel->account_user_id = store_col_dup(col[1]);
    rel->account_id = store_col_dup(col[2]);
    rel->password_encrypted_kek = store_col_dup(col[3]);
    rel->email_encrypted_kek = store_col_dup(col[4]);
    rel->one_time_encrypted_kek = store_col_dup(col[5]);
}

/* One row: a user and one of its relationships (or none). Rows of one
 * user come together, so a new id starts a new user. */
static int user_row(void *ctx, const char *const *col, size_t ncol,
                    struct cd_error *err)
{
    struct user_rows *r = ctx;
    struct store_user *u = NULL;

    if (ncol != USER_NCOL)
        return cd_error_set(err, CD_ESTORE, "user row of %zu columns", ncol);
    if (r->list->n > 0)
        u = &r->list->v[r->list->n - 1];
    if (u == NULL || strcmp(u->account_user_id, store_str(col[0])) != 0)
        u = user_add(r, col);
    if (col[USER_NCOL - REL_NCOL] != NULL)
        rel_add(r, u, col + USER_NCOL - REL_NCOL);
    return CD_OK;
}

static int user_rows(struct store *st, const char *sql,
                     const char *const *params, size_t n,
                     struct store_user_list *out, struct cd_error *err)
{
    struct user_rows r = {.list = out};
    int rc;

    memset(out, 0, sizeof(*out));
    rc = store_query(st, sql, params, n, user_row, &r, err);
    if (rc < 0)
        store_user_list_release(out);
    return rc;
}

/* The first user the query returns; CD_ENOTFOUND if none. */
static int user_one(struct store *st, const char *sql,
                    const char *const *params, size_t n,
                    struct store_user *out, struct cd_error *err)
{
    struct store_user_list list = {0};
    int rc = user_rows(st, sql, params, n, &list, err);

    if (rc == CD_OK && list.n == 0)
        rc = cd_error_set(err, CD_ENOTFOUND, "no such user");
    if (rc == CD_OK) {
        *out = list.v[0];
        memset(&list.v[0], 0, sizeof(list.v[0]));
    }
    store_user_list_release(&list);
    return rc;
}

int store_user_get(struct store *st, const char *account_user_id,
                   bool accepted_only, struct store_user *out,
                   struct cd_error *err)
{
    memset(out, 0, sizeof(*out));
    if (empty_str(account_user_id))
        return cd_error_set(err, CD_EINVAL, "no user id");
    return user_one(st, store_sql(st)->user_by_id[accepted_only],
                    &account_user_id, 1, out, err);
}

int store_users_all(struct store *st, bool accepted_only,
                    struct store_user_list *out, struct cd_error *err)
{
    return user_rows(st, store_sql(st)->users_all[accepted_only], NULL, 0,
                     out, err);
}

int store_user_find_by_lookup(struct store *st, const char *key_id,
                              const char *lookup, bool accepted_only,
                              struct store_user *out, struct cd_error *err)
{
    const char *p[2] = {key_id, lookup};

    memset(out, 0, sizeof(*out));
    if (empty_str(key_id) || empty_str(lookup))
        return cd_error_set(err, CD_EINVAL, "no lookup key or value");
    return user_one(st, store_sql(st)->user_by_lookup[accepted_only], p, 2,
                    out, err);
}

int store_users_without_lookup(struct store *st, const char *key_id,
                               bool accepted_only,
                               struct store_user_list *out,
                               struct cd_error *err)
{
    memset(out, 0, sizeof(*out));
    if (empty_str(key_id))
        return cd_error_set(err, CD_EINVAL, "no lookup key");
    return user_rows(st, store_sql(st)->users_without_lookup[accepted_only],
                     &key_id, 1, out, err);
}

/* ---- writing ---------------------------------------------------------- */

int store_relationships_write(struct store *st,
                              const struct store_relationship *rels, size_t n,
                              const char *user_id, bool upsert,
                              struct cd_error *err)
{
    const struct store_accounts_sql *sql = store_sql(st);
    int rc = CD_OK;

    for (size_t i = 0; i < n && rc == CD_OK; i++) {
        const struct store_relationship *r = &rels[i];
        const char *p[REL_NCOL] = {
            r->relationship_id,
            store_str(user_id != NULL ? user_id : r->account_user_id),
            store_str(r->account_id),
            store_str(r->password_encrypted_kek),
            store_str(r->email_encrypted_kek),
            store_str(r->one_time_encrypted_kek),
        };

        if (empty_str(r->relationship_id))
            return cd_error_set(err, CD_EINVAL, "no relationship id");
        rc = store_query(st, upsert ? sql->rel_upsert : sql->rel_insert, p,
                         REL_NCOL, NULL, NULL, err);
    }
    return rc;
}

int store_user_write(struct store *st, const struct store_user *u,
                     bool upsert, struct cd_error *err)
{
    const struct store_accounts_sql *sql = store_sql(st);
    char level[24];
    const char *p[5] = {u->account_user_id, store_str(u->hashed_email),
                        store_str(u->hashed_password), store_str(u->salt),
                        level};
    int rc;

    if (empty_str(u->account_user_id))
        return cd_error_set(err, CD_EINVAL, "no user id");
    snprintf(level, sizeof(level), "%" PRId64, u->admin_level);
    rc = store_query(st, upsert ? sql->user_upsert : sql->user_insert, p, 5,
                     NULL, NULL, err);
    if (rc == CD_OK)
        rc = store_relationships_write(st, u->rels, u->nrels,
                                       u->account_user_id, upsert, err);
    return rc;
}

static int save_tx(struct store *st, const void *arg, struct cd_error *err)
{
    return store_user_write(st, arg, true, err);
}

int store_user_save(struct store *st, const struct store_user *u,
                    struct cd_error *err)
{
    int rc = store_tx(st, save_tx, u, err);

    return rc < 0 ? store_wrap_error(err, rc, "save user") : rc;
}

/* COUNT the user; CD_ENOTFOUND if there is none. */
static int user_exists(struct store *st, const char *id,
                       struct cd_error *err)
{
    long long n = 0;
    int rc = store_count(st, store_sql(st)->user_count, &id, 1, &n, err);

    if (rc == CD_OK && n == 0)
        rc = cd_error_set(err, CD_ENOTFOUND, "no such user");
    return rc;
}

struct level_args {
    const char *id;
    int64_t level;
};

static int level_tx(struct store *st, const void *arg, struct cd_error *err)
{
    const struct level_args *a = arg;
    char level[24];
    const char *p[2] = {level, a->id};
    int rc = user_exists(st, a->id, err);

    snprintf(level, sizeof(level), "%" PRId64, a->level);
    if (rc == CD_OK)
        rc = store_query(st, store_sql(st)->user_set_admin_level, p, 2,
                         NULL, NULL, err);
    return rc;
}

int store_user_set_admin_level(struct store *st, const char *account_user_id,
                               int64_t admin_level, struct cd_error *err)
{
    struct level_args args = {account_user_id, admin_level};
    int rc = CD_EINVAL;

    if (empty_str(account_user_id))
        cd_error_set(err, rc, "no user id");
    else
        rc = store_tx(st, level_tx, &args, err);
    return rc < 0 ? store_wrap_error(err, rc, "set admin level") : rc;
}

struct rels_args {
    const struct store_relationship *rels;
    size_t n;
};

static int rels_tx(struct store *st, const void *arg, struct cd_error *err)
{
    const struct rels_args *a = arg;

    return store_relationships_write(st, a->rels, a->n, NULL, false, err);
}

int store_relationships_insert(struct store *st,
                               const struct store_relationship *rels,
                               size_t n, struct cd_error *err)
{
    struct rels_args args = {rels, n};
    int rc = store_tx(st, rels_tx, &args, err);

    return rc < 0 ? store_wrap_error(err, rc, "insert relationships") : rc;
}

struct lookup_args {
    const char *id, *key_id, *lookup;
};

static int lookup_tx(struct store *st, const void *arg, struct cd_error *err)
{
    const struct lookup_args *a = arg;
    const char *p[3] = {a->key_id, a->lookup, a->id};
    int rc = user_exists(st, a->id, err);

    if (rc == CD_OK)
        rc = store_query(st, store_sql(st)->lookup_upsert, p, 3, NULL, NULL,
                         err);
    return rc;
}

int store_lookup_set(struct store *st, const char *account_user_id,
                     const char *key_id, const char *lookup,
                     struct cd_error *err)
{
    struct lookup_args args = {account_user_id, key_id, lookup};
    int rc = CD_EINVAL;

    if (empty_str(account_user_id) || empty_str(key_id) ||
        empty_str(lookup))
        cd_error_set(err, rc, "a lookup needs a user id, a key and a value");
    else
        rc = store_tx(st, lookup_tx, &args, err);
    return rc < 0 ? store_wrap_error(err, rc, "set email lookup") : rc;
}
