// Bulk operations (thao tác hàng loạt): extend a deadline, hand work to another unit, cancel, or move
// to another version — over the instances a filter picks. The server's dry run is shown first; only
// after it, with a reason, may the administrator confirm the very same request.
import { get, post, uuid } from '../api.ts';
import { h, replace } from '../dom.ts';
import { formatDate } from '../format.ts';
import { t, tx, type Key } from '../i18n.ts';
import type { PageCtx } from '../router.ts';
import type { DefinitionListItem, DefinitionVersion } from '../types.ts';
import type * as Api from '../api.generated.ts';
import { errorBox, loading, pageTitle, section } from '../widgets.ts';
import { problem } from './notice.ts';
import { unitPicker } from './unit-picker.ts';

type Report = Api.CohortReport;
type Item = Report['instances'][number];
type Op = 'extend' | 'reassign' | 'cancel' | 'migrate';
type StageRow = NonNullable<DefinitionVersion['stages']>[number];

const MIN_REASON = 5;

export async function cohortPage(ctx: PageCtx): Promise<void> {
  const host = h('div', null, loading());
  replace(ctx.root, pageTitle(t('adm_cohortTitle')), h('p', { class: 'muted' }, t('adm_cohortIntro')), host);
  const [{ items: definitions }, units] = await Promise.all([get<{ items: DefinitionListItem[] }>('/api/v1/definitions'), unitPicker.load()]);
  if (ctx.signal.aborted) return;

  // ── 1. the filter ──
  const process = h(
    'select',
    { id: 'co-process', required: true, 'data-testid': 'cohort-process' },
    h('option', { value: '' }, t('choose')),
    definitions.map((d) => h('option', { value: d.id }, tx(d.title))),
  );
  const version = h('select', { id: 'co-version', 'data-testid': 'cohort-version' });
  const unit = unitPicker.input(units, 'co-unit', 'cohort-unit');
  const stageBoxes = h('div', { class: 'checks', 'data-testid': 'cohort-stages' });
  const overdue = h('input', { type: 'checkbox', id: 'co-overdue', 'data-testid': 'cohort-overdue' });
  let stages: StageRow[] = [];
  const versions = new Map<number, StageRow[]>();
  const stagesOf = async (id: string, v: number): Promise<StageRow[]> => {
    if (!versions.has(v)) versions.set(v, (await get<DefinitionVersion>(`/api/v1/definitions/${encodeURIComponent(id)}/versions/${v}`)).stages ?? []);
    return versions.get(v)!;
  };
  const chosenDefinition = () => definitions.find((d) => d.id === process.value);

  // ── 2. the operation ──
  const ops: Op[] = ['extend', 'reassign', 'cancel', 'migrate'];
  const opLabel: Record<Op, Key> = { extend: 'adm_opExtend', reassign: 'adm_opReassign', cancel: 'adm_opCancel', migrate: 'adm_opMigrate' };
  const radios = ops.map((op) => h('input', { type: 'radio', name: 'co-op', value: op, checked: op === 'extend', 'data-testid': `cohort-op-${op}` }));
  const op = (): Op => (radios.find((r) => r.checked)?.value ?? 'extend') as Op;
  const extendStage = h('select', { id: 'co-extend-stage', 'data-testid': 'cohort-extend-stage' });
  const how = h(
    'select',
    { id: 'co-how', 'data-testid': 'cohort-extend-how' },
    h('option', { value: 'workingDays' }, t('adm_byWorkingDays')),
    h('option', { value: 'days' }, t('adm_byDays')),
    h('option', { value: 'until' }, t('adm_untilDate')),
  );
  const amount = h('input', { type: 'number', id: 'co-amount', min: 1, max: 365, value: 5, 'data-testid': 'cohort-extend-amount' });
  const until = h('input', { type: 'date', id: 'co-until', hidden: true, 'data-testid': 'cohort-extend-until' });
  const amountLabel = h('label', { for: 'co-amount' }, t('adm_amount'));
  const untilLabel = h('label', { for: 'co-until', hidden: true }, t('adm_untilDate'));
  const toUnit = unitPicker.input(units, 'co-to-unit', 'cohort-to-unit');
  const toVersion = h('select', { id: 'co-to-version', 'data-testid': 'cohort-to-version' });
  const stateMapHost = h('div', { 'data-testid': 'cohort-state-map' });
  const extendFields = h(
    'div',
    { 'data-op': 'extend' },
    h('label', { for: 'co-extend-stage' }, t('adm_extendStage')),
    extendStage,
    h('label', { for: 'co-how' }, t('adm_extendHow')),
    how,
    amountLabel,
    amount,
    untilLabel,
    until,
  );
  const reassignFields = h('div', { 'data-op': 'reassign', hidden: true }, h('label', { for: 'co-to-unit' }, t('adm_toUnit')), toUnit.el);
  const migrateFields = h('div', { 'data-op': 'migrate', hidden: true }, h('label', { for: 'co-to-version' }, t('adm_toVersion')), toVersion, stateMapHost);
  const reason = h('textarea', { id: 'co-reason', rows: 2, maxlength: 1000, required: true, 'data-testid': 'cohort-reason' });

  // ── 3. preview, confirm ──
  const previewButton = h('button', { type: 'submit', class: 'primary', 'data-testid': 'cohort-preview' }, t('adm_previewButton'));
  const confirmButton = h('button', { type: 'button', disabled: true, 'data-testid': 'cohort-confirm' }, t('adm_confirmButton'));
  const message = h('div', { 'aria-live': 'polite' });
  const previewHost = h('div', { 'data-testid': 'cohort-preview-result' });
  const resultHost = h('div', { 'aria-live': 'polite', 'data-testid': 'cohort-result' });
  /** The request the preview answered; confirming sends exactly it, once (its key stays). */
  let previewed: { path: string; body: Record<string, unknown>; key: string } | null = null;

  const stale = () => {
    if (!previewed) return;
    previewed = null;
    confirmButton.disabled = true;
    replace(previewHost, h('p', { class: 'alert alert-info', 'data-testid': 'cohort-stale' }, t('adm_previewStale')));
  };

  const drawStages = () => {
    const chosen = new Set([...stageBoxes.querySelectorAll<HTMLInputElement>('input:checked')].map((b) => b.value));
    replace(
      stageBoxes,
      stages
        .filter((s) => s.kind !== 'final')
        .map((s) =>
          h(
            'label',
            { class: 'check' },
            h('input', { type: 'checkbox', value: s.id, checked: chosen.has(s.id), 'data-testid': `cohort-stage-${s.id}` }),
            ` ${tx(s.title)}`,
          ),
        ),
    );
    const keep = extendStage.value;
    replace(
      extendStage,
      stages.filter((s) => s.hasDue).map((s) => h('option', { value: s.id }, tx(s.title))),
    );
    if (keep && stages.some((s) => s.id === keep)) extendStage.value = keep;
  };

  const drawStateMap = async () => {
    const d = chosenDefinition();
    const from = Number(version.value);
    const to = Number(toVersion.value);
    if (!d || op() !== 'migrate') return replace(stateMapHost);
    if (!from) return replace(stateMapHost, h('p', { class: 'muted' }, t('adm_fromVersionNeeded')));
    if (!to) return replace(stateMapHost);
    const [before, after] = await Promise.all([stagesOf(d.id, from), stagesOf(d.id, to)]);
    const kept = new Set(after.map((s) => s.id));
    const removed = before.filter((s) => !kept.has(s.id) && s.kind !== 'final');
    replace(
      stateMapHost,
      removed.length
        ? h(
            'fieldset',
            { class: 'checks' },
            h('legend', null, t('adm_stateMap')),
            removed.map((s) =>
              h(
                'div',
                null,
                h('label', { for: `co-map-${s.id}` }, tx(s.title)),
                h(
                  'select',
                  { id: `co-map-${s.id}`, 'data-from': s.id, 'data-testid': `cohort-map-${s.id}` },
                  after.filter((x) => x.kind !== 'final').map((x) => h('option', { value: x.id }, tx(x.title))),
                ),
              ),
            ),
          )
        : h('p', { class: 'muted' }, t('adm_noRemoved')),
    );
  };

  const onProcess = async () => {
    const d = chosenDefinition();
    versions.clear();
    replace(
      version,
      h('option', { value: '' }, t('adm_anyVersion')),
      (d?.versions ?? []).map((v) => h('option', { value: v.version }, t('adm_versionN', { v: v.version }))),
    );
    replace(
      toVersion,
      (d?.versions ?? []).map((v) => h('option', { value: v.version }, t('adm_versionN', { v: v.version }))),
    );
    if (d) toVersion.value = String(d.latest);
    stages = d ? await stagesOf(d.id, d.latest) : [];
    drawStages();
    await drawStateMap();
  };
  process.addEventListener('change', () => void onProcess().catch((e) => replace(message, errorBox(e, 'cohort-error'))));
  version.addEventListener('change', async () => {
    const d = chosenDefinition();
    if (d) stages = await stagesOf(d.id, Number(version.value) || d.latest);
    drawStages();
    await drawStateMap();
  });
  toVersion.addEventListener('change', () => void drawStateMap());
  how.addEventListener('change', () => {
    const byDate = how.value === 'until';
    amount.hidden = amountLabel.hidden = byDate;
    until.hidden = untilLabel.hidden = !byDate;
  });
  for (const r of radios)
    r.addEventListener('change', () => {
      for (const f of [extendFields, reassignFields, migrateFields]) f.hidden = f.dataset.op !== op();
      void drawStateMap();
    });

  /** The request the form describes, or a reason it cannot be sent yet. */
  const request = (): { path: string; body: Record<string, unknown> } | string => {
    const d = chosenDefinition();
    if (!d) return t('adm_chooseProcess');
    const unitId = unit.value();
    if (unitId === undefined) return t('adm_unitUnknown', { u: unit.text() });
    const chosen = [...stageBoxes.querySelectorAll<HTMLInputElement>('input:checked')].map((b) => b.value);
    const filter = {
      definitionId: d.id,
      ...(version.value ? { definitionVersion: Number(version.value) } : {}),
      ...(unitId ? { unitId } : {}),
      ...(chosen.length ? { stages: chosen } : {}),
      ...(overdue.checked ? { overdue: true } : {}),
    };
    const text = reason.value.trim();
    if (text.length < MIN_REASON) return t('adm_reasonShort');
    const base = { filter, reason: text };
    switch (op()) {
      case 'extend': {
        const span = how.value === 'until' ? { until: until.value } : { [how.value]: Number(amount.value) };
        return { path: '/api/v1/cohort/extend', body: { ...base, stage: extendStage.value, ...span } };
      }
      case 'reassign': {
        const to = toUnit.value();
        if (!to) return t('adm_unitUnknown', { u: toUnit.text() });
        return { path: '/api/v1/cohort/reassign', body: { ...base, toUnitId: to } };
      }
      case 'cancel':
        return { path: '/api/v1/cohort/cancel', body: base };
      case 'migrate': {
        const stateMap = Object.fromEntries([...stateMapHost.querySelectorAll<HTMLSelectElement>('select[data-from]')].map((s) => [s.dataset.from!, s.value]));
        return { path: '/api/v1/cohort/migrate', body: { ...base, toVersion: Number(toVersion.value), stateMap } };
      }
    }
  };

  const form = h(
    'form',
    { 'data-testid': 'cohort-form', novalidate: true },
    section(
      t('adm_filterTitle'),
      'cohort-filter',
      h('label', { for: 'co-process' }, t('adm_process')),
      process,
      h('label', { for: 'co-version' }, t('adm_version')),
      version,
      h('label', { for: 'co-unit' }, t('adm_unit')),
      unit.el,
      h('p', { class: 'muted small' }, t('adm_unitHint')),
      h('fieldset', { class: 'checks' }, h('legend', null, t('adm_stages')), h('p', { class: 'muted small' }, t('adm_stagesHint')), stageBoxes),
      h('label', { class: 'check' }, overdue, ` ${t('adm_overdueOnly')}`),
    ),
    section(
      t('adm_opTitle'),
      'cohort-operation',
      h(
        'fieldset',
        { class: 'checks' },
        h('legend', null, t('adm_opLegend')),
        radios.map((r, i) => h('label', { class: 'check' }, r, ` ${t(opLabel[ops[i]!])}`)),
      ),
      extendFields,
      reassignFields,
      migrateFields,
      h('label', { for: 'co-reason' }, t('adm_reason')),
      reason,
    ),
    section(t('adm_previewTitle'), 'cohort-confirm-card', message, h('div', { class: 'actions' }, previewButton, confirmButton), previewHost),
  );
  form.addEventListener('input', stale);
  form.addEventListener('change', stale);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    replace(message);
    replace(resultHost);
    const r = request();
    if (typeof r === 'string') return replace(message, problem(r, 'cohort-error'));
    previewButton.disabled = true;
    try {
      const report = await post<Report>(r.path, { ...r.body, dryRun: true });
      previewed = { ...r, key: uuid() };
      replace(previewHost, reportView(report, op()));
      confirmButton.disabled = report.matched - report.excluded === 0;
    } catch (e) {
      replace(message, errorBox(e, 'cohort-error'));
    } finally {
      previewButton.disabled = false;
    }
  });
  confirmButton.addEventListener('click', async () => {
    if (!previewed) return;
    const sent = previewed;
    confirmButton.disabled = true;
    replace(message);
    try {
      const report = await post<Report>(sent.path, { ...sent.body, dryRun: false }, { 'Idempotency-Key': sent.key });
      previewed = null;
      replace(previewHost);
      replace(resultHost, section(t('adm_resultTitle'), 'cohort-result-card', reportView(report, op())));
    } catch (e) {
      replace(message, errorBox(e, 'cohort-error'));
      confirmButton.disabled = false;
    }
  });
  replace(host, form, resultHost);
}

/** A dry run's or a run's report: the counts, then one row per instance, in words. */
function reportView(report: Report, op: Op): HTMLElement {
  const left = report.instances.filter((i) => i.excluded || i.error).length;
  const changing = report.matched - left;
  const summary = report.dryRun ? t('adm_previewSummary', { m: report.matched, c: changing, x: left }) : t('adm_resultSummary', { c: report.changed, x: left });
  const overdueLine =
    op === 'extend' && report.stillOverdue !== undefined
      ? h(
          'p',
          {
            class: report.stillOverdue ? 'alert alert-error' : 'alert alert-success',
            'data-testid': 'cohort-still-overdue',
            'data-count': report.stillOverdue,
          },
          t('adm_stillOverdueSummary', { n: report.stillOverdue, t: changing }),
        )
      : null;
  if (!report.matched) return h('div', null, h('p', { class: 'muted', 'data-testid': 'cohort-summary' }, t('adm_noneMatched')));
  const headers = [t('adm_colUnit'), t('adm_colStage')];
  if (op === 'extend') headers.push(t('adm_colDue'), t('adm_colNewDue'), t('adm_colStillOverdue'));
  if (op === 'migrate') headers.push(t('adm_colNewStages'));
  headers.push(t('adm_colOutcome'));
  const titles = (i: Item, ids: string[]) => ids.map((s) => tx(i.stageTitles[s]) || '—').join(', ');
  return h(
    'div',
    null,
    h('p', { 'data-testid': 'cohort-summary', 'data-matched': report.matched }, summary),
    overdueLine,
    h(
      'div',
      { class: 'table-scroll' },
      h(
        'table',
        { class: 'list', 'data-testid': 'cohort-table' },
        h(
          'thead',
          null,
          h(
            'tr',
            null,
            headers.map((x) => h('th', { scope: 'col' }, x)),
          ),
        ),
        h(
          'tbody',
          null,
          report.instances.map((i) => {
            const skipped = i.excluded || i.error;
            return h(
              'tr',
              { 'data-testid': 'cohort-row', 'data-instance': i.instanceId, class: skipped ? 'muted' : '' },
              h('td', null, h('a', { href: `#/instances/${encodeURIComponent(i.instanceId)}` }, i.unitName)),
              h('td', null, titles(i, i.activeStages)),
              op === 'extend'
                ? [
                    h('td', null, formatDate(i.dueBefore)),
                    h('td', null, skipped ? '—' : formatDate(i.dueAfter)),
                    h(
                      'td',
                      { 'data-testid': 'cohort-still' },
                      i.stillOverdue === undefined || skipped ? '—' : i.stillOverdue ? h('strong', { class: 'bad' }, t('adm_yesOverdue')) : t('adm_notOverdue'),
                    ),
                  ]
                : null,
              op === 'migrate' ? h('td', null, skipped ? '—' : titles(i, i.to ?? [])) : null,
              h('td', { 'data-testid': 'cohort-outcome' }, outcome(i, op, report.dryRun)),
            );
          }),
        ),
      ),
    ),
  );
}

/** What happened (or would) to one instance, in the user's words: never the engine's English. */
function outcome(i: Item, op: Op, dryRun: boolean): string {
  if (i.excluded) return t('adm_excludedScope');
  if (!i.error) return t(dryRun ? 'adm_willChange' : 'adm_changed');
  switch (i.error.code) {
    case 'STAGE_REJECTS_EVENT':
      return t('adm_errNotActive');
    case 'NOT_FOUND':
      return op === 'reassign' ? t('adm_errNoTasks') : t('adm_errOther');
    case 'REV_CONFLICT':
      return t('adm_errConflict');
    case 'INVALID_ARGUMENT':
      return op === 'extend' ? t('adm_errNoDeadline') : op === 'migrate' ? t('adm_errSameVersion') : t('adm_errOther');
    default:
      return t('adm_errOther');
  }
}
