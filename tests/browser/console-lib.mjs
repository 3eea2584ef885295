// console-lib.mjs -- what the operator-page tests share: a Candor server
// with a real SMTP sink (tests/mail/smtp_sink.py, Debian's
// python3-aiosmtpd) on loopback, reading the mails it caught, and small
// page helpers (fill a labelled field, wait for the flash, check axe).
import assert from 'node:assert/strict';
import { linkIn, readMails, startSink } from '../mail/sink.mjs';
import { axeViolations, launch, startServer } from './lib.mjs';

export { launch, linkIn, readMails, startSink };

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// The newest mail to `to` that arrived after `before` mails, waited for.
export async function mailTo(sink, to, before, ms = 15000) {
  for (let waited = 0; waited < ms; waited += 100) {
    const found = readMails(sink.maildir).slice(before).filter((m) => m.rcpt.includes(to));
    if (found.length) return found[found.length - 1];
    await sleep(100);
  }
  throw new Error(`no mail to ${to} within ${ms} ms`);
}

// Candor on loopback, sending its mail to a fresh sink.
export async function startCandorWithMail() {
  const sink = await startSink();
  const server = await startServer({ env: {
    CANDOR_SMTP_HOST: '127.0.0.1',
    CANDOR_SMTP_PORT: String(sink.port),
    CANDOR_SMTP_AUTHTYPE: 'NOAUTH',
  } });
  return {
    server, sink,
    async stop() {
      try {
        await server.stop();
      } finally {
        sink.stop();
      }
    },
  };
}

// The text of the flash area once a new message is shown: the status
// region, or with { error: true } the alert region. A message in the other
// region fails the test with its text. Each message read is marked, so a
// later call waits for the next one rather than reading a message that its
// action is about to clear (flash() makes a new element for every message).
export async function flashText(page, { error = false } = {}) {
  // Creating an account makes an RSA-4096 key: slow under the sanitizers.
  const handle = await page.waitForFunction(() => {
    const p = document.querySelector('#flash p:not([data-read]), #alert p:not([data-read])');
    if (!p) return null;
    p.dataset.read = '';
    return { alert: p.closest('#alert') !== null, text: p.textContent };
  }, null, { timeout: 60000 });
  const { alert, text } = await handle.jsonValue();
  if (error) assert.ok(alert, `expected an error, got the message: ${text}`);
  else assert.ok(!alert, `expected a message, got the error: ${text}`);
  return text;
}

// The page's h1 once the view is mounted, and no axe-core violation.
export async function checkPage(page, heading) {
  await page.waitForSelector('main[aria-busy="false"] h1');
  if (heading) assert.match(await page.textContent('main h1'), heading);
  const v = await axeViolations(page);
  assert.deepEqual(v, [], `axe-core on ${page.url()}:\n${JSON.stringify(v, null, 2)}`);
}

// API calls from node, for arranging a test's starting point.
export async function api(server, method, path, body, cookie) {
  const headers = cookie ? { cookie } : {};
  const res = await fetch(`${server.url}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null, cookie: (res.headers.get('set-cookie') || '').split(';')[0] };
}

// Log in through the login page and wait for the next view.
export async function logInThroughPage(page, base, email, password, { next } = {}) {
  await page.goto(`${base}/login/${next ? `?next=${encodeURIComponent(next)}` : ''}`);
  await page.waitForSelector('main[aria-busy="false"] h1');
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.waitForURL((u) => !u.pathname.startsWith('/login/'));
}
