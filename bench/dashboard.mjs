// dashboard.mjs -- login to rendered dashboard in headless Chromium, for
// 10,000 and 100,000 encrypted events, first visit and repeat visit.
//
//   node bench/dashboard.mjs [counts...]      (default: 10000 100000)
//   CANDOR_BIN=build/release/candor node bench/dashboard.mjs 100000
//   HEADSTART=0 node bench/dashboard.mjs 100000   (without the secrets'
//   head start, for comparison)
//   RUNS=3 node bench/dashboard.mjs 100000        (three measurements of
//   the same data, each in a fresh browser context, one row each)
//   VISITORS=2000 SPAN=30 node bench/dashboard.mjs 100000   (2,000
//   visitors, each seen within 30 days of their own: most of them only
//   before the last four weeks)
//
// Per count: a fresh server and account; VISITORS visitors do the real key
// exchange through the API; the events (sessions of 1 to 6 page views,
// spread over the last 180 days) are encrypted as the vault encrypts them
// and written into the events table (tests/browser/dashboard-seed.mjs).
// Then, in a fresh browser context:
//   first   POST /api/login from the page, then /auditorium/<id>/ until
//           the dashboard is drawn (fetch, decrypt in workers the events
//           of the days the view reads, aggregate, draw): the
//           login-to-rendered time; then until every event is decrypted
//           (the older days, after the first draw)
//   repeat  the same page loaded again: the day partials come from
//           IndexedDB, nothing is decrypted
// Prints one Markdown table row per count (docs/benchmarks.md). A
// benchmark, not a test: nothing is asserted about time.
import { performance } from 'node:perf_hooks';
import { candorWithAccount, launch, loginInPage } from '../tests/browser/lib.mjs';
import { exchange, insertEvents } from '../tests/browser/dashboard-seed.mjs';

const VISITORS = Number(process.env.VISITORS || 300);
const RUNS = Math.max(1, Number(process.env.RUNS || 1)); // first and repeat visits per count, each in a fresh context
const DAYS = 180;
// SPAN=30: each visitor comes only within 30 days of their own, somewhere
// in the 180 (visitors who stop coming); default: any day of the 180
const SPAN = Math.min(DAYS, Math.max(1, Number(process.env.SPAN || DAYS)));
const PAGES = ['/', '/pricing', '/blog/a', '/blog/b', '/docs/start', '/docs/api', '/signup', '/about'];
const REFERRERS = ['', '', 'https://www.google.com/search', 'https://news.ycombinator.com/item', 'https://t.co/x',
  'https://blog.example/post'];
const GEO = ['DE', 'FR', 'US', 'GB', null];

function rng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function dataset(n, visitors) {
  const rand = rng(42);
  const pick = (a) => a[Math.floor(rand() * a.length)];
  const now = Date.now();
  // how many days before now each visitor's SPAN days end (0 and no
  // draw by default, so the default dataset stays the one measured before)
  const back = new Map(visitors.map((v) => [v, SPAN < DAYS ? Math.floor(rand() * (DAYS - SPAN + 1)) : 0]));
  const list = [];
  while (list.length < n) {
    const visitor = pick(visitors);
    const start = now - Math.floor((back.get(visitor) + rand() * SPAN) * 86400000) - 3600000;
    const session = `s-${list.length}`;
    const referrer = pick(REFERRERS);
    const geo = pick(GEO);
    const mobile = rand() < 0.4;
    const depth = 1 + Math.floor(rand() * 6);
    for (let k = 0; k < depth && list.length < n; k++) {
      const t = start + k * 45000;
      const campaign = k === 0 && rand() < 0.1 ? '?utm_campaign=spring&utm_source=mail' : '';
      list.push({
        visitor, t, payload: {
          type: 'PAGEVIEW', href: `https://shop.example${pick(PAGES)}`,
          rawHref: campaign ? `https://shop.example/${campaign}` : null,
          referrer: k === 0 ? referrer : '', pageload: k === 0 ? 200 + Math.floor(rand() * 2000) : null,
          isMobile: mobile, timestamp: new Date(t).toJSON(), sessionId: session, geo,
        },
      });
    }
  }
  return list;
}

async function measure(browser, server, accountId) {
  const { url } = server;
  const context = await browser.newContext();
  const page = await context.newPage();
  // HEADSTART=0: as a server without /api/accounts/<id>/secrets, for
  // comparison (the dashboard then unwraps the secrets after the events)
  if (process.env.HEADSTART === '0') {
    await page.route((url) => /^\/api\/accounts\/[^/]+\/secrets$/.test(url.pathname), (route) => route.fulfill({ status: 404, body: '{}' }));
  }
  await page.goto(`${url}/robots.txt`);
  const ready = async () => {
    await page.waitForSelector('[data-dashboard="ready"]', { timeout: 600000 });
    return page.evaluate(() => window.candorDashboard);
  };
  let t0 = performance.now();
  await loginInPage(page, server); // on robots.txt already: the login request only
  const loginMs = performance.now() - t0;
  await page.goto(`${url}/auditorium/${accountId}/`);
  const first = await ready();
  const firstMs = performance.now() - t0;
  first.loginMs = loginMs;
  first.mountAtMs = await page.evaluate(() => performance.now()) - first.drawnMs;
  // a first visit draws once its view's days are decrypted; the older
  // days follow
  await page.waitForFunction(() => window.candorDashboard && window.candorDashboard.decryptedAll != null, null,
    { timeout: 600000 });
  const allMs = performance.now() - t0;
  // the IndexedDB writes finish after drawing; then 1 request/s per account
  await page.waitForFunction(() => window.candorDashboard && window.candorDashboard.persistedMs, null,
    { timeout: 600000 });
  first.persistedMs = await page.evaluate(() => window.candorDashboard.persistedMs);
  await page.waitForTimeout(1100);
  t0 = performance.now();
  await page.reload();
  const repeat = await ready();
  const repeatMs = performance.now() - t0;
  await context.close();
  return { firstMs, allMs, repeatMs, first, repeat };
}

async function run(n) {
  const fx = await candorWithAccount('Bench Shop');
  try {
    let t0 = performance.now();
    const visitors = [];
    for (let i = 0; i < VISITORS; i++) visitors.push(await exchange(fx.server, fx.accountId));
    const list = dataset(n, visitors);
    await insertEvents(fx.server, fx.accountId, list);
    const seedS = (performance.now() - t0) / 1000;
    const browser = await launch();
    try {
      for (let run = 0; run < RUNS; run++) {
        await new Promise((resolve) => setTimeout(resolve, 1100)); // the account's throttle
        const r = await measure(browser, fx.server, fx.accountId);
        const f = (ms) => `${(ms / 1000).toFixed(2)} s`;
        if (process.env.VERBOSE) console.error(JSON.stringify(r));
        console.log(`| ${n.toLocaleString('en')} | ${VISITORS} | ${f(r.firstMs)} | ${f(r.first.loginMs)} | ` +
          `${f(r.first.fetchMs)} | ${f(r.first.decryptMs)} | ${r.first.queryMs.toFixed(0)} ms | ` +
          `${r.first.decrypted.toLocaleString('en')} | ${f(r.allMs)} | ` +
          `${f(r.repeatMs)} | ${r.repeat.decrypted} | ${seedS.toFixed(0)} s |`);
      }
    } finally {
      await browser.close();
    }
  } finally {
    await fx.server.stop();
  }
}

const counts = process.argv.slice(2).map(Number).filter((x) => x > 0);
console.log('| events | visitors | first visit: login to drawn | of it: login | fetch | decrypt | metrics | ' +
  'decrypted before drawn | login to all decrypted | repeat visit: reload to drawn | decrypted on repeat | seeding |');
console.log('|---|---|---|---|---|---|---|---|---|---|---|---|');
for (const n of counts.length ? counts : [10000, 100000]) await run(n);
