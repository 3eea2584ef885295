/* auth.h -- Offen's accountAuth: who is calling an operator route.
 *
 * Runs on a worker (it reads the database). The `auth` cookie holds a
 * signed token (crypto/token.h) naming the operator; it is valid for 24
 * hours. Failures answer 401 exactly as Offen does: without a cookie, no
 * Set-Cookie; with a bad, expired or orphaned token, a Set-Cookie that
 * clears it.
 */
#ifndef CD_API_AUTH_H
#define CD_API_AUTH_H

#include <stdbool.h>

#include "common/err.h"

struct call;
struct store;
struct operator_login;

/* Check the caller's session and fill *out (user id, admin level, the ids
 * of the accounts it has accepted). On failure the 401 answer is already
 * set on c and a negative code returned. */
int auth_require(struct call *c, struct store *st,
                 struct operator_login *out) CD_MUST_CHECK;

/* Does the session grant access to account_id? */
bool auth_has_account(const struct operator_login *l, const char *account_id);

/* Set the `auth` cookie for account_user_id on c (after a login), or clear
 * it. */
int auth_issue(struct call *c, const char *account_user_id) CD_MUST_CHECK;
void auth_clear(struct call *c);

#endif /* CD_API_AUTH_H */
