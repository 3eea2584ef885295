// format.js -- how the dashboard writes numbers (offen-client.md §9.1's
// display formats). Pure: node tests import it. Non-finite values,
// null included, show as 0.

function fixed(v, digits, locale) {
  return v.toLocaleString(locale, { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

function finite(v) {
  return typeof v === 'number' && Number.isFinite(v) ? v : 0;
}

// 2,500 -> "2.5k", 3,200,000 -> "3.2M", else the whole number. The exact
// value is title-worthy only when abbreviated (see exact()).
export function count(v, locale = 'en') {
  const n = finite(v);
  if (n > 1e6) return fixed(n / 1e6, 1, locale) + 'M';
  if (n > 1e3) return fixed(n / 1e3, 1, locale) + 'k';
  return Math.floor(n).toLocaleString(locale);
}

// The exact count when count() abbreviated it, else null.
export function exact(v, locale = 'en') {
  const n = finite(v);
  return n > 1e3 ? Math.floor(n).toLocaleString(locale) : null;
}

export function percentage(v, locale = 'en') {
  return fixed(finite(v) * 100, 1, locale) + ' %';
}

export function duration(v, locale = 'en') {
  const n = finite(v);
  if (n >= 1000) return fixed(n / 1000, 2, locale) + 's';
  return Math.round(n).toLocaleString(locale) + 'ms';
}

export function number(v, locale = 'en') {
  return fixed(finite(v), 1, locale);
}
