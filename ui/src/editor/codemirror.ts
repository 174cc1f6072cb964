// The YAML editor: CodeMirror 6 with YAML highlighting and the server's diagnostics as lint marks
// (gutter and underline) at their line and column. Validation runs through the linter, so it is
// debounced and a result that arrives after the text changed again is dropped.
import { yaml } from '@codemirror/lang-yaml';
import { type Diagnostic as CmDiagnostic, forceLinting, linter, lintGutter, setDiagnostics } from '@codemirror/lint';
import type { Text as Doc } from '@codemirror/state';
import { basicSetup, EditorView } from 'codemirror';
import { tx } from '../i18n.ts';
import type { Diagnostic } from '../types.ts';

declare global {
  interface Window {
    /** The editor, for browser tests that replace the document. */
    __tiendoEditor?: EditorView;
  }
}

export interface YamlEditorOptions {
  parent: HTMLElement;
  doc: string;
  /** Validates the text; null when the answer is no longer wanted (the page was left). */
  validate(source: string): Promise<Diagnostic[] | null>;
  /** The accessible name of the text area and its scroller, in the reader's language. */
  label?: string;
}

/** Where a diagnostic's line and column (1-based) fall in the document, clamped to it. */
export function position(doc: Doc, line: number, column: number): number {
  const l = doc.line(Math.min(Math.max(1, line || 1), doc.lines));
  return l.from + Math.min(Math.max(0, (column || 1) - 1), l.length);
}

/** The diagnostic underlines the word it points at (a key, a stage name), or one character. */
export function toCm(doc: Doc, d: Diagnostic): CmDiagnostic {
  const from = position(doc, d.line, d.column);
  const l = doc.lineAt(from);
  const word = /^[\w.$/-]+/u.exec(doc.sliceString(from, l.to));
  const to = word ? from + word[0].length : Math.min(from + 1, l.to);
  return {
    from: to > from ? from : Math.max(l.from, from - 1),
    to: Math.max(to, from),
    severity: d.severity === 'warning' ? 'warning' : 'error',
    message: d.code ? `${tx(d.text ?? d.message)} (${d.code})` : tx(d.text ?? d.message),
    source: d.code,
  };
}

export function createYamlEditor(options: YamlEditorOptions): EditorView {
  const lint = linter(
    async (view) => {
      const source = view.state.doc.toString();
      const diagnostics = await options.validate(source);
      if (!diagnostics || view.state.doc.toString() !== source) return [];
      return diagnostics.map((d) => toCm(view.state.doc, d));
    },
    { delay: 400 },
  );
  const view = new EditorView({
    doc: options.doc,
    parent: options.parent,
    extensions: [
      basicSetup,
      yaml(),
      lint,
      lintGutter(),
      EditorView.lineWrapping,
      EditorView.contentAttributes.of({ 'aria-label': 'YAML', 'data-testid': 'editor-content' }),
    ],
  });
  // The scroller is a region of its own: reachable by the keyboard (also when the text is read only).
  view.scrollDOM.tabIndex = 0;
  view.scrollDOM.setAttribute('aria-label', options.label ?? 'YAML');
  window.__tiendoEditor = view;
  return view;
}

/** Shows diagnostics that did not come from typing (the publish answer). */
export function showDiagnostics(view: EditorView, diagnostics: Diagnostic[]): void {
  view.dispatch(
    setDiagnostics(
      view.state,
      diagnostics.map((d) => toCm(view.state.doc, d)),
    ),
  );
}

export function jumpTo(view: EditorView, d: Diagnostic): void {
  const pos = position(view.state.doc, d.line, d.column);
  view.dispatch({ selection: { anchor: pos }, scrollIntoView: true });
  view.focus();
}

export function relint(view: EditorView): void {
  forceLinting(view);
}

export function destroyEditor(view: EditorView): void {
  if (window.__tiendoEditor === view) delete window.__tiendoEditor;
  view.destroy();
}
