// demo.test.mjs -- `candor demo`: a throwaway instance whose seeded data an
// operator's browser reads like real visitors' data.
//
// The demo is started as a user would start it, on a free port, in a
// temporary TMPDIR. The test reads the URL, login and data folder from what
// it prints, logs in through the API and decrypts the account's events with
// WebCrypto as the operator's browser does (login KEK -> private key ->
// visitors' secrets -> payloads), then checks that the data looks like a
// site's: hundreds of visitors, payloads that pass Offen's schema, months
// of history within the retention, phones, referrers, campaigns, returning
// visitors, someone on the site right now, and no plaintext in the
// database. SIGTERM ends it cleanly and removes the folder; --keep keeps it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { webcrypto as wc } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { BIN, cleanEnv, run, tempDir } from './harness.mjs';
import * as client from './client.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const subtle = wc.subtle;
const b64 = (s) => Buffer.from(s, 'base64');
const DAY = 86400000;
const RETENTION_DAYS = 186;
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

function ulidTime(id) {
  let t = 0;
  for (const c of id.slice(0, 10)) t = t * 32 + CROCKFORD.indexOf(c);
  return t;
}

// Start `candor demo ARGS` and wait for its banner (it prints once the
// server accepts connections).
async function startDemo(args = []) {
  const tmp = tempDir('candor-demo-test-');
  const child = spawn(BIN, ['demo', ...args], {
    env: cleanEnv({ HOME: tmp, TMPDIR: tmp, CANDOR_SERVER_PORT: '1', OFFEN_APP_DATADIR: '/nonexistent' }),
    cwd: tmp,
  });
  const demo = { child, tmp, stdout: '', stderr: '', exited: null };
  child.stdout.on('data', (d) => { demo.stdout += d; });
  child.stderr.on('data', (d) => { demo.stderr += d; });
  demo.exit = new Promise((resolve) => child.on('exit', (code, signal) => {
    demo.exited = { code, signal };
    resolve(demo.exited);
  }));
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no banner within 120 s:\n${demo.stderr}`)), 120000);
    const check = () => {
      if (/Press Ctrl-C to stop/.test(demo.stdout)) { clearTimeout(timer); resolve(); }
    };
    child.stdout.on('data', check);
    demo.exit.then((e) => {
      clearTimeout(timer);
      reject(new Error(`demo exited (${JSON.stringify(e)}):\n${demo.stderr}`));
    });
  });
  const field = (name) => {
    const m = new RegExp(`^ +${name}: +(\\S+)`, 'm').exec(demo.stdout);
    assert.ok(m, `no ${name} line in:\n${demo.stdout}`);
    return m[1];
  };
  demo.url = field('URL').replace(/\/$/, '');
  demo.email = field('Email');
  demo.password = field('Password');
  demo.accountId = field('Account');
  demo.dataDir = field('Data');
  demo.stop = async () => {
    if (!demo.exited) child.kill('SIGTERM');
    const e = await demo.exit;
    assert.equal(e.code, 0, `demo exited with ${JSON.stringify(e)}:\n${demo.stderr}`);
  };
  return demo;
}

async function aesKey(jwk) {
  return subtle.importKey('jwk', jwk, { name: 'AES-GCM' }, false, ['decrypt']);
}

// Offen's AES string, version 1 as the vault writes it, opened.
async function aesDecrypt(key, versioned) {
  assert.match(versioned, /^\{1,\} \S+ \S+$/, `not a version 1 AES string: ${versioned.slice(0, 40)}`);
  return client.aesDecrypt(key, versioned);
}

// The operator's browser: log in, unlock the account, decrypt every event.
async function readAsOperator(demo) {
  const { body: login, cookie } = await client.loginOk(demo, { email: demo.email, password: demo.password });
  const account = login.accounts.find((a) => a.accountId === demo.accountId);
  assert.ok(account, 'the printed account is the operator\'s');
  const res = await fetch(`${demo.url}/api/accounts/${demo.accountId}`, { headers: { cookie } });
  assert.equal(res.status, 200);
  const acc = await res.json();
  const privJwk = JSON.parse(await aesDecrypt(await aesKey(account.keyEncryptionKey), acc.encryptedPrivateKey));
  const priv = await subtle.importKey('jwk', privJwk, { name: 'RSA-OAEP', hash: 'SHA-256' }, false, ['decrypt']);
  const keys = new Map();
  for (const [secretId, wrapped] of Object.entries(acc.secrets)) {
    const m = /^\{1,\} (\S+)$/.exec(wrapped);
    assert.ok(m, 'a wrapped secret is "{1,} <b64>"');
    const jwk = JSON.parse(Buffer.from(await subtle.decrypt({ name: 'RSA-OAEP' }, priv, b64(m[1]))));
    // As the vault's exportKey('jwk') of an AES-GCM 128-bit key.
    assert.deepEqual(Object.keys(jwk).sort(), ['alg', 'ext', 'k', 'key_ops', 'kty']);
    assert.equal(jwk.alg, 'A128GCM');
    assert.equal(Buffer.from(jwk.k, 'base64url').length, 16);
    keys.set(secretId, await aesKey(jwk));
  }
  const events = [];
  for (const ev of acc.events[demo.accountId]) {
    const key = keys.get(ev.secretId);
    assert.ok(key, `event ${ev.eventId} has its visitor's secret`);
    events.push({ ...ev, payload: JSON.parse(await aesDecrypt(key, ev.payload)) });
  }
  return { acc, events };
}

const isUrl = (s) => typeof s === 'string' && s.length <= 2000 && /^https?:\/\//.test(s) && Boolean(new URL(s));

// Offen's payload schema (vault/src/payload.schema), as the dashboard
// checks it before counting an event.
function checkPayload(p) {
  const keys = Object.keys(p);
  const want = ['type', 'href', ...(p.rawHref !== undefined ? ['rawHref'] : []),
    'referrer', 'pageload', 'isMobile', 'timestamp', 'sessionId', 'geo'];
  assert.deepEqual(keys, want, 'the fields and their order are the vault\'s');
  assert.equal(p.type, 'PAGEVIEW');
  assert.ok(isUrl(p.href), p.href);
  assert.ok(p.rawHref === undefined || isUrl(p.rawHref));
  assert.ok(p.referrer === '' || isUrl(p.referrer), p.referrer);
  assert.ok(!p.referrer.includes('?'), 'the vault strips the referrer\'s query');
  assert.ok(Number.isInteger(p.pageload) && p.pageload > 0);
  assert.equal(typeof p.isMobile, 'boolean');
  assert.match(p.timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  assert.equal(new Date(p.timestamp).toJSON(), p.timestamp);
  assert.match(p.sessionId, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.ok(p.geo === null || /^[A-Z]{2}$/.test(p.geo), String(p.geo));
}

test('candor demo serves seeded data an operator decrypts like real data', { timeout: 300000 }, async () => {
  const demo = await startDemo();
  let stopped = false;
  try {
    assert.equal(demo.email, 'demo@candor.test');
    assert.match(demo.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.notEqual(demo.url, 'http://127.0.0.1:1', 'CANDOR_* settings do not reach the demo');
    assert.ok(demo.dataDir.startsWith(demo.tmp), `${demo.dataDir} is in TMPDIR`);
    assert.ok(existsSync(join(demo.dataDir, 'candor.db')));
    assert.match(demo.stdout, new RegExp(`<script async src="${demo.url}/script.js" data-account-id="${demo.accountId}"></script>`));
    assert.match(demo.stderr, /seeded 300 of 300 visitors/, 'a plain progress line without a terminal');
    assert.equal((await fetch(`${demo.url}/healthz`)).status, 200);

    const { acc, events } = await readAsOperator(demo);
    const now = Date.now();
    const visitors = new Set(events.map((e) => e.secretId));
    assert.equal(visitors.size, 300);
    assert.equal(Object.keys(acc.secrets).length, 300);
    assert.ok(events.length > 600, `${events.length} events`);
    assert.equal(acc.retentionPeriod, '6months');

    const sessions = new Map(); // sessionId -> events
    for (const e of events) {
      checkPayload(e.payload);
      // The event id is the time the server received it: just after the
      // page view, never in the future, within the retention.
      assert.match(e.eventId, /^[0-7][0-9A-HJKMNP-TV-Z]{25}$/);
      const t = ulidTime(e.eventId);
      const viewed = Date.parse(e.payload.timestamp);
      assert.ok(t >= viewed && t - viewed < 1000, `${e.eventId} vs ${e.payload.timestamp}`);
      assert.ok(t <= now && t > now - RETENTION_DAYS * DAY);
      if (!sessions.has(e.payload.sessionId)) sessions.set(e.payload.sessionId, []);
      sessions.get(e.payload.sessionId).push(e);
    }
    const times = events.map((e) => ulidTime(e.eventId));
    assert.ok(now - Math.min(...times) > 90 * DAY, 'history goes back months');
    assert.ok(times.filter((t) => t > now - 7 * DAY).length > 20, 'the last week has data');
    assert.ok(times.some((t) => t > now - 15 * 60000), 'someone is on the site right now');
    const share = (f) => events.filter(f).length / events.length;
    const mobile = share((e) => e.payload.isMobile);
    assert.ok(mobile > 0.15 && mobile < 0.6, `mobile share ${mobile}`);
    const external = (e) => e.payload.referrer !== '' && new URL(e.payload.referrer).host !== new URL(e.payload.href).host;
    assert.ok(events.some((e) => external(e) && /google\./.test(e.payload.referrer)), 'search engines refer');
    assert.ok(share(external) > 0.05, 'other sites refer');
    assert.ok(events.some((e) => /[?&]utm_campaign=/.test(e.payload.rawHref || '')), 'campaigns');
    assert.ok(share((e) => e.payload.geo !== null) > 0.8, 'countries');
    assert.ok(new Set(events.map((e) => new URL(e.payload.href).pathname)).size >= 8, 'a site of several pages');
    assert.ok([...sessions.values()].some((s) => s.length >= 3), 'sessions of several pages');
    assert.ok([...sessions.values()].some((s) => s.length === 1), 'bounces');
    const sessionsPerVisitor = new Map();
    for (const [id, s] of sessions) {
      const v = s[0].secretId;
      assert.ok(s.every((e) => e.secretId === v), `session ${id} is one visitor's`);
      sessionsPerVisitor.set(v, (sessionsPerVisitor.get(v) || 0) + 1);
    }
    const returning = [...sessionsPerVisitor.values()].filter((n) => n > 1).length;
    assert.ok(returning > 50, `${returning} returning visitors`);

    // The dashboard's own reader takes every event, and sees what we put in.
    const normalizer = join(ROOT, 'web/app/dashboard/metrics/normalize.js');
    if (existsSync(normalizer)) {
      const { normalize } = await import(pathToFileURL(normalizer));
      const rows = events.map((e) => normalize(e));
      assert.ok(rows.every((r) => r !== null), 'every event passes the dashboard\'s schema');
      const refs = new Set(rows.map((r) => r.ref));
      for (const name of ['Google', 'DuckDuckGo', 'Hacker News', null]) assert.ok(refs.has(name), `referrer ${name}`);
      assert.ok(rows.some((r) => r.campaign !== null && r.source !== null), 'campaigns and sources');
      assert.ok(rows.some((r) => r.load !== null), 'page load times');
    }

    // The server stores ciphertext only.
    const dbFiles = readdirSync(demo.dataDir).filter((f) => f.startsWith('candor.db'));
    for (const f of dbFiles) {
      const bytes = readFileSync(join(demo.dataDir, f));
      for (const needle of ['candor-demo.test', 'utm_', 'google.', 'PAGEVIEW', 'sessionId']) {
        assert.equal(bytes.indexOf(needle), -1, `${needle} in ${f}`);
      }
    }

    await demo.stop();
    stopped = true;
    assert.ok(!existsSync(demo.dataDir), 'the data folder is removed on exit');
    assert.match(demo.stderr, /removed /);
  } finally {
    if (!stopped) demo.child.kill('SIGKILL');
    rmSync(demo.tmp, { recursive: true, force: true });
  }
});

test('candor demo --keep keeps its folder, which serves again', { timeout: 300000 }, async () => {
  const demo = await startDemo(['--keep', '--users', '3', '--days', '7', '--seed', '5']);
  try {
    assert.match(demo.stdout, /3 visitors, \d+ page views over 7 days/);
    assert.match(demo.stdout, /^ +Seed: +5 /m);
    await demo.stop();
    assert.ok(existsSync(join(demo.dataDir, 'candor.db')));
    const env = readFileSync(join(demo.dataDir, 'candor.env'), 'utf8');
    assert.match(env, new RegExp(`^CANDOR_APP_DATADIR=${demo.dataDir}$`, 'm'));
    assert.match(demo.stderr, /candor serve --envfile /);
    // `candor serve --envfile <folder>/candor.env` serves the same data.
    const srv = spawn(BIN, ['serve', '--envfile', join(demo.dataDir, 'candor.env')], {
      env: cleanEnv({ HOME: demo.tmp }), cwd: demo.tmp,
    });
    try {
      let log = '';
      const port = await new Promise((resolve, reject) => {
        srv.stderr.on('data', (d) => {
          log += d;
          const m = /Server now listening on port (\d+)/.exec(log);
          if (m) resolve(Number(m[1]));
        });
        srv.on('exit', () => reject(new Error(`serve exited:\n${log}`)));
      });
      assert.equal(`http://127.0.0.1:${port}`, demo.url, 'the same address');
      const { events } = await readAsOperator(demo);
      assert.equal(new Set(events.map((e) => e.secretId)).size, 3);
    } finally {
      const exited = new Promise((resolve) => srv.on('exit', resolve));
      srv.kill('SIGTERM');
      assert.equal(await exited, 0);
    }
  } finally {
    rmSync(demo.tmp, { recursive: true, force: true });
  }
});

test('candor demo --days 186, the retention period, is accepted', { timeout: 300000 }, async () => {
  const demo = await startDemo(['--users', '1', '--days', '186', '-seed', '9']);
  try {
    assert.match(demo.stdout, /1 visitors, \d+ page views over 186 days/);
  } finally {
    await demo.stop();
    rmSync(demo.tmp, { recursive: true, force: true });
  }
});

test('candor demo: --help, and bad options exit 2', () => {
  let r = run(['demo', '--help']);
  assert.equal(r.status, 0);
  assert.match(r.stdout, /^Usage: candor demo/);
  assert.match(r.stdout, /1 to the retention period of\n +186 days \(default 180\)/);
  for (const bad of [['--users', '0'], ['--users', '20001'], ['--days', '0'], ['--days', '367'],
    ['--port', '65536'], ['--seed', 'x'], ['--bogus'], ['extra']]) {
    r = run(['demo', ...bad]);
    assert.equal(r.status, 2, bad.join(' '));
    assert.match(r.stderr, /Usage: candor demo/);
  }
  // Past the retention period (6 months, 186 days) is refused too.
  const tmp = tempDir('candor-demo-test-');
  try {
    r = run(['demo', '--days', '187'], { env: { TMPDIR: tmp } });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /--days must be 1 to 186/);
    assert.deepEqual(readdirSync(tmp), [], 'nothing is left behind');
    // Offen's single-dash spelling, as every command takes it.
    r = run(['demo', '-days', '187'], { env: { TMPDIR: tmp } });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /--days must be 1 to 186/);
    assert.deepEqual(readdirSync(tmp), [], 'nothing is left behind');
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});
