// operators.test.mjs -- setup, login and the key hierarchy, checked the way
// an operator's browser uses them: with WebCrypto.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { webcrypto as wc } from 'node:crypto';
import { copyFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, run, sqlite, SHARED, tempDir } from './harness.mjs';
import { aesDecrypt, login } from './client.mjs';

const subtle = wc.subtle;

// What the auditorium does after login: unlock the account's private key
// with the KEK, and prove the pair works with an RSA-OAEP round trip.
async function checkKeyHierarchy(url, cookie, account) {
  const res = await fetch(`${url}/api/accounts/${account.accountId}`, { headers: { cookie } });
  assert.equal(res.status, 200);
  const acc = await res.json();
  assert.equal(acc.accountId, account.accountId);
  const privJwk = JSON.parse(await aesDecrypt(account.keyEncryptionKey, acc.encryptedPrivateKey));
  const priv = await subtle.importKey('jwk', privJwk, { name: 'RSA-OAEP', hash: 'SHA-256' }, false, ['decrypt']);
  const pub = await subtle.importKey('jwk', acc.publicKey, { name: 'RSA-OAEP', hash: 'SHA-256' }, false, ['encrypt']);
  const secret = wc.getRandomValues(new Uint8Array(32));
  const wrapped = await subtle.encrypt({ name: 'RSA-OAEP' }, pub, secret);
  assert.deepEqual(new Uint8Array(await subtle.decrypt({ name: 'RSA-OAEP' }, priv, wrapped)), secret);
  return acc;
}


let srv;
before(async () => { srv = await startServer(); });
after(async () => { await srv.stop(); });

test('setup once, then log in and unlock the account with WebCrypto', async () => {
  assert.equal((await fetch(`${srv.url}/api/setup`)).status, 204);
  let res = await fetch(`${srv.url}/api/setup`, { method: 'POST', headers: { 'content-type': 'text/plain' },
    body: JSON.stringify({ accountName: '<b>Shop</b> & Co', emailAddress: 'Owner@Example.com', password: 'correct horse' }) });
  assert.equal(res.status, 204);
  res = await fetch(`${srv.url}/api/setup`);
  assert.equal(res.status, 403);
  assert.equal(await res.text(), 'null');
  // a second setup is refused
  res = await fetch(`${srv.url}/api/setup`, { method: 'POST',
    body: JSON.stringify({ accountName: 'x', emailAddress: 'x@y.zz', password: 'correct horse' }) });
  assert.equal(res.status, 403);

  const l = await login(srv, { email: 'owner@example.com', password: 'correct horse' }); // any case
  assert.equal(l.status, 200);
  assert.match(l.cookie, /^auth=.+/);
  assert.equal(l.body.adminLevel, 1);
  assert.equal(l.body.accounts.length, 1);
  const [account] = l.body.accounts;
  assert.equal(account.accountName, 'Shop & Co'); // sanitised as Offen does
  assert.equal(account.keyEncryptionKey.kty, 'oct');
  assert.equal(Buffer.from(account.keyEncryptionKey.k, 'base64url').length, 32);
  const acc = await checkKeyHierarchy(srv.url, l.cookie, account);
  assert.equal(acc.name, 'Shop & Co');
  assert.equal(acc.retentionPeriod, '6months');
  assert.deepEqual(Object.keys(acc.publicKey).sort(), ['e', 'kty', 'n']);

  // GET /api/login: the session, without keys
  res = await fetch(`${srv.url}/api/login`, { headers: { cookie: l.cookie } });
  assert.equal(res.status, 200);
  const session = await res.json();
  assert.equal(session.accountUserId, l.body.accountUserId);
  assert.equal(session.accounts[0].keyEncryptionKey, null);
});

test('wrong passwords, unknown emails and bad bodies', async () => {
  assert.equal((await login(srv, { email: 'owner@example.com', password: 'wrong password' })).status, 401);
  assert.equal((await login(srv, { email: 'nobody@example.com', password: 'correct horse' })).status, 401);
  let res = await fetch(`${srv.url}/api/login`, { method: 'POST', body: '{"username":' });
  assert.equal(res.status, 400);
  res = await fetch(`${srv.url}/api/login`, { method: 'POST', body: '{"username":5}' });
  assert.equal(res.status, 400);
});

test('sessions: missing, forged and cleared cookies', async () => {
  let res = await fetch(`${srv.url}/api/login`);
  assert.equal(res.status, 401);
  assert.equal(res.headers.get('set-cookie'), null);
  res = await fetch(`${srv.url}/api/login`, { headers: { cookie: 'auth=forged' } });
  assert.equal(res.status, 401);
  assert.match(res.headers.get('set-cookie'), /^auth=; Path=\/api; Expires=Thu, 01 Jan 1970/);
  const l = await login(srv, { email: 'owner@example.com', password: 'correct horse' });
  res = await fetch(`${srv.url}/api/logout`, { method: 'POST', headers: { cookie: l.cookie } });
  assert.equal(res.status, 204);
  assert.match(res.headers.get('set-cookie'), /^auth=;/);
});

test('accounts: create, styles, another operator\'s account is 403, retire', async () => {
  const l = await login(srv, { email: 'owner@example.com', password: 'correct horse' });
  const headers = { cookie: l.cookie };
  let res = await fetch(`${srv.url}/api/accounts`, { method: 'POST', headers,
    body: JSON.stringify({ accountName: 'Second', emailAddress: 'owner@example.com', password: 'correct horse' }) });
  assert.equal(res.status, 201);
  assert.equal(await res.text(), 'null');
  res = await fetch(`${srv.url}/api/accounts`, { method: 'POST', headers,
    body: JSON.stringify({ accountName: 'Second', emailAddress: 'owner@example.com', password: 'correct horse' }) });
  assert.equal(res.status, 409);
  res = await fetch(`${srv.url}/api/accounts`, { method: 'POST', headers,
    body: JSON.stringify({ accountName: 'Third', emailAddress: 'owner@example.com', password: 'nope nope' }) });
  assert.equal(res.status, 401);

  const again = await login(srv, { email: 'owner@example.com', password: 'correct horse' });
  assert.equal(again.body.accounts.length, 2);
  const second = again.body.accounts.find((a) => a.accountName === 'Second');
  await checkKeyHierarchy(srv.url, again.cookie, second);

  // styles: validated, dry run, stored
  const url = `${srv.url}/api/accounts/${second.accountId}/account-styles`;
  res = await fetch(url, { method: 'PUT', headers: { cookie: again.cookie }, body: JSON.stringify({ accountStyles: '.banner__root { color: #123456; }' }) });
  assert.equal(res.status, 204);
  res = await fetch(url, { method: 'PUT', headers: { cookie: again.cookie }, body: JSON.stringify({ accountStyles: '.x { background: url(http://evil) }' }) });
  assert.equal(res.status, 400);
  res = await fetch(`${url}?dryRun=1`, { method: 'PUT', headers: { cookie: again.cookie }, body: JSON.stringify({ accountStyles: '.x { color: red }' }) });
  assert.equal(res.status, 204);
  res = await fetch(`${srv.url}/api/accounts/${second.accountId}`, { headers: { cookie: again.cookie } });
  assert.equal((await res.json()).accountStyles, '.banner__root { color: #123456; }');

  // a stranger with a session of their own sees 403 on this account
  const other = await startServer();
  try {
    await fetch(`${other.url}/api/setup`, { method: 'POST',
      body: JSON.stringify({ accountName: 'Other', emailAddress: 'o@example.com', password: 'other password' }) });
  } finally { await other.stop(); }
  res = await fetch(`${srv.url}/api/accounts/00000000-0000-4000-8000-000000000000`, { headers: { cookie: again.cookie } });
  assert.equal(res.status, 403);
  res = await fetch(`${srv.url}/api/accounts/${second.accountId}`);
  assert.equal(res.status, 401);

  // retire: gone from the next login
  res = await fetch(`${srv.url}/api/accounts/${second.accountId}`, { method: 'DELETE', headers: { cookie: again.cookie } });
  assert.equal(res.status, 204);
  const after = await login(srv, { email: 'owner@example.com', password: 'correct horse' });
  assert.equal(after.body.accounts.length, 1);
  res = await fetch(`${srv.url}/api/accounts/${second.accountId}`, { method: 'DELETE', headers: { cookie: after.cookie } });
  assert.equal(res.status, 403);
});

test('an operator made by Offen 1.4.2 logs in and unlocks the account', async () => {
  const dir = tempDir();
  const db = join(dir, 'offen.db');
  copyFileSync(join(SHARED, 'fixtures/offen-1.4.2-demo.sqlite'), db);
  const s = await startServer({ env: { OFFEN_DATABASE_CONNECTIONSTRING: db } });
  try {
    assert.equal(sqlite(db, 'SELECT count(*) FROM candor_email_lookups;'), '0');
    const l = await login(s, { email: 'demo@offen.dev', password: 'demo' });
    assert.equal(l.status, 200);
    assert.equal(l.body.accounts[0].accountName, 'Demo Account');
    await checkKeyHierarchy(s.url, l.cookie, l.body.accounts[0]);
    // the first login recorded the lookup; the next is found by it, any case
    assert.equal(sqlite(db, 'SELECT count(*) FROM candor_email_lookups;'), '1');
    assert.equal((await login(s, { email: 'Demo@Offen.dev', password: 'demo' })).status, 200);
    assert.equal((await login(s, { email: 'demo@offen.dev', password: 'Demo' })).status, 401);
  } finally {
    await s.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('candor setup creates the operator, and refuses an existing email', async () => {
  const dir = tempDir();
  const env = { CANDOR_APP_DATADIR: dir };
  let r = run(['setup', '--email', 'cli@example.com', '--name', 'CLI', '--password', 'long enough'], { env });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /created account CLI with ID [0-9a-f]{8}-[0-9a-f-]{27}/);
  r = run(['setup', '--email', 'CLI@example.com', '--name', 'Again', '--password', 'long enough'], { env });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /exists already/);
  r = run(['setup', '--email', 'new@example.com', '--name', 'Again', '--password', 'long enough'], { env });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /overwrite existing data/);
  r = run(['setup', '--email', 'x@example.com', '--name', 'Short', '--password', 'short'], { env: { CANDOR_APP_DATADIR: join(dir, 'b') } });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /8 to 64 bytes/);
  r = run(['setup', '--email', 'x@example.com', '--name', 'NoTty'], { env: { CANDOR_APP_DATADIR: join(dir, 'c') }, input: '' });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--password/);
  const s = await startServer({ dataDir: dir, env: { CANDOR_APP_DATADIR: dir } });
  try {
    const l = await login(s, { email: 'cli@example.com', password: 'long enough' });
    assert.equal(l.status, 200);
    await checkKeyHierarchy(s.url, l.cookie, l.body.accounts[0]);
  } finally {
    await s.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
