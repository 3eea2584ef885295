// worker.js -- decrypts events off the main thread (a module worker).
//
// Messages in:
//   {type: 'init', privateKey: <RSA private JWK>, accountId, cacheKey,
//    keys: {secretId: {iv, data}} (user secrets decrypted on an earlier
//    visit, sealed with the cache key)}
//   {type: 'prewarm', id, secrets: {secretId: encryptedSecret}}: start
//    unwrapping these now (a full sync sends them before the events
//    arrive); answered at once, the unwrapping goes on
//   {type: 'batch', id, secrets: {secretId: encryptedSecret},
//    ids: [eventId...], sids: [secretId...], payloads: ["{1,} ..."...]}
//    (event i is ids[i], sids[i], payloads[i])
// Message out per batch: {id, rows: encodeRows([row...])} (cache.js: in
// columns with a string table, which the page's thread takes in and
// decodes in about a third of the time one object per row costs it);
// {id} for the others; {id, error: message} for any message that failed.
//
// The sync sends all events of one secretId to the same worker, so each
// user secret is RSA-OAEP-decrypted once (and cached here), then every
// payload is AES-GCM-decrypted and normalized (metrics/normalize.js).
// An event that fails to decrypt or to validate is dropped silently, as
// Offen does.
//
// On {type: 'flush'} (sent once the page is drawn) the worker stores, in
// the account's IndexedDB (cache.js, store "keys"), the user secrets it
// unwrapped (sealed with the cache key), so the main thread never clones
// them and decryption never waits for disk.

import { parseCipher } from '/vault/crypto.js';
import { aesParts } from './cipher.js';
import { normalize } from './metrics/normalize.js';
import * as cache from './cache.js';

const RSA = { name: 'RSA-OAEP', hash: 'SHA-256' };
let privateKey = null;
let cacheKey = null;
let sealedKeys = {};
let db = null;
const userKeys = new Map(); // secretId -> {encrypted, key: Promise<CryptoKey|null>}
let unsaved = {}; // secretId -> {iv, data}, unwrapped here, not yet stored

function importSecret(plain) {
  const jwk = JSON.parse(new TextDecoder().decode(plain));
  return crypto.subtle.importKey('jwk', jwk, { name: 'AES-GCM' }, false, ['decrypt']);
}

// A secret sealed on an earlier visit, else RSA-OAEP (then sealed for
// the next visit).
async function unwrapSecret(secretId, encrypted) {
  const sealed = sealedKeys[secretId];
  if (sealed && cacheKey) {
    try {
      return await importSecret(await crypto.subtle.decrypt({ name: 'AES-GCM', iv: sealed.iv }, cacheKey, sealed.data));
    } catch (e) {
      /* sealed under another key: unwrap again */
    }
  }
  if (!encrypted) return null;
  try {
    const { chunks } = parseCipher(encrypted);
    const plain = await crypto.subtle.decrypt({ name: 'RSA-OAEP' }, privateKey, chunks[0]);
    const key = await importSecret(plain);
    if (cacheKey) {
      const iv = crypto.getRandomValues(new Uint8Array(12));
      unsaved[secretId] = { iv, data: await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, cacheKey, plain) };
    }
    return key;
  } catch (e) {
    return null;
  }
}

// The key of secretId, unwrapped once; again if the batch brings another
// wrapped secret for the id than the one unwrapped (a visitor who made a
// new key between a prewarm and the events).
function userKey(secretId, secrets) {
  const encrypted = secrets[secretId];
  const have = userKeys.get(secretId);
  if (have && (encrypted === undefined || encrypted === have.encrypted)) return have.key;
  const entry = { encrypted, key: unwrapSecret(secretId, encrypted) };
  userKeys.set(secretId, entry);
  return entry.key;
}

const decoder = new TextDecoder();

async function decryptOne(eventId, secretId, text, secrets) {
  try {
    const key = await userKey(secretId, secrets);
    if (!key) return null;
    const [ct, iv] = aesParts(text);
    const plain = await crypto.subtle.decrypt({ name: 'AES-GCM', iv }, key, ct);
    const payload = JSON.parse(decoder.decode(plain));
    return normalize({ eventId, secretId, payload });
  } catch (err) {
    return null;
  }
}

// WINDOW decryptions in flight at a time in each worker (measured best
// on 20,000 events, see docs/internals/dashboard.md).
const WINDOW = 256;

async function batch(msg) {
  const { ids, sids, payloads, secrets } = msg;
  const rows = [];
  for (let i = 0; i < ids.length; i += WINDOW) {
    const work = [];
    for (let j = i; j < Math.min(i + WINDOW, ids.length); j++) {
      work.push(decryptOne(ids[j], sids[j], payloads[j], secrets));
    }
    for (const r of await Promise.all(work)) if (r) rows.push(r);
  }
  return { id: msg.id, rows: cache.encodeRows(rows) };
}

// The new keys into IndexedDB; a failure here costs only a later RSA
// operation.
async function flush() {
  const keys = unsaved;
  unsaved = {};
  if (!db) return;
  try {
    if (Object.keys(keys).length) await cache.writeKeys(db, keys);
  } catch (e) {
    /* the cache is an optimisation */
  }
}

// Every message is answered: with its result, or with {id, error} when
// it failed, so the page never waits for an answer that will not come
// (an async handler's exception would only reject its own promise).
async function handle(msg) {
  if (msg.type === 'init') {
    privateKey = await crypto.subtle.importKey('jwk', msg.privateKey, RSA, false, ['decrypt']);
    userKeys.clear();
    cacheKey = msg.cacheKey || null;
    sealedKeys = msg.keys || {};
    if (!db && msg.accountId) db = await cache.open(msg.accountId);
    return { id: msg.id };
  }
  if (msg.type === 'prewarm') {
    for (const id of Object.keys(msg.secrets)) userKey(id, msg.secrets);
    return { id: msg.id };
  }
  if (msg.type === 'batch') return batch(msg);
  if (msg.type === 'flush') {
    await flush();
    return { id: msg.id };
  }
  throw new Error(`unknown message ${msg.type}`);
}

self.onmessage = async (ev) => {
  const msg = ev.data;
  let answer;
  try {
    answer = await handle(msg);
  } catch (e) {
    answer = { id: msg.id, error: String((e && e.message) || e) };
  }
  try {
    self.postMessage(answer);
  } catch (e) {
    self.postMessage({ id: msg.id, error: String((e && e.message) || e) }); // an answer that does not clone
  }
};
