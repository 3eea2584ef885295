// tls.test.mjs -- HTTPS from certificate and key files, HTTP/1.1 only.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import https from 'node:https';
import tls from 'node:tls';
import { rmSync } from 'node:fs';
import { startServer, run, tempDir } from './harness.mjs';

let dir, cert, key, srv;
before(async () => {
  dir = tempDir();
  cert = join(dir, 'cert.pem');
  key = join(dir, 'key.pem');
  const r = spawnSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt',
    'ec_paramgen_curve:P-256', '-nodes', '-days', '1', '-subj', '/CN=localhost',
    '-keyout', key, '-out', cert], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  srv = await startServer({ env: { OFFEN_SERVER_SSLCERTIFICATE: cert, OFFEN_SERVER_SSLKEY: key } });
});
after(async () => { await srv.stop(); rmSync(dir, { recursive: true, force: true }); });

test('serves HTTPS with the configured certificate', async () => {
  const res = await new Promise((resolve, reject) => {
    https.get({ host: '127.0.0.1', port: srv.port, path: '/healthz',
      rejectUnauthorized: false }, (r) => {
      let body = '';
      const cert = r.socket.getPeerCertificate();
      r.on('data', (d) => { body += d; });
      r.on('end', () => resolve({ status: r.statusCode, body, cert }));
    }).on('error', reject);
  });
  assert.equal(res.status, 200);
  assert.equal(res.body, '{"ok":true}');
  assert.equal(res.cert.subject.CN, 'localhost');
});

test('offers HTTP/1.1 only over ALPN (HTTP/2 stays off)', async () => {
  const proto = await new Promise((resolve, reject) => {
    const s = tls.connect({ host: '127.0.0.1', port: srv.port, ALPNProtocols: ['h2', 'http/1.1'],
      rejectUnauthorized: false }, () => { resolve(s.alpnProtocol); s.end(); });
    s.on('error', reject);
  });
  assert.equal(proto, 'http/1.1');
});

test('an unreadable certificate file is a configuration error (exit 2)', () => {
  const r = run(['serve'], { env: { CANDOR_SERVER_SSLCERTIFICATE: join(dir, 'nope.pem'), CANDOR_SERVER_SSLKEY: key } });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /CANDOR_SERVER_SSLCERTIFICATE.*nope\.pem/);
});

test('a key that does not match the certificate fails start-up', () => {
  const other = join(dir, 'other.pem');
  spawnSync('openssl', ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', other]);
  const r = run(['serve'], { env: { CANDOR_SERVER_SSLCERTIFICATE: cert, CANDOR_SERVER_SSLKEY: other, CANDOR_SERVER_PORT: '0', CANDOR_SERVER_HOST: '127.0.0.1' } });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /cannot load TLS certificate/);
});
