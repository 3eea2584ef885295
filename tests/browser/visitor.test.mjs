// visitor.test.mjs -- a visitor who allows: three page views (one of them
// a client-side navigation) reach the server encrypted, the visitor's page
// on Candor's origin decrypts and lists them, exports them and deletes
// them; a lost user cookie is recovered from with one new key exchange.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  T, VAULT_IFRAME, apiCalls, axeViolations, count, databaseBytes, dbPath, nextEventPost,
  recordRequests, sqlite, startFixture, storedEvents, waitForVaultFrame,
} from './lib.mjs';
import { DIALECT, onSqlite } from '../db/fresh.mjs';

let fx;
before(async () => { fx = await startFixture(); });
after(async () => { await fx?.close(); });

const query = (sql) => sqlite(dbPath(fx.server), sql);

// A visitor who allowed on a page of the test site: the first page view
// stored, and the rows counted after it.
async function allowed() {
  const context = await fx.browser.newContext();
  const page = await context.newPage();
  await page.goto(`${fx.site.url}/second-${fx.mark}`);
  const frame = await waitForVaultFrame(page);
  const posted = nextEventPost(page);
  await frame.getByRole('button', { name: 'I allow' }).click();
  assert.equal((await posted).status(), 201);
  return {
    context, page, frame,
    secrets: count(fx.server, 'SELECT count(*) FROM secrets'),
    events: count(fx.server, 'SELECT count(*) FROM events'),
  };
}

// The visitor's own page (the auditorium) in context, once its accounts
// are drawn.
async function visitorPage(context) {
  const me = await context.newPage();
  await me.goto(`${fx.server.url}/auditorium/`);
  await me.locator('#accounts[aria-busy="false"]').waitFor();
  return me;
}

test('allow: three encrypted page views, listed, exported and deleted by the visitor', T, async () => {
  const { mark, site, server } = fx;
  const context = await fx.browser.newContext();
  const seen = recordRequests(context);
  const page = await context.newPage();
  const referrer = `https://referrer-${mark}.example/from/here?q=private-${mark}`;
  await page.goto(`${site.url}/landing-${mark}`, { referer: referrer });
  const frame = await waitForVaultFrame(page);
  await page.locator(VAULT_IFRAME).waitFor({ state: 'visible' });

  // 1: the landing page, sent once the visitor allows it (by keyboard)
  let posted = nextEventPost(page);
  const allow = frame.getByRole('button', { name: 'I allow' });
  for (let i = 0; i < 5 && !(await allow.evaluate((b) => b === document.activeElement)); i++) {
    await page.keyboard.press('Tab');
  }
  await page.keyboard.press('Enter');
  assert.equal((await posted).status(), 201);
  await frame.getByRole('dialog', { name: /Thanks for your help/ }).waitFor();
  await frame.getByRole('button', { name: 'Continue' }).click();
  await page.locator(VAULT_IFRAME).waitFor({ state: 'hidden' });
  assert.notEqual(await page.evaluate(() => document.activeElement.tagName), 'IFRAME');
  const consent = (await context.cookies()).find((c) => c.name === 'consent');
  assert.deepEqual([consent.value, consent.path, consent.sameSite], ['allow', '/', 'Lax']);

  // 2: a client-side navigation
  posted = nextEventPost(page);
  await page.evaluate((p) => history.pushState({}, '', p), `/spa-${mark}/route`);
  assert.equal((await posted).status(), 201);

  // 3: another page; no banner this time
  posted = nextEventPost(page);
  await page.click('#next');
  assert.equal((await posted).status(), 201);
  assert.equal(await page.locator(VAULT_IFRAME).isVisible(), false);

  // the server holds three rows of ciphertext and one wrapped secret
  assert.equal(count(server, 'SELECT count(*) FROM events'), 3);
  assert.equal(count(server, 'SELECT count(*) FROM secrets'), 1);
  assert.equal(apiCalls(seen, '/api/exchange').filter((r) => r.method === 'POST').length, 1);
  for (const p of query('SELECT payload FROM events').split('\n')) {
    assert.match(p, /^\{1,\} [A-Za-z0-9+/]+={0,2} [A-Za-z0-9+/]{16}$/);
  }
  assert.match(query('SELECT encrypted_secret FROM secrets'), /^\{1,\} [A-Za-z0-9+/]{683}=$/);
  // The database files on SQLite; every row as text on PostgreSQL (its
  // files are the server's); on MySQL the check is SQLite's and ours only.
  const files = onSqlite ? databaseBytes(server) : DIALECT === 'postgres'
    ? ['events', 'secrets', 'tombstones', 'accounts'].map((t) => Buffer.from(query(`SELECT ${t}::text FROM ${t}`)))
    : [];
  if (!onSqlite && DIALECT !== 'postgres') console.log(`# database contents not checked for plaintext on ${DIALECT}`);
  else assert.ok(files.length >= 1);
  for (const bytes of files) {
    // every URL, title and referrer of the site carries the mark
    assert.equal(bytes.includes(mark), false, 'plaintext of a page view is in the database file');
    assert.equal(bytes.includes(Buffer.from(mark, 'utf16le')), false);
    assert.equal(bytes.includes('127.0.0.1:' + new URL(site.url).port), false);
  }

  // the visitor's page on Candor's origin, same browser
  const me = await context.newPage();
  await me.goto(`${server.url}/auditorium/`);
  await me.locator('#accounts[aria-busy="false"]').waitFor();
  const rows = me.locator('section.account tbody tr');
  assert.equal(await rows.count(), 3);
  const text = await me.locator('#accounts').innerText();
  assert.match(text, /Test Shop/);
  assert.match(text, /You viewed 3 pages/);
  for (const s of [`${site.url}/landing-${mark}`, `${site.url}/spa-${mark}/route`,
    `${site.url}/second-${mark}?utm_source=${mark}`, `https://referrer-${mark}.example/from/here`]) {
    assert.ok(text.includes(s), `the page lists ${s}`);
  }
  assert.equal(text.includes(`private-${mark}`), false, 'the referrer query string is dropped');
  assert.match(await me.locator('#consent-text').innerText(), /You allow/);
  assert.deepEqual(await axeViolations(me), [], 'axe on the visitor page');
  await me.emulateMedia({ colorScheme: 'dark', reducedMotion: 'reduce' });
  assert.deepEqual(await axeViolations(me), [], 'axe on the visitor page, dark');
  assert.equal(await me.locator('#export').evaluate((b) => getComputedStyle(b).transitionDuration), '0s');

  // export: the decrypted page views under the server's event ids
  const download = me.waitForEvent('download');
  await me.getByRole('button', { name: 'Download my data (JSON)' }).click();
  const doc = JSON.parse(readFileSync(await (await download).path(), 'utf8'));
  const ids = query('SELECT event_id FROM events ORDER BY event_id').split('\n');
  assert.deepEqual(doc.events.map((e) => e.eventId), ids);
  assert.deepEqual(doc.events.map((e) => e.payload.href), [
    `${site.url}/landing-${mark}`, `${site.url}/spa-${mark}/route`,
    `${site.url}/second-${mark}?utm_source=${mark}`]);
  assert.deepEqual(doc.events.map((e) => e.payload.referrer), [
    `https://referrer-${mark}.example/from/here`, `https://referrer-${mark}.example/from/here`,
    `${site.url}/spa-${mark}/route`]);
  assert.deepEqual(doc.events.map((e) => e.payload.pageload === null), [false, true, false]);
  for (const e of doc.events) {
    assert.equal(e.accountId, fx.candor.accountId);
    assert.equal(e.accountName, 'Test Shop');
    assert.deepEqual(Object.keys(e.payload).sort(),
      ['geo', 'href', 'isMobile', 'pageload', 'referrer', 'sessionId', 'timestamp', 'type']);
    assert.equal(e.payload.type, 'PAGEVIEW');
    assert.equal(e.payload.isMobile, false);
    assert.ok(Math.abs(Date.parse(e.payload.timestamp) - Date.parse(e.receivedAt)) < 60000);
    assert.equal(e.payload.sessionId, doc.events[0].payload.sessionId);
  }
  assert.match(doc.events[0].payload.sessionId, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  await me.getByRole('status').filter({ hasText: '3 page views' }).waitFor();

  // delete everything: the rows go, tombstones stay for operators' caches
  const secretId = query('SELECT secret_id FROM secrets');
  await me.getByRole('button', { name: 'Delete all my data' }).click();
  await me.getByRole('dialog', { name: 'Delete all your usage data?' }).waitFor();
  await me.getByRole('button', { name: 'Delete everything' }).click();
  await me.getByRole('status').filter({ hasText: 'All your usage data was deleted.' }).waitFor();
  assert.equal(await rows.count(), 0);
  assert.match(await me.locator('#accounts').innerText(), /Nothing has been collected/);
  assert.equal(count(server, `SELECT count(*) FROM events WHERE secret_id = '${secretId}'`), 0);
  assert.equal(count(server, `SELECT count(*) FROM tombstones WHERE secret_id = '${secretId}' ` +
    `AND event_id IN ('${ids.join("','")}')`), 3);
  // consent is unchanged
  assert.match(await me.locator('#consent-text').innerText(), /You allow/);
  await context.close();
});

test('page views while the banner is open all count; replaceState to the same address does not', T, async () => {
  const context = await fx.browser.newContext({ timezoneId: 'Europe/Berlin' });
  const page = await context.newPage();
  const stored = storedEvents(page);
  const base = `${fx.site.url}/second-${fx.mark}`;
  await page.goto(base);
  const frame = await waitForVaultFrame(page);
  await page.locator(VAULT_IFRAME).waitFor({ state: 'visible' });
  await page.evaluate(() => history.pushState({}, '', '/while-asking'));
  await frame.getByRole('button', { name: 'I allow' }).click();
  await stored.reached(2);
  await page.evaluate(() => history.replaceState({ scroll: 1 }, '', location.href));
  await page.evaluate(() => history.pushState({}, '', '/after-replace'));
  await stored.reached(3);

  const me = await visitorPage(context);
  const pages = await me.locator('section.account tbody tr td:nth-child(2)').allInnerTexts();
  assert.deepEqual(pages, [`${fx.site.url}/after-replace`, `${fx.site.url}/while-asking`, base]);
  const countries = await me.locator('section.account tbody tr td:nth-child(6)').allInnerTexts();
  assert.deepEqual(countries, ['Germany (DE)', 'Germany (DE)', 'Germany (DE)']);
  await context.close();
});

test('the visitor page: opting out deletes and remembers, opting in again works', T, async () => {
  const { context } = await allowed();

  const me = await visitorPage(context);
  assert.equal(await me.locator('section.account tbody tr').count(), 1);
  await me.getByRole('button', { name: 'Opt out and delete my data' }).click();
  await me.getByRole('status').filter({ hasText: 'You have opted out' }).waitFor();
  assert.equal(await me.locator('section.account tbody tr').count(), 0);
  const names = (await context.cookies()).map((c) => `${c.name}=${c.value}`);
  assert.ok(names.includes('consent=deny'));
  assert.equal(names.some((n) => n.startsWith('user=')), false, 'the server forgot the user cookie');
  assert.ok(await me.evaluate(() => document.activeElement.id === 'consent-text'));

  await me.getByRole('button', { name: 'Allow counting my visits' }).click();
  await me.getByRole('status').filter({ hasText: 'You now allow' }).waitFor();
  assert.ok((await context.cookies()).some((c) => c.name === 'consent' && c.value === 'allow'));
  await context.close();
});

test('a lost user cookie: the vault makes a new secret and sends again, once', T, async () => {
  const { context, page, secrets, events } = await allowed();

  await context.clearCookies({ name: 'user' });
  const statuses = [];
  page.on('response', (r) => {
    if (new URL(r.url()).pathname === '/api/events') statuses.push(r.status());
  });
  const posted = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/events' && r.status() === 201);
  await page.evaluate(() => history.pushState({}, '', '/after-cookie-loss'));
  await posted;
  assert.deepEqual(statuses, [400, 201]);
  assert.equal(count(fx.server, 'SELECT count(*) FROM secrets'), secrets + 1);
  assert.equal(count(fx.server, 'SELECT count(*) FROM events'), events + 1);
  await context.close();
});

test('a stored secret that no longer imports is replaced: the next page view counts', T, async () => {
  const { context, page, frame, secrets, events } = await allowed();

  // the vault's stored JWK damaged (its key bytes no longer base64url)
  const damaged = await frame.evaluate((accountId) => new Promise((resolve, reject) => {
    const req = indexedDB.open(accountId);
    req.onerror = () => reject(req.error);
    req.onsuccess = () => {
      const tx = req.result.transaction('keys', 'readwrite');
      let n = 0;
      tx.objectStore('keys').openCursor().onsuccess = (ev) => {
        const cur = ev.target.result;
        if (!cur) return;
        if (cur.value.type === 'USER_SECRET') {
          cur.update({ ...cur.value, value: { ...cur.value.value, k: '*not base64*' } });
          n++;
        }
        cur.continue();
      };
      tx.oncomplete = () => { req.result.close(); resolve(n); };
      tx.onerror = () => reject(tx.error);
    };
  }), fx.candor.accountId);
  assert.equal(damaged, 1);

  // a new page load (the vault's memory is empty): a new secret, the view counts
  const posted = nextEventPost(page);
  await page.reload();
  assert.equal((await posted).status(), 201);
  assert.equal(count(fx.server, 'SELECT count(*) FROM secrets'), secrets + 1);
  assert.equal(count(fx.server, 'SELECT count(*) FROM events'), events + 1);
  await context.close();
});

test('a page view with addresses of 2000 characters, the cap, is stored', T, async () => {
  const context = await fx.browser.newContext();
  const page = await context.newPage();
  const base = `${fx.site.url}/second-${fx.mark}?pad=`;
  const href = base + 'a'.repeat(2000 - base.length);
  const referrer = `https://r.example/${'b'.repeat(2000 - 'https://r.example/'.length)}`;
  assert.equal(href.length, 2000);
  assert.equal(referrer.length, 2000);
  await page.goto(href, { referer: referrer });
  const frame = await waitForVaultFrame(page);
  const posted = nextEventPost(page);
  await frame.getByRole('button', { name: 'I allow' }).click();
  assert.equal((await posted).status(), 201);

  const me = await visitorPage(context);
  const cells = await me.locator('section.account tbody tr td.url').allInnerTexts();
  assert.deepEqual(cells, [href, referrer]);
  await context.close();
});
