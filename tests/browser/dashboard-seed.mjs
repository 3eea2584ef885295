// dashboard-seed.mjs -- encrypted events for the dashboard's test and
// benchmark, made with WebCrypto exactly as the vault makes them
// (web/vault/crypto.js, offen-client.md §6.3-§6.4).
//
// Each visitor does the real key exchange through the API (GET and POST
// /api/exchange: an AES-GCM 128 key, RSA-OAEP wrapped for the account);
// the server names the secretId. Events at the present time are posted
// through POST /api/events with the visitor's cookies. Events in the past
// cannot be posted (the server stamps its receive time as the eventId), so
// those are encrypted the same way and written straight into the events
// table, with eventId and sequence ULIDs of their time: the rows are the
// ones the server would have written.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { dbPath, sqlite } from './lib.mjs';

const { subtle } = globalThis.crypto;
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const b64 = (buf) => Buffer.from(buf).toString('base64');

// A ULID of time t with random bits.
export function ulid(t) {
  let s = '';
  let x = Math.floor(t);
  for (let i = 0; i < 10; i++) {
    s = CROCKFORD[x % 32] + s;
    x = Math.floor(x / 32);
  }
  const r = randomBytes(16);
  for (let i = 0; i < 16; i++) s += CROCKFORD[r[i] % 32];
  return s;
}

// One visitor: { user (cookie), secretId, key }.
export async function exchange(server, accountId) {
  let res = await fetch(`${server.url}/api/exchange?accountId=${accountId}`);
  assert.equal(res.status, 200, 'GET /api/exchange');
  const { publicKey } = await res.json();
  const key = await subtle.generateKey({ name: 'AES-GCM', length: 128 }, true, ['encrypt', 'decrypt']);
  const jwk = await subtle.exportKey('jwk', key);
  const pub = await subtle.importKey('jwk', publicKey, { name: 'RSA-OAEP', hash: 'SHA-256' }, false, ['encrypt']);
  const wrapped = await subtle.encrypt({ name: 'RSA-OAEP' }, pub, new TextEncoder().encode(JSON.stringify(jwk)));
  const before = new Set(sqlite(dbPath(server), 'SELECT secret_id FROM secrets').split('\n'));
  res = await fetch(`${server.url}/api/exchange`, {
    method: 'POST', body: JSON.stringify({ accountId, encryptedSecret: `{1,} ${b64(wrapped)}` }),
  });
  assert.equal(res.status, 204, 'POST /api/exchange');
  const user = /user=([^;]+)/.exec(res.headers.get('set-cookie'))[1];
  const after = sqlite(dbPath(server), 'SELECT secret_id FROM secrets').split('\n');
  const secretId = after.find((s) => s && !before.has(s));
  assert.ok(secretId, 'the exchange stored a secret');
  return { user, secretId, key };
}

export async function encrypt(key, payload) {
  const nonce = globalThis.crypto.getRandomValues(new Uint8Array(12));
  const ct = await subtle.encrypt({ name: 'AES-GCM', iv: nonce }, key, new TextEncoder().encode(JSON.stringify(payload)));
  return `{1,} ${b64(ct)} ${b64(nonce)}`;
}

// A page view now, through the API, as the vault posts it.
export async function postEvent(server, accountId, visitor, payload) {
  const res = await fetch(`${server.url}/api/events`, {
    method: 'POST', headers: { cookie: `consent=allow; user=${visitor.user}` },
    body: JSON.stringify({ accountId, payload: await encrypt(visitor.key, payload) }),
  });
  assert.equal(res.status, 201, `POST /api/events: ${await res.text()}`);
}

// Past page views [{visitor, t, payload}] into the events table, in
// transactions of 5,000. Returns their eventIds, in order.
export async function insertEvents(server, accountId, list) {
  const ids = [];
  const sql = ['.timeout 20000', 'BEGIN;'];
  for (let i = 0; i < list.length; i++) {
    const { visitor, t, payload } = list[i];
    const id = ulid(t);
    ids.push(id);
    const cipher = await encrypt(visitor.key, payload);
    sql.push(`INSERT INTO events (event_id, sequence, account_id, secret_id, payload) VALUES ('${id}','${id}','${accountId}','${visitor.secretId}','${cipher}');`);
    if (i % 5000 === 4999) sql.push('COMMIT;', 'BEGIN;');
  }
  sql.push('COMMIT;');
  const r = spawnSync('sqlite3', [dbPath(server)], { input: sql.join('\n'), encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.status !== 0 || r.stderr) throw new Error(`sqlite3: ${r.stderr}`);
  return ids;
}
