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
import { DIALECT, databaseFor, dropDatabase, onSqlite, query } from '../db/fresh.mjs';

const skip = onSqlite && 'two nodes need PostgreSQL or MySQL (CANDOR_TEST_DIALECT)';
if (skip) console.log(`# nodes.test.mjs skipped: ${skip}`);

let tmp, key, a, b;
const b64 = (n) => randomBytes(n).toString('base64');
const payload = () => `{1,} ${b64(200)} ${b64(12)}`;
const post = (srv, path, body, cookie) => fetch(`${srv.url}${path}`, {
  method: 'POST', body: JSON.stringify(body), headers: cookie ? { cookie } : {},
});

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
  res = await post(a, '/api/exchange', { accountId, encryptedSecret: `{1,} ${b64(512)}` });
  assert.equal(res.status, 204);
  const user = /^user=([0-9a-f-]{36});/.exec(res.headers.get('set-cookie'))[1];
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
