// cookies.js -- the cookies the browser code writes on Candor's origin.
//
//   consent=allow|deny      the visitor's decision; Path=/, 100 years. The
//                           server reads it on POST /api/events.
//   session-<accountId>     a random id per account for the browser session
//                           (no expiry); written only after consent.
//   ok=__allows_cookies__   a probe, deleted at once, to learn whether this
//                           browser lets the vault keep cookies at all.
//
// Over https every cookie is SameSite=None; Secure, so it works in the
// vault iframe on a host page of another site; over http (local use,
// tests) SameSite=Lax, which still works when host and Candor are the
// same site. The `user` cookie is the server's (HttpOnly, Path=/api).

import { uuid } from './crypto.js';

export const CONSENT = 'consent';
export const ALLOW = 'allow';
export const DENY = 'deny';
const HUNDRED_YEARS_MS = 100 * 365.25 * 24 * 3600 * 1000;

function attributes() {
  return location.protocol === 'https:' ? '; SameSite=None; Secure' : '; SameSite=Lax';
}

export function readCookie(name) {
  for (const part of document.cookie.split(';')) {
    const i = part.indexOf('=');
    if (i < 0) continue;
    if (part.slice(0, i).trim() === name) return decodeURIComponent(part.slice(i + 1).trim());
  }
  return null;
}

// expires: a Date, or null for a cookie of the browser session.
export function writeCookie(name, value, expires = null) {
  let c = `${name}=${encodeURIComponent(value)}; Path=/`;
  if (expires) c += `; Expires=${expires.toUTCString()}`;
  document.cookie = c + attributes();
}

export function deleteCookie(name) {
  writeCookie(name, '', new Date(0));
}

// Whether cookies written here can be read back (they cannot in a
// third-party iframe whose browser blocks third-party cookies).
export function cookiesWork() {
  try {
    if (readCookie(CONSENT)) return true;
    writeCookie('ok', '__allows_cookies__');
    const ok = readCookie('ok') === '__allows_cookies__';
    deleteCookie('ok');
    return ok;
  } catch (e) {
    return false;
  }
}

// 'allow', 'deny' or null (no decision yet, or an unknown value).
export function getConsent() {
  try {
    const v = readCookie(CONSENT);
    return v === ALLOW || v === DENY ? v : null;
  } catch (e) {
    return null;
  }
}

export function setConsent(status) {
  if (status !== ALLOW && status !== DENY) throw new Error(`unknown consent status "${status}"`);
  writeCookie(CONSENT, status, new Date(Date.now() + HUNDRED_YEARS_MS));
}

// The session id for one account, created when missing. Call only after
// consent: it writes a cookie.
export function sessionId(accountId) {
  const name = `session-${accountId}`;
  try {
    let id = readCookie(name);
    if (!id) {
      id = uuid();
      writeCookie(name, id);
    }
    return id;
  } catch (e) {
    return uuid();
  }
}
