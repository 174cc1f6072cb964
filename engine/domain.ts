// The domain's records, in one file: what the engine keeps (units, definitions, instances, tasks,
// timers, escalations, campaigns, changes, users). The ports and every layer take their types from
// here; the store maps them to rows (snake_case, JSON text, epoch-ms bigints) in one place.
import type { InstanceState, TimerKind } from './runtime/advance.ts';
import type { OrgUnitKind, Text } from './definition/types.generated.ts';

/** Đơn vị: the Sở, a Phòng GDĐT or commune, a school. */
export interface OrgUnit {
  id: string;
  parentId?: string;
  kind: OrgUnitKind;
  name: string;
  /** Ids from the root, "/so-bt/pgd-cl/th-an-hoa/": a subtree is a prefix. */
  path: string;
  depth: number;
  /** School levels a district office manages, or a multi-level school teaches. */
  levels?: string[];
  email?: string;
  phone?: string;
  /** When the unit was closed (giải thể) or merged into another: it keeps its rows (histories, old
   * campaigns name it) but takes no new work and is left out of the tree people browse. */
  closedAt?: number;
  /** The unit that took it over (sáp nhập). */
  mergedInto?: string;
  createdAt: number;
}

/** A published, immutable version of a process definition. */
export interface PublishedDefinition {
  id: string;
  version: number;
  source: string;
  /** sha256 of the source: publishing the same text twice is a no-op, different text a conflict. */
  hash: string;
  title: Text;
  publishedBy?: string;
  publishedAt: number;
  /** The unit the process belongs to (its first publisher's); none for the library the system
   * publishes, which belongs to the top of the tree. Copied to every version. */
  ownerUnitId?: string;
}

export type InstanceStatus = 'running' | 'done' | 'cancelled' | 'needs_migration';

/** One school's run of one process (hồ sơ của một trường). */
export interface Instance {
  id: string;
  definitionId: string;
  definitionVersion: number;
  xstateVersion: string;
  orgUnitId: string;
  unitPath: string;
  campaignId?: string;
  status: InstanceStatus;
  state: InstanceState;
  /** Bumped by every change; a change commits only over the rev it read. */
  rev: number;
  /** Active leaf stages. */
  stages: string[];
  enteredAt: number;
  /** The earliest due moment among active stages. */
  dueAt?: number;
  createdAt: number;
  updatedAt: number;
}

export type TaskStatus = 'open' | 'done' | 'skipped' | 'closed';

export interface Task {
  /** <instance>.<stage>.<seq>.<task>: one row per task per stage entry. */
  id: string;
  instanceId: string;
  stage: string;
  stageSeq: number;
  task: string;
  ownerRole: string;
  ownerUnitId: string;
  ownerUnitPath: string;
  status: TaskStatus;
  data?: Record<string, unknown>;
  completedBy?: string;
  completedAt?: number;
  openedAt: number;
  dueAt?: number;
}

export interface HistoryEntry {
  instanceId: string;
  rev: number;
  at: number;
  actor: string;
  eventType: string;
  payload?: Record<string, unknown>;
  fromStages: string[];
  toStages: string[];
}

export type TimerStatus = 'pending' | 'fired' | 'cancelled';

export interface Timer {
  /** <instance>.<stage>.<seq>.<arm>.<step|due>: stable, so relaying it twice collapses. */
  id: string;
  instanceId: string;
  stage: string;
  stageSeq: number;
  arm: number;
  kind: TimerKind;
  step: number;
  fireAt: number;
  status: TimerStatus;
  firedAt?: number;
}

export interface Recipient {
  role: string;
  unitId: string;
}

/** A rung of an escalation ladder that fired: who was told. */
export interface Escalation {
  /** The timer's id: at most one escalation per timer. */
  id: string;
  instanceId: string;
  unitPath: string;
  stage: string;
  kind: Exclude<TimerKind, 'due'>;
  firedAt: number;
  notified: Recipient[];
  /** A supervisor saw it (đã xem): the board tells acknowledged from not. */
  acknowledgedBy?: string;
  acknowledgedAt?: number;
}

/** What the notifiers (e-mail, webhook) carry: the escalation, its message, and the stage and unit in
 * words for people (a mail must not name a stage by its id). */
export interface Notice {
  escalation: Escalation;
  message: Text;
  stageTitle?: Text;
  unitName?: string;
}

/** A notification in a unit's in-app inbox. */
export interface InboxItem {
  id?: number;
  unitId: string;
  role: string;
  instanceId?: string;
  escalationId?: string;
  kind: string;
  message: Text;
  createdAt: number;
  readAt?: number;
}

/** An effect for the relay to carry out after the commit: schedule or cancel queue jobs, notify. */
export type OutboxMessage =
  | { id?: number; instanceId?: string; kind: 'schedule'; payload: { timers: { id: string; fireAt: number }[] }; createdAt: number }
  | { id?: number; instanceId?: string; kind: 'cancel'; payload: { timers: string[] }; createdAt: number }
  | { id?: number; instanceId?: string; kind: 'notify'; payload: Notice; createdAt: number };

export interface Campaign {
  id: string;
  definitionId: string;
  definitionVersion: number;
  rootUnitId: string;
  kinds: string[];
  status: 'running' | 'done' | 'cancelled';
  total: number;
  started: number;
  createdBy?: string;
  reason?: string;
  /** Anchor dates every instance of the campaign starts with. */
  anchors?: Record<string, string>;
  /** Lists of unit codes every instance starts with (a sample its fan-outs reach). */
  lists?: Record<string, string[]>;
  /** Only units whose levels include one of these. */
  levels?: string[];
  /** Units named one by one (a sample from a list of codes), added to those `kinds` choose; alone
   * when `kinds` is empty. */
  unitIds?: string[];
  /** children: only the units directly under the root; default the whole subtree. */
  depth?: 'children' | 'descendants';
  /** Started also for units already running the process (asked at launch); by default they are skipped. */
  includeRunning?: true;
  /** A fan-out (giao việc cho đơn vị cấp dưới): the parent instance's stage entry that opened it. */
  parent?: {
    instanceId: string;
    stage: string;
    seq: number;
    /** The stage's due moment when it opened (the cut-off): a child unfinished after it is late. */
    cutoffAt?: number;
  };
  createdAt: number;
}

/** Which units a campaign (or a fan-out) reaches, under its root. */
export type UnitScope = Pick<Campaign, 'kinds' | 'levels' | 'unitIds' | 'depth'>;

/** Everything one change writes, committed in one transaction or not at all. */
export interface Change {
  instance: Instance;
  /** The rev the change was computed over; 0 when the instance is new. */
  expectedRev: number;
  history: HistoryEntry;
  /** Task rows to insert or overwrite. */
  tasks: Task[];
  /** Timer rows to insert. */
  timers: Timer[];
  /** Timer ids whose status changes. */
  timerUpdates: { id: string; status: TimerStatus; firedAt?: number }[];
  outbox: OutboxMessage[];
  escalation?: Escalation;
  inbox: InboxItem[];
  /** Fan-outs the step opened: written with it, run after it (a campaign each). */
  campaigns?: Campaign[];
  /** The answer to remember under an Idempotency-Key. */
  idempotency?: { scope: string; key: string; requestHash: string; response: unknown };
}

/** An instance as the service loads it to change it. */
export interface LoadedInstance {
  instance: Instance;
  /** Task rows of the active stage entries. */
  tasks: Task[];
  pendingTimers: Timer[];
}

/** A person who logs in. Their roles are grants on org units (engine/access.ts). */
export interface User {
  id: string;
  login: string;
  /** Full name (họ tên): shown wherever a person is named, never the login. */
  name: string;
  email?: string;
  phone?: string;
  /** The unit the person belongs to: its administrators (and those above) manage the account. */
  unitId?: string;
  /** A deactivated account cannot sign in; its sessions and tokens end. */
  active: boolean;
  /** An initial or reset password: the next sign-in must change it before anything else. */
  mustChangePassword: boolean;
  createdAt: number;
}

/** What an administrative act is (the audit record's `action`). */
export const AUDIT_ACTIONS = [
  'units.import',
  'unit.add',
  'unit.update',
  'unit.move',
  'unit.merge',
  'unit.close',
  'user.create',
  'user.update',
  'user.deactivate',
  'user.activate',
  'user.password-reset',
  'users.bulk-create',
  'grant.add',
  'grant.remove',
  'definition.publish',
  'campaign.launch',
  'instance.cancel',
  'cohort.extend',
  'cohort.reassign',
  'cohort.cancel',
  'cohort.migrate',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** One administrative act (nhật ký quản trị): who, when, on what, why, and what changed. */
export interface AuditEntry {
  id?: number;
  at: number;
  actorId: string;
  actorLogin: string;
  actorName: string;
  /** The unit the act was done on (for a user, their home unit; for a campaign, its root). */
  unitId?: string;
  /** That unit's path when it was done: administrators read the record of their subtree. */
  unitPath: string;
  action: AuditAction;
  /** What was acted on: a unit, user, process or campaign id, or a file name. */
  target: string;
  reason?: string;
  /** What changed: before → after, counts, ids. */
  details?: Record<string, unknown>;
}

/** A bearer token for scripts, as listed (never its secret, which only its sha256 stands for). */
export interface ApiToken {
  /** Public id: names the token in lists and revocation; opens nothing. */
  id: string;
  userId: string;
  name: string;
  createdAt: number;
  /** Every token ends (default 90 days after it was issued). */
  expiresAt: number;
  /** `read`: GET requests only; `write`: whatever the user's grants allow. */
  access: 'read' | 'write';
  /** Only these units' subtrees (intersected with the user's grants); absent: all of the user's units. */
  unitIds?: string[];
  /** The token that issued this one (absent: a signed-in session did). */
  mintedBy?: string;
}

/**
 * One reshaping of the org tree (engine/application/organisation.ts computes it), committed in one
 * transaction by `Store.reshape`: instances keep running and their deadlines stay; paths change, so
 * scopes, boards and escalations follow the new parents from then on; each instance touched gets a
 * history entry (its rev bumped, so a command computed over the old tree retries).
 */
export interface OrgChange {
  /** New units (parents first, whatever the order). */
  put: OrgUnit[];
  /** Fields of existing units that change in place (null clears one); never a path. */
  updates: { unitId: string; fields: { name?: string; kind?: OrgUnitKind; levels?: string[] | null; email?: string | null; phone?: string | null } }[];
  /** Subtrees that move, in order: every path starting with `fromPath` starts with `toPath` instead —
   * units (depth shifted), instances, tasks, escalations. */
  moves: { unitId: string; parentId: string; fromPath: string; toPath: string }[];
  /** A unit merged into another (after its children moved): its own instances, tasks, escalations,
   * notices, grants and users pass to the survivor. */
  merges: { fromId: string; fromPath: string; intoId: string; intoPath: string }[];
  /** Units closed, each with its subtree; grants on them end. */
  closes: { unitId: string; path: string; mergedInto?: string }[];
  at: number;
  actor: string;
  reason: string;
  audit: AuditEntry[];
}
