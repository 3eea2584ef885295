// outage.test.mjs -- PostgreSQL or MariaDB goes away under a light event
// load and comes back: the server keeps running, answers 503 with Offen's
// error envelope meanwhile (/healthz too), serves again without a restart,
// and every event it acknowledged is in the database.
//
// PostgreSQL and MySQL only (CANDOR_TEST_DIALECT=postgres or mysql); it
// starts a server of its own with tests/db/postgres.sh or
// tests/db/mariadb.sh, so stopping it troubles no other test.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer, tempDir } from './harness.mjs';
import { newVisitor, post } from './client.mjs';
import { DIALECT } from '../db/fresh.mjs';

const SCRIPTS = { postgres: '../db/postgres.sh', mysql: '../db/mariadb.sh' };
const PG = SCRIPTS[DIALECT] && fileURLToPath(new URL(SCRIPTS[DIALECT], import.meta.url));
const skip = !PG && `PostgreSQL and MySQL only (CANDOR_TEST_DIALECT=${DIALECT})`;
if (skip) console.log(`# outage.test.mjs skipped: ${skip}`);

let tmp, pgDir, dsn, srv, accountId, user;
const b64 = (n) => randomBytes(n).toString('base64');
const payload = () => `{1,} ${b64(200)} ${b64(12)}`;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function pg(cmd) {
  const r = spawnSync(PG, [cmd, pgDir], { encoding: 'utf8', timeout: 120000 });
  assert.equal(r.status, 0, `${PG} ${cmd}: ${r.stderr}`);
  return r.stdout.trim();
}

// The DSN mariadb.sh prints, user:pass@tcp(host:port)/db?..., as client
// arguments.
function mariadbArgs() {
  const m = /^([^:@]*):([^@]*)@tcp\(([^:)]+):(\d+)\)\/([^?]*)/.exec(dsn);
  return ['--protocol=tcp', '-h', m[3], '-P', m[4], '-u', m[1], `-p${m[2]}`,
    '-N', '-B', m[5]];
}

function psql(text) {
  const r = DIALECT === 'mysql'
    ? spawnSync('mariadb', [...mariadbArgs(), '-e', text], { encoding: 'utf8' })
    : spawnSync('psql', ['-X', '-A', '-t', '-d', dsn, '-c', text], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim();
}

before(async () => {
  if (skip) return;
  tmp = tempDir('candor-outage-');
  spawnSync('chmod', ['755', tmp]);
  pgDir = join(tmp, 'pg');
  dsn = pg('start');
  srv = await startServer({
    env: { CANDOR_DATABASE_DIALECT: DIALECT, CANDOR_DATABASE_CONNECTIONSTRING: dsn },
  });
  let res = await post(srv, '/api/setup', { accountName: 'Site', emailAddress: 'op@example.com', password: 'op password' });
  assert.equal(res.status, 204);
  res = await post(srv, '/api/login', { username: 'op@example.com', password: 'op password' });
  accountId = (await res.json()).accounts[0].accountId;
  user = await newVisitor(srv, accountId);
});

after(async () => {
  if (skip) return;
  try {
    if (srv) await srv.stop();
  } finally {
    if (pgDir) spawnSync(PG, ['stop', pgDir]);
    rmSync(tmp, { recursive: true, force: true });
  }
});

// Post events one after another until stop() is called; count answers.
function load() {
  const seen = { acked: 0, unavailable: 0, other: [], bodies: [] };
  let running = true;
  const done = (async () => {
    while (running) {
      const res = await post(srv, '/api/events', { accountId, payload: payload() },
        `consent=allow; user=${user}`).catch((e) => ({ status: 0, error: e }));
      if (res.status === 201) seen.acked++;
      else if (res.status === 503) {
        seen.unavailable++;
        if (seen.bodies.length < 3) seen.bodies.push(await res.json());
      } else seen.other.push(res.status);
      await sleep(10);
    }
  })();
  return { seen, stop: async () => { running = false; await done; } };
}

async function health() {
  const res = await fetch(`${srv.url}/healthz`);
  return { status: res.status, body: await res.json() };
}

test('the server rides out a database outage and loses nothing acknowledged', { skip, timeout: 180000 }, async () => {
  const before = Number(psql('SELECT count(*) FROM events'));
  const l = load();
  await sleep(1000);
  assert.ok(l.seen.acked > 0, 'events are acknowledged while the database is up');

  pg('pause');
  await sleep(1500);
  const during = await health();
  assert.equal(during.status, 503);
  assert.equal(during.body.status, 503);
  assert.equal(typeof during.body.error, 'string');
  const ackedBefore = l.seen.acked;
  await sleep(1000);
  assert.ok(l.seen.unavailable > 0, 'events are refused while the database is down');
  assert.ok(l.seen.acked - ackedBefore <= 1, 'nothing is acknowledged without a database');
  assert.equal(l.seen.bodies[0].status, 503);
  assert.match(l.seen.bodies[0].error, /\S/);
  assert.equal(srv.exited, null, 'the server is still running');

  pg('resume');
  // Reconnects back off to at most 5 s: service resumes well within 20 s.
  const deadline = Date.now() + 20000;
  let after = await health();
  while (after.status !== 200 && Date.now() < deadline) {
    await sleep(200);
    after = await health();
  }
  assert.equal(after.status, 200, JSON.stringify(after.body));
  const ackedAtResume = l.seen.acked;
  while (l.seen.acked < ackedAtResume + 5 && Date.now() < deadline) await sleep(100);
  await l.stop();
  assert.ok(l.seen.acked >= ackedAtResume + 5, 'events are acknowledged again');
  assert.deepEqual(l.seen.other, []);

  // Every acknowledged event is stored (a refused one may be too, if the
  // connection broke after its commit: refused never means lost data).
  const stored = Number(psql('SELECT count(*) FROM events')) - before;
  assert.ok(stored >= l.seen.acked, `${stored} stored, ${l.seen.acked} acknowledged`);
  assert.ok(stored <= l.seen.acked + l.seen.unavailable);
});
