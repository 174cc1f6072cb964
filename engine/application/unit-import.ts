// Importing the org tree from an office's unit list: the rows (read by an adapter from CSV or XLSX)
// are planned against every unit of the store (engine/org/import-plan.ts), then Organisation.reshape
// checks the operations against the caller's units and the running work, and applies them in one
// transaction unless it is a dry run. Every problem — of the file, or of the reshape — comes back at
// the row and column it belongs to. `tiendo units import` and the UI's import page both call this.
import type { OrgUnit } from '../domain.ts';
import { planImport, unknownParentMessage } from '../org/import-plan.ts';
import { summarise, type ImportSummary } from '../org/import-summary.ts';
import type { ColumnMap, Problem, UnitRow } from '../org/unit-file.ts';
import type { OrgOperation, ReshapeProblem, ReshapeReport } from './org-commands.ts';
import type { Organisation } from './organisation.ts';
import type { Principal } from './policy.ts';

export interface UnitImport {
  file: string;
  rows: number;
  dryRun: boolean;
  /** Every problem; none: it was applied (or, in a dry run, would be). */
  problems: Problem[];
  /** Applying it needs a reason (a dry run does not). */
  needsReason: boolean;
  operations: OrgOperation[];
  summary: ImportSummary;
  /** What reshape did or would do, with the running work it touches. */
  report?: ReshapeReport;
}

export async function importUnits(
  org: Organisation,
  p: Principal,
  read: { rows: UnitRow[]; columns: ColumnMap },
  existing: ReadonlyMap<string, OrgUnit>,
  options: { file: string; dryRun?: boolean; reason?: string },
): Promise<UnitImport> {
  const dryRun = options.dryRun ?? false;
  const plan = planImport(read.rows, existing, options.file);
  const base = { file: options.file, rows: read.rows.length, dryRun, operations: plan.operations, summary: summarise(plan.operations, existing, read.rows) };
  if (plan.problems.length) return { ...base, problems: plan.problems, needsReason: false };
  if (!plan.operations.length) return { ...base, problems: [], needsReason: false };
  const reason = options.reason?.trim();
  const report = await org.reshape(p, plan.operations, { dryRun, file: options.file, ...(reason ? { reason } : {}) });
  const needsReason = report.problems.some((x) => x.code === 'REASON_REQUIRED');
  // A dry run shows the plan without a reason; applying it will ask for one.
  const problems = report.problems.filter((x) => !(dryRun && x.code === 'REASON_REQUIRED')).map((x) => located(x, options.file, read.columns, plan.operations));
  return { ...base, problems, needsReason, report };
}

/** A problem reshape found (what the file cannot show: work running in a unit it closes, a unit
 * outside the caller's, a reason missing), at the row and column its operation came from. */
function located(p: ReshapeProblem, file: string, columns: ColumnMap, operations: readonly OrgOperation[]): Problem {
  const o = operations[p.index];
  const parentId = o && 'parentId' in o ? o.parentId : undefined;
  // A parent outside the caller's units reads as a parent that does not exist: the same words the
  // plan uses for a code in neither the file nor the store.
  if (p.code === 'NOT_FOUND' && parentId !== undefined && parentId === p.params?.id) {
    const parent = columns.parent;
    return {
      file,
      row: p.source?.row ?? 1,
      column: parent?.index ?? 1,
      header: parent?.header ?? '',
      code: 'UNKNOWN_PARENT',
      message: unknownParentMessage(parentId, false),
      params: { value: parentId, closed: false },
    };
  }
  const column = Object.values(columns).find((c) => c.header === p.source?.column);
  const vi = VI[p.code]?.(p) ?? p.message;
  return {
    file,
    row: p.source?.row ?? 1,
    column: column?.index ?? 1,
    header: column?.header ?? '',
    code: p.code,
    message: { vi, en: p.message },
    params: p.params ?? {},
  };
}

/** Reshape's refusals, in Vietnamese (its messages are English). */
const VI: Record<string, (p: ReshapeProblem) => string> = {
  REASON_REQUIRED: () => 'chuyển, đổi tên, đổi loại hoặc giải thể đơn vị cần ghi lý do (ví dụ số quyết định)',
  NOT_FOUND: (p) => `không có đơn vị "${String(p.params?.id ?? '')}"`,
  FORBIDDEN: () => 'tài khoản của bạn không có quyền quản trị đơn vị này',
  UNIT_CLOSED: (p) => `đơn vị "${String(p.params?.id ?? '')}" đã giải thể hoặc sáp nhập`,
  UNIT_HAS_RUNNING_WORK: (p) =>
    `đơn vị còn ${String(p.params?.runningInstances ?? 0)} hồ sơ đang chạy và ${String(p.params?.openTasks ?? 0)} việc đang mở: huỷ hoặc chuyển đơn vị trước khi giải thể`,
  MERGE_CONFLICT: () => 'hai đơn vị cùng đang chạy một quy trình trong cùng chiến dịch: huỷ một hồ sơ trước khi sáp nhập',
  CYCLE: () => 'không thể đặt đơn vị dưới chính đơn vị cấp dưới của nó',
};
