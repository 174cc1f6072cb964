// Every scenario under test/fixtures/<process>/ with a sibling .expected.json is run through
// `tiendo simulate` and must print exactly that JSON. The expected files were reviewed by hand (each
// scenario's header says which dates were counted); UPDATE_EXPECTED=1 rewrites them — then read the
// diff before committing it.
import { expect } from 'chai';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { main } from '../../adapters/cli/main.ts';

const FIXTURES = fileURLToPath(new URL('../fixtures', import.meta.url));

export async function simulate(file: string, ...options: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(['simulate', file, ...options], { out: (t) => void (out += t), err: (t) => void (err += t) });
  return { code, out, err };
}

function scenarios(): string[] {
  return readdirSync(FIXTURES)
    .filter((d) => statSync(join(FIXTURES, d)).isDirectory())
    .flatMap((d) =>
      readdirSync(join(FIXTURES, d))
        .filter((f) => f.endsWith('.yaml') && existsSync(join(FIXTURES, d, f.replace(/\.yaml$/, '.expected.json'))))
        .map((f) => join(FIXTURES, d, f)),
    )
    .sort();
}

describe('tiendo simulate: scenario fixtures', () => {
  for (const file of scenarios()) {
    it(relative(FIXTURES, file), async () => {
      const { code, out, err } = await simulate(file);
      expect(err).to.equal('');
      expect(code).to.equal(0);
      const expectedFile = file.replace(/\.yaml$/, '.expected.json');
      if (process.env.UPDATE_EXPECTED === '1') writeFileSync(expectedFile, out);
      expect(JSON.parse(out)).to.deep.equal(JSON.parse(readFileSync(expectedFile, 'utf8')));
    });
  }
});
