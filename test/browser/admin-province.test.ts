// A province starts Tiến độ on its own units and people, on screen, in Vietnamese: an empty store
// gets its Sở and first administrator from the console (as the IT officer would), the administrator
// signs in and changes the initial password, imports a ~700-unit province from an Excel file (one
// located error first, then the corrected file), creates the schools' staff accounts in bulk and
// reads the downloaded passwords file, launches a campaign — and one school's staff member signs in
// with the initial password, is made to change it, and sees the school's tasks.
import { expect } from 'chai';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import type { Browser, Page } from 'playwright-core';
import { startApp, type App } from '../../adapters/app.ts';
import { main, type Io } from '../../adapters/cli/main.ts';
import { launchBrowser, openPage, RESULTS, shot, type Watched } from './support.ts';

const SUITE = 'admin-province';
const SO = { id: 'so-lh', name: 'Sở GDĐT tỉnh Long Hải' };
const ADMIN = { login: 'quantri.so', name: 'Nguyễn Thị Quản Trị', password: 'Khoi-tao-2025!' };
const NEW_ADMIN_PASSWORD = 'Mat-khau-moi-2025!';
const STAFF_NEW_PASSWORD = 'Truong-THCS-2025!';
const BAD_PARENT = 'xa-99';

interface UnitLine {
  code: string;
  name: string;
  kind: string;
  parent: string;
  levels?: string;
  email?: string;
  phone?: string;
}

/** The province: the Sở, 3 Phòng and 9 communes with 55 schools each, 30 THPT and 2 GDNN-GDTX under the Sở. */
function province(): UnitLine[] {
  const lines: UnitLine[] = [{ code: SO.id, name: SO.name, kind: 'Sở GDĐT', parent: '' }];
  for (let i = 1; i <= 12; i++) {
    const n = String(i).padStart(2, '0');
    const office = i <= 3;
    const local = {
      code: office ? `pgd-${n}` : `xa-${n}`,
      name: office ? `Phòng GDĐT huyện Số ${i}` : `UBND xã Tân Hoà ${i}`,
      kind: office ? 'Phòng GDĐT' : 'UBND xã',
    };
    lines.push({ ...local, parent: SO.id, email: `${local.code}@longhai.edu.vn`, phone: `0270 38${n} 000` });
    const school = (prefix: string, kind: string, title: string, count: number, levels?: string) => {
      for (let j = 1; j <= count; j++) {
        const code = `${prefix}-${n}-${String(j).padStart(2, '0')}`;
        lines.push({
          code,
          name: `Trường ${title} ${local.name.replace(/^(Phòng GDĐT huyện|UBND xã) /, '')} số ${j}`,
          kind,
          parent: local.code,
          ...(levels ? { levels } : {}),
        });
      }
    };
    school('mn', 'Mầm non', 'Mầm non', 15);
    school('th', 'Tiểu học', 'Tiểu học', 18);
    school('thcs', 'THCS', 'THCS', 18);
    school('ts', 'Nhiều cấp học', 'TH và THCS', 4, 'Tiểu học, THCS');
  }
  for (let j = 1; j <= 30; j++) lines.push({ code: `thpt-${String(j).padStart(2, '0')}`, name: `Trường THPT Long Hải số ${j}`, kind: 'THPT', parent: SO.id });
  lines.push({ code: 'gdnn-01', name: 'Trung tâm GDNN-GDTX Long Hải', kind: 'GDNN-GDTX', parent: SO.id });
  lines.push({ code: 'gdnn-02', name: 'Trung tâm GDNN-GDTX Tân Hoà', kind: 'GDNN-GDTX', parent: SO.id });
  return lines;
}

async function xlsx(lines: UnitLine[]): Promise<Buffer> {
  const book = new ExcelJS.Workbook();
  const sheet = book.addWorksheet('Đơn vị');
  sheet.addRow(['Mã đơn vị', 'Tên đơn vị', 'Loại đơn vị', 'Mã đơn vị cấp trên', 'Cấp học', 'Email', 'Điện thoại']);
  for (const l of lines) sheet.addRow([l.code, l.name, l.kind, l.parent, l.levels ?? '', l.email ?? '', l.phone ?? '']);
  return Buffer.from(await book.xlsx.writeBuffer());
}

function csv(lines: UnitLine[]): string {
  const cell = (v: string) => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  const rows = [['Mã đơn vị', 'Tên đơn vị', 'Loại đơn vị', 'Mã đơn vị cấp trên', 'Cấp học', 'Email', 'Điện thoại']];
  for (const l of lines) rows.push([l.code, l.name, l.kind, l.parent, l.levels ?? '', l.email ?? '', l.phone ?? '']);
  return rows.map((r) => r.map(cell).join(',')).join('\n') + '\n';
}

/** A CLI command run in this process, on the store in `dataDir`, with a line on standard input. */
async function cli(args: string[], dataDir: string, stdin?: string): Promise<string> {
  let out = '';
  let err = '';
  const io: Io = {
    out: (t) => void (out += t),
    err: (t) => void (err += t),
    env: { TIENDO_DATA_DIR: dataDir, TIENDO_DEMO: '0' },
    stdin: { isTTY: stdin === undefined, readLine: async () => stdin ?? '' },
  };
  // `units import` reads TIENDO_DATA_DIR from the process environment, not from io.env
  const saved = process.env.TIENDO_DATA_DIR;
  process.env.TIENDO_DATA_DIR = dataDir;
  let code: number;
  try {
    code = await main(args, io);
  } finally {
    if (saved === undefined) delete process.env.TIENDO_DATA_DIR;
    else process.env.TIENDO_DATA_DIR = saved;
  }
  expect(code, `tiendo ${args.join(' ')}: ${err}`).to.equal(0);
  return out;
}

async function signIn(page: Page, url: string, login: string, password: string): Promise<void> {
  await page.goto(`${url}/#/login`);
  await page.getByTestId('login-name').fill(login);
  await page.getByTestId('login-password').fill(password);
  await page.getByTestId('login-submit').click();
  await page.getByTestId('user-name').waitFor();
}

/** The forced change after an initial password: only this page, then home. */
async function changeInitialPassword(page: Page, current: string, next: string, step: string): Promise<void> {
  await page.getByTestId('password-forced').waitFor();
  expect(await page.getByTestId('nav-units').count(), 'no navigation while the password must change').to.equal(0);
  await shot(page, SUITE, step);
  await page.getByTestId('pw-current').fill(current);
  await page.getByTestId('pw-new').fill(next);
  await page.getByTestId('pw-repeat').fill(next);
  await page.getByTestId('pw-submit').click();
  await page.getByTestId('password-form').waitFor({ state: 'detached' });
}

describe('browser: a province starts on its own units and people', function () {
  this.timeout(180_000);
  let app: App | undefined;
  let browser: Browser | undefined;
  let watched: Watched | undefined;
  let page: Page;
  let dir = '';
  const lines = province();
  let staff: { login: string; password: string; unitId: string; unitName: string } | undefined;

  before(async function () {
    browser = await launchBrowser(this);
    dir = mkdtempSync(join(tmpdir(), 'tiendo-province-'));
    // The IT officer's console, before the server starts: the Sở (a one-line unit file) and the first administrator.
    const soFile = join(dir, 'so.csv');
    writeFileSync(soFile, `Mã đơn vị,Tên đơn vị,Loại đơn vị,Mã đơn vị cấp trên\n${SO.id},${SO.name},Sở GDĐT,\n`);
    await cli(['units', 'import', soFile], dir);
    const created = await cli(['admin', 'create', '--login', ADMIN.login, '--name', ADMIN.name, '--unit', SO.id], dir, ADMIN.password);
    expect(created).to.include(ADMIN.login);
    app = await startApp({ port: 0, checkAnswers: true, sqliteFile: join(dir, 'tiendo.sqlite'), demo: false, bcryptCost: 4, log: () => {} });
    watched = await openPage(browser);
    page = watched.page;
  });
  after(async () => {
    await browser?.close();
    await app?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  afterEach(() => expect(watched?.problems ?? [], 'page errors or dialogs').to.deep.equal([]));

  it('the first administrator signs in and must change the initial password first', async () => {
    await signIn(page, app!.url!, ADMIN.login, ADMIN.password);
    await changeInitialPassword(page, ADMIN.password, NEW_ADMIN_PASSWORD, '01-admin-forced-password');
    await page.getByTestId('nav-units').click();
    await page.getByTestId('unit-roots').waitFor();
    expect(await page.getByTestId('unit-link').allTextContents()).to.deep.equal([SO.name]);
  });

  it('imports the province: the located error first, then the corrected file applies', async () => {
    await page.getByTestId('units-import').click();
    const wrong = lines.map((l) => ({ ...l }));
    const badIndex = wrong.findIndex((l) => l.code === 'thcs-07-05');
    wrong[badIndex]!.parent = BAD_PARENT;
    await page.getByTestId('import-file').setInputFiles({
      name: 'don-vi-long-hai.xlsx',
      mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      buffer: await xlsx(wrong),
    });
    const problem = page.getByTestId('import-problem').first();
    await problem.waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('import-problem').count()).to.equal(1);
    // the header is row 1: the unit at index i is on row i + 2
    expect(await problem.getAttribute('data-row')).to.equal(String(badIndex + 2));
    const cells = await problem.locator('td').allTextContents();
    expect(cells[1]).to.equal('Mã đơn vị cấp trên');
    expect(cells[2]).to.include(BAD_PARENT);
    expect(cells[2], 'in Vietnamese').to.match(/[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]/i);
    await shot(page, SUITE, '02-import-error');

    await page.getByTestId('import-file').setInputFiles({
      name: 'don-vi-long-hai-da-sua.xlsx',
      mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      buffer: await xlsx(lines),
    });
    await page.getByTestId('import-clean').waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('import-problems').count(), 'no stale problems').to.equal(0);
    expect(Number(await page.getByTestId('sum-added').getAttribute('data-n'))).to.equal(lines.length - 1);
    await shot(page, SUITE, '03-import-preview');
    await page.getByTestId('import-apply').click();
    await page.getByTestId('import-success').waitFor({ timeout: 30_000 });
    await shot(page, SUITE, '04-import-done');
    await page.getByTestId('import-go-units').click();
    await page.getByTestId('unit-roots').waitFor();
    await page.getByTestId('unit-link').first().click();
    await page.locator(`[data-testid="unit-card"][data-unit-id="${SO.id}"]`).waitFor();
    expect(await page.getByTestId('unit-row').count()).to.equal(12 + 32);
    await shot(page, SUITE, '05-units');
    // the export gives the province back as the list an office keeps
    const exported = page.waitForEvent('download');
    await page.getByTestId('units-export-csv').click();
    const csv = readFileSync((await (await exported).path())!, 'utf8');
    expect(csv.trim().split('\n').length - 1).to.equal(lines.length);
  });

  it('imports a revised list: a commune renamed and a school moved need a reason', async () => {
    await page.goto(`${app!.url}/#/units/import`);
    const revised = lines.map((l) => ({ ...l }));
    revised.find((l) => l.code === 'xa-12')!.name = 'UBND phường Tân Hoà';
    revised.find((l) => l.code === 'mn-11-01')!.parent = 'xa-12';
    await page.getByTestId('import-file').setInputFiles({ name: 'don-vi-dieu-chinh.csv', mimeType: 'text/csv', buffer: Buffer.from(csv(revised)) });
    await page.getByTestId('import-clean').waitFor({ timeout: 30_000 });
    expect(Number(await page.getByTestId('sum-renamed').getAttribute('data-n'))).to.equal(1);
    expect(Number(await page.getByTestId('sum-moved').getAttribute('data-n'))).to.equal(1);
    expect(await page.getByTestId('list-renamed').textContent()).to.include('UBND xã Tân Hoà 12 → UBND phường Tân Hoà');
    expect(await page.getByTestId('list-moved').textContent()).to.include('UBND xã Tân Hoà 11');
    await page.getByTestId('import-apply').click();
    await page.getByTestId('import-need-reason').waitFor();
    await shot(page, SUITE, '05b-import-needs-reason');
    await page.getByTestId('import-reason').fill('Nghị quyết sắp xếp đơn vị hành chính cấp xã');
    await page.getByTestId('import-apply').click();
    await page.getByTestId('import-success').waitFor();
  });

  it('creates the school accounts in bulk and reads the initial passwords file', async () => {
    await page.getByTestId('nav-users').click();
    await page.getByTestId('users-bulk').click();
    await page.getByTestId('bulk-unit').click();
    const picker = page.getByTestId('unit-picker');
    await picker.locator(`[data-testid="picker-item"][data-unit-id="${SO.id}"] [data-testid="picker-choose"]`).click();
    await page.getByTestId('bulk-count').waitFor({ timeout: 30_000 });
    const schools = lines.filter((l) => !['Sở GDĐT', 'Phòng GDĐT', 'UBND xã'].includes(l.kind)).length;
    expect(Number(await page.getByTestId('bulk-count').getAttribute('data-n'))).to.equal(schools);
    await shot(page, SUITE, '06-bulk-preview');
    const download = page.waitForEvent('download', { timeout: 60_000 });
    await page.getByTestId('bulk-create').click();
    const file = await download;
    const saved = join(RESULTS, SUITE, 'tai-khoan-ban-dau.xlsx');
    mkdirSync(join(RESULTS, SUITE), { recursive: true });
    await file.saveAs(saved);
    await page.getByTestId('bulk-done').waitFor();
    await shot(page, SUITE, '07-bulk-done');
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(readFileSync(saved) as unknown as ArrayBuffer);
    const sheet = book.worksheets[0]!;
    const header = (sheet.getRow(1).values as unknown[]).map(String);
    const col = (title: string) => header.indexOf(title);
    expect(sheet.rowCount - 1).to.equal(schools);
    for (let r = 2; r <= sheet.rowCount; r++) {
      const row = sheet.getRow(r);
      if (String(row.getCell(col('Mã đơn vị')).value) !== 'thcs-05-03') continue;
      staff = {
        login: String(row.getCell(col('Tên đăng nhập')).value),
        password: String(row.getCell(col('Mật khẩu ban đầu')).value),
        unitId: 'thcs-05-03',
        unitName: String(row.getCell(col('Đơn vị')).value),
      };
    }
    expect(staff, 'the THCS school has its row').to.not.equal(undefined);
    expect(staff!.password.length).to.be.at.least(10);
    // the list counts them
    await page.getByTestId('nav-users').click();
    await page.getByTestId('users-count').waitFor();
    expect(await page.getByTestId('users-count').textContent()).to.equal(`Hiển thị 1–50 trên tổng số ${schools + 1}`);
    await shot(page, SUITE, '08-users');
    await page.getByTestId('users-next').click();
    await page.getByTestId('users-count').filter({ hasText: '51–100' }).waitFor();
    // typed without diacritics, as people do
    await page.getByTestId('users-q').fill('truong thcs tan hoa 5 so 3');
    await page.getByTestId('users-search').click();
    await page.getByTestId('users-count').filter({ hasText: 'trên tổng số 1' }).waitFor();
    expect(await page.getByTestId('user-row').getAttribute('data-login')).to.equal(staff!.login);
  });

  it('launches a campaign for the THCS schools', async () => {
    await page.getByTestId('nav-campaigns').click();
    await page.getByTestId('campaign-form').waitFor();
    await page.getByTestId('campaign-process').selectOption('public-disclosure');
    await page.getByTestId('campaign-root').selectOption(SO.id);
    await page.getByTestId('campaign-kind-lower-secondary').check();
    // The launch is previewed first (units already running the process are named), then confirmed.
    await page.getByTestId('campaign-preview-button').click();
    await page.getByTestId('campaign-launch').click();
    await page.locator('[data-testid="campaign-row"][data-status="done"]').waitFor({ timeout: 60_000 });
    await shot(page, SUITE, '09-campaign');
    await page.getByTestId('logout').click();
    await page.getByTestId('login-form').waitFor();
  });

  it("one school's staff signs in with the initial password, changes it, and sees the school's tasks", async () => {
    await signIn(page, app!.url!, staff!.login, staff!.password);
    await changeInitialPassword(page, staff!.password, STAFF_NEW_PASSWORD, '10-staff-forced-password');
    await page.getByTestId('tasks-table').waitFor();
    const units = await page.getByTestId('task-row').allTextContents();
    expect(units.length).to.be.greaterThan(0);
    expect(units.join(' ')).to.include(staff!.unitName);
    await shot(page, SUITE, '11-staff-tasks');
  });
});
