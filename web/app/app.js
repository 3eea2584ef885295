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

import { loadStrings, t, translate } from '/common/i18n.js';
import * as session from './session.js';

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

function flash(message, isError = false) {
  const box = document.getElementById('flash');
  box.classList.toggle('error', isError);
  box.setAttribute('role', isError ? 'alert' : 'status');
  box.textContent = message;
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
  main.setAttribute('aria-busy', 'true');
  if (!found) {
    main.replaceChildren(Object.assign(document.createElement('p'), { textContent: t('app.notFound') }));
    main.setAttribute('aria-busy', 'false');
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

render().catch((err) => {
  main.setAttribute('aria-busy', 'false');
  main.textContent = t('app.error', { message: err.message });
});
