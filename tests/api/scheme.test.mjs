// scheme.test.mjs -- Secure cookies and HSTS follow the real scheme: TLS on
// the connection, or X-Forwarded-Proto from a reverse proxy the operator
// declared trusted (CANDOR_/OFFEN_SERVER_REVERSEPROXY). A client's own
// X-Forwarded-Proto never makes a plain request "secure".
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import http from 'node:http';
import https from 'node:https';
import { rmSync } from 'node:fs';
import { startServer, tempDir } from './harness.mjs';

const OP = { email: 'op@example.com', password: 'op password' };
let dir, plain, proxied, offenProxied, secure;

// One request over http or https (self-signed accepted):
// { status, headers, body }.
function request(srv, path, { method = 'GET', headers = {}, body, tls = false } = {}) {
  const mod = tls ? https : http;
  return new Promise((resolve, reject) => {
    const req = mod.request({ host: '127.0.0.1', port: srv.port, path, method, headers,
      rejectUnauthorized: false, agent: false }, (r) => {
      let text = '';
      r.on('data', (d) => { text += d; });
      r.on('end', () => resolve({ status: r.statusCode, headers: r.headers, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function setup(srv, tls = false) {
  const r = await request(srv, '/api/setup', { method: 'POST', tls,
    body: JSON.stringify({ accountName: 'Site', emailAddress: OP.email, password: OP.password }) });
  assert.equal(r.status, 204, r.body);
  const login = await request(srv, '/api/login', { method: 'POST', tls,
    body: JSON.stringify({ username: OP.email, password: OP.password }) });
  srv.accountId = JSON.parse(login.body).accounts[0].accountId;
}

// The Set-Cookie of a login and of a key exchange, sent with headers.
// Logins for one operator are throttled (exponential, 1 s), so tests that
// try many headers check the key exchange only (login: false).
async function cookies(srv, headers = {}, tls = false, { login = true } = {}) {
  let auth;
  if (login) {
    const res = await request(srv, '/api/login', { method: 'POST', headers, tls,
      body: JSON.stringify({ username: OP.email, password: OP.password }) });
    assert.equal(res.status, 200, res.body);
    auth = res.headers['set-cookie'][0];
  }
  const ex = await request(srv, '/api/exchange', { method: 'POST', headers, tls,
    body: JSON.stringify({ accountId: srv.accountId, encryptedSecret: '{1,} AAAA' }) });
  assert.equal(ex.status, 204, ex.body);
  return { auth, user: ex.headers['set-cookie'][0] };
}

function assertInsecure(c, what) {
  if (c.auth !== undefined) {
    assert.doesNotMatch(c.auth, /Secure/, what);
    assert.match(c.auth, /; HttpOnly; SameSite=Lax$/, what);
  }
  assert.doesNotMatch(c.user, /Secure/, what);
  assert.match(c.user, /; HttpOnly; SameSite=Lax$/, what);
}

function assertSecure(c, what) {
  assert.match(c.auth, /^auth=[^;]+; Path=\/api; HttpOnly; Secure; SameSite=Lax$/, what);
  assert.match(c.user, /^user=[^;]+; Path=\/api; Expires=[^;]+; HttpOnly; Secure; SameSite=None$/, what);
}

before(async () => {
  dir = tempDir();
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  const r = spawnSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256',
    '-nodes', '-days', '1', '-subj', '/CN=localhost', '-keyout', key, '-out', cert], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  [plain, proxied, offenProxied, secure] = await Promise.all([
    startServer(),
    startServer({ env: { CANDOR_SERVER_REVERSEPROXY: 'true' } }),
    startServer({ env: { OFFEN_SERVER_REVERSEPROXY: 'true' } }),
    startServer({ env: { CANDOR_SERVER_SSLCERTIFICATE: cert, CANDOR_SERVER_SSLKEY: key } }),
  ]);
  await Promise.all([setup(plain), setup(proxied), setup(offenProxied), setup(secure, true)]);
});
after(async () => {
  for (const s of [plain, proxied, offenProxied, secure]) await s?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('plain HTTP without a trusted proxy: no Secure, whatever the client claims', async () => {
  assertInsecure(await cookies(plain, { 'x-forwarded-proto': 'https' }), 'a forged header, login');
  assertInsecure(await cookies(plain, {}, false, { login: false }), 'no header');
  for (const h of [{ 'x-forwarded-proto': 'HTTPS' }, { 'x-forwarded-ssl': 'on', forwarded: 'proto=https' },
    { 'x-forwarded-for': 'example.com' }]) {
    assertInsecure(await cookies(plain, h, false, { login: false }), JSON.stringify(h));
  }
});

test('behind a trusted proxy, X-Forwarded-Proto: https gives Secure', async () => {
  assertSecure(await cookies(proxied, { 'x-forwarded-proto': 'https' }), 'CANDOR_ name');
  assertSecure(await cookies(offenProxied, { 'x-forwarded-proto': 'https' }), 'OFFEN_ name');
});

test('behind a trusted proxy, plain requests stay insecure', async () => {
  assertInsecure(await cookies(proxied), 'no header');
  assertInsecure(await cookies(proxied, { 'x-forwarded-proto': 'http' }), 'http');
  assertInsecure(await cookies(proxied, { 'x-forwarded-proto': 'https, http' }, false, { login: false }), 'a list');
});

test('TLS on the connection gives Secure, and a header cannot take it away', async () => {
  assertSecure(await cookies(secure, { 'x-forwarded-proto': 'http' }, true), 'TLS with a header');
});

test('logout clears the auth cookie with the same Secure decision', async () => {
  const viaProxy = await request(proxied, '/api/logout', { method: 'POST', headers: { 'x-forwarded-proto': 'https' } });
  assert.match(viaProxy.headers['set-cookie'][0], /^auth=; .*; HttpOnly; Secure; SameSite=Lax$/);
  const forged = await request(plain, '/api/logout', { method: 'POST', headers: { 'x-forwarded-proto': 'https' } });
  assert.match(forged.headers['set-cookie'][0], /^auth=; .*; HttpOnly; SameSite=Lax$/);
  assert.doesNotMatch(forged.headers['set-cookie'][0], /Secure/);
});

test('HSTS on TLS answers only, never from a header', async () => {
  for (const path of ['/healthz', '/']) {
    const t = await request(secure, path, { tls: true });
    assert.equal(t.headers['strict-transport-security'], 'max-age=31536000', path);
    for (const srv of [plain, proxied]) {
      const p = await request(srv, path, { headers: { 'x-forwarded-proto': 'https' } });
      assert.equal(p.status, 200);
      assert.equal(p.headers['strict-transport-security'], undefined, path);
    }
  }
});
