// console.js -- /console/: the operator's accounts and settings.
//
// Everyone sees their accounts (with the embed code), can change email and
// password and log out; admins (adminLevel 1) also create, retire and
// style accounts and invite colleagues. After a change that alters the
// login (an account created or retired) the view draws itself again from
// the stored session.

import * as session from '../session.js';
import { accountsSection } from './console-accounts.js';
import { createSection, emailSection, logoutSection, passwordSection, shareSection } from './console-forms.js';
import { h, title } from './ui.js';

export function mount(root, ctx) {
  const { t } = ctx;
  const draw = () => {
    const s = session.stored() || ctx.session;
    const admin = s.adminLevel === 1;
    root.replaceChildren(
      title('console.console.title'),
      h('p', { class: 'lead', text: t(admin ? 'console.console.leadAdmin' : 'console.console.lead') }),
      accountsSection(s, ctx, redraw),
      admin ? createSection(ctx, redraw) : null,
      admin && s.accounts.length ? shareSection(s, ctx) : null,
      emailSection(ctx),
      passwordSection(ctx),
      logoutSection(ctx),
    );
  };
  // Drawn again after a change: focus goes to the heading, as after a
  // navigation, so it is not lost with the replaced elements.
  const redraw = () => {
    draw();
    root.querySelector('h1').focus();
  };
  draw();
}
