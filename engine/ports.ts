// The ports the engine service works against. Adapters implement them; the engine imports none of
// the adapters, so the same service runs on SQLite + the SQL job table, on PostgreSQL + BullMQ, and
// in `tiendo simulate` with a clock that jumps.
import type {
  ApiToken,
  AuditAction,
  AuditEntry,
  Campaign,
  Change,
  Escalation,
  HistoryEntry,
  InboxItem,
  InstanceStatus,
  Instance,
  LoadedInstance,
  OrgChange,
  OrgUnit,
  OutboxMessage,
  PublishedDefinition,
  Task,
  Timer,
  TimerStatus,
  Notice,
  UnitScope,
  User,
} from './domain.ts';
import type { AccessRole, Grant } from './access.ts';
import type { EngineError } from './errors.ts';

/** Where "now" comes from: the wall clock in production, a simulated one in tests and simulations. */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** A clock moved by hand. Never goes backwards. */
export class ManualClock implements Clock {
  constructor(private at: number) {}
  now(): number {
    return this.at;
  }
  set(at: number): void {
    if (at > this.at) this.at = at;
  }
}

/** A job to run at (or after) `runAt`. The id is the job's identity: scheduling an id that is already
 * pending replaces it (the new runAt and payload win), so relaying the same timer twice is harmless. */
export interface JobSpec {
  /** Letters, digits, `.`, `_`, `-` only (BullMQ refuses `:`); not all digits. */
  id: string;
  name: string;
  payload: Record<string, unknown>;
  /** Epoch milliseconds. */
  runAt: number;
}

export interface Job extends JobSpec {
  /** 1 on the first delivery, 2 on the first retry… */
  attempt: number;
}

/** Runs one job. Throwing means "not done": the job is delivered again later. Delivery is at least
 * once, so a handler must be idempotent. */
export type JobHandler = (job: Job) => Promise<void>;

export interface QueueWorker {
  /** Stops taking jobs and waits for the ones in hand. */
  close(): Promise<void>;
}

export interface WorkOptions {
  concurrency?: number;
  /** How long a taken job stays leased before another worker may take it (ms). */
  leaseMs?: number;
  /** Called when a handler throws (after which the job is retried). */
  onError?: (job: Job, error: unknown) => void;
}

/** Durable delayed jobs: the timers of every instance. */
export interface Queue {
  /** Schedules jobs; an id already pending is replaced. */
  schedule(jobs: JobSpec[]): Promise<void>;
  /** Drops pending jobs by id; unknown ids are ignored. */
  cancel(ids: string[]): Promise<void>;
  /** Starts a worker that runs each job when due, until closed. */
  work(handler: JobHandler, options?: WorkOptions): QueueWorker;
  /**
   * Runs, one by one, every job due at `now` (the clock the queue was made with), including jobs
   * that come due as a result, and returns how many ran. For simulations and tests that move a
   * clock instead of sleeping; a job that throws is left for a later delivery and counted out.
   */
  runDue(handler: JobHandler): Promise<number>;
  /** The earliest runAt among pending jobs, or undefined when none are pending. */
  nextRunAt(): Promise<number | undefined>;
  /** How many jobs are pending (queue depth, for /metrics); cheaper than listing them. */
  pendingCount(): Promise<number>;
  /** Pending job ids (for the contract tests and the rebuild after a Redis loss). */
  pendingIds(): Promise<string[]>;
  /**
   * Whether the queue may have lost jobs since it was last marked whole: a Redis that came back empty
   * (it keeps nothing on disk here) or a queue used for the first time. The relay's sweep then
   * rebuilds it from the store's pending timers and marks it. A queue kept in the store itself
   * loses nothing apart from it and leaves these out.
   */
  needsRebuild?(): Promise<boolean>;
  /** Records that every pending timer is in the queue (after a rebuild). */
  markRebuilt?(): Promise<void>;
  /** Releases connections. Jobs stay where they are stored. */
  close(): Promise<void>;
}

/** Open units under a path, a page at a time: of a campaign's scope, and (with `missingFor`) not
 * yet running that campaign's process. */
export interface UnitsUnderOptions extends Partial<UnitScope> {
  afterId?: string;
  limit: number;
  missingFor?: string;
  /** Leaves out units running an instance of this definition (any campaign, or none): a campaign
   * does not start a second one mid-process unless asked. */
  notRunning?: string;
  /** Only units running an instance of this definition (and, with `missingFor`, none of that
   * campaign): the ones a campaign skips. */
  running?: string;
}

/** Which instances a cohort operation or a listing covers. */
export interface InstanceFilter {
  definitionId?: string;
  definitionVersion?: number;
  /** Instances of units under this path (the unit itself included). */
  underPath?: string;
  /** Instances of units under any of these paths: a caller's scope (engine/access.ts). */
  underPaths?: string[];
  orgUnitId?: string;
  /** Running instances whose earliest due moment is before this instant (overdue as of it). */
  dueBefore?: number;
  campaignId?: string;
  /** Instances with any of these active stages. */
  stages?: string[];
  statuses?: InstanceStatus[];
  ids?: string[];
}

/** The overdue board's counts under a unit: running instances due before `until`, by the unit one
 * level under it and by process and active stages, each split at the board's moments (`bounds`,
 * latest first): `counts[0]` are due from `bounds[0]` on, `counts[k]` in [bounds[k], bounds[k-1]),
 * the last before the last bound. */
export interface DueCounts {
  /** `unitId`: the unit one level under the root on the instances' path (the root for its own). */
  byUnit: { unitId: string; counts: number[] }[];
  /** `stages`: the instances' active stages, as stored. */
  byStage: { definitionId: string; stages: string[]; counts: number[] }[];
}

/** What a reshape touches under some subtrees. */
export interface Footprint {
  units: number;
  runningInstances: number;
  openTasks: number;
  /** Escalations not acknowledged yet. */
  pendingEscalations: number;
  grants: number;
  /** Up to 50 running instance ids. */
  sampleInstanceIds: string[];
}

/** What became of one change given to `Store.commit`: refused (`error`; nothing of it written), or
 * committed, with how many of its outbox messages wait in the outbox for the relay (0 when the
 * outbox step delivered them all in the transaction). */
export type CommitOutcome = { error: EngineError; outboxed?: undefined } | { error?: undefined; outboxed: number };

/** The durable store: every write, and what commands load to decide a change. Every write that
 * belongs to one change goes through `commit`. Read models are behind `Queries`. */
export interface Store {
  /** Adds or replaces org units (parents first, whatever the order given). */
  putUnits(units: OrgUnit[]): Promise<void>;
  /** One unit by id, or undefined. */
  getUnit(id: string): Promise<OrgUnit | undefined>;
  /** Units by id, however many (the store pages the statement), in no particular order; unknown ids are left out. */
  getUnits(ids: string[]): Promise<OrgUnit[]>;
  /** Every unit, closed ones too (an import diffs against the whole tree; a closed code is not reused), by id. */
  allUnits(): Promise<Map<string, OrgUnit>>;
  /** Reshapes the tree (moves, merges, closes, new and updated units) in one transaction, with its
   * audit entries; instances touched get a history entry each. */
  reshape(change: OrgChange): Promise<void>;
  /** Units of the given kinds under a path, by id, a page at a time; `missingFor` leaves out units
   * that already have an instance in that campaign. */
  unitsUnder(path: string, options: UnitsUnderOptions): Promise<OrgUnit[]>;
  /** How many units of these kinds (any, when empty) lie under a path, the unit itself included. */
  countUnitsUnder(
    path: string,
    kinds: string[],
    more?: Omit<UnitScope, 'kinds'> & Pick<UnitsUnderOptions, 'missingFor' | 'notRunning' | 'running'>,
  ): Promise<number>;

  /** Stores a new version with its compiled machine config (kept for inspection; the engine
   * recompiles the source); throws EngineError DEFINITION_EXISTS when that version is taken. */
  putDefinition(def: PublishedDefinition, compiledConfig: unknown): Promise<void>;
  /** The given version, or the latest when none is given. */
  getDefinition(id: string, version?: number): Promise<PublishedDefinition | undefined>;
  /** Every published version without its source (the catalog and the definitions list). */
  listDefinitions(): Promise<Omit<PublishedDefinition, 'source'>[]>;

  /** An instance with its task rows and pending timers, as a command loads it to change it. */
  loadInstance(id: string): Promise<LoadedInstance | undefined>;
  /** Several at once (commands that arrived together), in the order asked. */
  loadInstances(ids: string[]): Promise<(LoadedInstance | undefined)[]>;
  /** The newest instance of a process for a unit (in a campaign, or outside any when none is given). */
  findInstance(definitionId: string, orgUnitId: string, campaignId?: string): Promise<Instance | undefined>;
  /**
   * The one write of changes: commits one change or several (commands that arrived together) in one
   * transaction, each on its own — the answer says, per change, that it committed, or the
   * EngineError it met (REV_CONFLICT: its instance moved on meanwhile, its new instance's unit has
   * one already, or its idempotency key was taken), and then nothing of that change is written. The
   * idempotency key commits with its change. Every outbox message of a change goes through the
   * outbox step: the embedded queue's timer jobs are written in the same transaction; whatever the
   * step leaves waits in the outbox for the relay (`outboxed`).
   */
  commit(changes: Change[]): Promise<CommitOutcome[]>;

  /** One timer row by id. */
  getTimer(id: string): Promise<Timer | undefined>;
  /** Several at once, in the order asked. */
  getTimers(ids: string[]): Promise<(Timer | undefined)[]>;
  /** Settles a pending timer (fired, cancelled) outside a change: a stale or guarded-off delivery. */
  setTimerStatus(id: string, status: TimerStatus, at: number): Promise<void>;
  /** Pending timers by id, a page at a time (rebuilding the queue after Redis lost it). */
  pendingTimers(page: { afterId?: string; limit: number }): Promise<Timer[]>;

  /** Outbox messages not relayed yet, in commit order. */
  unrelayed(limit: number): Promise<OutboxMessage[]>;
  /** Marks outbox messages relayed. */
  markRelayed(ids: number[], at: number): Promise<void>;

  /** The answer remembered under an Idempotency-Key (per actor), with the hash of its request. */
  getIdempotent(scope: string, key: string): Promise<{ requestHash: string; response: unknown } | undefined>;

  /** Stores a new campaign. */
  putCampaign(campaign: Campaign): Promise<void>;
  /** Fan-out campaigns whose parent instance still runs (the workers' periodic check). */
  openFanOuts(): Promise<string[]>;
  /** One campaign by id. */
  getCampaign(id: string): Promise<Campaign | undefined>;
  /** Updates a campaign's progress and status. */
  updateCampaign(id: string, fields: Partial<Pick<Campaign, 'status' | 'total' | 'started'>>): Promise<void>;

  /** Marks an escalation acknowledged (đã xem) once; false when it already was. */
  acknowledgeEscalation(id: string, by: string, at: number): Promise<boolean>;
  /** Marks the units' notices read: the given ids, or all of them. */
  markRead(unitIds: string[], ids: number[] | 'all', at: number): Promise<void>;
  /** Remembers an answer under an idempotency key; false when the key was taken meanwhile. */
  putIdempotent(scope: string, key: string, requestHash: string, response: unknown, at: number): Promise<boolean>;

  /** Releases the connections. */
  close(): Promise<void>;
}
/** The read models: what people look at (listings, timelines, the overdue board, inboxes), each
 * scoped by materialised paths in the query itself. Nothing here writes; commands load through the
 * Store. */
export interface Queries {
  /** What lies under these subtrees (the units themselves included) that a reshape touches. */
  footprint(paths: string[]): Promise<Footprint>;
  /** Pairs of instances that could not both belong to one unit after a merge: the same process in
   * the same campaign, or both running outside any campaign. */
  mergeConflicts(fromId: string, intoId: string): Promise<{ definitionId: string; campaignId?: string; instanceIds: string[] }[]>;
  /** The units directly under a unit, by name, each with how many units are directly under it. */
  childUnits(parentId: string): Promise<(OrgUnit & { childCount: number })[]>;
  /** Instances matching the filter, by id, a page at a time. */
  listInstances(filter: InstanceFilter, page: { afterId?: string; limit: number }): Promise<Instance[]>;
  /** How many instances match the filter. */
  countInstances(filter: InstanceFilter): Promise<number>;
  /** Instances matching the filter, counted by active stages and status. */
  stageCounts(filter: InstanceFilter): Promise<{ definitionId: string; stages: string[]; status: InstanceStatus; count: number }[]>;
  /** Campaigns whose root unit lies under any of these paths, newest first. */
  listCampaigns(underPaths: string[], limit: number): Promise<Campaign[]>;
  /** An instance's history, oldest first. */
  history(instanceId: string): Promise<HistoryEntry[]>;
  /** Every task row of an instance (all stage entries), by when it opened. */
  tasksOf(instanceId: string): Promise<Task[]>;
  /** An instance's escalations, oldest first. */
  escalationsOf(instanceId: string): Promise<Escalation[]>;
  /** Escalations of instances under any of the paths (and, when given, under `unitPath`), newest first. */
  escalations(underPaths: string[], options: { unitPath?: string; ids?: string[]; acknowledged?: boolean; limit: number }): Promise<Escalation[]>;
  /** How many escalations lie under any of the paths (acknowledged or not, when asked). */
  countEscalations(underPaths: string[], options: { acknowledged?: boolean }): Promise<number>;
  /** A task by id; with `underPaths`, only when its owner unit lies under one of them. */
  getTask(id: string, underPaths?: string[]): Promise<Task | undefined>;
  /** Open tasks held by the units (or, with subtree, by any unit under them), soonest due first. */
  openTasks(unitPaths: string[], options: { subtree: boolean; limit: number }): Promise<Task[]>;
  /** Running instances under a unit due before `until`, counted between the moments `bounds`
   * (latest first) — from a summary kept with every write, whose size does not grow with them. */
  dueCounts(unitId: string, until: number, bounds: readonly number[]): Promise<DueCounts>;
  /** The latest completed answer of each child instance of a campaign (a fan-out) to each of these
   * tasks: what its roll-up adds up. */
  childAnswers(campaignId: string, tasks: string[]): Promise<ChildAnswer[]>;
  /** Notices for these units, newest first. */
  inbox(unitIds: string[], options: { unreadOnly: boolean; limit: number }): Promise<InboxItem[]>;
  /** How many of these units' notices are unread. */
  countUnread(unitIds: string[]): Promise<number>;
}

export interface ChildAnswer {
  unitId: string;
  instanceId: string;
  task: string;
  data: Record<string, unknown>;
  completedAt: number;
}

/** A user as stored by `Accounts.putUser`: active, and with no forced password change, unless said. */
export type NewUser = Omit<User, 'active' | 'mustChangePassword'> & Partial<Pick<User, 'active' | 'mustChangePassword'>> & { passwordHash: string };

/** What `Accounts.searchUsers` filters on; every filter is optional but the page size. */
export interface UserSearch {
  /** Part of the login, name, e-mail or phone: case-insensitive, and Vietnamese diacritics need not be typed. */
  text?: string;
  /** Users an administrator of these subtrees manages: home unit under one of them, or, with no home
   * unit, every grant under them. Absent: everyone. */
  managedUnder?: string[];
  /** Users whose home unit (or, with none, a grant's unit) lies under this path. */
  unitPath?: string;
  /** Users holding this role on some unit. */
  role?: AccessRole;
  active?: boolean;
  /** The page after this login. */
  afterLogin?: string;
  limit: number;
}

/** Hashes and checks passwords (bcrypt in production): the application hashes initial and reset passwords. */
export interface Passwords {
  /** A hash of the password, to store. */
  hash(password: string): Promise<string>;
  /** A hash of a generated one-time password (about 70 random bits, changed at the first sign-in):
   * its strength is its randomness, not the hash's cost, so it may be hashed more cheaply — one
   * staff account per school of a province is 700 hashes in one request. */
  hashOneTime(password: string): Promise<string>;
  /** Whether the password matches a stored hash. */
  verify(password: string, hash: string): Promise<boolean>;
}

/** The people who log in, their grants, sessions and tokens. Secrets are stored as hashes only. */
/** A browser session with its user and the user's grants (see Accounts.sessionPrincipal). */
export interface SessionPrincipal {
  userId: string;
  csrfToken: string;
  expiresAt: number;
  user: User;
  grants: Grant[];
}

export interface Accounts {
  /** Adds a user (or, for the same id, replaces name, e-mail, hash and grants), with its audit entries in the same transaction. */
  putUser(user: NewUser, grants: { role: AccessRole; unitId: string }[], audit?: AuditEntry[]): Promise<void>;
  /** Adds several new users with their grants and the audit entries, in one transaction (all or none). */
  createUsers(users: { user: NewUser; grants: { role: AccessRole; unitId: string }[] }[], audit: AuditEntry[]): Promise<void>;
  /** Users matching a search, by login, a page at a time (after a login), with how many match in all. */
  searchUsers(query: UserSearch): Promise<{ items: User[]; total: number }>;
  /** Users by login, in no particular order; unknown logins are left out (naming people by their full names). */
  usersByLogins(logins: string[]): Promise<User[]>;
  /** Changes name, e-mail, phone or home unit (null clears; absent stays), with its audit entries, in one transaction. */
  updateUser(id: string, fields: { name?: string; email?: string | null; phone?: string | null; unitId?: string | null }, audit: AuditEntry[]): Promise<void>;
  /** Activates or deactivates a user; deactivating ends every session and token of theirs in the same transaction. */
  setActive(id: string, active: boolean, audit: AuditEntry[]): Promise<void>;
  /** Adds a grant (false when the user holds it already), with its audit entries. */
  addGrant(userId: string, grant: { role: AccessRole; unitId: string }, audit: AuditEntry[]): Promise<boolean>;
  /** Removes a grant (false when the user did not hold it), with its audit entries. */
  removeGrant(userId: string, grant: { role: AccessRole; unitId: string }, audit: AuditEntry[]): Promise<boolean>;
  /** Of these units, those where some user holds the role (bulk accounts skip units that have a staff account). */
  unitsWithRole(unitIds: string[], role: AccessRole): Promise<Set<string>>;
  /** A user and their password hash by login (signing in). */
  findByLogin(login: string): Promise<(User & { passwordHash: string }) | undefined>;
  /** A user by id, without secrets. */
  getUser(id: string): Promise<User | undefined>;
  /** The user's grants, with the current path of each unit. */
  grantsOf(userId: string): Promise<Grant[]>;
  /** How many users there are (an empty store gets the demo). */
  countUsers(): Promise<number>;
  /** E-mail addresses of the users holding any role on these units. */
  emailsOn(unitIds: string[]): Promise<string[]>;
  /** Opens a browser session (its secret stored as a hash). */
  putSession(session: { idHash: string; userId: string; csrfToken: string; createdAt: number; expiresAt: number }): Promise<void>;
  /** A session by the hash of its secret with its user and the user's grants, read together (every
   * request from a browser needs all three: one round trip instead of three). */
  sessionPrincipal(idHash: string): Promise<SessionPrincipal | undefined>;
  /** Ends a session (signing out). */
  deleteSession(idHash: string): Promise<void>;
  /** Every session of the user but `except` (a password change ends the others). */
  deleteSessionsOf(userId: string, except?: string): Promise<void>;
  /** Replaces the password hash; `mustChange` sets (or, by default, clears) the forced change at the
   * next sign-in; `endSessions` ends every session and token of the user in the same transaction. */
  setPassword(userId: string, passwordHash: string, options?: { mustChange?: boolean; endSessions?: boolean; audit?: AuditEntry[] }): Promise<void>;
  /** Stores a bearer token (as a hash). */
  putToken(token: ApiToken & { idHash: string }): Promise<void>;
  /** The token by its secret's hash, with the current path of each unit it is limited to. */
  getToken(idHash: string): Promise<(ApiToken & { units?: { unitId: string; unitPath: string }[] }) | undefined>;
  /** The user's tokens that have not ended at `now`, newest first. */
  listTokens(userId: string, now: number): Promise<ApiToken[]>;
  /** Revokes one of the user's tokens and every token it minted (and theirs); false when the user has no such token. */
  deleteToken(userId: string, id: string): Promise<boolean>;
  /** Revokes every token of the user. */
  deleteTokensOf(userId: string): Promise<number>;
}

/** The record of administrative acts (nhật ký). Entries are appended, never changed. */
export interface AuditLog {
  /** Appends entries (writes that have their own transaction pass them to it instead). */
  record(entries: AuditEntry[]): Promise<void>;
  /** Entries whose unit lies under any of the paths, newest first, a page at a time. */
  list(
    underPaths: string[],
    query: { action?: AuditAction[]; from?: number; to?: number; actorId?: string; target?: string; beforeId?: number; limit: number },
  ): Promise<AuditEntry[]>;
}

/** Carries an escalation beyond the in-app inbox (webhook, e-mail). Delivery is at least once. */
export interface Notifier {
  notify(notice: Notice): Promise<void>;
}

/** An attachment's record: what it is and who sent it; its bytes are in `FileBlobs` by sha256. */
export interface Attachment {
  id: string;
  instanceId: string;
  stage: string;
  /** The task row it belongs to (and the task's id in the process), when attached to a task. */
  taskId?: string;
  task?: string;
  /** The checklist item it belongs to, when attached to one. */
  evidenceItem?: string;
  name: string;
  type: string;
  size: number;
  sha256: string;
  /** The uploader's user id and login (the login names them in the instance's history). */
  uploadedBy: string;
  uploadedByLogin: string;
  at: number;
}

export interface Comment {
  id: number;
  instanceId: string;
  stage: string;
  /** The author's user id and login. */
  author: string;
  authorLogin: string;
  text: string;
  at: number;
}

/** A file's bytes by their sha256: written once, read by whoever may read an instance holding it. */
export interface FileBlobs {
  /** Keeps the bytes (nothing to do when they are kept already). */
  put(sha256: string, data: Buffer): Promise<void>;
  get(sha256: string): Promise<Buffer | undefined>;
  /** Whether the bytes are kept. */
  has(sha256: string): Promise<boolean>;
  /** Forgets the bytes (no attachment names them any more). */
  remove(sha256: string): Promise<void>;
}

/** Attachments' records and the comment threads of instance stages. */
export interface Discussions {
  /** Records an attachment and, in the same transaction, its history entry on the instance (rev bumped). */
  addAttachment(row: Attachment, history: { eventType: string; payload: Record<string, unknown> }): Promise<void>;
  /** Removes an attachment's record, with its history entry; false when it was gone already. */
  removeAttachment(id: string, at: number, actor: string, history: { eventType: string; payload: Record<string, unknown> }): Promise<boolean>;
  getAttachment(id: string): Promise<Attachment | undefined>;
  /** An instance's attachments, oldest first. */
  attachmentsOf(instanceId: string): Promise<Attachment[]>;
  /** How many attachments name these bytes (a removed one's bytes go when none does). */
  countBySha(sha256: string): Promise<number>;
  addComment(row: Omit<Comment, 'id'>): Promise<Comment>;
  /** An instance's comments (of one stage, when given), oldest first, at most `limit`. */
  commentsOf(instanceId: string, stage: string | undefined, limit: number): Promise<Comment[]>;
}
