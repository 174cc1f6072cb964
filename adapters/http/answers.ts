// What the API answers, as JSON Schemas: the route table names each route's answer, the OpenAPI
// document carries them (components.schemas), the server checks every answer against its schema when
// asked to (the tests do: an answer that drifts from its schema fails them), and the web UI's types
// are generated from them (`npm run gen:api-types` → ui/src/api.generated.ts).
import type { JSONSchema } from './route.ts';

type Props = Record<string, JSONSchema>;

/** An object with exactly these fields: `required` always there, `optional` when they apply. */
export function obj(required: Props, optional: Props = {}, title?: string): JSONSchema {
  return {
    type: 'object',
    ...(title ? { title } : {}),
    additionalProperties: false,
    required: Object.keys(required),
    properties: { ...required, ...optional },
  };
}

const ref = (name: string): JSONSchema => ({ $ref: `#/components/schemas/${name}` });
const str = { type: 'string' } as const;
const int = { type: 'integer' } as const;
const num = { type: 'number' } as const;
const bool = { type: 'boolean' } as const;
const anyObject = { type: 'object' } as const;
/** A form as the definition language writes it (engine/definition/schema.json's Form): its type, in the UI. */
const form = { type: 'object', tsType: 'Form' } as const;
const orNull = (s: JSONSchema): JSONSchema => ({ anyOf: [s, { type: 'null' }] });
const list = (s: JSONSchema): JSONSchema => ({ type: 'array', items: s });
const INSTANCE_STATUS = { enum: ['running', 'done', 'cancelled', 'needs_migration'] } as const;
const ESCALATION_KIND = { enum: ['reminder', 'overdue', 'escalation'] } as const;
const AGES = obj({ '1-5': int, '6-10': int, '11-20': int, '>20': int });
const COUNTS = { overdue: int, dueSoon: int, ages: AGES };

/** A problem of an uploaded file, at its row and column, in both languages. */
const UNIT_FILE_PROBLEM = obj(
  { file: str, row: int, column: int, header: str, code: str, message: obj({ vi: str, en: str }), params: anyObject },
  {},
  'UnitFileProblem',
);

/** A bearer token as listed: never its secret or the secret's hash. */
const TOKEN = { id: str, name: str, createdAt: num, expiresAt: num, access: { enum: ['read', 'write'] }, unitIds: orNull(list(str)), mintedBy: orNull(str) };

const unitFields = { id: str, kind: str, name: str, path: str, depth: int, createdAt: num };
const unitOptional = { parentId: str, levels: list(str), email: str, phone: str, closedAt: num, mergedInto: str };

const TASK_ROW: Props = {
  id: str,
  instanceId: str,
  task: str,
  title: ref('Text'),
  stage: str,
  stageTitle: ref('Text'),
  definitionId: str,
  processTitle: ref('Text'),
  unitId: str,
  unitName: str,
  ownerUnitId: str,
  ownerUnitName: str,
  status: { enum: ['open', 'done', 'skipped', 'closed'] },
  openedAt: num,
  dueAt: orNull(num),
  workingDaysLeft: orNull(int),
};
const TASK_ROW_OPTIONAL: Props = { data: anyObject, completedAt: num, completedBy: orNull(str), completedByName: orNull(str) };

/** The shapes several answers share, by name (their titles name the generated UI types). */
export const COMPONENTS: Record<string, JSONSchema> = {
  Text: obj({ vi: str }, { en: str }, 'Text'),
  OrgUnit: obj(unitFields, unitOptional, 'OrgUnit'),
  OrgUnitWithChildren: obj({ ...unitFields, childCount: int }, unitOptional, 'OrgUnitWithChildren'),
  InstanceSummary: obj(
    { id: str, definitionId: str, definitionVersion: int, orgUnitId: str, status: INSTANCE_STATUS, stages: list(str), rev: int },
    { dueAt: num },
    'InstanceSummary',
  ),
  InstanceRow: obj(
    {
      id: str,
      definitionId: str,
      definitionVersion: int,
      title: ref('Text'),
      orgUnitId: str,
      unitName: str,
      campaignId: orNull(str),
      status: INSTANCE_STATUS,
      stages: list(str),
      stageTitles: list(ref('Text')),
      dueAt: orNull(num),
      overdue: bool,
    },
    {},
    'InstanceRow',
  ),
  TaskRow: obj(TASK_ROW, TASK_ROW_OPTIONAL, 'TaskRow'),
  /** An item of "Việc của tôi": a task, or a stage whose next step is an event (kind "stage"). */
  WorkItem: obj(
    {
      ...TASK_ROW,
      kind: { enum: ['task', 'stage'] },
      officeId: orNull(str),
      officeName: orNull(str),
      events: list(obj({ type: str, title: ref('Text') })),
    },
    TASK_ROW_OPTIONAL,
    'WorkItem',
  ),
  /** A filter value and how many items it would show. */
  Facet: obj({ id: str, title: ref('Text'), count: int }, {}, 'Facet'),
  EscalationRow: obj(
    {
      id: str,
      instanceId: str,
      orgUnitId: str,
      unitName: str,
      definitionId: str,
      stage: str,
      stageTitle: ref('Text'),
      kind: ESCALATION_KIND,
      firedAt: num,
      notified: list(obj({ role: str, unitId: str })),
      acknowledgedBy: orNull(str),
      /** The full name of who acknowledged it (acknowledgedBy is their login). */
      acknowledgedByName: orNull(str),
      acknowledgedAt: orNull(num),
    },
    {},
    'EscalationRow',
  ),
  CampaignRow: obj(
    {
      id: str,
      definitionId: str,
      definitionVersion: int,
      rootUnitId: str,
      rootUnitName: str,
      title: ref('Text'),
      kinds: list(str),
      status: { enum: ['running', 'done', 'cancelled'] },
      total: int,
      started: int,
      createdAt: num,
    },
    {
      createdBy: str,
      createdByName: str,
      reason: str,
      anchors: { type: 'object', additionalProperties: str },
      levels: list(str),
      depth: { enum: ['children', 'descendants'] },
      /** How many units it names one by one (a sample); the codes are not listed here. */
      namedUnits: int,
      /** Launched also over units already running the process (they are skipped otherwise). */
      includeRunning: { type: 'boolean' },
      /** A fan-out: the office's instance and stage that opened it. */
      parent: obj({ instanceId: str, stage: str, seq: int }, { cutoffAt: num }),
    },
    'CampaignRow',
  ),
  Diagnostic: obj(
    { line: int, column: int, severity: { enum: ['error', 'warning'] }, code: str, message: str },
    { pointer: str, text: ref('Text') },
    'Diagnostic',
  ),
  HistoryEntry: obj(
    // actor: the login history keeps; actorName: the person's full name ("Hệ thống" for the engine)
    { instanceId: str, rev: int, at: num, actor: str, actorName: str, eventType: str, fromStages: list(str), toStages: list(str) },
    { payload: anyObject },
    'HistoryEntry',
  ),
  TimelineTask: obj(
    {
      id: str,
      instanceId: str,
      stage: str,
      stageSeq: int,
      task: str,
      title: ref('Text'),
      ownerRole: str,
      ownerUnitId: str,
      ownerUnitPath: str,
      status: { enum: ['open', 'done', 'skipped', 'closed'] },
      openedAt: num,
    },
    { data: anyObject, completedBy: str, completedByName: str, completedAt: num, dueAt: num },
    'TimelineTask',
  ),
  InboxItem: obj(
    { id: int, unitId: str, role: str, kind: str, message: ref('Text'), createdAt: num },
    { instanceId: str, escalationId: str, readAt: num },
    'InboxItem',
  ),
  Evidence: obj({ id: str, title: ref('Text'), required: bool, checked: bool }, {}, 'Evidence'),
  Attachment: obj(
    // uploadedByName: the sender's full name; canRemove: the caller sent it and its task is open
    { id: str, instanceId: str, stage: str, name: str, type: str, size: int, sha256: str, uploadedBy: str, uploadedByName: str, at: num, canRemove: bool },
    { taskId: str, task: str, evidenceItem: str },
    'Attachment',
  ),
  Comment: obj({ id: int, stage: str, text: str, at: num, authorName: str, mine: bool }, {}, 'Comment'),
  BoardCounts: obj(COUNTS, {}, 'BoardCounts'),
  CohortReport: obj(
    {
      matched: int,
      changed: int,
      excluded: int,
      dryRun: bool,
      // Each instance says what changed (or would): the operation's own fields beside these.
      instances: list({
        type: 'object',
        required: ['instanceId', 'orgUnitId', 'unitName', 'definitionId', 'definitionVersion', 'activeStages', 'stageTitles'],
        properties: {
          instanceId: str,
          orgUnitId: str,
          unitName: str,
          definitionId: str,
          definitionVersion: int,
          activeStages: list(str),
          // The titles of the stages it names (active, and a migration's new ones).
          stageTitles: { type: 'object', additionalProperties: ref('Text') },
          // An extension's: the new deadline is already past.
          stillOverdue: bool,
          dueBefore: num,
          dueAfter: num,
          // A migration's stages after it.
          to: list(str),
          error: obj({ code: str, message: str }),
          excluded: obj({ code: str, message: str }, { stages: list(obj({ stage: str, role: str })) }),
        },
      }),
    },
    { stillOverdue: int },
    'CohortReport',
  ),
  User: obj(
    {
      id: str,
      login: str,
      name: str,
      mustChangePassword: bool,
      grants: list(obj({ role: { enum: ['admin', 'supervisor', 'staff'] }, unitId: str, unitName: str, unitKind: orNull(str), unitPath: str })),
    },
    {},
    'User',
  ),
};

const USER_ROW = {
  id: str,
  login: str,
  name: str,
  email: orNull(str),
  phone: orNull(str),
  unitId: orNull(str),
  unitName: orNull(str),
  unitPath: orNull(str),
  active: bool,
  mustChangePassword: bool,
  createdAt: num,
};
COMPONENTS.UserRow = obj(USER_ROW, {}, 'UserRow');
COMPONENTS.UserDetail = obj(
  {
    ...USER_ROW,
    grants: list(obj({ role: { enum: ['admin', 'supervisor', 'staff'] }, unitId: str, unitName: str, unitKind: orNull(str), unitPath: str })),
  },
  {},
  'UserDetail',
);

/** Answers by name: each route's `answer` is one of these (or a file, or nothing). */
export const ANSWERS = {
  signedIn: obj({ user: ref('User'), csrfToken: str }, {}, 'SignedIn'),
  me: obj({ user: ref('User'), csrfToken: orNull(str), unreadInbox: int }, {}, 'Me'),
  token: obj({ ...TOKEN, token: str }, {}, 'IssuedToken'),
  tokens: obj({ items: list(obj({ ...TOKEN, current: bool })) }, {}, 'TokenList'),
  passwordChanged: obj({ revokedTokens: int }, {}, 'PasswordChanged'),
  oidc: obj({ enabled: bool, label: orNull(str) }, {}, 'OidcSignIn'),
  health: obj({ status: { enum: ['ok'] } }, {}, 'Health'),
  ready: obj({ store: { enum: ['ok', 'down'] }, queue: { enum: ['ok', 'down'] } }, {}, 'Ready'),
  orgUnits: obj({ items: list(ref('OrgUnitWithChildren')) }, {}, 'OrgUnitList'),
  reshape: obj(
    {
      dryRun: bool,
      applied: bool,
      problems: list(obj({ index: int, code: str, message: str }, { source: obj({}, { row: int, column: str }), params: anyObject }, 'ReshapeProblem')),
      added: list(obj({ id: str, name: str, kind: str }, { parentId: str })),
      updated: list(obj({ id: str, changes: anyObject })),
      moved: list(obj({ id: str, name: str, toParentId: str, units: int }, { fromParentId: str })),
      merged: list(obj({ id: str, name: str, intoId: str, intoName: str })),
      closed: list(obj({ id: str, name: str, units: int })),
      touches: obj({ runningInstances: int, openTasks: int, pendingEscalations: int, grants: int, sampleInstanceIds: list(str) }),
    },
    {},
    'ReshapeReport',
  ),
  unitImport: obj(
    {
      file: str,
      rows: int,
      dryRun: bool,
      applied: bool,
      needsReason: bool,
      problems: list(UNIT_FILE_PROBLEM),
      problemCount: int,
      summary: orNull(
        obj(
          {
            counts: obj({ added: int, renamed: int, updated: int, moved: int, closed: int }),
            added: list(obj({ id: str, name: str, kind: str }, { parentId: str })),
            renamed: list(obj({ id: str, from: str, to: str })),
            updated: list(obj({ id: str, fields: list(str) })),
            moved: list(obj({ id: str, name: str, to: str }, { from: str })),
            closed: list(obj({ id: str, name: str })),
          },
          {},
          'ImportSummary',
        ),
      ),
      touches: orNull(obj({ runningInstances: int, openTasks: int, pendingEscalations: int, grants: int, sampleInstanceIds: list(str) })),
    },
    {},
    'UnitImport',
  ),
  audit: obj(
    {
      items: list(
        obj(
          { id: int, at: num, actorId: str, actorLogin: str, actorName: str, unitPath: str, action: str, target: str },
          { unitId: str, reason: str, details: anyObject },
          'AuditEntry',
        ),
      ),
      next: orNull(int),
    },
    {},
    'AuditLog',
  ),
  orgUnit: obj({ unit: ref('OrgUnit'), ancestors: list(ref('OrgUnit')), children: list(ref('OrgUnitWithChildren')) }, {}, 'OrgUnitDetail'),
  definitions: obj(
    {
      items: list(
        obj({
          id: str,
          title: ref('Text'),
          latest: int,
          mayPublish: bool,
          versions: list(obj({ version: int, publishedAt: num }, { publishedBy: str, publishedByName: str })),
        }),
      ),
    },
    {},
    'DefinitionList',
  ),
  definitionVersion: obj(
    { id: str, version: int, source: str, hash: str, title: ref('Text'), publishedAt: num, diagram: orNull(obj({ mermaid: str })) },
    { publishedBy: str, publishedByName: str, stages: list(obj({ id: str, title: ref('Text'), kind: str, hasDue: bool })) },
    'DefinitionVersion',
  ),
  validation: obj({ valid: bool, diagnostics: list(ref('Diagnostic')) }, { id: str, version: int, diagram: obj({ mermaid: str }) }, 'Validation'),
  impact: obj(
    {
      id: str,
      version: int,
      running: int,
      byVersion: list(obj({ version: int, count: int })),
      stages: list(obj({ stage: str, title: ref('Text'), count: int, exists: bool })),
    },
    {},
    'Impact',
  ),
  published: obj({ id: str, version: int, hash: str, created: bool, diagnostics: list(ref('Diagnostic')) }, {}, 'Published'),
  campaigns: obj({ items: list(ref('CampaignRow')) }, {}, 'CampaignList'),
  campaignLaunched: obj({ campaign: ref('CampaignRow') }, { skippedRunning: int }, 'CampaignLaunched'),
  campaignPreview: obj({ total: int, toStart: int, skippedRunning: int, skipped: list(obj({ id: str, name: str })) }, {}, 'CampaignPreview'),
  campaign: obj(
    { campaign: ref('CampaignRow'), byStage: list(obj({ stage: str, title: ref('Text'), count: int })), overdue: int, done: int },
    { running: int, notStarted: int, skippedRunning: int },
    'CampaignDetail',
  ),
  instances: obj({ items: list(ref('InstanceRow')) }, { next: str }, 'InstanceList'),
  timeline: obj(
    {
      instance: obj(
        {
          id: str,
          definitionId: str,
          definitionVersion: int,
          xstateVersion: str,
          orgUnitId: str,
          status: INSTANCE_STATUS,
          rev: int,
          stages: list(str),
          enteredAt: num,
          createdAt: num,
          updatedAt: num,
        },
        { campaignId: str, dueAt: num },
      ),
      title: ref('Text'),
      unit: ref('OrgUnit'),
      canAct: bool,
      stageTitles: { type: 'object', additionalProperties: ref('Text') },
      stages: list(
        obj({
          id: str,
          title: ref('Text'),
          legalBasis: list(str),
          enteredAt: orNull(num),
          dueAt: orNull(num),
          workingDaysLeft: orNull(int),
          canAct: bool,
          accepts: list(obj({ type: str, title: ref('Text'), form: orNull(form) })),
          evidence: list(obj({ id: str, title: ref('Text'), required: bool, checked: bool })),
        }),
      ),
      history: list(ref('HistoryEntry')),
      tasks: list(ref('TimelineTask')),
      escalations: list(ref('EscalationRow')),
      openedBy: orNull(obj({ instanceId: str, title: ref('Text'), unitName: str, stageTitle: ref('Text') })),
    },
    {
      // Anchor dates (the visit day…): value, the stages they move, whether the caller may set them.
      anchors: list(obj({ name: str, title: ref('Text'), value: orNull(str), stages: list(obj({ id: str, title: ref('Text') })), canSet: bool })),
    },
    'Timeline',
  ),
  instanceSummary: ref('InstanceSummary'),
  unitList: obj(
    {
      file: str,
      unitIds: list(str),
      units: list(obj({ id: str, name: str, kind: str })),
      problems: list(UNIT_FILE_PROBLEM),
      problemCount: int,
    },
    {},
    'UnitList',
  ),
  children: obj(
    {
      instanceId: str,
      stages: list(
        obj(
          {
            stage: str,
            stageTitle: ref('Text'),
            seq: int,
            campaignId: str,
            process: str,
            processTitle: ref('Text'),
            open: bool,
            total: int,
            done: int,
            pending: int,
            cancelled: int,
            late: int,
            rollup: {
              type: 'object',
              additionalProperties: obj(
                { count: int, sum: num, values: { type: 'object', additionalProperties: list(str) } },
                { title: ref('Text'), min: num, max: num, valueTitles: { type: 'object', additionalProperties: ref('Text') } },
              ),
            },
            children: list(
              obj(
                {
                  unitId: str,
                  unitName: str,
                  instanceId: str,
                  status: INSTANCE_STATUS,
                  stages: list(str),
                  stageTitles: list(ref('Text')),
                  late: bool,
                  figures: anyObject,
                },
                { dueAt: num, finishedAt: num },
              ),
            ),
            truncated: bool,
          },
          { cutoffAt: num },
        ),
      ),
    },
    {},
    'FanOutList',
  ),
  myTasks: obj(
    {
      items: list(ref('WorkItem')),
      total: int,
      offset: int,
      limit: int,
      facets: obj({
        units: list(ref('Facet')),
        offices: list(ref('Facet')),
        processes: list(ref('Facet')),
        stages: list(ref('Facet')),
        due: obj({ all: int, overdue: int, soon: int }),
      }),
      asOf: num,
      /** "Due soon" is within this many working days (amber). */
      soonWorkingDays: int,
      /** More open tasks than one list holds: the rest are not in it (said, never silent). */
      truncated: bool,
    },
    { daysOff: list(obj({ date: str, kind: str, name: ref('Text') })) },
    'TaskList',
  ),
  task: obj(
    {
      task: ref('TaskRow'),
      description: orNull(ref('Text')),
      form: orNull(form),
      /** Form fields filled in from the units' answers below (the roll-up), for an open task. */
      prefill: anyObject,
      evidence: list(ref('Evidence')),
      stage: obj({ id: str, title: ref('Text'), legalBasis: list(str), dueAt: orNull(num), workingDaysLeft: orNull(int) }),
      instance: ref('InstanceSummary'),
      canAct: bool,
      canReopen: bool,
      returned: orNull(
        obj(
          {
            kind: { enum: ['returned', 'reopened'] },
            by: str,
            byName: str,
            at: num,
            eventTitle: orNull(ref('Text')),
            fromStageTitle: orNull(ref('Text')),
            fields: list(obj({ name: str, title: ref('Text'), valueTitle: orNull(ref('Text')) }, { value: {} })),
            reason: orNull(str),
          },
          {},
          'ReturnedNote',
        ),
      ),
      prefilledFromEarlier: bool,
    },
    {},
    'TaskDetail',
  ),
  cohort: ref('CohortReport'),
  board: obj(
    {
      root: ref('OrgUnit'),
      asOf: num,
      soonWorkingDays: int,
      totals: ref('BoardCounts'),
      byUnit: list(obj({ unitId: str, name: str, ...COUNTS })),
      byStage: list(obj({ definitionId: str, stage: str, title: ref('Text'), processTitle: ref('Text'), ...COUNTS })),
      escalations: obj({ total: int, unacknowledged: int }),
    },
    {},
    'Board',
  ),
  overdueList: obj(
    {
      root: ref('OrgUnit'),
      asOf: num,
      /** How many are late; `items` stops at the limit asked. */
      total: int,
      items: list(
        obj(
          {
            instanceId: str,
            unitId: str,
            unitName: str,
            unitPath: str,
            officeId: orNull(str),
            officeName: orNull(str),
            definitionId: str,
            processTitle: ref('Text'),
            stages: list(str),
            stageTitles: list(ref('Text')),
            dueAt: num,
            daysLate: int,
          },
          {},
          'OverdueItem',
        ),
      ),
    },
    {},
    'OverdueList',
  ),
  reminded: obj(
    {
      sent: int,
      items: list(obj({ instanceId: str, sent: bool }, { code: str, params: anyObject }, 'RemindOutcome')),
    },
    {},
    'Reminded',
  ),
  acknowledgedMany: obj(
    { items: list(obj({ id: str, acknowledged: bool, escalation: ref('EscalationRow') }, {}, 'AcknowledgeOutcome')) },
    {},
    'AcknowledgedMany',
  ),
  escalations: obj({ items: list(ref('EscalationRow')) }, {}, 'EscalationList'),
  acknowledged: obj({ escalation: ref('EscalationRow') }, {}, 'Acknowledged'),
  inbox: obj({ items: list(ref('InboxItem')), unread: int }, {}, 'Inbox'),
  unread: obj({ unread: int }, {}, 'Unread'),
  users: obj({ items: list(ref('UserRow')), total: int }, { next: str }, 'UserList'),
  user: ref('UserDetail'),
  /** A generated one-time password is answered here, once (never stored but as a hash). */
  userWithPassword: obj({ user: ref('UserDetail') }, { oneTimePassword: str }, 'UserWithPassword'),
  bulkAccounts: obj(
    {
      dryRun: bool,
      created: int,
      skipped: list(obj({ unitId: str, unitName: str, reason: { enum: ['HAS_STAFF_ACCOUNT'] } })),
      accounts: list(obj({ unitId: str, unitName: str, login: str, name: str }, { userId: str, oneTimePassword: str })),
    },
    {},
    'BulkAccounts',
  ),
  attachments: obj({ items: list(ref('Attachment')), maxBytes: int, maxPerInstance: int }, {}, 'AttachmentList'),
  /** `renamed`: the name's extension disagreed with the content, and the content's was given. */
  attached: obj({ attachment: ref('Attachment'), renamed: bool }, {}, 'Attached'),
  comments: obj({ stage: obj({ id: str, title: ref('Text') }), items: list(ref('Comment')), canWrite: bool, maxLength: int }, {}, 'CommentThread'),
  commented: obj({ comment: ref('Comment') }, {}, 'Commented'),
  allComments: obj({ items: list(ref('Comment')), stageTitles: { type: 'object', additionalProperties: ref('Text') } }, {}, 'InstanceComments'),
} satisfies Record<string, JSONSchema>;

export type AnswerName = keyof typeof ANSWERS;
