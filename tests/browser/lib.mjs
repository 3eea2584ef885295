// lib.mjs -- what the browser tests share: the real candor binary (through
// the API tests' harness), Debian's Chromium driven by playwright-core, a
// tiny host site on another loopback port, and axe-core.
//
// The host site and Candor are both on 127.0.0.1, different ports: cross
// origin but same site, as with www.example.com and candor.example.com,
// so the vault's SameSite=Lax cookies work over plain http.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync, existsSync } from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { startServer, sqlite } from '../api/harness.mjs';

export { startServer, sqlite };

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export const CHROMIUM = process.env.CANDOR_CHROMIUM || '/usr/bin/chromium';

export function launch() {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--no-first-run'],
  });
}

// The operator candorWithAccount() sets up.
export const OWNER = Object.freeze({ email: 'owner@example.com', password: 'correct horse battery' });

// A Candor server with one account: { server, accountId, accountName }.
export async function candorWithAccount(accountName = 'Test Shop') {
  const server = await startServer();
  const body = { accountName, emailAddress: OWNER.email, password: OWNER.password };
  let res = await fetch(`${server.url}/api/setup`, { method: 'POST', body: JSON.stringify(body) });
  assert.equal(res.status, 204, `setup: ${await res.text()}`);
  res = await fetch(`${server.url}/api/login`, {
    method: 'POST', body: JSON.stringify({ username: body.emailAddress, password: body.password }),
  });
  assert.equal(res.status, 200, 'login');
  const login = await res.json();
  const auth = (res.headers.get('set-cookie') || '').split(';')[0];
  return { server, accountId: login.accounts[0].accountId, accountName, auth };
}

// Log in as the app does, from a page of server's origin (robots.txt
// unless the page is on that origin already): POST /api/login, and the
// answer in sessionStorage 'candor.session', where the app reads it.
export async function loginInPage(page, server, { email, password } = OWNER) {
  if (!page.url().startsWith(`${server.url}/`)) await page.goto(`${server.url}/robots.txt`);
  const status = await page.evaluate(async (creds) => {
    const res = await fetch('/api/login', {
      method: 'POST', credentials: 'same-origin',
      body: JSON.stringify({ username: creds.email, password: creds.password }),
    });
    if (res.ok) sessionStorage.setItem('candor.session', JSON.stringify(await res.json()));
    return res.status;
  }, { email, password });
  assert.equal(status, 200, 'login from the page');
}

export function dbPath(server) {
  return join(server.dataDir, 'candor.db');
}

// The raw bytes of the database and its write-ahead log.
export function databaseBytes(server) {
  const base = dbPath(server);
  return ['', '-wal', '-journal'].map((s) => base + s).filter(existsSync)
    .map((f) => readFileSync(f));
}

export function count(server, sql) {
  return Number(sqlite(dbPath(server), sql));
}

// The host site: every GET answers an HTML page made by pageFor(path,
// url) -> {html, headers?}; one that returns null is a 404.
export async function startSite(pageFor) {
  const srv = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://127.0.0.1');
    const page = pageFor(url.pathname, url);
    if (!page) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', ...page.headers });
    res.end(page.html);
  });
  await new Promise((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const { port } = srv.address();
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => { srv.closeAllConnections(); srv.close(resolve); }),
  };
}

// A host page embedding the script.
export function hostPage({ candor, accountId, title, body = '', useApi = false, head = '' }) {
  const api = useApi ? ' data-use-api' : '';
  const asyncAttr = useApi ? '' : ' async';
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title>${head}
<script${asyncAttr} src="${candor}/script.js" data-account-id="${accountId}"${api}></script>
</head><body><main><h1>${title}</h1>${body}</main></body></html>`;
}

// Every request the browser context makes: [{method, url}].
export function recordRequests(context) {
  const seen = [];
  context.on('request', (r) => seen.push({ method: r.method(), url: r.url() }));
  return seen;
}

export function apiCalls(seen, path) {
  return seen.filter((r) => new URL(r.url).pathname === path);
}

export async function waitForVaultFrame(page) {
  await page.waitForSelector('iframe[id^="offen-vault-"]', { state: 'attached' });
  const handle = await page.$('iframe[id^="offen-vault-"]');
  const frame = await handle.contentFrame();
  await frame.waitForLoadState('load');
  return frame;
}

// Run axe-core in a page or frame; resolves with its violations, reduced
// to what a failing assertion should print.
export async function axeViolations(target) {
  await target.evaluate(AXE_SOURCE);
  const violations = await target.evaluate(async () => {
    const r = await window.axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({
      id: v.id, impact: v.impact, help: v.help,
      nodes: v.nodes.map((n) => ({ target: n.target, summary: n.failureSummary })),
    }));
  });
  return violations;
}

// Everything a test file needs: Candor with an account, the host site
// with its pages, and a browser. Every URL and title of the site carries
// `mark`, a random string, so the database can be searched for it.
//   /landing-<mark>  links to /second-<mark>?utm_source=<mark>
//   /second-<mark>   a plain page
//   /strict          a page whose CSP forbids inline styles
//   /api-mode        the script with data-use-api
export async function startFixture() {
  const mark = randomBytes(6).toString('hex');
  const candor = await candorWithAccount();
  const embed = { candor: candor.server.url, accountId: candor.accountId };
  const site = await startSite((path) => {
    if (path === `/landing-${mark}`) {
      return { html: hostPage({ ...embed, title: `Landing title ${mark}`,
        body: `<p><a id="next" href="/second-${mark}?utm_source=${mark}">Next page</a></p>` }) };
    }
    if (path === `/second-${mark}`) {
      return { html: hostPage({ ...embed, title: `Second title ${mark}`, body: '<p>Second page.</p>' }) };
    }
    if (path === '/strict') {
      return { html: hostPage({ ...embed, title: 'Strict', body: '<p><button id="b">Host button</button></p>' }),
        headers: { 'content-security-policy': `default-src 'self'; script-src 'self' ${candor.server.url}; ` +
          `frame-src ${candor.server.url}; style-src 'self'` } };
    }
    if (path === '/api-mode') return { html: hostPage({ ...embed, title: 'API mode', useApi: true }) };
    return null;
  });
  const browser = await launch();
  return {
    mark, candor, site, browser, server: candor.server,
    async close() {
      await browser.close();
      await site.close();
      await candor.server.stop();
    },
  };
}

// Each test's limit: a condition that never comes fails the test.
export const T = { timeout: 120000 };

export const VAULT_IFRAME = 'iframe[id^="offen-vault-"]';

// Counts the page's POST /api/events answers with status 201;
// reached(n) resolves once there were n.
export function storedEvents(page) {
  const waiters = [];
  const seen = { count: 0 };
  page.on('response', (r) => {
    if (new URL(r.url()).pathname !== '/api/events' || r.request().method() !== 'POST') return;
    if (r.status() !== 201) return;
    seen.count++;
    for (const w of waiters.splice(0)) {
      if (seen.count >= w.n) w.resolve();
      else waiters.push(w);
    }
  });
  seen.reached = (n, ms = 30000) => (seen.count >= n ? Promise.resolve()
    : new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(
        `${seen.count} page views stored within ${ms} ms, expected ${n}`)), ms);
      waiters.push({ n, resolve: () => { clearTimeout(timer); resolve(); } });
    }));
  return seen;
}

// POST /api/events responses, as a promise for the next one.
export function nextEventPost(page) {
  return page.waitForResponse((r) => new URL(r.url()).pathname === '/api/events' &&
    r.request().method() === 'POST');
}
