// SQLite takes one process (adapters/store/sqlite-lock.ts): a second `tiendo` on the same data folder
// is refused at start with what to do instead, exit 1, and the first goes on; once the first has
// stopped (or died: a stale lock), the folder can be used again.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startApp } from '../../adapters/app.ts';
import { freePort, TiendoProcess } from '../fault/harness.ts';
import { runToExit } from './support.ts';

describe('one process per SQLite store', function () {
  this.timeout(120_000);
  let dir = '';
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'tiendo-one-process-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses `tiendo worker` beside a running `tiendo serve`, saying who holds it and what to run instead; the first keeps serving', async () => {
    const first = await TiendoProcess.start('serve', 'tiendo serve', { TIENDO_DATA_DIR: dir, PORT: String(await freePort()) });
    try {
      const lock = join(dir, 'tiendo.sqlite.lock');
      expect(existsSync(lock), 'the lock beside the store').to.equal(true);
      const second = await runToExit('worker', { TIENDO_DATA_DIR: dir, PORT: String(await freePort()) });
      expect(second.code, second.output).to.equal(1);
      expect(second.output).to.include(`${join(dir, 'tiendo.sqlite')} is in use by another Tiến độ process (pid ${first.proc.pid}, \`tiendo serve\``);
      expect(second.output).to.match(/run `tiendo start` alone .* set DATABASE_URL \(PostgreSQL\)/);
      expect(second.output, 'no stack trace').not.to.match(/\n\s+at /);
      expect((await fetch(`${first.url}/api/health`)).status, 'the first still serves').to.equal(200);
      await first.stop();
      expect(first.exitCode, first.tail()).to.equal(0);
      expect(existsSync(lock), 'the lock is gone with its process').to.equal(false);
    } finally {
      await first.stop();
    }
    const again = await TiendoProcess.start('worker', 'tiendo worker', { TIENDO_DATA_DIR: dir });
    await again.stop();
    expect(again.exitCode, again.tail()).to.equal(0);
  });

  it('takes over the lock of a process that is gone (killed, crashed)', async () => {
    const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    const deadPid = Number(gone.stdout);
    writeFileSync(join(dir, 'tiendo.sqlite.lock'), JSON.stringify({ pid: deadPid, command: 'tiendo start', since: '2026-01-01T00:00:00.000Z' }));
    const app = await startApp({ dataDir: dir, api: false, workers: false, demo: false, log: () => undefined });
    await app.close();
    expect(existsSync(join(dir, 'tiendo.sqlite.lock'))).to.equal(false);
  });
});
