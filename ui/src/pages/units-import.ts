// Nhập danh sách đơn vị: a province's unit list (CSV or XLSX) checked as a whole by a dry run — every
// problem at its row and column, or what it will add, rename, move and close and what running work
// that touches — then applied with a reason. Choosing another file starts over.
import { ApiError, get, qs, upload } from '../api.ts';
import { kindName, problemText, scrollBox, touchesBox } from '../admin.ts';
import { h, replace, type Child } from '../dom.ts';
import { t, tMaybe, tx } from '../i18n.ts';
import type { PageCtx } from '../router.ts';
import type { ImportAnswer, ImportProblem, ImportSummary, UnitDetail } from '../types.ts';
import { errorBox, linkButton, pageTitle, successBox } from '../widgets.ts';

const PAGE = 50;

export function unitsImportPage(ctx: PageCtx): void {
  const file = h('input', {
    id: 'imp-file',
    type: 'file',
    class: 'visually-hidden',
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
    if (answer.summary) await storeNames(answer.summary);
    if (mine !== seq || ctx.signal.aborted) return;
    replace(out, showAnswer(answer, mine));
  };

  const showAnswer = (answer: ImportAnswer, mine: number): HTMLElement => {
    if (answer.problems.length) {
      const more = answer.problemCount - answer.problems.length;
      return h(
        'div',
        { 'data-testid': 'import-problems-card' },
        h(
          'div',
          { class: 'alert alert-error', role: 'alert', 'data-testid': 'import-problems-banner' },
          t('importProblems', { f: answer.file, n: answer.problemCount }),
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
              answer.problems.map((p) =>
                h(
                  'tr',
                  { 'data-testid': 'import-problem', 'data-row': p.row, 'data-code': p.code },
                  h('td', { class: 'num' }, p.row),
                  h('td', null, p.header || '—'),
                  h('td', null, problemWords(p)),
                ),
              ),
            ),
          ),
        ),
        more > 0 ? h('p', { class: 'muted' }, t('importMoreProblems', { n: more })) : null,
      );
    }
    const summary = answer.summary;
    const counts = summary?.counts;
    const changes = counts ? counts.added + counts.renamed + counts.updated + counts.moved + counts.closed : 0;
    if (!summary || !changes) return h('div', { class: 'alert alert-success', 'data-testid': 'import-nothing' }, t('importNothing', { f: answer.file }));
    const needsReason = answer.needsReason;
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
      summaryLine(summary),
      summaryLists(summary),
      answer.touches ? touchesBox(answer.touches) : null,
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
      answer.summary ? summaryLine(answer.summary) : null,
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
      h(
        'p',
        { class: 'hint' },
        h('a', { href: `/api/v1/org-units/export${qs({ format: 'xlsx' })}`, download: '', 'data-testid': 'import-template' }, t('importTemplate')),
      ),
      h('p', { class: 'label' }, t('importFile')),
      // the browser's own file button speaks the browser's language: this one speaks the page's
      h('div', { class: 'file-line' }, file, h('label', { for: 'imp-file', class: 'button', 'data-testid': 'import-choose' }, t('chooseFile')), chosen),
    ),
    out,
  );
}

/** The names of the units a move names that the tree already has (the summary gives their codes). */
const known = new Map<string, string>();
async function storeNames(s: ImportSummary): Promise<void> {
  const added = new Set(s.added.map((a) => a.id));
  const ids = [...new Set(s.moved.slice(0, PAGE).flatMap((m) => [m.from, m.to]))].filter((id): id is string => !!id && !added.has(id) && !known.has(id));
  await Promise.all(
    ids.slice(0, 100).map((id) =>
      get<UnitDetail>(`/api/v1/org-units/${encodeURIComponent(id)}`).then(
        (d) => void known.set(id, d.unit.name),
        () => undefined,
      ),
    ),
  );
}

/** A refused import (422) carries the same answer in its details. */
function answerOfError(e: unknown): ImportAnswer | null {
  if (!(e instanceof ApiError)) return null;
  const d = e.details as unknown as Partial<ImportAnswer> | undefined;
  return d && Array.isArray(d.problems) && typeof d.file === 'string' ? (d as ImportAnswer) : null;
}

/** The problem in the chosen language; a reshape refusal the server left in English is worded here. */
function problemWords(p: ImportProblem): string {
  if (p.message.vi === p.message.en && tMaybe(`problem_${p.code}`)) return problemText({ code: p.code, message: p.message.en, params: p.params });
  return tx(p.message);
}

function summaryLine(s: ImportSummary): HTMLElement {
  const stat = (n: number, label: string, testid: string) =>
    h('div', { class: `stat${n > 0 && testid === 'sum-closed' ? ' warn' : ''}`, 'data-testid': testid, 'data-n': n }, h('span', { class: 'stat-n' }, n), label);
  return h(
    'div',
    { class: 'touch-grid summary', 'data-testid': 'import-summary' },
    stat(s.counts.added, t('listAdded'), 'sum-added'),
    stat(s.counts.renamed, t('listRenamed'), 'sum-renamed'),
    stat(s.counts.updated, t('listOtherUpdates'), 'sum-updated'),
    stat(s.counts.moved, t('listMoved'), 'sum-moved'),
    stat(s.counts.closed, t('listClosed'), 'sum-closed'),
  );
}

/** One paged table per kind of change (the server lists the first 500 of each; the counts are whole). */
function summaryLists(s: ImportSummary): HTMLElement {
  const names = new Map(s.added.map((a) => [a.id, a.name]));
  const nameOf = (id: string | undefined) => (id ? (names.get(id) ?? known.get(id) ?? id) : '—');
  return h(
    'div',
    null,
    pagedList(t('listAdded'), 'list-added', [t('name'), t('kind'), t('unitCode'), t('parentCode')], s.added, s.counts.added, (a) => [
      a.name,
      kindName(a.kind),
      h('code', null, a.id),
      nameOf(a.parentId),
    ]),
    pagedList(t('listRenamed'), 'list-renamed', [t('unitCode'), t('changes')], s.renamed, s.counts.renamed, (r) => [
      h('code', null, r.id),
      `${r.from} → ${r.to}`,
    ]),
    pagedList(t('listOtherUpdates'), 'list-updated', [t('unitCode'), t('changes')], s.updated, s.counts.updated, (u) => [
      h('code', null, u.id),
      u.fields.map((f) => tMaybe(`change${f[0]!.toUpperCase()}${f.slice(1)}`) ?? f).join(', '),
    ]),
    pagedList(t('listMoved'), 'list-moved', [t('name'), t('unitCode'), t('fromParent'), t('newParent')], s.moved, s.counts.moved, (m) => [
      m.name,
      h('code', null, m.id),
      nameOf(m.from),
      nameOf(m.to),
    ]),
    pagedList(t('listClosed'), 'list-closed', [t('name'), t('unitCode')], s.closed, s.counts.closed, (c) => [c.name, h('code', null, c.id)]),
  );
}

function pagedList<T>(title: string, testid: string, headers: string[], items: T[], total: number, cells: (x: T) => Child[]): HTMLElement | null {
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
      h('span', { class: 'muted small' }, t('shownOf', { a: 1, b: shown, n: total })),
      shown < items.length ? h('button', { type: 'button', class: 'small', 'data-testid': `${testid}-more`, onclick: next }, t('more')) : null,
    );
  };
  next();
  return h(
    'details',
    { class: 'card', 'data-testid': testid, open: total <= PAGE },
    h('summary', null, h('strong', null, `${title} (${total})`)),
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
