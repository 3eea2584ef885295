// visitors.test.mjs -- the visitor's API: key exchange, encrypted events
// acknowledged only once committed, their own events, purge and tombstones,
// and the operator's view of the same events.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { startServer, sqlite } from './harness.mjs';
import { newVisitor, post } from './client.mjs';

let srv, accountId, operator;
const b64 = (n) => randomBytes(n).toString('base64');
const payload = (n = 300) => `{1,} ${b64(n)} ${b64(12)}`;
const db = () => join(srv.dataDir, 'candor.db');

before(async () => {
  srv = await startServer();
  let res = await post(srv, '/api/setup', { accountName: 'Site', emailAddress: 'op@example.com', password: 'op password' });
  assert.equal(res.status, 204);
  res = await post(srv, '/api/login', { username: 'op@example.com', password: 'op password' });
  operator = res.headers.get('set-cookie').split(';')[0];
  accountId = (await res.json()).accounts[0].accountId;
});
after(async () => { await srv.stop(); });

test('GET /api/exchange gives the public key, 400 for unknown accounts', async () => {
  let res = await fetch(`${srv.url}/api/exchange?accountId=${accountId}`);
  assert.equal(res.status, 200);
  const body = await res.json();
  assert.deepEqual(Object.keys(body).sort(), ['accountId', 'created', 'name', 'publicKey']);
  assert.equal(body.publicKey.kty, 'RSA');
  for (const q of ['', '?accountId=', `?accountId=${randomUUID()}`]) {
    res = await fetch(`${srv.url}/api/exchange${q}`);
    assert.equal(res.status, 400, q);
  }
});

test('events need consent and a user cookie; nothing is stored otherwise', async () => {
  const user = await newVisitor(srv, accountId);
  const before = sqlite(db(), 'SELECT count(*) FROM events;');
  let res = await post(srv, '/api/events', { accountId, payload: payload() }, `user=${user}`);
  assert.equal(res.status, 204);
  res = await post(srv, '/api/events', { accountId, payload: payload() }, `consent=deny; user=${user}`);
  assert.equal(res.status, 204);
  res = await post(srv, '/api/events', { accountId, payload: payload() }, 'consent=allow');
  assert.equal(res.status, 400);
  assert.equal(sqlite(db(), 'SELECT count(*) FROM events;'), before);
});

test('an acknowledged event is committed, with ULID ids and the cookie refreshed', async () => {
  const user = await newVisitor(srv, accountId);
  const res = await post(srv, '/api/events', { accountId, payload: payload() }, `consent=allow; user=${user}`);
  assert.equal(res.status, 201);
  assert.deepEqual(await res.json(), { ack: true });
  assert.match(res.headers.get('set-cookie'), new RegExp(`^user=${user}; Path=/api; Expires=`));
  const [id, seq] = sqlite(db(), `SELECT event_id, sequence FROM events ORDER BY rowid DESC LIMIT 1;`).split('|');
  assert.match(id, /^[0-7][0-9A-HJKMNP-TV-Z]{25}$/);
  assert.match(seq, /^[0-7][0-9A-HJKMNP-TV-Z]{25}$/);
  assert.ok(seq > id);
});

test('bad events get a clear 4xx and nothing is stored', async () => {
  const user = await newVisitor(srv, accountId);
  const cookie = `consent=allow; user=${user}`;
  const before = sqlite(db(), 'SELECT count(*) FROM events;');
  const cases = [
    [{ accountId, payload: 'plaintext https://example.com/secret-page' }, 400],
    [{ accountId, payload: '' }, 400],
    [{ accountId: randomUUID(), payload: payload() }, 404],
    [{ payload: payload() }, 400],
    [{ accountId, payload: 5 }, 400],
    [{ accountId: 'x'.repeat(65), payload: payload() }, 413],
  ];
  for (const [body, status] of cases) {
    const res = await post(srv, '/api/events', body, cookie);
    assert.equal(res.status, status, JSON.stringify(body).slice(0, 80));
    assert.equal((await res.json()).status, status);
  }
  // unknown visitor (no exchange): 400, the vault then re-exchanges
  let res = await post(srv, '/api/events', { accountId, payload: payload() }, `consent=allow; user=${randomUUID()}`);
  assert.equal(res.status, 400);
  res = await post(srv, '/api/events', null, cookie, '{"accountId":');
  assert.equal(res.status, 400);
  // payload cap: 32768 bytes accepted, one more refused
  const at = `{1,} ${'A'.repeat(32768 - 5)}`;
  res = await post(srv, '/api/events', { accountId, payload: at }, cookie);
  assert.equal(res.status, 201);
  res = await post(srv, '/api/events', { accountId, payload: at + 'A' }, cookie);
  assert.equal(res.status, 413);
  assert.equal(Number(sqlite(db(), 'SELECT count(*) FROM events;')), Number(before) + 1);
});

test('concurrent events are all acknowledged, committed and uniquely ordered', async () => {
  const users = await Promise.all(Array.from({ length: 8 }, () => newVisitor(srv, accountId)));
  const before = Number(sqlite(db(), 'SELECT count(*) FROM events;'));
  // 4 waves of 100 at once (the per-address cap allows 256 connections)
  for (let wave = 0; wave < 4; wave++) {
    const results = await Promise.all(Array.from({ length: 100 }, (_, i) =>
      post(srv, '/api/events', { accountId, payload: payload(64) }, `consent=allow; user=${users[i % 8]}`)));
    assert.ok(results.every((r) => r.status === 201));
  }
  assert.equal(Number(sqlite(db(), 'SELECT count(*) FROM events;')), before + 400);
  assert.equal(sqlite(db(), 'SELECT count(DISTINCT event_id) = count(*) AND count(DISTINCT sequence) = count(*) FROM events;'), '1');
});

test('a visitor reads their own events, syncs by sequence, and purges them', async () => {
  const user = await newVisitor(srv, accountId);
  const other = await newVisitor(srv, accountId);
  const cookie = `consent=allow; user=${user}`;
  const sent = [payload(), payload(), payload()];
  for (const p of sent) assert.equal((await post(srv, '/api/events', { accountId, payload: p }, cookie)).status, 201);
  assert.equal((await post(srv, '/api/events', { accountId, payload: payload() }, `consent=allow; user=${other}`)).status, 201);

  let res = await fetch(`${srv.url}/api/events`, { headers: { cookie } });
  assert.equal(res.status, 200);
  let body = await res.json();
  assert.equal(body.retentionPeriod, '6months');
  assert.deepEqual(body.events[accountId].map((e) => e.payload), sent); // only theirs, in order
  assert.ok(body.events[accountId].every((e) => e.accountId === accountId && !('secretId' in e)));
  const checkpoint = body.sequence;
  assert.match(checkpoint, /^[0-9A-Z]{26}$/);

  res = await fetch(`${srv.url}/api/events?since=${checkpoint}`, { headers: { cookie } });
  body = await res.json();
  assert.deepEqual(body.events, {});
  assert.equal(body.sequence, undefined);
  assert.equal((await fetch(`${srv.url}/api/events?since=nope`, { headers: { cookie } })).status, 400);
  assert.equal((await fetch(`${srv.url}/api/events`)).status, 400);

  res = await post(srv, '/api/purge?user=1', null, cookie, '');
  assert.equal(res.status, 204);
  assert.match(res.headers.get('set-cookie'), /^user=; Path=\/api; Expires=Thu, 01 Jan 1970/);
  res = await fetch(`${srv.url}/api/events?since=${checkpoint}`, { headers: { cookie } });
  body = await res.json();
  assert.deepEqual(body.events, {});
  assert.equal(body.deletedEvents.length, 3);
  assert.ok(body.sequence > checkpoint);
  res = await fetch(`${srv.url}/api/events`, { headers: { cookie } });
  assert.deepEqual((await res.json()).events, {});
  // the other visitor's event is untouched
  res = await fetch(`${srv.url}/api/events`, { headers: { cookie: `user=${other}` } });
  assert.equal((await res.json()).events[accountId].length, 1);
});

test('a returning visitor with a new key: old events are parked for the operator', async () => {
  const user = await newVisitor(srv, accountId);
  const cookie = `consent=allow; user=${user}`;
  assert.equal((await post(srv, '/api/events', { accountId, payload: payload() }, cookie)).status, 201);
  const res = await post(srv, '/api/exchange', { accountId, encryptedSecret: `{1,} ${b64(512)}` }, `user=${user}`);
  assert.equal(res.status, 204);
  const mine = await (await fetch(`${srv.url}/api/events`, { headers: { cookie } })).json();
  assert.deepEqual(mine.events, {});
});

test('the operator reads the account\'s events with the visitors\' secrets, and syncs', async () => {
  const get = async (q = '') => {
    const res = await fetch(`${srv.url}/api/accounts/${accountId}${q}`, { headers: { cookie: operator } });
    assert.equal(res.status, 200);
    return res.json();
  };
  const user = await newVisitor(srv, accountId);
  const cookie = `consent=allow; user=${user}`;
  const first = await get();
  const count = first.events[accountId].length;
  assert.ok(first.events[accountId].every((e) => e.eventId && e.payload));
  for (const e of first.events[accountId]) {
    if (e.secretId) assert.ok(first.secrets[e.secretId].startsWith('{1,} '));
  }
  const p = payload();
  assert.equal((await post(srv, '/api/events', { accountId, payload: p }, cookie)).status, 201);
  const next = await get(`?since=${first.sequence}`);
  assert.deepEqual(next.events[accountId].map((e) => e.payload), [p]);
  assert.equal(Object.keys(next.secrets).length, 1);
  assert.equal((await get()).events[accountId].length, count + 1);
  // the visitor purges: the operator's next sync lists the deletion
  assert.equal((await post(srv, '/api/purge', null, cookie, '')).status, 204);
  const last = await get(`?since=${next.sequence}`);
  assert.equal(last.events, undefined);
  assert.deepEqual(last.deletedEvents, [next.events[accountId][0].eventId]);
  const res = await fetch(`${srv.url}/api/accounts/${accountId}?since=bad`, { headers: { cookie: operator } });
  assert.equal(res.status, 400);
});

test('the secrets route gives the private key and every visitor\'s secret without the events', async () => {
  const get = async (path, status = 200) => {
    const res = await fetch(`${srv.url}${path}`, { headers: { cookie: operator } });
    assert.equal(res.status, status, path);
    assert.equal(res.headers.get('cache-control'), 'no-store');
    return res.json();
  };
  // two more visitors with events, one with a key and no event, one
  // anonymous event through the database
  const users = [await newVisitor(srv, accountId), await newVisitor(srv, accountId)];
  await newVisitor(srv, accountId);
  for (const user of users) {
    assert.equal((await post(srv, '/api/events', { accountId, payload: payload() }, `consent=allow; user=${user}`)).status, 201);
  }
  const view = await get(`/api/accounts/${accountId}`);
  const keys = await get(`/api/accounts/${accountId}/secrets`);
  assert.deepEqual(Object.keys(keys).sort(), ['accountId', 'encryptedPrivateKey', 'secrets']);
  assert.equal(keys.accountId, accountId);
  assert.equal(keys.encryptedPrivateKey, view.encryptedPrivateKey);
  // exactly the secrets the full view carries: one per visitor with events
  assert.deepEqual(keys.secrets, view.secrets);
  const withEvents = new Set(view.events[accountId].filter((e) => e.secretId).map((e) => e.secretId));
  assert.deepEqual(Object.keys(keys.secrets).sort(), [...withEvents].sort());
  // its own throttle: asked together with a view that the view's throttle
  // holds (one per second), the secrets answer first
  await new Promise((resolve) => setTimeout(resolve, 1100)); // both throttles clear
  await get(`/api/accounts/${accountId}`);
  const order = [];
  await Promise.all([
    get(`/api/accounts/${accountId}`).then(() => order.push('view')),
    get(`/api/accounts/${accountId}/secrets`).then(() => order.push('secrets')),
  ]);
  assert.deepEqual(order, ['secrets', 'view']);
  // eventsFrom: only the visitors with an event from that id on
  const events = view.events[accountId].filter((e) => e.secretId).sort((a, b) => (a.eventId < b.eventId ? -1 : 1));
  const last = events.at(-1);
  const only = await get(`/api/accounts/${accountId}/secrets?eventsFrom=${last.eventId}`);
  assert.deepEqual(only.secrets, { [last.secretId]: view.secrets[last.secretId] });
  const all = await get(`/api/accounts/${accountId}/secrets?eventsFrom=${events[0].eventId}`);
  assert.deepEqual(all.secrets, view.secrets);
  const later = `${String.fromCharCode(last.eventId.charCodeAt(0) + 1)}${'0'.repeat(25)}`;
  assert.deepEqual((await get(`/api/accounts/${accountId}/secrets?eventsFrom=${later}`)).secrets, {});
  assert.deepEqual((await get(`/api/accounts/${accountId}/secrets?eventsFrom=`)).secrets, view.secrets);
  for (const bad of ['bad', `${last.eventId}0`, last.eventId.slice(1)]) {
    assert.match((await get(`/api/accounts/${accountId}/secrets?eventsFrom=${bad}`, 400)).error, /eventsFrom/);
  }
  // an unknown account is 403 (no access), as the view
  await get(`/api/accounts/${randomUUID()}/secrets`, 403);
});

test('caps on the visitor\'s cookie, the account id and the wrapped secret', async () => {
  // user cookie: 128 bytes work end to end, 129 are refused
  const long = 'u'.repeat(128);
  let res = await post(srv, '/api/exchange', { accountId, encryptedSecret: `{1,} ${b64(64)}` }, `user=${long}`);
  assert.equal(res.status, 204);
  res = await post(srv, '/api/events', { accountId, payload: payload() }, `consent=allow; user=${long}`);
  assert.equal(res.status, 201);
  res = await post(srv, '/api/events', { accountId, payload: payload() }, `consent=allow; user=${long}u`);
  assert.equal(res.status, 400);
  // account id: 64 bytes are read (and unknown), 65 are too long
  res = await post(srv, '/api/events', { accountId: 'a'.repeat(64), payload: payload() }, `consent=allow; user=${long}`);
  assert.equal(res.status, 404);
  // wrapped secret: 8192 bytes stored, 8193 refused
  const at = `{1,} ${'A'.repeat(8192 - 5)}`;
  res = await post(srv, '/api/exchange', { accountId, encryptedSecret: at }, `user=${randomUUID()}`);
  assert.equal(res.status, 204);
  res = await post(srv, '/api/exchange', { accountId, encryptedSecret: `${at}A` }, `user=${randomUUID()}`);
  assert.equal(res.status, 413);
});
