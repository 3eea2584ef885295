// nodes.test.mjs -- two candor serve processes on one database: started at
// the same moment, both migrate it (a lock, not luck, keeps that safe);
// what a visitor sends through one, the operator and the visitor read
// through the other, and a session made on one is good on the other.
//
// PostgreSQL and MySQL only (CANDOR_TEST_DIALECT); on SQLite one node owns
// its file.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, tempDir } from './harness.mjs';
import { newVisitor, post } from './client.mjs';
import { DIALECT, databaseFor, dropDatabase, onSqlite, query } from '../db/fresh.mjs';

const skip = onSqlite && 'two nodes need PostgreSQL or MySQL (CANDOR_TEST_DIALECT)';
if (skip) console.log(`# nodes.test.mjs skipped: ${skip}`);

let tmp, key, a, b;
const b64 = (n) => randomBytes(n).toString('base64');
const payload = () => `{1,} ${b64(200)} ${b64(12)}`;

before(async () => {
  if (skip) return;
  tmp = tempDir('candor-nodes-');
  key = join(tmp, 'shared-db');
  // One database and one secret (sessions signed on one node are good on
  // the other), each node a data folder of its own.
  const env = { ...databaseFor(key), CANDOR_SECRET: randomBytes(32).toString('base64') };
  [a, b] = await Promise.all([
    startServer({ env: { ...env, CANDOR_APP_DATADIR: join(tmp, 'a') } }),
    startServer({ env: { ...env, CANDOR_APP_DATADIR: join(tmp, 'b') } }),
  ]);
});

after(async () => {
  if (skip) return;
  try {
    await Promise.all([a?.stop(), b?.stop()]);
  } finally {
    dropDatabase(key);
    rmSync(tmp, { recursive: true, force: true });
  }
});

test('two nodes starting at once migrate one database once', { skip }, () => {
  const ids = query(key, 'SELECT id FROM migrations ORDER BY id').split('\n');
  assert.equal(new Set(ids).size, ids.length, 'every migration recorded once');
  assert.ok(ids.includes('SCHEMA_INIT') && ids.includes('007_account_customStyles'));
  assert.ok(ids.some((id) => id.startsWith('candor_')));
  assert.equal(query(key, 'SELECT count(*) FROM accounts'), '0');
});

test('events written through one node are read through the other', { skip, timeout: 120000 }, async () => {
  let res = await post(a, '/api/setup', { accountName: 'Site', emailAddress: 'op@example.com', password: 'op password' });
  assert.equal(res.status, 204);
  // Log in on B: the operator A created.
  res = await post(b, '/api/login', { username: 'op@example.com', password: 'op password' });
  assert.equal(res.status, 200);
  const operator = res.headers.get('set-cookie').split(';')[0];
  const accountId = (await res.json()).accounts[0].accountId;

  // A visitor on A.
  const user = await newVisitor(a, accountId);
  const sent = [];
  for (let i = 0; i < 5; i++) {
    const p = payload();
    res = await post(i % 2 ? b : a, '/api/events', { accountId, payload: p }, `consent=allow; user=${user}`);
    assert.equal(res.status, 201);
    sent.push(p);
  }

  // The visitor reads them through B, the operator through A and B.
  res = await fetch(`${b.url}/api/events`, { headers: { cookie: `user=${user}` } });
  assert.equal(res.status, 200);
  const mine = (await res.json()).events;
  assert.deepEqual(Object.values(mine).flat().map((e) => e.payload).sort(), [...sent].sort());
  for (const node of [a, b]) {
    res = await fetch(`${node.url}/api/accounts/${accountId}`, { headers: { cookie: operator } });
    assert.equal(res.status, 200);
    const got = Object.values((await res.json()).events).flat().map((e) => e.payload).sort();
    assert.deepEqual(got, [...sent].sort());
  }
  assert.equal(query(key, 'SELECT count(*) FROM events'), '5');
  // The node this dialect runs on, for the record.
  assert.ok(['postgres', 'mysql'].includes(DIALECT));
});

// --- login throttling across nodes (CANDOR_RATELIMIT) ---------------------

// Two fresh nodes on a database of their own with the given store, an
// operator (op1) who set it up and a second one (op2) invited and joined.
async function throttledPair(store) {
  const k = join(tmp, `throttle-${store}`);
  const env = { ...databaseFor(k), CANDOR_SECRET: randomBytes(32).toString('base64'),
    CANDOR_RATELIMIT: store };
  const nodes = await Promise.all(['x', 'y'].map((n) =>
    startServer({ env: { ...env, CANDOR_APP_DATADIR: join(tmp, `${store}-${n}`) } })));
  const [x, y] = nodes;
  let res = await post(x, '/api/setup', { accountName: 'T', emailAddress: 'op1@example.com', password: 'op1 password' });
  assert.equal(res.status, 204);
  res = await post(x, '/api/login', { username: 'op1@example.com', password: 'op1 password' });
  assert.equal(res.status, 200);
  const cookie = res.headers.get('set-cookie').split(';')[0];
  res = await post(x, '/api/share-account', { invitee: 'op2@example.com', emailAddress: 'op1@example.com',
    password: 'op1 password', urlTemplate: 'http://x/join/{token}/' }, cookie);
  assert.equal(res.status, 204);
  const links = [...x.stderr.matchAll(/http:\/\/x\/join\/([A-Za-z0-9_=-]+)\//g)];
  const token = links[links.length - 1][1];
  res = await post(y, '/api/join', { emailAddress: 'op2@example.com', password: 'op2 password', token });
  assert.equal(res.status, 204);
  return { nodes, key: k };
}

// 100 wrong-password logins for op1 at once, half through each node; the
// 429s come at once, the held attempts are left to time out. Meanwhile op2
// logs in through each node. Returns the number of 429s and op2's answers.
async function flood([x, y]) {
  const ctl = new AbortController();
  const statuses = [];
  const all = Array.from({ length: 100 }, (_, i) => fetch(`${(i % 2 ? y : x).url}/api/login`, {
    method: 'POST', signal: ctl.signal,
    body: JSON.stringify({ username: 'op1@example.com', password: 'wrong password' }),
  }).then((r) => { statuses.push(r.status); }).catch(() => {}));
  await new Promise((r) => setTimeout(r, 3000));
  const others = [];
  for (const n of [x, y]) {
    others.push((await post(n, '/api/login', { username: 'op2@example.com', password: 'op2 password' })).status);
  }
  const rejected = statuses.filter((s) => s === 429).length;
  ctl.abort();
  await Promise.allSettled(all);
  return { rejected, others };
}

test('login throttling is shared with CANDOR_RATELIMIT=database, per node with memory', { skip, timeout: 180000 }, async () => {
  const shared = await throttledPair('database');
  let db;
  try {
    db = await flood(shared.nodes);
  } finally {
    await Promise.all(shared.nodes.map((n) => n.stop()));
    dropDatabase(shared.key);
  }
  const alone = await throttledPair('memory');
  let mem;
  try {
    mem = await flood(alone.nodes);
  } finally {
    await Promise.all(alone.nodes.map((n) => n.stop()));
    dropDatabase(alone.key);
  }
  // Exponential 1 s: nine attempts fit in 30 s per key. One key for both
  // nodes: 91 refused; one key per node: 82.
  console.log(`429s: database ${db.rejected}, memory ${mem.rejected}`);
  assert.ok(db.rejected >= 90, `database: only ${db.rejected} of 100 got 429`);
  assert.ok(db.rejected > mem.rejected, `database ${db.rejected} 429s, memory ${mem.rejected}`);
  assert.deepEqual(db.others, [200, 200], 'op2 logs in on both nodes during the flood');
  assert.deepEqual(mem.others, [200, 200]);
});
