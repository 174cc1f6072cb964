// `tiendo backup` beside a running server under writes, and `tiendo restore` of that copy: what was
// committed before the backup began is back, what was committed after it finished is not; restore's
// refusals change nothing.
import { expect } from 'chai';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, copyFileSync, openSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { spawn } from 'node:child_process';
import sqlite3 from 'sqlite3';
import { createHash } from 'node:crypto';
import { FolderBlobs } from '../../adapters/files/blobs.ts';
import { ROOT } from '../fault/harness.ts';
import { startApp, type App } from '../../adapters/app.ts';
import { main } from '../../adapters/cli/main.ts';
import { hashPassword } from '../../adapters/http/auth.ts';
import { ManualClock } from '../../engine/ports.ts';
import { at8, PROVINCE } from '../support/runtime.ts';

interface Ran {
  code: number;
  out: string;
  err: string;
}

/** `tiendo …` in this process, with these variables set for the call. */
async function tiendo(argv: string[], env: Record<string, string | undefined>): Promise<Ran> {
  const saved: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(env)) {
    saved[k] = process.env[k];
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  let out = '';
  let err = '';
  try {
    const code = await main(argv, { out: (t) => void (out += t), err: (t) => void (err += t) });
    return { code, out, err };
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

/** `tiendo …` as a process of its own (another process than the server's, as at a console). */
function tiendoProcess(argv: string[], env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, [join(ROOT, 'bin/tiendo.js'), ...argv], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, output })));
}

function sql(file: string, statement: string): Promise<void> {
  return new Promise((ok, fail) => {
    const db = new sqlite3.Database(file, (e) => {
      if (e) return fail(e);
      db.exec(statement, (e2) => db.close(() => (e2 ? fail(e2) : ok())));
    });
  });
}

describe('tiendo backup and restore (SQLite)', function () {
  this.timeout(120_000);
  let dir: string;
  let env: Record<string, string | undefined>;
  const store = () => join(dir, 'tiendo.sqlite');
  const open = (): Promise<App> =>
    startApp({
      sqliteFile: store(),
      port: 0,
      ui: false,
      workers: false,
      demo: false,
      clock: new ManualClock(at8('2026-03-02')),
      bcryptCost: 4,
      log: () => undefined,
    });

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tiendo-backup-'));
    env = { TIENDO_DATA_DIR: dir, DATABASE_URL: undefined, TIENDO_PG_SCHEMA: undefined };
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('copies a consistent store while the server writes; restore brings back what was committed before, nothing after', async () => {
    let app = await open();
    await app.runtime.engine.addUnits(PROVINCE);
    const hash = await hashPassword('mật-khẩu-thử', 4);
    // Some bulk, so the copy takes a moment while the writes go on.
    for (let i = 0; i < 20; i++)
      await app.runtime.engine.addUnits(
        Array.from({ length: 50 }, (_, j) => ({
          id: `bulk_${i}_${j}`,
          parentId: 'pgd_b',
          kind: 'primary' as const,
          name: `Trường ${i}-${j} ${'x'.repeat(200)}`,
        })),
      );
    const writes: { id: string; started: number; ended: number }[] = [];
    let stop = false;
    let afterBackup = 0;
    const writer = (async () => {
      for (let n = 0; !stop; n++) {
        const id = `w_${n}`;
        const started = performance.now();
        await app.runtime.engine.addUnits([{ id, parentId: 'pgd_a', kind: 'primary', name: `TH ${n}` }]);
        await app.accounts.putUser(
          { id: `user_${id}`, login: `login_${id}`, name: `Người ${n}`, email: `${id}@test.vn`, passwordHash: hash, createdAt: Date.now() },
          [{ role: 'staff', unitId: id }],
        );
        writes.push({ id, started, ended: performance.now() });
        if (afterBackup && ++afterBackup > 25) stop = true;
      }
    })();
    while (writes.length < 25) await new Promise((r) => setTimeout(r, 5));
    const copy = join(dir, 'copy.sqlite');
    const backupStarted = performance.now();
    const backup = await tiendo(['backup', copy], env);
    const backupEnded = performance.now();
    afterBackup = 1;
    await writer;
    expect(backup.code, backup.err).to.equal(0);
    expect(backup.out).to.match(/Wrote .*copy\.sqlite: [\d.]+ MB, \d+ units, 0 instances, \d+ users; store \S+; in [\d.]+ s/);
    const storeId = app.runtime.storeId;
    expect(backup.out).to.contain(String(storeId));
    const before = writes.filter((w) => w.ended < backupStarted).map((w) => w.id);
    const after = writes.filter((w) => w.started > backupEnded).map((w) => w.id);
    expect(before.length).to.be.greaterThan(0);
    expect(after.length).to.be.greaterThan(0);
    console.log(
      `      ${writes.length} writes: ${before.length} before the backup, ${after.length} after, ${writes.length - before.length - after.length} during; backup took ${(backupEnded - backupStarted).toFixed(0)} ms, ${(statSync(copy).size / 1e6).toFixed(2)} MB`,
    );

    // No overwrite without --force.
    const again = await tiendo(['backup', copy], env);
    expect(again.code).to.equal(1);
    expect(again.err).to.contain('--force');
    const forced = join(dir, 'forced.sqlite');
    writeFileSync(forced, 'old');
    const overwritten = await tiendo(['backup', '--force', forced], env);
    expect(overwritten.code, overwritten.err).to.equal(0);
    expect(readFileSync(forced).subarray(0, 15).toString()).to.equal('SQLite format 3');
    // Checking a copy leaves nothing beside it.
    expect(readdirSync(dir).filter((f) => /^(copy|forced)\.sqlite-/.test(f))).to.deep.equal([]);

    // Restore refuses while the server holds the store.
    const busy = await tiendo(['restore', copy], env);
    expect(busy.code).to.equal(1);
    expect(busy.err).to.contain('stop it first');
    await app.close();

    const restored = await tiendo(['restore', copy], env);
    expect(restored.code, restored.err).to.equal(0);
    expect(restored.out).to.contain('Restored');
    expect(readdirSync(dir).some((f) => /^tiendo\.sqlite\.before-restore-/.test(f))).to.equal(true);

    app = await open();
    try {
      const units = new Set(((await app.runtime.db('org_units').select('id')) as { id: string }[]).map((r) => r.id));
      const logins = new Set(((await app.runtime.db('users').select('login')) as { login: string }[]).map((r) => r.login));
      for (const id of before) {
        expect(units.has(id), `unit ${id} committed before the backup`).to.equal(true);
        expect(logins.has(`login_${id}`), `user of ${id} committed before the backup`).to.equal(true);
      }
      for (const id of after) {
        expect(units.has(id), `unit ${id} committed after the backup`).to.equal(false);
        expect(logins.has(`login_${id}`), `user of ${id} committed after the backup`).to.equal(false);
      }
      expect(units.has('bulk_19_49')).to.equal(true);
      expect(String(app.runtime.storeId)).to.equal(String(storeId));
    } finally {
      await app.close();
    }
  });

  it('refuses a file that is not SQLite, a damaged one, one from a newer version; nothing changes', async () => {
    let app = await open();
    await app.runtime.engine.addUnits(PROVINCE);
    const copy = join(dir, 'copy.sqlite');
    expect((await tiendo(['backup', copy], env)).code).to.equal(0);
    await app.runtime.engine.addUnits([{ id: 'later', parentId: 'so', kind: 'upper-secondary', name: 'THPT sau' }]);
    await app.close();
    const storeBytes = readFileSync(store());
    const storeFiles = () =>
      readdirSync(dir)
        .filter((f) => f.startsWith('tiendo.sqlite') || f.startsWith('.tiendo.sqlite'))
        .sort();
    const listing = storeFiles();
    const unchanged = () => {
      expect(readFileSync(store()).equals(storeBytes)).to.equal(true);
      expect(storeFiles()).to.deep.equal(listing);
    };

    const text = join(dir, 'notes.txt');
    writeFileSync(text, 'this is not a database\n'.repeat(100));
    let r = await tiendo(['restore', text], env);
    expect(r.code).to.equal(1);
    expect(r.err).to.contain('is not an SQLite database');
    unchanged();

    const damaged = join(dir, 'damaged.sqlite');
    copyFileSync(copy, damaged);
    const size = statSync(damaged).size;
    const fd = openSync(damaged, 'r+');
    // Garbage over every page but the first (its header says what the file is).
    for (let at = 4096; at < size; at += 4096) writeSync(fd, Buffer.alloc(4096, 0xa5), 0, Math.min(4096, size - at), at);
    closeSync(fd);
    r = await tiendo(['restore', damaged], env);
    expect(r.code).to.equal(1);
    expect(r.err).to.match(/damaged/);
    unchanged();

    const newer = join(dir, 'newer.sqlite');
    copyFileSync(copy, newer);
    await sql(newer, `insert into knex_migrations (name, batch, migration_time) values ('099_from_the_future', 99, '2030-01-01')`);
    r = await tiendo(['restore', newer], env);
    expect(r.code).to.equal(1);
    expect(r.err).to.contain('099_from_the_future');
    expect(r.err).to.contain('newer Tiến độ');
    unchanged();

    const foreign = join(dir, 'foreign.sqlite');
    copyFileSync(copy, foreign);
    await sql(foreign, `update store_identity set id = 'another-store'`);
    r = await tiendo(['restore', foreign], env);
    expect(r.code).to.equal(1);
    expect(r.err).to.contain('--force');
    unchanged();

    r = await tiendo(['restore', join(dir, 'missing.sqlite')], env);
    expect(r.code).to.equal(1);
    unchanged();

    // The good copy goes in: the unit added after it is gone.
    r = await tiendo(['restore', copy], env);
    expect(r.code, r.err).to.equal(0);
    app = await open();
    try {
      expect(await app.runtime.db('org_units').where({ id: 'later' }).first()).to.equal(undefined);
      expect(await app.runtime.db('org_units').where({ id: 'thpt_1' }).first()).to.not.equal(undefined);
    } finally {
      await app.close();
    }
  });

  it('copies the attached files beside the copy, and restore brings back those missing', async () => {
    const app = await open();
    await app.runtime.engine.addUnits(PROVINCE);
    await app.close();
    const blobs = new FolderBlobs(join(dir, 'files'));
    const pdf = Buffer.from('%PDF-1.4 biên bản họp hội đồng tự đánh giá');
    const sha = createHash('sha256').update(pdf).digest('hex');
    await blobs.put(sha, pdf);
    // half written when the copy is taken: not a file yet
    writeFileSync(join(dir, 'files', sha.slice(0, 2), `${sha}.123.456.part`), 'half');
    const copy = join(dir, 'with-files.sqlite');
    const backup = await tiendo(['backup', copy], env);
    expect(backup.code, backup.err).to.equal(0);
    expect(backup.out).to.contain(`Attached files: 1 in ${copy}.files/`);
    expect(readFileSync(join(`${copy}.files`, sha.slice(0, 2), sha)).equals(pdf)).to.equal(true);
    expect(readdirSync(join(`${copy}.files`, sha.slice(0, 2)))).to.deep.equal([sha]);
    // The data folder loses its files; restoring the copy brings them back.
    rmSync(join(dir, 'files'), { recursive: true, force: true });
    const restore = await tiendo(['restore', copy], env);
    expect(restore.code, restore.err).to.equal(0);
    expect(restore.out).to.contain('Attached files: 1');
    expect((await blobs.get(sha))?.equals(pdf)).to.equal(true);
  });

  it('from another process: backup runs beside the server, restore is refused until it stops', async () => {
    const app = await open();
    try {
      await app.runtime.engine.addUnits(PROVINCE);
      const copy = join(dir, 'other-process.sqlite');
      const backup = await tiendoProcess(['backup', copy], { TIENDO_DATA_DIR: dir });
      expect(backup.code, backup.output).to.equal(0);
      expect(backup.output).to.match(/Wrote .*: [\d.]+ MB, 8 units, 0 instances, 0 users; store /);
      const restore = await tiendoProcess(['restore', copy], { TIENDO_DATA_DIR: dir });
      expect(restore.code, restore.output).to.equal(1);
      expect(restore.output).to.contain('stop it first');
      expect(restore.output).to.contain(`pid ${process.pid}`);
      // The server kept its store, and keeps writing.
      await app.runtime.engine.addUnits([{ id: 'still_here', parentId: 'so', kind: 'upper-secondary', name: 'THPT vẫn chạy' }]);
    } finally {
      await app.close();
    }
  });

  it('on PostgreSQL (DATABASE_URL) says to use pg_dump and pg_restore, and does nothing', async () => {
    const copy = join(dir, 'pg.dump');
    const r = await tiendo(['backup', copy], { ...env, DATABASE_URL: 'postgres://tiendo@127.0.0.1:5432/test' });
    expect(r.code).to.equal(2);
    expect(r.err).to.contain('pg_dump -Fc');
    expect(r.err).to.contain('pg_restore');
    expect(r.err).to.contain('database "test"');
    expect(existsSync(copy)).to.equal(false);
    const back = await tiendo(['restore', copy], { ...env, DATABASE_URL: 'postgres://tiendo@127.0.0.1:5432/test' });
    expect(back.code).to.equal(2);
    expect(back.err).to.contain('pg_restore');
  });
});
