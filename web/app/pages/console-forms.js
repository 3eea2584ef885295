// console-forms.js -- the console's forms: create an account and invite a
// colleague (admins), change email, change password, log out.
//
// Creating an account and sharing need the operator's email and password
// again: the server logs in with them to re-wrap the account keys
// (reference §3.9, §3.14). After creating, the page logs in again with the
// same credentials, so the new account's key is at hand at once. Changing
// email or password ends the session (the server clears the cookie): the
// operator logs in again.

import { request } from '../api.js';
import * as session from '../session.js';
import { busy, check, failure, field, h, newPassword, origin, submit, submitting, uid } from './ui.js';

function section(id, key, t, ...children) {
  return h('section', { class: 'card', 'aria-labelledby': id }, h('h2', { id, text: t(key) }), ...children);
}

// The operator's own email and password, asked again for re-wrapping.
function confirmFields(t) {
  const email = field('console.field.yourEmail', { type: 'email', autocomplete: 'username', name: 'confirm-email' });
  const password = field('console.field.yourPassword', { type: 'password', autocomplete: 'current-password', name: 'confirm-password' });
  const box = h('fieldset', {}, h('legend', { text: t('console.confirm.legend') }), email.row, password.row);
  return { email, password, box };
}

export function createSection(ctx, onChange) {
  const { t } = ctx;
  const name = field('console.field.accountName', { name: 'new-account' });
  const me = confirmFields(t);
  const button = submit('console.create.submit');
  const form = h('form', { class: 'stack' }, name.row, me.box, h('div', { class: 'actions' }, button));
  submitting(form, button, [[name, check.filled], [me.email, check.email], [me.password, check.filled]], async () => {
    const accountName = name.input.value.trim();
    const creds = { emailAddress: me.email.input.value.trim(), password: me.password.input.value };
    await request('POST', '/api/accounts', { accountName, ...creds });
    form.reset();
    try {
      await session.logIn(creds.emailAddress, creds.password);
    } catch (err) {
      ctx.flash(t('console.create.relogin'));
      ctx.navigate('/login/');
      return;
    }
    ctx.flash(t('console.create.done', { name: accountName }));
    onChange();
  }, { ctx, messages: { 401: 'console.error.credentials', 400: 'console.create.failed', 403: 'console.create.forbidden', 409: 'console.create.taken' } });
  return section('create-title', 'console.create.title', t, h('p', { class: 'hint', text: t('console.create.lead') }), form);
}

export function shareSection(s, ctx) {
  const { t } = ctx;
  const invitee = field('console.field.invitee', { type: 'email', autocomplete: 'off', name: 'invitee' });
  const selectId = uid('share-account');
  const select = h('select', { id: selectId, name: 'account' },
    h('option', { value: '', text: t('console.share.all') }),
    ...s.accounts.map((a) => h('option', { value: a.accountId, text: a.accountName })));
  const adminId = uid('share-admin');
  const admin = h('input', { type: 'checkbox', id: adminId, name: 'admin', 'aria-describedby': `${adminId}-hint` });
  const me = confirmFields(t);
  const button = submit('console.share.submit');
  const notSelf = (f) => (f.input.value.trim().toLowerCase() === me.email.input.value.trim().toLowerCase()
    ? t('console.share.self') : '');
  const form = h('form', { class: 'stack' }, invitee.row,
    h('div', { class: 'field' }, h('label', { for: selectId, text: t('console.share.which') }), select),
    h('div', { class: 'field check' }, admin, h('label', { for: adminId, text: t('console.share.admin') }),
      h('p', { class: 'hint', id: `${adminId}-hint`, text: t('console.share.adminHint') })),
    me.box, h('div', { class: 'actions' }, button));
  submitting(form, button,
    [[invitee, check.email], [invitee, notSelf], [me.email, check.email], [me.password, check.filled]], async () => {
      const who = invitee.input.value.trim();
      const path = select.value ? `/api/share-account/${encodeURIComponent(select.value)}` : '/api/share-account';
      await request('POST', path, {
        invitee: who,
        emailAddress: me.email.input.value.trim(),
        password: me.password.input.value,
        urlTemplate: `${origin()}/join/{token}/`,
        grantAdminPrivileges: admin.checked,
      });
      form.reset();
      ctx.flash(t('console.share.sent', { email: who }));
    }, { ctx, messages: { 401: 'console.error.credentials', 400: 'console.share.failed' } });
  return section('share-title', 'console.share.title', t, h('p', { class: 'hint', text: t('console.share.lead') }), form);
}

// After a change of credentials the server has ended the session.
function relogin(ctx, key) {
  session.clear();
  ctx.flash(ctx.t(key));
  ctx.navigate('/login/');
}

export function emailSection(ctx) {
  const { t } = ctx;
  const next = field('console.field.newEmail', { type: 'email', autocomplete: 'email', name: 'new-email' });
  const current = field('console.field.currentEmail', { type: 'email', autocomplete: 'username', name: 'current-email' });
  const password = field('console.field.password', { type: 'password', autocomplete: 'current-password', name: 'email-password' });
  const button = submit('console.email.submit');
  const form = h('form', { class: 'stack' }, next.row, current.row, password.row, h('div', { class: 'actions' }, button));
  submitting(form, button, [[next, check.email], [current, check.email], [password, check.filled]], async () => {
    await request('POST', '/api/change-email', {
      emailAddress: next.input.value.trim(), emailCurrent: current.input.value.trim(), password: password.input.value,
    });
    relogin(ctx, 'console.email.done');
  }, { ctx, messages: { 400: 'console.email.failed' } });
  return section('email-title', 'console.email.title', t, form);
}

export function passwordSection(ctx) {
  const { t } = ctx;
  const current = field('console.field.currentPassword', { type: 'password', autocomplete: 'current-password', name: 'current-password' });
  const next = newPassword('console.field.newPassword');
  const repeat = field('console.field.repeat', { type: 'password', autocomplete: 'new-password', name: 'repeat' });
  const button = submit('console.password.submit');
  const form = h('form', { class: 'stack' }, current.row, next.row, repeat.row, h('div', { class: 'actions' }, button));
  submitting(form, button, [[current, check.filled], [next, check.password], [repeat, check.same(next)]], async () => {
    await request('POST', '/api/change-password', {
      currentPassword: current.input.value, changedPassword: next.input.value,
    });
    relogin(ctx, 'console.password.done');
  }, { ctx, messages: { 400: 'console.password.failed' } });
  return section('password-title', 'console.password.title', t, form);
}

export function logoutSection(ctx) {
  const { t } = ctx;
  const button = h('button', { type: 'button', class: 'secondary', text: t('console.logout.submit') });
  button.addEventListener('click', () => busy(button, async () => {
    ctx.flash('');
    try {
      await session.logOut();
    } catch (err) {
      ctx.flash(failure(err), true);
      return;
    }
    ctx.flash(t('console.logout.done'));
    ctx.navigate('/login/');
  }));
  return section('logout-title', 'console.logout.title', t, h('p', { class: 'hint', text: t('console.logout.lead') }),
    h('div', { class: 'actions' }, button));
}
