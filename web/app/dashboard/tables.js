// tables.js -- the dashboard's tables: top pages, referrers, campaigns,
// sources, landing and exit pages, countries (offen-client.md §9.3), the
// retention matrix (§9.6) and the real-time panel's active pages.
//
// Each row's key links to this view filtered by it (§9.4); the active
// filter shows above the metrics with a link that removes it. The top 10
// rows show; a button shows all of them.

import { language, t } from '/common/i18n.js';
import { NONE_GEOLOCATION, NONE_REFERRER } from './metrics/aggregate.js';
import * as fmt from './format.js';
import { h, section, tableWrap, withQuery } from './dom.js';

const TOP = 10;

function countryName(code) {
  try {
    return new Intl.DisplayNames([language()], { type: 'region' }).of(code) || code;
  } catch (e) {
    return code;
  }
}

// The text a key shows as.
export function keyLabel(prop, key) {
  if (key === NONE_REFERRER || key === NONE_GEOLOCATION) return t('dashboard.none');
  if (prop === 'geo') return countryName(key);
  return key;
}

function keyCell(prop, key, active) {
  const label = keyLabel(prop, key);
  const none = key === NONE_REFERRER || key === NONE_GEOLOCATION;
  const a = h('a', {
    href: withQuery({ filter: `${prop}:${key}` }), class: none ? 'none' : null,
    title: t('dashboard.filterBy', { item: label }),
  }, label);
  if (active) a.setAttribute('aria-current', 'true');
  return h('th', { scope: 'row', class: 'key' }, a);
}

function countCells(count, locale) {
  if (Array.isArray(count)) {
    return [h('td', { class: 'num', text: fmt.count(count[0], locale) }),
      h('td', { class: 'num', text: fmt.number(count[1], locale) })];
  }
  return [h('td', { class: 'num', text: fmt.count(count, locale), title: fmt.exact(count, locale) })];
}

// One table: spec {id, titleKey, prop, cols: [keys...]}; rows [{key, count}].
export function dataTable(spec, rows, filter, level = 'h3') {
  const locale = language();
  const s = section(spec.titleKey, 'data-table', level);
  s.el.dataset.table = spec.id;
  const body = h('tbody');
  const active = (key) => filter && filter.prop === spec.prop && filter.value === key;
  let all = false;
  const fill = () => {
    const shown = all ? rows : rows.slice(0, TOP);
    body.replaceChildren(...shown.map((r) => h('tr', {}, keyCell(spec.prop, r.key, active(r.key)),
      ...countCells(r.count, locale))));
    if (!rows.length) {
      body.replaceChildren(h('tr', {}, h('td', { colspan: spec.cols.length, text: t('dashboard.noData') })));
    }
  };
  fill();
  const table = h('table', {},
    h('caption', { class: 'visually-hidden', text: t(spec.titleKey) }),
    h('thead', {}, h('tr', {}, ...spec.cols.map((c) => h('th', { scope: 'col', text: t(c) })))),
    body);
  s.el.append(tableWrap(table, s.id));
  if (rows.length > TOP) {
    const more = h('button', { type: 'button', class: 'link', 'aria-expanded': 'false' },
      t('dashboard.showAll', { n: rows.length }));
    more.addEventListener('click', () => {
      all = !all;
      more.setAttribute('aria-expanded', String(all));
      more.textContent = all ? t('dashboard.showTop') : t('dashboard.showAll', { n: rows.length });
      fill();
    });
    s.el.append(more);
  }
  return s.el;
}

const URL_COLS = (countKey) => ['dashboard.col.url', countKey];
const SESSION_COLS = (keyKey) => [keyKey, 'dashboard.col.sessions', 'dashboard.col.depth'];

export const TABLES = [
  { id: 'pages', titleKey: 'dashboard.table.pages', prop: 'href', cols: URL_COLS('dashboard.col.pageviews') },
  { id: 'referrers', titleKey: 'dashboard.table.referrers', prop: 'referrer', cols: SESSION_COLS('dashboard.col.referrer') },
  { id: 'campaigns', titleKey: 'dashboard.table.campaigns', prop: 'campaign', cols: SESSION_COLS('dashboard.col.campaign') },
  { id: 'sources', titleKey: 'dashboard.table.sources', prop: 'source', cols: SESSION_COLS('dashboard.col.source') },
  { id: 'landingPages', titleKey: 'dashboard.table.landing', prop: 'landing', cols: URL_COLS('dashboard.col.landings') },
  { id: 'exitPages', titleKey: 'dashboard.table.exit', prop: 'exit', cols: URL_COLS('dashboard.col.exits') },
  { id: 'geo', titleKey: 'dashboard.table.geo', prop: 'geo', cols: SESSION_COLS('dashboard.col.country') },
];

export function tablesPanel(m) {
  const s = section('dashboard.tables', 'tables');
  const grid = h('div', { class: 'table-grid' });
  for (const spec of TABLES) grid.append(dataTable(spec, m[spec.id], m.filter));
  s.el.append(grid);
  return s.el;
}

// §9.6: row i is the users first seen in week i, oldest first.
export function retentionPanel(m) {
  const locale = language();
  const s = section('dashboard.retention', 'retention');
  const head = h('tr', {}, h('td'),
    ...[0, 1, 2, 3].map((i) => h('th', { scope: 'col', text: t(`dashboard.retention.col${i}`) })));
  const rows = m.retentionMatrix.map((row, i) => h('tr', {},
    h('th', { scope: 'row', text: t(`dashboard.retention.row${i}`) }),
    ...[0, 1, 2, 3].map((j) => (j < row.length
      ? h('td', { class: 'num cell', style: `--v:${row[j]}`, text: fmt.percentage(row[j], locale) })
      : h('td')))));
  const table = h('table', {},
    h('caption', { class: 'visually-hidden', text: t('dashboard.retention.caption') }),
    h('thead', {}, head), h('tbody', {}, ...rows));
  s.el.append(h('p', { class: 'hint', text: t('dashboard.retention.hint') }), tableWrap(table, s.id));
  return s.el;
}

// The real-time panel: visitors of the last 15 minutes, top 5 pages.
export function realtimePanel(m) {
  const locale = language();
  const s = section('dashboard.realtime', 'card realtime');
  if (m.empty) s.el.append(h('p', { class: 'hint', text: t('dashboard.empty') }));
  s.el.append(h('p', {}, t('dashboard.liveUsers'), ' ',
    h('strong', { 'data-metric': 'liveUsers', text: fmt.count(m.liveUsers, locale) })));
  const top = m.livePages.slice(0, 5);
  const spec = { id: 'livePages', titleKey: 'dashboard.livePages', prop: 'href',
    cols: ['dashboard.col.url', 'dashboard.col.visitors'] };
  s.el.append(dataTable(spec, top, m.filter));
  return s.el;
}
