// `tiendo units import FILE` and `tiendo units export FILE`: the org tree from and to the unit list an
// office keeps in Excel. Import prints every problem of the file as FILE:ROW:COLUMN and writes
// nothing, or says what it adds, renames, moves and closes, then has Organisation.reshape check the
// list against the running work and apply it in one transaction (unless --dry-run).
// Exit 0 done (or would be), 1 the file or the store refused, 2 usage.
import { mkdirSync, writeFileSync } from 'node:fs';
import { FileTooLargeError, readBounded } from '../files/bounded.ts';
import { join, relative, resolve } from 'node:path';
import type { ReshapeReport } from '../../engine/application/org-commands.ts';
import { systemPrincipal } from '../../engine/application/policy.ts';
import { formatProblem, type Lang, type Problem } from '../../engine/org/unit-file.ts';
import { readUnitFile, writeUnitSheet, type SheetFormat } from '../files/unit-sheet.ts';
import { openRuntime, type Runtime } from '../runtime.ts';
import { lockSqliteFile, StoreInUseError } from '../store/sqlite-lock.ts';
import type { Io } from './main.ts';
import { UsageError } from './main.ts';
import { summaryText } from '../../engine/org/import-summary.ts';
import { Application } from '../../engine/application/application.ts';
import { KnexAudit } from '../store/audit-store.ts';
import { parseCommandArgs } from './validate.ts';

/** A country's 45,000 units are about 4 MB of XLSX; the API takes 20 MB, and so does the CLI. */
const MAX_UNIT_FILE = 20 * 1_048_576;

export async function unitsCommand(args: string[], io: Io): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === 'import') return unitsImport(rest, io);
  if (sub === 'export') return unitsExport(rest, io);
  throw new UsageError(sub ? `unknown units command "${sub}"; give import or export` : 'give import or export');
}

/** The CLI changes the tree as the system, like the loaders: whoever runs it holds the server's files. */
const SYSTEM = systemPrincipal('cli', 'Dòng lệnh');

async function unitsImport(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, {
    'dry-run': { type: 'boolean' },
    reason: { type: 'string' },
    lang: { type: 'string' },
    json: { type: 'boolean' },
  });
  if (positionals.length !== 1) throw new UsageError('give one unit file (.csv or .xlsx)');
  const lang = langOf(values.lang);
  const path = positionals[0]!;
  // Relative to where it runs, as editors jump to it; a file elsewhere keeps the path as given.
  const near = relative(process.cwd(), resolve(path));
  const display = near && !near.startsWith('..') ? near : path;
  const fail = (problems: Problem[]) => {
    if (values.json) io.out(JSON.stringify({ ok: false, applied: false, problems }, null, 2) + '\n');
    else {
      for (const p of problems) io.err(formatProblem(p, lang) + '\n');
      io.err(lang === 'vi' ? `${display}: ${problems.length} lỗi, không ghi gì\n` : `${display}: ${problems.length} error(s), nothing written\n`);
    }
    return 1;
  };
  let bytes: Buffer;
  try {
    bytes = readBounded(path, MAX_UNIT_FILE);
  } catch (e) {
    if (e instanceof FileTooLargeError)
      return fail([
        fileProblem(display, 'FILE_TOO_LARGE', `tệp lớn hơn ${MAX_UNIT_FILE / 1_048_576} MB`, `the file is larger than ${MAX_UNIT_FILE / 1_048_576} MB`),
      ]);
    return fail([fileProblem(display, 'FILE_NOT_FOUND', `không đọc được tệp: ${codeOf(e)}`, `cannot read the file: ${codeOf(e)}`)]);
  }
  const read = await readUnitFile(bytes, display);
  if (read.problems.length) return fail(read.problems);

  const store = await openStore(`tiendo units import ${display}`, io, lang);
  if (!store) return 1;
  try {
    const dryRun = !!values['dry-run'];
    const reason = values.reason?.trim();
    const app = new Application({ engine: store.runtime.engine, audit: new KnexAudit(store.runtime.db) });
    const done = await app.importUnits(SYSTEM, read, { file: display, dryRun, ...(reason ? { reason } : {}) });
    // On the command line, the reason is an option: say which.
    const hint = (p: Problem): Problem =>
      p.code === 'REASON_REQUIRED' ? { ...p, message: { vi: `${p.message.vi}: ghi --reason "…"`, en: `${p.message.en}: give --reason "…"` } } : p;
    if (done.problems.length) return fail(done.problems.map(hint));
    const { summary, report } = done;
    if (values.json) {
      io.out(JSON.stringify({ ok: true, dryRun, file: display, rows: done.rows, operations: done.operations, summary, report }, null, 2) + '\n');
    } else {
      io.out(summaryText(summary, { file: display, rows: done.rows, dryRun, lang }));
      if (report) io.out(touchesText(report.touches, dryRun, lang));
      if (done.needsReason)
        io.out(
          lang === 'vi'
            ? 'Khi thực hiện cần ghi lý do: --reason "…" (ví dụ số quyết định).\n'
            : 'Applying it needs a reason: --reason "…" (the decision\'s number, say).\n',
        );
    }
    return 0;
  } finally {
    await store.close();
  }
}

async function unitsExport(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, { root: { type: 'string' }, lang: { type: 'string' } });
  if (positionals.length !== 1) throw new UsageError('give the file to write (.csv or .xlsx)');
  const lang = langOf(values.lang);
  const path = positionals[0]!;
  const format: SheetFormat = /\.xlsx$/i.test(path) ? 'xlsx' : 'csv';
  const store = await openStore(`tiendo units export ${path}`, io, lang);
  if (!store) return 1;
  try {
    let units = [...(await store.runtime.store.allUnits()).values()];
    if (values.root) {
      const root = units.find((u) => u.id === values.root);
      if (!root) {
        io.err(lang === 'vi' ? `tiendo units export: không có đơn vị "${values.root}"\n` : `tiendo units export: no unit "${values.root}"\n`);
        return 1;
      }
      units = units.filter((u) => u.path.startsWith(root.path));
    }
    // --lang en writes English headers and the kind ids, for scripts; offices get the Vietnamese.
    const bytes = await writeUnitSheet(units, format, lang);
    writeFileSync(path, bytes);
    const open = units.filter((u) => u.closedAt === undefined).length;
    io.out(lang === 'vi' ? `${path}: ${open} đơn vị\n` : `${path}: ${open} units\n`);
    return 0;
  } finally {
    await store.close();
  }
}

function langOf(value: string | undefined): Lang {
  if (value === undefined || value === 'vi') return 'vi';
  if (value === 'en') return 'en';
  throw new UsageError(`--lang is vi or en, not "${value}"`);
}

function codeOf(e: unknown): string {
  return (e as NodeJS.ErrnoException).code ?? (e as Error).message;
}

function fileProblem(file: string, code: string, vi: string, en: string): Problem {
  return { file, row: 1, column: 1, header: '', code, message: { vi, en }, params: {} };
}

// ── the store ───────────────────────────────────────────────────────────────────────────────────

/** The store the server uses, from the same environment (DATABASE_URL, or TIENDO_DATA_DIR's SQLite
 * file). SQLite takes one process: while a server holds the file, say so instead of waiting on it. */
async function openStore(command: string, io: Io, lang: Lang): Promise<{ runtime: Runtime; close: () => Promise<void> } | undefined> {
  const env = process.env;
  let sqliteFile: string | undefined;
  let unlock: (() => void) | undefined;
  if (!env.DATABASE_URL) {
    const dir = env.TIENDO_DATA_DIR || './data';
    mkdirSync(dir, { recursive: true });
    sqliteFile = join(dir, 'tiendo.sqlite');
    try {
      unlock = lockSqliteFile(sqliteFile, command);
    } catch (e) {
      if (!(e instanceof StoreInUseError)) throw e;
      io.err(
        lang === 'vi'
          ? `${sqliteFile} đang được một tiến trình Tiến độ khác dùng (máy chủ đang chạy). SQLite chỉ cho một tiến trình: ` +
              `nhập tệp ở trang Nhập đơn vị của giao diện web, hoặc dừng máy chủ rồi chạy lại lệnh này.\n${e.message}\n`
          : `${sqliteFile} is held by another Tiến độ process (a running server). SQLite takes one process: ` +
              `import the file on the web UI's unit import page, or stop the server and run this command again.\n${e.message}\n`,
      );
      return undefined;
    }
  }
  try {
    const runtime = await openRuntime({
      ...(env.DATABASE_URL ? { databaseUrl: env.DATABASE_URL } : { sqliteFile: sqliteFile! }),
      ...(env.TIENDO_PG_SCHEMA ? { pgSchema: env.TIENDO_PG_SCHEMA } : {}),
    });
    return { runtime, close: () => runtime.close().finally(() => unlock?.()) };
  } catch (e) {
    unlock?.();
    throw e;
  }
}

/** The running work the reshape touches: it keeps running, under the new tree. */
function touchesText(t: ReshapeReport['touches'], dryRun: boolean, lang: Lang): string {
  if (!t.runningInstances && !t.openTasks && !t.pendingEscalations && !t.grants) return '';
  return lang === 'vi'
    ? `${dryRun ? 'Sẽ ảnh hưởng' : 'Đã chuyển theo'}: ${t.runningInstances} hồ sơ đang chạy, ${t.openTasks} việc đang mở, ${t.pendingEscalations} cảnh báo, ${t.grants} phân quyền\n`
    : `${dryRun ? 'Touches' : 'Carried along'}: ${t.runningInstances} running instances, ${t.openTasks} open tasks, ${t.pendingEscalations} pending escalations, ${t.grants} grants\n`;
}
