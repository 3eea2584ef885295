/* vault.c -- GET /vault: the consent vault page, with the account's styles.
 *
 * The page is web/vault/index.html, compiled in; for an account with custom
 * banner styles, a <style> element with them replaces the marker comment
 * <!--candor:styles-->. The styles were validated when they were set and
 * are validated again here (css.h): a style sheet that no longer passes is
 * dropped with a warning, never injected. An unknown or retired account is
 * 400, as in Offen. The page may be framed by any site: that is how the
 * embed script works (its route is ROUTE_FRAMEABLE; CSP frame-ancestors *).
 */
#include "common/common.h"

#include "api/api.h"
#include "api/css.h"
#include "common/buf.h"
#include "common/log.h"
#include "common/str.h"
#include "http/assets.h"
#include "http/guard.h"
#include "http/http.h"
#include "http/parse.h"
#include "store/store.h"

#define VAULT_PATH "/vault/index.html"
#define VAULT_MARKER "<!--candor:styles-->"

/* The account's validated styles (caller frees), "" for none; NULL when the
 * account is unknown or retired (*status set). */
static char *styles_of(struct http_req *r, const char *account_id, int *status)
{
    struct store_account acc = {0};
    struct cd_error err = {0};
    char *css = NULL;
    int rc = store_account_get(api_loop_of(r)->store, account_id, true, &acc,
                               &err);

    if (rc == CD_ENOTFOUND || rc == CD_EINVAL) {
        *status = 400;
    } else if (rc < 0) {
        *status = 503;
    } else if (css_validate(acc.account_styles, strlen(acc.account_styles),
                            &err) < 0) {
        log_warn("dropping the stored styles of account %s: %s", account_id,
                 err.msg);
        css = strdup("");
    } else {
        css = strdup(acc.account_styles);
    }
    store_account_release(&acc);
    return css;
}

static void send_page(struct http_req *r, const char *page, size_t len)
{
    char etag[24];
    struct http_str inm;

    snprintf(etag, sizeof(etag), "\"%016llx\"",
             (unsigned long long)str_fnv1a(page, len));
    http_add_header(r, "Content-Security-Policy", GUARD_CSP_VAULT);
    http_add_header(r, "Cache-Control", "no-cache");
    http_add_header(r, "ETag", etag);
    if (http_header(r, "if-none-match", &inm) &&
        parse_etag_listed(inm.ptr, inm.len, etag)) {
        http_reply(r, 304, NULL, "", 0);
        return;
    }
    http_reply(r, 200, "text/html; charset=utf-8", page, len);
}

void api_vault(struct http_req *r)
{
    const struct asset *a = assets_find(VAULT_PATH, sizeof(VAULT_PATH) - 1);
    struct buf page = BUF_INIT(1 << 20);
    const char *html, *mark;
    struct http_str id;
    char *css = NULL;
    int status = 200;

    if (a == NULL) {
        http_reply(r, 404, "text/plain; charset=utf-8", "404 page not found",
                   18);
        return;
    }
    html = (const char *)a->data;
    if (http_query_param(r, "accountId", &id) && id.len > 0) {
        char *account = http_strdup(r, id);

        css = styles_of(r, account, &status);
        if (css == NULL) {
            http_reply_error(r, status, "unknown account %s", account);
            return;
        }
    }
    mark = css && *css ? memmem(html, a->len, VAULT_MARKER,
                                sizeof(VAULT_MARKER) - 1) : NULL;
    if (mark == NULL) {
        free(css);
        send_page(r, html, a->len);
        return;
    }
    if (buf_add(&page, html, (size_t)(mark - html)) == CD_OK &&
        buf_addf(&page, "<style>%s</style>", css) == CD_OK &&
        buf_add(&page, mark + sizeof(VAULT_MARKER) - 1,
                a->len - (size_t)(mark - html) - (sizeof(VAULT_MARKER) - 1)) ==
            CD_OK)
        send_page(r, page.ptr, page.len);
    else
        http_reply_error(r, 500, "cannot render the vault");
    buf_release(&page);
    free(css);
}
