// tls.test.mjs -- HTTPS from certificate and key files (Offen's and Candor's
// variable names), the TLS settings, HSTS, start-up errors that name the
// variable, and the plain-HTTP listener that redirects to https.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import https from 'node:https';
import tls from 'node:tls';
import { rmSync, writeFileSync } from 'node:fs';
import { startServer, run, tempDir, rawRequest, statusOf } from './harness.mjs';

let dir, cert, key, srv, redir;
const tlsEnv = () => ({ OFFEN_SERVER_SSLCERTIFICATE: cert, OFFEN_SERVER_SSLKEY: key });

function openssl(args) {
  const r = spawnSync('openssl', args, { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
}

// GET over https: { status, headers, body, socket facts }.
function httpsGet(port, path, opts = {}) {
  return new Promise((resolve, reject) => {
    https.get({ host: '127.0.0.1', port, path, rejectUnauthorized: false, agent: false, ...opts }, (r) => {
      let body = '';
      const cert = r.socket.getPeerCertificate();
      r.on('data', (d) => { body += d; });
      r.on('end', () => resolve({ status: r.statusCode, headers: r.headers, body, cert }));
    }).on('error', reject);
  });
}

// A bare TLS handshake with the given client options: the socket's facts,
// or { error } when the server refuses.
function handshake(port, opts) {
  return new Promise((resolve) => {
    const s = tls.connect({ host: '127.0.0.1', port, rejectUnauthorized: false, ...opts }, () => {
      const facts = { protocol: s.getProtocol(), cipher: s.getCipher().name, alpn: s.alpnProtocol,
        ticket: s.getTLSTicket() };
      s.end();
      resolve(facts);
    });
    s.on('error', (error) => resolve({ error }));
  });
}

before(async () => {
  dir = tempDir();
  cert = join(dir, 'cert.pem');
  key = join(dir, 'key.pem');
  openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1',
    '-subj', '/CN=localhost', '-keyout', key, '-out', cert]);
  srv = await startServer({ env: tlsEnv() });
  redir = await startServer({ env: { CANDOR_SERVER_SSLCERTIFICATE: cert, CANDOR_SERVER_SSLKEY: key,
    CANDOR_SERVER_HTTPPORT: '0' } });
  redir.httpPort = Number(/Redirecting plain HTTP on port (\d+)/.exec(redir.stderr)[1]);
});
after(async () => {
  await srv.stop();
  await redir.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('serves HTTPS with the configured certificate', async () => {
  const res = await httpsGet(srv.port, '/healthz');
  assert.equal(res.status, 200);
  assert.equal(res.body, '{"ok":true}');
  assert.equal(res.cert.subject.CN, 'localhost');
});

test('the CANDOR_ names work as well as the OFFEN_ ones', async () => {
  const res = await httpsGet(redir.port, '/healthz');
  assert.equal(res.status, 200);
  assert.match(redir.stderr, /Listening on https:\/\//);
});

test('offers HTTP/1.1 only over ALPN (HTTP/2 stays off)', async () => {
  const f = await handshake(srv.port, { ALPNProtocols: ['h2', 'http/1.1'] });
  assert.equal(f.alpn, 'http/1.1');
});

test('TLS 1.1 and older are refused; 1.2 and 1.3 work', async () => {
  const old = await handshake(srv.port, { minVersion: 'TLSv1', maxVersion: 'TLSv1.1' });
  assert.ok(old.error, 'TLS 1.1 handshake must fail');
  assert.equal((await handshake(srv.port, { maxVersion: 'TLSv1.2' })).protocol, 'TLSv1.2');
  assert.equal((await handshake(srv.port, { minVersion: 'TLSv1.3' })).protocol, 'TLSv1.3');
});

test('TLS 1.2: forward-secret AEAD ciphers only, in the server\'s order', async () => {
  // The client prefers ChaCha20; the server's order puts AES-GCM first.
  const f = await handshake(srv.port, { maxVersion: 'TLSv1.2',
    ciphers: 'ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-ECDSA-AES128-GCM-SHA256' });
  assert.equal(f.cipher, 'ECDHE-ECDSA-AES128-GCM-SHA256');
  const chacha = await handshake(srv.port, { maxVersion: 'TLSv1.2', ciphers: 'ECDHE-ECDSA-CHACHA20-POLY1305' });
  assert.equal(chacha.cipher, 'ECDHE-ECDSA-CHACHA20-POLY1305');
  for (const c of ['ECDHE-ECDSA-AES128-SHA', 'ECDHE-ECDSA-AES256-SHA384', 'AES128-GCM-SHA256']) {
    const r = await handshake(srv.port, { maxVersion: 'TLSv1.2', ciphers: c });
    assert.ok(r.error, `${c} must be refused, got ${r.cipher}`);
  }
});

test('no session tickets are issued', async () => {
  const f = await handshake(srv.port, { maxVersion: 'TLSv1.2' });
  assert.equal(f.ticket, undefined);
  const got = await new Promise((resolve) => {
    let n = 0;
    const s = tls.connect({ host: '127.0.0.1', port: srv.port, rejectUnauthorized: false, minVersion: 'TLSv1.3' });
    s.on('session', () => { n++; });
    s.on('secureConnect', () => s.write('GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'));
    s.on('data', () => {});
    s.on('close', () => resolve(n));
    s.on('error', () => resolve(-1));
  });
  assert.equal(got, 0, 'TLS 1.3 NewSessionTicket messages');
});

test('HSTS on every TLS answer: API, page, static file and error', async () => {
  for (const path of ['/healthz', '/', '/api/login', '/no-such-file.js']) {
    const res = await httpsGet(srv.port, path);
    assert.equal(res.headers['strict-transport-security'], 'max-age=31536000', path);
  }
});

test('the plain listener redirects GET and HEAD to https, keeping path and query', async () => {
  const cases = [
    ['GET', 'example.com', '/vault/?a=1&b=2', `https://example.com:${redir.port}/vault/?a=1&b=2`],
    ['HEAD', 'example.com:8080', '/', `https://example.com:${redir.port}/`],
    ['GET', '[::1]:80', '/healthz', `https://[::1]:${redir.port}/healthz`],
  ];
  for (const [method, host, path, want] of cases) {
    const { data } = await rawRequest(redir.httpPort,
      `${method} ${path} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);
    assert.equal(statusOf(data), 301, data);
    assert.match(data, new RegExp(`\r\nlocation: ${want.replace(/[?.[\]]/g, '\\$&')}\r\n`, 'i'));
    assert.doesNotMatch(data, /strict-transport-security/i, 'no HSTS over plain HTTP');
  }
});

test('the plain listener\'s answers (301 and 400) carry the security headers of every answer, without HSTS', async () => {
  for (const req of [
    `GET /login/ HTTP/1.1\r\nHost: example.com\r\nConnection: close\r\n\r\n`,
    `POST / HTTP/1.1\r\nHost: example.com\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`,
  ]) {
    const { data } = await rawRequest(redir.httpPort, req);
    assert.ok([301, 400].includes(statusOf(data)), data);
    assert.match(data, /\r\nx-content-type-options: nosniff\r\n/i, data);
    assert.match(data, /\r\nreferrer-policy: no-referrer\r\n/i, data);
    assert.match(data, /\r\nx-frame-options: DENY\r\n/i, data);
    assert.doesNotMatch(data, /strict-transport-security/i, data);
  }
});

test('the redirect takes host names up to 255 bytes, not one more', async () => {
  const name = (n) => `${'a'.repeat(63)}.`.repeat(4).slice(0, n - 4) + '.com';
  let { data } = await rawRequest(redir.httpPort, `GET / HTTP/1.1\r\nHost: ${name(255)}:80\r\nConnection: close\r\n\r\n`);
  assert.equal(statusOf(data), 301, data);
  assert.match(data, new RegExp(`location: https://${name(255).replace(/\./g, '\\.')}:${redir.port}/\r\n`, 'i'));
  ({ data } = await rawRequest(redir.httpPort, `GET / HTTP/1.1\r\nHost: ${name(256)}\r\nConnection: close\r\n\r\n`));
  assert.equal(statusOf(data), 400, data);
});

test('the plain listener refuses other methods and bad hosts, and never serves', async () => {
  const cases = [
    `POST /api/login HTTP/1.1\r\nHost: example.com\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}`,
    `GET / HTTP/1.1\r\nHost: evil.com/x\r\nConnection: close\r\n\r\n`,
    `GET / HTTP/1.1\r\nHost: a"b\r\nConnection: close\r\n\r\n`,
    `GET / HTTP/1.0\r\n\r\n`,
  ];
  for (const req of cases) {
    const { data } = await rawRequest(redir.httpPort, req);
    assert.equal(statusOf(data), 400, `${JSON.stringify(req)} -> ${data}`);
    assert.doesNotMatch(data, /location:/i);
  }
});

test('an unreadable certificate file is a configuration error (exit 2)', () => {
  const r = run(['serve'], { env: { CANDOR_SERVER_SSLCERTIFICATE: join(dir, 'nope.pem'), CANDOR_SERVER_SSLKEY: key } });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /CANDOR_SERVER_SSLCERTIFICATE.*nope\.pem/);
});

test('an unreadable key file is a configuration error naming SSLKEY (exit 2)', () => {
  const r = run(['serve'], { env: { OFFEN_SERVER_SSLCERTIFICATE: cert, OFFEN_SERVER_SSLKEY: join(dir, 'gone.pem') } });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /CANDOR_SERVER_SSLKEY \(or its OFFEN_ alias\): cannot read .*gone\.pem/);
});

test('a certificate file that is not PEM is a configuration error (exit 2)', () => {
  const junk = join(dir, 'junk.pem');
  writeFileSync(junk, 'not a certificate\n');
  const r = run(['serve'], { env: { CANDOR_SERVER_SSLCERTIFICATE: junk, CANDOR_SERVER_SSLKEY: key } });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /CANDOR_SERVER_SSLCERTIFICATE .*junk\.pem.*not a PEM certificate/);
});

test('a key that does not match the certificate is a configuration error (exit 2)', () => {
  const other = join(dir, 'other.pem');
  openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', other]);
  const r = run(['serve'], { env: { CANDOR_SERVER_SSLCERTIFICATE: cert, CANDOR_SERVER_SSLKEY: other,
    CANDOR_SERVER_PORT: '0', CANDOR_SERVER_HOST: '127.0.0.1' } });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /CANDOR_SERVER_SSLKEY .*other\.pem.*does not match the certificate/);
  assert.doesNotMatch(r.stderr, /Server now listening/);
});

test('CANDOR_SERVER_HTTPPORT without a certificate is a configuration error (exit 2)', () => {
  const r = run(['serve'], { env: { CANDOR_SERVER_HTTPPORT: '8080' } });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /CANDOR_SERVER_HTTPPORT.*CANDOR_SERVER_SSLCERTIFICATE/);
});
