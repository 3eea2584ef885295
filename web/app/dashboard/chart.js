// chart.js -- "Page views and visitors": uPlot bars (web/vendor/uplot/,
// MIT, pinned in package.json) plus the same numbers as a table for
// screen readers (behind a <details> toggle; the canvas is aria-hidden).
//
// As Offen's chart: per bucket, page views (light) behind visitors (dark),
// so a bar's height is the page views; labels per resolution (§9.2).

import { language, t } from '/common/i18n.js';
import * as fmt from './format.js';
import { h, section, tableWrap } from './dom.js';
import { startOf } from './metrics/time.js';

const HEIGHT = 320;

// The label of a bucket (its reference date) at a resolution. A bucket
// is a whole unit: an hour or a week shows as its start ("10:00 PM", the
// week's Monday), not as the reference moment within it.
export function bucketLabel(date, resolution, locale, long = false) {
  const d = new Date(resolution === 'hours' || resolution === 'weeks' ? startOf(resolution, date) : date);
  if (resolution === 'hours') {
    return long ? d.toLocaleString(locale, { dateStyle: 'medium', timeStyle: 'short' })
      : `${d.getHours()}:00`;
  }
  if (resolution === 'months') return d.toLocaleDateString(locale, { month: long ? 'long' : 'short', year: 'numeric' });
  if (resolution === 'weeks') {
    const iso = isoWeek(d);
    return long ? t('dashboard.chart.week', { n: iso, date: d.toLocaleDateString(locale) }) : `W${iso}`;
  }
  return long ? d.toLocaleDateString(locale, { dateStyle: 'medium' })
    : d.toLocaleDateString(locale, { day: 'numeric', month: 'short' });
}

function isoWeek(d) {
  const x = new Date(Date.UTC(d.getFullYear(), d.getMonth(), d.getDate()));
  const day = x.getUTCDay() || 7;
  x.setUTCDate(x.getUTCDate() + 4 - day);
  const y0 = new Date(Date.UTC(x.getUTCFullYear(), 0, 1));
  return Math.ceil(((x - y0) / 86400000 + 1) / 7);
}

function colours() {
  const css = getComputedStyle(document.documentElement);
  const v = (name, dflt) => css.getPropertyValue(name).trim() || dflt;
  return { fg: v('--fg', '#1b1f24'), line: v('--line', '#6b7682'), pv: v('--chart-pageviews', '#19a974'),
    vis: v('--chart-visitors', '#0b533d') };
}

// uPlot is loaded when the first chart is drawn, after the numbers.
let uPlotModule = null;
function loadUPlot() {
  if (!uPlotModule) uPlotModule = import('/vendor/uplot/uPlot.esm.js').then((m) => m.default);
  return uPlotModule;
}

function plot(uPlot, target, series, resolution) {
  const locale = language();
  const c = colours();
  const labels = series.map((b) => bucketLabel(b.date, resolution, locale));
  const xs = series.map((_, i) => i);
  const bars = uPlot.paths.bars({ size: [0.7, 48] });
  const axis = { stroke: c.fg, grid: { stroke: c.line, width: 0.5 }, ticks: { stroke: c.line } };
  const max = Math.max(1, ...series.map((b) => b.pageviews));
  const opts = {
    width: Math.max(280, target.clientWidth || 600), height: HEIGHT,
    legend: { show: false }, cursor: { drag: { x: false, y: false } },
    scales: { x: { time: false, range: [-0.5, series.length - 0.5] }, y: { range: [0, max * 1.1] } },
    axes: [
      { ...axis, values: (u, splits) => splits.map((i) => (Number.isInteger(i) ? labels[i] ?? '' : '')) },
      { ...axis, values: (u, splits) => splits.map((v) => (Number.isInteger(v) ? fmt.count(v, locale) : '')) },
    ],
    series: [{},
      { label: t('dashboard.col.pageviews'), fill: c.pv, stroke: c.pv, paths: bars, points: { show: false } },
      { label: t('dashboard.col.visitors'), fill: c.vis, stroke: c.vis, paths: bars, points: { show: false } }],
  };
  return new uPlot(opts, [xs, series.map((b) => b.pageviews), series.map((b) => b.visitors)], target);
}

function dataTable(series, resolution, labelId) {
  const locale = language();
  const rows = series.map((b) => h('tr', {},
    h('th', { scope: 'row', text: bucketLabel(b.date, resolution, locale, true) }),
    h('td', { class: 'num', text: fmt.count(b.pageviews, locale) }),
    h('td', { class: 'num', text: fmt.count(b.visitors, locale) })));
  const table = h('table', { 'data-table': 'series' },
    h('caption', { text: t('dashboard.chart.caption') }),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col', text: t('dashboard.chart.when') }),
      h('th', { scope: 'col', text: t('dashboard.col.pageviews') }),
      h('th', { scope: 'col', text: t('dashboard.col.visitors') }))),
    h('tbody', {}, ...rows));
  return tableWrap(table, labelId);
}

// The chart section; returns {el, destroy()}.
export function chartPanel(m) {
  const s = section('dashboard.chart', 'chart');
  const legend = h('p', { class: 'legend' },
    h('span', { class: 'swatch pageviews', 'aria-hidden': 'true' }), t('dashboard.col.pageviews'), ' ',
    h('span', { class: 'swatch visitors', 'aria-hidden': 'true' }), t('dashboard.col.visitors'));
  const target = h('div', { class: 'plot', 'aria-hidden': 'true' });
  const empty = m.pageviews.every((b) => b.pageviews === 0);
  const details = h('details', { class: 'chart-table' },
    h('summary', { text: t('dashboard.chart.showTable') }), dataTable(m.pageviews, m.resolution, s.id));
  s.el.append(legend, empty ? h('p', { class: 'hint', text: t('dashboard.chart.empty') }) : target, details);
  let u = null;
  let observer = null;
  let gone = false;
  const draw = async () => {
    if (empty || u) return;
    const uPlot = await loadUPlot();
    if (gone || u || !target.isConnected) return;
    u = plot(uPlot, target, m.pageviews, m.resolution);
    observer = new ResizeObserver(() => {
      if (u && target.clientWidth) u.setSize({ width: target.clientWidth, height: HEIGHT });
    });
    observer.observe(target);
  };
  return {
    el: s.el,
    draw,
    destroy() {
      gone = true;
      if (observer) observer.disconnect();
      if (u) u.destroy();
      u = null;
    },
  };
}
