// console-mail.test.mjs -- the flows that go through a mail: forgot and
// reset password, and inviting a colleague who joins through the link and
// then sees the shared account. Mail goes to a real SMTP server on
// loopback (tests/mail/smtp_sink.py); the links from the mails are opened
// in the browser. axe-core runs on every page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { T } from './lib.mjs';
import {
  api, checkPage, flashText, launch, linkIn, logInThroughPage, mailTo, readMails, startCandorWithMail,
} from './console-lib.mjs';

let env;
let server;
let browser;
const owner = { email: 'owner@example.com', password: 'owner password 1' };
let accountId;

before(async () => {
  env = await startCandorWithMail();
  server = env.server;
  assert.equal((await api(server, 'POST', '/api/setup', {
    accountName: 'Mail Shop', emailAddress: owner.email, password: owner.password,
  })).status, 204);
  const l = await api(server, 'POST', '/api/login', { username: owner.email, password: owner.password });
  accountId = l.body.accounts[0].accountId;
  browser = await launch();
});

after(async () => {
  if (browser) await browser.close();
  if (env) await env.stop();
});

async function newPage() {
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  return { page, context, errors };
}

test('forgot password: the link from the mail sets a new password', T, async () => {
  const { page, context, errors } = await newPage();
  await page.goto(`${server.url}/login/`);
  await checkPage(page, /Log in/);
  await page.getByRole('link', { name: 'Forgot password?' }).click();
  await page.waitForURL(`${server.url}/forgot-password/`);
  await checkPage(page, /Forgot password/);
  const before = readMails(env.sink.maildir).length;
  await page.getByLabel('Email address').fill(owner.email);
  await page.getByRole('button', { name: 'Send the link' }).click();
  assert.match(await flashText(page), /Check your inbox/);
  const link = linkIn(await mailTo(env.sink, owner.email, before));
  assert.ok(link.startsWith(`${server.url}/reset-password/`), link);

  await page.goto(link);
  await checkPage(page, /Set a new password/);
  const next = 'reset password 22';
  await page.getByLabel('Email address').fill(owner.email);
  await page.getByLabel('New password').fill(next);
  await page.getByLabel('Repeat the password').fill('something else');
  await page.getByRole('button', { name: 'Save the new password' }).click();
  assert.match(await page.textContent('.field-error:not(:empty)'), /do not match/);
  await page.getByLabel('Repeat the password').fill(next);
  await page.getByRole('button', { name: 'Save the new password' }).click();
  await page.waitForURL(`${server.url}/login/`);
  assert.match(await flashText(page), /password was changed/);
  await checkPage(page, /Log in/);
  assert.equal((await api(server, 'POST', '/api/login', { username: owner.email, password: owner.password })).status, 401);
  owner.password = next;
  await logInThroughPage(page, server.url, owner.email, owner.password);
  await page.waitForURL(`${server.url}/auditorium/${accountId}/`);

  // A link that is not a token is refused with a message.
  await page.goto(`${server.url}/reset-password/not-a-token/`);
  await checkPage(page, /Set a new password/);
  await page.getByLabel('Email address').fill(owner.email);
  await page.getByLabel('New password').fill('whatever password 3');
  await page.getByLabel('Repeat the password').fill('whatever password 3');
  await page.getByRole('button', { name: 'Save the new password' }).click();
  assert.match(await flashText(page, { error: true }), /invalid, has expired/);
  assert.deepEqual(errors.filter((e) => !/dashboard/.test(e)), []);
  await context.close();
});

test('invite a colleague: the join link from the mail, then they see the account', T, async () => {
  const { page, context, errors } = await newPage();
  await logInThroughPage(page, server.url, owner.email, owner.password, { next: '/console/' });
  await page.waitForURL(`${server.url}/console/`);
  await checkPage(page, /Console/);
  const form = page.locator('section', { has: page.getByRole('heading', { name: 'Invite a colleague' }) });
  const colleague = { email: 'colleague@example.com', password: 'colleague pw 1' };

  await form.getByLabel('Your colleague\'s email address').fill(owner.email);
  await form.getByLabel('Your email address').fill(owner.email);
  await form.getByLabel('Your password').fill(owner.password);
  await form.getByRole('button', { name: 'Send the invitation' }).click();
  assert.match(await form.locator('.field-error:not(:empty)').textContent(), /cannot invite yourself/);

  const before = readMails(env.sink.maildir).length;
  await form.getByLabel('Your colleague\'s email address').fill(colleague.email);
  await form.getByLabel('Accounts to share').selectOption({ label: 'Mail Shop' });
  await form.getByRole('button', { name: 'Send the invitation' }).click();
  assert.match(await flashText(page), /invitation was sent to colleague@example.com/);
  await checkPage(page);
  const link = linkIn(await mailTo(env.sink, colleague.email, before));
  assert.ok(link.startsWith(`${server.url}/join/`), link);
  await context.close();

  const other = await newPage();
  await other.page.goto(link);
  await checkPage(other.page, /Join Candor/);
  await other.page.getByLabel('Email address').fill(colleague.email);
  await other.page.getByLabel('Password', { exact: true }).fill(colleague.password);
  await other.page.getByLabel('Repeat the password').fill(colleague.password);
  await other.page.getByRole('button', { name: 'Join' }).click();
  await other.page.waitForURL(`${server.url}/login/`);
  assert.match(await flashText(other.page), /login is ready/);
  await logInThroughPage(other.page, server.url, colleague.email, colleague.password, { next: '/console/' });
  await other.page.waitForURL(`${server.url}/console/`);
  await checkPage(other.page, /Console/);
  assert.ok(await other.page.getByRole('heading', { name: 'Mail Shop', exact: true }).isVisible());
  // Not an admin: no create, share or retire.
  assert.equal(await other.page.getByRole('heading', { name: 'Create an account' }).count(), 0);
  assert.equal(await other.page.getByRole('button', { name: 'Retire this account…' }).count(), 0);
  const stored = await other.page.evaluate(() => JSON.parse(sessionStorage.getItem('candor.session')));
  assert.equal(stored.accounts[0].accountId, accountId);
  assert.deepEqual([...errors, ...other.errors], []);
  await other.context.close();
});
