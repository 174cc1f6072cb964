// `tiendo admin create` (issue 14): the first administrator from the console, on the configured
// store — the password from standard input or a one-time one printed once, a unit that must exist, a
// store held by a running server refused with what to do, and PostgreSQL through DATABASE_URL.
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import bcrypt from 'bcryptjs';
import { startApp } from '../../adapters/app.ts';
import { main, type Io } from '../../adapters/cli/main.ts';
import { openRuntime } from '../../adapters/runtime.ts';
import { ROOT } from '../fault/harness.ts';
import { PROVINCE } from '../support/runtime.ts';
import { POSTGRES_URL, requireService } from '../support/services.ts';

/** Runs the command in this process with the environment and standard input given. */
async function run(args: string[], env: Record<string, string>, stdin?: string) {
  let out = '';
  let err = '';
  const io: Io = {
    out: (t) => void (out += t),
    err: (t) => void (err += t),
    env: { TIENDO_DEMO: '0', ...env },
    stdin: { isTTY: stdin === undefined, readLine: async () => (stdin ?? '').split('\n')[0]! },
  };
  const code = await main(['admin', 'create', ...args], io);
  return { code, out, err };
}

async function seedUnits(env: { sqliteFile?: string; databaseUrl?: string; pgSchema?: string }): Promise<void> {
  const runtime = await openRuntime(env);
  try {
    await runtime.engine.addUnits(PROVINCE);
  } finally {
    await runtime.close();
  }
}

async function userRow(env: { sqliteFile?: string; databaseUrl?: string; pgSchema?: string }, login: string) {
  const runtime = await openRuntime(env);
  try {
    const user = await runtime.db('users').where({ login }).first();
    const grants = user ? await runtime.db('grants').where({ user_id: user.id }).select('role', 'unit_id') : [];
    const audit = await runtime.db('audit').where({ action: 'user.create' }).select();
    return { user, grants, audit };
  } finally {
    await runtime.close();
  }
}

describe('tiendo admin create', function () {
  this.timeout(120_000);
  let dir = '';
  let sqliteFile = '';
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tiendo-admin-'));
    sqliteFile = join(dir, 'tiendo.sqlite');
    await seedUnits({ sqliteFile });
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('takes the password from standard input; it must be changed at the first sign-in', async () => {
    const r = await run(
      ['--login', 'QT.So', '--name', 'Nguyễn Văn Quản', '--unit', 'so', '--email', 'qt@so.vn', '--lang', 'en'],
      { TIENDO_DATA_DIR: dir },
      'mật-khẩu-ban-đầu\n',
    );
    expect(r.code, r.err).to.equal(0);
    expect(r.out).to.include('Created qt.so (Nguyễn Văn Quản), administrator of Sở GDĐT Bến Tre (so)');
    expect(r.out).not.to.include('mật-khẩu-ban-đầu');
    const { user, grants, audit } = await userRow({ sqliteFile }, 'qt.so');
    expect(await bcrypt.compare('mật-khẩu-ban-đầu', user.password_hash)).to.equal(true);
    expect(Boolean(user.must_change_password)).to.equal(true);
    expect(user).to.include({ unit_id: 'so', email: 'qt@so.vn' });
    expect(grants).to.deep.equal([{ role: 'admin', unit_id: 'so' }]);
    expect(audit).to.have.length(1);
    expect(audit[0]).to.include({ actor_login: 'system', actor_name: 'Hệ thống', unit_path: '/so/' });
    expect(JSON.stringify(audit)).not.to.include('mật-khẩu').and.not.to.include(user.password_hash);
  });

  it('prints a one-time password once at a terminal, with the role asked for', async () => {
    const r = await run(['--login', 'gs.a', '--name', 'Lê Thị Giám', '--unit', 'pgd_a', '--role', 'supervisor', '--phone', '0909000111'], {
      TIENDO_DATA_DIR: dir,
    });
    expect(r.code, r.err).to.equal(0);
    const otp = /Mật khẩu dùng một lần \(chỉ hiện lúc này\): (\S+)/.exec(r.out)?.[1];
    expect(otp).to.match(/^[A-Za-z0-9]{12}$/);
    expect(r.out).to.include('Phải đổi ở lần đăng nhập đầu tiên');
    expect(r.out).to.include('giám sát của Phòng');
    const { user, grants } = await userRow({ sqliteFile }, 'gs.a');
    expect(await bcrypt.compare(otp!, user.password_hash)).to.equal(true);
    expect(grants).to.deep.equal([{ role: 'supervisor', unit_id: 'pgd_a' }]);
  });

  it('refuses an unknown unit, saying how to import units; a taken login; an unknown role', async () => {
    const unknown = await run(['--login', 'x.y', '--name', 'X', '--unit', 'NOPE'], { TIENDO_DATA_DIR: dir });
    expect(unknown.code).to.equal(1);
    expect(unknown.err).to.include('không có đơn vị "NOPE"').and.include('tiendo units import TỆP');
    expect(await run(['--login', 'dup', '--name', 'A', '--unit', 'so'], { TIENDO_DATA_DIR: dir })).to.include({ code: 0 });
    const taken = await run(['--login', 'dup', '--name', 'B', '--unit', 'so'], { TIENDO_DATA_DIR: dir });
    expect(taken.code).to.equal(1);
    expect(taken.err).to.include('tên đăng nhập "dup" đã có người dùng');
    const role = await run(['--login', 'r', '--name', 'R', '--unit', 'so', '--role', 'boss'], { TIENDO_DATA_DIR: dir });
    expect(role.code).to.equal(2);
    expect(role.err).to.include('roles are administrator (or admin), supervisor, staff');
  });

  it('says the store is held by a running server and what to do, exit 1', async () => {
    const app = await startApp({ dataDir: dir, port: 0, ui: false, workers: false, demo: false, log: () => undefined });
    try {
      const child = spawn(process.execPath, [join(ROOT, 'bin/tiendo.js'), 'admin', 'create', '--login', 'qt', '--name', 'Quản trị', '--unit', 'so'], {
        cwd: ROOT,
        env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', TIENDO_DATA_DIR: dir },
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      child.stdin.end('mật-khẩu-ban-đầu\n');
      let output = '';
      child.stdout.on('data', (d: Buffer) => (output += d.toString()));
      child.stderr.on('data', (d: Buffer) => (output += d.toString()));
      const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
      expect(code, output).to.equal(1);
      expect(output).to.include('đang được một máy chủ Tiến độ dùng');
      expect(output).to.include('Dừng máy chủ').and.include('giao diện web bằng tài khoản quản trị');
      expect(output, 'no stack trace').not.to.match(/\n\s+at /);
      expect((await fetch(`${app.url}/api/health`)).status, 'the server goes on').to.equal(200);
    } finally {
      await app.close();
    }
  });

  describe('on PostgreSQL (DATABASE_URL)', () => {
    const schema = `admin_${randomBytes(4).toString('hex')}`;
    const pg = { databaseUrl: POSTGRES_URL, pgSchema: schema };
    before(async function () {
      await requireService(this, 'PostgreSQL');
      await seedUnits(pg);
    });
    after(async () => {
      const runtime = await openRuntime(pg).catch(() => undefined);
      if (runtime) {
        await runtime.db.raw(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
        await runtime.close();
      }
    });

    it('creates the account in the configured schema', async () => {
      const r = await run(
        ['--login', 'qt.pg', '--name', 'Quản trị PG', '--unit', 'th_a1', '--role', 'staff'],
        { DATABASE_URL: POSTGRES_URL, TIENDO_PG_SCHEMA: schema },
        'mật-khẩu-postgres\n',
      );
      expect(r.code, r.err).to.equal(0);
      const { user, grants } = await userRow(pg, 'qt.pg');
      expect(user.unit_id).to.equal('th_a1');
      expect(user.must_change_password).to.equal(true);
      expect(grants).to.deep.equal([{ role: 'staff', unit_id: 'th_a1' }]);
    });
  });
});
