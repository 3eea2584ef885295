/* script.js -- Candor's embed script, for the operator's web pages.
 *
 *   <script async src="https://CANDOR/script.js" data-account-id="ID"></script>
 *
 * It builds a page-view record from what the page itself can see and
 * hands it to the vault: a hidden iframe on Candor's origin (CANDOR/vault),
 * which asks for consent, encrypts and sends. This script never touches
 * cookies, keys, storage or the API. It is Offen's embed script,
 * attribute for attribute:
 *
 *   data-account-id   the account (required)
 *   data-use-api      no automatic page views; the page calls
 *                     window.__offen__.pageview([options], [callback]) and
 *                     window.__offen__.acquireConsent([callback])
 *   data-locale       passed on to the vault
 *
 * Automatic mode sends a page view once the DOM is ready and again on every
 * history navigation (pushState, replaceState to another URL, popstate).
 * The only global it defines is window.__offen__; a second copy of the
 * script on the same page does nothing.
 */
(function () {
  'use strict';
  var script = document.currentScript;
  if (window.__offen__ || !script || !script.src) return;

  var api = {};
  window.__offen__ = api;
  var accountId = script.getAttribute('data-account-id');
  var useApi = script.hasAttribute('data-use-api');
  var vaultUrl = new URL('/vault', new URL(script.src, location.href).origin);
  if (accountId) vaultUrl.searchParams.set('accountId', accountId);
  if (script.getAttribute('data-locale')) {
    vaultUrl.searchParams.set('locale', script.getAttribute('data-locale'));
  }
  var vaultOrigin = vaultUrl.origin;
  var vault = null; /* Promise of the iframe, made on first use */

  function supported() {
    return typeof window.indexedDB === 'object' && typeof window.Promise === 'function' &&
      typeof window.MessageChannel === 'function';
  }

  function whenIdle(fn) {
    if (typeof window.requestIdleCallback === 'function') {
      window.requestIdleCallback(fn, { timeout: 2000 });
    } else {
      setTimeout(fn, 0);
    }
  }

  function whenReady(fn) {
    if (document.readyState === 'loading') {
      /* after the event, so its end time is known (page-load time) */
      document.addEventListener('DOMContentLoaded', function () { setTimeout(fn, 0); });
    } else {
      setTimeout(fn, 0);
    }
  }

  /* --- the vault iframe and its styles ---------------------------------- */

  var sheet = null;
  var styleEl = null;
  var shown = false;
  var focusBefore = null;

  /* The vault's CSS for its iframe. A constructed style sheet where the
   * browser has them, so pages whose CSP forbids inline styles work too. */
  function setHostStyles(css) {
    if (!sheet && !styleEl && 'adoptedStyleSheets' in document &&
        typeof CSSStyleSheet === 'function') {
      try {
        sheet = new CSSStyleSheet();
        sheet.replaceSync('');
        document.adoptedStyleSheets = document.adoptedStyleSheets.concat([sheet]);
      } catch (e) {
        sheet = null;
      }
    }
    if (sheet) {
      sheet.replaceSync(css);
      return;
    }
    if (!styleEl) {
      styleEl = document.createElement('style');
      styleEl.id = 'offen-vault-styles';
      document.head.appendChild(styleEl);
    }
    styleEl.textContent = css;
  }

  /* When the banner appears, focus goes into it; when it goes, focus
   * returns to where it was. */
  function trackFocus(frame) {
    var visible = window.getComputedStyle(frame).display !== 'none';
    if (visible && !shown) {
      focusBefore = document.activeElement;
      frame.focus({ preventScroll: true });
    } else if (!visible && shown && document.activeElement === frame) {
      if (focusBefore && focusBefore !== frame && document.contains(focusBefore) &&
          typeof focusBefore.focus === 'function') {
        focusBefore.focus();
      }
      /* focus() is a no-op on what cannot take focus (the body, most
       * often); the hidden frame must not keep it until the browser's
       * next rendering step moves it */
      if (document.activeElement === frame) frame.blur();
      focusBefore = null;
    }
    shown = visible;
  }

  function onStyles(frame, payload) {
    if (!payload || typeof payload !== 'object') return;
    if (typeof payload.styles === 'string') setHostStyles(payload.styles);
    var attrs = payload.attributes;
    if (attrs && typeof attrs === 'object' && /^\d{1,5}$/.test(String(attrs.height))) {
      frame.setAttribute('height', String(attrs.height));
    }
    trackFocus(frame);
  }

  function createVault() {
    return new Promise(function (resolve, reject) {
      whenReady(function () {
        var frame = document.createElement('iframe');
        frame.src = vaultUrl.toString();
        frame.style.display = 'none';
        frame.setAttribute('frameborder', '0');
        frame.setAttribute('scrolling', 'no');
        frame.title = 'Consent to usage statistics';
        frame.id = 'offen-vault-' + Math.random().toString(36).slice(2, 10);
        frame.addEventListener('load', function () { resolve(frame); });
        frame.addEventListener('error', function () { reject(new Error('The vault did not load.')); });
        document.body.appendChild(frame);
      });
    });
  }

  /* One request to the vault, answered on its own channel. */
  function post(message) {
    if (!vault) vault = createVault();
    return vault.then(function (frame) {
      return new Promise(function (resolve, reject) {
        var channel = new MessageChannel();
        channel.port1.onmessage = function (ev) {
          var data = ev.data || {};
          if (data.type === 'STYLES') {
            onStyles(frame, data.payload);
            return;
          }
          /* the port stays open: the vault may still hide its banner */
          if (data.type === 'ERROR') {
            var p = data.payload || {};
            var err = new Error(p.error || 'The vault reported an error.');
            err.originalStack = p.stack;
            err.status = p.status;
            reject(err);
          } else {
            resolve(ev.data === null ? {} : ev.data);
          }
        };
        message.host = '#' + frame.id;
        frame.contentWindow.postMessage(message, vaultOrigin, [channel.port2]);
      });
    });
  }

  function send(message, callback) {
    var done = typeof callback === 'function' ? callback : function () {};
    if (!supported()) {
      console.log('Candor does not support this browser: it lacks IndexedDB.');
      console.log('No usage data will be collected.');
      return;
    }
    whenIdle(function () {
      post(message).then(function (res) { done(null, res); }, function (err) { done(err); });
    });
  }

  /* --- page views -------------------------------------------------------- */

  function pageloadTime() {
    try {
      var nav = performance.getEntriesByType && performance.getEntriesByType('navigation')[0];
      var ms = nav ? nav.domContentLoadedEventEnd - nav.startTime :
        performance.timing.domContentLoadedEventEnd - performance.timing.navigationStart;
      return ms > 0 ? Math.round(ms) : null;
    } catch (e) {
      return null;
    }
  }

  /* Offen's PAGEVIEW skeleton; the vault adds time, session and country. */
  function skeleton(subsequent) {
    var href = location.href;
    var event = { type: 'PAGEVIEW', href: href };
    var link = document.head && document.head.querySelector('link[rel="canonical"]');
    if (link && link.getAttribute('href')) {
      try {
        var canonical = new URL(link.getAttribute('href'), href).toString();
        if (canonical !== href) {
          event.href = canonical;
          event.rawHref = href;
        }
      } catch (e) { /* a broken canonical link: keep location.href */ }
    }
    event.referrer = document.referrer;
    event.pageload = subsequent ? null : pageloadTime();
    event.isMobile = typeof window.onorientationchange !== 'undefined';
    return event;
  }

  function pageview(options, callback) {
    if (typeof options === 'function') {
      callback = options;
      options = {};
    }
    options = options || {};
    var event = skeleton(Boolean(options.subsequent));
    send({
      type: 'EVENT',
      payload: { accountId: accountId, event: event },
      meta: { skipConsent: Boolean(options.skipConsent) }
    }, callback);
  }

  function acquireConsent(callback) {
    send({ type: 'ACQUIRE_CONSENT', payload: null }, callback);
  }

  if (useApi) {
    api.pageview = pageview;
    api.acquireConsent = acquireConsent;
    return;
  }

  /* Automatic mode. */
  var lastHref = null;
  function track(subsequent) {
    lastHref = location.href;
    pageview({ subsequent: subsequent });
  }
  function navigated(kind) {
    if (kind === 'replaceState' && location.href === lastHref) return;
    track(true);
  }
  ['pushState', 'replaceState'].forEach(function (name) {
    var original = history[name];
    if (typeof original !== 'function') return;
    history[name] = function () {
      var result = original.apply(this, arguments);
      navigated(name);
      return result;
    };
  });
  window.addEventListener('popstate', function () { navigated('popstate'); });
  whenReady(function () { track(false); });
})();
