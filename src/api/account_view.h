/* account_view.h -- the operator's view of an account as JSON text.
 *
 * GET /api/accounts/:id answers with the account (Offen's fields) and
 * every event, tombstone and visitor secret since a sequence: with a busy
 * account, tens of megabytes. They are written straight into one buffer
 * from the store's rows, never built as a jansson tree (which cost about
 * ten times as long and twice the memory), on the worker that asks.
 */
#ifndef CD_API_ACCOUNT_VIEW_H
#define CD_API_ACCOUNT_VIEW_H

#include <stddef.h>

#include "common/err.h"

struct store;
struct store_account;

/* Largest answer written: past it the view fails with CD_ETOOBIG (a
 * client then syncs with ?since= in steps of its own). */
#define ACCOUNT_VIEW_MAX ((size_t)1 << 30)

/* The JSON of account a with, when events exist, Offen's fields events
 * ({accountId: [{eventId, payload, secretId?}]}, by sequence), secrets
 * ({secretId: encryptedSecret} of the visitors of those events), and,
 * with since (NULL: everything), deletedEvents; sequence is the largest
 * sequence seen. Events or secrets whose stored text is not UTF-8 are left
 * out, as a jansson tree would leave them out. The answer is at most max
 * bytes with its NUL (ACCOUNT_VIEW_MAX in the server). On CD_OK *out is
 * malloc'd (caller frees) and *len its length; else CD_ESTORE, CD_ETOOBIG
 * past max, or CD_EPROTO when the account's own fields are not UTF-8,
 * with err set. */
int account_view_json(struct store *st, const struct store_account *a,
                      int retention_days, const char *since, size_t max,
                      char **out, size_t *len,
                      struct cd_error *err) CD_MUST_CHECK;

/* GET /api/accounts/:id/secrets, Candor's own: what an operator's browser
 * needs before the events to read them, so that it can unwrap the
 * visitors' secrets while the events download:
 * {"accountId", "encryptedPrivateKey", "secrets": {secretId:
 * encryptedSecret}} for every visitor with an event in the account
 * (secrets is {} when there is none); with from (an event id, else NULL),
 * only visitors with an event from that one on. Secrets whose stored text
 * is not UTF-8 are left out. Same results and ownership as
 * account_view_json(). */
int account_secrets_json(struct store *st, const struct store_account *a,
                         const char *from, size_t max, char **out,
                         size_t *len, struct cd_error *err) CD_MUST_CHECK;

#endif /* CD_API_ACCOUNT_VIEW_H */
