// join.js -- /join/<token>/: an invited colleague sets their password.
// The token comes from the path; the email must be the invited one.

import { request } from '../api.js';
import { check, field, h, newPassword, submit, submitting, title } from './ui.js';

export function mount(root, ctx) {
  const { t } = ctx;
  const email = field('console.field.email', { type: 'email', autocomplete: 'username', name: 'email' });
  const password = newPassword('console.field.password');
  const repeat = field('console.field.repeat', { type: 'password', autocomplete: 'new-password', name: 'repeat' });
  const button = submit('console.join.submit');
  const form = h('form', { class: 'stack' }, email.row, password.row, repeat.row, h('div', { class: 'actions' }, button));
  submitting(form, button, [[email, check.email], [password, check.password], [repeat, check.same(password)]], async () => {
    await request('POST', '/api/join', {
      emailAddress: email.input.value.trim(), password: password.input.value, token: ctx.params.token,
    });
    ctx.flash(t('console.join.success'));
    ctx.navigate('/login/');
  }, { ctx, messages: { 400: 'console.join.failed' } });
  root.append(title('console.join.title'), h('p', { class: 'lead', text: t('console.join.lead') }), form);
}
