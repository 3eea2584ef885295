// consent.js -- whether the visitor allows usage data, asking when needed.
//
// consent cookie | skipConsent | outcome
// allow          | any         | proceed (cookie re-written: expiry renewed)
// deny           | any         | drop (cookie re-written)
// none           | true        | drop, nothing stored
// none           | false       | show the banner and wait for the answer
//
// While the banner is open, every further request waits for the same
// answer, and all of them proceed on "I allow" (Offen kept only the newest).
// Escape closes the banner without an answer: nothing is stored and the
// next page asks again. Before an answer nothing is written but the
// cookie probe, which is deleted at once.
//
// The banner lives in the vault iframe, which the host page keeps hidden;
// the vault shows, sizes and hides it by sending STYLES messages back on
// the request's channel: {styles: CSS for the host page, attributes:
// {height}} (Offen's protocol).

import * as banner from './banner.js';
import { ALLOW, DENY, cookiesWork, getConsent, setConsent } from './cookies.js';

const SELECTOR = /^#[A-Za-z][A-Za-z0-9_-]{0,99}$/;
let pending = null; // { waiters: [resolve], port, selector }
let observer = null;

export function hostCss(sel) {
  return [
    `${sel} { display: block !important; position: fixed; bottom: 138px; left: 0; right: 0;`,
    '  margin: 0 auto; z-index: 2147483647; width: 426px; max-width: 100%; border: 0; }',
    `@media all and (max-width: 414px) { ${sel} { width: 100%; } }`,
    `@media all and (max-height: 480px) { ${sel} { bottom: 0; } }`,
  ].join('\n');
}

function contentHeight() {
  return String(Math.ceil(document.documentElement.getBoundingClientRect().height));
}

function send(payload) {
  if (!pending || !pending.port) return;
  pending.port.postMessage({ type: 'STYLES', payload });
}

function show() {
  send({ styles: hostCss(pending.selector), attributes: { height: contentHeight() } });
  if (!observer && typeof ResizeObserver === 'function') {
    observer = new ResizeObserver(() => {
      if (pending && banner.isOpen()) send({ attributes: { height: contentHeight() } });
    });
    observer.observe(document.documentElement);
  }
}

function hide(host) {
  send({ styles: `${pending.selector} { display: none !important; }` });
  banner.unmount(host);
  if (observer) {
    observer.disconnect();
    observer = null;
  }
  pending = null;
}

function settle(status) {
  const waiters = pending.waiters;
  pending.waiters = [];
  for (const resolve of waiters) resolve(status);
}

function open(ctx) {
  const host = document.getElementById('host');
  const q = ctx.locale ? `?${new URLSearchParams({ locale: ctx.locale })}` : '';
  const auditoriumUrl = `${location.origin}/auditorium/${q}`;
  banner.renderInitial(host, {
    learnMoreUrl: auditoriumUrl,
    onAllow: () => {
      setConsent(ALLOW);
      settle(ALLOW);
      banner.renderFollowup(host, { auditoriumUrl, onClose: () => hide(host) });
      show();
    },
    onDeny: () => {
      setConsent(DENY);
      settle(DENY);
      hide(host);
    },
    onDismiss: () => {
      settle(null);
      hide(host);
    },
  });
  show();
}

// Resolves with 'allow', 'deny' or null (no answer: do nothing).
// ctx: {port, selector, locale} of the request that may show the banner.
export function obtainConsent({ skipConsent = false, ctx }) {
  const status = getConsent();
  if (status) {
    setConsent(status);
    return Promise.resolve(status);
  }
  if (skipConsent || !cookiesWork()) return Promise.resolve(null);
  if (!ctx || !ctx.port || !SELECTOR.test(ctx.selector || '')) return Promise.resolve(null);
  return new Promise((resolve) => {
    if (pending && banner.isOpen() && pending.waiters.length > 0) {
      pending.waiters.push(resolve);
      pending.port = ctx.port;
      return;
    }
    if (pending) banner.unmount(document.getElementById('host'));
    pending = { waiters: [resolve], port: ctx.port, selector: ctx.selector };
    open(ctx);
  });
}

// The answer to CONSENT_STATUS: {status: 'allow'|'deny'|null, allowsCookies}.
export function consentStatus() {
  return { status: getConsent(), allowsCookies: cookiesWork() };
}
