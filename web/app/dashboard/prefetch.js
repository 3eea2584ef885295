// prefetch.js -- a sync's requests, sent as early as the page can.
//
// ask(accountId, horizon) reads the account's cache state (cache.js; a
// state cut in another time zone or row format is dropped, so the sync is
// full) and sends the sync's requests at once: GET /api/accounts/<id>?
// since=<the state's sequence> and, for a full sync, GET /api/accounts/
// <id>/secrets, with ?eventsFrom=<the horizon's ULID> when the view has a
// horizon (query.js): the secrets of the visitors its first draw reads,
// not of those seen only in the older days.
// It resolves to { state, asked, early } (asked and early are promises
// of the answers; early is null for an incremental sync) and holds no
// database connection afterwards.
//
// app.js calls prefetch(accountId, horizon) when a page load lands on an
// account's dashboard and the stored login holds its key: the requests
// then run while the page's strings, the session check and the
// dashboard's modules load. The first sync takes them with
// take(accountId); app.js drops a prefetch that the page's first view
// did not take (it costs one request).

import { request } from '../api.js';
import * as cache from './cache.js';
import { ulidAt } from './metrics/normalize.js';

export const ROW_VERSION = 3;

export function timeZone() {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'local';
  } catch (e) {
    return 'local';
  }
}

export function fetchAccount(accountId, state) {
  const since = state && state.sequence ? `?since=${encodeURIComponent(state.sequence)}` : '';
  return request('GET', `/api/accounts/${encodeURIComponent(accountId)}${since}`);
}

// The cached state still good for this browser (else the cache is
// emptied and null returned).
export async function usableState(db) {
  const state = await cache.readState(db);
  if (state && (state.timeZone !== timeZone() || state.version !== ROW_VERSION)) {
    await cache.clear(db);
    return null;
  }
  return state;
}

// The requests of a sync from state (null: a full sync, which also asks
// for the secrets of the visitors seen from horizon on, or of all when
// horizon is null).
export function send(accountId, state, horizon = null) {
  const asked = fetchAccount(accountId, state);
  asked.catch(() => {}); // whoever takes it handles its failure
  const from = horizon == null ? '' : `?eventsFrom=${ulidAt(horizon)}`;
  const early = state ? null : request('GET', `/api/accounts/${encodeURIComponent(accountId)}/secrets${from}`);
  if (early) early.catch(() => {}); // optional: the sync goes on without it
  return { state, asked, early };
}

export async function ask(accountId, horizon = null) {
  const db = await cache.open(accountId);
  try {
    return send(accountId, await usableState(db), horizon);
  } finally {
    db.close();
  }
}

let pending = null; // { accountId, asked: Promise<ask()'s answer> }

export function prefetch(accountId, horizon = null) {
  pending = { accountId, asked: ask(accountId, horizon) };
  pending.asked.catch(() => {});
}

// The prefetched answer for accountId (once), or null.
export function take(accountId) {
  const p = pending;
  pending = null;
  return p && p.accountId === accountId ? p.asked : null;
}

// Drop a prefetch nobody took (app.js, after the page's first view: a
// later one must not get answers asked under an older login).
export function drop() {
  pending = null;
}
