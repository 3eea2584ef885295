// config.test.mjs -- the command line and configuration as a user meets
// them: --help everywhere, exit status 2 and the variable's name for bad
// values, env files, the persistent secret.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, readFileSync, statSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { run, startServer, tempDir, sqlite } from './harness.mjs';

test('--help on every command, exit 0', () => {
  for (const args of [['--help'], ['help'], ['serve', '--help'], ['migrate', '--help'],
    ['secret', '--help'], ['version', '--help']]) {
    const r = run(args);
    assert.equal(r.status, 0, args.join(' '));
    assert.match(r.stdout, /Usage: candor/, args.join(' '));
  }
});

test('unknown commands and flags exit 2 with usage', () => {
  let r = run(['frobnicate']);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /unknown command 'frobnicate'/);
  r = run(['serve', '--bogus']);
  assert.equal(r.status, 2);
  r = run(['version', 'extra']);
  assert.equal(r.status, 2);
});

test('invalid configuration stops start-up with exit 2 naming the variable', () => {
  const cases = [
    [{ CANDOR_SERVER_PORT: 'abc' }, /CANDOR_SERVER_PORT/],
    [{ OFFEN_SERVER_PORT: '70000' }, /OFFEN_SERVER_PORT/],
    [{ CANDOR_APP_RETENTION: 'forever' }, /CANDOR_APP_RETENTION/],
    [{ OFFEN_DATABASE_DIALECT: 'oracle' }, /OFFEN_DATABASE_DIALECT/],
    [{ CANDOR_SERVER_REVERSEPROXY: 'maybe' }, /CANDOR_SERVER_REVERSEPROXY/],
    [{ CANDOR_SECRET: '!!!not base64' }, /CANDOR_SECRET/],
    [{ CANDOR_SERVER_MAXBODYBYTES: '1' }, /CANDOR_SERVER_MAXBODYBYTES/],
    [{ CANDOR_SERVER_SSLCERTIFICATE: '/x.pem' }, /SSLKEY|SSLCERTIFICATE/],
    [{ OFFEN_SERVER_AUTOTLS: 'example.com' }, /OFFEN_SERVER_AUTOTLS/],
  ];
  for (const [env, re] of cases) {
    const dir = tempDir();
    const r = run(['serve'], { env: { CANDOR_APP_DATADIR: dir, ...env } });
    rmSync(dir, { recursive: true, force: true });
    assert.equal(r.status, 2, JSON.stringify(env) + r.stderr);
    assert.match(r.stderr, re, JSON.stringify(env));
  }
});

test('a value and its _FILE at once is an error; _FILE values are trimmed', async () => {
  const dir = tempDir();
  const f = join(dir, 'dialect');
  writeFileSync(f, 'sqlite3\n'); // Offen fails on this newline; we trim it
  let r = run(['serve'], { env: { OFFEN_DATABASE_DIALECT: 'sqlite3', OFFEN_DATABASE_DIALECT_FILE: f } });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /OFFEN_DATABASE_DIALECT/);
  const s = await startServer({ env: { OFFEN_DATABASE_DIALECT_FILE: f } });
  assert.equal((await fetch(`${s.url}/healthz`)).status, 200);
  await s.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('env files: candor.env in the working folder, --envfile must exist', async () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'candor.env'), '# test\nCANDOR_SERVER_PORT=abc\n');
  let r = run(['serve'], { cwd: dir });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /CANDOR_SERVER_PORT/);
  // the environment wins over the file
  const s = await startServer({ dataDir: dir, env: { CANDOR_SERVER_PORT: '0' } });
  assert.equal((await fetch(`${s.url}/healthz`)).status, 200);
  await s.stop();
  r = run(['serve', '--envfile', join(dir, 'missing.env')]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /missing\.env/);
  writeFileSync(join(dir, 'broken.env'), 'JUST_A_WORD\n');
  r = run(['serve', '--envfile', join(dir, 'broken.env')]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /line 1/);
  rmSync(dir, { recursive: true, force: true });
});

test("Offen's single-dash flags work on serve and version", () => {
  let r = run(['serve', '-envfile', '/nonexistent']);
  assert.equal(r.status, 2, r.stderr);
  assert.doesNotMatch(r.stderr, /invalid option|unrecognized option/);
  assert.match(r.stderr, /cannot read env file \/nonexistent/);
  r = run(['version', '-help']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /Usage: candor version/);
});

test('the secret is created once (0600) and survives a restart', async () => {
  const dir = tempDir();
  const data = join(dir, 'data');
  let s = await startServer({ dataDir: dir });
  await s.stop();
  const secretFile = join(data, 'secret');
  const first = readFileSync(secretFile, 'utf8');
  assert.equal(statSync(secretFile).mode & 0o777, 0o600);
  assert.ok(Buffer.from(first.trim(), 'base64').length >= 16);
  s = await startServer({ dataDir: dir });
  await s.stop();
  assert.equal(readFileSync(secretFile, 'utf8'), first);
  rmSync(dir, { recursive: true, force: true });
});

test('candor secret prints random base64 values', () => {
  const r = run(['secret', '--quiet', '--count', '3', '--length', '24']);
  assert.equal(r.status, 0);
  const lines = r.stdout.trim().split('\n');
  assert.equal(lines.length, 3);
  assert.equal(new Set(lines).size, 3);
  for (const l of lines) assert.equal(Buffer.from(l, 'base64').length, 24);
  assert.equal(run(['secret', '--count', '0']).status, 2);
  assert.equal(run(['secret', '--length', 'x']).status, 2);
});

test('candor migrate creates Offen\'s schema and is idempotent', () => {
  const dir = tempDir();
  const db = join(dir, 'm.db');
  mkdirSync(dir, { recursive: true });
  const env = { CANDOR_DATABASE_CONNECTIONSTRING: db, CANDOR_APP_DATADIR: join(dir, 'data') };
  let r = run(['migrate'], { env });
  assert.equal(r.status, 0, r.stderr);
  const ids = sqlite(db, 'SELECT id FROM migrations;');
  assert.match(ids, /007_account_customStyles/);
  r = run(['migrate'], { env });
  assert.equal(r.status, 0);
  assert.equal(sqlite(db, 'SELECT id FROM migrations;'), ids);
  assert.match(sqlite(db, '.tables'), /account_user_relationships/);
  r = run(['migrate'], { env: { CANDOR_DATABASE_CONNECTIONSTRING: '/nonexistent-dir/x/y.db', CANDOR_APP_DATADIR: join(dir, 'data') } });
  assert.equal(r.status, 1);
  rmSync(dir, { recursive: true, force: true });
});
