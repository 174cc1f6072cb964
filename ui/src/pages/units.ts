// Đơn vị: the org tree one level at a time (the units one administers at the top), and the changes an
// administrator makes to it — add a unit under one, edit, move, merge, close. Each opens a dialog
// that asks the reason, runs the dry run first and shows what it will do and touch (or its problems,
// worded here), and applies only on "Xác nhận".
import { api, get, qs } from '../api.ts';
import { kindName, modal, problemList, problemsOf, reshapeSummary, scrollBox, unitField, type PickedUnit } from '../admin.ts';
import { h, replace, type Child } from '../dom.ts';
import { formatDate } from '../format.ts';
import { t } from '../i18n.ts';
import { flash, navigate, type PageCtx } from '../router.ts';
import type { ReshapeReport, UnitDetail, UnitRow } from '../types.ts';
import { errorBox, linkButton, loading, pageTitle, section, successBox } from '../widgets.ts';
import type { OrgUnitKind } from '../../../engine/definition/types.generated.ts';
import { parentKindsOf, SCHOOL_KINDS, UNIT_KINDS } from '../../../engine/service/org.ts';

// The kinds and where each may sit are the server's own rule (engine/service/org.ts), not a copy.
const KINDS = UNIT_KINDS;
const SCHOOL_LEVELS = SCHOOL_KINDS.filter((k) => k !== 'multi-level' && k !== 'continuing-education');
const SCHOOLS: readonly string[] = SCHOOL_KINDS;

const unitHref = (id: string) => `#/units/${encodeURIComponent(id)}`;

function exportLinks(rootId?: string): HTMLElement {
  return h(
    'span',
    { class: 'exports' },
    (['csv', 'xlsx'] as const).map((format) =>
      h(
        'a',
        { class: 'button', href: `/api/v1/org-units/export${qs({ format, rootId })}`, download: '', 'data-testid': `units-export-${format}` },
        format === 'csv' ? t('exportUnitsCsv') : t('exportUnitsXlsx'),
      ),
    ),
  );
}

function childrenTable(children: UnitRow[]): HTMLElement {
  if (!children.length) return h('p', { class: 'muted', 'data-testid': 'no-children' }, t('noChildren'));
  return scrollBox(
    h(
      'table',
      { class: 'list', 'data-testid': 'units-table' },
      h(
        'thead',
        null,
        h(
          'tr',
          null,
          [t('name'), t('kind'), t('code'), t('contacts'), t('childCount')].map((c) => h('th', { scope: 'col' }, c)),
        ),
      ),
      h(
        'tbody',
        null,
        children.map((u) =>
          h(
            'tr',
            { 'data-testid': 'unit-row', 'data-unit-id': u.id, class: u.closedAt ? 'row-closed' : '' },
            h(
              'td',
              null,
              h('a', { href: unitHref(u.id), 'data-testid': 'unit-link' }, u.name),
              u.closedAt ? h('div', { class: 'muted small' }, closedText(u)) : null,
            ),
            h('td', { class: 'nowrap' }, kindName(u.kind)),
            h('td', null, h('code', null, u.id)),
            h('td', { class: 'small' }, contacts(u)),
            h('td', { class: 'num' }, u.childCount),
          ),
        ),
      ),
    ),
  );
}

function contacts(u: { email?: string; phone?: string }): Child {
  return [u.email ? h('div', null, u.email) : null, u.phone ? h('div', null, u.phone) : null, !u.email && !u.phone ? '—' : null];
}

function closedText(u: { closedAt?: number; mergedInto?: string }, intoName?: string): string {
  return u.mergedInto ? t('unitMerged', { u: intoName ?? u.mergedInto }) : t('unitClosed', { d: formatDate(u.closedAt) });
}

export async function unitsPage(ctx: PageCtx): Promise<void> {
  const id = ctx.params[0];
  if (!id) return rootsPage(ctx);
  replace(ctx.root, loading());
  const detail = await get<UnitDetail>(`/api/v1/org-units/${encodeURIComponent(id)}`);
  if (ctx.signal.aborted) return;
  const { unit, ancestors, children } = detail;
  // a merged unit points at the survivor, by name
  const intoName = unit.mergedInto
    ? await get<UnitDetail>(`/api/v1/org-units/${encodeURIComponent(unit.mergedInto)}`).then(
        (d) => d.unit.name,
        () => undefined,
      )
    : undefined;
  if (ctx.signal.aborted) return;
  const message = h('div', { 'aria-live': 'polite' });
  if (ctx.flash) message.appendChild(successBox(ctx.flash, 'flash'));
  // the page again, with the message (a unit merged or closed stays viewable)
  const reload = (text: string) => {
    flash(text);
    navigate(unitHref(unit.id));
  };
  const closed = unit.closedAt !== undefined;
  const actions = closed
    ? null
    : h(
        'div',
        { class: 'actions', 'data-testid': 'unit-actions' },
        SCHOOLS.includes(unit.kind) ? null : h('button', { type: 'button', 'data-testid': 'unit-add', onclick: () => addDialog(unit, reload) }, t('addChild')),
        h('button', { type: 'button', 'data-testid': 'unit-edit', onclick: () => editDialog(unit, reload) }, t('editUnit')),
        unit.parentId ? h('button', { type: 'button', 'data-testid': 'unit-move', onclick: () => moveDialog(unit, reload) }, t('moveUnit')) : null,
        unit.parentId ? h('button', { type: 'button', 'data-testid': 'unit-merge', onclick: () => mergeDialog(unit, reload) }, t('mergeUnit')) : null,
        unit.parentId
          ? h('button', { type: 'button', class: 'danger', 'data-testid': 'unit-close', onclick: () => closeDialog(unit, reload) }, t('closeUnit'))
          : null,
      );
  replace(
    ctx.root,
    h(
      'nav',
      { class: 'crumbs', 'aria-label': t('unitsTitle'), 'data-testid': 'breadcrumb' },
      h('a', { href: '#/units' }, t('unitsTitle')),
      ancestors.map((a) => [' › ', h('a', { href: unitHref(a.id) }, a.name)]),
      ' › ',
      h('span', null, unit.name),
    ),
    pageTitle(unit.name, closed ? null : exportLinks(unit.id)),
    message,
    h(
      'section',
      { class: 'card', 'data-testid': 'unit-card', 'data-unit-id': unit.id },
      h(
        'dl',
        { class: 'facts' },
        h('dt', null, t('kind')),
        h('dd', { 'data-testid': 'unit-kind' }, kindName(unit.kind), unit.levels?.length ? ` (${unit.levels.map(kindName).join(', ')})` : ''),
        h('dt', null, t('unitCode')),
        h('dd', null, h('code', null, unit.id)),
        h('dt', null, t('email')),
        h('dd', null, unit.email ?? '—'),
        h('dt', null, t('phone')),
        h('dd', null, unit.phone ?? '—'),
        h('dt', null, t('childCount')),
        h('dd', null, children.length),
        closed
          ? [
              h('dt', null, t('status')),
              h(
                'dd',
                { class: 'bad', 'data-testid': 'unit-closed' },
                closedText(unit, intoName),
                unit.mergedInto ? [' ', h('a', { href: unitHref(unit.mergedInto) }, t('open'))] : null,
              ),
            ]
          : null,
      ),
      actions,
    ),
    section(t('children'), 'unit-children', childrenTable(children)),
  );
}

async function rootsPage(ctx: PageCtx): Promise<void> {
  replace(ctx.root, loading());
  const { items } = await get<{ items: UnitRow[] }>('/api/v1/org-units');
  if (ctx.signal.aborted) return;
  replace(
    ctx.root,
    pageTitle(
      t('unitsTitle'),
      h('span', { class: 'exports' }, linkButton('#/units/import', t('importUnits'), { 'data-testid': 'units-import' })),
      exportLinks(),
    ),
    section(t('unitsRoots'), 'unit-roots', childrenTable(items)),
  );
}

type UnitLike = UnitDetail['unit'];

interface ReshapeDialog {
  title: string;
  testid: string;
  /** The fields above the reason. */
  fields: HTMLElement[];
  /** Whether the reason must be given (always for move, merge, close; for a rename). */
  needsReason: () => boolean;
  /** The call (with dryRun) — null when the input is not complete yet. */
  request: (reason: string, dryRun: boolean) => { method: 'POST' | 'PATCH'; path: string; body: Record<string, unknown> } | null;
  hint?: string;
  done: (text: string) => void;
  /** Inputs whose change makes the preview stale. */
  watch: HTMLElement[];
  /** A unit's name from its id, for the units the dialog knows (the one picked). */
  names?: (id: string) => string;
}

/** The dialog every reshape shares: fields, reason, "Xem trước" (dry run), then "Xác nhận". */
function reshapeDialog(spec: ReshapeDialog): { stale(): void } {
  const m = modal(spec.title, spec.testid);
  const reason = h('textarea', { id: 'rs-reason', rows: 2, maxlength: 1000, 'data-testid': 'reshape-reason' });
  const reasonLabel = h('label', { for: 'rs-reason' }, t('reason'));
  const showReasonLabel = () => replace(reasonLabel, spec.needsReason() ? t('reasonRequired') : t('reason'));
  showReasonLabel();
  const out = h('div', { class: 'reshape-out', 'aria-live': 'polite', 'data-testid': 'reshape-out' }, h('p', { class: 'muted' }, t('previewFirst')));
  const previewButton = h('button', { type: 'button', 'data-testid': 'reshape-preview' }, t('preview'));
  const confirmButton = h('button', { type: 'button', class: 'primary', disabled: true, 'data-testid': 'reshape-confirm' }, t('confirm'));
  let previewed: string | null = null;
  const stale = () => {
    showReasonLabel();
    if (previewed === null) return;
    previewed = null;
    confirmButton.disabled = true;
    replace(out, h('p', { class: 'muted', 'data-testid': 'reshape-stale' }, t('previewStale')));
  };
  for (const w of [...spec.watch, reason]) w.addEventListener('input', stale);
  if (spec.hint) m.body.append(h('p', { class: 'hint' }, spec.hint));
  m.body.append(...spec.fields, reasonLabel, reason, h('p', { class: 'hint' }, t('reasonHint')), out);
  m.footer.append(h('button', { type: 'button', onclick: () => m.close() }, t('cancel')), previewButton, confirmButton);
  const call = async (dryRun: boolean): Promise<ReshapeReport | null> => {
    if (spec.needsReason() && !reason.value.trim()) {
      replace(out, h('p', { class: 'field-error', 'data-testid': 'reshape-need-reason' }, t('needReason')));
      reason.focus();
      return null;
    }
    const req = spec.request(reason.value.trim(), dryRun);
    if (!req) {
      replace(out, h('p', { class: 'field-error', 'data-testid': 'reshape-need-unit' }, t('pickUnitFirst')));
      return null;
    }
    try {
      return await api<ReshapeReport>(req.method, req.path, { body: { ...req.body, dryRun } });
    } catch (e) {
      const problems = problemsOf(e);
      if (problems) replace(out, problemList(problems));
      else replace(out, errorBox(e, 'reshape-error'));
      return null;
    }
  };
  previewButton.addEventListener('click', async () => {
    previewButton.disabled = true;
    confirmButton.disabled = true;
    replace(out, h('p', { class: 'muted' }, t('previewing')));
    const report = await call(true);
    previewButton.disabled = false;
    if (!report) return;
    if (report.problems.length) {
      replace(out, problemList(report.problems));
      return;
    }
    replace(out, reshapeSummary(report, spec.names));
    previewed = JSON.stringify(spec.request(reason.value.trim(), false));
    confirmButton.disabled = false;
    confirmButton.focus();
  });
  confirmButton.addEventListener('click', async () => {
    if (previewed === null) return;
    confirmButton.disabled = true;
    previewButton.disabled = true;
    replace(out, h('p', { class: 'muted' }, t('applying')));
    const report = await call(false);
    previewButton.disabled = false;
    if (!report) return;
    m.close();
    spec.done(t('reshapeDone'));
  });
  return { stale };
}

function textInput(
  id: string,
  label: string,
  testid: string,
  value = '',
  attrs: Record<string, string | number | boolean> = {},
): [HTMLElement, HTMLInputElement] {
  const input = h('input', { id, value, 'data-testid': testid, ...attrs });
  return [h('div', { class: 'field' }, h('label', { for: id }, label), input), input];
}

function kindSelect(id: string, testid: string, value: string, allowed: readonly string[] = KINDS): [HTMLElement, HTMLSelectElement] {
  const select = h(
    'select',
    { id, 'data-testid': testid },
    allowed.map((k) => h('option', { value: k, selected: k === value }, kindName(k))),
  );
  return [h('div', { class: 'field' }, h('label', { for: id }, t('kind')), select), select];
}

function levelBoxes(current: string[] = []): [HTMLElement, () => string[], HTMLInputElement[]] {
  const boxes = SCHOOL_LEVELS.map((k) => h('input', { type: 'checkbox', value: k, checked: current.includes(k), 'data-testid': `level-${k}` }));
  return [
    h(
      'fieldset',
      { class: 'checks' },
      h('legend', null, t('changeLevels')),
      boxes.map((b, i) => h('label', { class: 'check' }, b, ` ${kindName(SCHOOL_LEVELS[i])}`)),
    ),
    () => boxes.filter((b) => b.checked).map((b) => b.value),
    boxes,
  ];
}

function childKinds(parentKind: string): readonly string[] {
  return KINDS.filter((k) => parentKindsOf(k).includes(parentKind as OrgUnitKind));
}

function addDialog(parent: UnitLike, done: (text: string) => void): void {
  const kinds = childKinds(parent.kind);
  const [codeField, code] = textInput('u-code', t('unitCode'), 'unit-new-code', '', { maxlength: 64, pattern: '[A-Za-z0-9_-]+', required: true });
  const [nameField, name] = textInput('u-name', t('name'), 'unit-new-name', '', { maxlength: 300, required: true });
  const [kindField, kind] = kindSelect('u-kind', 'unit-new-kind', kinds[0]!, kinds);
  const [levelsField, levels, levelInputs] = levelBoxes();
  const [emailField, email] = textInput('u-email', t('email'), 'unit-new-email', '', { type: 'email', maxlength: 200 });
  const [phoneField, phone] = textInput('u-phone', t('phone'), 'unit-new-phone', '', { maxlength: 50 });
  const showLevels = () => (levelsField.hidden = kind.value !== 'multi-level');
  kind.addEventListener('change', () => (showLevels(), dialog.stale()));
  showLevels();
  const dialog = reshapeDialog({
    title: t('addChildTitle', { u: parent.name }),
    testid: 'unit-add-dialog',
    fields: [codeField, nameField, kindField, levelsField, emailField, phoneField],
    watch: [code, name, email, phone, ...levelInputs],
    needsReason: () => false,
    request: () => ({
      method: 'POST',
      path: '/api/v1/org-units',
      body: {
        id: code.value.trim(),
        parentId: parent.id,
        kind: kind.value,
        name: name.value.trim(),
        ...(kind.value === 'multi-level' && levels().length ? { levels: levels() } : {}),
        ...(email.value.trim() ? { email: email.value.trim() } : {}),
        ...(phone.value.trim() ? { phone: phone.value.trim() } : {}),
      },
    }),
    done,
  });
}

function editDialog(unit: UnitLike, done: (text: string) => void): void {
  const [nameField, name] = textInput('u-name', t('name'), 'unit-edit-name', unit.name, { maxlength: 300, required: true });
  const [kindField, kind] = kindSelect('u-kind', 'unit-edit-kind', unit.kind);
  const [levelsField, levels, levelInputs] = levelBoxes(unit.levels ?? []);
  const [emailField, email] = textInput('u-email', t('email'), 'unit-edit-email', unit.email ?? '', { type: 'email', maxlength: 200 });
  const [phoneField, phone] = textInput('u-phone', t('phone'), 'unit-edit-phone', unit.phone ?? '', { maxlength: 50 });
  const showLevels = () => (levelsField.hidden = kind.value !== 'multi-level');
  kind.addEventListener('change', () => (showLevels(), dialog.stale()));
  showLevels();
  const dialog = reshapeDialog({
    title: t('editUnitTitle', { u: unit.name }),
    testid: 'unit-edit-dialog',
    hint: t('renameNeedsReason'),
    fields: [nameField, kindField, levelsField, emailField, phoneField],
    watch: [name, email, phone, ...levelInputs],
    needsReason: () => name.value.trim() !== unit.name || kind.value !== unit.kind,
    request: (reason) => {
      const body: Record<string, unknown> = {};
      if (name.value.trim() !== unit.name) body.name = name.value.trim();
      if (kind.value !== unit.kind) body.kind = kind.value;
      if (kind.value === 'multi-level' && JSON.stringify(levels()) !== JSON.stringify(unit.levels ?? [])) body.levels = levels();
      if (email.value.trim() !== (unit.email ?? '')) body.email = email.value.trim() || null;
      if (phone.value.trim() !== (unit.phone ?? '')) body.phone = phone.value.trim() || null;
      if (reason) body.reason = reason;
      return { method: 'PATCH', path: `/api/v1/org-units/${encodeURIComponent(unit.id)}`, body };
    },
    done,
  });
}

function pickedField(label: string, testid: string, exclude: string, onChange: () => void): [HTMLElement, () => PickedUnit | null] {
  const field = unitField(testid, null, onChange, exclude);
  return [h('div', { class: 'field' }, h('label', null, label), field.element), field.value];
}

function moveDialog(unit: UnitLike, done: (text: string) => void): void {
  const [field, parent] = pickedField(t('newParent'), 'move-parent', unit.id, () => dialog.stale());
  const dialog = reshapeDialog({
    title: t('moveUnitTitle', { u: unit.name }),
    testid: 'unit-move-dialog',
    fields: [field],
    watch: [],
    needsReason: () => true,
    names: (id) => (parent()?.id === id ? parent()!.name : id),
    request: (reason) => {
      const p = parent();
      return p ? { method: 'POST', path: `/api/v1/org-units/${encodeURIComponent(unit.id)}/move`, body: { parentId: p.id, reason } } : null;
    },
    done,
  });
}

function mergeDialog(unit: UnitLike, done: (text: string) => void): void {
  const [field, into] = pickedField(t('mergeInto'), 'merge-into', unit.id, () => dialog.stale());
  const dialog = reshapeDialog({
    title: t('mergeUnitTitle', { u: unit.name }),
    testid: 'unit-merge-dialog',
    hint: t('mergeHint'),
    fields: [field],
    watch: [],
    needsReason: () => true,
    request: (reason) => {
      const target = into();
      return target ? { method: 'POST', path: `/api/v1/org-units/${encodeURIComponent(unit.id)}/merge`, body: { intoId: target.id, reason } } : null;
    },
    done,
  });
}

function closeDialog(unit: UnitLike, done: (text: string) => void): void {
  reshapeDialog({
    title: t('closeUnitTitle', { u: unit.name }),
    testid: 'unit-close-dialog',
    hint: t('closeUnitHint'),
    fields: [],
    watch: [],
    needsReason: () => true,
    request: (reason) => ({ method: 'POST', path: `/api/v1/org-units/${encodeURIComponent(unit.id)}/close`, body: { reason } }),
    done,
  });
}
