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
//    events: [{eventId, secretId, payload: "{1,} ..."}]}
// Message out per batch: {id, rows: [row...], failed: n}.
//
// The sync sends all events of one secretId to the same worker, so each
// user secret is RSA-OAEP-decrypted once (and cached here), then every
// payload is AES-GCM-decrypted and normalized (metrics/normalize.js).
// An event that fails to decrypt or to validate is dropped silently, as
// Offen does; `failed` only counts them.
//
// On {type: 'flush'} (sent once the page is drawn) the worker stores, in
// the account's IndexedDB (cache.js, store "keys"), the user secrets it
// unwrapped (sealed with the cache key), so the main thread never clones
// them and decryption never waits for disk.

import { parseCipher } from '/vault/crypto.js';
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

// Base64 without atob's binary string (measured: parsing was a third of
// the time per event).
const B64 = new Uint8Array(128).fill(255);
'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'.split('')
  .forEach((c, i) => { B64[c.charCodeAt(0)] = i; });

function base64(text, from, to) {
  let end = to;
  while (end > from && text.charCodeAt(end - 1) === 61) end--; // '='
  const out = new Uint8Array(Math.floor(((end - from) * 3) / 4));
  let acc = 0;
  let bits = 0;
  let j = 0;
  for (let i = from; i < end; i++) {
    const c = text.charCodeAt(i);
    const v = c < 128 ? B64[c] : 255;
    if (v === 255) throw new Error('bad base64');
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[j++] = (acc >> bits) & 0xff;
    }
  }
  return out;
}

// "{1,} <ct> <nonce>" -> [ct, nonce] (Offen's versioned AES-GCM string).
function aesParts(text) {
  if (typeof text !== 'string' || !text.startsWith('{1,} ')) throw new Error('unsupported cipher');
  const gap = text.indexOf(' ', 5);
  if (gap < 0) throw new Error('malformed cipher');
  return [base64(text, 5, gap), base64(text, gap + 1, text.length)];
}

const decoder = new TextDecoder();

async function decryptOne(e, secrets) {
  try {
    const key = await userKey(e.secretId, secrets);
    if (!key) return null;
    const [ct, iv] = aesParts(e.payload);
    const plain = await crypto.subtle.decrypt({ name: 'AES-GCM', iv }, key, ct);
    const payload = JSON.parse(decoder.decode(plain));
    return normalize({ eventId: e.eventId, secretId: e.secretId, payload });
  } catch (err) {
    return null;
  }
}

// WINDOW decryptions in flight at a time (the browser runs WebCrypto on
// one thread; measured on 20,000 events, see docs/internals/dashboard.md).
const WINDOW = 256;

async function batch(msg) {
  const rows = [];
  for (let i = 0; i < msg.events.length; i += WINDOW) {
    const out = await Promise.all(msg.events.slice(i, i + WINDOW).map((e) => decryptOne(e, msg.secrets)));
    for (const r of out) if (r) rows.push(r);
  }
  return { id: msg.id, rows, failed: msg.events.length - rows.length };
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

self.onmessage = async (ev) => {
  const msg = ev.data;
  if (msg.type === 'init') {
    try {
      privateKey = await crypto.subtle.importKey('jwk', msg.privateKey, RSA, false, ['decrypt']);
      userKeys.clear();
      cacheKey = msg.cacheKey || null;
      sealedKeys = msg.keys || {};
      if (!db && msg.accountId) db = await cache.open(msg.accountId);
      self.postMessage({ id: msg.id, ok: true });
    } catch (e) {
      self.postMessage({ id: msg.id, ok: false, error: String(e && e.message) });
    }
    return;
  }
  if (msg.type === 'prewarm') {
    for (const id of Object.keys(msg.secrets)) userKey(id, msg.secrets);
    self.postMessage({ id: msg.id });
  } else if (msg.type === 'batch') {
    self.postMessage(await batch(msg));
  } else if (msg.type === 'flush') {
    await flush();
    self.postMessage({ id: msg.id });
  }
};
