import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { calendarRanges, loadCalendars } from '../../adapters/files/definitions.ts';
import { formatDiagnostic, type Diagnostic } from '../../engine/definition/diagnostics.ts';
import { loadDefinition } from '../../engine/definition/load.ts';

const calendars = calendarRanges(loadCalendars());
const valid = readFileSync('test/fixtures/lint/UNKNOWN_TARGET.yaml', 'utf8').replace('reviw   # <- UNKNOWN_TARGET', 'review');

function check(source: string | Uint8Array): Diagnostic[] {
  return loadDefinition(source, 'input.yaml', { calendars }).diagnostics;
}

function only(source: string | Uint8Array): Diagnostic {
  const ds = check(source);
  expect(ds, ds.map(formatDiagnostic).join('\n')).to.have.length(1);
  return ds[0]!;
}

describe('parser: positions', () => {
  it('accepts the base fixture clean', () => {
    expect(check(valid)).to.deep.equal([]);
  });

  it('points an unknown key at the key itself, listing the allowed keys', () => {
    const d = only(valid.replace('    owner: district\n', '    owner: district\n    ownr: school\n'));
    expect(d.code).to.equal('SCHEMA_UNKNOWN_KEY');
    const line = valid.split('\n').findIndex((l) => l.includes('owner: district')) + 2;
    expect([d.line, d.column]).to.deep.equal([line, 5]);
    expect(d.message).to.match(/unknown key "ownr".*allowed keys are: title, description, type, owner/);
  });

  it('points a bad value at the value, with the allowed values', () => {
    const d = only(valid.replace('appliesTo: [primary]', 'appliesTo: [primary, hgih-school]'));
    expect(d.code).to.equal('SCHEMA_ENUM');
    expect([d.line, d.column]).to.deep.equal([6, 22]);
    expect(d.message).to.include('"hgih-school"').and.include('upper-secondary');
  });

  it('locates YAML syntax errors', () => {
    const d = check(valid.replace('title: { vi: Duyệt, en: Review }', 'title: { vi: Duyệt, en: Review'))[0]!;
    expect(d.code).to.equal('YAML_SYNTAX');
    expect(d.line).to.be.within(16, 18);
  });

  it('reports every problem in one run, sorted by line', () => {
    const broken = valid.replace('version: 1', 'version: 0').replace('owner: school', 'owner: principal').replace('APPROVE: done', 'APPROVE: dnoe');
    const codes = check(broken).map((d) => `${d.line}:${d.code}`);
    expect(codes).to.deep.equal(['3:SCHEMA_RANGE', '12:UNKNOWN_ROLE', '19:UNKNOWN_TARGET']);
  });

  it('bounds the numbers the stores keep in integer columns: a version past 2^31-1 is refused where it is written', () => {
    // PostgreSQL's integer column (definitions.version, instances.definition_version) overflows past it.
    expect(check(valid.replace('version: 1', 'version: 2147483647'))).to.deep.equal([]);
    for (const big of ['2147483648', '3000000000', '9007199254740993']) {
      const d = only(valid.replace('version: 1', `version: ${big}`));
      expect(d, formatDiagnostic(d)).to.include({ code: 'SCHEMA_RANGE', line: 3, column: 10, pointer: '/version' });
      expect(d.message).to.include('2147483647');
    }
    // Durations were already bounded: 3,000 working days is about twelve years.
    const due = (n: number) => valid.replace('    owner: school\n', `    owner: school\n    due: { workingDays: ${n} }\n`);
    expect(check(due(3000))).to.deep.equal([]);
    const d = only(due(3001));
    expect(d).to.include({ code: 'SCHEMA_RANGE', line: 13, column: 25, pointer: '/stages/draft/due/workingDays' });
  });

  it('formats a diagnostic as path:line:column: severity CODE message', () => {
    const d = only(valid.replace('initial: draft', 'initial: drfat'));
    expect(formatDiagnostic(d)).to.match(/^input\.yaml:8:10: error UNKNOWN_INITIAL initial stage "drfat" .*did you mean "draft"/);
  });
});

describe('parser: hostile input is refused, located, quickly', () => {
  const cases: [string, string | Uint8Array, string, number?][] = [
    ['an empty file', '', 'EMPTY_FILE', 1],
    ['a file of comments only', '# nothing here\n# still nothing\n', 'EMPTY_FILE', 1],
    ['a list at the root', '- id: a\n- id: b\n', 'ROOT_NOT_MAPPING', 1],
    ['a plain scalar at the root', 'hello\n', 'ROOT_NOT_MAPPING', 1],
    ['a duplicate key', 'id: a\nversion: 1\nid: b\n', 'DUPLICATE_KEY', 3],
    ['a custom tag', 'id: !!js/function "return 1"\n', 'CUSTOM_TAG', 1],
    ['a local tag', 'id: a\nversion: !include other.yaml\n', 'CUSTOM_TAG', 2],
    ['__proto__ as a key', 'id: a\n__proto__: { polluted: true }\n', 'FORBIDDEN_KEY', 2],
    ['constructor as a nested key', 'id: a\nstages:\n  x:\n    constructor: 1\n', 'FORBIDDEN_KEY', 4],
    ['a non-text key', 'id: a\n[1, 2]: b\n', 'KEY_NOT_STRING', 2],
    ['two documents in one file', 'id: a\n---\nid: b\n', 'YAML_SYNTAX'],
    ['10,000-deep flow nesting', 'id: ' + '['.repeat(10_000) + ']'.repeat(10_000) + '\n', 'TOO_DEEP', 1],
    ['block nesting 100 levels deep', Array.from({ length: 100 }, (_, i) => ' '.repeat(i) + 'k:').join('\n') + ' 1\n', 'TOO_DEEP'],
    ['a 2 MB file', 'id: a\ndescription: "' + 'x'.repeat(2 * 1024 * 1024) + '"\n', 'FILE_TOO_LARGE', 1],
    ['invalid UTF-8 on line 3', Buffer.concat([Buffer.from('id: a\nversion: 1\ntitle: '), Buffer.from([0xc3, 0x28]), Buffer.from('\n')]), 'INVALID_UTF8', 3],
    ['a truncated UTF-8 sequence', Buffer.from([0x69, 0x64, 0x3a, 0x20, 0xe1, 0xba]), 'INVALID_UTF8', 1],
    [
      'a billion-laughs alias bomb',
      [
        'a: &a [x, x, x, x, x, x, x, x, x, x]',
        ...'bcdefghi'.split('').map(
          (c, i) =>
            `${c}: &${c} [${Array(10)
              .fill('*' + 'abcdefghi'[i])
              .join(', ')}]`,
        ),
      ].join('\n') + '\n',
      'TOO_LARGE',
    ],
  ];
  for (const [name, source, code, line] of cases) {
    it(`refuses ${name} with ${code}`, () => {
      const ds = check(source);
      expect(
        ds.map((d) => d.code),
        ds.map(formatDiagnostic).join('\n'),
      ).to.include(code);
      const d = ds.find((x) => x.code === code)!;
      if (line !== undefined) expect(d.line).to.equal(line);
      expect(d.column).to.be.greaterThan(0);
      expect(d.message)
        .to.be.a('string')
        .and.not.match(/at .*\.ts:\d+/);
    });
  }

  it('never lets a __proto__ key pollute Object.prototype', () => {
    check('id: a\n__proto__: { polluted: true }\nstages: { __proto__: { isAdmin: true } }\n');
    expect(({} as Record<string, unknown>).polluted).to.equal(undefined);
    expect(({} as Record<string, unknown>).isAdmin).to.equal(undefined);
  });

  it('accepts a UTF-8 byte-order mark and Vietnamese text', () => {
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(valid.replace('Thử nghiệm', 'Kiểm định chất lượng giáo dục'))]);
    expect(check(bytes)).to.deep.equal([]);
  });

  it('allows a small, legitimate use of anchors and aliases', () => {
    const withAlias = valid
      .replace('    owner: school\n', '    owner: school\n    due: &due { workingDays: 5 }\n')
      .replace('    owner: district\n', '    owner: district\n    due: *due\n');
    expect(check(withAlias)).to.deep.equal([]);
  });
});
