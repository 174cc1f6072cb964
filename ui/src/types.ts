// The API's shapes, as the contract (HTTP API v1) states them. Times are epoch milliseconds.
// Forms as the definition language writes them: one source, the definition schema.
import type { Diagnostic as EngineDiagnostic } from '../../engine/definition/diagnostics.ts';
import type { Form } from '../../engine/definition/types.generated.ts';
export type { Form, FormField } from '../../engine/definition/types.generated.ts';

export interface Text {
  vi: string;
  en?: string;
}
/** Some fields may come as a plain string (an id, or a title the server already chose a language for). */
export type MaybeText = Text | string;

export type Role = 'admin' | 'supervisor' | 'staff';
export interface Grant {
  role: Role;
  unitId: string;
  unitName: string;
  unitKind: string;
  unitPath: string;
}
export interface User {
  id: string;
  login: string;
  name: string;
  grants: Grant[];
}
export interface Me {
  user: User;
  csrfToken: string;
  unreadInbox: number;
}

export interface OrgUnit {
  id: string;
  parentId?: string;
  kind: string;
  name: string;
  path: string;
  depth: number;
  levels?: string[];
}

export interface InstanceSummary {
  id: string;
  definitionId: string;
  definitionVersion: number;
  orgUnitId: string;
  status: string;
  stages: string[];
  rev: number;
  dueAt?: number;
}

export interface MyTask {
  id: string;
  instanceId: string;
  task: string;
  title: MaybeText;
  stage: string;
  stageTitle: MaybeText;
  definitionId: string;
  processTitle: MaybeText;
  unitId: string;
  unitName: string;
  dueAt?: number;
  openedAt: number;
  status: string;
}

export interface TaskDetail {
  task: MyTask & { data?: Record<string, unknown>; completedAt?: number; completedBy?: string };
  /** The task's own explanation, when the definition gives one. */
  description?: MaybeText | null;
  form?: Form | null;
  evidence: { id: string; title: MaybeText; required: boolean; checked: boolean }[];
  stage: { id: string; title: MaybeText; legalBasis: string[]; dueAt?: number | null; workingDaysLeft?: number | null };
  instance: InstanceSummary;
  /** Whether this user may complete it and tick the checklist (false: view only). */
  canAct?: boolean;
}

export interface Escalation {
  id: string;
  instanceId: string;
  orgUnitId: string;
  unitName: string;
  definitionId: string;
  stage: string;
  /** Absent on the timeline's own escalations. */
  stageTitle?: MaybeText;
  kind: 'reminder' | 'overdue' | 'escalation';
  firedAt: number;
  notified: { role: string; unitId: string }[];
  acknowledgedBy?: string;
  acknowledgedAt?: number;
}

/** An event a stage accepts: its type, or (if the server sends it) its type with a title. */
export type Accepted = string | { type: string; title?: MaybeText; form?: Form | null };

export interface Timeline {
  instance: InstanceSummary & { createdAt: number };
  title: MaybeText;
  unit: OrgUnit;
  stages: { id: string; title: MaybeText; legalBasis: string[]; dueAt?: number | null; enteredAt?: number | null; workingDaysLeft?: number | null; accepts: Accepted[] }[];
  /** Not in the contract (yet): every stage's title, for history rows about stages left. */
  stageTitles?: Record<string, MaybeText>;
  /** Whether this user may send events here now. */
  canAct?: boolean;
  history: { rev: number; at: number; actor: string; eventType: string; payload?: unknown; fromStages: string[]; toStages: string[] }[];
  tasks: { id: string; stage: string; task: string; title: MaybeText; status: string; ownerUnitId: string; dueAt?: number; completedAt?: number; completedBy?: string; data?: unknown }[];
  escalations: Escalation[];
}

export interface InstanceListItem {
  id: string;
  definitionId: string;
  definitionVersion: number;
  title: MaybeText;
  orgUnitId: string;
  unitName: string;
  status: string;
  stages: string[];
  /** Parallel to `stages` (the server sends it though the contract does not list it). */
  stageTitles?: MaybeText[];
  dueAt?: number | null;
  overdue: boolean;
}

export type Ages = Record<'1-5' | '6-10' | '11-20' | '>20', number>;
export interface BoardRow {
  overdue: number;
  dueSoon: number;
  ages: Ages;
}
export interface Board {
  root: OrgUnit;
  asOf: number;
  soonWorkingDays: number;
  totals: BoardRow;
  byUnit: (BoardRow & { unitId: string; name: string })[];
  byStage: (BoardRow & { definitionId: string; stage: string; title: MaybeText; processTitle?: MaybeText })[];
  escalations: { total: number; unacknowledged: number };
}

/** A located problem in a draft, as the validator finds it (the API leaves out the file name). */
export type Diagnostic = Omit<EngineDiagnostic, 'file'>;
export interface Validation {
  valid: boolean;
  diagnostics: Diagnostic[];
  diagram?: { mermaid: string };
  id?: string;
  version?: number;
}
export interface DefinitionListItem {
  id: string;
  title: MaybeText;
  latest: number;
  versions: { version: number; publishedAt: number; publishedBy?: string }[];
}
export interface DefinitionVersion {
  id: string;
  version: number;
  title: MaybeText;
  source: string;
  publishedAt: number;
  publishedBy?: string;
  diagram: { mermaid: string };
}
export interface Impact {
  id: string;
  version: number;
  running: number;
  byVersion: { version: number; count: number }[];
  stages: { stage: string; count: number; exists: boolean }[];
}

export interface Campaign {
  id: string;
  definitionId: string;
  definitionVersion: number;
  title: MaybeText;
  rootUnitId: string;
  rootUnitName: string;
  kinds?: string[];
  status: 'running' | 'done' | 'cancelled';
  total: number;
  started: number;
  createdAt: number;
  createdBy?: string;
  reason?: string;
}
export interface CampaignDetail {
  campaign: Campaign;
  byStage: { stage: string; title: MaybeText; count: number }[];
  overdue: number;
  done: number;
}

export interface InboxItem {
  id: number;
  kind: string;
  message: MaybeText;
  instanceId?: string;
  escalationId?: string;
  createdAt: number;
  readAt?: number;
}
