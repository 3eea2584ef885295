/* setup.h -- the first account and operator, shared by POST /api/setup
 * and `candor setup`. Slow (RSA key generation, Argon2id): workers and the
 * CLI only. */
#ifndef CD_API_SETUP_H
#define CD_API_SETUP_H

#include <stdbool.h>

#include "common/err.h"

struct store;
struct operator_keys;

#define SETUP_ID_SIZE 37 /* an account id (a UUID) and its NUL */

/* Validate the inputs; on CD_OK *clean_name is the sanitised account name
 * (caller frees). CD_EINVAL with a message for the user otherwise, and
 * *clean_name NULL. */
int setup_check(const char *name, const char *email, const char *password,
                char **clean_name, struct cd_error *err) CD_MUST_CHECK;

/* Create one account (account_id, or a new UUID when NULL) and one super
 * admin operator with access to it, as Offen's bootstrap (§11.8): refuses
 * with CD_EEXIST unless the database is empty or force is set. On CD_OK
 * the account's id is copied to out_id unless that is NULL. */
int setup_bootstrap(struct store *st, const struct operator_keys *k,
                    const char *account_id, const char *name,
                    const char *email, const char *password, bool force,
                    char out_id[SETUP_ID_SIZE],
                    struct cd_error *err) CD_MUST_CHECK;

#endif /* CD_API_SETUP_H */
