// YAML → plain data, with every value's position kept, and hostile input refused before it can cost
// anything: size, nesting depth, alias expansion, custom tags and prototype keys are all bounded or
// rejected with a located error instead of a stack trace or a hang.
import { isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import { both, DiagnosticSink, toPointer, type Bilingual, type Words, type Locator, type Position } from './diagnostics.ts';

/** Limits on what a definition file may cost to read. */
export interface ParseLimits {
  /** Largest accepted file, in bytes. Default 1 MiB: the largest shipped process is under 30 KiB. */
  maxBytes: number;
  /** Deepest nesting of mappings and sequences. Default 64. */
  maxDepth: number;
  /** Most values produced, counting each alias expansion (stops "billion laughs"). Default 100,000. */
  maxNodes: number;
}

export const defaultParseLimits: ParseLimits = { maxBytes: 1024 * 1024, maxDepth: 64, maxNodes: 100_000 };

export interface ParsedYaml {
  /** The document as plain JSON-compatible data; undefined when it could not be read at all. */
  data: unknown;
  locate: Locator;
  sink: DiagnosticSink;
}

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
const CORE_TAGS = new Set(['str', 'int', 'float', 'bool', 'null', 'map', 'seq'].map((t) => `tag:yaml.org,2002:${t}`));

interface NodeSpan {
  key?: number;
  value: number;
}

export function parseYaml(input: string | Uint8Array, file: string, limits: ParseLimits = defaultParseLimits): ParsedYaml {
  const lineCounter = new LineCounter();
  const spans = new Map<string, NodeSpan>();
  const position = (offset: number): Position => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
  const locate: Locator = (path, at = 'value') => {
    for (let n = path.length; n >= 0; n--) {
      const span = spans.get(toPointer(path.slice(0, n)));
      if (!span) continue;
      const offset = at === 'key' && n === path.length && span.key !== undefined ? span.key : span.value;
      return position(offset);
    }
    return { line: 1, column: 1 };
  };
  const sink = new DiagnosticSink(file, locate);
  const fail = (code: string, pos: Position, message: Words): ParsedYaml => {
    sink.addAt('error', code, pos, message);
    return { data: undefined, locate, sink };
  };

  const size = typeof input === 'string' ? Buffer.byteLength(input) : input.byteLength;
  if (size > limits.maxBytes) {
    return fail(
      'FILE_TOO_LARGE',
      { line: 1, column: 1 },
      both(`file is ${size} bytes; the limit is ${limits.maxBytes} bytes`, `tệp có ${size} byte; giới hạn là ${limits.maxBytes} byte`),
    );
  }
  let text: string;
  if (typeof input === 'string') {
    text = input;
  } else {
    const decoded = decodeUtf8(input);
    if (typeof decoded !== 'string') {
      return fail(
        'INVALID_UTF8',
        decoded,
        both('file is not valid UTF-8 (save it as UTF-8 without a byte-order mark issue)', 'tệp không phải UTF-8 hợp lệ (hãy lưu lại với bảng mã UTF-8)'),
      );
    }
    text = decoded;
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const bad = NOT_PRINTABLE.exec(text);
  if (bad)
    return fail(
      'INVALID_CHARACTER',
      positionIn(text, bad.index),
      both(
        `${describe(bad[0])} is not allowed in a YAML file (control characters other than tab and line breaks are not text); remove it`,
        `tệp YAML không được chứa ${describeVi(bad[0])} (ký tự điều khiển, trừ tab và xuống dòng, không phải là văn bản); hãy xoá nó`,
      ),
    );
  if (isBlankOrComments(text)) {
    return fail(
      'EMPTY_FILE',
      { line: 1, column: 1 },
      both('file is empty; a process definition starts with "id:"', 'tệp đang trống; một định nghĩa quy trình bắt đầu bằng "id:"'),
    );
  }
  const deep = findDeepNesting(text, limits.maxDepth);
  if (deep) return fail('TOO_DEEP', deep, both(`nesting is deeper than ${limits.maxDepth} levels`, `lồng nhau sâu quá ${limits.maxDepth} cấp`));

  // Duplicate keys are found by the converter with a set per mapping: the parser's own check
  // compares every pair of keys, and 40,000 keys (300 KB) took it 53 s with the event loop blocked.
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: false, strict: true, version: '1.2' });
  for (const error of doc.errors) {
    sink.addAt('error', 'YAML_SYNTAX', position(error.pos[0]), yamlMessage(error.code, error.message));
  }
  if (doc.errors.length > 0) return { data: undefined, locate, sink };

  const root = doc.contents;
  if (!root || (isScalar(root) && root.value === null)) {
    return fail(
      'EMPTY_FILE',
      { line: 1, column: 1 },
      both('file has no content; a process definition starts with "id:"', 'tệp không có nội dung; một định nghĩa quy trình bắt đầu bằng "id:"'),
    );
  }
  if (!isMap(root)) {
    const kind = isSeq(root) ? 'a list' : 'a single value';
    return fail(
      'ROOT_NOT_MAPPING',
      position(root.range?.[0] ?? 0),
      both(
        `the file holds ${kind}; a process definition is a mapping of keys (id, version, stages, …)`,
        `tệp chỉ chứa ${isSeq(root) ? 'một danh sách' : 'một giá trị đơn'}; định nghĩa quy trình phải là một nhóm khóa (id, version, stages, …)`,
      ),
    );
  }
  const converter = new Converter(doc, sink, spans, position, limits);
  const data = converter.convert(root, [], 0);
  return { data: sink.hasErrors ? undefined : data, locate, sink };
}

class Converter {
  private nodes = 0;
  private stopped = false;
  /** Where the outermost alias being expanded is written. */
  private aliasAt: number | undefined;
  constructor(
    private readonly doc: Document,
    private readonly sink: DiagnosticSink,
    private readonly spans: Map<string, NodeSpan>,
    private readonly position: (offset: number) => Position,
    private readonly limits: ParseLimits,
  ) {}

  convert(node: Node | null | undefined, path: (string | number)[], depth: number, keyOffset?: number): unknown {
    if (this.stopped) return undefined;
    if (node === null || node === undefined) return null;
    const start = node.range?.[0] ?? 0;
    if (!this.spans.has(toPointer(path))) this.spans.set(toPointer(path), { key: keyOffset, value: start });
    if (++this.nodes > this.limits.maxNodes) {
      this.stop(
        'TOO_LARGE',
        start,
        both(
          `document expands to more than ${this.limits.maxNodes} values (alias expansion?)`,
          `tài liệu bung ra hơn ${this.limits.maxNodes} giá trị (do bí danh – alias?)`,
        ),
      );
      return undefined;
    }
    if (depth > this.limits.maxDepth) {
      this.stop('TOO_DEEP', start, both(`nesting is deeper than ${this.limits.maxDepth} levels`, `lồng nhau sâu quá ${this.limits.maxDepth} cấp`));
      return undefined;
    }
    if (isAlias(node)) {
      const target = node.resolve(this.doc);
      if (!target) {
        this.sink.addAt('error', 'YAML_SYNTAX', this.position(start), both(`unknown alias *${node.source}`, `bí danh *${node.source} chưa được khai báo`));
        return null;
      }
      // A limit hit while expanding an alias is reported at the alias written in the document,
      // not at the anchored value lines above it (which is fine on its own).
      const outer = this.aliasAt === undefined;
      if (outer) this.aliasAt = start;
      try {
        return this.convert(target, path, depth + 1);
      } finally {
        if (outer) this.aliasAt = undefined;
      }
    }
    if (node.tag && !CORE_TAGS.has(node.tag)) {
      this.sink.addAt(
        'error',
        'CUSTOM_TAG',
        this.position(start),
        both(`tag ${node.tag} is not allowed; write plain YAML values`, `không được dùng thẻ ${node.tag}; hãy viết giá trị YAML thông thường`),
      );
      return null;
    }
    if (isScalar(node)) {
      const value = node.value;
      if (typeof value === 'number' && !Number.isFinite(value)) {
        this.sink.addAt(
          'error',
          'NUMBER_NOT_FINITE',
          this.position(start),
          both(
            `${String((node as { source?: unknown }).source ?? value)} is not a finite number; write a number such as 1 or 2.5`,
            `${String((node as { source?: unknown }).source ?? value)} không phải là số hữu hạn; hãy viết một số như 1 hoặc 2.5`,
          ),
        );
        return null;
      }
      if (typeof value === 'string') {
        const escaped = NOT_PRINTABLE.exec(value);
        if (escaped)
          this.sink.addAt(
            'error',
            'INVALID_CHARACTER',
            this.position(start),
            both(
              `the text holds ${describe(escaped[0])} (written as an escape), which is not text; remove it`,
              `văn bản chứa ${describeVi(escaped[0])} (viết dạng thoát), không phải là văn bản; hãy xoá nó`,
            ),
          );
      }
      return value;
    }
    if (isSeq(node)) return node.items.map((item, i) => this.convert(item as Node, [...path, i], depth + 1));
    if (isMap(node)) {
      const out: Record<string, unknown> = {};
      const seen = new Set<string>();
      for (const pair of node.items) {
        if (!isPair(pair)) continue;
        const keyNode = pair.key as Node | null;
        const keyStart = keyNode?.range?.[0] ?? start;
        if (!isScalar(keyNode) || (typeof keyNode.value !== 'string' && typeof keyNode.value !== 'number')) {
          this.sink.addAt(
            'error',
            'KEY_NOT_STRING',
            this.position(keyStart),
            both('keys must be plain words, not lists, mappings or empty', 'khóa phải là một từ đơn giản, không phải danh sách, nhóm khóa hay để trống'),
          );
          continue;
        }
        const key = String(keyNode.value);
        const escaped = NOT_PRINTABLE.exec(key);
        if (escaped) {
          this.sink.addAt(
            'error',
            'INVALID_CHARACTER',
            this.position(keyStart),
            both(
              `the key holds ${describe(escaped[0])} (written as an escape), which is not text; remove it`,
              `khóa chứa ${describeVi(escaped[0])} (viết dạng thoát), không phải là văn bản; hãy xoá nó`,
            ),
          );
          continue;
        }
        if (seen.has(key)) {
          this.sink.addAt(
            'error',
            'DUPLICATE_KEY',
            this.position(keyStart),
            both(`key "${key}" appears twice in the same mapping`, `khóa "${key}" xuất hiện hai lần trong cùng một nhóm`),
          );
          continue;
        }
        seen.add(key);
        if (FORBIDDEN_KEYS.has(key)) {
          this.sink.addAt('error', 'FORBIDDEN_KEY', this.position(keyStart), both(`key "${key}" is not allowed`, `không được dùng khóa "${key}"`));
          continue;
        }
        const value = this.convert(pair.value as Node | null, [...path, key], depth + 1, keyStart);
        Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
      }
      return out;
    }
    return null;
  }

  private stop(code: string, offset: number, message: Words): void {
    this.stopped = true;
    this.sink.addAt('error', code, this.position(this.aliasAt ?? offset), message);
  }
}

/**
 * What YAML 1.2 does not count as printable (c-printable): C0 controls but tab and line breaks, DEL,
 * C1 controls but NEL, U+FFFE/U+FFFF and unpaired surrogates. PostgreSQL refuses NUL in text, so a
 * NUL let through here would fail the publication with a 500 on that store.
 */
const NOT_PRINTABLE =
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u0084\u0086-\u009F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function describeVi(char: string): string {
  return `ký tự U+${char.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
}

function describe(char: string): string {
  return `character U+${char.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
}

/** Line and column (1-based) of an offset, counted without the parser's line table. */
function positionIn(text: string, offset: number): Position {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: offset - lineStart + 1 };
}

/** Only blank lines and comments. A linear scan: a regular expression here backtracks badly. */
function isBlankOrComments(text: string): boolean {
  for (const line of text.split('\n')) {
    const t = line.trim();
    if (t !== '' && !t.startsWith('#')) return false;
  }
  return true;
}

/** The YAML parser's own words in English; in Vietnamese by its error code (the parser speaks English only). */
const YAML_ERRORS_VI: Record<string, string> = {
  BAD_INDENT: 'thụt lề không đúng; các khóa cùng cấp phải thẳng cột',
  TAB_AS_INDENT: 'không được thụt lề bằng phím Tab; hãy dùng dấu cách',
  MISSING_CHAR: 'thiếu ký tự đóng (dấu ngoặc hoặc dấu nháy)',
  BAD_DQ_ESCAPE: 'ký tự thoát (\\) không hợp lệ trong chuỗi đặt trong nháy kép',
  BAD_SCALAR_START: 'giá trị không được bắt đầu bằng ký tự này; hãy đặt nó trong dấu nháy',
  BLOCK_AS_IMPLICIT_KEY: 'một khối nhiều dòng không dùng làm khóa được',
  MULTILINE_IMPLICIT_KEY: 'khóa phải nằm trên một dòng (có thể thiếu dấu hai chấm hoặc thụt lề sai)',
  UNEXPECTED_TOKEN: 'gặp ký hiệu không mong đợi ở đây',
  DUPLICATE_KEY: 'khóa xuất hiện hai lần trong cùng một nhóm',
  BLOCK_IN_FLOW: 'không đặt khối nhiều dòng bên trong [ ] hoặc { }',
  MULTIPLE_DOCS: 'tệp chỉ được chứa một tài liệu YAML (bỏ dòng ---)',
  BAD_ALIAS: 'bí danh (alias) không hợp lệ',
  ALIAS_PROPS: 'bí danh (alias) không được có thẻ hay neo',
  MULTIPLE_ANCHORS: 'một giá trị chỉ được có một neo (&)',
  MULTIPLE_TAGS: 'một giá trị chỉ được có một thẻ (!)',
  BAD_DIRECTIVE: 'chỉ thị YAML (%) không hợp lệ',
  BAD_PROP_ORDER: 'neo (&) và thẻ (!) đặt sai thứ tự',
  NON_STRING_KEY: 'khóa phải là văn bản',
};

function yamlMessage(code: string, message: string): Bilingual {
  const en = cleanYamlMessage(message);
  return both(en, YAML_ERRORS_VI[code] ?? `lỗi cú pháp YAML (${en})`);
}

function cleanYamlMessage(message: string): string {
  const first = message.split('\n')[0] ?? message;
  const text = first.replace(/ at line \d+, column \d+:?$/, '');
  return text.charAt(0).toLowerCase() + text.slice(1);
}

/**
 * Scans for flow brackets and indentation deeper than the limit before the YAML parser sees the text:
 * the parser's own cost grows badly with depth. Quotes and comments are skipped well enough to avoid
 * false alarms on ordinary text.
 */
function findDeepNesting(text: string, maxDepth: number): Position | undefined {
  let flow = 0;
  let line = 1;
  let lineStart = 0;
  let quote = '';
  let atLineStart = true;
  let indents: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\n') {
      line++;
      lineStart = i + 1;
      atLineStart = true;
      continue;
    }
    if (atLineStart) {
      if (c === ' ' || c === '-' || c === '\t') continue;
      atLineStart = false;
      if (c !== '#' && flow === 0 && quote === '') {
        const indent = i - lineStart;
        indents = indents.filter((n) => n < indent);
        indents.push(indent);
        if (indents.length > maxDepth) return { line, column: indent + 1 };
      }
    }
    if (quote) {
      if (c === quote) quote = '';
      else if (c === '\\' && quote === '"') i++;
      continue;
    }
    if (c === '#' && (i === 0 || /\s/.test(text[i - 1] ?? ''))) {
      const nl = text.indexOf('\n', i);
      i = nl < 0 ? text.length : nl - 1;
      continue;
    }
    if (c === '"' || (c === "'" && /[\s[{,:]/.test(text[i - 1] ?? ' '))) quote = c;
    else if (c === '[' || c === '{') {
      if (++flow > maxDepth) return { line, column: i - lineStart + 1 };
    } else if ((c === ']' || c === '}') && flow > 0) flow--;
  }
  return undefined;
}

/** Decodes strict UTF-8, or returns where the first bad byte is (line and column in characters, offset in bytes). */
export function decodeUtf8(bytes: Uint8Array): string | (Position & { offset: number }) {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    let line = 1;
    let column = 1;
    let i = 0;
    while (i < bytes.length) {
      const b = bytes[i]!;
      const len = b < 0x80 ? 1 : b >= 0xc2 && b < 0xe0 ? 2 : b >= 0xe0 && b < 0xf0 ? 3 : b >= 0xf0 && b < 0xf5 ? 4 : 0;
      if (len === 0 || i + len > bytes.length) break;
      let valid = true;
      for (let k = 1; k < len; k++) if ((bytes[i + k]! & 0xc0) !== 0x80) valid = false;
      if (!valid) break;
      if (len > 1) {
        try {
          new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(i, i + len));
        } catch {
          break;
        }
      }
      if (b === 0x0a) {
        line++;
        column = 1;
      } else column++;
      i += len;
    }
    return { line, column, offset: i };
  }
}
