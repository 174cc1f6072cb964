// What an import does, as the person who runs it checks it before saying yes: how many units are
// added, renamed, moved and closed, and which (the first few of each: a province is 45,000 rows).
import type { OrgOperation } from '../application/org-commands.ts';
import type { OrgUnit } from '../domain.ts';
import type { OrgUnitKind } from '../definition/types.generated.ts';
import { kindTitle, type Lang, type UnitRow } from './unit-file.ts';

/** The fields an update changes, as the file's Vietnamese headers name them. */
const FIELD_VI: Record<string, string> = { kind: 'loại đơn vị', levels: 'cấp học', email: 'email', phone: 'điện thoại' };

export interface ImportSummary {
  added: { id: string; name: string; kind: string; parentId?: string }[];
  /** Updates that change the name (đổi tên). */
  renamed: { id: string; from: string; to: string }[];
  /** Updates of other fields (kind, levels, email, phone), with or without a rename. */
  updated: { id: string; fields: string[] }[];
  moved: { id: string; name: string; from?: string; to: string }[];
  closed: { id: string; name: string }[];
}

export function summarise(operations: readonly OrgOperation[], existing: ReadonlyMap<string, OrgUnit>, rows: readonly UnitRow[]): ImportSummary {
  const names = new Map(rows.map((r) => [r.code, r.name]));
  const s: ImportSummary = { added: [], renamed: [], updated: [], moved: [], closed: [] };
  for (const op of operations) {
    const stored = existing.get(op.id);
    if (op.op === 'add') s.added.push({ id: op.id, name: op.name, kind: op.kind, ...(op.parentId ? { parentId: op.parentId } : {}) });
    else if (op.op === 'update') {
      if (op.name !== undefined) s.renamed.push({ id: op.id, from: stored?.name ?? '', to: op.name });
      const fields = (['kind', 'levels', 'email', 'phone'] as const).filter((f) => op[f] !== undefined);
      if (fields.length) s.updated.push({ id: op.id, fields });
    } else if (op.op === 'move')
      s.moved.push({ id: op.id, name: names.get(op.id) ?? stored?.name ?? '', ...(stored?.parentId ? { from: stored.parentId } : {}), to: op.parentId });
    else if (op.op === 'close') s.closed.push({ id: op.id, name: stored?.name ?? '' });
  }
  return s;
}

const SHOWN = 20;

export function summaryText(s: ImportSummary, at: { file: string; rows: number; dryRun: boolean; lang: Lang }): string {
  const vi = at.lang === 'vi';
  const total = s.added.length + s.renamed.length + s.updated.length + s.moved.length + s.closed.length;
  const lines: string[] = [];
  const head = vi ? `${at.file}: ${at.rows} đơn vị trong tệp` : `${at.file}: ${at.rows} units in the file`;
  if (!total) return `${head}; ${vi ? 'không có gì thay đổi' : 'nothing to change'}\n`;
  const verb = at.dryRun ? (vi ? 'sẽ' : 'would be') : vi ? 'đã' : '';
  lines.push(
    vi
      ? `${head}; ${verb} thêm ${s.added.length}, đổi tên ${s.renamed.length}, sửa ${s.updated.length}, chuyển ${s.moved.length}, giải thể ${s.closed.length}`
      : `${head}; ${verb ? verb + ' ' : ''}added ${s.added.length}, renamed ${s.renamed.length}, updated ${s.updated.length}, moved ${s.moved.length}, closed ${s.closed.length}`,
  );
  const section = <T>(title: string, items: T[], line: (x: T) => string) => {
    if (!items.length) return;
    lines.push(`${title} (${items.length}):`);
    for (const x of items.slice(0, SHOWN)) lines.push(`  ${line(x)}`);
    if (items.length > SHOWN) lines.push(vi ? `  … và ${items.length - SHOWN} đơn vị nữa` : `  … and ${items.length - SHOWN} more`);
  };
  section(
    vi ? 'Thêm' : 'Added',
    s.added,
    (a) =>
      `+ ${a.id} "${a.name}" (${vi ? kindTitle(a.kind as OrgUnitKind) : a.kind})${a.parentId ? (vi ? ` thuộc ${a.parentId}` : ` under ${a.parentId}`) : ''}`,
  );
  section(vi ? 'Đổi tên' : 'Renamed', s.renamed, (r) => `~ ${r.id}: "${r.from}" → "${r.to}"`);
  section(vi ? 'Sửa' : 'Updated', s.updated, (u) => `~ ${u.id}: ${u.fields.map((f) => (vi ? (FIELD_VI[f] ?? f) : f)).join(', ')}`);
  section(vi ? 'Chuyển' : 'Moved', s.moved, (m) => `→ ${m.id} "${m.name}": ${m.from ?? '/'} → ${m.to}`);
  section(vi ? 'Giải thể' : 'Closed', s.closed, (c) => `× ${c.id} "${c.name}"`);
  return lines.join('\n') + '\n';
}
