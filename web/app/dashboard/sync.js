// sync.js -- from the server's ciphertext to day partials, incrementally.
//
// sync(accountId, kek, {pool, onProgress, prefetched, horizon}) ->
//   { account: {accountId, name, retentionPeriod, created}, days: [day
//     partial...] (aggregate.js), fresh: events decrypted for days,
//     timing: {...ms}, rest: null or a promise of {days, fresh} with
//     every event decrypted, persist(): Promise -- the IndexedDB writes of
//     the main thread, for the caller to start once the page is drawn;
//     it waits for rest }
//
// horizon (ms, a local midnight: aggregate.js horizonOf() of the query
// to draw first): a full sync decrypts the events from it on, answers
// with the older days pending (pendingDays()), and decrypts those in
// rest, so the first draw waits only for the days it shows. An
// incremental sync decrypts everything at once. onProgress({phase, done,
// total}): 'fetch', then 'decrypt' (the events for days), 'aggregate',
// and 'older' (rest's).
//
// 1. Read the cache (cache.js): the last sequence, and the day rows,
//    decrypted with the cache key (HKDF from the KEK, cacheKey()).
// 2. Meanwhile GET /api/accounts/<id>?since=<sequence>: only what is new
//    (prefetch.js; sent by app.js before this module loaded, on a page
//    load that lands here).
//    A full sync (nothing cached) also asks GET /api/accounts/<id>/secrets
//    (Candor's own, small): the private key and the wrapped secret of
//    every visitor seen from the horizon on, which the workers start to
//    unwrap (RSA, the larger part of the decryption) while the events are
//    still downloading; the older days' visitors are unwrapped with their
//    events.
// 3. New events are decrypted in Web Workers (worker.js), at most 4,
//    all events of one secretId in the same worker so its secret is
//    RSA-decrypted once (and never again: the workers keep it sealed in
//    the cache). The private key is AES-GCM-decrypted from the KEK once,
//    here, and handed to each worker.
// 4. deletedEvents leave their day's rows; new rows join theirs.
// 5. The changed days and the new sequence are written in one
//    transaction when the caller calls persist() (after drawing, and
//    after rest: the cache never holds a pending day); the workers store
//    the unwrapped keys themselves.
// A cache cut in another time zone, by another row format or under another
// key is dropped and rebuilt from a full sync.

import { decryptJson } from '/vault/crypto.js';
import { ulidTime } from './metrics/normalize.js';
import { dayKey } from './metrics/time.js';
import { dayPartial, pendingDays } from './metrics/aggregate.js';
import * as cache from './cache.js';
import { ROW_VERSION, fetchAccount, send, timeZone, usableState } from './prefetch.js';

const BATCH = 1000;
const AHEAD = 4; // batches posted to a worker and not yet answered

// A pool of module workers that decrypt batches; terminate() ends them.
export class DecryptPool {
  constructor(size = Math.min(4, Math.max(1, navigator.hardwareConcurrency || 2))) {
    this.size = size;
    this.workers = [];
    this.pending = new Map();
    this.next = 1;
    this.ended = false;
  }

  call(i, msg) {
    const id = this.next++;
    return new Promise((resolve, reject) => {
      if (!this.workers[i]) {
        reject(new Error('the decryption workers ended'));
        return;
      }
      this.pending.set(id, { resolve, reject });
      this.workers[i].postMessage({ ...msg, id });
    });
  }

  // Start the workers (their modules load while the sync fetches).
  start() {
    while (!this.ended && this.workers.length < this.size) {
      const w = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
      w.onmessage = (ev) => {
        const p = this.pending.get(ev.data.id);
        this.pending.delete(ev.data.id);
        if (!p) return;
        if (ev.data.error !== undefined) p.reject(new Error(ev.data.error));
        else p.resolve(ev.data);
      };
      w.onerror = (ev) => {
        for (const p of this.pending.values()) p.reject(new Error(ev.message || 'worker failed'));
        this.pending.clear();
      };
      this.workers.push(w);
    }
  }

  async init(privateKey, accountId, keys, cacheKey) {
    this.start();
    await Promise.all(this.workers.map((w, i) => this.call(i, { type: 'init', privateKey, accountId, keys, cacheKey })));
  }

  // The worker that decrypts every event of secretId.
  lane(secretId) {
    return hash(secretId || '') % this.workers.length;
  }

  // Start unwrapping secrets ({secretId: encryptedSecret}), each in the
  // worker its events will go to; resolves once the workers have them.
  prewarm(secrets) {
    const lanes = this.workers.map(() => ({}));
    for (const [id, enc] of Object.entries(secrets)) lanes[this.lane(id)][id] = enc;
    return Promise.all(lanes.map((part, i) => this.call(i, { type: 'prewarm', secrets: part })));
  }

  // Events -> rows; onBatch(n) after each batch of n events. Each worker
  // has up to AHEAD batches posted, so it never waits for this thread
  // between batches, and the copies in flight stay bounded. A batch goes
  // as three arrays of strings, which the structured clone copies far
  // faster than one object per event.
  async decrypt(events, secrets, onBatch) {
    const lanes = this.workers.map(() => []);
    for (const e of events) lanes[this.lane(e.secretId)].push(e);
    const rows = [];
    let failed = false; // once a batch fails, no lane posts or reports more
    await Promise.all(lanes.map(async (lane, i) => {
      const posted = [];
      for (let k = 0; k < lane.length && !failed; k += BATCH) {
        if (posted.length === AHEAD) await posted.shift();
        const n = Math.min(BATCH, lane.length - k);
        const ids = new Array(n);
        const sids = new Array(n);
        const payloads = new Array(n);
        const need = {};
        for (let j = 0; j < n; j++) {
          const e = lane[k + j];
          ids[j] = e.eventId;
          sids[j] = e.secretId;
          payloads[j] = e.payload;
          if (secrets[e.secretId]) need[e.secretId] = secrets[e.secretId];
        }
        const call = this.call(i, { type: 'batch', ids, sids, payloads, secrets: need }).then((answer) => {
          if (failed) return;
          for (const r of cache.decodeRows(answer.rows)) rows.push(r);
          onBatch(n);
        }, (err) => {
          failed = true;
          throw err;
        });
        call.catch(() => {}); // awaited here; when one fails, decrypt() fails once, not once per batch
        posted.push(call);
      }
      await Promise.all(posted);
    }));
    return rows;
  }

  // The workers store what they decrypted (worker.js flush()).
  flush() {
    return Promise.all(this.workers.map((w, i) => this.call(i, { type: 'flush' })));
  }

  terminate() {
    this.ended = true;
    for (const w of this.workers) w.terminate();
    this.workers = [];
    for (const p of this.pending.values()) p.reject(new Error('the decryption workers ended'));
    this.pending.clear();
  }
}

function hash(s) {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (h * 31 + s.charCodeAt(i)) >>> 0;
  return h;
}

// The key of the day cache: HKDF-SHA-256 from the account's
// key-encryption key (a login's), with its own label, so the decrypted
// rows at rest need a login as the events do.
export async function cacheKey(kek, accountId) {
  const raw = Uint8Array.from(atob(kek.k.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0));
  const base = await crypto.subtle.importKey('raw', raw, 'HKDF', false, ['deriveKey']);
  return crypto.subtle.deriveKey(
    { name: 'HKDF', hash: 'SHA-256', salt: new Uint8Array(0),
      info: new TextEncoder().encode(`candor dashboard days v${ROW_VERSION} ${accountId}`) },
    base, { name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
}

async function privateKeyOf(account, kek) {
  const key = await crypto.subtle.importKey('jwk', kek, { name: 'AES-GCM' }, false, ['decrypt']);
  return decryptJson(key, account.encryptedPrivateKey);
}

// Day records + deleted ids + new rows -> {byDay: Map day -> rows,
// changed: Set of days}.
function apply(records, deleted, rows) {
  const byDay = new Map(records.map((r) => [r.day, r.rows]));
  const changed = new Set();
  const gone = new Set(deleted);
  for (const id of deleted) {
    const t = ulidTime(id);
    if (!Number.isFinite(t)) continue;
    const day = dayKey(t);
    const have = byDay.get(day);
    if (!have) continue;
    byDay.set(day, have.filter((r) => !gone.has(r.id)));
    changed.add(day);
  }
  const add = new Map();
  for (const r of rows) {
    if (gone.has(r.id)) continue;
    const day = dayKey(r.t);
    if (!add.has(day)) add.set(day, []);
    add.get(day).push(r);
  }
  for (const [day, list] of add) {
    const have = byDay.get(day) || [];
    const ids = new Set(have.map((r) => r.id));
    byDay.set(day, have.concat(list.filter((r) => !ids.has(r.id))));
    changed.add(day);
  }
  return { byDay, changed };
}

// prefetched: a promise of prefetch.js's ask() for this account (its
// requests already out), or null.
export async function sync(accountId, kek, { pool, onProgress = () => {}, prefetched = null, horizon = null } = {}) {
  onProgress({ phase: 'fetch', done: 0, total: 0 });
  const db = await cache.open(accountId);
  try {
    return await syncWith(db, accountId, kek, { pool, onProgress, prefetched, horizon });
  } catch (err) {
    db.close();
    throw err;
  }
}

// The server's answer since the cached state, and the cached day records
// (read while the request is out). A cache cut in another time zone, by
// another row format, or under another key is dropped: a full sync.
async function fetchWithCache(db, accountId, key, timing, prefetched, horizon) {
  const t0 = performance.now();
  let sent = null;
  if (prefetched) {
    try {
      sent = await prefetched;
      timing.prefetched = true;
    } catch (e) {
      sent = null; // its cache read failed: ask again here
    }
  }
  if (!sent) sent = send(accountId, await usableState(db), horizon);
  const { state, asked, early } = sent;
  asked.then(() => { timing.requestMs = performance.now() - t0; }, () => {});
  let records = [];
  if (state) {
    try {
      records = await cache.readDays(db, key);
      timing.cacheMs = performance.now() - t0;
    } catch (e) {
      asked.catch(() => {});
      await cache.clear(db);
      await new Promise((resolve) => setTimeout(resolve, 1100)); // one request per second per account
      return { state: null, records: [], account: await fetchAccount(accountId, null), early: null };
    }
  }
  return { state, records, account: asked, early };
}

// The workers, ready for the account: its private key imported, and the
// secrets sealed on earlier visits handed over.
async function initPool(pool, db, account, kek, accountId, key) {
  const [privateKey, keys] = await Promise.all([privateKeyOf(account, kek), cache.readKeys(db)]);
  await pool.init(privateKey, accountId, keys, key);
}

// A full sync's head start: once the secrets have come (before the
// events), the workers get the key and begin unwrapping. Resolves to true
// if they did; false leaves everything to the usual path.
async function headStart(early, pool, db, kek, accountId, key, timing) {
  try {
    const keys = await early;
    timing.secretsMs = performance.now() - timing.start;
    await initPool(pool, db, keys, kek, accountId, key);
    await pool.prewarm(keys.secrets || {});
    return true;
  } catch (e) {
    return false;
  }
}

// Records + deleted ids + rows -> { days: day partials, changed: Set of
// days }.
function partials(records, deleted, rows) {
  const { byDay, changed } = apply(records, deleted, rows);
  const days = [...byDay.keys()].sort().filter((d) => byDay.get(d).length)
    .map((d) => dayPartial(d, byDay.get(d)));
  return { days, changed };
}

async function syncWith(db, accountId, kek, { pool, onProgress, prefetched, horizon }) {
  const tz = timeZone();
  const key = await cacheKey(kek, accountId);
  const timing = { start: performance.now() };
  pool.start();
  const got = await fetchWithCache(db, accountId, key, timing, prefetched, horizon);
  const { state, records } = got;
  const warm = got.early ? headStart(got.early, pool, db, kek, accountId, key, timing) : false;
  const account = await got.account;
  timing.fetchMs = performance.now() - timing.start;
  const events = (account.events && account.events[accountId]) || [];
  const deleted = account.deletedEvents || [];
  const secrets = account.secrets || {};
  // A full sync decrypts the events from the horizon on first; the older
  // ones follow (later).
  let first = events;
  let later = [];
  if (!state && horizon != null) {
    first = [];
    for (const e of events) (ulidTime(e.eventId) < horizon ? later : first).push(e);
  }
  let rows = [];
  const counter = (phase, total) => {
    let done = 0;
    return (n) => {
      done += n;
      onProgress({ phase, done, total });
    };
  };
  if (events.length) {
    timing.headStart = await warm;
    if (!timing.headStart) await initPool(pool, db, account, kek, accountId, key);
    const progress = counter('decrypt', first.length);
    progress(0);
    rows = await pool.decrypt(first, secrets, progress);
  }
  timing.decryptMs = performance.now() - timing.start - timing.fetchMs;
  onProgress({ phase: 'aggregate', done: first.length, total: first.length });
  const t1 = performance.now();
  const recent = partials(records, deleted, rows);
  // later's days all come before recent's (the horizon is a midnight)
  const days = [...pendingDays(later), ...recent.days];
  timing.partialsMs = performance.now() - t1;
  // later only exists on a full sync (no records): its partials are the
  // older days alone, and recent's stand as they are
  const rest = later.length ? pool.decrypt(later, secrets, counter('older', later.length)).then((more) => {
    timing.completeMs = performance.now() - timing.start;
    const older = partials([], deleted, more);
    return { days: [...older.days, ...recent.days], changed: new Set([...older.changed, ...recent.changed]),
      fresh: events.length };
  }) : null;
  if (rest) rest.catch(() => {}); // whoever takes it handles its failure
  const newState = { sequence: account.sequence || (state && state.sequence) || null, timeZone: tz, version: ROW_VERSION };
  // The cache is written once every event is decrypted.
  const persist = async () => {
    try {
      const all = rest ? await rest : recent;
      if (!all.changed.size && state && newState.sequence === state.sequence) return;
      const byName = new Map(all.days.map((d) => [d.day, d]));
      const writes = [...all.changed].map((d) => ({ day: d, rows: byName.has(d) ? byName.get(d).rows : [] }));
      await cache.writeDays(db, writes, newState, key);
      if (events.length) await pool.flush();
    } finally {
      db.close();
    }
  };
  return {
    account: {
      accountId, name: account.name, retentionPeriod: account.retentionPeriod, created: account.created,
    },
    days, fresh: first.length, persist, timing: { ...timing, totalMs: performance.now() - timing.start },
    rest,
  };
}
