// A file named on the command line is read up to its limit and no further: /dev/zero (endless, and
// of size 0 to stat) is refused at once with a located error, not read into memory.
import { expect } from 'chai';
import { main } from '../../adapters/cli/main.ts';

async function run(...argv: string[]) {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (t) => void (out += t), err: (t) => void (err += t) });
  return { code, out, err };
}

describe('tiendo: files past their size limit', function () {
  this.timeout(20_000);
  it('validate /dev/zero: FILE_TOO_LARGE at 1:1, exit 1', async () => {
    const r = await run('validate', '/dev/zero');
    expect(r.code).to.equal(1);
    expect(r.out + r.err).to.match(/zero:1:1: error FILE_TOO_LARGE the file is larger than the limit of 1048576 bytes/);
  });
  it('simulate /dev/zero: FILE_TOO_LARGE at 1:1, exit 1', async () => {
    const r = await run('simulate', '/dev/zero');
    expect(r.code).to.equal(1);
    expect(r.err).to.match(/zero:1:1: error FILE_TOO_LARGE/);
  });
  it('units import /dev/zero: FILE_TOO_LARGE, nothing written, exit 1', async () => {
    const r = await run('units', 'import', '/dev/zero', '--dry-run', '--lang', 'en');
    expect(r.code).to.equal(1);
    expect(r.err).to.include('/dev/zero:1:1: error FILE_TOO_LARGE the file is larger than 20 MB');
  });
});
