// pending.test.mjs -- a first draw before the older days are decrypted
// (metrics/aggregate.js): horizonOf() of each kind of query, pendingDays()
// from envelopes alone, query() over decrypted recent days plus pending
// older ones giving every number the decrypted days give, query()
// refusing a pending day inside any window it reads, and the one
// difference the contract names (an older event that does not validate).
// Local time is Europe/Berlin, as in metrics.test.mjs.
process.env.TZ = 'Europe/Berlin';

const { test } = await import('node:test');
const assert = (await import('node:assert/strict')).default;
const { buildDays, pendingDays, query } = await import('../../web/app/dashboard/metrics/aggregate.js');
const { horizonOf } = await import('../../web/app/dashboard/metrics/time.js');
const { ulidAt, ulidTime } = await import('../../web/app/dashboard/metrics/normalize.js');

const S = 'https://shop.example';
const NOW = Date.parse('2026-11-20T12:00:00+01:00');
const DAY = 86400000;
let seq = 0;
function ev(at, user, session, path, extra = {}) {
  const t = typeof at === 'number' ? at : Date.parse(at);
  seq++;
  return {
    eventId: ulidAt(t).slice(0, 10) + String(seq).padStart(16, '0'), secretId: user,
    payload: { type: 'PAGEVIEW', href: `${S}${path}`, rawHref: null, referrer: extra.referrer ?? '',
      pageload: null, isMobile: false, timestamp: new Date(t).toJSON(), sessionId: session, geo: null },
  };
}
const localMidnight = (ms) => { const d = new Date(ms); d.setHours(0, 0, 0, 0); return d.getTime(); };

test('the horizon of a query: the local midnight before the earliest window it reads', () => {
  // the default 7 days: the retention's four weeks reach furthest
  assert.equal(horizonOf({ now: NOW }), localMidnight(NOW - 28 * DAY));
  assert.equal(horizonOf({ now: NOW, range: '28' }), localMidnight(NOW - 28 * DAY));
  // 6 months by months: the first of the month five months back
  assert.equal(horizonOf({ now: NOW, range: '6', resolution: 'months' }), Date.parse('2026-06-01T00:00:00+02:00'));
  // a custom range older than the retention windows: its first day
  const from = Date.parse('2026-03-02T00:00:00+01:00');
  assert.equal(horizonOf({ now: NOW, from, to: from + 3 * DAY }), from);
  // the last 24 hours still read four weeks for the retention
  assert.equal(horizonOf({ now: NOW, range: '24', resolution: 'hours' }), localMidnight(NOW - 28 * DAY));
});

test('pending days from envelopes: per local day, visitors with their first event, nothing decrypted', () => {
  const a = ev('2026-10-01T23:30:00+02:00', 'a', 's1', '/');
  const b = ev('2026-10-01T23:40:00+02:00', 'b', 's2', '/');
  const a2 = ev('2026-10-01T23:50:00+02:00', 'a', 's1', '/x');
  const anon = ev('2026-10-02T08:00:00+02:00', '', 's3', '/');
  const garbled = { eventId: 'not a ulid', secretId: 'c', payload: '{1,} x y' };
  const days = pendingDays([a2, garbled, anon, b, a]);
  assert.deepEqual(days.map((d) => d.day), ['2026-10-01', '2026-10-02']);
  const [d1, d2] = days;
  assert.equal(d1.pending, true);
  assert.deepEqual(d1.rows, []);
  assert.equal(d1.lo, Date.parse('2026-10-01T00:00:00+02:00'));
  assert.equal(d1.agg.events, 3);
  assert.equal(d1.agg.pageviews, 3);
  assert.equal(d1.agg.minId, a.eventId);
  assert.deepEqual([...d1.agg.users], [['a', a.eventId], ['b', b.eventId]].sort((x, y) => (x[1] < y[1] ? -1 : 1)));
  assert.equal(d1.agg.sessions.size, 0); // not in the envelope
  assert.equal(d2.agg.events, 1);
  assert.equal(d2.agg.pageviews, 0); // no secretId: no page view, no visitor
  assert.equal(d2.agg.users.size, 0);
  assert.equal(ulidTime(d2.agg.minId), Date.parse('2026-10-02T08:00:00+02:00'));
});

// Recent events (from the horizon on) and older ones: o, a visitor seen
// only long ago and again this week (returning); r, seen this week only;
// q, three weeks ago only (the retention's weeks).
const RECENT = [
  ev(NOW - 2 * DAY, 'o', 's-o2', '/'),
  ev(NOW - 2 * DAY + 60000, 'o', 's-o2', '/pricing'),
  ev(NOW - 3 * DAY, 'r', 's-r', '/', { referrer: 'https://www.google.com/search' }),
  ev(NOW - 20 * DAY, 'q', 's-q', '/about'),
  ev(NOW - 5 * 60000, 'r', 's-r2', '/'),
];
const OLDER = [
  ev(NOW - 60 * DAY, 'o', 's-o1', '/'),
  ev(NOW - 90 * DAY, 'x', 's-x', '/'),
];

test('a first draw over pending older days shows every number the decrypted days give', () => {
  const all = buildDays([...RECENT, ...OLDER]);
  const first = [...buildDays(RECENT), ...pendingDays(OLDER)].sort((a, b) => (a.day < b.day ? -1 : 1));
  assert.equal(first.filter((d) => d.pending).length, 2);
  for (const q of [{ now: NOW }, { now: NOW, range: '28' }, { now: NOW, range: '24', resolution: 'hours' },
    { now: NOW, filter: 'referrer:Google' }]) {
    const want = query(all, q);
    assert.deepEqual(query(first, q), want, JSON.stringify(q));
  }
  // o was seen 60 days ago (pending): half of this week's visitors return
  assert.equal(query(first, { now: NOW }).returningUsers, 0.5);
});

test('query refuses a pending day inside any window it reads', () => {
  const recent = buildDays(RECENT.filter((e) => ulidTime(e.eventId) > NOW - 7 * DAY));
  // the retention's weeks read 20 days back, pending here
  const cut = [...pendingDays(RECENT.filter((e) => ulidTime(e.eventId) <= NOW - 7 * DAY)), ...recent];
  assert.throws(() => query(cut, { now: NOW }), /not decrypted yet/);
  const first = [...pendingDays(OLDER), ...buildDays(RECENT)];
  assert.throws(() => query(first, { now: NOW, range: '6', resolution: 'months' }), /not decrypted yet/);
  assert.throws(() => query(first, { now: NOW, from: NOW - 100 * DAY, to: NOW }), /not decrypted yet/);
  assert.doesNotThrow(() => query(first, { now: NOW, range: '28' }));
});

test('the one difference: an older event that will not validate counts its visitor as seen, until decrypted', () => {
  const bad = ev(NOW - 45 * DAY, 'r', 's-bad', '/');
  bad.payload = { ...bad.payload, type: 'CLICK' }; // Offen's schema drops it
  const first = [...pendingDays([...OLDER, bad]), ...buildDays(RECENT)].sort((a, b) => (a.day < b.day ? -1 : 1));
  const all = buildDays([...RECENT, ...OLDER, bad]);
  assert.equal(query(first, { now: NOW }).returningUsers, 1); // r too, by the envelope
  assert.equal(query(all, { now: NOW }).returningUsers, 0.5); // r's only earlier event is dropped
});
