// cache.js -- the dashboard's IndexedDB, one database per account.
//
// Database "candor-dashboard-<accountId>", version 2, stores:
//   meta     key "state": { sequence, timeZone, version } -- the last
//            sequence synced (GET /api/accounts/:id?since=), the time zone
//            the day partials were cut in, the row format's version
//   days     keyPath day: { day: 'YYYY-MM-DD', iv, data } -- the
//            decrypted, normalized rows of one local day (normalize.js) as
//            JSON in columns with a string table (encodeRows(): about a
//            third of the size of one object per row, and as much faster
//            to parse), AES-GCM-encrypted under the cache key (sync.js: derived
//            from the login's key-encryption key, so the cache is
//            unreadable without a login); one buffer per day clones far
//            faster than 100,000 small objects
//   keys     keyPath secretId: { secretId, iv, data } -- the user secret's
//            JWK, RSA-decrypted once (not once per visit) and kept
//            AES-GCM-encrypted under the cache key
// A repeat visit reads "days" and decrypts only what the sync brought.
// The workers write "keys" themselves (worker.js), off the main thread.
// Version 1 also kept the server's ciphertext ("events", "secrets") that
// nothing read; the upgrade to 2 deletes those stores.

const VERSION = 2;
export const STORES = ['meta', 'days', 'keys'];
const DROPPED = ['events', 'secrets'];

const STRING_COLS = ['user', 'session', 'url', 'ref', 'campaign', 'source', 'geo'];

// Rows -> {n, strings, id, t, ts, load, mobile, <each of STRING_COLS>:
// indexes into strings, -1 for null}.
export function encodeRows(rows) {
  const strings = [];
  const index = new Map();
  const ref = (v) => {
    if (v === null || v === undefined) return -1;
    let i = index.get(v);
    if (i === undefined) {
      i = strings.length;
      strings.push(v);
      index.set(v, i);
    }
    return i;
  };
  const out = { n: rows.length, strings, id: [], t: [], ts: [], load: [], mobile: [] };
  for (const c of STRING_COLS) out[c] = [];
  for (const r of rows) {
    out.id.push(r.id);
    out.t.push(r.t);
    out.ts.push(r.ts);
    out.load.push(r.load);
    out.mobile.push(r.mobile ? 1 : 0);
    for (const c of STRING_COLS) out[c].push(ref(r[c]));
  }
  return out;
}

// The inverse of encodeRows().
export function decodeRows(enc) {
  const s = enc.strings;
  const at = (col, i) => (col[i] < 0 ? null : s[col[i]]);
  const rows = new Array(enc.n);
  for (let i = 0; i < enc.n; i++) {
    rows[i] = {
      id: enc.id[i], t: enc.t[i], user: at(enc.user, i) ?? '', session: at(enc.session, i),
      url: at(enc.url, i), ref: at(enc.ref, i), campaign: at(enc.campaign, i), source: at(enc.source, i),
      geo: at(enc.geo, i), mobile: enc.mobile[i] === 1, load: enc.load[i], ts: enc.ts[i],
    };
  }
  return rows;
}

function promised(req) {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

function done(tx) {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error || new Error('transaction aborted'));
  });
}

export async function open(accountId) {
  const req = indexedDB.open(`candor-dashboard-${accountId}`, VERSION);
  req.onupgradeneeded = (ev) => {
    const db = req.result;
    if (ev.oldVersion < 1) {
      db.createObjectStore('meta');
      db.createObjectStore('days', { keyPath: 'day' });
      db.createObjectStore('keys', { keyPath: 'secretId' });
    }
    for (const name of DROPPED) if (db.objectStoreNames.contains(name)) db.deleteObjectStore(name);
  };
  const db = await promised(req);
  // another tab's newer version waits for no one: this one lets go
  db.onversionchange = () => db.close();
  return db;
}

export async function readState(db) {
  const tx = db.transaction('meta', 'readonly');
  return (await promised(tx.objectStore('meta').get('state'))) || null;
}

// [{day, rows}], decrypted with key and parsed; rejects when a day does
// not decrypt (another login's key: the caller starts afresh).
export async function readDays(db, key) {
  const tx = db.transaction('days', 'readonly');
  const all = await promised(tx.objectStore('days').getAll());
  const text = new TextDecoder();
  return Promise.all(all.map(async (r) => {
    const plain = await crypto.subtle.decrypt({ name: 'AES-GCM', iv: r.iv }, key, r.data);
    return { day: r.day, rows: decodeRows(JSON.parse(text.decode(plain))) };
  }));
}

// {secretId: {iv, data}} (sealed user secrets, see worker.js)
export async function readKeys(db) {
  const tx = db.transaction('keys', 'readonly');
  const all = await promised(tx.objectStore('keys').getAll());
  return Object.fromEntries(all.map((k) => [k.secretId, { iv: k.iv, data: k.data }]));
}

export async function writeKeys(db, keys) {
  const tx = db.transaction('keys', 'readwrite');
  for (const [secretId, k] of Object.entries(keys)) tx.objectStore('keys').put({ secretId, iv: k.iv, data: k.data });
  return done(tx);
}

// One transaction: the changed days (rows replaced; an empty day is
// deleted), then the new state. Called after the rows are ready, so the
// cache never holds a sequence whose events it lacks.
export async function writeDays(db, days, state, key) {
  const bytes = new TextEncoder();
  const sealed = await Promise.all(days.map(async (d) => {
    if (!d.rows.length) return { day: d.day, data: null };
    const iv = crypto.getRandomValues(new Uint8Array(12));
    const data = await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, key, bytes.encode(JSON.stringify(encodeRows(d.rows))));
    return { day: d.day, iv, data };
  }));
  const tx = db.transaction(['days', 'meta'], 'readwrite');
  const store = tx.objectStore('days');
  for (const d of sealed) {
    if (d.data) store.put(d);
    else store.delete(d.day);
  }
  tx.objectStore('meta').put(state, 'state');
  return done(tx);
}

// Everything of this account: for a cache cut in another time zone, by
// an older row format or under another key.
export async function clear(db) {
  const tx = db.transaction(STORES, 'readwrite');
  for (const s of STORES) tx.objectStore(s).clear();
  return done(tx);
}

