// The commands that shape the org tree (cơ cấu tổ chức), as every entry point states them: the API,
// `tiendo units import` (a file becomes a list of these, engine/org/import-plan.ts) and the UI's
// import preview. `Organisation.reshape` (organisation.ts) checks them all, reports every problem,
// and applies them in one transaction or not at all.
import type { OrgUnitKind } from '../definition/types.generated.ts';

/** Where an operation came from, so a refusal can point at it (a file's row, a request's field). */
export interface OperationSource {
  /** 1-based row of the file (the header is row 1). */
  row?: number;
  /** The column's header as written in the file. */
  column?: string;
}

export type OrgOperation = (
  | {
      op: 'add';
      id: string;
      parentId?: string;
      kind: OrgUnitKind;
      name: string;
      levels?: string[];
      email?: string;
      phone?: string;
    }
  /** Rename, change the kind, levels or contacts of a unit; absent fields stay, null clears. */
  | { op: 'update'; id: string; name?: string; kind?: OrgUnitKind; levels?: string[] | null; email?: string | null; phone?: string | null }
  /** Moves a unit under another parent: its subtree, instances, tasks and escalations follow. */
  | { op: 'move'; id: string; parentId: string }
  /** Merges a unit into another (sáp nhập): its children move under the survivor, its own running
   * work, notices and grants pass to it, and it is closed. */
  | { op: 'merge'; id: string; intoId: string }
  /** Closes a unit and its subtree (giải thể): refused while anything there is running. */
  | { op: 'close'; id: string }
) & { source?: OperationSource };

/** One problem with one operation: code, message, and where it came from. */
export interface ReshapeProblem {
  /** Index of the operation in the list given. */
  index: number;
  code: string;
  message: string;
  source?: OperationSource;
  params?: Record<string, unknown>;
}

/** What a reshape does (dry run) or did. */
export interface ReshapeReport {
  dryRun: boolean;
  /** Applied: every operation committed; otherwise `problems` says why none was. */
  applied: boolean;
  problems: ReshapeProblem[];
  added: { id: string; name: string; parentId?: string; kind: OrgUnitKind }[];
  updated: { id: string; changes: Record<string, { from: unknown; to: unknown }> }[];
  moved: { id: string; name: string; fromParentId?: string; toParentId: string; units: number }[];
  merged: { id: string; name: string; intoId: string; intoName: string }[];
  closed: { id: string; name: string; units: number }[];
  /** What the operations touch: work keeps running, follows the new parents from then on. */
  touches: {
    runningInstances: number;
    openTasks: number;
    pendingEscalations: number;
    grants: number;
    /** Up to 50 running instance ids touched, for the preview. */
    sampleInstanceIds: string[];
  };
}
