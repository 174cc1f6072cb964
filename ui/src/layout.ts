// The header: the app's name, the links the user's roles open, who is signed in, the inbox badge,
// the VI | EN toggle and sign-out.
import { h, replace } from './dom.ts';
import { getLang, t, tKey, type Key, type Lang } from './i18n.ts';
import { hasRole, mustChangePassword, session } from './session.ts';
import type { Role } from './types.ts';

interface NavLink {
  hash: string;
  label: Key;
  roles: Role[];
  testid: string;
}
const NAV: NavLink[] = [
  { hash: '#/tasks', label: 'navTasks', roles: ['staff', 'admin'], testid: 'nav-tasks' },
  { hash: '#/calendar', label: 'stf_navCalendar', roles: ['staff', 'admin'], testid: 'nav-calendar' },
  { hash: '#/board', label: 'navBoard', roles: ['supervisor', 'admin'], testid: 'nav-board' },
  { hash: '#/definitions', label: 'navDefinitions', roles: ['admin'], testid: 'nav-definitions' },
  { hash: '#/campaigns', label: 'navCampaigns', roles: ['admin'], testid: 'nav-campaigns' },
  { hash: '#/cohort', label: 'adm_navCohort', roles: ['admin'], testid: 'nav-cohort' },
  { hash: '#/units', label: 'navUnits', roles: ['admin'], testid: 'nav-units' },
  { hash: '#/users', label: 'navUsers', roles: ['admin'], testid: 'nav-users' },
  { hash: '#/audit', label: 'navAudit', roles: ['admin'], testid: 'nav-audit' },
];

export interface HeaderActions {
  onLang(lang: Lang): void;
  onLogout(): void;
}

export function renderHeader(header: HTMLElement, actions: HeaderActions): void {
  const user = session.user;
  const current = location.hash.split('?')[0]!.split('/').slice(0, 2).join('/');
  const langToggle = h(
    'div',
    { class: 'lang', role: 'group', 'aria-label': t('wlk_language') },
    (['vi', 'en'] as const).map((l) =>
      h(
        'button',
        {
          type: 'button',
          class: l === getLang() ? 'lang-on' : '',
          'aria-pressed': String(l === getLang()),
          'data-testid': `lang-${l}`,
          onclick: () => actions.onLang(l),
        },
        l.toUpperCase(),
      ),
    ),
  );
  const brand = h('a', { class: 'brand', href: user ? '#/' : '#/login' }, t('appName'));
  if (!user) {
    replace(header, brand, h('span', { class: 'spacer' }), langToggle);
    return;
  }
  // while the password must change, the header offers nothing but signing out
  const forced = mustChangePassword();
  const links = NAV.filter((n) => !forced && hasRole(...n.roles)).map((n) =>
    h('a', { href: n.hash, 'data-testid': n.testid, class: current === n.hash ? 'active' : '' }, t(n.label)),
  );
  const inbox = h('a', { href: '#/inbox', 'data-testid': 'nav-inbox', class: current === '#/inbox' ? 'active' : '' }, t('navInbox'));
  fillInboxLink(inbox);
  const grant = user.grants[0];
  const otherUnits = new Set(user.grants.map((g) => g.unitId)).size - 1;
  const who = h(
    'div',
    { class: 'who', 'data-testid': 'who' },
    h('strong', { 'data-testid': 'user-name' }, user.name),
    h(
      'span',
      { class: 'muted' },
      [...new Set(user.grants.map((g) => tKey('role', g.role)))].join(', '),
      grant ? ` · ${grant.unitName}` : '',
      otherUnits > 0 ? ` +${otherUnits}` : '',
    ),
    h(
      'span',
      { class: 'who-links' },
      forced ? null : h('a', { href: '#/password', 'data-testid': 'nav-password' }, t('changePassword')),
      h('button', { type: 'button', class: 'link', 'data-testid': 'logout', onclick: actions.onLogout }, t('logout')),
    ),
  );
  replace(header, brand, h('nav', { 'aria-label': t('wlk_mainNav') }, links, forced ? null : inbox), h('span', { class: 'spacer' }), who, langToggle);
}

function fillInboxLink(link: HTMLElement): void {
  const unread = session.unreadInbox;
  link.title = `${unread} ${t('unreadCount')}`;
  link.querySelector('.count')?.remove();
  if (unread > 0) link.appendChild(h('span', { class: 'count', 'data-testid': 'inbox-badge' }, unread > 99 ? '99+' : unread));
}

/** Refreshes the unread count in place (the rest of the header keeps its focus). */
export function updateInboxBadge(header: HTMLElement): void {
  const link = header.querySelector<HTMLElement>('[data-testid="nav-inbox"]');
  if (link) fillInboxLink(link);
}
