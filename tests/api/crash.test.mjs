// crash.test.mjs -- an acknowledged event survives SIGKILL.
//
// Many visitors post events at once; every 201 is recorded. The server is
// killed with SIGKILL while requests are in flight, restarted on the same
// data folder, and then every acknowledged event must be in the database
// (read both with the sqlite3 CLI and through the operator's API), and
// PRAGMA integrity_check must say ok. Unacknowledged events may or may not
// be there; that is the contract of a group commit (DESIGN.md §4).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { rmSync } from 'node:fs';
import { startServer, tempDir, sqlite } from './harness.mjs';
import { newVisitor, post } from './client.mjs';
import { onSqlite } from '../db/fresh.mjs';

const VISITORS = 64;
const b64 = (n) => randomBytes(n).toString('base64');
const OP = { username: 'op@example.com', password: 'op password' };

// One visitor posting events back to back until the server is gone.
async function visitor(srv, accountId, cookie, acked, state) {
  while (!state.killed) {
    const payload = `{1,} ${b64(48)} ${b64(12)}`;
    try {
      const res = await post(srv, '/api/events', { accountId, payload }, cookie);
      if (res.status === 201) acked.push(payload);
      else await res.arrayBuffer();
    } catch {
      return; // the connection died with the server
    }
  }
}

test('every acknowledged event is in the database after SIGKILL and restart', async () => {
  const dir = tempDir();
  try {
    let srv = await startServer({ dataDir: dir });
    let res = await post(srv, '/api/setup', { accountName: 'Site', emailAddress: OP.username, password: OP.password });
    assert.equal(res.status, 204);
    res = await post(srv, '/api/login', OP);
    const accountId = (await res.json()).accounts[0].accountId;
    const users = await Promise.all(Array.from({ length: VISITORS }, () => newVisitor(srv, accountId, 64)));
    const cookies = users.map((user) => `consent=allow; user=${user}`);

    const acked = [];
    const state = { killed: false };
    const running = cookies.map((c) => visitor(srv, accountId, c, acked, state));
    // Kill once ingestion is well under way, with requests in flight.
    while (acked.length < 1500) await new Promise((r) => setTimeout(r, 5));
    const exited = new Promise((r) => srv.child.on('exit', r));
    srv.child.kill('SIGKILL');
    state.killed = true;
    await exited;
    await Promise.all(running);
    const ackedAtKill = acked.length;
    assert.ok(ackedAtKill >= 1500);

    const db = join(srv.dataDir, 'candor.db');
    srv = await startServer({ dataDir: dir });
    try {
      if (onSqlite) assert.equal(sqlite(db, 'PRAGMA integrity_check;'), 'ok');
      // 24 characters of each payload's random base64 identify it, and keep
      // the output small.
      const key = (p) => p.slice(5, 29);
      const stored = new Set(sqlite(db, 'SELECT substr(payload, 6, 24) FROM events;').split('\n'));
      const missing = acked.filter((p) => !stored.has(key(p)));
      assert.deepEqual(missing, [], `${missing.length} of ${ackedAtKill} acknowledged events lost`);

      // The operator sees them too, through the API.
      res = await post(srv, '/api/login', OP);
      assert.equal(res.status, 200);
      const auth = res.headers.get('set-cookie').split(';')[0];
      res = await fetch(`${srv.url}/api/accounts/${accountId}`, { headers: { cookie: auth } });
      assert.equal(res.status, 200);
      const body = await res.json();
      const seen = new Set(Object.values(body.events).flat().map((e) => e.payload));
      assert.equal(acked.filter((p) => !seen.has(p)).length, 0);
    } finally {
      await srv.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
