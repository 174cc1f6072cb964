// Generated from adapters/http/answers.ts by `npm run gen:api-types`. Do not edit by hand.
import type {Form} from '../../engine/definition/types.generated.ts';

/**
 * What each API answer is, by the name the route table gives it.
 */
export interface Answers {
  signedIn: SignedIn;
  me: Me;
  token: IssuedToken;
  tokens: TokenList;
  passwordChanged: PasswordChanged;
  oidc: OidcSignIn;
  health: Health;
  ready: Ready;
  orgUnits: OrgUnitList;
  reshape: ReshapeReport;
  unitImport: UnitImport;
  audit: AuditLog;
  orgUnit: OrgUnitDetail;
  definitions: DefinitionList;
  definitionVersion: DefinitionVersion;
  validation: Validation;
  impact: Impact;
  published: Published;
  campaigns: CampaignList;
  campaignLaunched: CampaignLaunched;
  campaignPreview: CampaignPreview;
  campaign: CampaignDetail;
  instances: InstanceList;
  timeline: Timeline;
  instanceSummary: InstanceSummary;
  unitList: UnitList;
  children: FanOutList;
  myTasks: TaskList;
  task: TaskDetail;
  cohort: CohortReport;
  board: Board;
  overdueList: OverdueList;
  reminded: Reminded;
  acknowledgedMany: AcknowledgedMany;
  escalations: EscalationList;
  acknowledged: Acknowledged;
  inbox: Inbox;
  unread: Unread;
  users: UserList;
  user: UserDetail;
  userWithPassword: UserWithPassword;
  bulkAccounts: BulkAccounts;
  attachments: AttachmentList;
  attached: Attached;
  comments: CommentThread;
  commented: Commented;
  allComments: InstanceComments;
}
export interface SignedIn {
  user: User;
  csrfToken: string;
}
/**
 * This interface was referenced by `Answers`'s JSON-Schema
 * via the `definition` "User".
 */
export interface User {
  id: string;
  login: string;
  name: string;
  mustChangePassword: boolean;
  grants: {
    role: 'admin' | 'supervisor' | 'staff';
    unitId: string;
    unitName: string;
    unitKind: string | null;
    unitPath: string;
  }[];
}
export interface Me {
  user: User;
  csrfToken: string | null;
  unreadInbox: number;
}
export interface IssuedToken {
  id: string;
  name: string;
  createdAt: number;
  expiresAt: number;
  access: 'read' | 'write';
  unitIds: string[] | null;
  mintedBy: string | null;
  token: string;
}
export interface TokenList {
  items: {
    id: string;
    name: string;
    createdAt: number;
    expiresAt: number;
    access: 'read' | 'write';
    unitIds: string[] | null;
    mintedBy: string | null;
    current: boolean;
  }[];
}
export interface PasswordChanged {
  revokedTokens: number;
}
export interface OidcSignIn {
  enabled: boolean;
  label: string | null;
}
export interface Health {
  status: 'ok';
}
export interface Ready {
  store: 'ok' | 'down';
  queue: 'ok' | 'down';
}
export interface OrgUnitList {
  items: OrgUnitWithChildren[];
}
/**
 * This interface was referenced by `Answers`'s JSON-Schema
 * via the `definition` "OrgUnitWithChildren".
 */
export interface OrgUnitWithChildren {
  id: string;
  kind: string;
  name: string;
  path: string;
  depth: number;
  createdAt: number;
  childCount: number;
  parentId?: string;
  levels?: string[];
  email?: string;
  phone?: string;
  closedAt?: number;
  mergedInto?: string;
}
export interface ReshapeReport {
  dryRun: boolean;
  applied: boolean;
  problems: ReshapeProblem[];
  added: {
    id: string;
    name: string;
    kind: string;
    parentId?: string;
  }[];
  updated: {
    id: string;
    changes: {};
  }[];
  moved: {
    id: string;
    name: string;
    toParentId: string;
    units: number;
    fromParentId?: string;
  }[];
  merged: {
    id: string;
    name: string;
    intoId: string;
    intoName: string;
  }[];
  closed: {
    id: string;
    name: string;
    units: number;
  }[];
  touches: {
    runningInstances: number;
    openTasks: number;
    pendingEscalations: number;
    grants: number;
    sampleInstanceIds: string[];
  };
}
export interface ReshapeProblem {
  index: number;
  code: string;
  message: string;
  source?: {
    row?: number;
    column?: string;
  };
  params?: {};
}
export interface UnitImport {
  file: string;
  rows: number;
  dryRun: boolean;
  applied: boolean;
  needsReason: boolean;
  problems: UnitFileProblem[];
  problemCount: number;
  summary: ImportSummary | null;
  touches: {
    runningInstances: number;
    openTasks: number;
    pendingEscalations: number;
    grants: number;
    sampleInstanceIds: string[];
  } | null;
}
export interface UnitFileProblem {
  file: string;
  row: number;
  column: number;
  header: string;
  code: string;
  message: {
    vi: string;
    en: string;
  };
  params: {};
}
export interface ImportSummary {
  counts: {
    added: number;
    renamed: number;
    updated: number;
    moved: number;
    closed: number;
  };
  added: {
    id: string;
    name: string;
    kind: string;
    parentId?: string;
  }[];
  renamed: {
    id: string;
    from: string;
    to: string;
  }[];
  updated: {
    id: string;
    fields: string[];
  }[];
  moved: {
    id: string;
    name: string;
    to: string;
    from?: string;
  }[];
  closed: {
    id: string;
    name: string;
  }[];
}
export interface AuditLog {
  items: AuditEntry[];
  next: number | null;
}
export interface AuditEntry {
  id: number;
  at: number;
  actorId: string;
  actorLogin: string;
  actorName: string;
  unitPath: string;
  action: string;
  target: string;
  unitId?: string;
  reason?: string;
  details?: {};
}
export interface OrgUnitDetail {
  unit: OrgUnit;
  ancestors: OrgUnit[];
  children: OrgUnitWithChildren[];
}
/**
 * This interface was referenced by `Answers`'s JSON-Schema
 * via the `definition` "OrgUnit".
 */
export interface OrgUnit {
  id: string;
  kind: string;
  name: string;
  path: string;
  depth: number;
  createdAt: number;
  parentId?: string;
  levels?: string[];
  email?: string;
  phone?: string;
  closedAt?: number;
  mergedInto?: string;
}
export interface DefinitionList {
  items: {
    id: string;
    title: Text;
    latest: number;
    mayPublish: boolean;
    versions: {
      version: number;
      publishedAt: number;
      publishedBy?: string;
      publishedByName?: string;
    }[];
  }[];
}
/**
 * This interface was referenced by `Answers`'s JSON-Schema
 * via the `definition` "Text".
 */
export interface Text {
  vi: string;
  en?: string;
}
export interface DefinitionVersion {
  id: string;
  version: number;
  source: string;
  hash: string;
  title: Text;
  publishedAt: number;
  diagram: {
    mermaid: string;
  } | null;
  publishedBy?: string;
  publishedByName?: string;
  stages?: {
    id: string;
    title: Text;
    kind: string;
    hasDue: boolean;
  }[];
}
export interface Validation {
  valid: boolean;
  diagnostics: Diagnostic[];
  id?: string;
  version?: number;
  diagram?: {
    mermaid: string;
  };
}
/**
 * This interface was referenced by `Answers`'s JSON-Schema
 * via the `definition` "Diagnostic".
 */
export interface Diagnostic {
  line: number;
  column: number;
  severity: 'error' | 'warning';
  code: string;
  message: string;
  pointer?: string;
  text?: Text;
}
export interface Impact {
  id: string;
  version: number;
  running: number;
  byVersion: {
    version: number;
    count: number;
  }[];
  stages: {
    stage: string;
    title: Text;
    count: number;
    exists: boolean;
  }[];
}
export interface Published {
  id: string;
  version: number;
  hash: string;
  created: boolean;
  diagnostics: Diagnostic[];
}
export interface CampaignList {
  items: CampaignRow[];
}
/**
 * This interface was referenced by `Answers`'s JSON-Schema
 * via the `definition` "CampaignRow".
 */
export interface CampaignRow {
  id: string;
  definitionId: string;
  definitionVersion: number;
  rootUnitId: string;
  rootUnitName: string;
  title: Text;
  kinds: string[];
  status: 'running' | 'done' | 'cancelled';
  total: number;
  started: number;
  createdAt: number;
  createdBy?: string;
  createdByName?: string;
  reason?: string;
  anchors?: {
    [k: string]: string;
  };
  levels?: string[];
  depth?: 'children' | 'descendants';
  namedUnits?: number;
  includeRunning?: boolean;
  parent?: {
    instanceId: string;
    stage: string;
    seq: number;
    cutoffAt?: number;
  };
}
export interface CampaignLaunched {
  campaign: CampaignRow;
  skippedRunning?: number;
}
export interface CampaignPreview {
  total: number;
  toStart: number;
  skippedRunning: number;
  skipped: {
    id: string;
    name: string;
  }[];
}
export interface CampaignDetail {
  campaign: CampaignRow;
  byStage: {
    stage: string;
    title: Text;
    count: number;
  }[];
  overdue: number;
  done: number;
  running?: number;
  notStarted?: number;
  skippedRunning?: number;
}
export interface InstanceList {
  items: InstanceRow[];
  next?: string;
}
/**
 * This interface was referenced by `Answers`'s JSON-Schema
 * via the `definition` "InstanceRow".
 */
export interface InstanceRow {
  id: string;
  definitionId: string;
  definitionVersion: number;
  title: Text;
  orgUnitId: string;
  unitName: string;
  campaignId: string | null;
  status: 'running' | 'done' | 'cancelled' | 'needs_migration';
  stages: string[];
  stageTitles: Text[];
  dueAt: number | null;
  overdue: boolean;
}
export interface Timeline {
  instance: {
    id: string;
    definitionId: string;
    definitionVersion: number;
    xstateVersion: string;
    orgUnitId: string;
    status: 'running' | 'done' | 'cancelled' | 'needs_migration';
    rev: number;
    stages: string[];
    enteredAt: number;
    createdAt: number;
    updatedAt: number;
    campaignId?: string;
    dueAt?: number;
  };
  title: Text;
  unit: OrgUnit;
  canAct: boolean;
  stageTitles: {
    [k: string]: Text;
  };
  stages: {
    id: string;
    title: Text;
    legalBasis: string[];
    enteredAt: number | null;
    dueAt: number | null;
    workingDaysLeft: number | null;
    canAct: boolean;
    accepts: {
      type: string;
      title: Text;
      form: Form | null;
    }[];
    evidence: {
      id: string;
      title: Text;
      required: boolean;
      checked: boolean;
    }[];
  }[];
  history: HistoryEntry[];
  tasks: TimelineTask[];
  escalations: EscalationRow[];
  openedBy: {
    instanceId: string;
    title: Text;
    unitName: string;
    stageTitle: Text;
  } | null;
  anchors?: {
    name: string;
    title: Text;
    value: string | null;
    stages: {
      id: string;
      title: Text;
    }[];
    canSet: boolean;
  }[];
}
/**
 * This interface was referenced by `Answers`'s JSON-Schema
 * via the `definition` "HistoryEntry".
 */
export interface HistoryEntry {
  instanceId: string;
  rev: number;
  at: number;
  actor: string;
  actorName: string;
  eventType: string;
  fromStages: string[];
  toStages: string[];
  payload?: {};
}
/**
 * This interface was referenced by `Answers`'s JSON-Schema
 * via the `definition` "TimelineTask".
 */
export interface TimelineTask {
  id: string;
  instanceId: string;
  stage: string;
  stageSeq: number;
  task: string;
  title: Text;
  ownerRole: string;
  ownerUnitId: string;
  ownerUnitPath: string;
  status: 'open' | 'done' | 'skipped' | 'closed';
  openedAt: number;
  data?: {};
  completedBy?: string;
  completedByName?: string;
  completedAt?: number;
  dueAt?: number;
}
/**
 * This interface was referenced by `Answers`'s JSON-Schema
 * via the `definition` "EscalationRow".
 */
export interface EscalationRow {
  id: string;
  instanceId: string;
  orgUnitId: string;
  unitName: string;
  definitionId: string;
  stage: string;
  stageTitle: Text;
  kind: 'reminder' | 'overdue' | 'escalation';
  firedAt: number;
  notified: {
    role: string;
    unitId: string;
  }[];
  acknowledgedBy: string | null;
  acknowledgedByName: string | null;
  acknowledgedAt: number | null;
}
/**
 * This interface was referenced by `Answers`'s JSON-Schema
 * via the `definition` "InstanceSummary".
 */
export interface InstanceSummary {
  id: string;
  definitionId: string;
  definitionVersion: number;
  orgUnitId: string;
  status: 'running' | 'done' | 'cancelled' | 'needs_migration';
  stages: string[];
  rev: number;
  dueAt?: number;
}
export interface UnitList {
  file: string;
  unitIds: string[];
  units: {
    id: string;
    name: string;
    kind: string;
  }[];
  problems: UnitFileProblem1[];
  problemCount: number;
}
export interface UnitFileProblem1 {
  file: string;
  row: number;
  column: number;
  header: string;
  code: string;
  message: {
    vi: string;
    en: string;
  };
  params: {};
}
export interface FanOutList {
  instanceId: string;
  stages: {
    stage: string;
    stageTitle: Text;
    seq: number;
    campaignId: string;
    process: string;
    processTitle: Text;
    open: boolean;
    total: number;
    done: number;
    pending: number;
    cancelled: number;
    late: number;
    rollup: {
      [k: string]: {
        count: number;
        sum: number;
        values: {
          [k: string]: string[];
        };
        title?: Text;
        min?: number;
        max?: number;
        valueTitles?: {
          [k: string]: Text;
        };
      };
    };
    children: {
      unitId: string;
      unitName: string;
      instanceId: string;
      status: 'running' | 'done' | 'cancelled' | 'needs_migration';
      stages: string[];
      stageTitles: Text[];
      late: boolean;
      figures: {};
      dueAt?: number;
      finishedAt?: number;
    }[];
    truncated: boolean;
    cutoffAt?: number;
  }[];
}
export interface TaskList {
  items: WorkItem[];
  total: number;
  offset: number;
  limit: number;
  facets: {
    units: Facet[];
    offices: Facet[];
    processes: Facet[];
    stages: Facet[];
    due: {
      all: number;
      overdue: number;
      soon: number;
    };
  };
  asOf: number;
  soonWorkingDays: number;
  truncated: boolean;
  daysOff?: {
    date: string;
    kind: string;
    name: Text;
  }[];
}
/**
 * This interface was referenced by `Answers`'s JSON-Schema
 * via the `definition` "WorkItem".
 */
export interface WorkItem {
  id: string;
  instanceId: string;
  task: string;
  title: Text;
  stage: string;
  stageTitle: Text;
  definitionId: string;
  processTitle: Text;
  unitId: string;
  unitName: string;
  ownerUnitId: string;
  ownerUnitName: string;
  status: 'open' | 'done' | 'skipped' | 'closed';
  openedAt: number;
  dueAt: number | null;
  workingDaysLeft: number | null;
  kind: 'task' | 'stage';
  officeId: string | null;
  officeName: string | null;
  events: {
    type: string;
    title: Text;
  }[];
  data?: {};
  completedAt?: number;
  completedBy?: string | null;
  completedByName?: string | null;
}
/**
 * This interface was referenced by `Answers`'s JSON-Schema
 * via the `definition` "Facet".
 */
export interface Facet {
  id: string;
  title: Text;
  count: number;
}
export interface TaskDetail {
  task: TaskRow;
  description: Text | null;
  form: Form | null;
  prefill: {};
  evidence: Evidence[];
  stage: {
    id: string;
    title: Text;
    legalBasis: string[];
    dueAt: number | null;
    workingDaysLeft: number | null;
  };
  instance: InstanceSummary;
  canAct: boolean;
  canReopen: boolean;
  returned: ReturnedNote | null;
  prefilledFromEarlier: boolean;
}
/**
 * This interface was referenced by `Answers`'s JSON-Schema
 * via the `definition` "TaskRow".
 */
export interface TaskRow {
  id: string;
  instanceId: string;
  task: string;
  title: Text;
  stage: string;
  stageTitle: Text;
  definitionId: string;
  processTitle: Text;
  unitId: string;
  unitName: string;
  ownerUnitId: string;
  ownerUnitName: string;
  status: 'open' | 'done' | 'skipped' | 'closed';
  openedAt: number;
  dueAt: number | null;
  workingDaysLeft: number | null;
  data?: {};
  completedAt?: number;
  completedBy?: string | null;
  completedByName?: string | null;
}
/**
 * This interface was referenced by `Answers`'s JSON-Schema
 * via the `definition` "Evidence".
 */
export interface Evidence {
  id: string;
  title: Text;
  required: boolean;
  checked: boolean;
}
export interface ReturnedNote {
  kind: 'returned' | 'reopened';
  by: string;
  byName: string;
  at: number;
  eventTitle: Text | null;
  fromStageTitle: Text | null;
  fields: {
    name: string;
    title: Text;
    valueTitle: Text | null;
    value?: unknown;
  }[];
  reason: string | null;
}
/**
 * This interface was referenced by `Answers`'s JSON-Schema
 * via the `definition` "CohortReport".
 */
export interface CohortReport {
  matched: number;
  changed: number;
  excluded: number;
  dryRun: boolean;
  instances: {
    instanceId: string;
    orgUnitId: string;
    unitName: string;
    definitionId: string;
    definitionVersion: number;
    activeStages: string[];
    stageTitles: {
      [k: string]: Text;
    };
    stillOverdue?: boolean;
    dueBefore?: number;
    dueAfter?: number;
    to?: string[];
    error?: {
      code: string;
      message: string;
    };
    excluded?: {
      code: string;
      message: string;
      stages?: {
        stage: string;
        role: string;
      }[];
    };
  }[];
  stillOverdue?: number;
}
export interface Board {
  root: OrgUnit;
  asOf: number;
  soonWorkingDays: number;
  totals: BoardCounts;
  byUnit: {
    unitId: string;
    name: string;
    overdue: number;
    dueSoon: number;
    ages: {
      '1-5': number;
      '6-10': number;
      '11-20': number;
      '>20': number;
    };
  }[];
  byStage: {
    definitionId: string;
    stage: string;
    title: Text;
    processTitle: Text;
    overdue: number;
    dueSoon: number;
    ages: {
      '1-5': number;
      '6-10': number;
      '11-20': number;
      '>20': number;
    };
  }[];
  escalations: {
    total: number;
    unacknowledged: number;
  };
}
/**
 * This interface was referenced by `Answers`'s JSON-Schema
 * via the `definition` "BoardCounts".
 */
export interface BoardCounts {
  overdue: number;
  dueSoon: number;
  ages: {
    '1-5': number;
    '6-10': number;
    '11-20': number;
    '>20': number;
  };
}
export interface OverdueList {
  root: OrgUnit;
  asOf: number;
  total: number;
  items: OverdueItem[];
}
export interface OverdueItem {
  instanceId: string;
  unitId: string;
  unitName: string;
  unitPath: string;
  officeId: string | null;
  officeName: string | null;
  definitionId: string;
  processTitle: Text;
  stages: string[];
  stageTitles: Text[];
  dueAt: number;
  daysLate: number;
}
export interface Reminded {
  sent: number;
  items: RemindOutcome[];
}
export interface RemindOutcome {
  instanceId: string;
  sent: boolean;
  code?: string;
  params?: {};
}
export interface AcknowledgedMany {
  items: AcknowledgeOutcome[];
}
export interface AcknowledgeOutcome {
  id: string;
  acknowledged: boolean;
  escalation: EscalationRow;
}
export interface EscalationList {
  items: EscalationRow[];
}
export interface Acknowledged {
  escalation: EscalationRow;
}
export interface Inbox {
  items: InboxItem[];
  unread: number;
}
/**
 * This interface was referenced by `Answers`'s JSON-Schema
 * via the `definition` "InboxItem".
 */
export interface InboxItem {
  id: number;
  unitId: string;
  role: string;
  kind: string;
  message: Text;
  createdAt: number;
  instanceId?: string;
  escalationId?: string;
  readAt?: number;
}
export interface Unread {
  unread: number;
}
export interface UserList {
  items: UserRow[];
  total: number;
  next?: string;
}
/**
 * This interface was referenced by `Answers`'s JSON-Schema
 * via the `definition` "UserRow".
 */
export interface UserRow {
  id: string;
  login: string;
  name: string;
  email: string | null;
  phone: string | null;
  unitId: string | null;
  unitName: string | null;
  unitPath: string | null;
  active: boolean;
  mustChangePassword: boolean;
  createdAt: number;
}
/**
 * This interface was referenced by `Answers`'s JSON-Schema
 * via the `definition` "UserDetail".
 */
export interface UserDetail {
  id: string;
  login: string;
  name: string;
  email: string | null;
  phone: string | null;
  unitId: string | null;
  unitName: string | null;
  unitPath: string | null;
  active: boolean;
  mustChangePassword: boolean;
  createdAt: number;
  grants: {
    role: 'admin' | 'supervisor' | 'staff';
    unitId: string;
    unitName: string;
    unitKind: string | null;
    unitPath: string;
  }[];
}
export interface UserWithPassword {
  user: UserDetail;
  oneTimePassword?: string;
}
export interface BulkAccounts {
  dryRun: boolean;
  created: number;
  skipped: {
    unitId: string;
    unitName: string;
    reason: 'HAS_STAFF_ACCOUNT';
  }[];
  accounts: {
    unitId: string;
    unitName: string;
    login: string;
    name: string;
    userId?: string;
    oneTimePassword?: string;
  }[];
}
export interface AttachmentList {
  items: Attachment[];
  maxBytes: number;
  maxPerInstance: number;
}
/**
 * This interface was referenced by `Answers`'s JSON-Schema
 * via the `definition` "Attachment".
 */
export interface Attachment {
  id: string;
  instanceId: string;
  stage: string;
  name: string;
  type: string;
  size: number;
  sha256: string;
  uploadedBy: string;
  uploadedByName: string;
  at: number;
  canRemove: boolean;
  taskId?: string;
  task?: string;
  evidenceItem?: string;
}
export interface Attached {
  attachment: Attachment;
  renamed: boolean;
}
export interface CommentThread {
  stage: {
    id: string;
    title: Text;
  };
  items: Comment[];
  canWrite: boolean;
  maxLength: number;
}
/**
 * This interface was referenced by `Answers`'s JSON-Schema
 * via the `definition` "Comment".
 */
export interface Comment {
  id: number;
  stage: string;
  text: string;
  at: number;
  authorName: string;
  mine: boolean;
}
export interface Commented {
  comment: Comment;
}
export interface InstanceComments {
  items: Comment[];
  stageTitles: {
    [k: string]: Text;
  };
}
