// `tiendo units import|export` on a temporary SQLite store (TIENDO_DATA_DIR), run in-process through
// main() as the CLI runs it, and once as a process of its own for the real exit code.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { KnexStore } from '../../adapters/store/knex-store.ts';
import { main } from '../../adapters/cli/main.ts';
import { openDb } from '../../adapters/store/db.ts';
import { ROOT } from '../fault/harness.ts';

const GOOD = [
  'Mã đơn vị;Tên đơn vị;Loại đơn vị;Mã đơn vị cấp trên;Cấp học;Email;Điện thoại',
  'th-an-hoa;Trường Tiểu học An Hòa;Tiểu học;pgd-cl;;;',
  'pgd-cl;Phòng GD&ĐT Chợ Lách;Phòng GDĐT;so-bt;Mầm non, Tiểu học, THCS;pgd@cholach.edu.vn;0275 3871 234',
  'so-bt;Sở GDĐT Bến Tre;Sở GDĐT;;;;',
  'thpt-cl;THPT Chợ Lách;THPT;so-bt;;;',
  'gdtx-cl;Trung tâm GDNN-GDTX Chợ Lách;GDNN-GDTX;so-bt;;;',
].join('\n');

describe('tiendo units import/export', function () {
  this.timeout(60_000);
  let dir = '';
  let saved: string | undefined;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tiendo-units-'));
    saved = process.env.TIENDO_DATA_DIR;
    process.env.TIENDO_DATA_DIR = join(dir, 'data');
  });
  afterEach(() => {
    if (saved === undefined) delete process.env.TIENDO_DATA_DIR;
    else process.env.TIENDO_DATA_DIR = saved;
    rmSync(dir, { recursive: true, force: true });
  });

  async function run(...argv: string[]) {
    let out = '';
    let err = '';
    const code = await main(argv, { out: (t) => void (out += t), err: (t) => void (err += t) });
    return { code, out, err };
  }
  const file = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };
  /** The file as the CLI names it in its messages: relative to where it runs. */
  const shown = (path: string) => (relative(process.cwd(), path).startsWith('..') ? path : relative(process.cwd(), path));
  async function stored() {
    const { db } = openDb({ sqliteFile: join(dir, 'data', 'tiendo.sqlite') });
    const store = new KnexStore(db);
    try {
      return await store.allUnits();
    } finally {
      await store.close();
    }
  }

  it('imports a good file (exit 0, a summary), and the same file again changes nothing', async () => {
    const path = file('units.csv', GOOD);
    const first = await run('units', 'import', path);
    expect(first.code, first.err).to.equal(0);
    expect(first.out).to.include(`${shown(path)}: 5 đơn vị trong tệp; đã thêm 5, đổi tên 0, sửa 0, chuyển 0, giải thể 0`);
    expect(first.out).to.include('+ pgd-cl "Phòng GD&ĐT Chợ Lách" (Phòng GDĐT) thuộc so-bt');
    const units = await stored();
    expect([...units.keys()].sort()).to.deep.equal(['gdtx-cl', 'pgd-cl', 'so-bt', 'th-an-hoa', 'thpt-cl']);
    expect(units.get('th-an-hoa')).to.include({ path: '/so-bt/pgd-cl/th-an-hoa/', depth: 2, kind: 'primary' });
    expect(units.get('pgd-cl')).to.deep.include({ levels: ['preschool', 'primary', 'lower-secondary'], email: 'pgd@cholach.edu.vn', phone: '0275 3871 234' });
    const again = await run('units', 'import', path, '--lang', 'en');
    expect(again.code).to.equal(0);
    expect(again.out).to.equal(`${shown(path)}: 5 units in the file; nothing to change\n`);
  });

  it('a file with problems: each printed as FILE:ROW:COLUMN: error CODE message, exit 1, nothing written', async () => {
    const path = file(
      'bad.csv',
      ['code,name,kind,parent_code,levels,email', 'so,Sở,Sở GDĐT,,,', ',No code,primary,so,,', 'th,Tiểu học,Đại học,so,,', 'th2,,primary,nowhere,,x@'].join(
        '\n',
      ),
    );
    const r = await run('units', 'import', path, '--lang', 'en');
    expect(r.code).to.equal(1);
    expect(r.out).to.equal('');
    const f = shown(path);
    expect(r.err.split('\n')).to.deep.equal([
      `${f}:3:1: error EMPTY_CODE no unit code`,
      `${f}:4:3: error UNKNOWN_KIND "Đại học" is not a unit kind; kinds are: ministry, department, district-office, commune, preschool, primary, lower-secondary, upper-secondary, multi-level, continuing-education (or Bộ GDĐT, Sở GDĐT, Phòng GDĐT, UBND xã, Mầm non, Tiểu học, THCS, THPT, Liên cấp, GDNN-GDTX)`,
      `${f}:5:2: error EMPTY_NAME no unit name`,
      `${f}:5:4: error UNKNOWN_PARENT no unit "nowhere" in the file or the store (parent code)`,
      `${f}:5:6: error BAD_EMAIL "x@" is not an email address`,
      `${f}: 5 error(s), nothing written`,
      '',
    ]);
    expect((await stored()).size, 'nothing written').to.equal(0);
    const vi = await run('units', 'import', path);
    expect(vi.err).to.include(`${f}:3:1: error EMPTY_CODE thiếu mã đơn vị`).and.include('5 lỗi, không ghi gì');
  });

  it('a missing column and an unreadable file are problems at row 1', async () => {
    const noKind = await run('units', 'import', file('a.csv', 'code,name,parent\nx,X,\n'), '--lang', 'en');
    expect(noKind.code).to.equal(1);
    expect(noKind.err).to.match(/a\.csv:1:4: error MISSING_COLUMN no "kind" column \(or "Loại đơn vị"\)/);
    const missing = await run('units', 'import', join(dir, 'nope.csv'));
    expect(missing.code).to.equal(1);
    expect(missing.err).to.match(/nope\.csv:1:1: error FILE_NOT_FOUND .*ENOENT/);
    const fake = await run('units', 'import', file('fake.xlsx', 'code,name\n'));
    expect(fake.code).to.equal(1);
    expect(fake.err).to.match(/fake\.xlsx:1:1: error BAD_FILE tên là .xlsx nhưng không phải bảng tính XLSX/);
  });

  it('--dry-run says what would be done and writes nothing; --json gives the operations', async () => {
    const path = file('units.csv', GOOD);
    const dry = await run('units', 'import', path, '--dry-run');
    expect(dry.code).to.equal(0);
    expect(dry.out).to.include('sẽ thêm 5');
    expect((await stored()).size).to.equal(0);
    const json = await run('units', 'import', path, '--dry-run', '--json');
    const parsed = JSON.parse(json.out) as { ok: boolean; operations: { op: string; id: string }[]; summary: { added: unknown[] } };
    expect(parsed.ok).to.equal(true);
    expect(parsed.operations.map((o) => `${o.op} ${o.id}`)).to.deep.equal(['add so-bt', 'add pgd-cl', 'add thpt-cl', 'add gdtx-cl', 'add th-an-hoa']);
    expect(parsed.summary.added).to.have.length(5);
  });

  it('renames, moves and closes need --reason (not for a dry run); with one, Organisation.reshape applies them all and records the import', async () => {
    const path = file('units.csv', GOOD);
    expect((await run('units', 'import', path)).code).to.equal(0);
    const edited = file(
      'edited.csv',
      GOOD.replace('Trường Tiểu học An Hòa;Tiểu học;pgd-cl', 'Trường Tiểu học An Hòa 2;Tiểu học;so-bt')
        .split('\n')
        .filter((l) => !l.startsWith('gdtx-cl'))
        .join('\n'),
    );
    const refused = await run('units', 'import', edited);
    expect(refused.code).to.equal(1);
    expect(refused.err).to.match(/edited\.csv:2:2: error REASON_REQUIRED .*--reason/);
    expect((await stored()).get('th-an-hoa')!.name, 'nothing written').to.equal('Trường Tiểu học An Hòa');
    const dry = await run('units', 'import', edited, '--dry-run', '--lang', 'en');
    expect(dry.code, 'a dry run needs no reason').to.equal(0);
    expect(dry.out).to.include('would be added 0, renamed 1, updated 0, moved 1, closed 1');
    expect(dry.out).to.include('→ th-an-hoa "Trường Tiểu học An Hòa 2": pgd-cl → so-bt').and.include('× gdtx-cl "Trung tâm GDNN-GDTX Chợ Lách"');
    expect(dry.out).to.include('Applying it needs a reason: --reason');
    const done = await run('units', 'import', edited, '--reason', 'Quyết định 123/QĐ-UBND', '--lang', 'en');
    expect(done.code, done.err).to.equal(0);
    expect(done.err).to.equal('');
    const units = await stored();
    expect(units.get('th-an-hoa')).to.include({ name: 'Trường Tiểu học An Hòa 2', parentId: 'so-bt', path: '/so-bt/th-an-hoa/' });
    expect(units.get('gdtx-cl')!.closedAt).to.be.a('number');
    const again = await run('units', 'import', edited);
    expect(again.out).to.include('không có gì thay đổi');
    const { db } = openDb({ sqliteFile: join(dir, 'data', 'tiendo.sqlite') });
    try {
      const audit = await db('audit').where({ action: 'units.import' }).orderBy('at');
      expect(audit.map((a: { target: string; reason: string | null }) => [a.target, a.reason])).to.deep.equal([
        [shown(path), null],
        [shown(edited), 'Quyết định 123/QĐ-UBND'],
      ]);
    } finally {
      await db.destroy();
    }
  });

  it('refuses a store held by a running server, saying to use the UI import page or stop the server', async () => {
    const path = file('units.csv', GOOD);
    expect((await run('units', 'import', path, '--dry-run')).code).to.equal(0); // creates the store
    const lock = join(dir, 'data', 'tiendo.sqlite.lock');
    // The test runner's parent stands in for a live server process.
    writeFileSync(lock, JSON.stringify({ pid: process.ppid, command: 'tiendo start', since: new Date().toISOString() }));
    const r = await run('units', 'import', path, '--lang', 'en');
    expect(r.code).to.equal(1);
    expect(r.err).to.include('is held by another Tiến độ process (a running server)');
    expect(r.err).to.include("import the file on the web UI's unit import page, or stop the server");
    expect(r.err).to.include(`pid ${process.ppid}, \`tiendo start\``);
    expect(readFileSync(lock, 'utf8'), 'the server keeps its lock').to.include(String(process.ppid));
    const vi = await run('units', 'export', join(dir, 'x.csv'));
    expect(vi.code).to.equal(1);
    expect(vi.err).to.include('trang Nhập đơn vị').and.include('dừng máy chủ');
  });

  for (const ext of ['csv', 'xlsx'])
    it(`export → import through ${ext.toUpperCase()} changes nothing; --root exports one subtree`, async () => {
      expect((await run('units', 'import', file('units.csv', GOOD))).code).to.equal(0);
      const out = join(dir, `export.${ext}`);
      const exported = await run('units', 'export', out);
      expect(exported.code, exported.err).to.equal(0);
      expect(exported.out).to.equal(`${out}: 5 đơn vị\n`);
      const back = await run('units', 'import', out);
      expect(back.code, back.err).to.equal(0);
      expect(back.out).to.include('không có gì thay đổi');
      const sub = join(dir, `pgd.${ext}`);
      expect((await run('units', 'export', sub, '--root', 'pgd-cl')).out).to.equal(`${sub}: 2 đơn vị\n`);
      const subBack = await run('units', 'import', sub, '--lang', 'en');
      expect(subBack.out, 'the subtree root keeps its parent: nothing moves or closes').to.include('nothing to change');
      expect((await run('units', 'export', sub, '--root', 'nope')).code).to.equal(1);
      const en = join(dir, `en.${ext}`);
      expect((await run('units', 'export', en, '--lang', 'en')).code).to.equal(0);
      if (ext === 'csv') expect(readFileSync(en, 'utf8')).to.include('code,name,kind,parent_code,levels,email,phone').and.include(',district-office,so-bt,');
      expect((await run('units', 'import', en)).out, 'English headers and ids read back the same').to.include('không có gì thay đổi');
    });

  it('usage errors exit 2', async () => {
    expect((await run('units')).code).to.equal(2);
    expect((await run('units', 'import')).code).to.equal(2);
    expect((await run('units', 'import', 'a.csv', '--lang', 'fr')).code).to.equal(2);
    expect((await run('units', 'frobnicate')).code).to.equal(2);
  });

  it('as a process of its own: exit 1 and the problems on stderr', () => {
    const path = file('bad.csv', 'code,name,kind,parent\nth,Tiểu học,Tiểu học,nowhere\n');
    const r = spawnSync(process.execPath, [join(ROOT, 'bin/tiendo.js'), 'units', 'import', path, '--lang', 'en'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', TIENDO_DATA_DIR: join(dir, 'data') },
      encoding: 'utf8',
    });
    expect(r.status, r.stderr).to.equal(1);
    expect(r.stderr).to.include(`${path}:2:4: error UNKNOWN_PARENT no unit "nowhere" in the file or the store (parent code)`);
  });
});
