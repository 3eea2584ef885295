// events.js -- from a page view the host page reports to an encrypted row
// on the server. Runs only after the visitor allowed it.
//
// The host page sends the page view's skeleton (type, href, rawHref,
// referrer, pageload, isMobile). The vault keeps only those fields, checks
// them against Offen's payload schema, and adds what the host page must
// neither read nor forge: the time, the session id and the country guessed
// from the time zone. It strips the query string from the referrer, then
// encrypts the JSON with the visitor's secret and posts it. A 400 means the
// server does not know this visitor's secret (or lost the user cookie):
// make a new secret, and retry once.

import * as api from './api.js';
import { sessionId } from './cookies.js';
import { encryptJson } from './crypto.js';
import { visitorCountry } from './geo.js';
import { ensureUserSecret } from './secrets.js';
import { MAX_URL } from '../common/limits.js';

export { MAX_URL };

function isUrl(value) {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_URL) return false;
  try {
    const u = new URL(value);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch (e) {
    return false;
  }
}

// The referrer without its query string (the fragment stays), or ''.
export function cleanReferrer(referrer) {
  if (typeof referrer !== 'string' || referrer === '') return '';
  try {
    const u = new URL(referrer);
    u.search = '';
    const s = u.toString();
    return s.length <= MAX_URL ? s : '';
  } catch (e) {
    return '';
  }
}

// The skeleton sent by the host page, reduced to the fields we store;
// throws when it could not pass Offen's payload schema.
export function checkSkeleton(event) {
  if (!event || typeof event !== 'object') throw new Error('event is not an object');
  if (event.type !== 'PAGEVIEW') throw new Error(`unknown event type "${event.type}"`);
  if (!isUrl(event.href)) throw new Error('event href is not a URL of at most 2000 characters');
  const out = { type: 'PAGEVIEW', href: event.href };
  if (event.rawHref != null) {
    if (!isUrl(event.rawHref)) throw new Error('event rawHref is not a URL of at most 2000 characters');
    out.rawHref = event.rawHref;
  }
  out.referrer = typeof event.referrer === 'string' ? event.referrer : '';
  const pl = event.pageload;
  out.pageload = typeof pl === 'number' && Number.isFinite(pl) ? Math.round(pl) : null;
  out.isMobile = event.isMobile === true;
  return out;
}

// The plaintext that gets encrypted (Offen's payload, §6.2).
export function buildPayload(accountId, skeleton, now = new Date()) {
  const out = { ...skeleton };
  out.referrer = cleanReferrer(skeleton.referrer);
  out.timestamp = now.toJSON();
  out.sessionId = sessionId(accountId);
  out.geo = visitorCountry();
  return out;
}

let queue = Promise.resolve();

async function post(accountId, payload) {
  for (let attempt = 0; ; attempt++) {
    const key = await ensureUserSecret(accountId, attempt > 0);
    const cipher = await encryptJson(key, payload);
    try {
      return await api.postEvent(accountId, cipher);
    } catch (err) {
      if (err.status === 400 && attempt === 0) continue;
      throw err;
    }
  }
}

// Encrypt and send one page view; events are sent one after another, in
// the order they came. Resolves with the HTTP status.
export function recordEvent(accountId, skeleton) {
  const payload = buildPayload(accountId, skeleton);
  const run = queue.catch(() => {}).then(() => post(accountId, payload));
  queue = run;
  return run;
}
