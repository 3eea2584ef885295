// banner.test.mjs -- the consent banner and the embed script, before and
// without consent: nothing leaves the browser, nothing is stored, the
// dialog is accessible, and host pages cannot use the vault for more than
// page views and the banner.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  T, VAULT_IFRAME, apiCalls, axeViolations, count, nextEventPost, recordRequests, startFixture,
  waitForVaultFrame,
} from './lib.mjs';

let fx;
before(async () => { fx = await startFixture(); });
after(async () => { await fx?.close(); });

const eventRows = () => count(fx.server, 'SELECT count(*) FROM events');

test('before consent: an accessible dialog, no cookie, no request to the API', T, async () => {
  const context = await fx.browser.newContext();
  const seen = recordRequests(context);
  const page = await context.newPage();
  // Where focus is right after the script restyles its iframe, in the same
  // task: before the browser's next rendering step could move it itself.
  await page.addInitScript(() => {
    const replace = CSSStyleSheet.prototype.replaceSync;
    window.focusAfterStyles = [];
    CSSStyleSheet.prototype.replaceSync = function (text) {
      replace.call(this, text);
      queueMicrotask(() => window.focusAfterStyles.push(document.activeElement.tagName));
    };
  });
  await page.goto(`${fx.site.url}/landing-${fx.mark}`);
  const frame = await waitForVaultFrame(page);
  await page.locator(VAULT_IFRAME).waitFor({ state: 'visible' });
  const dialog = frame.getByRole('dialog', { name: 'We only access usage data with your consent.' });
  await dialog.waitFor();
  assert.match(await dialog.getAttribute('aria-describedby'), /\S/);
  assert.equal(await frame.locator('.banner__root.banner--initial .banner__buttons .buttons__button').count(), 2);

  assert.deepEqual(seen.filter((r) => new URL(r.url).pathname.startsWith('/api/')), [],
    'no API request before consent');
  assert.deepEqual(await context.cookies(), [], 'no cookie before consent');

  // the two choices look the same
  const looks = await frame.evaluate(() => Array.from(document.querySelectorAll('.buttons__button'), (b) => {
    const s = getComputedStyle(b);
    return [s.color, s.backgroundColor, s.fontSize, s.fontWeight, b.getBoundingClientRect().width];
  }));
  assert.deepEqual(looks[0], looks[1]);

  // focus went into the dialog and stays there
  assert.equal(await page.evaluate(() => document.activeElement.tagName), 'IFRAME');
  const inDialog = () => frame.evaluate(() => document.activeElement.closest('.banner__root') !== null);
  for (const key of ['Tab', 'Tab', 'Tab', 'Tab', 'Shift+Tab', 'Shift+Tab', 'Shift+Tab', 'Shift+Tab']) {
    await page.keyboard.press(key);
    assert.ok(await inDialog(), `focus left the dialog on ${key}`);
  }
  // keyboard focus is visible
  const outline = await frame.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
  assert.notEqual(outline, 'none');
  assert.deepEqual(await axeViolations(frame), [], 'axe on the banner');

  // Escape closes it without a decision: nothing stored, asked again later
  await page.keyboard.press('Escape');
  await page.locator(VAULT_IFRAME).waitFor({ state: 'hidden' });
  assert.notEqual(await page.evaluate(() => document.activeElement.tagName), 'IFRAME');
  assert.notEqual(await page.evaluate(() => window.focusAfterStyles.at(-1)), 'IFRAME',
    'the hidden frame gave up focus when it was hidden');
  assert.deepEqual(await context.cookies(), []);
  await page.reload();
  await page.locator(VAULT_IFRAME).waitFor({ state: 'visible' });
  assert.equal(apiCalls(seen, '/api/events').length, 0);
  assert.deepEqual(await context.cookies(), []);
  await context.close();
});

test('deny: nothing is sent, "deny" is remembered, on a page with a strict CSP', T, async () => {
  const context = await fx.browser.newContext();
  const seen = recordRequests(context);
  const rows = eventRows();
  const page = await context.newPage();
  await page.goto(`${fx.site.url}/strict`);
  const frame = await waitForVaultFrame(page);
  await page.locator(VAULT_IFRAME).waitFor({ state: 'visible' });
  await frame.getByRole('button', { name: "I don't allow" }).click();
  await page.locator(VAULT_IFRAME).waitFor({ state: 'hidden' });
  const cookies = await context.cookies();
  assert.deepEqual(cookies.map((c) => [c.name, c.value, c.path, c.sameSite]), [['consent', 'deny', '/', 'Lax']]);
  assert.ok(cookies[0].expires * 1000 > Date.now() + 300 * 86400e3, 'remembered for long');

  // later page views: no banner, no request, nothing stored
  const later = await context.newPage();
  await later.goto(`${fx.site.url}/api-mode`);
  const reply = await later.evaluate(() => new Promise((resolve) =>
    window.__offen__.pageview((err, res) => resolve({ err: err && err.message, res }))));
  assert.deepEqual(reply, { err: null, res: {} });
  assert.equal(await later.locator(VAULT_IFRAME).isVisible(), false);
  assert.equal(apiCalls(seen, '/api/events').length, 0, 'no request to /api/events');
  assert.equal(apiCalls(seen, '/api/exchange').length, 0, 'no key exchange');
  assert.equal(eventRows(), rows);
  assert.deepEqual((await context.cookies()).map((c) => c.name), ['consent']);
  await context.close();
});

test('API mode: skipConsent asks nothing; acquireConsent asks without recording', T, async () => {
  const context = await fx.browser.newContext();
  const seen = recordRequests(context);
  const page = await context.newPage();
  await page.goto(`${fx.site.url}/api-mode`);
  assert.deepEqual(await page.evaluate(() => Object.keys(window.__offen__).sort()), ['acquireConsent', 'pageview']);
  const skipped = await page.evaluate(() => new Promise((resolve) =>
    window.__offen__.pageview({ skipConsent: true }, (err, res) => resolve({ err, res }))));
  assert.deepEqual(skipped, { err: null, res: {} });
  assert.equal(await page.locator(VAULT_IFRAME).isVisible(), false);
  assert.deepEqual(await context.cookies(), []);

  const asked = page.evaluate(() => new Promise((resolve) => window.__offen__.acquireConsent(resolve)));
  const frame = await waitForVaultFrame(page);
  await frame.getByRole('button', { name: 'I allow' }).click();
  assert.equal(await asked, null);
  assert.deepEqual((await context.cookies()).map((c) => [c.name, c.value]), [['consent', 'allow']]);
  assert.equal(apiCalls(seen, '/api/events').length, 0, 'acquireConsent records nothing');

  const posted = nextEventPost(page);
  const done = page.evaluate(() => new Promise((resolve) =>
    window.__offen__.pageview({ subsequent: true }, (err) => resolve(err))));
  assert.equal((await posted).status(), 201);
  assert.equal(await done, null);
  await context.close();
});

test('a host page cannot use the vault for anything but page views and the banner', T, async () => {
  const context = await fx.browser.newContext();
  const page = await context.newPage();
  await page.goto(`${fx.site.url}/api-mode`);
  await page.evaluate(() => new Promise((resolve) => window.__offen__.pageview({ skipConsent: true }, resolve)));
  const ask = (msg) => page.evaluate((m) => new Promise((resolve) => {
    const frame = document.querySelector('iframe[id^="offen-vault-"]');
    const ch = new MessageChannel();
    ch.port1.onmessage = (ev) => resolve(ev.data);
    frame.contentWindow.postMessage(m, new URL(frame.src).origin, [ch.port2]);
  }), msg);
  for (const type of ['CONSENT_STATUS', 'EXPRESS_CONSENT']) {
    const reply = await ask({ type, payload: { status: 'allow' } });
    assert.equal(reply.type, 'ERROR', type);
    assert.match(reply.payload.error, /untrusted origin/, type);
  }
  const unknown = await ask({ type: 'PURGE', payload: null });
  assert.match(unknown.payload.error, /not handled/);
  const other = await ask({ type: 'EVENT', payload: { accountId: '00000000-0000-4000-8000-000000000000',
    event: { type: 'PAGEVIEW', href: 'http://x.test/', referrer: '', pageload: null, isMobile: false } } });
  assert.equal(other.type, 'ERROR');
  assert.match(other.payload.error, /another account/);
  const bad = await ask({ type: 'EVENT', payload: { accountId: fx.candor.accountId, event: { type: 'CLICK' } } });
  assert.equal(bad.type, 'ERROR');
  // page addresses up to 2000 characters (Offen's payload schema)
  const pageview = (href) => ask({ type: 'EVENT', meta: { skipConsent: true },
    payload: { accountId: fx.candor.accountId, event: { type: 'PAGEVIEW', href, referrer: '' } } });
  const base = 'http://x.test/';
  assert.equal(await pageview(base + 'a'.repeat(2000 - base.length)), null);
  const long = await pageview(base + 'a'.repeat(2001 - base.length));
  assert.equal(long.type, 'ERROR');
  assert.match(long.payload.error, /2000/);
  assert.deepEqual(await context.cookies(), [], 'nothing was stored');
  await context.close();
});

test("the account's custom styles restyle the banner", T, async () => {
  const css = '.buttons__button { background-color: #5a0f6e; }';
  const res = await fetch(`${fx.server.url}/api/accounts/${fx.candor.accountId}/account-styles`, {
    method: 'PUT', headers: { cookie: fx.candor.auth }, body: JSON.stringify({ accountStyles: css }),
  });
  assert.ok(res.status < 300, `account-styles: ${res.status} ${await res.text()}`);
  const context = await fx.browser.newContext();
  const page = await context.newPage();
  await page.goto(`${fx.site.url}/landing-${fx.mark}`);
  const frame = await waitForVaultFrame(page);
  const button = frame.getByRole('button', { name: 'I allow' });
  await button.waitFor();
  assert.equal(await button.evaluate((b) => getComputedStyle(b).backgroundColor), 'rgb(90, 15, 110)');
  assert.equal(await frame.evaluate(() => document.head.querySelector('style') !== null), true);
  await context.close();
});
