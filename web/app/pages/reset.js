// reset.js -- /reset-password/<token>/: set a new password with the link
// from the mail. The token comes from the path; the email must be the one
// the link was sent to.

import { request } from '../api.js';
import { check, field, h, link, newPassword, submit, submitting, title } from './ui.js';

export function mount(root, ctx) {
  const { t } = ctx;
  const email = field('console.field.email', { type: 'email', autocomplete: 'username', name: 'email' });
  const password = newPassword('console.field.newPassword');
  const repeat = field('console.field.repeat', { type: 'password', autocomplete: 'new-password', name: 'repeat' });
  const button = submit('console.reset.submit');
  const form = h('form', { class: 'stack' }, email.row, password.row, repeat.row, h('div', { class: 'actions' }, button));
  submitting(form, button, [[email, check.email], [password, check.password], [repeat, check.same(password)]], async () => {
    await request('POST', '/api/reset-password', {
      emailAddress: email.input.value.trim(), password: password.input.value, token: ctx.params.token,
    });
    ctx.flash(t('console.reset.success'));
    ctx.navigate('/login/');
  }, { ctx, messages: { 400: 'console.reset.failed' } });
  root.append(title('console.reset.title'), h('p', { class: 'lead', text: t('console.reset.lead') }), form,
    h('p', {}, link('/forgot-password/', 'console.reset.again')));
}
