// health.test.mjs -- /healthz, /versionz, trailing-slash redirects, the
// access log, graceful shutdown and an Offen database opened as is.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, sqlite, run, SHARED, tempDir } from './harness.mjs';

let srv;
before(async () => { srv = await startServer(); });
after(async () => { await srv.stop(); });

test('GET /healthz does a database round trip and answers ok', async () => {
  const res = await fetch(`${srv.url}/healthz`);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('cache-control'), 'no-store');
  assert.equal(res.headers.get('content-type'), 'application/json; charset=utf-8');
  assert.equal(await res.text(), '{"ok":true}');
});

test('/healthz answers any method, as Offen does', async () => {
  for (const method of ['POST', 'PUT', 'DELETE']) {
    const res = await fetch(`${srv.url}/healthz`, { method });
    assert.equal(res.status, 200, method);
    assert.deepEqual(await res.json(), { ok: true });
  }
  const head = await fetch(`${srv.url}/healthz`, { method: 'HEAD' });
  assert.equal(head.status, 200);
  assert.equal(await head.text(), '');
});

test('GET /versionz prints the revision in Offen\'s layout', async () => {
  const res = await fetch(`${srv.url}/versionz`);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('cache-control'), 'no-store');
  const body = await res.text();
  assert.match(body, /^\{\n {4}"revision": "[^"\n]+"\n\}$/);
  const version = run(['version']);
  assert.equal(version.status, 0);
  assert.ok(version.stdout.includes(`revision=${JSON.parse(body).revision}`));
});

test('trailing-slash redirects: 301 for GET, 307 otherwise, query kept', async () => {
  let res = await fetch(`${srv.url}/healthz/`, { redirect: 'manual' });
  assert.equal(res.status, 301);
  assert.equal(res.headers.get('location'), '/healthz');
  res = await fetch(`${srv.url}/versionz/?a=1&b`, { redirect: 'manual' });
  assert.equal(res.status, 301);
  assert.equal(res.headers.get('location'), '/versionz?a=1&b');
  res = await fetch(`${srv.url}/healthz/?x=y`, { method: 'POST', body: '{}', redirect: 'manual' });
  assert.equal(res.status, 307);
  assert.equal(res.headers.get('location'), '/healthz?x=y');
  // a redirect is only offered for a method the route has
  res = await fetch(`${srv.url}/versionz/`, { method: 'POST', redirect: 'manual' });
  assert.equal(res.status, 404);
});

test('the access log is Offen\'s format, anonymised and without addresses', async () => {
  await fetch(`${srv.url}/healthz/?probe=accesslog`, { redirect: 'manual' });
  await fetch(`${srv.url}/api/nothing-here`, { method: 'POST' });
  // lines are flushed once per event-loop iteration
  await new Promise((r) => setTimeout(r, 200));
  const lines = srv.stdout.split('\n').filter(Boolean);
  const re = /^- - - \[\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2} [+-]\d{4}\] "([A-Z]+) (\S+) HTTP\/1\.1" (\d{3}) -$/;
  for (const l of lines) assert.match(l, re);
  const redirect = lines.find((l) => l.includes('/healthz/?probe=accesslog'));
  assert.ok(redirect, srv.stdout);
  assert.equal(re.exec(redirect)[3], '200'); // a 301, shown as 200
  const notFound = lines.find((l) => l.includes('POST /api/nothing-here'));
  assert.equal(re.exec(notFound)[3], '404');
  assert.ok(!srv.stdout.includes('127.0.0.1'));
});

test('/healthz reports a failing database with 503 and the error envelope', async () => {
  const s = await startServer();
  try {
    const db = join(s.dataDir, 'candor.db');
    assert.equal((await fetch(`${s.url}/healthz`)).status, 200);
    sqlite(db, 'DROP TABLE migrations;');
    for (let i = 0; i < 4; i++) { // every loop's connection notices
      const res = await fetch(`${s.url}/healthz`);
      assert.equal(res.status, 503);
      assert.equal(res.headers.get('cache-control'), 'no-store');
      const body = await res.json();
      assert.equal(body.status, 503);
      assert.match(body.error, /persistence layer: .*migrations/);
    }
  } finally {
    await s.stop();
  }
});

test('SIGTERM shuts down gracefully with exit status 0', async () => {
  const s = await startServer();
  assert.equal((await fetch(`${s.url}/healthz`)).status, 200);
  const e = await s.stop();
  assert.equal(e.code, 0);
  assert.match(s.stderr, /Gracefully shut down server/);
});

test('a database written by Offen 1.4.2 opens and serves as is', async () => {
  const dir = tempDir();
  const db = join(dir, 'offen.db');
  copyFileSync(join(SHARED, 'fixtures/offen-1.4.2-demo.sqlite'), db);
  const s = await startServer({ env: { OFFEN_DATABASE_DIALECT: 'sqlite3', OFFEN_DATABASE_CONNECTIONSTRING: db } });
  try {
    assert.equal((await fetch(`${s.url}/healthz`)).status, 200);
    const ids = sqlite(db, 'SELECT id FROM migrations ORDER BY rowid;').split('\n');
    assert.deepEqual(ids.slice(0, 8), ['SCHEMA_INIT', '001_introduce_admin_level',
      '002_mysql_set_column_sizes', '003_version_salts', '004_add_tombstones_event_revs',
      '005_update_secrets_table', '006_gorm_upgrade', '007_account_customStyles']);
    assert.ok(ids.slice(8).every((id) => id.startsWith('candor_')), ids.join(','));
    assert.equal(sqlite(db, 'SELECT count(*) FROM events;'), '449');
    assert.equal(sqlite(db, 'SELECT name FROM accounts;'), 'Demo Account');
  } finally {
    await s.stop();
  }
});
