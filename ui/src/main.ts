// Start-up: find out who is signed in, then route. The definitions editor (CodeMirror, and mermaid
// inside it) is loaded only when an administrator opens it.
import { setPasswordChangeHandler, setUnauthenticatedHandler } from './api.ts';
import { h, replace } from './dom.ts';
import { getLang, setLang, t } from './i18n.ts';
import { renderHeader, updateInboxBadge } from './layout.ts';
import { boardPage } from './pages/board.ts';
import { campaignsPage } from './pages/campaigns.ts';
import { definitionsPage } from './pages/definitions.ts';
import { inboxPage } from './pages/inbox.ts';
import { instancePage } from './pages/instance.ts';
import { loginPage, setReturnTo } from './pages/login.ts';
import { auditPage } from './pages/audit.ts';
import { passwordPage } from './pages/password.ts';
import { taskPage } from './pages/task.ts';
import { unitsImportPage } from './pages/units-import.ts';
import { unitsPage } from './pages/units.ts';
import { bulkAccountsPage, newUserPage, userPage, usersPage } from './pages/users.ts';
import { tasksPage } from './pages/tasks.ts';
import { flash, makeCtx, match, navigate, type Page, type Route } from './router.ts';
import { clearSession, hasRole, homeRoute, loadMe, logout, mustChangePassword, refreshUnread, session } from './session.ts';
import { pageFailed } from './load.ts';
import { errorBox } from './widgets.ts';

const page = (p: Page) => async () => p;
const routes: Route[] = [
  { pattern: /^\/login(?:\?.*)?$/, public: true, load: page(loginPage) },
  { pattern: /^\/password$/, load: page(passwordPage) },
  { pattern: /^\/tasks$/, roles: ['staff', 'admin'], load: page(tasksPage) },
  { pattern: /^\/tasks\/([^/]+)$/, load: page(taskPage) },
  { pattern: /^\/instances\/([^/]+)$/, load: page(instancePage) },
  { pattern: /^\/board$/, roles: ['supervisor', 'admin'], load: page(boardPage) },
  { pattern: /^\/definitions$/, roles: ['admin'], load: page(definitionsPage) },
  { pattern: /^\/definitions\/([^/]+)$/, roles: ['admin'], load: async () => (await import('./pages/editor.ts')).editorPage },
  { pattern: /^\/campaigns$/, roles: ['admin'], load: page(campaignsPage) },
  { pattern: /^\/inbox$/, load: page(inboxPage) },
  { pattern: /^\/units$/, roles: ['admin'], load: page(unitsPage) },
  { pattern: /^\/units\/import$/, roles: ['admin'], load: page(unitsImportPage) },
  { pattern: /^\/units\/([^/]+)$/, roles: ['admin'], load: page(unitsPage) },
  { pattern: /^\/users$/, roles: ['admin'], load: page(usersPage) },
  { pattern: /^\/users\/new$/, roles: ['admin'], load: page(newUserPage) },
  { pattern: /^\/users\/bulk$/, roles: ['admin'], load: page(bulkAccountsPage) },
  { pattern: /^\/users\/([^/]+)$/, roles: ['admin'], load: page(userPage) },
  { pattern: /^\/audit$/, roles: ['admin'], load: page(auditPage) },
];

const header = document.getElementById('header')!;
const main = document.getElementById('main')!;
let stopPage: () => void = () => {};
let renderSeq = 0;

function drawHeader(): void {
  renderHeader(header, {
    onLang(lang) {
      setLang(lang);
      void render();
    },
    async onLogout() {
      await logout().catch(() => {});
      navigate('#/login');
    },
  });
}

async function render(): Promise<void> {
  const seq = ++renderSeq;
  stopPage();
  stopPage = () => {};
  const hash = location.hash || '#/';
  const found = match(routes, hash);
  if (!found) {
    if (hash === '#/' || hash === '#') return navigate(session.user ? homeRoute() : '#/login');
    drawHeader();
    return replace(main, h('p', { 'data-testid': 'not-found' }, t('notFound')));
  }
  if (!found.route.public && !session.user) {
    setReturnTo(hash);
    return navigate('#/login');
  }
  // an initial or reset password: nothing but the change until it is made
  if (session.user && mustChangePassword() && hash !== '#/password') return navigate('#/password');
  drawHeader();
  if (found.route.roles && !hasRole(...found.route.roles)) return replace(main, h('p', { 'data-testid': 'forbidden' }, t('forbidden')));
  let pageFn: Page;
  try {
    pageFn = await found.route.load();
  } catch (e) {
    return replace(main, errorBox(e));
  }
  if (seq !== renderSeq) return;
  const root = h('div', { class: 'page' });
  replace(main, root);
  const { ctx, stop } = makeCtx(root, found.params);
  stopPage = stop;
  window.scrollTo(0, 0);
  try {
    await pageFn(ctx);
  } catch (e) {
    if (!ctx.signal.aborted) pageFailed(root, e);
  }
}

async function start(): Promise<void> {
  setLang(getLang());
  setPasswordChangeHandler(() => {
    if (session.user) session.user = { ...session.user, mustChangePassword: true };
    if (location.hash !== '#/password') navigate('#/password');
  });
  setUnauthenticatedHandler(() => {
    const wasSignedIn = session.user !== null;
    clearSession();
    if (location.hash.startsWith('#/login')) return;
    setReturnTo(location.hash);
    if (wasSignedIn) flash(t('sessionExpired'));
    navigate('#/login');
  });
  try {
    await loadMe();
  } catch (e) {
    drawHeader();
    main.appendChild(errorBox(e));
  }
  window.addEventListener('hashchange', () => void render());
  // the unread count in the header, every 30 s while signed in
  window.setInterval(() => {
    if (!session.user) return;
    void refreshUnread()
      .then(() => updateInboxBadge(header))
      .catch(() => {});
  }, 30_000);
  // the inbox page marks notices read
  document.addEventListener('tiendo:inbox', () => updateInboxBadge(header));
  await render();
}

void start();
