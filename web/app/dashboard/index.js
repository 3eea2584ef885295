// index.js -- /auditorium/<accountId>/: the operator's dashboard.
//
// mount(root, ctx) syncs the account (sync.js: IndexedDB, workers),
// computes every metric for the query in the URL (metrics/aggregate.js)
// and draws offen-client.md §10.5's layout: account chooser, real time,
// range selector, filter, key metrics, chart with its data table, the
// tables, weekly retention, and a link to the console for management.
//
// The synced day partials stay in memory for this page's life, so a
// change of range or filter (a navigation: the view is mounted again)
// draws at once and syncs in the background. While the window has focus
// a background sync runs every 15 s (Offen); a failed one shows a soft
// notice and keeps the data shown.
//
// A first visit draws as soon as the days its query reads are decrypted
// (sync.js, horizon) and again once every event is, with a notice of the
// progress between; the day partials are kept (and cached) only whole.
//
// When drawn, root's first <div> carries data-dashboard="ready" and
// window.candorDashboard holds timings (bench/dashboard.mjs reads them;
// completeMs and decryptedAll once every event is decrypted).

import { language, t } from '/common/i18n.js';
import { keyFor } from '../session.js';
import { query } from './metrics/aggregate.js';
import { engineQuery, horizonFor } from './query.js';
import { DecryptPool, sync } from './sync.js';
import { take } from './prefetch.js';
import { chartPanel } from './chart.js';
import { h, withQuery } from './dom.js';
import { accountsPanel, filterLine, metricsPanel, progress, rangePanel } from './panels.js';
import { realtimePanel, retentionPanel, tablesPanel } from './tables.js';

const REFRESH_MS = 15000;
const memo = new Map(); // accountId -> { account, days }, every event decrypted
const finishing = new Map(); // accountId -> promise: a first visit's older days being decrypted

function ensureStyles() {
  if (document.querySelector('link[data-dashboard-css]')) return;
  document.head.append(
    h('link', { rel: 'stylesheet', href: '/vendor/uplot/uPlot.min.css' }),
    h('link', { rel: 'stylesheet', href: '/app/dashboard/dashboard.css', 'data-dashboard-css': '' }));
}

export async function mount(root, ctx) {
  ensureStyles();
  const { accountId } = ctx.params;
  const kek = keyFor(ctx.session, accountId);
  const account = ctx.session.accounts.find((a) => a.accountId === accountId);
  const heading = h('h1', { tabindex: '-1', text: t('dashboard.title') });
  if (!kek) {
    root.replaceChildren(heading, h('p', { role: 'alert', text: t('dashboard.noAccess') }),
      h('p', {}, h('a', { href: '/console/', text: t('dashboard.console') })));
    return null;
  }
  const notice = h('div', { class: 'status', role: 'status' });
  const body = h('div', { class: 'dashboard', 'data-dashboard': 'loading' });
  root.replaceChildren(heading,
    h('p', { class: 'lead' }, t('dashboard.viewingAs'), ' ', h('strong', { text: account.accountName })),
    notice, body);

  const pool = new DecryptPool();
  const started = performance.now();
  let alive = true;
  let busy = false;
  let persisting = Promise.resolve();
  let chart = null;

  const draw = (data) => {
    const t0 = performance.now();
    let m;
    try {
      m = query(data.days, engineQuery(ctx.query));
    } catch (e) {
      notice.textContent = t('dashboard.badQuery', { message: e.message });
      m = query(data.days, {});
    }
    const focused = body.contains(document.activeElement) ? describe(document.activeElement) : null;
    if (chart) chart.destroy();
    chart = chartPanel(m);
    body.replaceChildren(...[
      accountsPanel(ctx.session, accountId),
      realtimePanel(m),
      rangePanel(ctx.query, data.account.retentionPeriod, (from, to) => ctx.navigate(withQuery({ range: null, resolution: null, from, to })), m.now),
      filterLine(m.filter),
      metricsPanel(m),
      chart.el,
      tablesPanel(m),
      retentionPanel(m)].filter(Boolean));
    chart.draw().catch(() => { /* the data table still shows the numbers */ });
    if (focused) restoreFocus(body, focused);
    body.dataset.dashboard = 'ready';
    window.candorDashboard = { ...(window.candorDashboard || {}), drawnMs: performance.now() - started,
      queryMs: performance.now() - t0, days: data.days.length };
  };

  // The days before this horizon may come after the first draw (a first
  // visit draws once the query's own days are decrypted; sync.js).
  const horizon = horizonFor(ctx.query);

  // A first visit's older days: drawn again from every event once they
  // are decrypted (the status line counts them meanwhile).
  const finish = (res, t0) => {
    const done = res.rest.then((all) => {
      const whole = { ...res, days: all.days, fresh: all.fresh, rest: null };
      memo.set(accountId, { ...whole, at: Date.now() });
      window.candorDashboard = { ...window.candorDashboard, completeMs: performance.now() - t0,
        decryptedAll: all.fresh };
      if (!alive) return;
      notice.textContent = '';
      draw(whole);
    }, (err) => {
      if (alive) notice.textContent = t('dashboard.error', { message: err.message });
    }).finally(() => finishing.delete(accountId));
    finishing.set(accountId, done);
  };

  const load = async (foreground) => {
    if (busy) return;
    busy = true;
    const bar = foreground ? progress() : null;
    if (bar) body.replaceChildren(bar.el);
    try {
      await persisting;
      const t0 = performance.now();
      const onProgress = (p) => {
        if (p.phase !== 'older') {
          if (bar) bar.set(p);
        } else if (alive) {
          const locale = language();
          notice.textContent = t('dashboard.progress.older',
            { done: p.done.toLocaleString(locale), total: p.total.toLocaleString(locale) });
        }
      };
      const res = await sync(accountId, kek, { pool, onProgress, prefetched: take(accountId), horizon });
      const had = memo.get(accountId);
      if (!res.rest) memo.set(accountId, { ...res, at: Date.now() });
      window.candorDashboard = { syncMs: performance.now() - t0, decrypted: res.fresh, mountAt: started,
        ...res.timing };
      if (!res.rest) {
        Object.assign(window.candorDashboard, { completeMs: window.candorDashboard.syncMs, decryptedAll: res.fresh });
      }
      if (alive && (foreground || res.fresh || !had || had.days.length !== res.days.length || changed(had, res))) draw(res);
      if (res.rest) finish(res, t0);
      else if (!foreground) notice.textContent = '';
      // the cache writes wait until the page is drawn and painted; the
      // next sync waits for them
      persisting = afterPaint().then(() => res.persist()).then(() => {
        if (window.candorDashboard) window.candorDashboard.persistedMs = performance.now() - started;
      }).catch(() => { /* the cache is an optimisation */ });
    } catch (err) {
      if (!alive) return;
      if (foreground) {
        body.replaceChildren(h('p', { role: 'alert', class: 'status error',
          text: t(err.status === 403 ? 'dashboard.noAccess' : 'dashboard.error', { message: err.message }) }));
      } else {
        notice.textContent = t('dashboard.refreshFailed');
      }
    } finally {
      busy = false;
    }
  };

  if (!memo.has(accountId) && finishing.has(accountId)) {
    // another view of this page is still decrypting the older days
    body.replaceChildren(progress().el);
    await finishing.get(accountId);
  }
  const have = memo.get(accountId);
  if (have) {
    draw(have);
    if (Date.now() - have.at > REFRESH_MS) load(false);
  } else {
    await load(true);
  }
  const timer = setInterval(() => {
    if (alive && document.hasFocus() && !document.hidden) load(false);
  }, REFRESH_MS);

  return () => {
    alive = false;
    clearInterval(timer);
    if (chart) chart.destroy();
    // the workers hold the unwrapped keys until persist() has flushed them
    persisting.finally(() => pool.terminate());
  };
}

// After the next paint (or 100 ms, where a hidden tab paints nothing).
function afterPaint() {
  return new Promise((resolve) => {
    requestAnimationFrame(() => setTimeout(resolve, 0));
    setTimeout(resolve, 100);
  });
}

// Did a background sync change the rows (deletions keep the day count)?
function changed(a, b) {
  const n = (x) => x.days.reduce((s, d) => s + d.rows.length, 0);
  return n(a) !== n(b);
}

function describe(el) {
  return { tag: el.tagName, id: el.id, href: el.getAttribute('href'), text: el.textContent };
}

function restoreFocus(root, f) {
  const found = (f.id && root.querySelector(`#${CSS.escape(f.id)}`)) ||
    [...root.querySelectorAll(f.tag)].find((el) => el.getAttribute('href') === f.href && el.textContent === f.text);
  if (found) found.focus();
}

