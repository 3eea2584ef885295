// dom.js -- the dashboard's element builder and its URL helpers.

import { t } from '/common/i18n.js';

// h('p', {class: 'x', text: 'Hi', onclick: fn}, child, ...)
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === false || v === null || v === undefined) continue;
    if (k === 'class') el.className = v;
    else if (k === 'text') el.textContent = v;
    else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) {
    if (c !== null && c !== undefined && c !== false) el.append(c);
  }
  return el;
}

// This page's URL with some query parameters set (a value) or removed
// (null); every other parameter, ?locale= and ?filter= included, stays.
export function withQuery(changes, pathname = location.pathname) {
  const q = new URLSearchParams(location.search);
  for (const [k, v] of Object.entries(changes)) {
    if (v === null || v === undefined) q.delete(k);
    else q.set(k, v);
  }
  const s = q.toString();
  return s ? `${pathname}?${s}` : pathname;
}

// A section with a heading. Its id labels the section (a landmark) when
// `landmark`; sections holding a table leave that to the table's own
// region (tableWrap), so no two landmarks share a name.
let seq = 0;
export function section(titleKey, cls, level = 'h2', landmark = false) {
  seq += 1;
  const id = `dash-${seq}`;
  const heading = h(level, { id, text: t(titleKey) });
  return { el: h('section', { class: cls, 'aria-labelledby': landmark ? id : null }, heading), id, heading };
}

// A focusable, labelled wrapper for a table (keyboard users can scroll it).
export function tableWrap(table, labelId) {
  return h('div', { class: 'table-wrap', role: 'region', tabindex: '0', 'aria-labelledby': labelId }, table);
}
