// secrets.js -- the visitor's secret for one account.
//
// One AES-GCM key per visitor and account, made in this browser. The
// server only ever holds it wrapped with the account's public key, so only
// the account's operators (and this browser) can read the events. Calls
// for one account run one after another, so two page views arriving
// together never make two secrets.

import * as api from './api.js';
import * as crypto from './crypto.js';
import * as idb from './idb.js';

const chains = new Map(); // accountId -> Promise (the last call)
const cache = new Map(); // accountId -> CryptoKey

function serialize(accountId, fn) {
  const prev = chains.get(accountId) || Promise.resolve();
  const next = prev.catch(() => {}).then(fn);
  chains.set(accountId, next);
  return next;
}

async function exchange(accountId) {
  const account = await api.getAccount(accountId);
  const key = await crypto.generateUserSecret();
  const jwk = await crypto.exportJwk(key);
  const wrapped = await crypto.wrapForAccount(account.publicKey, jwk);
  await api.postSecret(accountId, wrapped);
  await idb.deleteUserSecret(accountId);
  await idb.putUserSecret(accountId, jwk);
  return crypto.importUserSecret(jwk);
}

// The secret for accountId, made and registered with the server when this
// browser has none; flush: make a new one even if one is stored (the
// server did not know the old one).
export function ensureUserSecret(accountId, flush = false) {
  return serialize(accountId, async () => {
    if (!flush) {
      // a stored secret that no longer imports is replaced, as if none
      const key = await loadUserSecret(accountId);
      if (key) return key;
    }
    cache.delete(accountId);
    const key = await exchange(accountId);
    cache.set(accountId, key);
    return key;
  });
}

// The stored secret for accountId, or null; never talks to the server.
export async function loadUserSecret(accountId) {
  if (cache.has(accountId)) return cache.get(accountId);
  const jwk = await idb.getUserSecret(accountId);
  if (!jwk) return null;
  try {
    const key = await crypto.importUserSecret(jwk);
    cache.set(accountId, key);
    return key;
  } catch (e) {
    return null;
  }
}
