// session.js -- the operator's login, kept for this tab.
//
// POST /api/login answers with the operator's accounts and, per account,
// the key-encryption key (a JWK) that unlocks its private key. It is kept
// in sessionStorage under "candor.session" (this tab only, gone when the
// tab closes), as Offen's vault keeps it. After a reload, GET /api/login
// says whether the auth cookie is still good; the stored login is used
// only when it belongs to the same operator (Offen's session restore).
//
// The stored object: { accountUserId, adminLevel,
//   accounts: [{ accountName, accountId, keyEncryptionKey, created }] }

import { request } from './api.js';

const KEY = 'candor.session';

export function stored() {
  try {
    const s = JSON.parse(sessionStorage.getItem(KEY));
    return s && typeof s.accountUserId === 'string' && Array.isArray(s.accounts) ? s : null;
  } catch (e) {
    return null;
  }
}

export function save(login) {
  sessionStorage.setItem(KEY, JSON.stringify(login));
}

export function clear() {
  sessionStorage.removeItem(KEY);
}

// The server answers accounts: null for an operator without any; the
// stored login always has an array.
export async function logIn(username, password) {
  const login = await request('POST', '/api/login', { username, password });
  if (!Array.isArray(login.accounts)) login.accounts = [];
  save(login);
  return login;
}

export async function logOut() {
  clear();
  await request('POST', '/api/logout');
}

// Drop one account from the stored login (after it was retired).
export function forget(accountId) {
  const s = stored();
  if (!s) return null;
  s.accounts = s.accounts.filter((a) => a.accountId !== accountId);
  save(s);
  return s;
}

// The stored login if the server still accepts the cookie for the same
// operator, else null (and the stale copy is dropped).
export async function restore() {
  const s = stored();
  if (!s) return null;
  try {
    const now = await request('GET', '/api/login');
    if (now && now.accountUserId === s.accountUserId) return s;
  } catch (e) {
    /* 401: the cookie is gone or expired */
  }
  clear();
  return null;
}

// The key-encryption key of one of the operator's accounts, or null.
export function keyFor(session, accountId) {
  const a = session && session.accounts.find((x) => x.accountId === accountId);
  return a ? a.keyEncryptionKey : null;
}
