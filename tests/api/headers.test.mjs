// headers.test.mjs -- the security headers of every answer, framing (only
// the vault), the CSP, and the refusal of cross-site writes (Origin,
// Sec-Fetch-Site) while clients that send neither header pass.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './harness.mjs';

let srv;
// Reverse-proxy mode turns Offen's throttles off (ratelimit.test.mjs tests
// them), so the many writes below are answered at once; the cross-site
// check does not depend on the mode.
before(async () => { srv = await startServer({ env: { CANDOR_SERVER_REVERSEPROXY: 'true' } }); });
after(async () => { await srv.stop(); });

const get = (path, init = {}) => fetch(`${srv.url}${path}`, { redirect: 'manual', ...init });

// Every write route of the API (src/api/routes.c), with a body that is
// harmless whatever the handler does with it.
const WRITES = [
  ['POST', '/api/exchange'], ['POST', '/api/events'], ['POST', '/api/purge'],
  ['POST', '/api/setup'], ['POST', '/api/login'], ['POST', '/api/logout'],
  ['POST', '/api/accounts'], ['DELETE', '/api/accounts/x'],
  ['PUT', '/api/accounts/x/account-styles'], ['POST', '/api/change-password'],
  ['POST', '/api/change-email'], ['POST', '/api/forgot-password'],
  ['POST', '/api/reset-password'], ['POST', '/api/share-account'],
  ['POST', '/api/share-account/x'], ['POST', '/api/join'],
];
const send = (method, path, headers = {}) => get(path, { method, headers, body: '{}' });

test('every answer: nosniff and no-referrer; all but the vault refuse framing', async () => {
  const paths = ['/', '/login/', '/auditorium/', '/script.js', '/robots.txt', '/healthz',
    '/versionz', '/api/login', '/api/setup', '/api/exchange?accountId=x', '/no/such/page', '/healthz/'];
  for (const p of paths) {
    const res = await get(p);
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff', p);
    assert.equal(res.headers.get('referrer-policy'), 'no-referrer', p);
    assert.equal(res.headers.get('x-frame-options'), 'DENY', p);
  }
  for (const [m, p] of [['POST', '/api/nothing'], ['DELETE', '/'], ['POST', '/api/login']]) {
    const res = await send(m, p);
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff', `${m} ${p}`);
    assert.equal(res.headers.get('x-frame-options'), 'DENY', `${m} ${p}`);
  }
  const vault = await get('/vault');
  assert.equal(vault.status, 200);
  assert.equal(vault.headers.get('x-content-type-options'), 'nosniff');
  assert.equal(vault.headers.get('x-frame-options'), null, 'the vault must be embeddable');
});

test('CSP on every HTML answer: no inline script, framing only for the vault', async () => {
  for (const p of ['/', '/login/', '/console/', '/auditorium/', '/setup/']) {
    const res = await get(p);
    assert.match(res.headers.get('content-type'), /^text\/html/, p);
    const csp = res.headers.get('content-security-policy');
    assert.ok(csp, `no CSP on ${p}`);
    assert.match(csp, /^default-src 'self'/);
    assert.match(csp, /script-src 'self';/);
    assert.doesNotMatch(csp, /script-src[^;]*unsafe/, p);
    assert.match(csp, /object-src 'none'/);
    assert.match(csp, /base-uri 'none'/);
    assert.match(csp, /frame-ancestors 'none'/, p);
  }
  const csp = (await get('/vault')).headers.get('content-security-policy');
  assert.match(csp, /frame-ancestors \*/);
  assert.doesNotMatch(csp, /script-src[^;]*unsafe/);
  // not HTML: no CSP needed, but still nosniff (checked above)
  assert.equal((await get('/script.js')).headers.get('content-security-policy'), null);
});

test('Cache-Control: no-store on every /api answer, errors included', async () => {
  const answers = [
    await get('/api/login'), await get('/api/setup'), await get('/api/exchange?accountId=x'),
    await send('POST', '/api/login'), await send('POST', '/api/logout'),
    await send('POST', '/api/events', { cookie: 'consent=allow' }),
    await send('POST', '/api/logout', { origin: 'https://evil.example' }),
  ];
  for (const res of answers) assert.match(res.headers.get('cache-control'), /no-store/, res.url);
  // once, not once per layer: answers from the worker pool included
  for (const res of answers) assert.equal(res.headers.get('cache-control'), 'no-store', res.url);
});

test('cross-site writes are refused with 403 and the error envelope', async () => {
  const own = srv.url;
  const refused = [
    { origin: 'https://evil.example' },
    { origin: 'http://127.0.0.1:1' },            // another port is another origin
    { origin: `${own}.evil.example` },
    { origin: 'null' },
    { 'sec-fetch-site': 'cross-site' },
    { 'sec-fetch-site': 'cross-site', origin: own }, // the browser's word wins
    { 'sec-fetch-site': 'same-site' },            // another origin of the site
    { 'sec-fetch-site': 'same-site', origin: 'http://other.127.0.0.1.nip.io' },
  ];
  for (const [m, p] of WRITES) {
    for (const h of refused) {
      const res = await send(m, p, h);
      assert.equal(res.status, 403, `${m} ${p} ${JSON.stringify(h)}`);
      assert.deepEqual(await res.json(), { error: 'router: cross-site request refused', status: 403 });
    }
  }
});

test('same-origin browsers and clients without Origin or Sec-Fetch-Site pass', async () => {
  const own = srv.url;
  const allowed = [
    {},
    { origin: own },
    { origin: own.toUpperCase().replace('HTTP', 'http') },
    { 'sec-fetch-site': 'same-origin', origin: own },
    { 'sec-fetch-site': 'same-site', origin: own },
    { 'sec-fetch-site': 'none' },
  ];
  for (const [m, p] of WRITES) {
    for (const h of allowed) {
      const res = await send(m, p, h);
      assert.notEqual(res.status, 403, `${m} ${p} ${JSON.stringify(h)}`);
      await res.arrayBuffer();
    }
  }
});

test('reads are not refused cross-site (the vault is framed by other sites)', async () => {
  const h = { origin: 'https://site.example', 'sec-fetch-site': 'cross-site' };
  assert.equal((await get('/vault', { headers: h })).status, 200);
  assert.equal((await get('/api/setup', { headers: h })).status, 204);
  assert.equal((await get('/api/login', { headers: h })).status, 401);
  assert.equal((await get('/healthz', { headers: h })).status, 200);
  assert.equal((await get('/script.js', { headers: h })).status, 200);
});
