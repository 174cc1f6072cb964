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
  message: string;
  /** JSON Pointer of the offending value, when it has one. */
  pointer?: string;
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

  error(code: string, path: DocPath, message: string, at: 'key' | 'value' = 'value'): void {
    this.add('error', code, path, message, at);
  }

  warning(code: string, path: DocPath, message: string, at: 'key' | 'value' = 'value'): void {
    this.add('warning', code, path, message, at);
  }

  addAt(severity: Diagnostic['severity'], code: string, pos: Position, message: string): void {
    this.items.push({ file: this.file, line: pos.line, column: pos.column, severity, code, message });
  }

  private add(severity: Diagnostic['severity'], code: string, path: DocPath, message: string, at: 'key' | 'value'): void {
    const pos = this.locate(path, at);
    this.items.push({ file: this.file, ...pos, severity, code, message, pointer: toPointer(path) });
  }

  get hasErrors(): boolean {
    return this.items.some((d) => d.severity === 'error');
  }
}

/** Sorted by place in the file, so a reader fixes them top to bottom. */
export function sortDiagnostics(items: Diagnostic[]): Diagnostic[] {
  return [...items].sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column || a.code.localeCompare(b.code));
}

export function formatDiagnostic(d: Diagnostic): string {
  return `${d.file}:${d.line}:${d.column}: ${d.severity} ${d.code} ${d.message}`;
}

/** Quoted, comma-separated list for "allowed values are: …" messages. */
export function listOf(values: readonly unknown[]): string {
  return values.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))).join(', ');
}
