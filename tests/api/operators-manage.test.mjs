// operators-manage.test.mjs -- change password and email, forgot and reset
// password, share accounts and join: the real binary, a real SMTP server
// (tests/mail/smtp_sink.py on Debian's python3-aiosmtpd) on loopback, and
// WebCrypto to prove that the keys an operator gets still open the
// account's private key after every re-wrap.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { webcrypto as wc } from 'node:crypto';
import { join } from 'node:path';
import { linkIn, readMails, startSink } from '../mail/sink.mjs';
import { startServer, sqlite } from './harness.mjs';
import * as client from './client.mjs';

const subtle = wc.subtle;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Run action; exactly one new mail must have arrived when it is done.
async function expectMail(action) {
  const before = readMails(sink.maildir).length;
  const result = await action();
  const mails = readMails(sink.maildir);
  assert.equal(mails.length, before + 1, 'exactly one mail is sent');
  return { result, mail: mails[mails.length - 1] };
}

async function expectNoMail(action) {
  const before = readMails(sink.maildir).length;
  const result = await action();
  await sleep(100);
  assert.equal(readMails(sink.maildir).length, before, 'no mail is sent');
  return result;
}

// ---- the API ------------------------------------------------------------

let srv;
let sink;

async function post(path, body, cookie) {
  const res = await client.post(srv, path, body, cookie);
  const text = await res.text();
  return { status: res.status, text, setCookie: res.headers.get('set-cookie') || '' };
}

const login = (email, password) => client.login(srv, { email, password });
const mustLogin = (email, password) => client.loginOk(srv, { email, password });

function keksById(l) {
  return Object.fromEntries((l.body.accounts || []).map((a) => [a.accountId, a.keyEncryptionKey]));
}

// What the auditorium does: unlock each account's private key with the KEK
// from the login, and prove the pair works with an RSA-OAEP round trip.
async function checkKeys(l) {
  assert.ok(l.body.accounts && l.body.accounts.length > 0, 'the login has accounts');
  for (const account of l.body.accounts) {
    const res = await fetch(`${srv.url}/api/accounts/${account.accountId}`, { headers: { cookie: l.cookie } });
    assert.equal(res.status, 200);
    const acc = await res.json();
    const privJwk = JSON.parse(await client.aesDecrypt(account.keyEncryptionKey, acc.encryptedPrivateKey));
    const priv = await subtle.importKey('jwk', privJwk, { name: 'RSA-OAEP', hash: 'SHA-256' }, false, ['decrypt']);
    const pub = await subtle.importKey('jwk', acc.publicKey, { name: 'RSA-OAEP', hash: 'SHA-256' }, false, ['encrypt']);
    const secret = wc.getRandomValues(new Uint8Array(32));
    const wrapped = await subtle.encrypt({ name: 'RSA-OAEP' }, pub, secret);
    assert.deepEqual(new Uint8Array(await subtle.decrypt({ name: 'RSA-OAEP' }, priv, wrapped)), secret);
  }
}

const CLEARED = /^auth=; Path=\/api; Expires=Thu, 01 Jan 1970 00:00:00 GMT/;
const JOIN = () => `http://127.0.0.1:${srv.port}/join/{token}/`;
const RESET = () => `http://127.0.0.1:${srv.port}/reset-password/{token}/`;

// The owner, as the tests change them.
const owner = { email: 'owner@example.com', password: 'owner password 1' };
let mainId;
let secondId;
let ownerKeks;
let joinToken; // a valid join token, for the type-confusion check

function users() {
  return Number(sqlite(join(srv.dataDir, 'candor.db'), 'SELECT COUNT(*) FROM account_users;'));
}

before(async () => {
  sink = await startSink();
  srv = await startServer({ env: {
    CANDOR_SMTP_HOST: '127.0.0.1',
    CANDOR_SMTP_PORT: String(sink.port),
    CANDOR_SMTP_AUTHTYPE: 'NOAUTH',
  } });
  let r = await post('/api/setup', { accountName: 'Main', emailAddress: owner.email, password: owner.password });
  assert.equal(r.status, 204);
  let l = await mustLogin(owner.email, owner.password);
  r = await post('/api/accounts', { accountName: 'Second', emailAddress: owner.email, password: owner.password }, l.cookie);
  assert.equal(r.status, 201);
  l = await mustLogin(owner.email, owner.password);
  mainId = l.body.accounts.find((a) => a.accountName === 'Main').accountId;
  secondId = l.body.accounts.find((a) => a.accountName === 'Second').accountId;
  ownerKeks = keksById(l);
});

after(async () => {
  try {
    if (srv) await srv.stop();
  } finally {
    if (sink) sink.stop();
  }
});

test('change-password: checks the current password and the policy, keeps the KEKs', async () => {
  assert.equal((await post('/api/change-password', { currentPassword: owner.password, changedPassword: 'x'.repeat(10) })).status, 401);
  const l = await mustLogin(owner.email, owner.password);
  let r = await post('/api/change-password', { currentPassword: 'wrong password', changedPassword: 'new password 2' }, l.cookie);
  assert.equal(r.status, 400);
  r = await post('/api/change-password', { currentPassword: owner.password, changedPassword: '1234567' }, l.cookie);
  assert.equal(r.status, 400, '7 bytes are too short');
  r = await post('/api/change-password', { currentPassword: owner.password, changedPassword: 'p'.repeat(65) }, l.cookie);
  assert.equal(r.status, 400, '65 bytes are too long');
  await mustLogin(owner.email, owner.password); // nothing changed so far

  const longest = 'ä'.repeat(31) + 'pw'; // 64 bytes, 33 characters
  r = await post('/api/change-password', { currentPassword: owner.password, changedPassword: longest }, l.cookie);
  assert.equal(r.status, 204);
  assert.equal(r.text, '');
  assert.match(r.setCookie, CLEARED);
  assert.equal((await login(owner.email, owner.password)).status, 401);
  let l2 = await mustLogin(owner.email, longest);
  assert.deepEqual(keksById(l2), ownerKeks, 'the KEKs do not change');
  await checkKeys(l2);

  r = await post('/api/change-password', { currentPassword: longest, changedPassword: '12345678' }, l2.cookie);
  assert.equal(r.status, 204, '8 bytes are enough');
  l2 = await mustLogin(owner.email, '12345678');
  assert.deepEqual(keksById(l2), ownerKeks);
  owner.password = '12345678';
});

test('change-email: re-wraps the keys under the new address, any case logs in', async () => {
  const l = await mustLogin(owner.email, owner.password);
  const body = { emailAddress: 'Boss@Example.COM', emailCurrent: owner.email, password: owner.password };
  assert.equal((await post('/api/change-email', body)).status, 401);
  let r = await post('/api/change-email', { ...body, password: 'wrong password' }, l.cookie);
  assert.equal(r.status, 400);
  r = await post('/api/change-email', { ...body, emailCurrent: 'someone@example.com' }, l.cookie);
  assert.equal(r.status, 400);
  r = await post('/api/change-email', { ...body, emailAddress: 'no at sign' }, l.cookie);
  assert.equal(r.status, 400);
  await mustLogin(owner.email, owner.password);

  r = await post('/api/change-email', { ...body, emailCurrent: 'OWNER@example.com' }, l.cookie);
  assert.equal(r.status, 204);
  assert.match(r.setCookie, CLEARED);
  assert.equal((await login(owner.email, owner.password)).status, 401);
  for (const email of ['boss@example.com', 'BOSS@EXAMPLE.COM', 'Boss@Example.COM']) {
    const l2 = await mustLogin(email, owner.password);
    assert.deepEqual(keksById(l2), ownerKeks);
  }
  owner.email = 'boss@example.com';
  await checkKeys(await mustLogin(owner.email, owner.password));
  // The email-wrapped KEKs moved to the new address: forgot-password opens
  // them with it (and mails nothing if it cannot).
  const { result } = await expectMail(() => post('/api/forgot-password', { emailAddress: 'boss@example.com', urlTemplate: RESET() }));
  assert.equal(result.status, 204);
  await expectNoMail(() => post('/api/forgot-password', { emailAddress: 'owner@example.com', urlTemplate: RESET() }));
});

test('share with a new invitee, join with the mailed token, see only that account', async () => {
  const l = await mustLogin(owner.email, owner.password);
  const share = { invitee: 'Invitee@Example.com', emailAddress: owner.email, password: owner.password, urlTemplate: JOIN() };
  assert.equal((await post(`/api/share-account/${mainId}`, share)).status, 401);
  await expectNoMail(async () => {
    assert.equal((await post(`/api/share-account/${mainId}`, { ...share, password: 'wrong password' }, l.cookie)).status, 401);
    assert.equal((await post('/api/share-account/4f1e6a32-8c1b-4b4e-9a53-2d7cf0b0c0de', share, l.cookie)).status, 401);
    assert.equal((await post(`/api/share-account/${mainId}`, { ...share, invitee: 'not-an-email' }, l.cookie)).status, 400);
    assert.equal((await post(`/api/share-account/${mainId}`, { ...share, urlTemplate: 'ftp://x/{token}' }, l.cookie)).status, 400);
    assert.equal((await post(`/api/share-account/${mainId}`, { ...share, urlTemplate: 'javascript:alert(1)//{token}' }, l.cookie)).status, 400);
  });
  const usersBefore = users();

  const { result, mail } = await expectMail(() => post(`/api/share-account/${mainId}`, share, l.cookie));
  assert.equal(result.status, 204);
  assert.equal(users(), usersBefore + 1);
  assert.equal(mail.rcpt, 'Invitee@Example.com');
  assert.match(mail.subject, /invited to join/);
  const link = linkIn(mail);
  const m = new RegExp(`^http://127\\.0\\.0\\.1:${srv.port}/join/([A-Za-z0-9_=-]+)/$`).exec(link);
  assert.ok(m, `unexpected link ${link}`);
  joinToken = m[1];
  assert.equal((await login('invitee@example.com', '')).status, 401, 'no password before joining');

  const joinBody = { emailAddress: 'invitee@example.com', password: 'invitee pw 1', token: joinToken };
  assert.equal((await post('/api/join', { ...joinBody, emailAddress: 'other@example.com' })).status, 400);
  assert.equal((await post('/api/join', { ...joinBody, token: joinToken.slice(0, -4) + 'AAA=' })).status, 400);
  assert.equal((await post('/api/join', { ...joinBody, token: 'garbage' })).status, 400);
  // A password outside the policy: 204 as Offen, but nothing is set.
  assert.equal((await post('/api/join', { ...joinBody, password: 'short' })).status, 204);
  assert.equal((await login('invitee@example.com', 'short')).status, 401);

  assert.equal((await post('/api/join', joinBody)).status, 204);
  const inv = await mustLogin('INVITEE@example.com', 'invitee pw 1');
  assert.equal(inv.body.adminLevel, 0);
  assert.deepEqual(Object.keys(keksById(inv)), [mainId], 'only the shared account');
  assert.deepEqual(keksById(inv)[mainId], ownerKeks[mainId], 'the same KEK as the owner');
  await checkKeys(inv);
  let res = await fetch(`${srv.url}/api/accounts/${secondId}`, { headers: { cookie: inv.cookie } });
  assert.equal(res.status, 403, 'an operator of one account is refused another');

  // A second join does not change the password.
  assert.equal((await post('/api/join', { ...joinBody, password: 'invitee pw 2' })).status, 204);
  assert.equal((await login('invitee@example.com', 'invitee pw 2')).status, 401);
  await mustLogin('invitee@example.com', 'invitee pw 1');

  await expectNoMail(async () => {
    const again = await post(`/api/share-account/${mainId}`, share, l.cookie);
    assert.equal(again.status, 400);
    assert.match(JSON.parse(again.text).error, /already has access to all requested accounts/);
    // Not a super admin: may not share.
    const byInvitee = await post(`/api/share-account/${mainId}`,
      { ...share, invitee: 'x@example.com', emailAddress: 'invitee@example.com', password: 'invitee pw 1' }, inv.cookie);
    assert.equal(byInvitee.status, 400);
    // Someone else's credentials in the body.
    const other = await post(`/api/share-account/${mainId}`,
      { ...share, invitee: 'x@example.com', emailAddress: 'invitee@example.com', password: 'invitee pw 1' }, l.cookie);
    assert.equal(other.status, 400);
  });
  // The invitee's address is taken now.
  const taken = await post('/api/change-email', { emailAddress: 'invitee@EXAMPLE.com', emailCurrent: owner.email, password: owner.password }, l.cookie);
  assert.equal(taken.status, 400);
});

test('share never demotes an admin and raises on grantAdminPrivileges', async () => {
  const l = await mustLogin(owner.email, owner.password);
  const share = { emailAddress: owner.email, password: owner.password, urlTemplate: JOIN() };
  const { mail } = await expectMail(() => post(`/api/share-account/${mainId}`,
    { ...share, invitee: 'admin2@example.com', grantAdminPrivileges: true }, l.cookie));
  const token = /\/join\/([^/]+)\//.exec(linkIn(mail))[1];
  assert.equal((await post('/api/join', { emailAddress: 'admin2@example.com', password: 'admin2 password', token })).status, 204);
  let a2 = await mustLogin('admin2@example.com', 'admin2 password');
  assert.equal(a2.body.adminLevel, 1);

  // Share the other account without the flag: Offen set the level to 0.
  const r = await expectMail(() => post(`/api/share-account/${secondId}`,
    { ...share, invitee: 'ADMIN2@example.com', grantAdminPrivileges: false }, l.cookie));
  assert.equal(r.result.status, 204);
  assert.equal(r.mail.rcpt, 'ADMIN2@example.com');
  assert.match(r.mail.subject, /added to additional accounts/);
  assert.match(r.mail.text, /^- Second$/m);
  assert.doesNotMatch(r.mail.text, /^- Main$/m);
  a2 = await mustLogin('admin2@example.com', 'admin2 password');
  assert.equal(a2.body.adminLevel, 1, 'still a super admin');
  assert.deepEqual(Object.keys(keksById(a2)).sort(), [mainId, secondId].sort());
  await checkKeys(a2);
  // Nothing left to share: 400, and still no demotion.
  const again = await post('/api/share-account', { ...share, invitee: 'admin2@example.com' }, l.cookie);
  assert.equal(again.status, 400);
  assert.equal((await mustLogin('admin2@example.com', 'admin2 password')).body.adminLevel, 1);

  // The invitee of the previous test is raised, and gets its pending
  // invitation re-wrapped when it changes its email before logging in again.
  const inv = await mustLogin('invitee@example.com', 'invitee pw 1');
  const raise = await expectMail(() => post('/api/share-account',
    { ...share, invitee: 'invitee@example.com', grantAdminPrivileges: true }, l.cookie));
  assert.equal(raise.result.status, 204);
  assert.match(raise.mail.text, /^- Second$/m);
  assert.doesNotMatch(raise.mail.text, /^- Main$/m, 'Main was shared already');
  const moved = await post('/api/change-email',
    { emailAddress: 'invitee2@example.com', emailCurrent: 'invitee@example.com', password: 'invitee pw 1' }, inv.cookie);
  assert.equal(moved.status, 204);
  const inv2 = await mustLogin('invitee2@example.com', 'invitee pw 1');
  assert.equal(inv2.body.adminLevel, 1, 'raised');
  assert.deepEqual(Object.keys(keksById(inv2)).sort(), [mainId, secondId].sort(), 'the pending invitation opened');
  await checkKeys(inv2);
});

test('forgot-password mails a link; reset-password works once', async () => {
  const forgot = { emailAddress: 'NOBODY@example.com', urlTemplate: RESET() };
  assert.equal((await expectNoMail(() => post('/api/forgot-password', forgot))).status, 204, 'no leak');
  for (const urlTemplate of ['', 'ftp://x/{token}', '/reset/{token}', 'https://', 'http://a b/{token}']) {
    assert.equal((await post('/api/forgot-password', { ...forgot, urlTemplate })).status, 400, urlTemplate);
  }
  // The template cap: 2048 bytes, for a known and an unknown address alike.
  const base = RESET();
  const atCap = base + 'x'.repeat(2048 - base.length);
  const over = atCap + 'x';
  await expectNoMail(async () => {
    assert.equal((await post('/api/forgot-password', { ...forgot, urlTemplate: over })).status, 400);
    assert.equal((await post('/api/forgot-password', { emailAddress: owner.email, urlTemplate: over })).status, 400);
  });
  const before = await mustLogin(owner.email, owner.password);

  const { result, mail } = await expectMail(() => post('/api/forgot-password',
    { emailAddress: 'Boss@EXAMPLE.com', urlTemplate: atCap }));
  assert.equal(result.status, 204);
  assert.equal(mail.rcpt, 'Boss@EXAMPLE.com');
  assert.equal(mail.subject, 'Reset your password');
  const link = linkIn(mail);
  const m = /\/reset-password\/([A-Za-z0-9_=-]+)\/(x+)$/.exec(link);
  assert.ok(m, `unexpected link ${link.slice(0, 100)}`);
  assert.equal(m[2].length, 2048 - base.length);
  const token = m[1];
  await mustLogin(owner.email, owner.password); // nothing changed yet

  const reset = { emailAddress: 'BOSS@example.com', password: 'reset password 1', token };
  assert.equal((await post('/api/reset-password', { ...reset, emailAddress: 'invitee2@example.com' })).status, 400);
  assert.equal((await post('/api/reset-password', { ...reset, token: joinToken })).status, 400, 'a join token is not a reset token');
  assert.equal((await post('/api/reset-password', { ...reset, token: token.slice(0, -8) + 'AAAAAAA=' })).status, 400);
  assert.equal((await post('/api/reset-password', { ...reset, password: 'short' })).status, 204);
  await mustLogin(owner.email, owner.password); // a bad password changes nothing

  assert.equal((await post('/api/reset-password', reset)).status, 204);
  assert.equal((await login(owner.email, owner.password)).status, 401);
  const after = await mustLogin(owner.email, 'reset password 1');
  assert.deepEqual(keksById(after), keksById(before));
  await checkKeys(after);
  // The one-time key is gone: the same link cannot reset again.
  assert.equal((await post('/api/reset-password', { ...reset, password: 'reset password 2' })).status, 204);
  assert.equal((await login(owner.email, 'reset password 2')).status, 401);
  await mustLogin(owner.email, 'reset password 1');
  owner.password = 'reset password 1';
  const db = join(srv.dataDir, 'candor.db');
  assert.equal(sqlite(db, "SELECT COUNT(*) FROM account_user_relationships WHERE one_time_encrypted_key_encryption_key <> '';"), '0');
});

// Length of the join token for email (a gob string of fewer than 128 bytes):
// base64url("<10-digit ts>|" + base64url(gob) + "|" + 32-byte MAC).
function joinTokenLength(email) {
  const b64len = (n) => 4 * Math.ceil(n / 3);
  const gob = Buffer.byteLength(email) + 4;
  return b64len(10 + 1 + b64len(gob) + 1 + 32);
}

test('the link made from urlTemplate is capped at 8192 bytes, and a refused share changes nothing', async () => {
  const l = await mustLogin(owner.email, owner.password);
  const share = { emailAddress: owner.email, password: owner.password };
  const make = (invitee, total) => {
    const t = joinTokenLength(invitee);
    const k = Math.floor((total - 100) / t);
    const head = `http://127.0.0.1:${srv.port}/join/`;
    const pad = total - head.length - k * t;
    return head + '{token}'.repeat(k) + 'y'.repeat(pad);
  };
  const usersBefore = users();
  const over = await expectNoMail(() => post('/api/share-account',
    { ...share, invitee: 'cap2@example.com', urlTemplate: make('cap2@example.com', 8193) }, l.cookie));
  assert.equal(over.status, 400);
  assert.equal(users(), usersBefore, 'no invitee was created');

  const { result, mail } = await expectMail(() => post('/api/share-account',
    { ...share, invitee: 'cap1@example.com', urlTemplate: make('cap1@example.com', 8192) }, l.cookie));
  assert.equal(result.status, 204);
  assert.equal(linkIn(mail).length, 8192);
  assert.equal(users(), usersBefore + 1);
});
