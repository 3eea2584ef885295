// console-manage.test.mjs -- the console end to end: create an account,
// retire one after the confirmation dialog, the consent-banner style
// editor (a server refusal shown at the field, good CSS saved and served
// by the vault), the embed code, change password, change email, log out,
// and one whole flow by keyboard alone. axe-core runs on every state.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { OWNER, T, candorWithAccount } from './lib.mjs';
import { api, checkPage, flashText, launch, logInThroughPage } from './console-lib.mjs';

let candor;
let server;
let browser;
const owner = { ...OWNER }; // its password changes below

before(async () => {
  candor = await candorWithAccount('Test Shop');
  server = candor.server;
  browser = await launch();
});

after(async () => {
  if (browser) await browser.close();
  if (process.env.CANDOR_TEST_LOG) console.error(server.stderr); // the server log, when debugging
  if (server) await server.stop();
});

async function consolePage({ permissions = [] } = {}) {
  const context = await browser.newContext();
  if (permissions.length) await context.grantPermissions(permissions, { origin: server.url });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await logInThroughPage(page, server.url, owner.email, owner.password, { next: '/console/' });
  await page.waitForURL(`${server.url}/console/`);
  await checkPage(page, /Console/);
  return { page, context, errors };
}

function card(page, name) {
  return page.locator('ul.accounts > li').filter({ has: page.getByRole('heading', { name, exact: true }) });
}

async function accountNames() {
  const l = await api(server, 'POST', '/api/login', { username: owner.email, password: owner.password });
  assert.equal(l.status, 200);
  return (l.body.accounts || []).map((a) => a.accountName).sort();
}

test('the console lists the accounts with their dashboard link and embed code', T, async () => {
  const { page, context, errors } = await consolePage({ permissions: ['clipboard-read', 'clipboard-write'] });
  const shop = card(page, 'Test Shop');
  const href = await shop.getByRole('link', { name: 'Open the dashboard of Test Shop' }).getAttribute('href');
  assert.equal(href, `/auditorium/${candor.accountId}/`);
  await shop.getByText('Embed code').click();
  const code = `<script async src="${server.url}/script.js" data-account-id="${candor.accountId}"></script>`;
  assert.equal(await shop.locator('pre code').textContent(), code);
  await shop.getByRole('button', { name: 'Copy the code' }).click();
  await page.waitForFunction(() => /copied/.test(document.querySelector('[aria-live="polite"].hint')?.textContent || ''));
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), code);
  await checkPage(page);
  assert.deepEqual(errors, []);
  await context.close();
});

test('create an account: it is listed at once, with its key', T, async () => {
  const { page, context, errors } = await consolePage();
  const form = page.locator('section', { has: page.getByRole('heading', { name: 'Create an account' }) });
  await form.getByLabel('Account name').fill('Second Shop');
  await form.getByLabel('Your email address').fill(owner.email);
  await form.getByLabel('Your password').fill('wrong password');
  await form.getByRole('button', { name: 'Create the account' }).click();
  assert.match(await flashText(page, { error: true }), /email address or password is not right/);
  assert.deepEqual(await accountNames(), ['Test Shop']);

  await form.getByLabel('Your password').fill(owner.password);
  const clicked = form.getByRole('button', { name: 'Create the account' }).click();
  await page.waitForSelector('button:has-text("One moment…")[disabled]');
  await clicked;
  assert.match(await flashText(page), /Second Shop is created/);
  await page.getByRole('heading', { name: 'Second Shop', exact: true }).waitFor();
  const stored = await page.evaluate(() => JSON.parse(sessionStorage.getItem('candor.session')));
  const second = stored.accounts.find((a) => a.accountName === 'Second Shop');
  assert.ok(second && second.keyEncryptionKey.kty === 'oct', 'the new account comes with its key');
  assert.deepEqual(await accountNames(), ['Second Shop', 'Test Shop']);

  await form.getByLabel('Account name').fill('Second Shop');
  await form.getByLabel('Your email address').fill(owner.email);
  await form.getByLabel('Your password').fill(owner.password);
  await form.getByRole('button', { name: 'Create the account' }).click();
  assert.match(await flashText(page, { error: true }), /exists already/);
  await checkPage(page);
  assert.deepEqual(errors, []);
  await context.close();
});

test('retire an account: a dialog names it; Cancel keeps it, confirming retires it', T, async () => {
  const { page, context, errors } = await consolePage();
  const second = card(page, 'Second Shop');
  const opener = second.getByRole('button', { name: 'Retire this account…' });
  await opener.click();
  const dialog = page.getByRole('dialog', { name: 'Retire Second Shop?' });
  await dialog.waitFor();
  assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Cancel');
  await checkPage(page);
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await dialog.waitFor({ state: 'detached' });
  assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Retire this account…');
  assert.deepEqual(await accountNames(), ['Second Shop', 'Test Shop']);

  await opener.click();
  await dialog.getByRole('button', { name: 'Retire Second Shop' }).click();
  assert.match(await flashText(page), /Second Shop is retired/);
  await page.getByRole('heading', { name: 'Second Shop', exact: true }).waitFor({ state: 'detached' });
  assert.deepEqual(await accountNames(), ['Test Shop']);
  await checkPage(page);
  assert.deepEqual(errors, []);
  await context.close();
});

test('the style editor: a server refusal at the field, good CSS saved and served', T, async () => {
  const { page, context, errors } = await consolePage();
  const shop = card(page, 'Test Shop');
  await shop.getByText('Consent banner style').click();
  const area = shop.getByLabel('CSS for the consent banner');
  await area.fill('body { background: url(https://evil.example/x.png); }');
  await shop.getByRole('button', { name: 'Check' }).click();
  const result = shop.locator('.field-result');
  await result.filter({ hasText: 'refused' }).waitFor();
  assert.match(await result.textContent(), /The server refused this CSS: invalid styles/);
  assert.equal(await area.getAttribute('aria-invalid'), 'true');
  const described = await area.getAttribute('aria-describedby');
  assert.ok(described.split(' ').includes(await result.getAttribute('id')), 'the error describes the field');
  await checkPage(page);

  const css = '.banner__root { background-color: #ffcc00; }';
  await area.fill(css);
  await shop.getByRole('button', { name: 'Check' }).click();
  await result.filter({ hasText: 'accepts' }).waitFor();
  assert.equal(await area.getAttribute('aria-invalid'), null);
  let vault = await (await fetch(`${server.url}/vault?accountId=${candor.accountId}`)).text();
  assert.ok(!vault.includes('#ffcc00'), 'a check does not save');

  await shop.getByRole('button', { name: 'Save' }).click();
  assert.match(await flashText(page), /banner style of Test Shop is saved/);
  vault = await (await fetch(`${server.url}/vault?accountId=${candor.accountId}`)).text();
  assert.ok(vault.includes(css), 'the vault carries the saved style');

  // Opened again later, the editor shows what is stored.
  await page.reload();
  await checkPage(page, /Console/);
  const again = card(page, 'Test Shop');
  await again.getByText('Consent banner style').click();
  await page.waitForFunction((c) => [...document.querySelectorAll('textarea')].some((a) => a.value === c), css);
  assert.deepEqual(errors, []);
  await context.close();
});

// Tab until the focused element's accessible text matches re; every stop
// must show a visible focus indicator.
async function tabTo(page, re, max = 80) {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    const now = await page.evaluate(() => {
      const el = document.activeElement;
      const style = getComputedStyle(el);
      const label = el.labels && el.labels[0] ? el.labels[0].textContent : '';
      return {
        text: `${label} ${el.tagName === 'SUMMARY' || el.tagName === 'BUTTON' || el.tagName === 'A' ? el.textContent : ''}`.trim(),
        outline: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0,
        tag: el.tagName,
      };
    });
    if (now.tag !== 'BODY') assert.ok(now.outline, `focus is visible on ${now.tag} "${now.text}"`);
    if (re.test(now.text)) return;
  }
  throw new Error(`no focusable element matching ${re} within ${max} tabs`);
}

test('keyboard alone: log in, create an account, retire it through the dialog', T, async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${server.url}/login/?next=${encodeURIComponent('/console/')}`);
  await page.waitForSelector('main[aria-busy="false"] h1');
  await tabTo(page, /^Email address/);
  await page.keyboard.type(owner.email);
  await tabTo(page, /^Password/);
  await page.keyboard.type(owner.password);
  await page.keyboard.press('Enter');
  await page.waitForURL(`${server.url}/console/`);
  await checkPage(page, /Console/);

  await tabTo(page, /^Account name/);
  await page.keyboard.type('Keyboard Shop');
  await tabTo(page, /^Your email address/);
  await page.keyboard.type(owner.email);
  await tabTo(page, /^Your password/);
  await page.keyboard.type(owner.password);
  await tabTo(page, /^Create the account/);
  await page.keyboard.press('Space');
  assert.match(await flashText(page), /Keyboard Shop is created/);
  assert.deepEqual(await accountNames(), ['Keyboard Shop', 'Test Shop']);

  // After the console is drawn again, focus is on its heading; the new
  // account's card comes first (sorted by name).
  await tabTo(page, /Embed code/);
  await page.keyboard.press('Enter');
  await tabTo(page, /^Retire this account/);
  await page.keyboard.press('Enter');
  const dialog = page.getByRole('dialog', { name: 'Retire Keyboard Shop?' });
  await dialog.waitFor();
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'detached' });
  assert.match(await page.evaluate(() => document.activeElement.textContent), /Retire this account/);
  await page.keyboard.press('Enter');
  await dialog.waitFor();
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Retire Keyboard Shop');
  await page.keyboard.press('Space');
  assert.match(await flashText(page), /Keyboard Shop is retired/);
  assert.deepEqual(await accountNames(), ['Test Shop']);
  await checkPage(page);
  await context.close();
});

test('change password, then log in with the new one', T, async () => {
  const { page, context, errors } = await consolePage();
  const form = page.locator('section', { has: page.getByRole('heading', { name: 'Change your password' }) });
  const next = 'a much newer password';
  await form.getByLabel('Current password').fill(owner.password);
  await form.getByLabel('New password').fill(next);
  assert.match(await form.locator('.strength').textContent(), /Password strength: (good|strong)/);
  await form.getByLabel('Repeat the password').fill(next);
  await form.getByRole('button', { name: 'Change the password' }).click();
  await page.waitForURL(`${server.url}/login/`);
  assert.match(await flashText(page), /password is changed/);
  await checkPage(page, /Log in/);
  assert.equal((await api(server, 'POST', '/api/login', { username: owner.email, password: owner.password })).status, 401);
  owner.password = next;
  await logInThroughPage(page, server.url, owner.email, owner.password, { next: '/console/' });
  await page.waitForURL(`${server.url}/console/`);
  await checkPage(page, /Console/);
  assert.deepEqual(errors, []);
  await context.close();
});

test('change email, then log in with the new one', T, async () => {
  const { page, context, errors } = await consolePage();
  const form = page.locator('section', { has: page.getByRole('heading', { name: 'Change your email address' }) });
  const next = 'owner.new@example.com';
  await form.getByLabel('New email address').fill(next);
  await form.getByLabel('Current email address').fill(owner.email);
  await form.getByLabel('Password').fill('wrong password');
  await form.getByRole('button', { name: 'Change the email address' }).click();
  assert.match(await flashText(page, { error: true }), /Could not change the email address/);
  await form.getByLabel('Password').fill(owner.password);
  await form.getByRole('button', { name: 'Change the email address' }).click();
  await page.waitForURL(`${server.url}/login/`);
  assert.match(await flashText(page), /email address is changed/);
  owner.email = next;
  await logInThroughPage(page, server.url, owner.email, owner.password, { next: '/console/' });
  await page.waitForURL(`${server.url}/console/`);
  assert.deepEqual(errors, []);
  await context.close();
});

test('log out: the session ends and the console needs a login again', T, async () => {
  const { page, context, errors } = await consolePage();
  await page.getByRole('button', { name: 'Log out' }).click();
  await page.waitForURL(`${server.url}/login/`);
  assert.match(await flashText(page), /logged out/);
  await checkPage(page, /Log in/);
  assert.equal(await page.evaluate(() => sessionStorage.getItem('candor.session')), null);
  assert.equal(await page.evaluate(async () => (await fetch('/api/login')).status), 401);
  await page.goto(`${server.url}/console/`);
  await page.waitForURL((u) => u.pathname === '/login/');
  assert.deepEqual(errors, []);
  await context.close();
});
