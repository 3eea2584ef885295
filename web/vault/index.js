// index.js -- the vault: Candor's hidden iframe in the host page.
//
// It is the only part of a visitor's browser that holds their keys, and
// the only one that calls the API. Host pages talk to it with postMessage
// (Offen's protocol): each request is {type, payload, meta?, host} with a
// MessagePort as its only transferred object, and the answer goes back on
// that port (STYLES zero or more times, then one final message: null, a
// <TYPE>_SUCCESS message, or {type: "ERROR", payload: {error}}).
//
// Checks on every message:
//   - it comes from the window that embeds the vault (event.source is
//     our parent), and carries a reply port;
//   - its type is known;
//   - only EVENT and ACQUIRE_CONSENT are taken from other origins, and
//     they answer nothing but null: a host page can record a page view and
//     show the banner, never read anything. Every other type needs
//     Candor's own origin;
//   - an EVENT's account id is a UUID and, when the vault was opened for
//     an account (?accountId=), that account.

import { consentStatus, obtainConsent } from './consent.js';
import { ALLOW, DENY, setConsent } from './cookies.js';
import { checkSkeleton, recordEvent } from './events.js';
import { forgetVisitor } from './visitor.js';

const params = new URLSearchParams(location.search);
const vaultAccount = params.get('accountId');
const locale = params.get('locale');
const ACCOUNT_ID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
let announced = false;

function announce() {
  if (announced) return;
  announced = true;
  console.info(`This page counts visits with Candor, with your consent. ` +
    `See, export or delete your usage data at ${location.origin}/auditorium/`);
}

async function onEvent(msg, ctx) {
  const p = msg.payload || {};
  if (typeof p.accountId !== 'string' || !ACCOUNT_ID.test(p.accountId)) {
    throw new Error('The event has no valid account id.');
  }
  if (vaultAccount && p.accountId !== vaultAccount) {
    throw new Error('The event is for another account than this vault.');
  }
  const skeleton = checkSkeleton(p.event);
  const skipConsent = Boolean(msg.meta && msg.meta.skipConsent === true);
  const status = await obtainConsent({ skipConsent, ctx });
  if (status !== ALLOW) return null;
  await recordEvent(p.accountId, skeleton);
  announce();
  return null;
}

async function onAcquireConsent(msg, ctx) {
  await obtainConsent({ skipConsent: false, ctx });
  return null;
}

function onConsentStatus() {
  return { type: 'CONSENT_STATUS_SUCCESS', payload: consentStatus() };
}

async function onExpressConsent(msg) {
  const status = msg.payload && msg.payload.status;
  if (status !== ALLOW && status !== DENY) {
    throw new Error(`Received invalid consent status: ${status}`);
  }
  if (status === DENY) await forgetVisitor();
  else setConsent(ALLOW);
  return { type: 'EXPRESS_CONSENT_SUCCESS', payload: consentStatus() };
}

const routes = new Map([
  ['EVENT', { foreign: true, handle: onEvent }],
  ['ACQUIRE_CONSENT', { foreign: true, handle: onAcquireConsent }],
  ['CONSENT_STATUS', { foreign: false, handle: onConsentStatus }],
  ['EXPRESS_CONSENT', { foreign: false, handle: onExpressConsent }],
]);

function fail(port, err, sameOrigin) {
  const payload = { error: err && err.message ? err.message : String(err) };
  if (err && err.status) payload.status = err.status;
  if (sameOrigin && err && err.stack) payload.stack = err.stack;
  port.postMessage({ type: 'ERROR', payload });
}

async function onMessage(event) {
  const port = event.ports && event.ports[0];
  if (!port || window.parent === window || event.source !== window.parent) return;
  const msg = event.data;
  const sameOrigin = event.origin === location.origin;
  if (!msg || typeof msg !== 'object' || typeof msg.type !== 'string') {
    fail(port, new Error('Received a malformed message.'), sameOrigin);
    return;
  }
  const route = routes.get(msg.type);
  if (!route) {
    fail(port, new Error(`Message of type "${msg.type}" was not handled.`), sameOrigin);
    return;
  }
  if (!route.foreign && !sameOrigin) {
    fail(port, new Error(`Incoming message had untrusted origin "${event.origin}", will not process.`), false);
    return;
  }
  const ctx = { port, selector: typeof msg.host === 'string' ? msg.host : '', locale, origin: event.origin };
  try {
    const reply = await route.handle(msg, ctx);
    port.postMessage(reply === undefined ? null : reply);
  } catch (err) {
    fail(port, err, sameOrigin);
  }
}

window.addEventListener('message', onMessage);
