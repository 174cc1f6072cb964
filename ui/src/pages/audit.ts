// Nhật ký quản trị: who did what, when, on what and why, newest first — filtered by action and dates,
// "Xem thêm" for older entries, exported as CSV or Excel with the same filter.
import { get, qs } from '../api.ts';
import { changesText, kindName, scrollBox } from '../admin.ts';
import { clearLoading } from '../load.ts';
import { h, replace, type Child } from '../dom.ts';
import { formatDateTime } from '../format.ts';
import { getLang, t, tKey, tMaybe, type Key } from '../i18n.ts';
import type { PageCtx } from '../router.ts';
import type { AuditEntry, AuditLog } from '../types.ts';
import { errorBox, loading, pageTitle } from '../widgets.ts';
import { AUDIT_ACTIONS } from '../../../engine/domain.ts';

const ACTIONS: readonly string[] = AUDIT_ACTIONS;
const PAGE = 50;
const GROUPS: [Key, string[]][] = [
  ['auditGroupUnits', ACTIONS.filter((a) => a.startsWith('unit'))],
  ['auditGroupPeople', ACTIONS.filter((a) => a.startsWith('user') || a.startsWith('grant'))],
  ['auditGroupWork', ACTIONS.filter((a) => !a.startsWith('unit') && !a.startsWith('user') && !a.startsWith('grant'))],
];

/** "24/01/2026" from an <input type=date> as the start (or end) of that day in Vietnam. */
function dayMs(value: string, end: boolean): number | undefined {
  if (!value) return undefined;
  const ms = Date.parse(`${value}T00:00:00+07:00`);
  return Number.isNaN(ms) ? undefined : end ? ms + 86_400_000 - 1 : ms;
}

export async function auditPage(ctx: PageCtx): Promise<void> {
  const action = h(
    'select',
    { id: 'a-action', 'data-testid': 'audit-action' },
    h('option', { value: '' }, t('all')),
    GROUPS.map(([label, actions]) =>
      h(
        'optgroup',
        { label: t(label) },
        h('option', { value: actions.join(',') }, t('auditGroupAll', { g: t(label).toLowerCase() })),
        actions.map((a) => h('option', { value: a }, actionTitle(a))),
      ),
    ),
  );
  const from = h('input', { id: 'a-from', type: 'date', 'data-testid': 'audit-from' });
  const to = h('input', { id: 'a-to', type: 'date', 'data-testid': 'audit-to' });
  const exports = h('span', { class: 'exports' });
  const filters = h(
    'form',
    { class: 'filters card', 'data-testid': 'audit-filters' },
    h('div', { class: 'field' }, h('label', { for: 'a-action' }, t('auditAction')), action),
    h('div', { class: 'field' }, h('label', { for: 'a-from' }, t('from')), from),
    h('div', { class: 'field' }, h('label', { for: 'a-to' }, t('to')), to),
    h('div', { class: 'field filter-go' }, h('button', { type: 'submit', class: 'primary', 'data-testid': 'audit-filter' }, t('auditFilter'))),
  );
  const tbody = h('tbody');
  const more = h('div', { class: 'more' });
  const message = h('div', { 'aria-live': 'polite' });
  const tableEl = h(
    'table',
    { class: 'list audit', 'data-testid': 'audit-table' },
    h(
      'thead',
      null,
      h(
        'tr',
        null,
        [t('auditAt'), t('auditActor'), t('auditAction'), t('auditTarget'), t('auditReason'), t('auditDetails')].map((c) => h('th', { scope: 'col' }, c)),
      ),
    ),
    tbody,
  );
  replace(ctx.root, pageTitle(t('auditTitle'), exports), filters, message, scrollBox(tableEl), more);

  const query = () => ({ action: action.value || undefined, from: dayMs(from.value, false), to: dayMs(to.value, true) });
  const load = async (before?: number) => {
    if (before === undefined) replace(tbody, h('tr', null, h('td', { colspan: 6 }, loading())));
    replace(message);
    try {
      const page = await get<AuditLog>(`/api/v1/audit${qs({ ...query(), before, limit: PAGE })}`);
      if (ctx.signal.aborted) return;
      await lookUp(page.items);
      if (ctx.signal.aborted) return;
      if (before === undefined) replace(tbody);
      tbody.append(...page.items.map(auditRow));
      if (!tbody.children.length) tbody.append(h('tr', null, h('td', { colspan: 6, class: 'muted', 'data-testid': 'audit-empty' }, t('auditEmpty'))));
      replace(
        more,
        page.next !== null && page.next !== undefined
          ? h('button', { type: 'button', 'data-testid': 'audit-more', onclick: () => void load(page.next!) }, t('more'))
          : null,
      );
    } catch (e) {
      clearLoading(tbody);
      replace(message, errorBox(e, 'audit-error'));
    }
  };
  const drawExports = () =>
    replace(
      exports,
      (['csv', 'xlsx'] as const).map((format) =>
        h(
          'a',
          { class: 'button', href: `/api/v1/audit/export${qs({ ...query(), format })}`, download: '', 'data-testid': `audit-export-${format}` },
          format === 'csv' ? t('exportCsv') : t('exportXlsx'),
        ),
      ),
    );
  filters.addEventListener('submit', (ev) => {
    ev.preventDefault();
    drawExports();
    void load();
  });
  action.addEventListener('change', () => {
    drawExports();
    void load();
  });
  drawExports();
  await load();
}

/** Unit and people names by id, looked up once each: the entries name them by their codes and ids. */
const names = new Map<string, string>();
const people = new Map<string, string>();
const UNIT_KEYS = ['fromParentId', 'toParentId', 'intoId', 'parentId', 'unitId', 'toUnitId'];
const onUser = (action: string) => action.startsWith('user.') || action.startsWith('grant.');
const onUnit = (action: string) => action.startsWith('unit.') || action === 'users.bulk-create';

async function lookUp(items: AuditEntry[]): Promise<void> {
  const units = new Set<string>();
  const users = new Set<string>();
  for (const e of items) {
    if (onUnit(e.action) && e.target) units.add(e.target);
    if (onUser(e.action) && e.target) users.add(e.target);
    for (const k of UNIT_KEYS) {
      const v = (e.details as Record<string, unknown> | undefined)?.[k];
      if (typeof v === 'string') units.add(v);
    }
  }
  const ask = async (map: Map<string, string>, ids: Set<string>, fetchName: (id: string) => Promise<string>) =>
    Promise.all(
      [...ids]
        .filter((id) => !map.has(id))
        .slice(0, 60)
        .map(async (id) => {
          try {
            map.set(id, await fetchName(id));
          } catch {
            map.set(id, id);
          }
        }),
    );
  await Promise.all([
    ask(names, units, async (id) => (await get<{ unit: { name: string } }>(`/api/v1/org-units/${encodeURIComponent(id)}`)).unit.name),
    ask(people, users, async (id) => (await get<{ name: string }>(`/api/v1/users/${encodeURIComponent(id)}`)).name),
  ]);
}

const unitName = (id: unknown): string => (typeof id === 'string' ? (names.get(id) ?? id) : str(id));

/** What the act was on: a unit or a person by name (the code or login beneath), else the id. */
function targetCell(e: AuditEntry): Child {
  const d = (e.details ?? {}) as Record<string, unknown>;
  if (onUnit(e.action) && names.has(e.target) && names.get(e.target) !== e.target)
    return [names.get(e.target)!, h('div', null, h('code', { class: 'small' }, e.target))];
  if (onUser(e.action)) {
    const name = (people.get(e.target) !== e.target ? people.get(e.target) : undefined) ?? (typeof d.name === 'string' ? d.name : undefined);
    const login = typeof d.login === 'string' ? d.login : undefined;
    if (name) return [name, login ? h('div', null, h('code', { class: 'small' }, login)) : null];
    if (login) return h('code', null, login);
  }
  return h('code', null, e.target);
}

export function actionTitle(action: string): string {
  return tMaybe(`audit_${action}`) ?? action;
}

function auditRow(e: AuditEntry): HTMLTableRowElement {
  return h(
    'tr',
    { 'data-testid': 'audit-row', 'data-action': e.action },
    h('td', { class: 'nowrap' }, formatDateTime(e.at)),
    h('td', { 'data-testid': 'audit-actor' }, e.actorName || e.actorLogin, h('div', { class: 'muted small' }, e.actorLogin)),
    h('td', { 'data-testid': 'audit-action-title' }, actionTitle(e.action)),
    h('td', { 'data-testid': 'audit-target' }, targetCell(e)),
    h('td', { 'data-testid': 'audit-reason' }, e.reason ?? '—'),
    h('td', { class: 'small', 'data-testid': 'audit-details' }, detailsText(e)),
  );
}

const str = (v: unknown) =>
  v === null || v === undefined || v === '' ? '—' : Array.isArray(v) ? v.join(', ') : typeof v === 'object' ? JSON.stringify(v) : String(v);

/** The details of an entry in a sentence (never raw JSON for the actions it knows). */
export function detailsText(e: AuditEntry): string {
  const d = (e.details ?? {}) as Record<string, unknown>;
  const vi = (vi: string, en: string) => (getLang() === 'en' ? en : vi);
  switch (e.action) {
    case 'units.import':
      return vi(
        `Thêm ${str(d.added)}, sửa ${str(d.updated)}, chuyển ${str(d.moved)}, sáp nhập ${str(d.merged)}, giải thể ${str(d.closed)} đơn vị`,
        `${str(d.added)} added, ${str(d.updated)} changed, ${str(d.moved)} moved, ${str(d.merged)} merged, ${str(d.closed)} closed`,
      );
    case 'unit.add':
      return vi(
        `${str(d.name)} (${kindName(d.kind as string)}) thuộc ${unitName(d.parentId)}`,
        `${str(d.name)} (${kindName(d.kind as string)}) under ${unitName(d.parentId)}`,
      );
    case 'unit.update':
      return changesText((d.changes ?? {}) as Record<string, unknown>);
    case 'unit.move':
      return vi(`Từ ${unitName(d.fromParentId)} sang ${unitName(d.toParentId)}`, `From ${unitName(d.fromParentId)} to ${unitName(d.toParentId)}`);
    case 'unit.merge': {
      const n = Array.isArray(d.children) ? d.children.length : 0;
      return vi(
        `Vào ${unitName(d.intoId)}${n ? `; ${n} đơn vị trực thuộc chuyển theo` : ''}`,
        `Into ${unitName(d.intoId)}${n ? `; ${n} units under it follow` : ''}`,
      );
    }
    case 'unit.close':
      return vi(`${str(d.units)} đơn vị; ${str(d.grantsEnded)} quyền chấm dứt`, `${str(d.units)} units; ${str(d.grantsEnded)} roles ended`);
    case 'grant.add':
    case 'grant.remove':
      return `${str(d.login)}: ${tKey('role', String(d.role))} — ${str(d.unitName ?? d.unitId)}`;
    case 'users.bulk-create':
      return vi(`${str(d.count)} tài khoản; bỏ qua ${str(d.skipped)}`, `${str(d.count)} accounts; ${str(d.skipped)} skipped`);
    case 'user.create':
      return [
        typeof d.email === 'string' && d.email ? d.email : null,
        typeof d.unitId === 'string' ? `${vi('Đơn vị công tác', 'Home unit')}: ${unitName(d.unitId)}` : null,
        Array.isArray(d.grants) && d.grants.length
          ? `${vi('Vai trò', 'Roles')}: ${(d.grants as { role: string; unitId: string }[]).map((g) => `${tKey('role', g.role)} — ${unitName(g.unitId)}`).join(', ')}`
          : null,
        d.passwordGenerated ? vi('mật khẩu ban đầu do hệ thống tạo', 'a one-time password') : null,
      ]
        .filter(Boolean)
        .join('; ');
    case 'user.update':
      return readable({ changed: d.changed });
    case 'user.deactivate':
    case 'user.activate':
      return '—';
    case 'user.password-reset':
      return d.passwordGenerated
        ? vi('Mật khẩu ban đầu do hệ thống tạo', 'A one-time password')
        : vi('Mật khẩu do quản trị viên đặt', 'A password set by the administrator');
    case 'definition.publish':
      return vi(`Phiên bản ${str(d.version)}`, `Version ${str(d.version)}`);
    case 'campaign.launch':
      return vi(
        `${str(d.definitionId)} v${str(d.version)}${Array.isArray(d.kinds) && d.kinds.length ? ` · ${d.kinds.map((k) => kindName(String(k))).join(', ')}` : ''}`,
        `${str(d.definitionId)} v${str(d.version)}${Array.isArray(d.kinds) && d.kinds.length ? ` · ${d.kinds.map((k) => kindName(String(k))).join(', ')}` : ''}`,
      );
    case 'cohort.extend':
    case 'cohort.reassign':
    case 'cohort.cancel':
    case 'cohort.migrate': {
      const what =
        e.action === 'cohort.extend'
          ? d.until
            ? vi(`gia hạn đến ${str(d.until)}`, `extended to ${str(d.until)}`)
            : d.workingDays
              ? vi(`gia hạn ${str(d.workingDays)} ngày làm việc`, `extended by ${str(d.workingDays)} working days`)
              : vi(`gia hạn ${str(d.days)} ngày`, `extended by ${str(d.days)} days`)
          : e.action === 'cohort.reassign'
            ? vi(`chuyển sang ${unitName(d.toUnitId)}`, `to ${unitName(d.toUnitId)}`)
            : e.action === 'cohort.migrate'
              ? vi(`sang phiên bản ${str(d.toVersion)}`, `to version ${str(d.toVersion)}`)
              : null;
      return [
        what,
        vi(
          `${str(d.matched)} hồ sơ khớp, ${str(d.changed)} thay đổi, ${str(d.excluded)} loại trừ`,
          `${str(d.matched)} matched, ${str(d.changed)} changed, ${str(d.excluded)} excluded`,
        ),
      ]
        .filter(Boolean)
        .join('; ');
    }
    case 'instance.cancel':
      return str(d.definitionId);
    default:
      return readable(d);
  }
}

/** Any other details as "key: value" pairs, the login first. */
function readable(d: Record<string, unknown>): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(d)) {
    if (k === 'active' || typeof v === 'boolean') continue;
    if (v && typeof v === 'object' && !Array.isArray(v) && 'before' in v && 'after' in v) {
      const { before, after } = v as { before: unknown; after: unknown };
      parts.push(`${tMaybe(`field_${k}`) ?? k}: ${str(before)} → ${str(after)}`);
    } else if (k === 'changed' && Array.isArray(v)) parts.push(v.map((x) => tMaybe(`field_${String(x)}`) ?? String(x)).join(', '));
    else if (k === 'changed' && v && typeof v === 'object')
      for (const [field, c] of Object.entries(v as Record<string, { before?: unknown; after?: unknown }>)) {
        const show = (x: unknown) => (field === 'unitId' ? unitName(x) : str(x));
        parts.push(`${tMaybe(`field_${field}`) ?? field}: ${show(c?.before)} → ${show(c?.after)}`);
      }
    else parts.push(`${tMaybe(`field_${k}`) ?? k}: ${str(v)}`);
  }
  return parts.join('; ') || '—';
}
