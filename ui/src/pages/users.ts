// Người dùng: the accounts an administrator manages — list (search, unit, role, active; paged with
// counts), create, edit, deactivate/activate, reset the password (the one-time password shown once),
// roles on units granted and removed — and staff accounts for every school of a unit in bulk (the
// initial passwords downloaded as an Excel file).
import { del, downloadPost, get, patch, post, qs } from '../api.ts';
import { confirmDialog, kindName, scrollBox, unitField, type PickedUnit } from '../admin.ts';
import { h, replace } from '../dom.ts';
import { formatDateTime } from '../format.ts';
import { t, tKey } from '../i18n.ts';
import { flash, navigate, type PageCtx } from '../router.ts';
import type { BulkAccounts, Role, UserDetail, UserList, UserRow, UserWithPassword } from '../types.ts';
import { errorBox, linkButton, loading, pageTitle, section, successBox } from '../widgets.ts';

const ROLES: Role[] = ['staff', 'supervisor', 'admin'];
const PAGE = 50;
const userHref = (id: string) => `#/users/${encodeURIComponent(id)}`;

function statusOf(u: UserRow): HTMLElement {
  return h(
    'span',
    { 'data-testid': 'user-status' },
    h('span', { class: `badge ${u.active ? 'status-active' : 'status-closed'}` }, u.active ? t('active') : t('inactive')),
    u.mustChangePassword && u.active ? h('div', { class: 'muted small' }, t('mustChange')) : null,
  );
}

function field(label: string, input: HTMLElement, id?: string): HTMLElement {
  return h('div', { class: 'field' }, h('label', id ? { for: id } : null, label), input);
}

export async function usersPage(ctx: PageCtx): Promise<void> {
  const q = h('input', { id: 'u-q', type: 'search', placeholder: t('searchUsers'), 'data-testid': 'users-q' });
  const clearUnit = h('button', { type: 'button', class: 'link small', hidden: true, 'data-testid': 'users-unit-clear' }, t('allUnits'));
  const unit = unitField(
    'users-unit',
    null,
    () => {
      clearUnit.hidden = false;
      void load();
    },
    undefined,
    t('allUnits'),
  );
  clearUnit.addEventListener('click', () => {
    unit.clear();
    clearUnit.hidden = true;
    void load();
  });
  const role = h(
    'select',
    { id: 'u-role', 'data-testid': 'users-role' },
    h('option', { value: '' }, t('all')),
    ROLES.map((r) => h('option', { value: r }, tKey('role', r))),
  );
  const active = h(
    'select',
    { id: 'u-active', 'data-testid': 'users-active' },
    h('option', { value: '' }, t('all')),
    h('option', { value: 'true' }, t('active')),
    h('option', { value: 'false' }, t('inactive')),
  );
  const filters = h(
    'form',
    { class: 'filters card', 'data-testid': 'users-filters' },
    field(t('search'), q, 'u-q'),
    h('div', { class: 'field' }, h('label', null, t('unit')), unit.element, clearUnit),
    field(t('role'), role, 'u-role'),
    field(t('status'), active, 'u-active'),
    h('div', { class: 'field filter-go' }, h('button', { type: 'submit', class: 'primary', 'data-testid': 'users-search' }, t('search'))),
  );
  const list = h('div', null, loading());
  const pager = h('div', { class: 'pager' });
  replace(
    ctx.root,
    pageTitle(
      t('usersTitle'),
      h(
        'span',
        { class: 'exports' },
        linkButton('#/users/new', t('newUser'), { 'data-testid': 'user-new' }),
        linkButton('#/users/bulk', t('bulkAccounts'), { 'data-testid': 'users-bulk' }),
      ),
    ),
    ctx.flash ? successBox(ctx.flash, 'flash') : null,
    filters,
    list,
    pager,
  );
  // the logins each page starts after: back goes one step down the stack
  let starts: (string | undefined)[] = [undefined];
  const load = async (after?: string) => {
    if (after === undefined) starts = [undefined];
    const query = {
      q: q.value.trim() || undefined,
      unitId: unit.value()?.id,
      role: role.value || undefined,
      active: active.value || undefined,
      limit: PAGE,
      after,
    };
    try {
      const page = await get<UserList>(`/api/v1/users${qs(query)}`);
      if (ctx.signal.aborted) return;
      const index = starts.length - 1;
      replace(list, usersTable(page.items));
      const first = index * PAGE + 1;
      replace(
        pager,
        h(
          'span',
          { class: 'muted', 'data-testid': 'users-count' },
          page.total ? t('shownOf', { a: first, b: first + page.items.length - 1, n: page.total }) : t('noUsers'),
        ),
        index > 0
          ? h(
              'button',
              {
                type: 'button',
                'data-testid': 'users-prev',
                onclick: () => {
                  starts.pop();
                  void load(starts.at(-1));
                },
              },
              t('prevPage'),
            )
          : null,
        page.next
          ? h(
              'button',
              {
                type: 'button',
                'data-testid': 'users-next',
                onclick: () => {
                  starts.push(page.next);
                  void load(page.next);
                },
              },
              t('nextPage'),
            )
          : null,
      );
    } catch (e) {
      replace(list, errorBox(e, 'users-error'));
    }
  };
  filters.addEventListener('submit', (ev) => {
    ev.preventDefault();
    void load();
  });
  role.addEventListener('change', () => void load());
  active.addEventListener('change', () => void load());
  await load();
}

function usersTable(items: UserRow[]): HTMLElement {
  if (!items.length) return h('p', { class: 'empty', 'data-testid': 'users-empty' }, t('noUsers'));
  return scrollBox(
    h(
      'table',
      { class: 'list', 'data-testid': 'users-table' },
      h(
        'thead',
        null,
        h(
          'tr',
          null,
          [t('fullName'), t('login'), t('homeUnit'), t('contacts'), t('status')].map((c) => h('th', { scope: 'col' }, c)),
        ),
      ),
      h(
        'tbody',
        null,
        items.map((u) =>
          h(
            'tr',
            { 'data-testid': 'user-row', 'data-login': u.login },
            h('td', null, h('a', { href: userHref(u.id), 'data-testid': 'user-link' }, u.name)),
            h('td', null, h('code', null, u.login)),
            h('td', null, u.unitName ?? '—'),
            h('td', { class: 'small' }, u.email ? h('div', null, u.email) : null, u.phone ? h('div', null, u.phone) : null, !u.email && !u.phone ? '—' : null),
            h('td', null, statusOf(u)),
          ),
        ),
      ),
    ),
  );
}

/** The one-time password, shown once, with a copy button and what the person must do with it. */
export function oneTimePasswordBox(name: string, password: string): HTMLElement {
  const value = h('code', { class: 'otp', 'data-testid': 'otp-value' }, password);
  const copied = h('span', { class: 'muted small', 'aria-live': 'polite' });
  const copy = h(
    'button',
    {
      type: 'button',
      'data-testid': 'otp-copy',
      onclick: async () => {
        try {
          await navigator.clipboard.writeText(password);
        } catch {
          // no clipboard over plain http: select the text for Ctrl+C
          const range = document.createRange();
          range.selectNodeContents(value);
          const sel = window.getSelection();
          sel?.removeAllRanges();
          sel?.addRange(range);
          document.execCommand('copy');
        }
        copied.textContent = t('copied');
      },
    },
    t('copy'),
  );
  return h(
    'div',
    { class: 'alert alert-info otp-box', 'data-testid': 'otp-box' },
    h('strong', null, t('oneTimeTitle', { n: name })),
    h('div', { class: 'otp-line' }, value, copy, copied),
    h('p', null, t('oneTimeNote')),
  );
}

interface GrantRow {
  element: HTMLElement;
  read(): { role: Role; unitId: string } | null;
}

function grantRow(onRemove: (row: GrantRow) => void, unit: PickedUnit | null = null): GrantRow {
  const role = h(
    'select',
    { 'data-testid': 'grant-role', 'aria-label': t('role') },
    ROLES.map((r) => h('option', { value: r }, tKey('role', r))),
  );
  const picked = unitField('grant-unit', unit);
  const row: GrantRow = {
    element: h(
      'div',
      { class: 'grant-row', 'data-testid': 'grant-row' },
      role,
      picked.element,
      h('button', { type: 'button', class: 'link small', onclick: () => onRemove(row) }, t('removeRole')),
    ),
    read: () => {
      const u = picked.value();
      return u ? { role: role.value as Role, unitId: u.id } : null;
    },
  };
  return row;
}

export function newUserPage(ctx: PageCtx): void {
  const input = (id: string, attrs: Record<string, string | number | boolean> = {}) => h('input', { id, 'data-testid': id, ...attrs });
  const name = input('nu-name', { required: true, maxlength: 200, autocomplete: 'off' });
  const login = input('nu-login', { required: true, maxlength: 64, pattern: '[A-Za-z0-9._-]+', autocomplete: 'off' });
  const email = input('nu-email', { type: 'email', maxlength: 200 });
  const phone = input('nu-phone', { maxlength: 50 });
  const password = input('nu-password', { type: 'password', minlength: 10, autocomplete: 'new-password' });
  const rows: GrantRow[] = [];
  const grantsHost = h('div', { 'data-testid': 'grants-editor' });
  const removeRow = (row: GrantRow) => {
    rows.splice(rows.indexOf(row), 1);
    row.element.remove();
  };
  const addRow = (unit: PickedUnit | null = null) => {
    const row = grantRow(removeRow, unit);
    rows.push(row);
    grantsHost.appendChild(row.element);
  };
  const home = unitField('nu-unit', null, (u) => {
    // the first role goes on the home unit unless one was chosen already
    const first = rows[0];
    if (u && (!first || !first.read())) {
      if (first) removeRow(first);
      const row = grantRow(removeRow, u);
      rows.unshift(row);
      grantsHost.prepend(row.element);
    }
  });
  addRow();
  const message = h('div', { 'aria-live': 'polite' });
  const submit = h('button', { type: 'submit', class: 'primary', 'data-testid': 'nu-submit' }, t('createUser'));
  const form = h(
    'form',
    { class: 'card narrow', 'data-testid': 'new-user-form' },
    field(t('fullName'), name, 'nu-name'),
    field(t('login'), login, 'nu-login'),
    field(t('email'), email, 'nu-email'),
    field(t('phone'), phone, 'nu-phone'),
    h('div', { class: 'field' }, h('label', null, t('homeUnit')), home.element),
    h(
      'fieldset',
      null,
      h('legend', null, t('rolesOnUnits')),
      grantsHost,
      h('button', { type: 'button', class: 'small', 'data-testid': 'grant-add-row', onclick: () => addRow() }, t('addRole')),
    ),
    field(t('passwordOptional'), password, 'nu-password'),
    message,
    submit,
  );
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    replace(message);
    submit.disabled = true;
    try {
      const grants = rows.map((r) => r.read()).filter((g): g is { role: Role; unitId: string } => g !== null);
      const body = {
        name: name.value.trim(),
        login: login.value.trim(),
        ...(email.value.trim() ? { email: email.value.trim() } : {}),
        ...(phone.value.trim() ? { phone: phone.value.trim() } : {}),
        ...(home.value() ? { unitId: home.value()!.id } : {}),
        grants,
        ...(password.value ? { password: password.value } : {}),
      };
      const res = await post<UserWithPassword>('/api/v1/users', body);
      // the one-time password shows here, once: the account's page follows on
      replace(
        ctx.root,
        pageTitle(t('newUser')),
        successBox(t('userCreated', { n: res.user.name }), 'user-created'),
        res.oneTimePassword ? oneTimePasswordBox(res.user.name, res.oneTimePassword) : null,
        h('p', null, linkButton(userHref(res.user.id), res.user.name, { 'data-testid': 'open-created-user' }), ' ', linkButton('#/users', t('usersTitle'))),
      );
    } catch (e) {
      replace(message, errorBox(e, 'nu-error'));
    } finally {
      submit.disabled = false;
    }
  });
  replace(ctx.root, h('nav', { class: 'crumbs' }, h('a', { href: '#/users' }, t('usersTitle')), ' › ', t('newUser')), pageTitle(t('newUser')), form);
  name.focus();
}

export async function userPage(ctx: PageCtx): Promise<void> {
  const id = ctx.params[0]!;
  replace(ctx.root, loading());
  const user = await get<UserDetail>(`/api/v1/users/${encodeURIComponent(id)}`);
  if (ctx.signal.aborted) return;
  const message = h('div', { 'aria-live': 'polite' });
  if (ctx.flash) message.appendChild(successBox(ctx.flash, 'flash'));
  const again = (text: string) => {
    flash(text);
    navigate(userHref(id));
  };
  const act = async (fn: () => Promise<unknown>) => {
    replace(message);
    try {
      await fn();
    } catch (e) {
      replace(message, errorBox(e, 'user-error'));
    }
  };

  // details, editable
  const name = h('input', { id: 'ud-name', value: user.name, maxlength: 200, required: true, 'data-testid': 'ud-name' });
  const email = h('input', { id: 'ud-email', type: 'email', value: user.email ?? '', maxlength: 200, 'data-testid': 'ud-email' });
  const phone = h('input', { id: 'ud-phone', value: user.phone ?? '', maxlength: 50, 'data-testid': 'ud-phone' });
  const home = unitField('ud-unit', user.unitId ? { id: user.unitId, name: user.unitName ?? user.unitId, kind: '' } : null);
  const save = h('button', { type: 'submit', class: 'primary', 'data-testid': 'ud-save' }, t('save'));
  const form = h(
    'form',
    { 'data-testid': 'user-form' },
    field(t('fullName'), name, 'ud-name'),
    field(t('email'), email, 'ud-email'),
    field(t('phone'), phone, 'ud-phone'),
    h('div', { class: 'field' }, h('label', null, t('homeUnit')), home.element),
    save,
  );
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    void act(async () => {
      const body: Record<string, unknown> = {};
      if (name.value.trim() !== user.name) body.name = name.value.trim();
      if (email.value.trim() !== (user.email ?? '')) body.email = email.value.trim() || null;
      if (phone.value.trim() !== (user.phone ?? '')) body.phone = phone.value.trim() || null;
      if ((home.value()?.id ?? null) !== user.unitId) body.unitId = home.value()?.id ?? null;
      await patch(`/api/v1/users/${encodeURIComponent(id)}`, body);
      again(t('userSaved'));
    });
  });

  const otpHost = h('div');
  const actions = h(
    'div',
    { class: 'actions' },
    user.active
      ? h(
          'button',
          {
            type: 'button',
            class: 'danger',
            'data-testid': 'user-deactivate',
            onclick: async () => {
              if (!(await confirmDialog(t('deactivate'), t('deactivateConfirm', { n: user.name })))) return;
              await act(async () => {
                await post(`/api/v1/users/${encodeURIComponent(id)}/deactivate`, {});
                again(t('userSaved'));
              });
            },
          },
          t('deactivate'),
        )
      : h(
          'button',
          {
            type: 'button',
            'data-testid': 'user-activate',
            onclick: async () => {
              if (!(await confirmDialog(t('activate'), t('activateConfirm', { n: user.name })))) return;
              await act(async () => {
                await post(`/api/v1/users/${encodeURIComponent(id)}/activate`, {});
                again(t('userSaved'));
              });
            },
          },
          t('activate'),
        ),
    user.active
      ? h(
          'button',
          {
            type: 'button',
            'data-testid': 'user-reset',
            onclick: async () => {
              if (!(await confirmDialog(t('resetPassword'), t('resetConfirm', { n: user.name })))) return;
              await act(async () => {
                const res = await post<UserWithPassword>(`/api/v1/users/${encodeURIComponent(id)}/password-reset`, {});
                if (res.oneTimePassword) replace(otpHost, oneTimePasswordBox(user.name, res.oneTimePassword));
              });
            },
          },
          t('resetPassword'),
        )
      : null,
  );

  // roles
  const grantRole = h(
    'select',
    { 'data-testid': 'new-grant-role', 'aria-label': t('role') },
    ROLES.map((r) => h('option', { value: r }, tKey('role', r))),
  );
  const grantUnit = unitField('new-grant-unit', null);
  const addGrant = h('button', { type: 'submit', 'data-testid': 'new-grant-add' }, t('addRole'));
  const grantForm = h('form', { class: 'grant-row', 'data-testid': 'grant-form' }, grantRole, grantUnit.element, addGrant);
  grantForm.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const u = grantUnit.value();
    if (!u) return;
    void act(async () => {
      await post(`/api/v1/users/${encodeURIComponent(id)}/grants`, { role: grantRole.value, unitId: u.id });
      again(t('userSaved'));
    });
  });
  const grants = user.grants.length
    ? scrollBox(
        h(
          'table',
          { class: 'list compact', 'data-testid': 'grants-table' },
          h(
            'thead',
            null,
            h(
              'tr',
              null,
              [t('role'), t('unit'), ''].map((c) => h('th', { scope: 'col' }, c)),
            ),
          ),
          h(
            'tbody',
            null,
            user.grants.map((g) =>
              h(
                'tr',
                { 'data-testid': 'grant', 'data-role': g.role, 'data-unit-id': g.unitId },
                h('td', null, tKey('role', g.role)),
                h('td', null, g.unitName, g.unitKind ? h('span', { class: 'muted small' }, ` · ${kindName(g.unitKind)}`) : null),
                h(
                  'td',
                  null,
                  h(
                    'button',
                    {
                      type: 'button',
                      class: 'small',
                      'data-testid': 'grant-remove',
                      onclick: async () => {
                        if (!(await confirmDialog(t('removeRole'), t('removeRoleConfirm', { r: tKey('role', g.role), u: g.unitName, n: user.name })))) return;
                        await act(async () => {
                          await del(`/api/v1/users/${encodeURIComponent(id)}/grants${qs({ role: g.role, unitId: g.unitId })}`);
                          again(t('userSaved'));
                        });
                      },
                    },
                    t('removeRole'),
                  ),
                ),
              ),
            ),
          ),
        ),
      )
    : h('p', { class: 'muted' }, t('noRoles'));

  replace(
    ctx.root,
    h('nav', { class: 'crumbs' }, h('a', { href: '#/users' }, t('usersTitle')), ' › ', user.name),
    pageTitle(user.name, statusOf(user)),
    message,
    otpHost,
    h(
      'div',
      { class: 'columns' },
      h(
        'div',
        null,
        section(
          t('accountInfo'),
          'user-info',
          h(
            'p',
            { class: 'muted' },
            `${t('login')}: `,
            h('code', { 'data-testid': 'ud-login' }, user.login),
            ` · ${t('createdAtLabel')} ${formatDateTime(user.createdAt)}`,
          ),
          form,
        ),
      ),
      h('div', null, section(t('rolesOnUnits'), 'user-grants', grants, grantForm), section(t('actions'), 'user-actions', actions)),
    ),
  );
}

export function bulkAccountsPage(ctx: PageCtx): void {
  const out = h('div', { 'aria-live': 'polite', 'data-testid': 'bulk-out' });
  let preview: BulkAccounts | null = null;
  const create = h('button', { type: 'button', class: 'primary', disabled: true, 'data-testid': 'bulk-create' }, t('bulkCreate'));
  const unit = unitField('bulk-unit', null, () => void dryRun());
  const dryRun = async () => {
    preview = null;
    create.disabled = true;
    create.hidden = false;
    const u = unit.value();
    if (!u) return;
    replace(out, loading());
    try {
      const report = await post<BulkAccounts>('/api/v1/users/bulk', { unitId: u.id, dryRun: true });
      preview = report;
      replace(
        out,
        h('p', { 'data-testid': 'bulk-count', 'data-n': report.accounts.length }, h('strong', null, t('bulkPreview', { n: report.accounts.length }))),
        report.skipped.length ? h('p', { class: 'muted' }, t('bulkSkipped', { n: report.skipped.length })) : null,
        report.accounts.length
          ? scrollBox(
              h(
                'table',
                { class: 'list', 'data-testid': 'bulk-table' },
                h(
                  'thead',
                  null,
                  h(
                    'tr',
                    null,
                    [t('unit'), t('unitCode'), t('login'), t('fullName')].map((c) => h('th', { scope: 'col' }, c)),
                  ),
                ),
                h(
                  'tbody',
                  null,
                  report.accounts
                    .slice(0, 500)
                    .map((a) =>
                      h(
                        'tr',
                        { 'data-testid': 'bulk-row' },
                        h('td', null, a.unitName),
                        h('td', null, h('code', null, a.unitId)),
                        h('td', null, h('code', null, a.login)),
                        h('td', null, a.name),
                      ),
                    ),
                ),
              ),
            )
          : h('p', { class: 'empty' }, t('bulkNone')),
      );
      create.disabled = report.accounts.length === 0;
    } catch (e) {
      replace(out, errorBox(e, 'bulk-error'));
    }
  };
  create.addEventListener('click', async () => {
    const u = unit.value();
    if (!u || !preview) return;
    const n = preview.accounts.length;
    create.disabled = true;
    try {
      await downloadPost('/api/v1/users/bulk?format=xlsx', { unitId: u.id }, 'tai-khoan-ban-dau.xlsx');
      preview = null;
      create.hidden = true;
      replace(out, successBox(t('bulkDone', { n }), 'bulk-done'), h('p', null, linkButton('#/users', t('usersTitle'), { 'data-testid': 'bulk-to-users' })));
    } catch (e) {
      replace(out, errorBox(e, 'bulk-error'));
      create.disabled = false;
    }
  });
  replace(
    ctx.root,
    h('nav', { class: 'crumbs' }, h('a', { href: '#/users' }, t('usersTitle')), ' › ', t('bulkAccounts')),
    pageTitle(t('bulkTitle')),
    h(
      'section',
      { class: 'card', 'data-testid': 'bulk-card' },
      h('p', { class: 'hint' }, t('bulkHint')),
      h('div', { class: 'field' }, h('label', null, t('unit')), unit.element),
      out,
      create,
    ),
  );
}
