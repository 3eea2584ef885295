// next.js -- where the login goes afterwards. Pure: tests/web/next.test.mjs.

// next when it is a path of this origin ("/x", not "//host" or "/\host"),
// else null.
export function safeNext(next, origin) {
  if (typeof next !== 'string' || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) {
    return null;
  }
  try {
    const url = new URL(next, origin);
    return url.origin === origin ? url.pathname + url.search + url.hash : null;
  } catch (e) {
    return null;
  }
}

// ?next= when safe (and not the login itself), else the first account's
// dashboard, else the console.
export function landing(login, next, origin) {
  const safe = safeNext(next, origin);
  if (safe && !/^\/login\/?(\?|#|$)/.test(safe)) return safe;
  const first = (login.accounts || [])[0];
  return first ? `/auditorium/${encodeURIComponent(first.accountId)}/` : '/console/';
}
