/** Where in a source file something is; 1-based, as editors count. */
export interface Position {
  line: number;
  column: number;
}

/** A path into the parsed document: object keys and array indexes. */
export type DocPath = readonly (string | number)[];

/** One problem found in a definition, located so a person can go and fix it. */
export interface Diagnostic {
  file: string;
  line: number;
  column: number;
  severity: 'error' | 'warning';
  /** Stable, machine-readable code (e.g. UNKNOWN_TARGET); tools switch on it, never on the message. */
  code: string;
  /** English, as `tiendo validate` prints it and tools have always read it. */
  message: string;
  /** The same in both languages, for people (the editor shows the one they chose). */
  text?: Bilingual;
  /** JSON Pointer of the offending value, when it has one. */
  pointer?: string;
}

/** A message worded in both languages, Vietnamese first as everywhere people read it. */
export interface Bilingual {
  vi: string;
  en: string;
}

/** Plain English (scenario files already worded in one language) or both languages. */
export type Words = string | Bilingual;

/** The diagnostic's text in a language; English when it was only worded in English. */
export function diagnosticText(d: Pick<Diagnostic, 'message' | 'text'>, lang: 'vi' | 'en'): string {
  return d.text?.[lang] ?? d.message;
}

function worded(words: Words): Pick<Diagnostic, 'message' | 'text'> {
  return typeof words === 'string' ? { message: words } : { message: words.en, text: { vi: words.vi, en: words.en } };
}

/** Finds the source position of a path: its key (for "unknown key" and the like) or its value. */
export type Locator = (path: DocPath, at?: 'key' | 'value') => Position;

export function toPointer(path: DocPath): string {
  return path.map((p) => '/' + String(p).replace(/~/g, '~0').replace(/\//g, '~1')).join('');
}

export function fromPointer(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** Collects diagnostics against one file, locating each by path. */
export class DiagnosticSink {
  readonly items: Diagnostic[] = [];
  constructor(
    readonly file: string,
    private readonly locate: Locator,
  ) {}

  error(code: string, path: DocPath, message: Words, at: 'key' | 'value' = 'value'): void {
    this.add('error', code, path, message, at);
  }

  warning(code: string, path: DocPath, message: Words, at: 'key' | 'value' = 'value'): void {
    this.add('warning', code, path, message, at);
  }

  addAt(severity: Diagnostic['severity'], code: string, pos: Position, message: Words): void {
    this.items.push({ file: this.file, line: pos.line, column: pos.column, severity, code, ...worded(message) });
  }

  private add(severity: Diagnostic['severity'], code: string, path: DocPath, message: Words, at: 'key' | 'value'): void {
    const pos = this.locate(path, at);
    this.items.push({ file: this.file, ...pos, severity, code, ...worded(message), pointer: toPointer(path) });
  }

  get hasErrors(): boolean {
    return this.items.some((d) => d.severity === 'error');
  }
}

/** Sorted by place in the file, so a reader fixes them top to bottom. */
export function sortDiagnostics(items: Diagnostic[]): Diagnostic[] {
  return [...items].sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column || a.code.localeCompare(b.code));
}

const SEVERITY_VI = { error: 'lỗi', warning: 'cảnh báo' } as const;

export function formatDiagnostic(d: Diagnostic): string {
  return formatDiagnosticIn(d, 'en');
}

/** `file:line:col: severity CODE text`, the text (and the severity) in the language asked. */
export function formatDiagnosticIn(d: Diagnostic, lang: 'vi' | 'en'): string {
  const severity = lang === 'vi' ? SEVERITY_VI[d.severity] : d.severity;
  return `${d.file}:${d.line}:${d.column}: ${severity} ${d.code} ${diagnosticText(d, lang)}`;
}

/** Quoted, comma-separated list for "allowed values are: …" messages. */
export function listOf(values: readonly unknown[]): string {
  return values.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))).join(', ');
}

/** One sentence in both languages, from the parts that differ: `both('…', '…')`. */
export function both(en: string, vi: string): Bilingual {
  return { vi, en };
}

/** A JSON type as an administrator reads it in Vietnamese. */
export function typeVi(type: string | undefined): string {
  return TYPES_VI[type ?? ''] ?? String(type);
}

const TYPES_VI: Record<string, string> = {
  string: 'văn bản',
  object: 'nhóm khóa (key: value)',
  array: 'danh sách',
  integer: 'số nguyên',
  number: 'số',
  boolean: 'đúng/sai (true/false)',
  null: 'rỗng',
};
