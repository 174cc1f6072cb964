// A store or queue that cannot be reached when `tiendo` starts: one line that says which, where (the
// URL without its password, the variable that set it) and what to do; exit 1, no stack trace.
import { expect } from 'chai';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../fault/harness.ts';
import { runToExit } from './support.ts';

describe('tiendo when its store or queue cannot be reached at start', function () {
  this.timeout(90_000);
  let dir = '';
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'tiendo-startup-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('names PostgreSQL, its address without the password, and DATABASE_URL', async () => {
    const url = `postgres://tiendo:s3cret@127.0.0.1:${await freePort()}/tiendo`;
    const r = await runToExit('serve', { DATABASE_URL: url, PORT: String(await freePort()) });
    expect(r.code, r.output).to.equal(1);
    expect(r.output).to.include(`tiendo: PostgreSQL at ${url.replace('s3cret', '***')} (DATABASE_URL) cannot be used: connect ECONNREFUSED`);
    expect(r.output).not.to.include('s3cret');
    expect(
      r.output.split('\n').filter((l) => l.startsWith('tiendo: ')),
      'one line of its own',
    ).to.have.length(1);
  });

  it('names Redis and REDIS_URL, and says the store can keep the timers instead', async () => {
    const url = `redis://127.0.0.1:${await freePort()}`;
    const r = await runToExit('worker', { TIENDO_DATA_DIR: dir, REDIS_URL: url });
    expect(r.code, r.output).to.equal(1);
    expect(r.output).to.include(`tiendo: Redis at ${url} (REDIS_URL) cannot be reached. Start it, or leave REDIS_URL unset`);
    expect(r.output, 'no stack trace').not.to.match(/\n\s+at /);
    expect(existsSync(join(dir, 'tiendo.sqlite.lock')), 'the SQLite lock let go').to.equal(false);
  });
});
