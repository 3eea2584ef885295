// metrics-format.test.mjs -- the dashboard's number formats (format.js,
// offen-client.md §9.1) and query windows (metrics/time.js, §8.4), with
// the expected values written out by hand.
process.env.TZ = 'Europe/Berlin';

const { test } = await import('node:test');
const assert = (await import('node:assert/strict')).default;
const fmt = await import('../../web/app/dashboard/format.js');
const { windows, startOf, endOf, dayKey, parseDay, add, autoResolution, AUTO_MONTHS_DAYS, AUTO_WEEKS_DAYS } =
  await import('../../web/app/dashboard/metrics/time.js');

test('counts: whole up to 1000, k above it, M above a million', () => {
  assert.equal(fmt.count(0), '0');
  assert.equal(fmt.count(999.9), '999');
  assert.equal(fmt.count(1000), '1,000'); // the cap itself stays whole
  assert.equal(fmt.count(1001), '1.0k'); // one past it is abbreviated
  assert.equal(fmt.count(2500), '2.5k');
  assert.equal(fmt.count(1e6), '1,000.0k');
  assert.equal(fmt.count(1e6 + 1), '1.0M');
  assert.equal(fmt.exact(1000), null);
  assert.equal(fmt.exact(2500), '2,500');
  assert.equal(fmt.count(null), '0');
  assert.equal(fmt.count(1234, 'de'), '1,2k');
});

test('percentages, durations, numbers; non-finite as 0', () => {
  assert.equal(fmt.percentage(0.43), '43.0 %');
  assert.equal(fmt.percentage(1 / 3), '33.3 %');
  assert.equal(fmt.percentage(null), '0.0 %');
  assert.equal(fmt.duration(999.4), '999ms');
  assert.equal(fmt.duration(1000), '1.00s');
  assert.equal(fmt.duration(1234), '1.23s');
  assert.equal(fmt.duration(NaN), '0ms');
  assert.equal(fmt.number(1.75), '1.8');
  assert.equal(fmt.number(null), '0.0');
});

test('local units: weeks start on Monday, months on the 1st, DST days', () => {
  const fri = Date.parse('2026-11-20T15:30:00+01:00');
  assert.equal(startOf('weeks', fri), Date.parse('2026-11-16T00:00:00+01:00'));
  assert.equal(startOf('months', fri), Date.parse('2026-11-01T00:00:00+01:00'));
  assert.equal(startOf('hours', fri), Date.parse('2026-11-20T15:00:00+01:00'));
  assert.equal(endOf('days', fri), Date.parse('2026-11-21T00:00:00+01:00') - 1);
  // 25 October 2026 has 25 hours in Berlin (summer time ends)
  const dst = Date.parse('2026-10-25T12:00:00+01:00');
  assert.equal(endOf('days', dst) + 1 - startOf('days', dst), 25 * 3600000);
  assert.equal(dayKey(Date.parse('2026-11-20T23:30:00Z')), '2026-11-21'); // already the 21st in Berlin
  assert.equal(parseDay('2026-11-21'), Date.parse('2026-11-21T00:00:00+01:00'));
  assert.ok(Number.isNaN(parseDay('21.11.2026')));
});

test('windows of §8.4: 7 days, 24 hours, custom, yesterday; errors', () => {
  const now = Date.parse('2026-11-20T15:30:00+01:00');
  let w = windows({ now });
  assert.deepEqual(w.main, [Date.parse('2026-11-14T00:00:00+01:00'), Date.parse('2026-11-21T00:00:00+01:00') - 1]);
  assert.equal(w.buckets.length, 7);
  assert.equal(w.buckets[6].date, now);
  assert.deepEqual(w.realtime, [now - 15 * 60000, now]);
  assert.deepEqual(w.retention[0], [now - 28 * 86400000, now - 21 * 86400000]);
  w = windows({ now, range: 24, resolution: 'hours' });
  assert.deepEqual(w.main, [Date.parse('2026-11-19T16:00:00+01:00'), Date.parse('2026-11-20T16:00:00+01:00') - 1]);
  w = windows({ now, from: parseDay('2026-11-02'), to: parseDay('2026-11-04') });
  assert.equal(w.range, 3);
  assert.deepEqual(w.main, [parseDay('2026-11-02'), parseDay('2026-11-05') - 1]);
  w = windows({ now, range: 'yesterday' });
  assert.deepEqual(w.main, [parseDay('2026-11-19'), parseDay('2026-11-20') - 1]);
  assert.equal(w.resolution, 'hours');
  assert.throws(() => windows({ now, resolution: 'years' }), /resolution/);
  assert.throws(() => windows({ now, from: now }), /together/);
  assert.throws(() => windows({ now, range: 0 }), /range/);
});

test('a custom range picks its resolution (§10.7) at each threshold and one below it', () => {
  assert.equal(AUTO_MONTHS_DAYS, 89);
  assert.deepEqual(AUTO_WEEKS_DAYS, { wide: 42, narrow: 28 });
  // from a winter day, so no DST change lies within 88 days
  const from = parseDay('2026-10-26');
  const span = (days) => [from, add('days', from, days)];
  const narrow = (days) => autoResolution(...span(days), false);
  const wide = (days) => autoResolution(...span(days), true);
  assert.equal(narrow(0), 'days');
  assert.equal(narrow(27), 'days');
  assert.equal(narrow(28), 'weeks');
  assert.equal(wide(28), 'days');
  assert.equal(wide(41), 'days');
  assert.equal(wide(42), 'weeks');
  assert.equal(narrow(41), 'weeks');
  for (const f of [narrow, wide]) {
    assert.equal(f(88), 'weeks');
    assert.equal(f(89), 'months');
    assert.equal(f(186), 'months');
  }
  // from/to in either order
  assert.equal(autoResolution(add('days', from, 28), from, false), 'weeks');
  // calendar days: 1 January to 31 March spans 89 days though the switch
  // to summer time on 29 March makes it an hour short of 89 * 24 hours
  const jan = parseDay('2026-01-01');
  const mar = parseDay('2026-03-31');
  assert.equal(mar - jan, 89 * 86400000 - 3600000);
  assert.equal(autoResolution(jan, mar, true), 'months');
  assert.equal(autoResolution(jan, parseDay('2026-03-30'), true), 'weeks');
});
