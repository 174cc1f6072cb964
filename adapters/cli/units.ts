// `tiendo units import FILE` and `tiendo units export FILE`: the org tree from and to the unit list an
// office keeps in Excel. Import prints every problem of the file as FILE:ROW:COLUMN and writes
// nothing, or says what it adds, renames, moves and closes, then does it (unless --dry-run).
// Exit 0 done (or would be), 1 the file or the store refused, 2 usage.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import type { Knex } from 'knex';
import type { OrgOperation } from '../../engine/application/org-commands.ts';
import { systemPrincipal, type Principal } from '../../engine/application/policy.ts';
import type { OrgUnit } from '../../engine/domain.ts';
import { planImport } from '../../engine/org/import-plan.ts';
import { formatProblem, type Lang, type Problem } from '../../engine/org/unit-file.ts';
import { readUnitFile, writeUnitSheet, type SheetFormat } from '../files/unit-sheet.ts';
import { migrate, openDb, underStartupLock } from '../store/db.ts';
import { KnexStore } from '../store/knex-store.ts';
import { lockSqliteFile, StoreInUseError } from '../store/sqlite-lock.ts';
import type { Io } from './main.ts';
import { UsageError } from './main.ts';
import { summarise, summaryText } from './units-summary.ts';
import { parseCommandArgs } from './validate.ts';

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
    bytes = readFileSync(path);
  } catch (e) {
    return fail([fileProblem(display, 'FILE_NOT_FOUND', `không đọc được tệp: ${codeOf(e)}`, `cannot read the file: ${codeOf(e)}`)]);
  }
  const read = await readUnitFile(bytes, display);
  if (read.problems.length) return fail(read.problems);

  const store = await openStore(`tiendo units import ${display}`, io, lang);
  if (!store) return 1;
  try {
    const existing = await loadUnits(store.store);
    const plan = planImport(read.rows, existing, display);
    if (plan.problems.length) return fail(plan.problems);
    const summary = summarise(plan.operations, existing, read.rows);
    const dryRun = !!values['dry-run'];
    const needsReason = summary.moved.length + summary.closed.length > 0;
    if (needsReason && !dryRun && !values.reason?.trim()) {
      io.err(
        lang === 'vi'
          ? `${display}:1:1: error REASON_REQUIRED tệp này chuyển hoặc giải thể đơn vị: ghi lý do bằng --reason "…" (ví dụ số quyết định)\n`
          : `${display}:1:1: error REASON_REQUIRED this file moves or closes units: say why with --reason "…" (the decision's number, say)\n`,
      );
      return 1;
    }
    const applied = dryRun ? undefined : await applyTemporarily(store.store, SYSTEM, plan.operations, existing);
    if (values.json) {
      io.out(JSON.stringify({ ok: true, dryRun, file: display, rows: read.rows.length, operations: plan.operations, summary, applied }, null, 2) + '\n');
    } else {
      io.out(summaryText(summary, { file: display, rows: read.rows.length, dryRun, lang }));
      if (applied?.notApplied) io.err(notAppliedText(applied.notApplied, lang));
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
    let units = [...(await loadUnits(store.store)).values()];
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
async function openStore(command: string, io: Io, lang: Lang): Promise<{ store: KnexStore; db: Knex; close: () => Promise<void> } | undefined> {
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
    const { db } = openDb({
      ...(env.DATABASE_URL ? { databaseUrl: env.DATABASE_URL } : { sqliteFile: sqliteFile! }),
      ...(env.TIENDO_PG_SCHEMA ? { schema: env.TIENDO_PG_SCHEMA } : {}),
    });
    await underStartupLock(db, () => migrate(db));
    return { store: new KnexStore(db), db, close: () => db.destroy().finally(() => unlock?.()) };
  } catch (e) {
    unlock?.();
    throw e;
  }
}

/** Every unit of the store, closed ones too (a closed code is not reused), by id. */
export async function loadUnits(store: KnexStore): Promise<Map<string, OrgUnit>> {
  const all = new Map<string, OrgUnit>();
  for (let afterId: string | undefined; ;) {
    const page = await store.unitsUnder('/', { limit: 5_000, ...(afterId ? { afterId } : {}) });
    for (const u of page) all.set(u.id, u);
    if (page.length < 5_000) return all;
    afterId = page[page.length - 1]!.id;
  }
}

// ── applying ────────────────────────────────────────────────────────────────────────────────────

interface Applied {
  added: number;
  updated: number;
  /** Operations left for Organisation.reshape: moves, merges and closes. */
  notApplied?: { move: number; merge: number; close: number };
}

// TEMPORARY until organisation.reshape lands: applies adds and updates only, straight to the store,
// as the system principal would (`SYSTEM`, for the audit the real one writes). Moves, merges and
// closes touch running work and are left for Organisation.reshape, reported as not applied yet.
// Replace with `organisation.reshape(principal, operations, { reason, dryRun, file })`, which takes
// the same principal and reports what it did (ReshapeReport).
async function applyTemporarily(
  store: KnexStore,
  principal: Principal,
  operations: readonly OrgOperation[],
  existing: ReadonlyMap<string, OrgUnit>,
): Promise<Applied> {
  const now = Date.now();
  const placed = new Map<string, OrgUnit>();
  const get = (id: string) => placed.get(id) ?? existing.get(id);
  let added = 0;
  let updated = 0;
  const left = { move: 0, merge: 0, close: 0 };
  for (const op of operations) {
    if (op.op === 'add') {
      const parent = op.parentId ? get(op.parentId) : undefined;
      placed.set(op.id, {
        id: op.id,
        ...(op.parentId ? { parentId: op.parentId } : {}),
        kind: op.kind,
        name: op.name,
        path: `${parent?.path ?? '/'}${op.id}/`,
        depth: parent ? parent.depth + 1 : 0,
        ...(op.levels?.length ? { levels: op.levels } : {}),
        ...(op.email ? { email: op.email } : {}),
        ...(op.phone ? { phone: op.phone } : {}),
        createdAt: now,
      });
      added++;
    } else if (op.op === 'update') {
      const unit: OrgUnit = { ...get(op.id)! };
      if (op.name !== undefined) unit.name = op.name;
      if (op.kind !== undefined) unit.kind = op.kind;
      for (const field of ['levels', 'email', 'phone'] as const) {
        if (op[field] === undefined) continue;
        if (op[field] === null) delete unit[field];
        else (unit as unknown as Record<string, unknown>)[field] = op[field];
      }
      placed.set(op.id, unit);
      updated++;
    } else left[op.op]++;
  }
  if (placed.size) await store.putUnits([...placed.values()]);
  return { added, updated, ...(left.move + left.merge + left.close ? { notApplied: left } : {}) };
}

function notAppliedText(left: { move: number; merge: number; close: number }, lang: Lang): string {
  return lang === 'vi'
    ? `chưa thực hiện: ${left.move} chuyển, ${left.close} giải thể (chờ Organisation.reshape); các thêm và sửa ở trên đã ghi\n`
    : `not applied yet: ${left.move} moves, ${left.close} closes (waiting for Organisation.reshape); the adds and updates above are written\n`;
}
