// api.js -- the visitor routes of Candor's API, called from Candor's own
// origin only (the vault iframe, or the visitor's page). Cookies go along
// because the requests are same-origin.
//
// A failed request throws an Error with .status and the server's error
// text (its envelope is {"error": "...", "status": N}).

import { fetchJson } from '../common/fetchjson.js';

export class ApiError extends Error {
  constructor(message, status) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
  }
}

async function call(method, path, body) {
  const { res, text, data } = await fetchJson(method, path, body, { cache: 'no-store' });
  if (res.status >= 400) {
    const msg = data && typeof data.error === 'string' ? data.error : text || res.statusText;
    throw new ApiError(msg, res.status);
  }
  return { status: res.status, data };
}

// The account's public information: {accountId, name, publicKey, created}.
export async function getAccount(accountId) {
  const q = new URLSearchParams({ accountId });
  const { data } = await call('GET', `/api/exchange?${q}`);
  if (!data || typeof data.publicKey !== 'object') throw new ApiError('no public key', 500);
  return data;
}

// Registers the visitor's wrapped secret; the server sets the user cookie.
export async function postSecret(accountId, encryptedSecret) {
  await call('POST', '/api/exchange', { accountId, encryptedSecret });
}

// One encrypted event. Resolves with the HTTP status (201 stored, 204 no
// consent cookie on the server's side); throws on 4xx/5xx.
export async function postEvent(accountId, payload) {
  const { status } = await call('POST', '/api/events', { accountId, payload });
  return status;
}

// The visitor's own events since a sequence, or all of them:
// {events: {accountId: [{accountId, eventId, payload}]}, deletedEvents?,
// sequence?, retentionPeriod?}. No user cookie (400): nothing stored.
export async function getOwnEvents(since) {
  const path = since ? `/api/events?${new URLSearchParams({ since })}` : '/api/events';
  try {
    const { data } = await call('GET', path);
    return data && typeof data.events === 'object' && data.events ? data : { events: {} };
  } catch (err) {
    if (err.status === 400) return { events: {} };
    throw err;
  }
}

// Deletes every event of this visitor, on every account; with optOut the
// server also forgets the user cookie. No user cookie (400): nothing to do.
export async function purge(optOut) {
  try {
    await call('POST', optOut ? '/api/purge?user=1' : '/api/purge');
  } catch (err) {
    if (err.status !== 400) throw err;
  }
}
