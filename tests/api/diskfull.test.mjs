// diskfull.test.mjs -- a full disk gives 503, not a crash or a corrupt file.
//
// Without root, the disk is "full" through RLIMIT_FSIZE (prlimit --fsize):
// past the limit write(2) fails with EFBIG (the server ignores SIGXFSZ), so
// SQLite sees the same failed write as on a full file system. The server
// must answer POST /api/events with Offen's error envelope and 503, keep
// serving, leave a database that passes PRAGMA integrity_check, and accept
// events again once the limit is gone (a restart: a process cannot raise
// its own hard limit).
//
// As root, where loop devices can be mounted, the same is done for real on
// a 4 MiB ext4 file system: filled up, then space returned by deleting a
// ballast file, without a restart. Skipped with the reason printed otherwise.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { readdirSync, statSync, rmSync, mkdirSync, writeFileSync } from 'node:fs';
import { startServer, tempDir, sqlite } from './harness.mjs';
import { newVisitor, post } from './client.mjs';
import { DIALECT, onSqlite } from '../db/fresh.mjs';

// A full disk is tested where the database is a file of ours: SQLite.
const sqliteOnly = !onSqlite && `the database is SQLite's file (CANDOR_TEST_DIALECT=${DIALECT})`;

const b64 = (n) => randomBytes(n).toString('base64');
const OP = { username: 'op@example.com', password: 'op password' };

// An account and VISITORS visitors: events are throttled per visitor
// (0.5 s), so filling a disk takes many of them posting side by side.
const VISITORS = 32;
async function prepare(srv) {
  let res = await post(srv, '/api/setup', { accountName: 'Site', emailAddress: OP.username, password: OP.password });
  assert.equal(res.status, 204);
  res = await post(srv, '/api/login', OP);
  const accountId = (await res.json()).accounts[0].accountId;
  const cookies = [];
  for (let i = 0; i < VISITORS; i++) {
    cookies.push(`consent=allow; user=${await newVisitor(srv, accountId, 64)}`);
  }
  return { accountId, cookies, cookie: cookies[0] };
}

// Post 8 KB events, one per visitor at a time, until one gets 503; returns
// the acknowledged payloads and the first 503 answer. Fails if the disk
// never fills within max rounds.
async function fillUp(srv, v, max = 1000) {
  const acked = [];
  for (let round = 0; round < max; round++) {
    const answers = await Promise.all(v.cookies.map(async (cookie) => {
      const payload = `{1,} ${b64(6000)} ${b64(12)}`;
      const res = await post(srv, '/api/events', { accountId: v.accountId, payload }, cookie);
      const body = await res.text();
      if (res.status === 201) acked.push(payload);
      return { status: res.status, type: res.headers.get('content-type'), body };
    }));
    const full = answers.find((a) => a.status !== 201);
    if (full) return { acked, ...full };
  }
  assert.fail(`the disk never filled up after ${max} rounds`);
}

function assertFull(full) {
  assert.equal(full.status, 503, full.body);
  assert.equal(full.type, 'application/json; charset=utf-8');
  const body = JSON.parse(full.body);
  assert.equal(body.status, 503);
  assert.match(body.error, /could not be stored/);
}

async function stillServing(srv, v) {
  assert.equal(srv.exited, null, 'the server is still running');
  assert.equal((await fetch(`${srv.url}/`)).status, 200);
  const res = await fetch(`${srv.url}/api/exchange?accountId=${v.accountId}`);
  assert.equal(res.status, 200, 'reads still work');
}

// Every stored payload (too much for sqlite()'s default 1 MiB pipe buffer).
function storedPayloads(db) {
  const r = spawnSync('sqlite3', [db, 'SELECT payload FROM events;'], { encoding: 'utf8', maxBuffer: 1 << 28 });
  assert.equal(r.status, 0, r.stderr || String(r.error));
  return new Set(r.stdout.split('\n'));
}

function biggestFile(dir) {
  return Math.max(...readdirSync(dir).map((f) => statSync(join(dir, f)).size));
}

test('RLIMIT_FSIZE: 503 while the file cannot grow, 201 after the limit is lifted', { skip: sqliteOnly }, async () => {
  const dir = tempDir();
  let srv;
  try {
    srv = await startServer({ dataDir: dir });
    const v = await prepare(srv);
    const data = srv.dataDir;
    await srv.stop();

    const limit = biggestFile(data) + 256 * 1024;
    srv = await startServer({ dataDir: dir, wrap: ['prlimit', `--fsize=${limit}`, '--'] });
    const full = await fillUp(srv, v);
    assertFull(full);
    assert.ok(full.acked.length > 0, 'some events fit before the limit');
    assert.match(srv.stderr, /level=error msg="store writer: .*(full|disk|I\/O)/, 'the log says why');
    // No crash: later events fail the same way, or fit into space the
    // database file already has (a checkpoint frees WAL pages).
    for (let i = 0; i < 20; i++) {
      const payload = `{1,} ${b64(6000)} x`;
      const res = await post(srv, '/api/events', { accountId: v.accountId, payload }, v.cookies[i % v.cookies.length]);
      assert.ok([201, 503].includes(res.status), `status ${res.status}`);
      if (res.status === 201) full.acked.push(payload);
      await res.arrayBuffer();
    }
    await stillServing(srv, v);
    await srv.stop();
    for (const f of readdirSync(data)) {
      assert.ok(statSync(join(data, f)).size <= limit, `${f} stayed within the limit`);
    }

    srv = await startServer({ dataDir: dir });
    try {
      const db = join(data, 'candor.db');
      assert.equal(sqlite(db, 'PRAGMA integrity_check;'), 'ok');
      const stored = storedPayloads(db);
      assert.equal(full.acked.filter((p) => !stored.has(p)).length, 0, 'acknowledged events kept');
      const res = await post(srv, '/api/events', { accountId: v.accountId, payload: `{1,} ${b64(6000)} y` }, v.cookie);
      assert.equal(res.status, 201);
    } finally {
      await srv.stop();
    }
  } finally {
    if (srv && !srv.exited) srv.child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});

// A real full file system: root and a working loop mount, else skipped.
function loopMount(dir) {
  if (process.getuid?.() !== 0) return 'not root';
  const img = join(dir, 'fs.img');
  const mnt = join(dir, 'mnt');
  mkdirSync(mnt);
  const steps = [
    ['truncate', ['-s', '4M', img]],
    ['mkfs.ext4', ['-q', '-F', '-m', '0', img]],
    ['mount', ['-o', 'loop', img, mnt]],
  ];
  for (const [cmd, args] of steps) {
    const r = spawnSync(cmd, args, { encoding: 'utf8' });
    if (r.status !== 0) return `${cmd} failed: ${(r.stderr || r.error?.message || '').trim()}`;
  }
  return { mnt };
}

test('a real full file system (loop mount): 503, then 201 once space returns, no restart', { skip: sqliteOnly }, async (t) => {
  const dir = tempDir();
  const m = loopMount(dir);
  if (typeof m === 'string') {
    t.skip(`cannot mount a small file system: ${m}`);
    rmSync(dir, { recursive: true, force: true });
    return;
  }
  let srv;
  try {
    srv = await startServer({ dataDir: m.mnt });
    const v = await prepare(srv);
    // Ballast: space we can give back later without touching the database,
    // enough for the checkpoint at the stop to move the write-ahead log
    // into the database file (else the log stays, and sqlite3 below would
    // map its index on a full disk).
    const ballast = join(m.mnt, 'ballast');
    writeFileSync(ballast, Buffer.alloc(1024 * 1024));
    const full = await fillUp(srv, v);
    assertFull(full);
    assert.match(srv.stderr, /level=error msg="store writer: .*full/, 'the log says why');
    await stillServing(srv, v);
    rmSync(ballast);
    let res;
    for (let i = 0; i < 50; i++) { // the writer recovers on its next commit
      res = await post(srv, '/api/events', { accountId: v.accountId, payload: `{1,} ${b64(600)} z` }, v.cookie);
      if (res.status === 201) break;
      await res.arrayBuffer();
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(res.status, 201);
    await srv.stop();
    srv = null;
    const db = join(m.mnt, 'data', 'candor.db');
    assert.equal(sqlite(db, 'PRAGMA integrity_check;'), 'ok');
    const stored = storedPayloads(db);
    assert.equal(full.acked.filter((p) => !stored.has(p)).length, 0);
  } finally {
    if (srv && !srv.exited) srv.child.kill('SIGKILL');
    spawnSync('umount', [m.mnt]);
    rmSync(dir, { recursive: true, force: true });
  }
});
