// panels.js -- the dashboard's account chooser, range selector, filter
// line, key metrics and the progress indicator.

import { language, t } from '/common/i18n.js';
import * as fmt from './format.js';
import { dayKey, parseDay } from './metrics/time.js';
import { h, section, withQuery } from './dom.js';
import { keyLabel } from './tables.js';

const DAY = 24 * 60 * 60 * 1000;
// Retention names (offen-server.md) -> days.
export const RETENTION_DAYS = { '6months': 186, '12weeks': 84, '6weeks': 42, '30days': 30, '7days': 7 };

// The presets: query parameters and the retention they need (days).
export const PRESETS = [
  { id: '24h', params: { range: '24', resolution: 'hours' }, needs: 1 },
  { id: '7d', params: {}, needs: 7 },
  { id: '28d', params: { range: '28', resolution: 'days' }, needs: 28 },
  { id: '6m', params: { range: '6', resolution: 'months' }, needs: 183 },
];

// Which preset the query is, or 'custom', or null.
export function activePreset(query) {
  if (query.get('from') || query.get('to')) return 'custom';
  const range = query.get('range');
  const res = query.get('resolution');
  for (const p of PRESETS) {
    if ((p.params.range || null) === range && (p.params.resolution || null) === (range ? res : null)) return p.id;
  }
  return null;
}

export function accountsPanel(session, accountId) {
  const s = section('dashboard.accounts', 'accounts');
  const list = h('ul', { class: 'inline' });
  const sorted = session.accounts.slice().sort((a, b) => a.accountName.localeCompare(b.accountName));
  for (const a of sorted) {
    const link = h('a', { href: withQuery({}, `/auditorium/${encodeURIComponent(a.accountId)}/`), text: a.accountName });
    if (a.accountId === accountId) link.setAttribute('aria-current', 'page');
    list.append(h('li', {}, link));
  }
  s.el.append(list, h('p', {}, h('a', { href: withQuery({ range: null, resolution: null, from: null, to: null, filter: null, now: null }, '/console/'),
    text: t('dashboard.console') }), ' ', h('span', { class: 'hint', text: t('dashboard.consoleHint') })));
  return s.el;
}

// The range selector; onCustom(from, to) navigates to a custom range.
export function rangePanel(query, retentionPeriod, onCustom, now = Date.now()) {
  const s = section('dashboard.range', 'range');
  const keep = retentionPeriod in RETENTION_DAYS ? RETENTION_DAYS[retentionPeriod] : 186;
  const active = activePreset(query);
  const list = h('ul', { class: 'inline presets' });
  for (const p of PRESETS) {
    const label = t(`dashboard.range.${p.id}`);
    if (p.needs > keep) {
      list.append(h('li', {}, h('span', { class: 'unavailable', text: label, title: t('dashboard.range.unavailable') })));
      continue;
    }
    const params = { range: null, resolution: null, from: null, to: null, ...p.params };
    const a = h('a', { href: withQuery(params), text: label });
    if (active === p.id) a.setAttribute('aria-current', 'true');
    list.append(h('li', {}, a));
  }
  const min = dayKey(now - (keep - 1) * DAY);
  const max = dayKey(now);
  const from = h('input', { type: 'date', id: 'range-from', name: 'from', min, max, required: true,
    value: query.get('from') || dayKey(now - 6 * DAY) });
  const to = h('input', { type: 'date', id: 'range-to', name: 'to', min, max, required: true,
    value: query.get('to') || max });
  const error = h('p', { class: 'field-error', id: 'range-error', role: 'alert' });
  const form = h('form', { class: 'custom', 'aria-labelledby': 'range-custom-label' },
    h('p', { id: 'range-custom-label', class: active === 'custom' ? 'current' : null, text: t('dashboard.range.custom') }),
    h('label', { for: 'range-from', text: t('dashboard.range.from') }), from,
    h('label', { for: 'range-to', text: t('dashboard.range.to') }), to,
    h('button', { type: 'submit', text: t('dashboard.range.apply') }), error);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const a = parseDay(from.value);
    const b = parseDay(to.value);
    if (!Number.isFinite(a) || !Number.isFinite(b) || a > b || from.value < min || to.value > max) {
      error.textContent = t('dashboard.range.invalid', { min, max });
      from.setAttribute('aria-invalid', 'true');
      return;
    }
    onCustom(from.value, to.value);
  });
  s.el.append(list, form);
  return s.el;
}

export function filterLine(filter) {
  if (!filter) return null;
  return h('p', { class: 'filter-line', role: 'status' },
    t('dashboard.filter.active', { prop: t(`dashboard.filter.prop.${filter.prop}`), value: keyLabel(filter.prop, filter.value) }),
    ' ', h('a', { href: withQuery({ filter: null }), text: t('dashboard.filter.remove') }));
}

export const METRICS = [
  ['uniqueUsers', fmt.count], ['uniqueSessions', fmt.count], ['totalPageviews', fmt.count],
  ['avgPageDepth', fmt.number], ['bounceRate', fmt.percentage], ['returningUsers', fmt.percentage],
  ['mobileShare', fmt.percentage], ['avgPageload', fmt.duration],
];

export function metricsPanel(m) {
  const locale = language();
  const s = section('dashboard.metrics', 'metrics');
  const dl = h('dl', { class: 'metric-grid' });
  for (const [key, f] of METRICS) {
    const title = f === fmt.count ? fmt.exact(m[key], locale) : null;
    dl.append(h('div', {}, h('dt', { text: t(`dashboard.metric.${key}`) }),
      h('dd', { 'data-metric': key, title, text: f(m[key], locale) })));
  }
  s.el.append(dl);
  return s.el;
}

// The progress indicator: set({phase, done, total}); text and bar.
export function progress() {
  const bar = h('div', { class: 'bar' });
  const meter = h('div', { class: 'meter', role: 'progressbar', 'aria-valuemin': '0', 'aria-valuemax': '100',
    'aria-valuenow': '0', 'aria-labelledby': 'dash-progress-text' }, bar);
  const text = h('p', { id: 'dash-progress-text', 'aria-live': 'polite', text: t('dashboard.progress.fetch') });
  const el = h('div', { class: 'progress' }, text, meter);
  const locale = language();
  return {
    el,
    set({ phase, done = 0, total = 0 }) {
      const pct = phase === 'fetch' ? 0 : phase === 'aggregate' ? 100 : total ? Math.floor((done / total) * 100) : 0;
      meter.setAttribute('aria-valuenow', String(pct));
      bar.style.width = `${pct}%`;
      text.textContent = phase === 'decrypt'
        ? t('dashboard.progress.decrypt', { done: done.toLocaleString(locale), total: total.toLocaleString(locale) })
        : t(`dashboard.progress.${phase}`);
    },
  };
}
