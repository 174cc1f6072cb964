// One failing fixture per rule: test/fixtures/lint/<CODE>.yaml holds exactly one problem, marked with
// "# <- CODE" on the line where it must be reported.
import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { calendarRanges, loadCalendars } from '../../adapters/files/definitions.ts';
import { formatDiagnostic } from '../../engine/definition/diagnostics.ts';
import { loadDefinition } from '../../engine/definition/load.ts';

const dir = 'test/fixtures/lint';
const calendars = calendarRanges(loadCalendars());
const fixtures = readdirSync(dir)
  .filter((f) => f.endsWith('.yaml'))
  .sort();

/** Codes the linter and schema checker can emit, read from their sources. */
function emittedCodes(): string[] {
  const sources = ['lint.ts', 'lint-conditions.ts', 'lint-forms.ts', 'lint-fan-out.ts'].map((f) => readFileSync(join('engine/definition', f), 'utf8'));
  const codes = new Set<string>();
  for (const src of sources) for (const m of src.matchAll(/sink(?:\.(?:error|warning)|\[[^\]]+\])\(\s*'([A-Z_]+)'/g)) codes.add(m[1]!);
  const schema = readFileSync('engine/definition/schema-check.ts', 'utf8');
  for (const m of schema.matchAll(/'(SCHEMA_[A-Z_]+)'/g)) codes.add(m[1]!);
  return [...codes].sort();
}

describe('lint rules (one failing fixture each)', () => {
  it('has a fixture for every code the linter and schema checker emit', () => {
    const have = fixtures.map((f) => f.replace(/\.yaml$/, ''));
    const missing = emittedCodes().filter((c) => !have.includes(c));
    expect(missing).to.deep.equal([]);
  });

  for (const file of fixtures) {
    const code = file.replace(/\.yaml$/, '');
    it(`${code}: reported where marked, and nothing else`, () => {
      const text = readFileSync(join(dir, file), 'utf8');
      const lines = text.split('\n');
      const markedLine = lines.findIndex((l) => l.includes(`# <- ${code}`)) + 1;
      expect(markedLine, 'fixture marks its line').to.be.greaterThan(0);
      const { diagnostics, definition } = loadDefinition(text, file, { calendars });
      const listing = diagnostics.map(formatDiagnostic).join('\n');
      const hits = diagnostics.filter((d) => d.code === code);
      expect(hits, listing).to.have.length.greaterThan(0);
      expect(
        hits.map((d) => d.line),
        listing,
      ).to.include(markedLine);
      expect(
        diagnostics.filter((d) => d.code !== code),
        `other diagnostics:\n${listing}`,
      ).to.deep.equal([]);
      const severity = hits[0]!.severity;
      expect(definition === undefined, 'a definition comes back only without errors').to.equal(severity === 'error');
      expect(hits[0]!.message.length).to.be.greaterThan(10);
    });
  }
});
