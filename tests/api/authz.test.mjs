// authz.test.mjs -- the authorization matrix: every route of
// src/api/routes.c, called as each of five callers, against a table of
// expected statuses. The table IS the spec; it mirrors Offen
// (reference/offen-server.md §3) and docs/differences.md names the rows
// where Candor answers otherwise.
//
// Callers: anonymous (no cookie), visitor (user + consent cookies, after a
// key exchange), other (operator of another account only), operator
// (adminLevel 0 on the account, made through share without
// grantAdminPrivileges) and admin (adminLevel 1, made by setup).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { startServer } from './harness.mjs';
import { loginOk as clientLoginOk } from './client.mjs';

const b64 = (n) => randomBytes(n).toString('base64');
const ADMIN = { email: 'admin@example.com', password: 'admin password' };
const OP = { email: 'op@example.com', password: 'operator password' };
const OTHER = { email: 'other@example.com', password: 'other password' };
const ROLES = ['anonymous', 'visitor', 'other', 'operator', 'admin'];
const CREDS = { other: OTHER, operator: OP, admin: ADMIN };

let srv;
const ids = {};     // Main, Doomed, Other
const cookies = {}; // per role
let invitees = 0;

async function call(method, path, { body, cookie } = {}) {
  const res = await fetch(`${srv.url}${path}`, {
    method, redirect: 'manual', headers: cookie ? { cookie } : {},
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, text, setCookie: res.headers.get('set-cookie') || '' };
}

const loginOk = (creds) => clientLoginOk(srv, creds);

function lastJoinToken() {
  const all = [...srv.stderr.matchAll(/http:\/\/x\/join\/([A-Za-z0-9_=-]+)\//g)];
  return all[all.length - 1][1];
}

async function invite(adminCookie, path, who) {
  const r = await call('POST', path, { cookie: adminCookie, body: {
    invitee: who.email, emailAddress: ADMIN.email, password: ADMIN.password,
    urlTemplate: 'http://x/join/{token}/', grantAdminPrivileges: false } });
  assert.equal(r.status, 204, r.text);
  const j = await call('POST', '/api/join', { body: { emailAddress: who.email, password: who.password, token: lastJoinToken() } });
  assert.equal(j.status, 204);
}

before(async () => {
  // Reverse-proxy mode: no throttles, so the matrix runs at full speed;
  // ratelimit.test.mjs covers them.
  srv = await startServer({ env: { CANDOR_SERVER_REVERSEPROXY: 'true' } });
  let r = await call('POST', '/api/setup', { body: { accountName: 'Main', emailAddress: ADMIN.email, password: ADMIN.password } });
  assert.equal(r.status, 204);
  let admin = await loginOk(ADMIN);
  r = await call('POST', '/api/accounts', { cookie: admin.cookie, body: { accountName: 'Doomed', emailAddress: ADMIN.email, password: ADMIN.password } });
  assert.equal(r.status, 201);
  await invite(admin.cookie, '/api/share-account', OP); // Main and Doomed
  r = await call('POST', '/api/accounts', { cookie: admin.cookie, body: { accountName: 'Other', emailAddress: ADMIN.email, password: ADMIN.password } });
  assert.equal(r.status, 201);
  admin = await loginOk(ADMIN);
  for (const a of admin.body.accounts) ids[a.accountName] = a.accountId;
  await invite(admin.cookie, `/api/share-account/${ids.Other}`, OTHER);
  cookies.admin = admin.cookie;
  const op = await loginOk(OP);
  assert.equal(op.body.adminLevel, 0);
  assert.deepEqual(op.body.accounts.map((a) => a.accountName).sort(), ['Doomed', 'Main']);
  cookies.operator = op.cookie;
  const other = await loginOk(OTHER);
  assert.equal(other.body.adminLevel, 0);
  assert.deepEqual(other.body.accounts.map((a) => a.accountName), ['Other']);
  cookies.other = other.cookie;
  // the visitor: a key exchange for Main, and consent
  r = await call('POST', '/api/exchange', { body: { accountId: ids.Main, encryptedSecret: `{1,} ${b64(512)}` } });
  assert.equal(r.status, 204);
  cookies.visitor = `${r.setCookie.split(';')[0]}; consent=allow`;
  cookies.anonymous = undefined;
});
after(async () => { await srv.stop(); });

const payload = () => `{1,} ${b64(40)} ${b64(12)}`;
const share = (role) => ({
  invitee: `invitee${++invitees}@example.com`,
  emailAddress: (CREDS[role] || ADMIN).email,
  password: (CREDS[role] || { password: 'wrong password' }).password,
  urlTemplate: 'http://x/join/{token}/',
});

// [method, path (or role => path), body (or role => body), statuses by role:
//  anonymous, visitor, other, operator, admin]. Destructive rows last.
const MATRIX = [
  ['GET', '/healthz', undefined, [200, 200, 200, 200, 200]],
  ['POST', '/healthz', undefined, [200, 200, 200, 200, 200]],
  ['GET', '/versionz', undefined, [200, 200, 200, 200, 200]],
  ['GET', () => `/vault?accountId=${ids.Main}`, undefined, [200, 200, 200, 200, 200]],
  ['GET', () => `/api/exchange?accountId=${ids.Main}`, undefined, [200, 200, 200, 200, 200]],
  ['POST', '/api/exchange', () => ({ accountId: ids.Main, encryptedSecret: `{1,} ${b64(512)}` }), [204, 204, 204, 204, 204]],
  ['GET', '/api/events', undefined, [400, 200, 400, 400, 400]],
  // optin first: without consent=allow nothing is stored and the answer is 204
  ['POST', '/api/events', () => ({ accountId: ids.Main, payload: payload() }), [204, 201, 204, 204, 204]],
  ['GET', '/api/setup', undefined, [403, 403, 403, 403, 403]],
  ['POST', '/api/setup', { accountName: 'X', emailAddress: 'x@example.com', password: 'long enough' }, [403, 403, 403, 403, 403]],
  ['GET', '/api/login', undefined, [401, 401, 200, 200, 200]],
  ['POST', '/api/login', { username: ADMIN.email, password: 'wrong password' }, [401, 401, 401, 401, 401]],
  ['GET', () => `/api/accounts/${ids.Main}`, undefined, [401, 401, 403, 200, 200]],
  ['GET', () => `/api/accounts/${ids.Other}`, undefined, [401, 401, 200, 403, 200]],
  ['GET', () => `/api/accounts/${ids.Main}/secrets`, undefined, [401, 401, 403, 200, 200]],
  ['GET', () => `/api/accounts/${ids.Other}/secrets`, undefined, [401, 401, 200, 403, 200]],
  // Offen answers 401 (not 403) for styles of an account one cannot open;
  // no admin level is needed
  ['PUT', () => `/api/accounts/${ids.Main}/account-styles?dryRun=1`, { accountStyles: '.banner__root { color: red; }' }, [401, 401, 401, 204, 204]],
  ['PUT', () => `/api/accounts/${ids.Main}/account-styles`, { accountStyles: '' }, [401, 401, 401, 204, 204]],
  // the body's credentials must be the caller's, and only admins create
  ['POST', '/api/accounts', (role) => ({ accountName: `Made by ${role}`, ...(CREDS[role] ? { emailAddress: CREDS[role].email, password: CREDS[role].password } : { emailAddress: ADMIN.email, password: ADMIN.password }) }), [401, 401, 403, 403, 201]],
  ['POST', '/api/change-password', { currentPassword: 'wrong password', changedPassword: 'new password 1' }, [401, 401, 400, 400, 400]],
  ['POST', '/api/change-email', { emailAddress: 'new@example.com', emailCurrent: 'x@example.com', password: 'wrong password' }, [401, 401, 400, 400, 400]],
  ['POST', '/api/forgot-password', { emailAddress: 'nobody@example.com', urlTemplate: 'http://x/reset/{token}/' }, [204, 204, 204, 204, 204]],
  ['POST', '/api/reset-password', { emailAddress: 'nobody@example.com', password: 'new password 1', token: 'garbage' }, [400, 400, 400, 400, 400]],
  // sharing: no access to the path's account is 401; a provider that is
  // no super admin is 400 (both as Offen)
  ['POST', () => `/api/share-account/${ids.Main}`, share, [401, 401, 401, 400, 204]],
  ['POST', '/api/share-account', share, [401, 401, 400, 400, 204]],
  ['POST', '/api/join', { emailAddress: 'nobody@example.com', password: 'new password 1', token: 'garbage' }, [400, 400, 400, 400, 400]],
  ['POST', '/api/purge', undefined, [400, 204, 400, 400, 400]],
  ['POST', '/api/logout', undefined, [204, 204, 204, 204, 204]],
  // not routes: unknown GETs get the app's index, other methods 404
  ['GET', '/api/nothing', undefined, [200, 200, 200, 200, 200]],
  ['POST', '/api/nothing', undefined, [404, 404, 404, 404, 404]],
  // retiring needs access and adminLevel 1; a retired account is 404
  ['DELETE', () => `/api/accounts/${ids.Doomed}`, undefined, [401, 401, 403, 403, 204]],
  ['DELETE', () => `/api/accounts/${ids.Doomed}`, undefined, [401, 401, 403, 403, 403]],
];

test('every route, as every caller, answers as the matrix says', async () => {
  const wrong = [];
  for (const [method, path, body, want] of MATRIX) {
    for (let i = 0; i < ROLES.length; i++) {
      const role = ROLES[i];
      const p = typeof path === 'function' ? path(role) : path;
      const b = typeof body === 'function' ? body(role) : body;
      const r = await call(method, p, { cookie: cookies[role], body: b });
      if (r.status !== want[i]) wrong.push(`${method} ${p} as ${role}: ${r.status}, want ${want[i]} (${r.text.slice(0, 120)})`);
    }
  }
  assert.deepEqual(wrong, []);
});

test('the matrix covers every route of the route table', async () => {
  const { readFileSync } = await import('node:fs');
  const src = readFileSync(new URL('../../src/api/routes.c', import.meta.url), 'utf8');
  const routes = [...src.matchAll(/\{"([A-Z*]+)",\s*"([^"]+)"/g)].map((m) => [m[1], m[2]]);
  assert.ok(routes.length >= 20);
  for (const [m, pattern] of routes) {
    const re = new RegExp(`^${pattern.replace(/:[A-Za-z]+/g, '[^/]+')}(\\?.*)?$`);
    const covered = MATRIX.some(([method, path]) => {
      const p = typeof path === 'function' ? path('admin') : path;
      return (m === '*' || m === method) && re.test(p);
    });
    assert.ok(covered, `${m} ${pattern} is not in the matrix`);
  }
});
