// visitor.js -- a visitor's own data, for pages on Candor's origin (the
// visitor's page at /auditorium/ imports this module directly).
//
// The server returns the visitor's events still encrypted (GET /api/events,
// found by the user cookie); they are decrypted here with the secrets this
// browser made, and kept decrypted in IndexedDB ("user" database, as
// Offen's vault keeps them) together with the sync position, so the next
// visit fetches only what changed. Events of an account for which this
// browser holds no secret (it was made in another browser, or the site
// embeds Candor from another site and the browser partitions storage) are
// kept encrypted and counted; they are tried again on every visit.

import * as api from './api.js';
import { DENY, setConsent } from './cookies.js';
import { decryptJson } from './crypto.js';
import * as idb from './idb.js';
import { loadUserSecret } from './secrets.js';

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

// The time encoded in a ULID (its first 10 characters), or null.
export function ulidTime(id) {
  if (typeof id !== 'string' || id.length < 10) return null;
  let ms = 0;
  for (const ch of id.slice(0, 10).toUpperCase()) {
    const v = CROCKFORD.indexOf(ch);
    if (v < 0) return null;
    ms = ms * 32 + v;
  }
  return new Date(ms);
}

async function decrypt(accountId, cipher) {
  const key = await loadUserSecret(accountId);
  if (!key || typeof cipher !== 'string') return null;
  try {
    return await decryptJson(key, cipher);
  } catch (e) {
    return null;
  }
}

function record(accountId, eventId, payload, cipher) {
  const r = { accountId, eventId, payload, secretId: 'local' };
  if (payload === null) r.cipher = cipher;
  return r;
}

// Fetch what changed since the last sync and update the local copy.
// Resolves with {retentionPeriod} (null when the server did not say).
export async function sync() {
  const since = await idb.getCheckpoint();
  const res = await api.getOwnEvents(since);
  const records = [];
  for (const [accountId, list] of Object.entries(res.events || {})) {
    if (!Array.isArray(list)) continue;
    for (const e of list) {
      if (!e || typeof e.eventId !== 'string') continue;
      records.push(record(accountId, e.eventId, await decrypt(accountId, e.payload), e.payload));
    }
  }
  // Retry what could not be decrypted before.
  for (const r of await idb.getEvents()) {
    if (r.payload !== null || !r.cipher) continue;
    const payload = await decrypt(r.accountId, r.cipher);
    if (payload !== null) records.push(record(r.accountId, r.eventId, payload));
  }
  const deleted = Array.isArray(res.deletedEvents)
    ? res.deletedEvents.filter((id) => typeof id === 'string') : [];
  await idb.updateEvents(records, deleted);
  if (typeof res.sequence === 'string' && res.sequence) await idb.setCheckpoint(res.sequence);
  return { retentionPeriod: typeof res.retentionPeriod === 'string' ? res.retentionPeriod : null };
}

// Every event of the local copy, oldest first, each with receivedAt (the
// server's time, from the event id).
export async function localEvents() {
  const all = await idb.getEvents();
  all.sort((a, b) => (a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0));
  return all.map((r) => ({ ...r, receivedAt: ulidTime(r.eventId) }));
}

const names = new Map();

// The account's public name, or null when the server does not know it
// (a retired account).
export function accountName(accountId) {
  if (!names.has(accountId)) {
    names.set(accountId, api.getAccount(accountId).then((a) => a.name || null, () => null));
  }
  return names.get(accountId);
}

// Delete every event of this visitor on the server and here; consent
// stays as it is.
export async function purge() {
  await api.purge(false);
  await idb.clearLocalEvents();
}

// Opt out: remember "deny", delete everything, and let the server forget
// the user cookie. The secrets stay: the server cannot link them to the
// visitor any more, and a later opt-in makes a new one.
export async function forgetVisitor() {
  setConsent(DENY);
  await api.purge(true);
  await idb.clearLocalEvents();
}
