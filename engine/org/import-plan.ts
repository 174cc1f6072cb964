// From the rows of an office's unit list to the org commands that make the store look like it
// (org-commands.ts), or every problem of the file at once: an office fixes its spreadsheet in one go
// rather than one error per upload. The file is the truth for the subtrees it covers: a unit of the
// store below a unit it lists, that it does not list itself, is closed (giải thể). Pure.
import type { OrgUnitKind } from '../definition/types.generated.ts';
import type { OrgUnit } from '../domain.ts';
import type { OrgOperation } from '../application/org-commands.ts';
// The tree's rules are the engine's (Organisation.reshape checks them again): one place says what sits under what.
import { isUnitId, parentKindsOf, SCHOOL_KINDS } from '../service/org.ts';
import { kindTitle, unknownKindMessage, unknownLevelMessage, type ColumnRef, type Problem, type UnitField, type UnitRow } from './unit-file.ts';

export interface ImportPlan {
  operations: OrgOperation[];
  problems: Problem[];
}

/** Enough to catch a phone number or a name in the email column; the mail server judges the rest. */
const EMAIL = /^[^\s@,;]+@[^\s@,;]+\.[^\s@,;]+$/;

/** Where a row goes: the top of the tree, under another row of the file, or under a unit of the store. */
type Parent = { kind: 'top' } | { kind: 'row'; row: UnitRow } | { kind: 'store'; unit: OrgUnit };

/** A parent code that is neither in the file nor an open unit of the store (nor, for the importer,
 * one of their units: application/unit-import.ts says the same then). */
export function unknownParentMessage(code: string, closed: boolean): { vi: string; en: string } {
  return closed
    ? { vi: `đơn vị cấp trên "${code}" đã giải thể hoặc sáp nhập`, en: `parent unit "${code}" is closed or merged` }
    : { vi: `không có đơn vị "${code}" trong tệp hay trong hệ thống (mã đơn vị cấp trên)`, en: `no unit "${code}" in the file or the store (parent code)` };
}

export function planImport(rows: readonly UnitRow[], existing: ReadonlyMap<string, OrgUnit>, file: string): ImportPlan {
  const problems: Problem[] = [];
  const problem = (r: UnitRow, field: UnitField, code: string, vi: string, en: string, params: Record<string, unknown> = {}) => {
    const col: ColumnRef = r.columns[field] ?? { index: 1, header: field };
    problems.push({ file, row: r.row, column: col.index, header: col.header, code, message: { vi, en }, params });
  };

  // The rows each code stands for: the first row of a code is the unit, later ones are refused.
  const byCode = new Map<string, UnitRow>();
  const valid: UnitRow[] = [];
  const isValid = new Set<UnitRow>();
  for (const r of rows) {
    let ok = true;
    if (!r.code) {
      problem(r, 'code', 'EMPTY_CODE', 'thiếu mã đơn vị', 'no unit code');
      ok = false;
    } else if (!isUnitId(r.code)) {
      problem(
        r,
        'code',
        'BAD_CODE',
        `"${r.code}" không dùng được làm mã đơn vị: chỉ chữ cái không dấu, chữ số, _ và -, tối đa 64 ký tự`,
        `"${r.code}" cannot be a unit code: letters without diacritics, digits, _ and -, at most 64`,
        { value: r.code, rule: '^[A-Za-z0-9_-]{1,64}$' },
      );
      ok = false;
    } else if (byCode.has(r.code)) {
      const first = byCode.get(r.code)!.row;
      problem(r, 'code', 'DUPLICATE_CODE', `mã "${r.code}" đã có ở dòng ${first}`, `code "${r.code}" is already on row ${first}`, {
        value: r.code,
        firstRow: first,
      });
      ok = false;
    } else if (existing.get(r.code)?.closedAt !== undefined) {
      problem(
        r,
        'code',
        'CLOSED_CODE',
        `đơn vị "${r.code}" đã giải thể hoặc sáp nhập; không dùng lại mã của đơn vị đã đóng`,
        `unit "${r.code}" is closed or merged; a closed unit's code is not reused`,
        { value: r.code },
      );
      ok = false;
    }
    if (!r.name) {
      problem(r, 'name', 'EMPTY_NAME', 'thiếu tên đơn vị', 'no unit name');
      ok = false;
    }
    if (!r.kind) {
      const m = unknownKindMessage(r.kindText);
      problem(r, 'kind', 'UNKNOWN_KIND', m.vi, m.en, m.params);
      ok = false;
    }
    for (const level of r.unknownLevels ?? []) {
      const m = unknownLevelMessage(level);
      problem(r, 'levels', 'UNKNOWN_LEVEL', m.vi, m.en, m.params);
    }
    if (r.email && !EMAIL.test(r.email))
      problem(r, 'email', 'BAD_EMAIL', `"${r.email}" không phải địa chỉ email`, `"${r.email}" is not an email address`, { value: r.email });
    if (r.code && !byCode.has(r.code)) byCode.set(r.code, r);
    if (ok) (valid.push(r), isValid.add(r));
  }

  // Each row's parent: a row of the file, a unit of the store that is open, or the top of the tree.
  const parents = new Map<UnitRow, Parent>();
  // Every row's parent code is checked, even a row refused for its code or name: all problems at once.
  for (const r of rows) {
    const usable = isValid.has(r);
    if (!r.parentCode) {
      if (!usable) continue;
      const stored = existing.get(r.code);
      if (stored?.parentId) {
        problem(
          r,
          'parent',
          'PARENT_REQUIRED',
          `đơn vị "${r.code}" đang thuộc "${stored.parentId}"; ghi mã đơn vị cấp trên (không đưa đơn vị lên gốc cây)`,
          `unit "${r.code}" is under "${stored.parentId}"; give its parent code (a unit is not moved to the top of the tree)`,
          { value: r.code, parentId: stored.parentId },
        );
        continue;
      }
      parents.set(r, { kind: 'top' });
      continue;
    }
    const inFile = byCode.get(r.parentCode);
    if (inFile) {
      // A parent row refused for its own problem has been reported there: one report is enough.
      if (usable && isValid.has(inFile)) parents.set(r, { kind: 'row', row: inFile });
      continue;
    }
    const stored = existing.get(r.parentCode);
    if (stored && stored.closedAt === undefined) {
      if (usable) parents.set(r, { kind: 'store', unit: stored });
      continue;
    }
    const message = unknownParentMessage(r.parentCode, !!stored);
    problem(r, 'parent', 'UNKNOWN_PARENT', message.vi, message.en, { value: r.parentCode, closed: !!stored });
  }

  // Cycles in the tree the file makes: among its rows, or through units of the store it does not
  // list (a Sở put under one of its own schools). Each reported once, at its first row, naming the chain.
  const listed = new Map(valid.map((r) => [r.code, r]));
  const nextOf = (id: string): string | undefined => {
    const r = listed.get(id);
    if (!r) return existing.get(id)?.parentId;
    const p = parents.get(r);
    return p?.kind === 'row' ? p.row.code : p?.kind === 'store' ? p.unit.id : undefined;
  };
  const inCycle = new Set<UnitRow>();
  const state = new Map<string, 'walking' | 'done'>();
  for (const start of valid) {
    const trail: string[] = [];
    let id: string | undefined = start.code;
    while (id !== undefined && !state.has(id)) {
      state.set(id, 'walking');
      trail.push(id);
      id = nextOf(id);
    }
    if (id !== undefined && state.get(id) === 'walking') {
      const cycle = trail.slice(trail.indexOf(id));
      const rowsIn = cycle.map((c) => listed.get(c)).filter((r): r is UnitRow => !!r);
      rowsIn.forEach((r) => inCycle.add(r));
      const first = rowsIn.reduce((x, y) => (y.row < x.row ? y : x));
      const at = cycle.indexOf(first.code);
      const chain = [...cycle.slice(at), ...cycle.slice(0, at), first.code];
      problem(first, 'parent', 'CYCLE', `vòng lặp cấp trên: ${chain.join(' → ')}`, `parents form a cycle: ${chain.join(' → ')}`, {
        chain,
        rows: rowsIn.map((r) => r.row),
      });
    }
    for (const t of trail) state.set(t, 'done');
  }

  // A parent of the store that the file leaves out of a subtree it covers is closed by this import:
  // nothing new goes under it.
  const codes = new Set(listed.keys());
  for (const r of valid) {
    const p = parents.get(r);
    if (p?.kind !== 'store' || inCycle.has(r) || !closedByFile(p.unit, codes)) continue;
    problem(
      r,
      'parent',
      'UNKNOWN_PARENT',
      `đơn vị cấp trên "${p.unit.id}" không có trong tệp nên sẽ bị giải thể: thêm dòng của "${p.unit.id}" vào tệp, hoặc ghi cấp trên khác`,
      `parent unit "${p.unit.id}" is left out of the file, so it would be closed: add its row, or give another parent`,
      { value: p.unit.id, closedByFile: true },
    );
  }

  // What may sit under what: a school under a school is the mistake offices make most.
  for (const r of valid) {
    const p = parents.get(r);
    const kind = r.kind!;
    if (!p || inCycle.has(r)) continue;
    const parentKind = p.kind === 'top' ? null : p.kind === 'row' ? p.row.kind : p.unit.kind;
    if (parentKindsOf(kind).includes(parentKind ?? 'none')) continue;
    const parentCode = p.kind === 'top' ? '' : p.kind === 'row' ? p.row.code : p.unit.id;
    if (parentKind && SCHOOL_KINDS.includes(kind) && SCHOOL_KINDS.includes(parentKind)) {
      problem(
        r,
        'parent',
        'SCHOOL_UNDER_SCHOOL',
        `trường "${r.code}" (${kindTitle(kind)}) không thể trực thuộc trường "${parentCode}" (${kindTitle(parentKind)})`,
        `school "${r.code}" (${kind}) cannot be under school "${parentCode}" (${parentKind})`,
        { kind, parent: parentCode, parentKind },
      );
      continue;
    }
    const allowed = parentKindsOf(kind).map((k) => (k === 'none' ? 'top' : k));
    const allowedVi = parentKindsOf(kind)
      .map((k) => (k === 'none' ? 'gốc cây' : kindTitle(k)))
      .join(', ');
    problem(
      r,
      'parent',
      'BAD_PARENT_KIND',
      parentKind
        ? `${kindTitle(kind)} "${r.code}" không thể trực thuộc ${kindTitle(parentKind)} "${parentCode}"; cấp trên được phép: ${allowedVi}`
        : `${kindTitle(kind)} "${r.code}" cần đơn vị cấp trên; cấp trên được phép: ${allowedVi}`,
      parentKind
        ? `a ${kind} ("${r.code}") cannot be under a ${parentKind} ("${parentCode}"); it may be under: ${allowed.join(', ')}`
        : `a ${kind} ("${r.code}") needs a parent unit; it may be under: ${allowed.join(', ')}`,
      { kind, parent: parentCode || null, parentKind, allowed },
    );
  }

  problems.sort((a, b) => a.row - b.row || a.column - b.column);
  if (problems.length) return { operations: [], problems };
  return { operations: diff(valid, parents, existing), problems };
}

function diff(rows: readonly UnitRow[], parents: ReadonlyMap<UnitRow, Parent>, existing: ReadonlyMap<string, OrgUnit>): OrgOperation[] {
  const parentCode = (r: UnitRow) => {
    const p = parents.get(r)!;
    return p.kind === 'top' ? undefined : p.kind === 'row' ? p.row.code : p.unit.id;
  };
  // Depth within the file, so an add comes after its parent's whatever order the rows came in.
  const depth = new Map<UnitRow, number>();
  const depthOf = (r: UnitRow): number => {
    let d = depth.get(r);
    if (d !== undefined) return d;
    const p = parents.get(r)!;
    d = p.kind === 'row' ? depthOf(p.row) + 1 : 0;
    depth.set(r, d);
    return d;
  };
  const adds: OrgOperation[] = [];
  const updates: OrgOperation[] = [];
  const moves: OrgOperation[] = [];
  const byDepth = [...rows].sort((a, b) => depthOf(a) - depthOf(b) || a.row - b.row);
  for (const r of byDepth) {
    const source = (field: UnitField) => ({ row: r.row, column: r.columns[field]?.header ?? field });
    const parentId = parentCode(r);
    const stored = existing.get(r.code);
    if (!stored) {
      adds.push({
        op: 'add',
        id: r.code,
        ...(parentId ? { parentId } : {}),
        kind: r.kind!,
        name: r.name,
        ...(r.levels?.length ? { levels: r.levels } : {}),
        ...(r.email ? { email: r.email } : {}),
        ...(r.phone ? { phone: r.phone } : {}),
        source: source('code'),
      });
      continue;
    }
    const changes: { name?: string; kind?: OrgUnitKind; levels?: string[] | null; email?: string | null; phone?: string | null } = {};
    let first: UnitField | undefined;
    const changed = (field: UnitField) => (first ??= field);
    if (stored.name !== r.name) ((changes.name = r.name), changed('name'));
    if (stored.kind !== r.kind) ((changes.kind = r.kind!), changed('kind'));
    // A column the file does not have leaves the stored value alone; an empty cell clears it.
    if (r.levels && !sameLevels(stored.levels, r.levels)) ((changes.levels = r.levels.length ? r.levels : null), changed('levels'));
    if (r.email !== undefined && (stored.email ?? '') !== r.email) ((changes.email = r.email || null), changed('email'));
    if (r.phone !== undefined && (stored.phone ?? '') !== r.phone) ((changes.phone = r.phone || null), changed('phone'));
    if (first) updates.push({ op: 'update', id: r.code, ...changes, source: source(first) });
    if (parentId && stored.parentId !== parentId) moves.push({ op: 'move', id: r.code, parentId, source: source('parent') });
  }
  return [...adds, ...updates, ...moves, ...closes(rows, existing)];
}

/** Open units of the store that the file covers but leaves out, deepest first. */
function closes(rows: readonly UnitRow[], existing: ReadonlyMap<string, OrgUnit>): OrgOperation[] {
  const listed = new Set(rows.map((r) => r.code));
  const gone: OrgUnit[] = [];
  for (const u of existing.values()) if (u.closedAt === undefined && !listed.has(u.id) && closedByFile(u, listed)) gone.push(u);
  gone.sort((a, b) => b.depth - a.depth || a.id.localeCompare(b.id));
  return gone.map((u) => ({ op: 'close', id: u.id }));
}

/** Whether the file covers a unit of the store it does not list: the file is the whole truth below
 * each unit it lists (its top units' subtrees, and a unit it moves in brings its subtree along), and
 * a unit's path names every ancestor. */
function closedByFile(u: OrgUnit, listed: ReadonlySet<string>): boolean {
  return u.path.split('/').some((id) => id && id !== u.id && listed.has(id));
}

function sameLevels(a: readonly string[] | undefined, b: readonly string[]): boolean {
  const x = a ?? [];
  return x.length === b.length && x.every((l) => b.includes(l));
}
