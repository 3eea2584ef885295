// time.js -- the windows of a query (offen-client.md §8.4), in the
// browser's local time zone as Offen's are. Pure: node tests import it.
//
// Units: hours | days | weeks (starting on Monday) | months. A window is
// [lo, hi] in ms, both ends inclusive (hi = the last ms of its unit).

export const RESOLUTIONS = ['hours', 'days', 'weeks', 'months'];
const MINUTE = 60 * 1000;

export function startOf(unit, ms) {
  const d = new Date(ms);
  if (unit === 'hours') {
    d.setMinutes(0, 0, 0);
    return d.getTime();
  }
  d.setHours(0, 0, 0, 0);
  if (unit === 'weeks') d.setDate(d.getDate() - ((d.getDay() + 6) % 7));
  if (unit === 'months') d.setDate(1);
  return d.getTime();
}

// ms plus k units (calendar arithmetic: a day is 23 or 25 hours at DST).
export function add(unit, ms, k) {
  const d = new Date(ms);
  if (unit === 'hours') d.setHours(d.getHours() + k);
  else if (unit === 'days') d.setDate(d.getDate() + k);
  else if (unit === 'weeks') d.setDate(d.getDate() + 7 * k);
  else if (unit === 'months') d.setMonth(d.getMonth() + k);
  return d.getTime();
}

export function endOf(unit, ms) {
  return add(unit, startOf(unit, ms), 1) - 1;
}

// Whole units between two times (to - from), as date-fns' differenceIn*.
function diff(unit, to, from) {
  if (unit === 'hours') return Math.trunc((to - from) / (60 * MINUTE));
  if (unit === 'months') {
    const a = new Date(from);
    const b = new Date(to);
    return (b.getFullYear() - a.getFullYear()) * 12 + b.getMonth() - a.getMonth();
  }
  const days = Math.round((startOf('days', to) - startOf('days', from)) / (24 * 60 * MINUTE));
  return unit === 'weeks' ? Math.trunc(days / 7) : days;
}

// The local day of ms as "YYYY-MM-DD": the key of a day partial.
export function dayKey(ms) {
  const d = new Date(ms);
  const p = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

// "YYYY-MM-DD" -> local midnight in ms, or NaN.
export function parseDay(text) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text || '');
  if (!m) return NaN;
  return new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3])).getTime();
}

// The resolution of a custom range without one (offen-client.md §10.7):
// months from 3 months (89 days) on, weeks from 6 weeks (42 days) on a
// wide screen or 4 weeks (28 days) on a narrow one, else days. from and
// to are local midnights (parseDay()); the span counts calendar days, so
// a day of 23 or 25 hours (DST) counts as one.
export const AUTO_MONTHS_DAYS = 89;
export const AUTO_WEEKS_DAYS = { wide: 42, narrow: 28 };
export function autoResolution(from, to, wide) {
  const days = Math.round(Math.abs(to - from) / (24 * 60 * MINUTE));
  if (days >= AUTO_MONTHS_DAYS) return 'months';
  if (days >= AUTO_WEEKS_DAYS[wide ? 'wide' : 'narrow']) return 'weeks';
  return 'days';
}

// Query {range, resolution, from, to, now} -> every window of §8.4:
//   { resolution, range, main: [lo, hi], buckets: [{date, lo, hi}],
//     realtime: [lo, hi], retention: [[lo, hi] x 4, oldest first] }
// Throws on a query Offen rejects (unknown resolution, from without to).
export function windows({ range, resolution = 'days', from, to, now = Date.now() } = {}) {
  let unit = resolution;
  if (!RESOLUTIONS.includes(unit)) throw new Error(`unknown resolution "${resolution}"`);
  if ((from == null) !== (to == null)) throw new Error('from and to go together');
  let lo;
  let hi;
  let n;
  let ref;
  if (from != null) {
    lo = startOf(unit, from);
    hi = endOf(unit, to);
    n = Math.abs(diff(unit, to, from)) + 1;
    ref = to;
  } else if (range === 'yesterday') {
    unit = 'hours';
    lo = startOf('days', add('days', now, -1));
    hi = endOf('days', lo);
    n = 24;
    ref = hi;
  } else {
    n = range == null ? 7 : Number(range);
    if (!Number.isInteger(n) || n < 1) throw new Error(`bad range "${range}"`);
    lo = startOf(unit, add(unit, now, -(n - 1)));
    hi = endOf(unit, now);
    ref = now;
  }
  const buckets = [];
  for (let i = n - 1; i >= 0; i--) {
    const d = add(unit, ref, -i);
    buckets.push({ date: d, lo: startOf(unit, d), hi: endOf(unit, d) });
  }
  const day = 24 * 60 * MINUTE;
  const retention = [3, 2, 1, 0].map((k) => [now - 7 * (k + 1) * day, now - 7 * k * day]);
  return {
    resolution: unit, range: n, main: [lo, hi], buckets,
    realtime: [now - 15 * MINUTE, now], retention,
  };
}

// The earliest instant query q reads but for returning users: the start
// of the local day of its main range, real time or retention, whichever
// is first. Days before it may be pending when q is asked.
export function horizonOf(q = {}) {
  return startOf('days', earliest(windows({ ...q, now: q.now ?? Date.now() })));
}

// The earliest instant windows w read (returning users aside).
export function earliest(w) {
  return Math.min(w.main[0], w.realtime[0], ...w.retention.map(([lo]) => lo));
}
