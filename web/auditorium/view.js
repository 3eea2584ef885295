// view.js -- drawing the visitor's page: their choice, and per website
// what was collected, in plain words.

import { h as el } from '../common/dom.js';

// The element builder (web/common/dom.js), for visitor-page.js too.
export { el };

const dateTime = new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeStyle: 'short' });
let regions = null;
try {
  regions = new Intl.DisplayNames(['en'], { type: 'region' });
} catch (e) {
  regions = null;
}

function timeEl(date) {
  if (!(date instanceof Date) || Number.isNaN(date.getTime())) return el('span', { class: 'muted', text: 'unknown' });
  return el('time', { datetime: date.toISOString(), text: dateTime.format(date) });
}

// When the page view happened: the visitor's clock, else the server's.
export function whenOf(ev) {
  const t = ev.payload && typeof ev.payload.timestamp === 'string' ? new Date(ev.payload.timestamp) : null;
  return t && !Number.isNaN(t.getTime()) ? t : ev.receivedAt;
}

function country(code) {
  if (typeof code !== 'string' || !/^[A-Z]{2}$/.test(code)) return 'unknown';
  const name = regions ? regions.of(code) : null;
  return name && name !== code ? `${name} (${code})` : code;
}

function referrerText(ref) {
  return typeof ref === 'string' && ref !== '' ? ref : 'nowhere (typed, bookmarked, or not told)';
}

function pageloadText(ms) {
  return typeof ms === 'number' && ms > 0 ? `${(ms / 1000).toFixed(2)} s` : 'not measured';
}

function row(ev) {
  const p = ev.payload || {};
  const page = typeof p.href === 'string' ? p.href : '';
  return el('tr', { 'data-event-id': ev.eventId }, [
    el('td', {}, timeEl(whenOf(ev))),
    el('td', { class: 'url' }, page),
    el('td', { class: 'url' }, referrerText(p.referrer)),
    el('td', {}, p.isMobile === true ? 'phone or tablet' : 'computer'),
    el('td', {}, pageloadText(p.pageload)),
    el('td', {}, country(p.geo)),
  ]);
}

function summary(events) {
  const n = events.length;
  const sessions = new Set(events.map((e) => e.payload.sessionId).filter(Boolean)).size;
  const first = whenOf(events[0]);
  const last = whenOf(events[n - 1]);
  const parts = [`You viewed ${n} ${n === 1 ? 'page' : 'pages'}`];
  if (n === 1) parts.push(' on ', timeEl(first));
  else parts.push(' between ', timeEl(first), ' and ', timeEl(last));
  if (sessions > 0) parts.push(`, in ${sessions} ${sessions === 1 ? 'visit' : 'visits'}`);
  parts.push('.');
  return el('p', {}, parts);
}

// One website's section: a heading, a sentence, and the page views.
export function accountSection(index, account) {
  const { accountId, name, events, unreadable } = account;
  const title = name || `Website account ${accountId}`;
  const hid = `account-${index}`;
  const cid = `account-${index}-caption`;
  const children = [el('h3', { id: hid, text: title })];
  if (events.length > 0) {
    children.push(summary(events));
    const newest = events.slice().reverse();
    children.push(el('div', { class: 'table-wrap', role: 'region', 'aria-labelledby': cid, tabindex: '0' },
      el('table', {}, [
        el('caption', { id: cid, text: `Page views on ${title}, newest first` }),
        el('thead', {}, el('tr', {}, ['When', 'Page', 'Came from', 'Device', 'Page load', 'Country (from time zone)']
          .map((h) => el('th', { scope: 'col', text: h })))),
        el('tbody', {}, newest.map(row)),
      ])));
  }
  if (unreadable > 0) {
    children.push(el('p', { class: 'muted', text:
      `${unreadable} more ${unreadable === 1 ? 'page view is' : 'page views are'} stored for you on this ` +
      'website, but this browser does not hold the key to read them (it was made in another ' +
      'browser, or before this browser lost its data). Deleting removes them too.' }));
  }
  return el('section', { class: 'account', 'aria-labelledby': hid, 'data-account-id': accountId }, children);
}

export function emptyNotice() {
  return el('p', { text: 'Nothing has been collected about you in this browser.' });
}

// The consent part: a sentence, and the buttons that change it.
export function consentParts(status) {
  if (status === 'allow') {
    return {
      text: 'You allow websites that use this server to count your visits. They will not ask you again.',
      actions: [{ id: 'deny', label: 'Opt out and delete my data' }],
    };
  }
  if (status === 'deny') {
    return {
      text: 'You have opted out. Nothing about your visits is collected.',
      actions: [{ id: 'allow', label: 'Allow counting my visits' }],
    };
  }
  return {
    text: 'You have not decided yet. Nothing is collected until you allow it.',
    actions: [{ id: 'allow', label: 'Allow counting my visits' }, { id: 'deny', label: 'Do not allow' }],
  };
}
