// normalize.js -- one decrypted event -> one compact row, or null.
//
// Pure (no DOM, no IndexedDB): node's unit tests import it. URLs longer
// than the vault's cap (MAX_URL, web/common/limits.js) are not valid.
//
// An event is {eventId, secretId, payload} with payload Offen's plaintext
// (offen-client.md §6.2). Events that fail the payload schema are dropped
// from every statistic (null here), as Offen's readers drop them.
//
// The row keeps only what the metrics of §9 read:
//   id       eventId (a ULID: server receive time, the order of events)
//   t        the ULID's time in ms: every window and bucket uses it (§6.4)
//   user     secretId ('' when absent: such events count nowhere but
//            the event total)
//   session  payload.sessionId or null
//   url      the stripped URL: origin + pathname, '/' appended when the
//            pathname lacks it (§9 notation)
//   ref      $referrer: the bucket of the referrer's host when it differs
//            from the href's host (§8.4, §9.5), else null
//   campaign utm_campaign of rawHref (else href), or null
//   source   utm_source likewise, or null
//   geo      payload.geo or null
//   mobile   payload.isMobile
//   load     payload.pageload when > 0, else null
//   ts       payload.timestamp in ms (only livePages reads it)

import { MAX_URL } from '../../../common/limits.js';

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

// The time in ms of a ULID (its first 10 characters), or NaN.
export function ulidTime(id) {
  if (typeof id !== 'string' || id.length < 10) return NaN;
  let t = 0;
  for (let i = 0; i < 10; i++) {
    const v = CROCKFORD.indexOf(id[i].toUpperCase());
    if (v < 0) return NaN;
    t = t * 32 + v;
  }
  return t;
}

// The smallest ULID of time t (for comparisons by eventId).
export function ulidAt(t) {
  let s = '';
  let x = Math.max(0, Math.floor(t));
  for (let i = 0; i < 10; i++) {
    s = CROCKFORD[x % 32] + s;
    x = Math.floor(x / 32);
  }
  return s + '0000000000000000';
}

// §9.5: the bucket that replaces a referrer host; the first match wins.
const BUCKETS = [
  ['Google', /^(www\.)?google\.[a-z]/],
  ['Facebook', /^(l\.|lm\.|m\.|www\.)facebook\.com/],
  ['DuckDuckGo', /duckduckgo\.com/],
  ['Ecosia', /ecosia\.org/],
  ['Qwant', /qwant\.com/],
  ['Baidu', /baidu\.com/],
  ['LinkedIn', /linkedin\.com/],
  ['Twitter', /t\.co$/],
  ['Hacker News', /news\.ycombinator\.com/],
  ['Reddit', /^(old\.|www\.)reddit\.com/],
  ['Wikipedia', /\.wikipedia\.org$/],
  ['Zoom', /\.zoom\.us$/],
  ['Telegram', /web\.telegram\.org/],
];

export function bucket(host) {
  for (const [name, re] of BUCKETS) if (re.test(host)) return name;
  return host;
}

function parseUrl(value) {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_URL) return null;
  try {
    return new URL(value);
  } catch (e) {
    return null;
  }
}

export function stripUrl(u) {
  const path = u.pathname.endsWith('/') ? u.pathname : u.pathname + '/';
  return u.origin + path;
}

const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

function utm(u, name) {
  return u.searchParams.has(name) ? u.searchParams.get(name) : null;
}

// Parsing URLs is most of normalize()'s time and sites have few distinct
// URLs: the parts taken from each URL string are remembered (a bounded
// memo, dropped whole when full).
export const MEMO_CAP = 20000;
const memo = new Map();

// The memo's entries now (tests check the cap with it).
export function memoSize() {
  return memo.size;
}

function memoized(kind, text, compute) {
  const k = kind + text;
  let v = memo.get(k);
  if (v === undefined) {
    if (memo.size >= MEMO_CAP) memo.clear();
    v = compute();
    memo.set(k, v);
  }
  return v;
}

// href -> {url, host} or null.
function hrefParts(text) {
  return memoized('h', text, () => {
    const u = parseUrl(text);
    return u ? { url: stripUrl(u), host: u.host } : null;
  });
}

// rawHref (or href) -> {campaign, source} or null (not a URL).
function utmParts(text) {
  return memoized('u', text, () => {
    const u = parseUrl(text);
    return u ? { campaign: utm(u, 'utm_campaign'), source: utm(u, 'utm_source') } : null;
  });
}

// referrer -> its host, or '' (none), or null (not a URL).
function referrerHost(text) {
  if (text === '' || text == null) return '';
  return memoized('r', text, () => {
    const u = parseUrl(text);
    return u ? u.host : null;
  });
}

// The payload schema of §6.2 for the fields not parsed as URLs.
function validScalars(p) {
  if (!p || typeof p !== 'object' || p.type !== 'PAGEVIEW') return false;
  if (p.pageload != null && typeof p.pageload !== 'number') return false;
  if (typeof p.isMobile !== 'boolean') return false;
  if (typeof p.timestamp !== 'string' || p.timestamp.length > 36 || !DATE_TIME.test(p.timestamp)) return false;
  if (p.sessionId != null && typeof p.sessionId !== 'string') return false;
  if (p.geo != null && typeof p.geo !== 'string') return false;
  return true;
}

// {eventId, secretId, payload} -> row (see above) or null.
export function normalize(event) {
  if (!event || typeof event.eventId !== 'string' || event.eventId.length > 26) return null;
  const p = event.payload;
  if (!validScalars(p)) return null;
  const href = typeof p.href === 'string' ? hrefParts(p.href) : null;
  const t = ulidTime(event.eventId);
  if (!href || !Number.isFinite(t)) return null;
  const raw = p.rawHref != null ? (typeof p.rawHref === 'string' ? utmParts(p.rawHref) : null) : utmParts(p.href);
  if (!raw) return null;
  const refHost = referrerHost(p.referrer);
  if (refHost === null) return null;
  return {
    id: event.eventId,
    t,
    user: typeof event.secretId === 'string' ? event.secretId : '',
    session: p.sessionId || null,
    url: href.url,
    ref: refHost && refHost !== href.host ? memoized('b', refHost, () => bucket(refHost)) : null,
    campaign: raw.campaign,
    source: raw.source,
    geo: p.geo || null,
    mobile: p.isMobile,
    load: typeof p.pageload === 'number' && p.pageload > 0 ? p.pageload : null,
    ts: Date.parse(p.timestamp),
  };
}
