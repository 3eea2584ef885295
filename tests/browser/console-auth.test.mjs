// console-auth.test.mjs -- first-run setup through the page, the login
// (a wrong password announced, ?next= followed only on this site), the
// language switch and German strings, with axe-core on every page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { T, startServer } from './lib.mjs';
import { api, checkPage, flashText, launch } from './console-lib.mjs';

let server;
let browser;
const owner = { email: 'first@example.com', password: 'first operator pw' };

before(async () => {
  server = await startServer();
  browser = await launch();
});

after(async () => {
  if (browser) await browser.close();
  if (server) await server.stop();
});

async function freshPage() {
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  return { page, context, errors };
}

test('setup on a fresh instance through the page, then it is refused', T, async () => {
  const { page, context, errors } = await freshPage();
  await page.goto(`${server.url}/setup/`);
  await checkPage(page, /Set up Candor/);
  await page.getByLabel('Account name').fill('My Shop');
  await page.getByLabel('Email address').fill(owner.email);
  await page.getByLabel('Password', { exact: true }).fill('short');
  assert.match(await page.textContent('.strength'), /too short/);
  await page.getByLabel('Repeat the password').fill('short');
  await page.getByRole('button', { name: 'Set up' }).click();
  // Checked before sending: the error is next to the field, which has the focus.
  assert.match(await page.textContent('.field-error:not(:empty)'), /8 to 64/);
  assert.equal(await page.evaluate(() => document.activeElement.getAttribute('aria-invalid')), 'true');
  assert.equal((await api(server, 'GET', '/api/setup')).status, 204, 'nothing was sent');

  await page.getByLabel('Password', { exact: true }).fill(owner.password);
  await page.getByLabel('Repeat the password').fill(`${owner.password}x`);
  await page.getByRole('button', { name: 'Set up' }).click();
  assert.match(await page.textContent('.field-error:not(:empty)'), /do not match/);
  await checkPage(page);

  await page.getByLabel('Repeat the password').fill(owner.password);
  await page.getByRole('button', { name: 'Set up' }).click();
  await page.waitForURL(`${server.url}/login/`);
  assert.match(await flashText(page), /Setup is done/);
  await checkPage(page, /Log in/);
  assert.equal((await api(server, 'GET', '/api/setup')).status, 403);
  const login = await api(server, 'POST', '/api/login', { username: owner.email, password: owner.password });
  assert.equal(login.status, 200);
  assert.equal(login.body.accounts[0].accountName, 'My Shop');

  await page.goto(`${server.url}/setup/`);
  await checkPage(page, /Set up Candor/);
  assert.match(await page.textContent('main'), /already set up/);
  assert.equal(await page.locator('form').count(), 0);
  assert.deepEqual(errors, []);
  await context.close();
});

test('login: a wrong password is announced, the right one goes to the first account', T, async () => {
  const { page, context, errors } = await freshPage();
  await page.goto(`${server.url}/login/`);
  await checkPage(page, /Log in/);
  await page.getByLabel('Email address').fill(owner.email);
  await page.getByLabel('Password', { exact: true }).fill('not the password');
  await page.getByRole('button', { name: 'Log in' }).click();
  assert.match(await flashText(page, { error: true }), /Could not log in/);
  assert.equal(await page.getAttribute('#alert', 'role'), 'alert');
  assert.equal(new URL(page.url()).pathname, '/login/');
  await checkPage(page);
  // Escape dismisses the message.
  await page.keyboard.press('Escape');
  assert.equal(await page.locator('#alert p').count(), 0);

  const accountId = (await api(server, 'POST', '/api/login', { username: owner.email, password: owner.password }))
    .body.accounts[0].accountId;
  await page.getByLabel('Password', { exact: true }).fill(owner.password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.waitForURL(`${server.url}/auditorium/${accountId}/`);
  const stored = await page.evaluate(() => JSON.parse(sessionStorage.getItem('candor.session')));
  assert.equal(stored.accounts[0].accountId, accountId);
  assert.equal(stored.accounts[0].keyEncryptionKey.kty, 'oct');
  assert.deepEqual(errors.filter((e) => !/dashboard/.test(e)), []);
  await context.close();
});

test('login: ?next= is followed for a path of this site only', T, async () => {
  const { page, context } = await freshPage();
  const logIn = async () => {
    await page.waitForSelector('main[aria-busy="false"] h1');
    await page.getByLabel('Email address').fill(owner.email);
    await page.getByLabel('Password', { exact: true }).fill(owner.password);
    await page.getByRole('button', { name: 'Log in' }).click();
  };
  await page.goto(`${server.url}/login/?next=${encodeURIComponent('/console/')}`);
  await logIn();
  await page.waitForURL(`${server.url}/console/`);
  await checkPage(page, /Console/);

  await page.evaluate(() => sessionStorage.clear());
  await page.goto(`${server.url}/login/?next=${encodeURIComponent('//evil.example/console/')}`);
  await logIn();
  await page.waitForURL((u) => u.pathname.startsWith('/auditorium/'));
  assert.equal(new URL(page.url()).origin, server.url);
  await context.close();
});

test('the console needs a login: the guard sends to /login/?next=', T, async () => {
  const { page, context } = await freshPage();
  await page.goto(`${server.url}/console/`);
  await page.waitForURL(`${server.url}/login/?next=%2Fconsole%2F`);
  assert.match(await flashText(page), /Please log in/);
  await checkPage(page, /Log in/);
  await context.close();
});

test('German: ?locale=de shows German strings, the switch keeps the path', T, async () => {
  const { page, context } = await freshPage();
  await page.goto(`${server.url}/forgot-password/?locale=de`);
  await checkPage(page, /Passwort vergessen/);
  assert.equal(await page.getAttribute('html', 'lang'), 'de');
  assert.ok(await page.getByLabel('E-Mail-Adresse').isVisible());
  assert.ok(await page.getByRole('button', { name: 'Link senden' }).isVisible());
  assert.match(await page.textContent('.skip'), /Zum Inhalt springen/);
  assert.equal(await page.getAttribute('nav a[aria-current]', 'lang'), 'de');
  // The link back to the login keeps the language.
  await page.getByRole('link', { name: 'Zurück zur Anmeldung' }).click();
  await page.waitForURL(`${server.url}/login/?locale=de`);
  await checkPage(page, /Anmelden/);
  await page.getByRole('link', { name: 'English' }).click();
  await page.waitForURL(`${server.url}/login/?locale=en`);
  await checkPage(page, /Log in/);
  assert.equal(await page.getAttribute('html', 'lang'), 'en');
  await context.close();
});

test('dark colour scheme and reduced motion: axe-core finds nothing on the pages', T, async () => {
  const context = await browser.newContext({ colorScheme: 'dark', reducedMotion: 'reduce' });
  const page = await context.newPage();
  for (const path of ['/login/', '/setup/', '/forgot-password/', '/reset-password/t/', '/join/t/']) {
    await page.goto(`${server.url}${path}`);
    await checkPage(page);
  }
  await page.goto(`${server.url}/login/?next=%2Fconsole%2F`);
  await page.waitForSelector('main[aria-busy="false"] h1');
  await page.getByLabel('Email address').fill(owner.email);
  await page.getByLabel('Password', { exact: true }).fill(owner.password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.waitForURL(`${server.url}/console/`);
  await checkPage(page, /Console/);
  assert.equal(await page.evaluate(() => getComputedStyle(document.documentElement).scrollBehavior), 'auto');
  await context.close();
});
