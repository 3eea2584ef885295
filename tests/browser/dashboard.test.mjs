// dashboard.test.mjs -- the operator's dashboard, /auditorium/<id>/, on a
// fixed dataset of encrypted page views over four weeks: every number it
// shows (key metrics, tables, chart data table, retention, real time)
// equals what this file computes from the same plaintext with plain code
// (not the dashboard's engine); axe-core finds nothing; the range selector
// and the tables are reached by Tab with a visible focus ring; a filter
// link and a range link change the numbers as they should; the progress
// bar shows while syncing; a second visit decrypts nothing and the cache
// in IndexedDB holds no plaintext; a visitor's purge (tombstones, sent as
// deletedEvents) removes their rows at the next sync; the German page;
// the 15-second background refresh brings a new page view in; a first
// visit draws once its four weeks are decrypted, then decrypts the older
// days, draws again and caches them (an account of its own); a worker
// batch that fails shows as an error, before or after the first draw.
//
// The browser runs in Europe/Berlin, and so does this process, so "a day"
// is the same local day on both sides (the dashboard cuts days locally).
process.env.TZ = 'Europe/Berlin';

const { test, before, after } = await import('node:test');
const assert = (await import('node:assert/strict')).default;
const { OWNER, T, axeViolations, candorWithAccount, launch, loginInPage } = await import('./lib.mjs');
const { exchange, insertEvents, postEvent, ulid } = await import('./dashboard-seed.mjs');

const SITE = 'https://shop.example';
const DAY = 86400000;
let fx;

// Local time `hour:minute` on the day `daysAgo` days before today.
function at(daysAgo, hour, minute = 0) {
  const d = new Date();
  d.setHours(0, 0, 0, 0);
  d.setDate(d.getDate() - daysAgo);
  d.setHours(hour, minute);
  return d.getTime();
}

// A request for GET /api/accounts/<id>/secrets, with any query.
const isSecrets = (url) => /^\/api\/accounts\/[^/]+\/secrets$/.test(url.pathname);

// The smallest ULID of time t.
const ulidFrom = (t) => `${ulid(t).slice(0, 10)}${'0'.repeat(16)}`;

function payload(t, session, path, o = {}) {
  return {
    type: 'PAGEVIEW', href: `${SITE}${path}`, rawHref: o.rawHref ?? null, referrer: o.referrer ?? '',
    pageload: o.load ?? null, isMobile: o.mobile ?? false, timestamp: new Date(t).toJSON(),
    sessionId: session, geo: o.geo ?? null,
  };
}

// The dataset: [visitor index, daysAgo, hour, minute, session, path, options].
const PAST = [
  [0, 20, 10, 0, 's-a', '/', { geo: 'DE' }],
  [0, 5, 9, 0, 's-b', '/', { referrer: 'https://www.google.com/search', geo: 'DE', load: 800 }],
  [0, 5, 9, 3, 's-b', '/pricing', { geo: 'DE' }],
  [0, 5, 9, 7, 's-b', '/signup?x=1', { geo: 'DE' }],
  [0, 5, 9, 9, 's-b', '/pricing', { geo: 'DE' }],
  [1, 4, 23, 55, 's-c', '/blog/post', { rawHref: `${SITE}/blog/post?utm_campaign=launch&utm_source=newsletter`,
    referrer: 'https://news.ycombinator.com/item', geo: 'FR', mobile: true, load: 1200 }],
  [1, 3, 0, 5, 's-c', '/pricing', { geo: 'FR', mobile: true }],
  [2, 3, 14, 0, 's-d', '/', { referrer: 'https://t.co/x', mobile: true, load: 400 }],
  [3, 2, 11, 0, 's-e', '/pricing', { referrer: 'https://other.example/page', geo: 'US' }],
  [3, 2, 11, 1, 's-e', '/', { geo: 'US' }],
  [3, 2, 11, 2, 's-e', '/signup', { geo: 'US' }],
  [3, 1, 8, 0, 's-f', '/blog/post', { geo: 'US', load: 2500 }],
  [4, 12, 16, 0, 's-g', '/', { geo: 'GB' }],
  [4, 12, 16, 5, 's-g', '/pricing', { geo: 'GB' }],
];
// Posted through the API now: [visitor index, session, path, options].
const NOW = [
  [2, 's-h', '/', { mobile: true }],
  [4, 's-i', '/pricing', { geo: 'GB' }],
];

before(async () => {
  fx = await candorWithAccount('Dashboard Shop');
  const { server, accountId } = fx;
  const visitors = [];
  for (let i = 0; i < 5; i++) visitors.push(await exchange(server, accountId));
  fx.events = [];
  const list = PAST.map(([v, d, h, m, s, path, o]) => {
    const t = at(d, h, m);
    const p = payload(t, s, path, o);
    fx.events.push({ user: visitors[v].secretId, t, p });
    return { visitor: visitors[v], t, payload: p };
  });
  await insertEvents(server, accountId, list);
  for (const [v, s, path, o] of NOW) {
    const t = Date.now();
    const p = payload(t, s, path, o);
    await postEvent(server, accountId, visitors[v], p);
    fx.events.push({ user: visitors[v].secretId, t, p });
  }
  fx.visitors = visitors;
  fx.browser = await launch();
});
after(async () => {
  await fx?.browser?.close();
  await fx?.server.stop();
});

// --- the expected numbers, computed plainly ---------------------------------

const strip = (href) => {
  const u = new URL(href);
  return u.origin + (u.pathname.endsWith('/') ? u.pathname : u.pathname + '/');
};
const refOf = (p) => {
  if (!p.referrer) return null;
  const host = new URL(p.referrer).host;
  if (host === new URL(p.href).host) return null;
  if (host === 'www.google.com') return 'Google';
  if (host === 'news.ycombinator.com') return 'Hacker News';
  if (host === 't.co') return 'Twitter';
  return host;
};
const utm = (p, name) => new URL(p.rawHref || p.href).searchParams.get(name);
const count = (n) => String(Math.floor(n));
const pct = (v) => `${(v * 100).toFixed(1)} %`;
const num = (v) => (v == null ? '0.0' : v.toFixed(1));
const dur = (v) => (v == null ? '0ms' : v >= 1000 ? `${(v / 1000).toFixed(2)}s` : `${Math.round(v)}ms`);

function sessionsOf(evs) {
  const s = new Map();
  for (const e of [...evs].sort((a, b) => a.t - b.t)) {
    if (!s.has(e.p.sessionId)) s.set(e.p.sessionId, []);
    s.get(e.p.sessionId).push(e);
  }
  return s;
}

function tally(keys) {
  const m = new Map();
  for (const k of keys) m.set(k, (m.get(k) || 0) + 1);
  return [...m].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([k, n]) => [k, count(n)]);
}

// Session tables: [key, sessions, depth], sessions then depth descending;
// the datasets below have no remaining ties.
function sessionTable(sessions, keyOf) {
  const g = new Map();
  for (const evs of sessions.values()) {
    const k = keyOf(evs);
    if (k === undefined) continue;
    const x = g.get(k) || { s: 0, n: 0 };
    x.s++;
    x.n += evs.length;
    g.set(k, x);
  }
  return [...g].sort((a, b) => b[1].s - a[1].s || b[1].n / b[1].s - a[1].n / a[1].s)
    .map(([k, x]) => [k, count(x.s), (x.n / x.s).toFixed(1)]);
}

function expected(lo, all = fx.events) {
  const E = all.filter((e) => e.t >= lo);
  const users = new Set(E.map((e) => e.user));
  const S = sessionsOf(E);
  const first = Math.min(...E.map((e) => e.t));
  const old = new Set(all.filter((e) => e.t < first).map((e) => e.user));
  const loads = E.map((e) => e.p.pageload).filter((x) => x > 0);
  const bounces = [...S.values()].filter((x) => x.length === 1).length;
  const countries = (code) => new Intl.DisplayNames(['en'], { type: 'region' }).of(code);
  return {
    metrics: {
      uniqueUsers: count(users.size),
      uniqueSessions: count(S.size),
      totalPageviews: count(E.length),
      avgPageDepth: num(E.length / S.size),
      bounceRate: pct(bounces / S.size),
      returningUsers: pct(1 - [...users].filter((u) => !old.has(u)).length / users.size),
      mobileShare: pct(E.filter((e) => e.p.isMobile).length / E.length),
      avgPageload: dur(loads.reduce((a, b) => a + b, 0) / loads.length),
    },
    pages: tally(E.map((e) => strip(e.p.href))),
    landingPages: tally([...S.values()].map((x) => strip(x[0].p.href))),
    exitPages: tally([...S.values()].filter((x) => x.length > 1).map((x) => strip(x.at(-1).p.href))),
    referrers: sessionTable(S, (x) => refOf(x[0].p) ?? 'None'),
    campaigns: sessionTable(S, (x) => x.map((e) => utm(e.p, 'utm_campaign')).find(Boolean)),
    sources: sessionTable(S, (x) => x.map((e) => utm(e.p, 'utm_source')).find(Boolean)),
    geo: sessionTable(S, (x) => {
      const g = x.find((e) => e.p.geo);
      return g ? countries(g.p.geo) : 'None';
    }),
  };
}

// --- reading the page ----------------------------------------------------------

function login(page) {
  return loginInPage(page, fx.server);
}

// A fresh browser context in Berlin, its page logged in as the owner.
async function loggedIn(locale = 'en-US') {
  const context = await fx.browser.newContext({ timezoneId: 'Europe/Berlin', locale });
  const page = await context.newPage();
  await login(page);
  return { context, page };
}

async function shown(page) {
  return page.evaluate(() => {
    const metrics = {};
    for (const dd of document.querySelectorAll('[data-metric]')) metrics[dd.dataset.metric] = dd.textContent;
    const tables = {};
    for (const sec of document.querySelectorAll('[data-table]')) {
      tables[sec.dataset.table] = [...sec.querySelectorAll('tbody tr')]
        .map((tr) => [...tr.children].map((c) => c.textContent))
        .filter((r) => r.length > 1);
    }
    return { metrics, tables };
  });
}

async function open(page, query = '') {
  await page.goto(`${fx.server.url}/auditorium/${fx.accountId}/${query}`);
  await page.waitForSelector('[data-dashboard="ready"]', { timeout: 60000 });
}

function checkAll(got, want) {
  const { liveUsers, ...metrics } = got.metrics;
  assert.deepEqual(metrics, want.metrics);
  for (const k of ['pages', 'landingPages', 'exitPages', 'referrers', 'campaigns', 'sources', 'geo']) {
    assert.deepEqual(got.tables[k], want[k], `table ${k}`);
  }
  return liveUsers;
}

test('every number of the last 7 days equals the plaintext\'s', T, async () => {
  const context = await fx.browser.newContext({ timezoneId: 'Europe/Berlin', locale: 'en-US' });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await login(page);
  await open(page);
  const got = await shown(page);
  const lo = at(6, 0);
  const live = checkAll(got, expected(lo));
  assert.equal(live, '2'); // the two page views posted just now
  assert.deepEqual(got.tables.livePages, [[`${SITE}/`, '1'], [`${SITE}/pricing/`, '1']]);

  // the chart's table: one row per day, oldest first
  const series = got.tables.series.map((r) => [r[1], r[2]]);
  const want = [];
  for (let d = 6; d >= 0; d--) {
    const evs = fx.events.filter((e) => e.t >= at(d, 0) && e.t < at(d - 1, 0));
    want.push([count(evs.length), count(new Set(evs.map((e) => e.user)).size)]);
  }
  assert.deepEqual(series, want);

  // weekly retention: visitors per 7-day window back from now, oldest first
  const now = Date.now();
  const weeks = [3, 2, 1, 0].map((k) => new Set(fx.events
    .filter((e) => e.t >= now - 7 * (k + 1) * DAY && e.t <= now - 7 * k * DAY).map((e) => e.user)));
  const matrix = weeks.map((r, i) => [r.size ? 1 : 0,
    ...weeks.slice(i + 1).map((w) => (r.size ? [...r].filter((u) => w.has(u)).length / r.size : 0))]);
  const cells = await page.$$eval('.retention tbody tr', (trs) => trs.map((tr) =>
    [...tr.querySelectorAll('td')].map((td) => td.textContent).filter(Boolean)));
  assert.deepEqual(cells, matrix.map((row) => row.map(pct)));

  assert.deepEqual(await axeViolations(page), []);
  assert.deepEqual(errors, []);
  await context.close();
});

test('a filter link and the 28-day range change the numbers as they should', T, async () => {
  const { context, page } = await loggedIn();
  await open(page);
  // filter by the country US: only s-e and s-f (visitor 3)
  await page.locator('[data-table="geo"] a', { hasText: 'United States' }).click();
  await page.waitForURL(/filter=geo%3AUS/);
  await page.waitForSelector('[data-dashboard="ready"]');
  const us = fx.events.filter((e) => ['s-e', 's-f'].includes(e.p.sessionId));
  const got = await shown(page);
  const want = expected(at(6, 0), fx.events);
  const wantUs = expected(at(6, 0), us);
  // returning visitors looks at every stored event, unfiltered
  const first = Math.min(...us.map((e) => e.t));
  const old = new Set(fx.events.filter((e) => e.t < first).map((e) => e.user));
  wantUs.metrics.returningUsers = pct(old.has(us[0].user) ? 1 : 0);
  assert.notDeepEqual(wantUs.metrics, want.metrics);
  checkAll(got, wantUs);
  assert.match(await page.textContent('.filter-line'), /Filtered by country: United States/);

  // remove the filter, then the last 28 days
  await page.click('.filter-line a');
  await page.waitForURL((u) => !u.search.includes('filter'));
  await page.click('.range a:text("Last 28 days")');
  await page.waitForURL(/range=28/);
  await page.waitForSelector('[data-dashboard="ready"]');
  checkAll(await shown(page), expected(at(27, 0)));
  assert.equal(await page.getAttribute('.range a:text("Last 28 days")', 'aria-current'), 'true');
  assert.deepEqual(await axeViolations(page), []);
  await context.close();
});

test('keyboard: the range selector and the tables are reached by Tab, focus visible', T, async () => {
  const { context, page } = await loggedIn();
  await open(page);
  const reached = new Set();
  for (let i = 0; i < 120 && reached.size < 3; i++) {
    await page.keyboard.press('Tab');
    const where = await page.evaluate(() => {
      const el = document.activeElement;
      const style = getComputedStyle(el);
      const visible = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
      if (el.closest('.range') && el.tagName === 'A') return ['range', visible];
      if (el.matches('[data-table="pages"] .table-wrap')) return ['pages', visible];
      if (el.closest('[data-table="referrers"]') && el.tagName === 'A') return ['referrers', visible];
      return null;
    });
    if (where) {
      assert.equal(where[1], true, `focus ring on ${where[0]}`);
      reached.add(where[0]);
    }
  }
  assert.deepEqual([...reached].sort(), ['pages', 'range', 'referrers']);
  await context.close();
});

// The dashboard's IndexedDB for accountId as the page sees it: its version
// and stores, how many day and key records it holds, and whether any of
// them is not an encrypted buffer or shows plaintext.
function readCache(page, accountId) {
  return page.evaluate(async (id) => {
    const db = await new Promise((resolve, reject) => {
      const req = indexedDB.open(`candor-dashboard-${id}`);
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
    const all = (name) => new Promise((resolve) => {
      const req = db.transaction(name).objectStore(name).getAll();
      req.onsuccess = () => resolve(req.result);
    });
    const days = await all('days');
    const keys = await all('keys');
    const text = (r) => new TextDecoder().decode(r.data);
    const out = { version: db.version, stores: [...db.objectStoreNames].sort(), days: days.length, keys: keys.length,
      plain: [...days, ...keys].some((r) => !(r.data instanceof ArrayBuffer) || /shop\.example|"kty"/.test(text(r))) };
    db.close();
    return out;
  }, accountId);
}

test('progress while syncing; a second visit decrypts nothing; the cache holds no plaintext', T, async () => {
  const { context, page } = await loggedIn();
  const early = [];
  page.on('request', (req) => { if (new URL(req.url()).pathname.endsWith('/secrets')) early.push(req.url()); });
  // hold the account's answer back a moment: the progress indicator shows
  await page.route('**/api/accounts/**', async (route) => {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    await route.continue();
  });
  await page.goto(`${fx.server.url}/auditorium/${fx.accountId}/`);
  const bar = page.locator('[role="progressbar"]');
  await bar.waitFor();
  assert.equal(await bar.getAttribute('aria-valuenow'), '0');
  assert.match(await page.textContent('#dash-progress-text'), /Fetching the latest data/);
  await page.waitForSelector('[data-dashboard="ready"]', { timeout: 60000 });
  await page.unroute('**/api/accounts/**');
  assert.equal(await page.evaluate(() => window.candorDashboard.decrypted), fx.events.length);
  // a first visit asks for the secrets apart and unwraps them before the
  // events come: those of the visitors seen since the default view's
  // horizon, the local midnight four weeks ago
  assert.deepEqual(early, [`${fx.server.url}/api/accounts/${fx.accountId}/secrets?eventsFrom=${ulidFrom(at(28, 0))}`]);
  assert.equal(await page.evaluate(() => window.candorDashboard.headStart), true);
  // app.js sent them before the dashboard's modules loaded
  assert.equal(await page.evaluate(() => window.candorDashboard.prefetched), true);
  await page.waitForFunction(() => window.candorDashboard.persistedMs);
  // the day rows and the user secrets are at rest encrypted only
  const stored = await readCache(page, fx.accountId);
  assert.ok(stored.days > 5, `${stored.days} days cached`);
  assert.equal(stored.keys, 5); // one per visitor
  assert.equal(stored.plain, false);
  assert.deepEqual(stored.stores, ['days', 'keys', 'meta']); // no copy of the ciphertext
  await page.waitForTimeout(1100); // the operator's sync is limited to one request per second
  await page.reload();
  await page.waitForSelector('[data-dashboard="ready"]');
  assert.equal(await page.evaluate(() => window.candorDashboard.decrypted), 0);
  assert.equal(early.length, 1); // a repeat visit has its keys: no second ask
  checkAll(await shown(page), expected(at(6, 0)));
  await context.close();
});

test('a first visit without the secrets route (a server that lacks it) still shows every number', T, async () => {
  const { context, page } = await loggedIn();
  await page.route(isSecrets, (route) => route.fulfill({
    status: 404, contentType: 'application/json', body: '{"error":"Not found","status":404}',
  }));
  await page.goto(`${fx.server.url}/auditorium/${fx.accountId}/`);
  await page.waitForSelector('[data-dashboard="ready"]', { timeout: 60000 });
  assert.equal(await page.evaluate(() => window.candorDashboard.headStart), false);
  assert.equal(await page.evaluate(() => window.candorDashboard.decrypted), fx.events.length);
  checkAll(await shown(page), expected(at(6, 0)));
  await context.close();
});

test('a secret that changed between the head start and the events is unwrapped again', T, async () => {
  const { context, page } = await loggedIn();
  // the head start gets one visitor's id with another visitor's wrapped
  // secret, as if that visitor had made a new key since
  let swapped = 0;
  await page.route(isSecrets, async (route) => {
    const res = await route.fetch();
    const body = await res.json();
    const ids = Object.keys(body.secrets);
    if (ids.length >= 2) {
      body.secrets[ids[0]] = body.secrets[ids[1]];
      swapped++;
    }
    await route.fulfill({ response: res, json: body });
  });
  await page.goto(`${fx.server.url}/auditorium/${fx.accountId}/`);
  await page.waitForSelector('[data-dashboard="ready"]', { timeout: 60000 });
  assert.equal(swapped, 1);
  assert.equal(await page.evaluate(() => window.candorDashboard.headStart), true);
  checkAll(await shown(page), expected(at(6, 0)));
  await context.close();
});

test('a prefetch under an expired login is dropped: after logging in again the numbers come', T, async () => {
  const { context, page } = await loggedIn();
  // the tab still holds the login, the cookie is gone: app.js prefetches,
  // gets 401s, and the session check sends the operator to the login page
  await context.clearCookies();
  await page.goto(`${fx.server.url}/auditorium/${fx.accountId}/`);
  await page.waitForURL(/\/login\/\?next=/);
  await page.getByLabel('Email address').fill(OWNER.email);
  await page.getByLabel('Password', { exact: true }).fill(OWNER.password);
  await page.waitForTimeout(1100); // the account's throttle, after the prefetch
  // any error the dashboard shows on the way (a later refresh would
  // replace it) is noted
  await page.evaluate(() => {
    window.sawError = false;
    new MutationObserver(() => {
      if (document.querySelector('.dashboard .status.error')) window.sawError = true;
    }).observe(document.body, { childList: true, subtree: true });
  });
  await page.getByRole('button', { name: 'Log in' }).click();
  // back on the dashboard in the same page: its sync asks anew
  await page.waitForSelector('[data-dashboard="ready"]', { timeout: 60000 });
  assert.equal(await page.evaluate(() => window.sawError), false);
  assert.equal(await page.evaluate(() => window.candorDashboard.prefetched), undefined);
  assert.equal(await page.evaluate(() => window.candorDashboard.decrypted), fx.events.length);
  checkAll(await shown(page), expected(at(6, 0)));
  await context.close();
});

test('a version 1 cache loses its raw stores; leaving the view at once still stores the keys', T, async () => {
  const { context, page } = await loggedIn();
  // the database as version 1 left it, with the copy of the ciphertext
  await page.evaluate((id) => new Promise((resolve, reject) => {
    const req = indexedDB.open(`candor-dashboard-${id}`, 1);
    req.onupgradeneeded = () => {
      const db = req.result;
      db.createObjectStore('meta');
      db.createObjectStore('events', { keyPath: 'eventId' }).put({ eventId: 'e1', secretId: 's1', payload: '{1,} x y' });
      db.createObjectStore('secrets', { keyPath: 'secretId' }).put({ secretId: 's1', encryptedSecret: 'x' });
      db.createObjectStore('days', { keyPath: 'day' });
      db.createObjectStore('keys', { keyPath: 'secretId' });
    };
    req.onsuccess = () => { req.result.close(); resolve(); };
    req.onerror = () => reject(req.error);
  }), fx.accountId);
  // once the view is mounted and drawn, follow the 28-day link at once:
  // the view is left before its cache writes (they wait for a paint)
  await page.addInitScript(() => {
    new MutationObserver((_, observer) => {
      const main = document.getElementById('main');
      const ready = document.querySelector('[data-dashboard="ready"]');
      if (!main || !ready || main.getAttribute('aria-busy') !== 'false') return;
      observer.disconnect();
      window.candorLeft = !window.candorDashboard.persistedMs;
      ready.querySelector('.presets a[href*="range=28"]').click();
    }).observe(document, { subtree: true, childList: true, attributes: true });
  });
  await page.goto(`${fx.server.url}/auditorium/${fx.accountId}/`);
  await page.waitForURL(/range=28/);
  await page.waitForFunction(() => window.candorDashboard && window.candorDashboard.persistedMs, null,
    { timeout: 60000 });
  assert.equal(await page.evaluate(() => window.candorLeft), true, 'left before the cache was written');
  const stored = await readCache(page, fx.accountId);
  assert.equal(stored.version, 2);
  assert.deepEqual(stored.stores, ['days', 'keys', 'meta']);
  assert.ok(stored.days > 5, `${stored.days} days cached`);
  assert.equal(stored.keys, 5); // the workers flushed before they ended
  await context.close();
});

test('a visitor who deletes their data disappears at the next sync (deletedEvents)', T, async () => {
  const { context, page } = await loggedIn();
  await open(page, '?range=28&resolution=days');
  checkAll(await shown(page), expected(at(27, 0)));
  // visitor 4 (sessions s-g and s-i) purges: the server writes tombstones
  const gone = fx.visitors[4];
  const res = await fetch(`${fx.server.url}/api/purge`, { method: 'POST', headers: { cookie: `user=${gone.user}` } });
  assert.ok(res.status === 204 || res.status === 200, `purge: ${res.status}`);
  await page.waitForTimeout(1100); // the operator's sync is limited to one request per second
  await page.reload();
  await page.waitForSelector('[data-dashboard="ready"]');
  assert.equal(await page.evaluate(() => window.candorDashboard.decrypted), 0);
  const left = fx.events.filter((e) => e.user !== gone.secretId);
  checkAll(await shown(page), expected(at(27, 0), left));
  fx.events = left;
  await context.close();
});

test('in German: the labels translated, the same numbers, no axe violation', T, async () => {
  const { context, page } = await loggedIn('de-DE');
  await open(page, '?locale=de');
  assert.equal(await page.getAttribute('html', 'lang'), 'de');
  assert.match(await page.textContent('.metrics'), /Eindeutige Besucher/);
  const got = await shown(page);
  assert.equal(got.metrics.totalPageviews, expected(at(6, 0)).metrics.totalPageviews);
  assert.deepEqual(await axeViolations(page), []);
  await context.close();
});

test('the background refresh brings a new page view within 15 s, without a reload', T, async () => {
  const { context, page } = await loggedIn();
  await open(page);
  const before = Number(await page.textContent('[data-metric="totalPageviews"]'));
  await page.bringToFront();
  const t = Date.now();
  const p = payload(t, 's-new', '/refresh', { geo: 'DE' });
  await postEvent(fx.server, fx.accountId, fx.visitors[0], p);
  fx.events.push({ user: fx.visitors[0].secretId, t, p });
  await page.waitForFunction((n) => Number(document.querySelector('[data-metric="totalPageviews"]').textContent) === n,
    before + 1, { timeout: 25000 });
  const live = new Set(fx.events.filter((e) => e.t >= Date.now() - 14 * 60000).map((e) => e.user));
  assert.equal(await page.textContent('[data-metric="liveUsers"]'), String(live.size));
  await context.close();
});

test('a first visit draws once its four weeks are decrypted, then decrypts the older days and keeps them', T, async () => {
  const own = await candorWithAccount('Old Shop');
  const context = await fx.browser.newContext({ timezoneId: 'Europe/Berlin', locale: 'en-US' });
  try {
    const vs = [];
    for (let i = 0; i < 3; i++) vs.push(await exchange(own.server, own.accountId));
    // [visitor, daysAgo, hour, minute, session, path, options]: three
    // events in the view's four weeks, four before them (visitor 0 seen
    // 60 and 100 days ago makes them a returning visitor this week)
    const spec = [
      [0, 2, 10, 0, 's-1', '/', { load: 500 }], [0, 2, 10, 2, 's-1', '/pricing', {}],
      [1, 3, 9, 0, 's-2', '/', { referrer: 'https://www.google.com/search', mobile: true }],
      [2, 40, 12, 0, 's-3', '/', { geo: 'FR' }], [2, 40, 12, 1, 's-3', '/pricing', { geo: 'FR' }],
      [0, 60, 8, 0, 's-4', '/blog/post', {}],
      [0, 100, 8, 0, 's-5', '/', { geo: 'DE' }],
    ];
    const events = spec.map(([v, d, h, m, s, path, o]) => {
      const t = at(d, h, m);
      return { visitor: vs[v], user: vs[v].secretId, t, p: payload(t, s, path, o) };
    });
    await insertEvents(own.server, own.accountId, events.map((e) => ({ visitor: e.visitor, t: e.t, payload: e.p })));
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const heads = [];
    page.on('response', async (res) => {
      if (new URL(res.url()).pathname.endsWith('/secrets')) heads.push(Object.keys((await res.json()).secrets).sort());
    });
    // every text the status line shows
    await page.addInitScript(() => {
      window.notices = [];
      new MutationObserver(() => {
        const el = document.querySelector('p.lead + .status');
        if (el && el.textContent !== window.notices.at(-1)) window.notices.push(el.textContent);
      }).observe(document, { childList: true, subtree: true, characterData: true });
    });
    await loginInPage(page, own.server);
    await page.goto(`${own.server.url}/auditorium/${own.accountId}/`);
    await page.waitForSelector('[data-dashboard="ready"]', { timeout: 60000 });
    // drawn from the four weeks' three events, every number right
    // (returning visitors from the older events' envelopes)
    assert.equal(await page.evaluate(() => window.candorDashboard.decrypted), 3);
    checkAll(await shown(page), expected(at(6, 0), events));
    // the head start brought the secrets of the visitors seen in the four
    // weeks only; visitor 2's came with the events
    assert.equal(await page.evaluate(() => window.candorDashboard.headStart), true);
    assert.deepEqual(heads, [[vs[0].secretId, vs[1].secretId].sort()]);
    // then every event, drawn again, and cached whole
    await page.waitForFunction(() => window.candorDashboard.decryptedAll === 7 && window.candorDashboard.persistedMs);
    checkAll(await shown(page), expected(at(6, 0), events));
    // the status line told of the older events, and is empty again
    const notices = await page.evaluate(() => window.notices);
    assert.ok(notices.includes('Decrypting older events: 4 of 4…'), JSON.stringify(notices));
    assert.equal(notices.at(-1), '');
    const stored = await readCache(page, own.accountId);
    assert.equal(stored.days, 5); // the seven events' five days
    assert.equal(stored.keys, 3);
    // the six months, from memory and after a reload from the cache
    const sixMonths = new Date();
    sixMonths.setMonth(sixMonths.getMonth() - 5, 1);
    sixMonths.setHours(0, 0, 0, 0);
    const want = expected(sixMonths.getTime(), events);
    want.metrics.returningUsers = pct(0); // null for exactly 6 months (§8.4), shown as 0
    await page.click('.range a:text("Last 6 months")');
    await page.waitForURL(/range=6/);
    await page.waitForSelector('[data-dashboard="ready"]');
    checkAll(await shown(page), want);
    await page.waitForTimeout(1100); // one request per second per account
    await page.reload();
    await page.waitForSelector('[data-dashboard="ready"]', { timeout: 60000 });
    assert.equal(await page.evaluate(() => window.candorDashboard.decrypted), 0);
    checkAll(await shown(page), want);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
    await own.server.stop();
  }
});

test('a worker batch that fails is reported: after the first draw on the status line, before it instead of the numbers', T, async () => {
  const own = await candorWithAccount('Failing Shop');
  try {
    const vs = [];
    for (let i = 0; i < 2; i++) vs.push(await exchange(own.server, own.accountId));
    // [visitor, daysAgo, hour, session, path]: two events in the view's
    // four weeks, two before them
    const spec = [[0, 2, 10, 's-1', '/'], [1, 3, 9, 's-2', '/pricing'], [0, 40, 12, 's-3', '/'], [1, 60, 8, 's-4', '/']];
    const events = spec.map(([v, d, hr, s, path]) => {
      const t = at(d, hr);
      return { visitor: vs[v], user: vs[v].secretId, t, p: payload(t, s, path, { load: 500 }) };
    });
    const ids = await insertEvents(own.server, own.accountId, events.map((e) => ({ visitor: e.visitor, t: e.t, payload: e.p })));

    // A first visit in a context of its own whose workers throw on any
    // batch holding one of `failing` (worker.js as served, one line added).
    const visit = async (failing) => {
      const context = await fx.browser.newContext({ timezoneId: 'Europe/Berlin', locale: 'en-US' });
      await context.route('**/app/dashboard/worker.js', async (route) => {
        const res = await route.fetch();
        const src = await res.text();
        const anchor = 'async function batch(msg) {';
        assert.ok(src.includes(anchor), 'worker.js still has batch()');
        const body = src.replace(anchor, `${anchor}\n  if (msg.ids.some((id) => ${JSON.stringify(failing)}.includes(id))) throw new Error('injected failure');`);
        await route.fulfill({ response: res, body });
      });
      const page = await context.newPage();
      const errors = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await loginInPage(page, own.server);
      await page.goto(`${own.server.url}/auditorium/${own.accountId}/`);
      return { context, page, errors };
    };

    // the older days fail: the first draw stands, the status line says why
    let v = await visit([ids[3]]);
    await v.page.waitForSelector('[data-dashboard="ready"]', { timeout: 60000 });
    assert.equal(await v.page.evaluate(() => window.candorDashboard.decrypted), 2);
    checkAll(await shown(v.page), expected(at(6, 0), events));
    await v.page.waitForFunction(() => document.querySelector('p.lead + .status').textContent !== ''
      && !document.querySelector('p.lead + .status').textContent.startsWith('Decrypting'), null, { timeout: 60000 });
    assert.equal(await v.page.textContent('p.lead + .status'), 'The data could not be loaded: injected failure');
    assert.equal(await v.page.evaluate(() => window.candorDashboard.decryptedAll), undefined);
    checkAll(await shown(v.page), expected(at(6, 0), events));
    assert.deepEqual(v.errors, []);
    await v.context.close();

    // a batch before the first draw fails: an alert instead of the numbers
    await new Promise((resolve) => setTimeout(resolve, 1100)); // one view per second per account
    v = await visit([ids[0]]);
    const alert = await v.page.waitForSelector('.dashboard [role="alert"]', { timeout: 60000 });
    assert.equal(await alert.textContent(), 'The data could not be loaded: injected failure');
    assert.equal(await v.page.$('[data-metric]'), null);
    assert.deepEqual(v.errors, []);
    await v.context.close();
  } finally {
    await own.server.stop();
  }
});
