// dom.js -- the dashboard's element builder and its URL helpers.

import { t } from '/common/i18n.js';
import { h, uid } from '/common/dom.js';

// The element builder (web/common/dom.js), for the dashboard's modules.
export { h };

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
export function section(titleKey, cls, level = 'h2', landmark = false) {
  const id = uid('dash');
  const heading = h(level, { id, text: t(titleKey) });
  return { el: h('section', { class: cls, 'aria-labelledby': landmark ? id : null }, heading), id, heading };
}

// A focusable, labelled wrapper for a table (keyboard users can scroll it).
export function tableWrap(table, labelId) {
  return h('div', { class: 'table-wrap', role: 'region', tabindex: '0', 'aria-labelledby': labelId }, table);
}
