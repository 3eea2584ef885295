// dom.js -- the element builder of every page (the app, the dashboard, the
// vault's banner, the visitor's page), and unique ids for the elements
// they tie together (label for, aria-*).

// h('p', { class: 'hint', text: 'Hello', onclick: fn }, child, 'text', ...)
// Attributes: class, text, on<event> (a function), true (present),
// false/null/undefined (absent), anything else set as written. Children
// may be nested arrays; null, undefined and false are skipped.
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

// uid('f') -> 'f-1', 'f-2', ...: unique within the page.
let seq = 0;
export function uid(prefix) {
  seq += 1;
  return `${prefix}-${seq}`;
}
