// Every diagnostic a definition can get reaches the editor in Vietnamese as well as English: each lint
// fixture's diagnostics, the parser's refusals and the JSON Schema check's, worded per keyword and
// naming the field and the allowed values. `message` stays the English the CLI has always printed.
import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../../adapters/cli/main.ts';
import { validateCommand } from '../../adapters/cli/validate.ts';
import { calendarRanges, loadCalendars } from '../../adapters/files/definitions.ts';
import { formatDiagnosticIn, type Diagnostic } from '../../engine/definition/diagnostics.ts';
import { loadDefinition } from '../../engine/definition/load.ts';
import schema from '../../engine/definition/schema.json' with { type: 'json' };

const dir = 'test/fixtures/lint';
const calendars = calendarRanges(loadCalendars());
/** A letter only Vietnamese writes: the text is Vietnamese, not English passed through. */
const VIETNAMESE = /[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]/i;
const fixtures = readdirSync(dir)
  .filter((f) => f.endsWith('.yaml'))
  .sort();

function check(source: string, file = 'draft.yaml'): Diagnostic[] {
  return loadDefinition(source, file, { calendars }).diagnostics;
}

function expectBilingual(d: Diagnostic): void {
  const where = `${d.code} at ${d.line}:${d.column}: ${d.message}`;
  expect(d.text, where).to.not.equal(undefined);
  expect(d.text!.en, where).to.equal(d.message);
  expect(d.text!.vi.trim(), where).to.not.equal('');
  expect(d.text!.vi, where).to.not.equal(d.text!.en);
  expect(d.text!.vi, where).to.match(VIETNAMESE);
}

const FIXTURE = readFileSync(join(dir, 'UNKNOWN_TARGET.yaml'), 'utf8');

describe('definition diagnostics in both languages', () => {
  for (const file of fixtures) {
    const code = file.replace(/\.yaml$/, '');
    it(`${code}: worded in Vietnamese, and in the English it always had`, () => {
      const diagnostics = check(readFileSync(join(dir, file), 'utf8'), file);
      expect(diagnostics.map((d) => d.code)).to.include(code);
      diagnostics.forEach(expectBilingual);
    });
  }

  it('UNKNOWN_TARGET names the target written, the closest stage and every stage there is', () => {
    const [d] = check(FIXTURE);
    expect(d!.text!.vi).to.equal('giai đoạn "draft": giai đoạn đích "reviw" không tồn tại (có phải là "review"?); các giai đoạn có: draft, review, done');
    expect(d!.message).to.equal('stage "draft": unknown target "reviw" (did you mean "review"?); stages are: draft, review, done');
  });

  it('the parser refuses in both languages: syntax, duplicate keys, tags, empty files, lists, deep nesting', () => {
    const cases: [string, string][] = [
      ['YAML_SYNTAX', 'id: x\nstages:\n  a:\n    title: "unclosed\n'],
      ['YAML_SYNTAX', 'id: x\n\tversion: 1\n'],
      ['DUPLICATE_KEY', 'id: x\nid: y\n'],
      ['CUSTOM_TAG', 'id: !!binary aGVsbG8=\n'],
      ['EMPTY_FILE', '# nothing\n'],
      ['ROOT_NOT_MAPPING', '- a\n- b\n'],
      ['KEY_NOT_STRING', '? [a, b]\n: 1\n'],
      ['FORBIDDEN_KEY', 'id: x\n__proto__: 1\n'],
      ['TOO_DEEP', 'a: ' + '['.repeat(80) + ']'.repeat(80) + '\n'],
      ['INVALID_CHARACTER', 'id: "a\\u0007"\n'],
    ];
    for (const [code, source] of cases) {
      const diagnostics = check(source);
      expect(
        diagnostics.map((d) => d.code),
        source,
      ).to.include(code);
      diagnostics.forEach(expectBilingual);
    }
  });

  describe('the JSON Schema check, worded per keyword', () => {
    const stageKeys = Object.keys((schema.definitions.Stage as { properties: Record<string, unknown> }).properties);
    const withStage = (stage: string) => FIXTURE.replace('    owner: school\n    on:\n      SUBMIT: reviw   # <- UNKNOWN_TARGET', stage);
    const one = (source: string, code: string): Diagnostic => {
      const hits = check(source).filter((d) => d.code === code);
      expect(hits, `${code} in:\n${source}`).to.have.length.greaterThan(0);
      hits.forEach(expectBilingual);
      return hits[0]!;
    };

    it('an unknown key: the key, where it sits, and every key allowed there', () => {
      const d = one(withStage('    owner: school\n    deadline: 5\n    on:\n      SUBMIT: review'), 'SCHEMA_UNKNOWN_KEY');
      expect(d.text!.vi).to.equal(`khóa "deadline" không được dùng trong "draft"; các khóa được dùng: ${stageKeys.join(', ')}`);
    });

    it('a value not in the list: the field, the value and every allowed value', () => {
      const d = one(FIXTURE.replace('appliesTo: [primary]', 'appliesTo: [primary, high-school]'), 'SCHEMA_ENUM');
      const allowed = schema.definitions.OrgUnitKind.enum as string[];
      expect(d.text!.vi).to.include('mục thứ 2 của "appliesTo" không nhận giá trị "high-school"');
      expect(d.text!.vi).to.include(`các giá trị được phép: ${allowed.join(', ')}`);
    });

    it('a missing key: which one, on which value', () => {
      const d = one(FIXTURE.replace('    title: { vi: Duyệt, en: Review }\n', ''), 'SCHEMA_REQUIRED');
      expect(d.text!.vi).to.equal('"review" thiếu khóa bắt buộc "title"');
    });

    it('a wrong type: the field, the type wanted and the type written', () => {
      const d = one(FIXTURE.replace('version: 1', 'version: "một"'), 'SCHEMA_TYPE');
      expect(d.text!.vi).to.equal('"version" phải là số nguyên, không phải văn bản');
    });

    it('a name that breaks the pattern: the value, the field and what it must look like', () => {
      const d = one(FIXTURE.replace('SUBMIT: reviw   # <- UNKNOWN_TARGET', 'SUBMIT: Review'), 'SCHEMA_PATTERN');
      expect(d.text!.vi).to.equal(
        '"Review" không hợp lệ cho "SUBMIT": phải là một tên viết thường kiểu snake_case (chữ thường không dấu, chữ số và dấu _, bắt đầu bằng chữ cái)',
      );
    });

    it('a number out of range: the field, the bound and the value written', () => {
      const d = one(FIXTURE.replace('version: 1', 'version: 0'), 'SCHEMA_RANGE');
      expect(d.text!.vi).to.match(/^"version" phải lớn hơn hoặc bằng 1 \(đang là 0\)$/);
    });
  });

  it('tiendo validate --lang vi prints the Vietnamese text and severity; English stays the default', () => {
    const [d] = check(FIXTURE, 'fixture.yaml');
    expect(formatDiagnosticIn(d!, 'vi')).to.equal(`fixture.yaml:14:15: lỗi UNKNOWN_TARGET ${d!.text!.vi}`);
    expect(formatDiagnosticIn(d!, 'en')).to.equal(`fixture.yaml:14:15: error UNKNOWN_TARGET ${d!.message}`);
    const run = (...args: string[]) => {
      let out = '';
      const code = validateCommand([...args, join(dir, 'UNKNOWN_TARGET.yaml')], { out: (t) => (out += t), err: (t) => (out += t) });
      return { code, out };
    };
    const vi = run('--lang', 'vi');
    expect(vi.code).to.equal(1);
    expect(vi.out).to.include(': lỗi UNKNOWN_TARGET giai đoạn "draft": giai đoạn đích "reviw" không tồn tại');
    expect(vi.out).to.include('1 tệp: 1 lỗi, 0 cảnh báo');
    const en = run();
    expect(en.out).to.include(': error UNKNOWN_TARGET stage "draft": unknown target "reviw"');
    expect(en.out).to.include('1 file: 1 error, 0 warnings');
    expect(() => run('--lang', 'fr')).to.throw(UsageError, '--lang is vi or en');
  });
});
