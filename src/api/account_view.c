/* account_view.c -- the operator's view of an account, written as JSON
 * text (see account_view.h). */
#include "common/common.h"
#include "api/account_view.h"

#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "common/buf.h"
#include "common/jsonx.h"
#include "common/log.h"
#include "common/timefmt.h"
#include "common/xalloc.h"
#include "crypto/ulid.h"
#include "store/store.h"

struct view {
    struct buf events;  /* ,{"eventId":...} per event */
    struct buf deleted; /* ,"<eventId>" per tombstone */
    struct buf secrets; /* ,"<secretId>":"<encryptedSecret>" per secret */
    char **wanted;      /* secret ids of the events, with duplicates */
    size_t nwanted, capwanted;
    size_t skipped;     /* rows whose text is not UTF-8 */
    char sequence[CRYPTO_ULID_SIZE];
};

/* The account's own fields as a JSON object, without its closing brace. */
static char *account_head(const struct store_account *a, int retention,
                          size_t *len)
{
    char created[TIMEFMT_RFC3339_SIZE];
    json_t *pub = json_loads(a->public_key, 0, NULL);
    json_t *v;
    char *text;

    timefmt_rfc3339(a->created_unix_ms, created);
    v = json_pack("{s:s,s:s,s:o,s:s,s:s,s:s}", "accountId", a->account_id,
                  "name", a->name, "publicKey", pub ? pub : json_null(),
                  "encryptedPrivateKey", a->encrypted_private_key, "created",
                  created, "retentionPeriod", api_retention_name(retention));
    if (v != NULL && *a->account_styles != '\0')
        json_object_set_new(v, "accountStyles",
                            json_string(a->account_styles));
    if (v == NULL) /* a name or key that is not UTF-8: refused */
        return NULL;
    text = jsonx_dump(v, len);
    json_decref(v);
    text[--*len] = '\0'; /* drop the '}' */
    return text;
}

/* Append ,"name":"value" ("name": only when name is not NULL). */
static int add_pair(struct buf *b, const char *name, const char *value)
{
    int rc = buf_addch(b, ',');

    if (rc == CD_OK && name != NULL) {
        rc = jsonx_add_string(b, name, strlen(name));
        if (rc == CD_OK)
            rc = buf_addch(b, ':');
    }
    if (rc == CD_OK)
        rc = jsonx_add_string(b, value, strlen(value));
    return rc;
}

/* A row that would not encode is left out, as json_pack() left it out;
 * only the cap stops the read. */
static int row_done(struct view *v, struct buf *b, size_t start, int rc)
{
    if (rc == CD_EPROTO) {
        b->len = start;
        b->ptr[start] = '\0';
        v->skipped++;
        return CD_OK;
    }
    return rc;
}

static int add_event(void *ctx, const struct store_event *ev)
{
    struct view *v = ctx;
    struct buf *b = &v->events;
    size_t start = b->len;
    int rc = buf_adds(b, ",{\"eventId\":");

    if (rc == CD_OK)
        rc = jsonx_add_string(b, ev->event_id, strlen(ev->event_id));
    if (rc == CD_OK)
        rc = buf_adds(b, ",\"payload\":");
    if (rc == CD_OK)
        rc = jsonx_add_string(b, ev->payload, strlen(ev->payload));
    if (rc == CD_OK && ev->secret_id != NULL)
        rc = add_pair(b, "secretId", ev->secret_id);
    if (rc == CD_OK)
        rc = buf_addch(b, '}');
    /* A visitor's events mostly come in a row: their id is kept once per
     * row (duplicates across rows go in add_secrets()). */
    if (rc == CD_OK && ev->secret_id != NULL &&
        (v->nwanted == 0 ||
         strcmp(v->wanted[v->nwanted - 1], ev->secret_id) != 0)) {
        if (v->nwanted == v->capwanted) {
            v->capwanted = v->capwanted ? 2 * v->capwanted : 256;
            v->wanted = xrealloc(v->wanted,
                                 v->capwanted * sizeof(*v->wanted));
        }
        v->wanted[v->nwanted++] = xstrdup(ev->secret_id);
    }
    if (rc == CD_OK || rc == CD_EPROTO) /* a row left out is still seen */
        api_keep_max(v->sequence, ev->sequence);
    return row_done(v, b, start, rc);
}

static int add_tombstone(void *ctx, const struct store_tombstone *t)
{
    struct view *v = ctx;
    size_t start = v->deleted.len;
    int rc = add_pair(&v->deleted, NULL, t->event_id);

    if (rc == CD_OK || rc == CD_EPROTO)
        api_keep_max(v->sequence, t->sequence);
    return row_done(v, &v->deleted, start, rc);
}

static int add_secret(void *ctx, const char *id, const char *secret)
{
    struct view *v = ctx;
    size_t start = v->secrets.len;

    return row_done(v, &v->secrets, start, add_pair(&v->secrets, id, secret));
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The distinct secret ids of the events, then their secrets. */
static int add_secrets(struct store *st, struct view *v, struct cd_error *err)
{
    size_t n = 0;
    int rc;

    if (v->nwanted == 0)
        return CD_OK;
    qsort(v->wanted, v->nwanted, sizeof(*v->wanted), cmp_str);
    for (size_t i = 0; i < v->nwanted; i++) {
        if (n > 0 && strcmp(v->wanted[n - 1], v->wanted[i]) == 0)
            free(v->wanted[i]);
        else
            v->wanted[n++] = v->wanted[i];
    }
    v->nwanted = n;
    rc = store_secrets_get_many(st, (const char *const *)v->wanted, n,
                                add_secret, v, err);
    return rc;
}

/* out += ,"name":<open><b without its first comma><close>, if b is not
 * empty; with key (not NULL) the list is wrapped as an object of that one
 * key: ,"name":{"<key>":<open>...<close>} (events: {"<accountId>":[...]}). */
static int add_list(struct buf *out, const char *name, const char *key,
                    const char *open, const struct buf *b, const char *close)
{
    int rc;

    if (b->len == 0)
        return CD_OK;
    rc = add_pair(out, NULL, name);
    if (rc == CD_OK)
        rc = buf_addch(out, ':');
    if (rc == CD_OK && key != NULL) {
        rc = buf_addch(out, '{');
        if (rc == CD_OK)
            rc = jsonx_add_string(out, key, strlen(key));
        if (rc == CD_OK)
            rc = buf_addch(out, ':');
    }
    if (rc == CD_OK)
        rc = buf_adds(out, open);
    if (rc == CD_OK)
        rc = buf_add(out, b->ptr + 1, b->len - 1);
    if (rc == CD_OK)
        rc = buf_adds(out, close);
    if (rc == CD_OK && key != NULL)
        rc = buf_addch(out, '}');
    return rc;
}

static int assemble(struct view *v, const struct store_account *a,
                    int retention, size_t max, char **out, size_t *len)
{
    struct buf b = BUF_INIT(max);
    size_t hlen = 0;
    char *head = account_head(a, retention, &hlen);
    int rc;

    if (head == NULL)
        return CD_EPROTO;
    rc = buf_add(&b, head, hlen);
    free(head);
    if (rc == CD_OK)
        rc = add_list(&b, "events", a->account_id, "[", &v->events, "]");
    if (rc == CD_OK)
        rc = add_list(&b, "deletedEvents", NULL, "[", &v->deleted, "]");
    if (rc == CD_OK)
        rc = add_list(&b, "secrets", NULL, "{", &v->secrets, "}");
    if (rc == CD_OK && *v->sequence != '\0')
        rc = add_pair(&b, "sequence", v->sequence);
    if (rc == CD_OK)
        rc = buf_addch(&b, '}');
    if (rc == CD_OK)
        *out = buf_detach(&b, len);
    buf_release(&b);
    return rc;
}

/* The message of a view's failure, and a warning for what was left out. */
static void explain(int rc, const struct store_account *a, size_t max,
                    size_t skipped, const char *what, struct cd_error *err)
{
    if (rc == CD_ETOOBIG)
        cd_error_set(err, rc, "the answer would exceed %zu bytes", max);
    else if (rc == CD_EPROTO)
        cd_error_set(err, rc, "account %s is not valid UTF-8", a->account_id);
    if (skipped > 0)
        log_warn("account %s: left out %zu %s that are not UTF-8",
                 a->account_id, skipped, what);
}

int account_view_json(struct store *st, const struct store_account *a,
                      int retention_days, const char *since, size_t max,
                      char **out, size_t *len, struct cd_error *err)
{
    struct view v = {.events = BUF_INIT(max), .deleted = BUF_INIT(max),
                     .secrets = BUF_INIT(max)};
    int rc;

    *out = NULL;
    *len = 0;
    rc = store_events_by_account(st, a->account_id, since, add_event, &v,
                                 err);
    if (rc == CD_OK && since != NULL)
        rc = store_tombstones_by_account(st, a->account_id, since,
                                         add_tombstone, &v, err);
    if (rc == CD_OK)
        rc = add_secrets(st, &v, err);
    if (rc == CD_OK)
        rc = assemble(&v, a, retention_days, max, out, len);
    explain(rc, a, max, v.skipped, "rows", err);
    for (size_t i = 0; i < v.nwanted; i++)
        free(v.wanted[i]);
    free(v.wanted);
    buf_release(&v.events);
    buf_release(&v.deleted);
    buf_release(&v.secrets);
    return rc;
}

int account_secrets_json(struct store *st, const struct store_account *a,
                         const char *from, size_t max, char **out,
                         size_t *len, struct cd_error *err)
{
    struct view v = {.secrets = BUF_INIT(max)};
    struct buf b = BUF_INIT(max);
    int rc;

    *out = NULL;
    *len = 0;
    rc = store_secrets_by_account(st, a->account_id, from, add_secret, &v,
                                  err);
    if (rc == CD_OK)
        rc = buf_adds(&b, "{\"accountId\":");
    if (rc == CD_OK)
        rc = jsonx_add_string(&b, a->account_id, strlen(a->account_id));
    if (rc == CD_OK)
        rc = add_pair(&b, "encryptedPrivateKey", a->encrypted_private_key);
    if (rc == CD_OK)
        rc = buf_adds(&b, ",\"secrets\":{");
    if (rc == CD_OK && v.secrets.len > 0)
        rc = buf_add(&b, v.secrets.ptr + 1, v.secrets.len - 1);
    if (rc == CD_OK)
        rc = buf_adds(&b, "}}");
    if (rc == CD_OK)
        *out = buf_detach(&b, len);
    explain(rc, a, max, v.skipped, "secrets", err);
    buf_release(&b);
    buf_release(&v.secrets);
    return rc;
}
