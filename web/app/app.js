// app.js -- the operators' app: one page, routed here.
//
// The server answers every operator route with this page (static.c);
// this module picks the view from the path, loads its strings, and mounts
// it into <main>. A view module exports
//
//   mount(root, ctx) -> optional cleanup function
//
// with ctx = { params, query, session, navigate(path), flash(msg, isError),
// t }. Views behind the auth guard get the restored session; without one
// the guard sends the operator to /login/?next=<here>.
//
// The shell around the views: the language switch (this page with
// ?locale=<lang>, kept across navigation), the message area (flash: a
// polite status, or an alert for errors; flash('') clears it; Escape or
// its button dismisses it), and focus: after each navigation it goes to
// the view's h1 (whose text also names the document), unless the view
// placed it itself.
//
// A page load that lands on an account's dashboard, with a stored login
// that holds the account's key, sends the dashboard's first requests at
// once (dashboard/prefetch.js), before its strings, the session check and
// its modules have loaded.

import {
  LANGUAGES, NATIVE_NAMES, language, loadStrings, localeHref, t, translate,
} from '/common/i18n.js';
import * as session from './session.js';
import { drop as dropPrefetch, prefetch } from './dashboard/prefetch.js';
import { horizonFor } from './dashboard/query.js';

const ROUTES = [
  { re: /^\/login\/?$/, view: './pages/login.js', ns: 'console' },
  { re: /^\/setup\/?$/, view: './pages/setup.js', ns: 'console' },
  { re: /^\/forgot-password\/?$/, view: './pages/forgot.js', ns: 'console' },
  { re: /^\/reset-password\/([^/]+)\/?$/, view: './pages/reset.js', ns: 'console', params: ['token'] },
  { re: /^\/join\/([^/]+)\/?$/, view: './pages/join.js', ns: 'console', params: ['token'] },
  { re: /^\/console\/?$/, view: './pages/console.js', ns: 'console', auth: true },
  { re: /^\/auditorium\/([^/]+)\/?$/, view: './dashboard/index.js', ns: 'dashboard', auth: true, params: ['accountId'] },
];

const main = document.getElementById('main');
let cleanup = null;

// One message at a time, in the polite status region or, for errors, the
// alert region; an empty message clears both. A message stays until it is
// replaced, dismissed (its button, or Escape), or a later one comes.
function flash(message, isError = false) {
  const status = document.getElementById('flash');
  const alert = document.getElementById('alert');
  status.replaceChildren();
  alert.replaceChildren();
  if (!message) return;
  const text = Object.assign(document.createElement('p'), { textContent: message });
  const close = Object.assign(document.createElement('button'), {
    type: 'button', className: 'dismiss', textContent: t('app.dismiss'),
  });
  close.addEventListener('click', () => flash(''));
  (isError ? alert : status).replaceChildren(text, close);
}

document.addEventListener('keydown', (e) => {
  if (e.key === 'Escape' && !e.defaultPrevented && !document.querySelector('dialog[open]')) flash('');
});

// The language switch: this page in each language, the current one marked.
function renderNav() {
  const nav = document.getElementById('nav');
  const list = document.createElement('ul');
  list.className = 'languages';
  for (const l of LANGUAGES) {
    const a = Object.assign(document.createElement('a'), {
      href: localeHref(location.pathname, location.search, l), textContent: NATIVE_NAMES[l],
    });
    a.lang = l;
    a.hreflang = l;
    if (l === language()) a.setAttribute('aria-current', 'true');
    const li = document.createElement('li');
    li.append(a);
    list.append(li);
  }
  nav.replaceChildren(list);
}

// Keep ?locale= across navigation, as Offen does.
function withLocale(path) {
  const locale = new URLSearchParams(location.search).get('locale');
  if (!locale || /[?&]locale=/.test(path)) return path;
  return path + (path.includes('?') ? '&' : '?') + 'locale=' + encodeURIComponent(locale);
}

export function navigate(path, { replace = false } = {}) {
  const to = withLocale(path);
  if (replace) history.replaceState(null, '', to);
  else history.pushState(null, '', to);
  render();
}

function match(pathname) {
  for (const r of ROUTES) {
    const m = r.re.exec(pathname);
    if (!m) continue;
    const params = {};
    (r.params || []).forEach((name, i) => { params[name] = decodeURIComponent(m[i + 1]); });
    return { route: r, params };
  }
  return null;
}

async function render() {
  if (cleanup) {
    try { cleanup(); } catch (e) { /* a view's cleanup must not stop the next */ }
    cleanup = null;
  }
  const found = match(location.pathname);
  await loadStrings(['common', found ? found.route.ns : 'console']);
  translate(document);
  renderNav();
  document.title = t('app.brand');
  main.setAttribute('aria-busy', 'true');
  if (!found) {
    main.replaceChildren(Object.assign(document.createElement('h1'), { textContent: t('app.notFound') }));
    main.setAttribute('aria-busy', 'false');
    focusView();
    return;
  }
  let s = null;
  if (found.route.auth) {
    main.textContent = t('app.checkingAuth');
    s = await session.restore();
    if (!s) {
      flash(t('app.pleaseLogIn'));
      navigate('/login/?next=' + encodeURIComponent(location.pathname + location.search), { replace: true });
      return;
    }
  }
  const view = await import(found.route.view);
  main.replaceChildren();
  cleanup = (await view.mount(main, {
    params: found.params,
    query: new URLSearchParams(location.search),
    session: s,
    navigate,
    flash,
    t,
  })) || null;
  main.setAttribute('aria-busy', 'false');
  focusView();
}

// After a navigation, focus goes to the view's heading (so a screen reader
// announces the new page), unless the view put it somewhere itself.
function focusView() {
  const h1 = main.querySelector('h1');
  if (h1) document.title = `${h1.textContent} | ${t('app.brand')}`;
  const active = document.activeElement;
  if (active && active !== document.body && active !== main && document.contains(active) &&
      !document.getElementById('nav').contains(active)) return;
  if (h1) {
    if (!h1.hasAttribute('tabindex')) h1.setAttribute('tabindex', '-1');
    h1.focus();
  } else {
    main.focus();
  }
}

window.addEventListener('popstate', () => { render(); });
// Links inside the app navigate without a reload.
document.addEventListener('click', (e) => {
  const a = e.target.closest && e.target.closest('a[href]');
  if (!a || a.target || e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey) return;
  const url = new URL(a.href, location.href);
  if (url.origin !== location.origin || !match(url.pathname)) return;
  e.preventDefault();
  navigate(url.pathname + url.search);
});

{
  const found = match(location.pathname);
  if (found && found.route.view === './dashboard/index.js' &&
      session.keyFor(session.stored(), found.params.accountId)) {
    prefetch(found.params.accountId, horizonFor(new URLSearchParams(location.search)));
  }
}

render().catch((err) => {
  main.setAttribute('aria-busy', 'false');
  main.textContent = t('app.error', { message: err.message });
}).finally(dropPrefetch);
