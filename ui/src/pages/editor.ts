// The definition editor: the YAML on the left, checked as one types (marks in the text and a list
// under it), the diagram on the right; impact on running instances, and publishing a new version.
// Loaded on demand: it brings CodeMirror (and, once valid, mermaid).
import type { EditorView } from '@codemirror/view';
import { ApiError, get, post } from '../api.ts';
import { h, replace, table } from '../dom.ts';
import { createYamlEditor, destroyEditor, jumpTo, showDiagnostics } from '../editor/codemirror.ts';
import { renderDiagram } from '../editor/diagram.ts';
import { getLang, t, tx } from '../i18n.ts';
import type { PageCtx } from '../router.ts';
import type { DefinitionListItem, DefinitionVersion, Diagnostic, Impact, Validation } from '../types.ts';
import { errorBox, loading, pageTitle, successBox } from '../widgets.ts';
import { NEW_DEFINITION } from '../editor/template.ts';

/** Unpublished text per definition (or "new"), kept while the app runs: switching the language or
 * looking at another page must not throw an edit away. */
const drafts = new Map<string, string>();

/** Banners about an earlier text that a clean check makes untrue. */
const STALE_WHEN_VALID = '[data-testid="publish-invalid"], [data-testid="publish-error"], [data-testid="impact-error"]';

interface EditorParts {
  diagnostics: HTMLElement;
  summary: HTMLElement;
  diagram: HTMLElement;
  results: HTMLElement;
  hint: HTMLElement;
  /** "id · Phiên bản N" in the heading. */
  version: HTMLElement;
  /** Shown while the text differs from what was loaded (an edit kept from before). */
  draft: HTMLElement;
  /** The text last loaded or published: leaving with anything else keeps it as a draft. */
  baseline: string;
}

function editorHead(head: HTMLElement): HTMLElement {
  head.classList.add('editor-head');
  return head;
}

export async function editorPage(ctx: PageCtx): Promise<void> {
  const id = ctx.params[0]!;
  replace(ctx.root, loading());
  const [latest, list] = await Promise.all([
    id === 'new' ? Promise.resolve(null) : get<DefinitionVersion>(`/api/v1/definitions/${encodeURIComponent(id)}/versions/latest`),
    get<{ items: DefinitionListItem[] }>('/api/v1/definitions'),
  ]);
  if (ctx.signal.aborted) return;
  const published = new Map(list.items.map((d) => [d.id, d.latest]));
  const parts: EditorParts = {
    diagnostics: h('ul', { class: 'diagnostics', 'data-testid': 'diagnostics' }),
    summary: h('span', { class: 'muted', 'data-testid': 'diagnostics-summary', 'aria-live': 'polite' }, t('checking')),
    diagram: h('div', { class: 'diagram', 'data-testid': 'diagram' }, h('p', { class: 'muted' }, t('diagramPending'))),
    results: h('div', { 'aria-live': 'polite', 'data-testid': 'editor-results' }),
    hint: h('p', { class: 'hint', 'data-testid': 'version-hint' }),
    version: h('span', { class: 'muted', 'data-testid': 'editor-version' }, latest ? `${latest.id} · ${t('version')} ${latest.version}` : ''),
    draft: h('span', { class: 'badge', 'data-testid': 'editor-draft', hidden: !drafts.has(id) }, t('unpublishedDraft')),
    baseline: latest?.source ?? NEW_DEFINITION,
  };
  const editorHost = h('div', { class: 'editor', 'data-testid': 'editor' });
  const impactButton = h('button', { type: 'button', 'data-testid': 'impact' }, t('impact'));
  const publishButton = h('button', { type: 'button', class: 'primary', 'data-testid': 'publish' }, t('publish'));
  replace(
    ctx.root,
    editorHead(
      pageTitle(latest ? tx(latest.title) : t('newDefinition'), parts.version, parts.draft, h('span', { class: 'spacer' }), impactButton, publishButton),
    ),
    parts.results,
    h(
      'div',
      { class: 'editor-layout' },
      h('div', { class: 'editor-main' }, editorHost, parts.hint, h('h2', null, t('diagnostics'), ' ', parts.summary), parts.diagnostics),
      h('aside', { class: 'editor-side card' }, h('h2', null, t('diagram')), parts.diagram),
    ),
  );
  let view: EditorView | null = null;
  view = createYamlEditor({
    parent: editorHost,
    label: t('ed_yamlSource'),
    doc: drafts.get(id) ?? latest?.source ?? NEW_DEFINITION,
    validate: async (source) => {
      let result: Validation;
      try {
        result = await post<Validation>('/api/v1/definitions/validate', { source, lang: getLang() });
      } catch (e) {
        if (!ctx.signal.aborted) replace(parts.summary, errorBox(e));
        return null;
      }
      if (ctx.signal.aborted || !view || view.state.doc.toString() !== source) return null;
      parts.draft.hidden = source === parts.baseline;
      showValidation(view, parts, result, published);
      return result.diagnostics;
    },
  });
  ctx.signal.addEventListener('abort', () => {
    if (!view) return;
    const text = view.state.doc.toString();
    if (text !== parts.baseline) drafts.set(id, text);
    else drafts.delete(id);
    destroyEditor(view);
  });
  impactButton.addEventListener('click', () => void runImpact(view!, parts.results, impactButton));
  publishButton.addEventListener('click', () => void publish(view!, parts, publishButton, published));
}

function showValidation(view: EditorView, parts: EditorParts, result: Validation, published: Map<string, number>): void {
  listDiagnostics(view, parts, result.diagnostics);
  // "Could not publish" (or a refused impact preview) spoke of a text that has since been fixed: it
  // goes once the draft checks clean. A success banner stays: it reports what was done.
  if (result.valid) parts.results.querySelectorAll(STALE_WHEN_VALID).forEach((el) => el.remove());
  if (result.valid && result.diagram) void renderDiagram(parts.diagram, result.diagram.mermaid);
  const latest = result.id ? published.get(result.id) : undefined;
  if (latest === undefined || result.version === undefined || result.version > latest) return replace(parts.hint);
  const next = latest + 1;
  replace(
    parts.hint,
    t('versionHint', { v: result.version, n: next }),
    ' ',
    h('button', { type: 'button', class: 'small', 'data-testid': 'bump-version', onclick: () => setVersion(view, next) }, t('setVersion', { n: next })),
  );
}

/** Rewrites the top-level `version:` line (the one a new version needs changed). */
function setVersion(view: EditorView, version: number): void {
  const doc = view.state.doc;
  for (let n = 1; n <= doc.lines; n++) {
    const line = doc.line(n);
    const m = /^version:\s*(\S*)/.exec(line.text);
    if (!m) continue;
    const from = line.from + m[0].length - m[1]!.length;
    view.dispatch({ changes: { from, to: from + m[1]!.length, insert: String(version) }, selection: { anchor: from }, scrollIntoView: true });
    return;
  }
}

function listDiagnostics(view: EditorView, parts: EditorParts, diagnostics: Diagnostic[]): void {
  const sorted = [...diagnostics].sort((a, b) => a.line - b.line || a.column - b.column);
  const errors = sorted.filter((d) => d.severity === 'error').length;
  parts.summary.textContent = sorted.length ? t('errorsCount', { e: errors, w: sorted.length - errors }) : t('noDiagnostics');
  replace(
    parts.diagnostics,
    sorted.map((d) =>
      h(
        'li',
        {
          class: `diag diag-${d.severity}`,
          'data-testid': 'diagnostic',
          'data-severity': d.severity,
          'data-line': d.line,
          'data-column': d.column,
          'data-code': d.code,
          // the rule's code is for whoever reports it, not part of the sentence
          ...(d.code ? { title: d.code } : {}),
        },
        h('button', { type: 'button', class: 'link', onclick: () => jumpTo(view, d) }, t('lineCol', { l: d.line, c: d.column })),
        ': ',
        tx(d.text ?? d.message),
      ),
    ),
  );
}

async function runImpact(view: EditorView, target: HTMLElement, button: HTMLButtonElement): Promise<void> {
  button.disabled = true;
  try {
    const impact = await post<Impact>('/api/v1/definitions/impact', { source: view.state.doc.toString() });
    const rows = [...impact.stages].sort((a, b) => Number(a.exists) - Number(b.exists) || b.count - a.count);
    replace(
      target,
      h(
        'section',
        { class: 'card', 'data-testid': 'impact-result' },
        h('h2', null, t('impactTitle')),
        h(
          'p',
          null,
          t('impactRunning', { n: impact.running }),
          impact.byVersion.length ? ` (${impact.byVersion.map((v) => t('ed_impactByVersion', { v: v.version, n: v.count })).join('; ')})` : '',
        ),
        rows.length
          ? table(
              'impact-table',
              [t('stage'), t('count'), ''],
              rows.map((s) => [
                h('span', { 'data-testid': 'impact-stage', 'data-stage': s.stage }, tx(s.title)),
                s.count,
                s.exists ? '' : h('strong', { class: 'bad', 'data-testid': 'stage-removed' }, t('impactRemoved')),
              ]),
              (i) => ({ class: rows[i]!.exists ? '' : 'row-overdue' }),
            )
          : null,
      ),
    );
  } catch (e) {
    replace(target, errorBox(e, 'impact-error'));
  } finally {
    button.disabled = false;
  }
}

async function publish(view: EditorView, parts: EditorParts, button: HTMLButtonElement, published: Map<string, number>): Promise<void> {
  button.disabled = true;
  replace(parts.results);
  try {
    const source = view.state.doc.toString();
    const res = await post<{ id?: string; version?: number; created: boolean; diagnostics?: Diagnostic[] }>('/api/v1/definitions', { source });
    if (res.created && res.id && res.version !== undefined) {
      published.set(res.id, Math.max(res.version, published.get(res.id) ?? 0));
      replace(parts.hint);
      parts.draft.hidden = true;
      parts.baseline = source;
      parts.version.textContent = `${res.id} · ${t('version')} ${res.version}`;
      replace(parts.results, successBox(t('published', { id: res.id, v: res.version }), 'publish-success'));
    } else {
      replace(parts.results, successBox(t('unchanged'), 'publish-unchanged'));
    }
  } catch (e) {
    const diagnostics = e instanceof ApiError ? (e.details?.diagnostics as Diagnostic[] | undefined) : undefined;
    if (e instanceof ApiError && e.status === 422 && diagnostics) {
      replace(parts.results, h('div', { class: 'alert alert-error', role: 'alert', 'data-testid': 'publish-invalid' }, t('publishInvalid')));
      listDiagnostics(view, parts, diagnostics);
      showDiagnostics(view, diagnostics);
    } else {
      replace(parts.results, errorBox(e, 'publish-error'));
    }
  } finally {
    button.disabled = false;
  }
}
