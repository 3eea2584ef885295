// aggregate.js -- rows -> per-day partial aggregates -> merge -> every
// metric of offen-client.md §9. Pure: node's unit tests import it.
//
// A partial summarizes any set of rows (normalize.js) so that two
// partials merge into the partial of their union, exactly:
//   events     number of rows
//   pageviews  rows with a secretId (§9.2: "events with a non-empty
//              secretId")
//   minId      the smallest eventId (returning users' "o")
//   users      Map secretId -> its smallest eventId here (unions of sets
//              stay exact across days; the minimum answers "seen before o")
//   sessions   Map sessionId -> {n, fId, fUrl, fRef, lId, lUrl,
//              cId, c, sId, s, gId, g}: its row count, first and last row
//              (landing, $referrer, exit), its first campaign, source and
//              geo with the eventId they came from (merge keeps the
//              smallest)
//   pages      Map stripped URL -> rows
//   withSession, mobile, loadSum, loadN: counters
// Maps keep the order sessions first appeared in (rows are merged in
// eventId order), which decides the remaining ties of §9.3.
//
// A day partial is {day: 'YYYY-MM-DD' (local), lo, hi, rows, agg}: the
// day's rows sorted by eventId and their summary. A query merges the
// summaries of the days wholly inside a window and summarizes the rows
// of the days it cuts; filters (§9.4) summarize the kept rows.
//
// A pending day (pendingDays()) stands for events not decrypted yet: it
// knows only what their envelopes say (eventId: the time; secretId: the
// visitor), which is all returning users read of the days before a range.
// query() refuses days that are pending inside any window it reads, so
// a first draw may come before the older days are decrypted (time.js
// horizonOf()) and never shows a number they would change, but for one:
// returning users count a visitor seen before the range by an event that
// will not decrypt or validate, until the days are decrypted.

import { dayKey, earliest, endOf, parseDay, windows } from './time.js';
import { normalize, ulidTime } from './normalize.js';

export const NONE_REFERRER = '__NONE_REFERRER__';
export const NONE_GEOLOCATION = '__NONE_GEOLOCATION__';
// The properties a filter (§9.4) may name; each has a dashboard.filter.prop.<name> string.
export const FILTERS = ['href', 'geo', 'referrer', 'campaign', 'source', 'landing', 'exit'];

function emptyPartial() {
  return {
    events: 0, pageviews: 0, minId: null, users: new Map(), sessions: new Map(),
    pages: new Map(), withSession: 0, mobile: 0, loadSum: 0, loadN: 0,
  };
}

// One row as a session summary (the fields of `sessions` above).
function rowSession(r) {
  return {
    n: 1, fId: r.id, fUrl: r.url, fRef: r.ref, lId: r.id, lUrl: r.url,
    cId: r.campaign != null ? r.id : null, c: r.campaign,
    sId: r.source != null ? r.id : null, s: r.source,
    gId: r.geo != null ? r.id : null, g: r.geo,
  };
}

function addRowSession(sessions, r) {
  const s = sessions.get(r.session);
  if (s) mergeSession(s, rowSession(r));
  else sessions.set(r.session, rowSession(r));
}

// Fold session summary b into a (a is changed).
function mergeSession(a, b) {
  a.n += b.n;
  if (b.fId < a.fId) Object.assign(a, { fId: b.fId, fUrl: b.fUrl, fRef: b.fRef });
  if (b.lId > a.lId) Object.assign(a, { lId: b.lId, lUrl: b.lUrl });
  if (b.cId != null && (a.cId == null || b.cId < a.cId)) Object.assign(a, { cId: b.cId, c: b.c });
  if (b.sId != null && (a.sId == null || b.sId < a.sId)) Object.assign(a, { sId: b.sId, s: b.s });
  if (b.gId != null && (a.gId == null || b.gId < a.gId)) Object.assign(a, { gId: b.gId, g: b.g });
}

// Count event id of user ('' for none) into partial p: what its
// envelope says.
function addEvent(p, id, user) {
  p.events++;
  if (p.minId == null || id < p.minId) p.minId = id;
  if (user) {
    p.pageviews++;
    const seen = p.users.get(user);
    if (seen === undefined || id < seen) p.users.set(user, id);
  }
}

// Rows (any set) -> their partial.
export function summarize(rows) {
  const p = emptyPartial();
  for (const r of rows) {
    addEvent(p, r.id, r.user);
    if (r.session) {
      p.withSession++;
      addRowSession(p.sessions, r);
    }
    p.pages.set(r.url, (p.pages.get(r.url) || 0) + 1);
    if (r.mobile) p.mobile++;
    if (r.load != null) {
      p.loadSum += r.load;
      p.loadN++;
    }
  }
  return p;
}

// Partials -> the partial of all their rows. Inputs are not changed.
export function merge(partials) {
  const m = emptyPartial();
  for (const p of partials) {
    m.events += p.events;
    m.pageviews += p.pageviews;
    if (p.minId != null && (m.minId == null || p.minId < m.minId)) m.minId = p.minId;
    for (const [u, id] of p.users) {
      const seen = m.users.get(u);
      if (seen === undefined || id < seen) m.users.set(u, id);
    }
    for (const [sid, s] of p.sessions) {
      const have = m.sessions.get(sid);
      if (have) mergeSession(have, s);
      else m.sessions.set(sid, { ...s });
    }
    for (const [url, n] of p.pages) m.pages.set(url, (m.pages.get(url) || 0) + n);
    m.withSession += p.withSession;
    m.mobile += p.mobile;
    m.loadSum += p.loadSum;
    m.loadN += p.loadN;
  }
  return m;
}

function isSorted(rows) {
  for (let i = 1; i < rows.length; i++) if (rows[i - 1].id > rows[i].id) return false;
  return true;
}

// A local day's partial from its rows (any order).
export function dayPartial(day, rows) {
  const sorted = isSorted(rows) ? rows : rows.slice().sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const lo = parseDay(day);
  return { day, lo, hi: endOf('days', lo), rows: sorted, agg: summarize(sorted) };
}

// Decrypted events -> day partials, sorted by day. Invalid events are
// dropped (normalize() returns null).
export function buildDays(events) {
  return groupDays(events.map(normalize).filter(Boolean));
}

// Rows -> day partials, sorted by day.
export function groupDays(rows) {
  const byDay = new Map();
  for (const r of rows) {
    const k = dayKey(r.t);
    if (!byDay.has(k)) byDay.set(k, []);
    byDay.get(k).push(r);
  }
  return [...byDay.keys()].sort().map((k) => dayPartial(k, byDay.get(k)));
}

// Events not decrypted yet ({eventId, secretId}) -> pending day
// partials, sorted by day: no rows; agg holds events, pageviews, minId
// and users as their envelopes give them, the rest empty.
export function pendingDays(events) {
  const byDay = new Map();
  for (const e of events) {
    const t = ulidTime(e.eventId);
    if (!Number.isFinite(t)) continue;
    const k = dayKey(t);
    let p = byDay.get(k);
    if (!p) byDay.set(k, (p = emptyPartial()));
    addEvent(p, e.eventId, e.secretId);
  }
  return [...byDay.keys()].sort().map((day) => {
    const lo = parseDay(day);
    return { day, lo, hi: endOf('days', lo), rows: [], agg: byDay.get(day), pending: true };
  });
}


// Rows of the days inside [lo, hi], in eventId order.
function rowsIn(days, lo, hi, keep) {
  const out = [];
  for (const d of days) {
    if (d.hi < lo || d.lo > hi) continue;
    for (const r of d.rows) if (r.t >= lo && r.t <= hi && (!keep || keep(r))) out.push(r);
  }
  return out;
}

// The partial of the rows inside [lo, hi] that keep() accepts.
export function windowPartial(days, lo, hi, keep) {
  const parts = [];
  for (const d of days) {
    if (d.hi < lo || d.lo > hi) continue;
    if (!keep && d.lo >= lo && d.hi <= hi) parts.push(d.agg);
    else parts.push(summarize(d.rows.filter((r) => r.t >= lo && r.t <= hi && (!keep || keep(r)))));
  }
  return merge(parts);
}

// "prop:value" -> {prop, value}, or null (no filter, an unknown prop).
export function parseFilter(text) {
  if (typeof text !== 'string') return null;
  const i = text.indexOf(':');
  if (i < 0) return null;
  const prop = text.slice(0, i).toLowerCase();
  return FILTERS.includes(prop) ? { prop, value: text.slice(i + 1) } : null;
}

const SESSION_MATCH = {
  geo: (s, v) => (s.g ?? NONE_GEOLOCATION) === v,
  referrer: (s, v) => (s.fRef ?? NONE_REFERRER) === v,
  campaign: (s, v) => s.c != null && s.c === v,
  source: (s, v) => s.s != null && s.s === v,
  landing: (s, v) => s.fUrl === v,
  exit: (s, v) => s.lUrl === v,
};

// The row test of a filter within [lo, hi] (§9.4), or null for none.
// Session filters look at the sessions as the window sees them.
export function filterFor(days, filter, lo, hi) {
  if (!filter) return null;
  if (filter.prop === 'href') return (r) => r.url === filter.value;
  const match = SESSION_MATCH[filter.prop];
  const keepSessions = new Set();
  for (const [sid, s] of windowPartial(days, lo, hi).sessions) {
    if (match(s, filter.value)) keepSessions.add(sid);
  }
  return (r) => r.session != null && keepSessions.has(r.session);
}

function byCountThenKey(a, b) {
  return b.count - a.count || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
}

function countTable(counts) {
  return [...counts].map(([key, count]) => ({ key, count })).sort(byCountThenKey);
}

// Sessions grouped by key(s) (null: left out) -> [{key, count:
// [sessions, depth]}], §9.3's order (ties: reverse insertion order).
function sessionTable(sessions, key) {
  const groups = new Map();
  for (const s of sessions.values()) {
    const k = key(s);
    if (k == null) continue;
    const g = groups.get(k) || { sessions: 0, events: 0, at: groups.size };
    g.sessions++;
    g.events += s.n;
    groups.set(k, g);
  }
  return [...groups].map(([k, g]) => ({ key: k, count: [g.sessions, g.events / g.sessions], at: g.at }))
    .sort((a, b) => b.count[0] - a.count[0] || b.count[1] - a.count[1] || b.at - a.at)
    .map(({ key: k, count }) => ({ key: k, count }));
}

// The scalar metrics and tables of §9.1 and §9.3 from a merged partial.
export function metricsOf(p) {
  const nSessions = p.sessions.size;
  let bounces = 0;
  const landing = new Map();
  const exit = new Map();
  for (const s of p.sessions.values()) {
    if (s.n === 1) bounces++;
    landing.set(s.fUrl, (landing.get(s.fUrl) || 0) + 1);
    if (s.n >= 2) exit.set(s.lUrl, (exit.get(s.lUrl) || 0) + 1);
  }
  return {
    uniqueUsers: p.users.size,
    uniqueSessions: nSessions,
    totalPageviews: p.pageviews,
    avgPageDepth: nSessions ? p.withSession / nSessions : null,
    bounceRate: nSessions ? bounces / nSessions : 0,
    mobileShare: p.events ? p.mobile / p.events : null,
    avgPageload: p.loadN ? p.loadSum / p.loadN : null,
    pages: countTable(p.pages),
    landingPages: countTable(landing),
    exitPages: countTable(exit),
    referrers: sessionTable(p.sessions, (s) => s.fRef ?? NONE_REFERRER),
    campaigns: sessionTable(p.sessions, (s) => s.c),
    sources: sessionTable(p.sessions, (s) => s.s),
    geo: sessionTable(p.sessions, (s) => s.g ?? NONE_GEOLOCATION),
  };
}

// §9.1 returningUsers: 1 - (users of E never seen before E's first
// event) / (users of E), "seen" over every stored event, unfiltered.
function returning(days, e) {
  if (e.users.size === 0) return 0;
  const first = new Map();
  for (const d of days) {
    if (d.agg.minId == null || d.agg.minId >= e.minId) continue;
    for (const [u, id] of d.agg.users) {
      const seen = first.get(u);
      if (seen === undefined || id < seen) first.set(u, id);
    }
  }
  let fresh = 0;
  for (const u of e.users.keys()) {
    const seen = first.get(u);
    if (seen === undefined || seen >= e.minId) fresh++;
  }
  return 1 - fresh / e.users.size;
}

// §9.6: row i = [1 or 0, then |R_i ∩ users(C_j)| / |R_i| for j > i].
export function retentionMatrix(chunks) {
  return chunks.map((r, i) => {
    const row = [r.size ? 1 : 0];
    for (let j = i + 1; j < chunks.length; j++) {
      let both = 0;
      for (const u of r) if (chunks[j].has(u)) both++;
      row.push(r.size ? both / r.size : 0);
    }
    return row;
  });
}

// §9.3 livePages: per user the latest row by payload timestamp, counted
// per stripped URL.
function livePages(rows) {
  const latest = new Map();
  for (const r of rows) {
    if (!r.user) continue;
    const have = latest.get(r.user);
    if (!have || r.ts > have.ts) latest.set(r.user, r);
  }
  const counts = new Map();
  for (const r of latest.values()) counts.set(r.url, (counts.get(r.url) || 0) + 1);
  return countTable(counts);
}

// One bucket of the chart: pageviews and distinct visitors.
function bucketCounts(days, lo, hi, keep) {
  const users = new Set();
  let pageviews = 0;
  for (const d of days) {
    if (d.hi < lo || d.lo > hi) continue;
    if (!keep && d.lo >= lo && d.hi <= hi) {
      pageviews += d.agg.pageviews;
      for (const u of d.agg.users.keys()) users.add(u);
      continue;
    }
    for (const r of d.rows) {
      if (r.t < lo || r.t > hi || !r.user || (keep && !keep(r))) continue;
      pageviews++;
      users.add(r.user);
    }
  }
  return { pageviews, visitors: users.size };
}

// Day partials (sorted by day) + a query {range, resolution, from, to,
// now, filter} -> every metric (the shape of Offen's getDefaultStats, plus
// totalPageviews). from/to/now are ms.
export function query(days, q = {}) {
  const now = q.now ?? Date.now();
  const w = windows({ ...q, now });
  const from = earliest(w);
  if (days.some((d) => d.pending && d.hi >= from)) throw new Error('the days of this query are not decrypted yet');
  const filter = parseFilter(q.filter);
  const [lo, hi] = w.main;
  const keep = filterFor(days, filter, lo, hi);
  const e = windowPartial(days, lo, hi, keep);
  const out = metricsOf(e);
  out.returningUsers = q.resolution === 'months' && Number(q.range) === 6 && q.from == null
    ? null : returning(days, e);
  out.pageviews = w.buckets.map((b) => ({ date: b.date, ...bucketCounts(days, b.lo, b.hi, keep) }));
  const [rlo, rhi] = w.realtime;
  const live = rowsIn(days, rlo, rhi, filterFor(days, filter, rlo, rhi));
  out.liveUsers = new Set(live.filter((r) => r.user).map((r) => r.user)).size;
  out.livePages = livePages(live);
  out.retentionMatrix = retentionMatrix(w.retention.map(([a, b]) => new Set(
    windowPartial(days, a, b, filterFor(days, filter, a, b)).users.keys())));
  out.empty = days.every((d) => d.agg.events === 0);
  out.resolution = w.resolution;
  out.range = w.range;
  out.main = w.main;
  out.now = now;
  out.filter = filter;
  return out;
}
