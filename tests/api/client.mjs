// client.mjs -- the API tests' side of the wire: what a browser or the
// script does against a server from harness.mjs (anything with a url).
//
// post() answers with fetch's Response, untouched; login() and newVisitor()
// read it; aesDecrypt() opens Offen's versioned AES strings as the
// auditorium does, with WebCrypto.
import assert from 'node:assert/strict';
import { randomBytes, webcrypto as wc } from 'node:crypto';

const subtle = wc.subtle;
const b64 = (n) => randomBytes(n).toString('base64');
const unb64 = (s) => Buffer.from(s, 'base64');

// POST body as JSON, or raw (a string, sent as it is) when given, with the
// cookie header when given.
export function post(srv, path, body, cookie, raw) {
  return fetch(`${srv.url}${path}`, {
    method: 'POST', body: raw ?? JSON.stringify(body), headers: cookie ? { cookie } : {},
  });
}

// POST /api/login with creds { email, password }: { status, body, cookie }
// where body is the parsed JSON answer and cookie the "name=value" of the
// Set-Cookie header ('' without one). Nothing is asserted.
export async function login(srv, { email, password }) {
  const res = await post(srv, '/api/login', { username: email, password });
  const cookie = (res.headers.get('set-cookie') || '').split(';')[0];
  return { status: res.status, body: await res.json(), cookie };
}

// login() that must succeed: asserts the 200 and returns the same.
export async function loginOk(srv, creds) {
  const l = await login(srv, creds);
  assert.equal(l.status, 200, `login of ${creds.email} failed: ${JSON.stringify(l.body)}`);
  return l;
}

// A visitor of accountId: the key exchange with a secret of secretBytes
// random bytes; asserts the 204 and the user cookie's form, and returns the
// user id (the cookie is "user=<id>").
export async function newVisitor(srv, accountId, secretBytes = 512) {
  const res = await post(srv, '/api/exchange', { accountId, encryptedSecret: `{1,} ${b64(secretBytes)}` });
  assert.equal(res.status, 204);
  const m = /^user=([0-9a-f-]{36}); Path=\/api; Expires=[^;]+; HttpOnly; SameSite=Lax$/.exec(res.headers.get('set-cookie'));
  assert.ok(m, res.headers.get('set-cookie'));
  return m[1];
}

// Offen's versioned cipher string: "{1,} b64(ct||tag) b64(nonce)", opened
// with key, an AES-GCM JWK or a CryptoKey. The plaintext as a Buffer.
export async function aesDecrypt(key, versioned) {
  const m = /^\{(\d+),\d*\} (\S+) (\S+)$/.exec(versioned);
  assert.ok(m, `not a versioned AES string: ${versioned.slice(0, 40)}`);
  const k = key instanceof CryptoKey ? key
    : await subtle.importKey('jwk', key, { name: 'AES-GCM' }, false, ['decrypt']);
  return Buffer.from(await subtle.decrypt({ name: 'AES-GCM', iv: unb64(m[3]) }, k, unb64(m[2])));
}
