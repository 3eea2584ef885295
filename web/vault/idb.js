// idb.js -- the browser's own storage: IndexedDB, laid out as Offen's vault
// lays it out, so a visitor who moves from an Offen server to Candor on the
// same origin keeps their keys.
//
// Databases: "<accountId>" (table keys: the visitor's user secret for that
// account, {type: "USER_SECRET", value: <JWK>}) and "user" (table events:
// the visitor's own events, decrypted; table checkpoints: the last sequence
// synced). Every database gets all four of Offen's tables (keys with an
// auto-increment key and an index on type, events by eventId, checkpoints
// by type, aggregates by timestamp).
//
// When IndexedDB cannot be opened (some private modes), everything lives
// in memory for as long as the page does.

const STORES = {
  keys: { autoIncrement: true, index: 'type' },
  events: { keyPath: 'eventId' },
  checkpoints: { keyPath: 'type' },
  aggregates: { keyPath: 'timestamp' },
};
export const USER_DB = 'user';
const USER_SECRET = 'USER_SECRET';
const CHECKPOINT = 'LAST_KNOWN_CHECKPOINT';

const opened = new Map(); // name -> Promise<IDBDatabase|MemoryDb>

function request(req) {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

function createMissing(db) {
  for (const [name, spec] of Object.entries(STORES)) {
    if (db.objectStoreNames.contains(name)) continue;
    const opts = spec.keyPath ? { keyPath: spec.keyPath } : { autoIncrement: true };
    const store = db.createObjectStore(name, opts);
    if (spec.index) store.createIndex(spec.index, spec.index);
  }
}

function openVersion(name, version) {
  return new Promise((resolve, reject) => {
    const req = version ? indexedDB.open(name, version) : indexedDB.open(name);
    req.onupgradeneeded = () => createMissing(req.result);
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
    req.onblocked = () => reject(new Error(`database ${name} is blocked`));
  });
}

async function openIdb(name) {
  let db = await openVersion(name);
  const missing = Object.keys(STORES).some((s) => !db.objectStoreNames.contains(s));
  if (missing) {
    const v = db.version + 1;
    db.close();
    db = await openVersion(name, v);
  }
  db.onversionchange = () => {
    db.close();
    opened.delete(name);
  };
  return db;
}

// A stand-in with the same few operations, for when IndexedDB fails.
class MemoryDb {
  constructor() {
    this.stores = { keys: new Map(), events: new Map(), checkpoints: new Map(), aggregates: new Map() };
    this.next = 1;
  }
}

function open(name) {
  if (!opened.has(name)) {
    const p = (typeof indexedDB === 'object' && indexedDB
      ? openIdb(name)
      : Promise.reject(new Error('no IndexedDB'))
    ).catch(() => new MemoryDb());
    opened.set(name, p);
  }
  return opened.get(name);
}

// Run fn(store) in one transaction on one table; resolves with fn's result
// once the transaction has committed.
async function withStore(dbName, storeName, mode, fn) {
  const db = await open(dbName);
  if (db instanceof MemoryDb) return fn(null, db.stores[storeName], db);
  const tx = db.transaction(storeName, mode);
  const done = new Promise((resolve, reject) => {
    tx.oncomplete = resolve;
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error || new Error('transaction aborted'));
  });
  const result = await fn(tx.objectStore(storeName));
  await done;
  return result;
}

// --- user secrets, one database per account --------------------------------

export function getUserSecret(accountId) {
  return withStore(accountId, 'keys', 'readonly', async (store, mem) => {
    if (mem) {
      for (const rec of mem.values()) if (rec.type === USER_SECRET) return rec.value;
      return null;
    }
    const rec = await request(store.index('type').get(USER_SECRET));
    return rec ? rec.value : null;
  });
}

// Stores jwk unless a secret is stored already.
export function putUserSecret(accountId, jwk) {
  return withStore(accountId, 'keys', 'readwrite', async (store, mem, mdb) => {
    if (mem) {
      for (const rec of mem.values()) if (rec.type === USER_SECRET) return;
      mem.set(mdb.next++, { type: USER_SECRET, value: jwk });
      return;
    }
    const existing = await request(store.index('type').getKey(USER_SECRET));
    if (existing === undefined) await request(store.add({ type: USER_SECRET, value: jwk }));
  });
}

export function deleteUserSecret(accountId) {
  return withStore(accountId, 'keys', 'readwrite', async (store, mem) => {
    if (mem) {
      for (const [k, rec] of mem) if (rec.type === USER_SECRET) mem.delete(k);
      return;
    }
    const keys = await request(store.index('type').getAllKeys(USER_SECRET));
    await Promise.all(keys.map((k) => request(store.delete(k))));
  });
}

// --- the visitor's own events, decrypted, in the "user" database ---------

export function getEvents() {
  return withStore(USER_DB, 'events', 'readonly', (store, mem) =>
    mem ? Array.from(mem.values()) : request(store.getAll()));
}

// Add or replace records and drop deleted ids, in one transaction.
export function updateEvents(records, deletedIds) {
  return withStore(USER_DB, 'events', 'readwrite', async (store, mem) => {
    if (mem) {
      for (const r of records) mem.set(r.eventId, r);
      for (const id of deletedIds) mem.delete(id);
      return;
    }
    await Promise.all([
      ...records.map((r) => request(store.put(r))),
      ...deletedIds.map((id) => request(store.delete(id))),
    ]);
  });
}

export async function getCheckpoint() {
  const rec = await withStore(USER_DB, 'checkpoints', 'readonly', (store, mem) =>
    mem ? mem.get(CHECKPOINT) : request(store.get(CHECKPOINT)));
  return rec ? rec.sequence : null;
}

export function setCheckpoint(sequence) {
  const rec = { type: CHECKPOINT, sequence };
  return withStore(USER_DB, 'checkpoints', 'readwrite', (store, mem) =>
    mem ? void mem.set(CHECKPOINT, rec) : request(store.put(rec)));
}

// Forget the visitor's local copy of their events and the sync position.
export async function clearLocalEvents() {
  await withStore(USER_DB, 'events', 'readwrite', (store, mem) =>
    mem ? void mem.clear() : request(store.clear()));
  await withStore(USER_DB, 'checkpoints', 'readwrite', (store, mem) =>
    mem ? void mem.clear() : request(store.clear()));
}
