// query.js -- the dashboard's URL query, read for the metrics engine.
//
// engineQuery(params) turns the page's URLSearchParams into the query of
// metrics/aggregate.js; horizonFor(params) is the first instant that
// query reads (time.js horizonOf()), or null for a query the engine
// refuses. Only time.js is imported, so app.js can read the horizon of
// a dashboard it prefetches without loading the engine.

import { autoResolution, horizonOf, parseDay } from './metrics/time.js';

// URL query -> the engine's query. Custom ranges pick their resolution
// as Offen does (§10.7) unless one is given.
export function engineQuery(q) {
  const out = { filter: q.get('filter') || undefined };
  const now = q.get('now') ? Date.parse(q.get('now')) : NaN;
  if (Number.isFinite(now)) out.now = now;
  const from = parseDay(q.get('from'));
  const to = parseDay(q.get('to'));
  if (Number.isFinite(from) && Number.isFinite(to)) {
    out.from = Math.min(from, to);
    out.to = Math.max(from, to);
    const wide = typeof matchMedia === 'function' && matchMedia('(min-width: 30em)').matches;
    out.resolution = q.get('resolution') || autoResolution(out.from, out.to, wide);
    return out;
  }
  if (q.get('range')) out.range = q.get('range');
  if (q.get('resolution')) out.resolution = q.get('resolution');
  return out;
}

export function horizonFor(q) {
  try {
    return horizonOf(engineQuery(q));
  } catch (e) {
    return null; // a query the engine refuses: every event before the first draw
  }
}
