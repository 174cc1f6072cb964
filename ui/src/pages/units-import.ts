// Nhập danh sách đơn vị: a province's unit list (CSV or XLSX) checked as a whole by a dry run — every
// problem at its row and column, or what it will add, rename, move and close and what running work
// that touches — then applied with a reason. Choosing another file starts over.
import { ApiError, qs, upload } from '../api.ts';
import { changesText, kindName, problemText, scrollBox, touchesBox } from '../admin.ts';
import { h, replace, type Child } from '../dom.ts';
import { t, tx } from '../i18n.ts';
import type { PageCtx } from '../router.ts';
import type { ImportAnswer, ImportProblem, ReshapeReport } from '../types.ts';
import { errorBox, linkButton, pageTitle, successBox } from '../widgets.ts';

const PAGE = 50;

export function unitsImportPage(ctx: PageCtx): void {
  const file = h('input', {
    id: 'imp-file',
    type: 'file',
    accept: '.csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    'data-testid': 'import-file',
  });
  const chosen = h('span', { class: 'muted', 'data-testid': 'import-file-name' });
  const out = h('div', { 'aria-live': 'polite', 'data-testid': 'import-out' });
  let seq = 0;
  let current: { name: string; bytes: ArrayBuffer } | null = null;

  file.addEventListener('change', async () => {
    const f = file.files?.[0];
    if (!f) return;
    const mine = ++seq;
    // a new file: nothing of the last one stays on the page
    replace(out, h('p', { class: 'muted', 'data-testid': 'import-checking' }, t('importChecking', { f: f.name })));
    replace(chosen, f.name);
    const bytes = await f.arrayBuffer();
    file.value = '';
    if (mine !== seq || ctx.signal.aborted) return;
    current = { name: f.name, bytes };
    await preview(mine);
  });

  const call = (dryRun: boolean, reason: string) =>
    upload<ImportAnswer>(`/api/v1/org-units/import${qs({ dryRun, file: current!.name, reason: reason || undefined })}`, current!.bytes);

  const preview = async (mine: number) => {
    let answer: ImportAnswer;
    try {
      answer = await call(true, '');
    } catch (e) {
      if (mine === seq) replace(out, answerOfError(e) ? showAnswer(answerOfError(e)!, mine) : errorBox(e, 'import-error'));
      return;
    }
    if (mine !== seq || ctx.signal.aborted) return;
    replace(out, showAnswer(answer, mine));
  };

  const showAnswer = (answer: ImportAnswer, mine: number): HTMLElement => {
    const report = answer.report;
    const rows = problemRows(answer);
    if (rows.length) {
      return h(
        'div',
        { 'data-testid': 'import-problems-card' },
        h(
          'div',
          { class: 'alert alert-error', role: 'alert', 'data-testid': 'import-problems-banner' },
          t('importProblems', { f: answer.file, n: rows.length }),
        ),
        scrollBox(
          h(
            'table',
            { class: 'list', 'data-testid': 'import-problems' },
            h(
              'thead',
              null,
              h(
                'tr',
                null,
                [t('importRow'), t('importColumn'), t('importError')].map((c) => h('th', { scope: 'col' }, c)),
              ),
            ),
            h(
              'tbody',
              null,
              rows.map((p) =>
                h(
                  'tr',
                  { 'data-testid': 'import-problem', 'data-row': p.row ?? '', 'data-code': p.code },
                  h('td', { class: 'num' }, p.row ?? '—'),
                  h('td', null, p.column ?? '—'),
                  h('td', null, p.text),
                ),
              ),
            ),
          ),
        ),
      );
    }
    if (!report) return errorBox(new Error(t('problem_other', { code: '—' })));
    const changes = report.added.length + report.updated.length + report.moved.length + report.merged.length + report.closed.length;
    if (!changes) return h('div', { class: 'alert alert-success', 'data-testid': 'import-nothing' }, t('importNothing', { f: answer.file }));
    const needsReason =
      report.updated.some((u) => 'name' in u.changes || 'kind' in u.changes) || report.moved.length + report.merged.length + report.closed.length > 0;
    const reason = h('textarea', { id: 'imp-reason', rows: 2, maxlength: 1000, 'data-testid': 'import-reason' });
    const message = h('div', { 'aria-live': 'polite' });
    const apply = h('button', { type: 'button', class: 'primary', 'data-testid': 'import-apply' }, t('importApply'));
    apply.addEventListener('click', async () => {
      replace(message);
      if (needsReason && !reason.value.trim()) {
        replace(message, h('p', { class: 'field-error', 'data-testid': 'import-need-reason' }, t('importReasonNeeded')));
        reason.focus();
        return;
      }
      apply.disabled = true;
      try {
        const done = await call(false, reason.value.trim());
        if (mine !== seq) return;
        replace(out, doneView(done));
      } catch (e) {
        const again = answerOfError(e);
        if (mine !== seq) return;
        if (again) replace(out, showAnswer(again, mine));
        else replace(message, errorBox(e, 'import-error'));
      } finally {
        apply.disabled = false;
      }
    });
    return h(
      'div',
      { 'data-testid': 'import-preview' },
      h('div', { class: 'alert alert-info', 'data-testid': 'import-clean' }, t('importClean', { f: answer.file })),
      summaryLine(report),
      reportLists(report),
      touchesBox(report.touches),
      h(
        'div',
        { class: 'card' },
        h('label', { for: 'imp-reason' }, needsReason ? t('reasonRequired') : t('reason')),
        needsReason ? h('p', { class: 'hint' }, t('importReasonNeeded')) : null,
        reason,
        h('p', { class: 'hint' }, t('reasonHint')),
        message,
        apply,
      ),
    );
  };

  const doneView = (answer: ImportAnswer): HTMLElement =>
    h(
      'div',
      { 'data-testid': 'import-done' },
      successBox(t('importDone', { f: answer.file }), 'import-success'),
      answer.report ? summaryLine(answer.report) : null,
      h(
        'p',
        { class: 'actions' },
        linkButton('#/units', t('importGoUnits'), { 'data-testid': 'import-go-units' }),
        h(
          'button',
          {
            type: 'button',
            onclick: () => {
              replace(out);
              replace(chosen);
              file.click();
            },
          },
          t('importAnother'),
        ),
      ),
    );

  replace(
    ctx.root,
    h('nav', { class: 'crumbs' }, h('a', { href: '#/units' }, t('unitsTitle')), ' › ', t('importTitle')),
    pageTitle(t('importTitle')),
    h(
      'section',
      { class: 'card' },
      h('p', { class: 'hint' }, t('importHint')),
      h('label', { for: 'imp-file' }, t('importFile')),
      h('div', { class: 'file-line' }, file, chosen),
    ),
    out,
  );
}

/** A refused import (422) carries the same answer in its details. */
function answerOfError(e: unknown): ImportAnswer | null {
  if (!(e instanceof ApiError)) return null;
  const d = e.details as unknown as Partial<ImportAnswer> & Partial<ReshapeReport>;
  if (Array.isArray(d?.problems) && 'file' in (d ?? {})) return d as ImportAnswer;
  // the reshape's own refusal: its problems with their rows
  if (Array.isArray(d?.problems) && d.problems.length) return { file: '', problems: [], report: d as ReshapeReport };
  return null;
}

interface Row {
  row: number | null;
  column: string | null;
  code: string;
  text: string;
}

/** The file's problems and the reshape's (both at their rows), in order; a missing reason is asked for below, not listed. */
function problemRows(answer: ImportAnswer): Row[] {
  const rows: Row[] = answer.problems.map((p: ImportProblem) => ({ row: p.row, column: p.columnName ?? p.column ?? null, code: p.code, text: tx(p.message) }));
  for (const p of answer.report?.problems ?? []) {
    if (p.code === 'REASON_REQUIRED') continue;
    rows.push({ row: p.source?.row ?? null, column: p.source?.column ?? null, code: p.code, text: problemText(p) });
  }
  return rows.sort((a, b) => (a.row ?? 0) - (b.row ?? 0));
}

function summaryLine(report: ReshapeReport): HTMLElement {
  const renamed = report.updated.filter((u) => 'name' in u.changes).length;
  const stat = (n: number, label: string, testid: string) =>
    h('div', { class: 'stat', 'data-testid': testid, 'data-n': n }, h('span', { class: 'stat-n' }, n), label);
  return h(
    'div',
    { class: 'touch-grid summary', 'data-testid': 'import-summary' },
    stat(report.added.length, t('listAdded'), 'sum-added'),
    stat(renamed, t('listRenamed'), 'sum-renamed'),
    stat(report.updated.length - renamed, t('listOtherUpdates'), 'sum-updated'),
    stat(report.moved.length, t('listMoved'), 'sum-moved'),
    stat(report.merged.length, t('listMerged'), 'sum-merged'),
    stat(report.closed.length, t('listClosed'), 'sum-closed'),
  );
}

/** One paged table per kind of change. */
function reportLists(report: ReshapeReport): HTMLElement {
  const names = new Map(report.added.map((a) => [a.id, a.name]));
  const nameOf = (id: string | undefined) => (id ? (names.get(id) ?? id) : '—');
  return h(
    'div',
    null,
    pagedList(t('listAdded'), 'list-added', [t('name'), t('kind'), t('unitCode'), t('parentCode')], report.added, (a) => [
      a.name,
      kindName(a.kind),
      h('code', null, a.id),
      nameOf(a.parentId),
    ]),
    pagedList(t('listUpdated'), 'list-updated', [t('unitCode'), t('changes')], report.updated, (u) => [h('code', null, u.id), changesText(u.changes)]),
    pagedList(t('listMoved'), 'list-moved', [t('name'), t('unitCode'), t('newParent'), t('childCount')], report.moved, (m) => [
      m.name,
      h('code', null, m.id),
      nameOf(m.toParentId),
      m.units,
    ]),
    pagedList(t('listMerged'), 'list-merged', [t('name'), t('mergeInto')], report.merged, (m) => [m.name, m.intoName]),
    pagedList(t('listClosed'), 'list-closed', [t('name'), t('unitCode'), t('childCount')], report.closed, (c) => [c.name, h('code', null, c.id), c.units]),
  );
}

function pagedList<T>(title: string, testid: string, headers: string[], items: T[], cells: (x: T) => Child[]): HTMLElement | null {
  if (!items.length) return null;
  const tbody = h('tbody');
  const more = h('div', { class: 'more' });
  let shown = 0;
  const next = () => {
    const page = items.slice(shown, shown + PAGE);
    tbody.append(
      ...page.map((x) =>
        h(
          'tr',
          { 'data-testid': `${testid}-row` },
          cells(x).map((c) => h('td', null, c)),
        ),
      ),
    );
    shown += page.length;
    replace(
      more,
      h('span', { class: 'muted small' }, t('shownOf', { a: 1, b: shown, n: items.length })),
      shown < items.length ? h('button', { type: 'button', class: 'small', 'data-testid': `${testid}-more`, onclick: next }, t('more')) : null,
    );
  };
  next();
  return h(
    'details',
    { class: 'card', 'data-testid': testid, open: items.length <= PAGE },
    h('summary', null, h('strong', null, `${title} (${items.length})`)),
    scrollBox(
      h(
        'table',
        { class: 'list' },
        h(
          'thead',
          null,
          h(
            'tr',
            null,
            headers.map((c) => h('th', { scope: 'col' }, c)),
          ),
        ),
        tbody,
      ),
    ),
    more,
  );
}
