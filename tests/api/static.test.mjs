// static.test.mjs -- embedded files, ETags and 304s, gzip variants, the
// single-page-app fallback and its limits.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { request } from 'node:http';
import { startServer } from './harness.mjs';

const WEB = new URL('../../web/', import.meta.url);
let srv;
before(async () => { srv = await startServer(); });
after(async () => { await srv.stop(); });

// fetch() always sends Accept-Encoding and decodes; node:http shows the wire.
function get(path, headers = {}, method = 'GET') {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: srv.port, path, method, headers }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

const etagOf = (buf) => `"${createHash('sha256').update(buf).digest('hex').slice(0, 32)}"`;

test('/ serves the embedded index with a strong ETag and the CSP', async () => {
  const file = readFileSync(new URL('index.html', WEB));
  const res = await get('/');
  assert.equal(res.status, 200);
  assert.equal(res.headers['content-type'], 'text/html; charset=utf-8');
  assert.deepEqual(res.body, file);
  assert.equal(res.headers['content-length'], String(file.length));
  assert.equal(res.headers.etag, etagOf(file));
  assert.match(res.headers['content-security-policy'], /^default-src 'self'/);
  assert.equal(res.headers['x-content-type-options'], 'nosniff');
  assert.equal(res.headers['cache-control'], 'no-cache');
});

test('If-None-Match with the ETag gives 304 without a body', async () => {
  const first = await get('/robots.txt');
  assert.equal(first.status, 200);
  assert.equal(first.body.toString(), 'User-agent: *\nDisallow: /\n');
  for (const inm of [first.headers.etag, `"nope", ${first.headers.etag}`, `W/${first.headers.etag}`, '*']) {
    const res = await get('/robots.txt', { 'if-none-match': inm });
    assert.equal(res.status, 304, inm);
    assert.equal(res.body.length, 0);
    assert.equal(res.headers.etag, first.headers.etag);
  }
  const stale = await get('/robots.txt', { 'if-none-match': '"0000"' });
  assert.equal(stale.status, 200);
});

test('a client that accepts gzip gets the precompressed variant', async () => {
  const file = readFileSync(new URL('index.html', WEB));
  const res = await get('/', { 'accept-encoding': 'br, gzip;q=0.8' });
  assert.equal(res.status, 200);
  assert.equal(res.headers['content-encoding'], 'gzip');
  assert.equal(res.headers.vary, 'Accept-Encoding');
  assert.ok(res.body.length < file.length);
  assert.deepEqual(gunzipSync(res.body), file);
  assert.notEqual(res.headers.etag, etagOf(file)); // other bytes, other ETag
  const again = await get('/', { 'accept-encoding': 'gzip', 'if-none-match': res.headers.etag });
  assert.equal(again.status, 304);
  for (const ae of ['gzip;q=0', 'identity', 'gzip;q=0.000, *;q=0']) {
    const plain = await get('/', { 'accept-encoding': ae });
    assert.equal(plain.headers['content-encoding'], undefined, ae);
    assert.deepEqual(plain.body, file);
  }
});

test('HEAD sends the headers of GET without the body', async () => {
  const res = await get('/robots.txt', {}, 'HEAD');
  assert.equal(res.status, 200);
  assert.equal(res.headers['content-length'], '26');
  assert.equal(res.body.length, 0);
});

test('unknown GET paths fall back to the index (the SPA routes them)', async () => {
  const index = readFileSync(new URL('index.html', WEB));
  for (const p of ['/api/unknown', '/a/../../x', '/loginx', '/setupfoo/', '/join/', '/reset-password']) {
    const res = await get(p);
    assert.equal(res.status, 200, p);
    assert.deepEqual(res.body, index, p);
  }
});

test("the operators' routes fall back to the operators' app", async () => {
  const app = readFileSync(new URL('app/index.html', WEB));
  for (const p of ['/login/', '/login', '/console/', '/setup/', '/forgot-password/',
    '/reset-password/tok/', '/join/tok', '/auditorium/abc/', '/auditorium/abc/?range=7days']) {
    const res = await get(p);
    assert.equal(res.status, 200, p);
    assert.deepEqual(res.body, app, p);
  }
  const visitor = readFileSync(new URL('auditorium/index.html', WEB));
  assert.deepEqual((await get('/auditorium/')).body, visitor);
});

test('other methods on unknown paths get 404 text, as Offen', async () => {
  for (const method of ['POST', 'PUT', 'DELETE', 'OPTIONS']) {
    const res = await get('/api/unknown', {}, method);
    assert.equal(res.status, 404, method);
    assert.equal(res.body.toString(), '404 page not found');
  }
});

test('a file asked for as a folder, and /index.html, redirect', async () => {
  let res = await get('/robots.txt/?x=1');
  assert.equal(res.status, 301);
  assert.equal(res.headers.location, '/robots.txt?x=1');
  res = await get('/index.html');
  assert.equal(res.status, 301);
  assert.equal(res.headers.location, '/');
});

test('a folder serves its index.html; without the slash it redirects', async () => {
  const page = readFileSync(new URL('auditorium/index.html', WEB));
  let res = await get('/auditorium/');
  assert.equal(res.status, 200);
  assert.deepEqual(res.body, page);
  res = await get('/auditorium?x=1');
  assert.equal(res.status, 301);
  assert.equal(res.headers.location, '/auditorium/?x=1');
});

test('/vault serves the vault page; an unknown account is 400', async () => {
  let res = await get('/vault');
  assert.equal(res.status, 200);
  assert.match(res.headers['content-security-policy'], /^default-src 'self'/);
  assert.equal(res.headers['x-frame-options'], undefined); // it must be embeddable
  assert.match(res.body.toString(), /<!--candor:styles-->/);
  const again = await get('/vault', { 'if-none-match': res.headers.etag });
  assert.equal(again.status, 304);
  res = await get('/vault?accountId=00000000-0000-4000-8000-000000000000');
  assert.equal(res.status, 400);
  res = await get('/vault/');
  assert.equal(res.status, 301);
  assert.equal(res.headers.location, '/vault');
});
