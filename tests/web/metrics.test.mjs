// metrics.test.mjs -- the dashboard's engine (web/app/dashboard/metrics/)
// on a small event list whose every metric is computed by hand below, as
// literals, with the reason beside each. Local time is Europe/Berlin
// (UTC+1 in November), so days are local days as in Offen.
process.env.TZ = 'Europe/Berlin';

const { test } = await import('node:test');
const assert = (await import('node:assert/strict')).default;
const { buildDays, groupDays, query, summarize, merge, metricsOf, NONE_REFERRER, NONE_GEOLOCATION } =
  await import('../../web/app/dashboard/metrics/aggregate.js');
const { normalize, bucket, ulidAt, ulidTime } = await import('../../web/app/dashboard/metrics/normalize.js');

let seq = 0;
// An event at local time `at` (ISO with offset) by user with session.
function ev(at, user, session, href, extra = {}) {
  const t = Date.parse(at);
  seq++;
  const eventId = ulidAt(t).slice(0, 10) + String(seq).padStart(16, '0');
  return {
    eventId, secretId: user,
    payload: {
      type: 'PAGEVIEW', href, rawHref: extra.rawHref ?? null, referrer: extra.referrer ?? '',
      pageload: extra.load ?? null, isMobile: extra.mobile ?? false,
      timestamp: new Date(t).toJSON(), sessionId: session, geo: extra.geo ?? null,
    },
  };
}

const S = 'https://shop.example';
const NOW = Date.parse('2026-11-20T12:00:00+01:00'); // a Friday
const EVENTS = [
  // a, session s1: before the 7-day range (makes a a returning user)
  ev('2026-11-10T10:00:00+01:00', 'a', 's1', `${S}/home`),
  // a, session s2: crosses local midnight 14 -> 15 November
  ev('2026-11-14T23:50:00+01:00', 'a', 's2', `${S}/`, { referrer: 'https://www.google.com/search', geo: 'DE', load: 1000 }),
  ev('2026-11-15T00:10:00+01:00', 'a', 's2', `${S}/products`),
  ev('2026-11-15T00:20:00+01:00', 'a', 's2', `${S}/checkout?x=1#f`, { geo: 'DE' }),
  // b, session s3: a campaign, from Hacker News, mobile
  ev('2026-11-16T09:00:00+01:00', 'b', 's3', `${S}/products`, {
    rawHref: `${S}/products?utm_campaign=winter&utm_source=news`,
    referrer: 'https://news.ycombinator.com/item', geo: 'FR', mobile: true, load: 500 }),
  ev('2026-11-16T09:05:00+01:00', 'b', 's3', `${S}/`, { referrer: `${S}/products`, geo: 'FR', mobile: true }),
  // c, session s4: one page view, in the last 15 minutes
  ev('2026-11-20T11:50:00+01:00', 'c', 's4', `${S}/`, { mobile: true, load: 300 }),
  // b, session s5: one page view from t.co, in the last 15 minutes
  ev('2026-11-20T11:55:00+01:00', 'b', 's5', `${S}/about`, { referrer: 'https://t.co/abc', geo: 'FR' }),
];
// Two events Offen's schema drops: an unknown type, no isMobile.
const BAD = [
  { ...ev('2026-11-16T10:00:00+01:00', 'b', 's3', `${S}/`), payload: { ...EVENTS[4].payload, type: 'CLICK' } },
  { ...ev('2026-11-16T10:01:00+01:00', 'b', 's3', `${S}/`), payload: { ...EVENTS[4].payload, isMobile: undefined } },
];
const DAYS = buildDays([...EVENTS, ...BAD].reverse());

test('ulid time round trip, referrer buckets', () => {
  assert.equal(ulidTime(ulidAt(NOW)), NOW);
  assert.equal(ulidTime('0000000010ZZZZZZZZZZZZZZZZ'), 32); // base 32, Crockford's alphabet
  assert.equal(bucket('www.google.de'), 'Google');
  assert.equal(bucket('google.com'), 'Google');
  assert.equal(bucket('l.facebook.com'), 'Facebook');
  assert.equal(bucket('t.co'), 'Twitter');
  assert.equal(bucket('microsoft.co'), 'Twitter'); // Offen's unanchored quirk, kept
  assert.equal(bucket('en.wikipedia.org'), 'Wikipedia');
  assert.equal(bucket('example.org'), 'example.org');
});

test('normalize: stripped URL, same-host referrer, utm from rawHref, schema', () => {
  const r = normalize(EVENTS[3]);
  assert.equal(r.url, `${S}/checkout/`); // query and fragment gone, '/' appended
  assert.equal(normalize(EVENTS[5]).ref, null); // same host: no referrer
  const c = normalize(EVENTS[4]);
  assert.deepEqual([c.ref, c.campaign, c.source], ['Hacker News', 'winter', 'news']);
  assert.equal(normalize(BAD[0]), null);
  assert.equal(normalize(BAD[1]), null);
  assert.equal(normalize({ ...EVENTS[0], payload: { ...EVENTS[0].payload, href: 'not a url' } }), null);
});

test('day partials: local days, the midnight session split in two days', () => {
  // 10, 14, 15, 16, 20 November; the two bad events are dropped
  assert.deepEqual(DAYS.map((d) => d.day), ['2026-11-10', '2026-11-14', '2026-11-15', '2026-11-16', '2026-11-20']);
  assert.deepEqual(DAYS.map((d) => d.agg.events), [1, 1, 2, 2, 2]);
  assert.equal(DAYS[1].agg.sessions.get('s2').n, 1);
  assert.equal(DAYS[2].agg.sessions.get('s2').n, 2);
});

test('7 days (default): every metric', () => {
  const m = query(DAYS, { now: NOW });
  // E = s2 (3 events) + s3 (2) + s4 (1) + s5 (1) = 7 events
  assert.equal(m.totalPageviews, 7);
  assert.equal(m.uniqueUsers, 3); // a, b, c
  assert.equal(m.uniqueSessions, 4); // s2..s5; s2 counts once across midnight
  assert.equal(m.avgPageDepth, 7 / 4);
  assert.equal(m.bounceRate, 2 / 4); // s4 and s5 have one event
  assert.equal(m.mobileShare, 3 / 7); // s3's two events and s4
  assert.equal(m.avgPageload, (1000 + 500 + 300) / 3); // null page loads left out
  assert.equal(m.returningUsers, 1 - 2 / 3); // b and c are new, a was seen on the 10th
  assert.deepEqual(m.pages, [
    { key: `${S}/`, count: 3 }, { key: `${S}/products/`, count: 2 },
    { key: `${S}/about/`, count: 1 }, { key: `${S}/checkout/`, count: 1 }]);
  assert.deepEqual(m.landingPages, [ // first events: s2 /, s3 /products/, s4 /, s5 /about/
    { key: `${S}/`, count: 2 }, { key: `${S}/about/`, count: 1 }, { key: `${S}/products/`, count: 1 }]);
  assert.deepEqual(m.exitPages, [ // only s2 and s3 have two or more events
    { key: `${S}/`, count: 1 }, { key: `${S}/checkout/`, count: 1 }]);
  assert.deepEqual(m.referrers, [ // depth desc, then the later session first (s5 before s4)
    { key: 'Google', count: [1, 3] }, { key: 'Hacker News', count: [1, 2] },
    { key: 'Twitter', count: [1, 1] }, { key: NONE_REFERRER, count: [1, 1] }]);
  assert.deepEqual(m.campaigns, [{ key: 'winter', count: [1, 2] }]);
  assert.deepEqual(m.sources, [{ key: 'news', count: [1, 2] }]);
  assert.deepEqual(m.geo, [ // FR: s3 (2) + s5 (1) over 2 sessions
    { key: 'FR', count: [2, 1.5] }, { key: 'DE', count: [1, 3] }, { key: NONE_GEOLOCATION, count: [1, 1] }]);
  assert.deepEqual(m.pageviews.map((b) => [b.pageviews, b.visitors]), [
    [1, 1], [2, 1], [2, 1], [0, 0], [0, 0], [0, 0], [2, 2]]); // 14th .. 20th
  assert.equal(new Date(m.pageviews[0].date).getDate(), 14);
  assert.equal(m.liveUsers, 2); // c at 11:50 and b at 11:55
  assert.deepEqual(m.livePages, [{ key: `${S}/`, count: 1 }, { key: `${S}/about/`, count: 1 }]);
  // weekly windows back from now: two empty, {a} (10th), {a, b, c}
  assert.deepEqual(m.retentionMatrix, [[0, 0, 0, 0], [0, 0, 0], [1, 1], [1]]);
  assert.equal(m.empty, false);
});

test('filters: session filters keep whole sessions, href keeps events', () => {
  let m = query(DAYS, { now: NOW, filter: 'referrer:Google' });
  assert.deepEqual([m.totalPageviews, m.uniqueUsers, m.uniqueSessions, m.bounceRate, m.avgPageDepth],
    [3, 1, 1, 0, 3]); // s2 only
  assert.equal(m.returningUsers, 1); // a was seen before
  assert.deepEqual(m.pageviews.map((b) => b.pageviews), [1, 2, 0, 0, 0, 0, 0]);
  assert.equal(m.liveUsers, 0); // no session of the last 15 minutes came from Google

  m = query(DAYS, { now: NOW, filter: `href:${S}/` });
  // s2's first, s3's second and s4's event: three one-event sessions
  assert.deepEqual([m.totalPageviews, m.uniqueUsers, m.uniqueSessions, m.bounceRate], [3, 3, 3, 1]);
  assert.deepEqual(m.exitPages, []);
  // s3's first event in E is its same-host second page view: no referrer
  assert.deepEqual(m.referrers, [{ key: NONE_REFERRER, count: [2, 1] }, { key: 'Google', count: [1, 1] }]);
  assert.equal(m.liveUsers, 1); // c on / (b was on /about/)

  m = query(DAYS, { now: NOW, filter: 'geo:FR' });
  assert.deepEqual([m.totalPageviews, m.uniqueUsers, m.uniqueSessions], [3, 1, 2]);
  m = query(DAYS, { now: NOW, filter: `geo:${NONE_GEOLOCATION}` });
  assert.deepEqual([m.totalPageviews, m.uniqueSessions], [1, 1]); // s4
  m = query(DAYS, { now: NOW, filter: `landing:${S}/` });
  assert.deepEqual([m.totalPageviews, m.uniqueSessions], [4, 2]); // s2 and s4
  m = query(DAYS, { now: NOW, filter: `exit:${S}/checkout/` });
  assert.deepEqual([m.totalPageviews, m.uniqueSessions], [3, 1]); // s2
  m = query(DAYS, { now: NOW, filter: 'campaign:winter' });
  assert.deepEqual([m.totalPageviews, m.uniqueSessions, m.mobileShare], [2, 1, 1]); // s3
  m = query(DAYS, { now: NOW, filter: 'source:none-such' });
  assert.deepEqual([m.totalPageviews, m.uniqueSessions, m.avgPageDepth], [0, 0, null]);
  m = query(DAYS, { now: NOW, filter: 'colour:blue' }); // unknown prop: no filter
  assert.equal(m.totalPageviews, 7);
});

test('filter combined with a range: last 24 hours', () => {
  const m = query(DAYS, { now: NOW, range: 24, resolution: 'hours', filter: 'geo:FR' });
  // 19 Nov 13:00 .. 20 Nov 12:59: of FR's sessions only s5 is inside
  assert.deepEqual([m.totalPageviews, m.uniqueUsers, m.uniqueSessions, m.bounceRate], [1, 1, 1, 1]);
  assert.equal(m.pageviews.length, 24);
  assert.deepEqual(m.pageviews.map((b) => b.pageviews).filter(Boolean), [1]);
  assert.equal(new Date(m.pageviews[22].date).getHours(), 11); // s5's hour, one before the last
  assert.equal(m.pageviews[22].pageviews, 1);
});

test('a custom range that cuts the midnight session', () => {
  const day = Date.parse('2026-11-15T08:00:00+01:00');
  const m = query(DAYS, { now: NOW, from: day, to: day });
  // only s2's two events of the 15th
  assert.deepEqual([m.totalPageviews, m.uniqueSessions, m.bounceRate], [2, 1, 0]);
  assert.deepEqual(m.landingPages, [{ key: `${S}/products/`, count: 1 }]);
  assert.deepEqual(m.exitPages, [{ key: `${S}/checkout/`, count: 1 }]);
  assert.equal(m.returningUsers, 1); // a was seen on the 10th and the 14th
  assert.equal(m.pageviews.length, 1);
});

test('an empty range and an empty account', () => {
  const day = Date.parse('2026-11-18T08:00:00+01:00');
  let m = query(DAYS, { now: NOW, from: day, to: day });
  assert.deepEqual([m.totalPageviews, m.uniqueUsers, m.uniqueSessions, m.bounceRate, m.returningUsers],
    [0, 0, 0, 0, 0]);
  assert.deepEqual([m.avgPageDepth, m.mobileShare, m.avgPageload], [null, null, null]);
  assert.deepEqual([m.pages, m.referrers, m.geo], [[], [], []]);
  assert.equal(m.empty, false);
  m = query([], { now: NOW });
  assert.equal(m.empty, true);
  assert.equal(m.uniqueUsers, 0);
  assert.deepEqual(m.retentionMatrix, [[0, 0, 0, 0], [0, 0, 0], [0, 0], [0]]);
});

test('one event', () => {
  const m = query(buildDays([EVENTS[6]]), { now: NOW });
  assert.deepEqual([m.totalPageviews, m.uniqueUsers, m.uniqueSessions, m.bounceRate, m.avgPageDepth],
    [1, 1, 1, 1, 1]);
  assert.equal(m.returningUsers, 0); // c was never seen before
  assert.deepEqual(m.exitPages, []); // a one-event session has no exit
  assert.deepEqual(m.landingPages, [{ key: `${S}/`, count: 1 }]);
  assert.deepEqual(m.geo, [{ key: NONE_GEOLOCATION, count: [1, 1] }]);
});

test('6 months by months: returning users is null, as in Offen', () => {
  const m = query(DAYS, { now: NOW, range: 6, resolution: 'months' });
  assert.equal(m.returningUsers, null);
  assert.equal(m.totalPageviews, 8); // every valid event
  assert.equal(m.pageviews.length, 6);
  assert.equal(m.pageviews[5].pageviews, 8); // all in November
});

test('retention matrix: Offen\'s example', async () => {
  const { retentionMatrix } = await import('../../web/app/dashboard/metrics/aggregate.js');
  const m = retentionMatrix([new Set('abyz'), new Set('maz'), new Set('kmz'), new Set()]);
  assert.deepEqual(m, [[1, 0.5, 0.25, 0], [1, 2 / 3, 0], [1, 0], [0]]);
});

test('merging day partials equals summarizing all rows at once', () => {
  const rows = DAYS.flatMap((d) => d.rows);
  const whole = metricsOf(summarize(rows));
  const merged = metricsOf(merge(groupDays(rows).map((d) => d.agg)));
  assert.deepEqual(merged, whole);
});

test('the day cache\'s column encoding gives back the same rows', async () => {
  // cache.js touches IndexedDB only inside functions: importing it is safe
  const { encodeRows, decodeRows } = await import('../../web/app/dashboard/cache.js');
  const rows = DAYS.flatMap((d) => d.rows);
  const enc = encodeRows(rows);
  assert.deepEqual(decodeRows(JSON.parse(JSON.stringify(enc))), rows);
  assert.ok(enc.strings.length < rows.length * 3); // strings are stored once
  assert.deepEqual(decodeRows(encodeRows([])), []);
});
