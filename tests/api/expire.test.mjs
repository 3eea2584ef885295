// expire.test.mjs -- events past the retention period are removed, by
// `candor expire` and by the server's own job at start, with tombstones;
// with CANDOR_APP_SINGLENODE=false the server runs no such job.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { copyFileSync, rmSync } from 'node:fs';
import { run, startServer, sqlite, tempDir } from './harness.mjs';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
function ulidAt(ms) {
  let t = '';
  for (let i = 0, v = ms; i < 10; i++, v = Math.floor(v / 32)) t = ALPHABET[v % 32] + t;
  let r = '';
  for (let i = 0; i < 16; i++) r += ALPHABET[Math.floor(Math.random() * 32)];
  return t + r;
}
const DAY = 86400000;

function seed(db) {
  const now = Date.now();
  const rows = [[ulidAt(now - 200 * DAY), 'old'], [ulidAt(now - 100 * DAY), 'kept'], [ulidAt(now - 40 * DAY), 'recent']];
  for (const [id, p] of rows) {
    sqlite(db, `INSERT INTO events (event_id, sequence, account_id, secret_id, payload) VALUES ('${id}', '${id}', 'a', NULL, '${p}');`);
  }
  return rows;
}

test('candor expire removes what is past the retention and leaves tombstones', () => {
  const dir = tempDir();
  const db = join(dir, 'c.db');
  const env = { CANDOR_DATABASE_CONNECTIONSTRING: db, CANDOR_APP_DATADIR: dir };
  assert.equal(run(['migrate'], { env }).status, 0);
  const rows = seed(db);
  let r = run(['expire'], { env }); // 6 months: only the 200-day-old one
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /removed=1/);
  assert.equal(sqlite(db, 'SELECT payload FROM events ORDER BY event_id;'), 'kept\nrecent');
  assert.equal(sqlite(db, 'SELECT event_id FROM tombstones;'), rows[0][0]);
  r = run(['expire'], { env: { ...env, CANDOR_APP_RETENTION: '6weeks' } });
  assert.equal(r.status, 0);
  assert.equal(sqlite(db, 'SELECT payload FROM events;'), 'recent');
  assert.equal(run(['expire', '--help']).status, 0);
  assert.equal(run(['expire', 'extra']).status, 2);
  rmSync(dir, { recursive: true, force: true });
});

test('a single node expires at start; several nodes leave it to cron', async () => {
  const dir = tempDir();
  const db = join(dir, 'c.db');
  const env = { CANDOR_DATABASE_CONNECTIONSTRING: db, CANDOR_APP_DATADIR: join(dir, 'd') };
  assert.equal(run(['migrate'], { env }).status, 0);
  seed(db);
  let s = await startServer({ env });
  for (let i = 0; i < 50 && !/pruned expired events removed=1/.test(s.stderr); i++) {
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.match(s.stderr, /Cron successfully pruned expired events removed=1/);
  await s.stop();
  assert.equal(sqlite(db, 'SELECT count(*) FROM events;'), '2');
  seed(db);
  // The same data twice, served at the same moment: a single node on a
  // copy, several nodes on db. Once the single node has pruned (its job
  // runs on a thread of its own), a job of the other would have had as
  // long, so its silence means there is none, not that stop came first.
  const copy = join(dir, 'copy.db');
  copyFileSync(db, copy);
  const t0 = Date.now();
  const [one, many] = await Promise.all([
    startServer({ env: { ...env, CANDOR_DATABASE_CONNECTIONSTRING: copy, CANDOR_APP_DATADIR: join(dir, 'e') } }),
    startServer({ env: { ...env, CANDOR_APP_SINGLENODE: 'false' } }),
  ]);
  try {
    for (let i = 0; i < 100 && !/pruned expired events removed=1/.test(one.stderr); i++) {
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.match(one.stderr, /Cron successfully pruned expired events removed=1/);
    await new Promise((r) => setTimeout(r, Math.max(Date.now() - t0, 500)));
    assert.doesNotMatch(many.stderr, /pruned/);
  } finally {
    await Promise.all([one.stop(), many.stop()]);
  }
  assert.doesNotMatch(many.stderr, /pruned/); // not a single node: no job
  assert.equal(sqlite(db, 'SELECT count(*) FROM events;'), '5');
  assert.equal(sqlite(copy, 'SELECT count(*) FROM events;'), '4');
  rmSync(dir, { recursive: true, force: true });
});
