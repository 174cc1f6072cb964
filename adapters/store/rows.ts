// Rows ↔ domain records, in one place: snake_case columns, JSON as text, instants as epoch-ms
// bigints (which pg hands back as strings), NULL for an absent optional field.
import type { Campaign, Escalation, HistoryEntry, InboxItem, Instance, OrgUnit, OutboxMessage, PublishedDefinition, Task, Timer } from '../../engine/domain.ts';

type Row = Record<string, any>;

const num = (v: unknown): number => Number(v);
const optNum = (v: unknown): number | undefined => (v === null || v === undefined ? undefined : Number(v));
const optStr = (v: unknown): string | undefined => (v === null || v === undefined ? undefined : String(v));
const json = <T>(v: unknown): T => JSON.parse(String(v)) as T;
const optJson = <T>(v: unknown): T | undefined => (v === null || v === undefined ? undefined : json<T>(v));
const text = (v: unknown): string | null => (v === undefined ? null : JSON.stringify(v));

/** Drops keys whose value is undefined, so records carry absent fields as absent, not undefined. */
function defined<T extends object>(o: T): T {
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] === undefined) delete o[k];
  return o;
}

export const unitRow = (u: OrgUnit): Row => ({
  id: u.id,
  parent_id: u.parentId ?? null,
  kind: u.kind,
  name: u.name,
  path: u.path,
  depth: u.depth,
  levels: text(u.levels),
  email: u.email ?? null,
  phone: u.phone ?? null,
  closed_at: u.closedAt ?? null,
  merged_into: u.mergedInto ?? null,
  created_at: u.createdAt,
});
export const toUnit = (r: Row): OrgUnit =>
  defined({
    id: r.id,
    parentId: optStr(r.parent_id),
    kind: r.kind,
    name: r.name,
    path: r.path,
    depth: num(r.depth),
    levels: optJson<string[]>(r.levels),
    lists: optJson<Record<string, string[]>>(r.lists),
    email: optStr(r.email),
    phone: optStr(r.phone),
    closedAt: r.closed_at == null ? undefined : num(r.closed_at),
    mergedInto: optStr(r.merged_into),
    createdAt: num(r.created_at),
  });

export const definitionRow = (d: PublishedDefinition, compiled: string): Row => ({
  id: d.id,
  version: d.version,
  source: d.source,
  compiled,
  hash: d.hash,
  title: text(d.title),
  published_by: d.publishedBy ?? null,
  published_at: d.publishedAt,
  owner_unit_id: d.ownerUnitId ?? null,
});
export const toDefinition = (r: Row): PublishedDefinition =>
  defined({
    id: r.id,
    version: num(r.version),
    source: r.source,
    hash: r.hash,
    title: optJson(r.title) ?? { vi: r.id, en: r.id },
    publishedBy: optStr(r.published_by),
    publishedAt: num(r.published_at),
    ownerUnitId: optStr(r.owner_unit_id),
  });

export const instanceRow = (i: Instance): Row => ({
  id: i.id,
  definition_id: i.definitionId,
  definition_version: i.definitionVersion,
  xstate_version: i.xstateVersion,
  org_unit_id: i.orgUnitId,
  unit_path: i.unitPath,
  campaign_id: i.campaignId ?? null,
  status: i.status,
  snapshot: JSON.stringify(i.state.snapshot),
  rev: i.rev,
  stages: JSON.stringify(i.stages),
  // Everything of the state but the snapshot: entries, seq, and what later versions added (fan-outs…).
  stage_entries: JSON.stringify(stateBesidesSnapshot(i.state)),
  entered_at: i.enteredAt,
  due_at: i.dueAt ?? null,
  created_at: i.createdAt,
  updated_at: i.updatedAt,
});
/**
 * The columns an update of an instance sets, with their PostgreSQL types (grouped updates send them as
 * untyped VALUES). Its identity, unit, campaign and creation never change once it is started; left
 * out, SQLite does not rewrite the index entries that hold them (the unique key, the unit's, the
 * campaign's, the subtree's) on every event.
 */
export const INSTANCE_UPDATED: readonly (readonly [column: string, pgType: string])[] = [
  ['definition_version', 'integer'],
  ['xstate_version', 'varchar'],
  ['status', 'varchar'],
  ['snapshot', 'text'],
  ['rev', 'integer'],
  ['stages', 'text'],
  ['stage_entries', 'text'],
  ['entered_at', 'bigint'],
  ['due_at', 'bigint'],
  ['updated_at', 'bigint'],
];
/** What an update of the instance sets. */
export const instanceUpdate = (i: Instance): Row => {
  const row = instanceRow(i);
  return Object.fromEntries(INSTANCE_UPDATED.map(([c]) => [c, row[c]]));
};
export const toInstance = (r: Row): Instance => {
  const entries = json<Omit<Instance['state'], 'snapshot'>>(r.stage_entries);
  return defined({
    id: r.id,
    definitionId: r.definition_id,
    definitionVersion: num(r.definition_version),
    xstateVersion: r.xstate_version,
    orgUnitId: r.org_unit_id,
    unitPath: r.unit_path,
    campaignId: optStr(r.campaign_id),
    status: r.status,
    state: { ...entries, snapshot: json(r.snapshot) },
    rev: num(r.rev),
    stages: json<string[]>(r.stages),
    enteredAt: num(r.entered_at),
    dueAt: optNum(r.due_at),
    createdAt: num(r.created_at),
    updatedAt: num(r.updated_at),
  });
};

export const taskRow = (t: Task): Row => ({
  id: t.id,
  instance_id: t.instanceId,
  stage: t.stage,
  stage_seq: t.stageSeq,
  task: t.task,
  owner_role: t.ownerRole,
  owner_unit_id: t.ownerUnitId,
  owner_unit_path: t.ownerUnitPath,
  status: t.status,
  data: text(t.data),
  completed_by: t.completedBy ?? null,
  completed_at: t.completedAt ?? null,
  opened_at: t.openedAt,
  due_at: t.dueAt ?? null,
});
export const toTask = (r: Row): Task =>
  defined({
    id: r.id,
    instanceId: r.instance_id,
    stage: r.stage,
    stageSeq: num(r.stage_seq),
    task: r.task,
    ownerRole: r.owner_role,
    ownerUnitId: r.owner_unit_id,
    ownerUnitPath: r.owner_unit_path,
    status: r.status,
    data: optJson<Record<string, unknown>>(r.data),
    completedBy: optStr(r.completed_by),
    completedAt: optNum(r.completed_at),
    openedAt: num(r.opened_at),
    dueAt: optNum(r.due_at),
  });

export const historyRow = (h: HistoryEntry): Row => ({
  instance_id: h.instanceId,
  rev: h.rev,
  at: h.at,
  actor: h.actor,
  event_type: h.eventType,
  payload: text(h.payload),
  from_stages: JSON.stringify(h.fromStages),
  to_stages: JSON.stringify(h.toStages),
});
export const toHistory = (r: Row): HistoryEntry =>
  defined({
    instanceId: r.instance_id,
    rev: num(r.rev),
    at: num(r.at),
    actor: r.actor,
    eventType: r.event_type,
    payload: optJson<Record<string, unknown>>(r.payload),
    fromStages: json<string[]>(r.from_stages),
    toStages: json<string[]>(r.to_stages),
  });

export const timerRow = (t: Timer): Row => ({
  id: t.id,
  instance_id: t.instanceId,
  stage: t.stage,
  stage_seq: t.stageSeq,
  arm: t.arm,
  kind: t.kind,
  step: t.step,
  fire_at: t.fireAt,
  status: t.status,
  fired_at: t.firedAt ?? null,
});
export const toTimer = (r: Row): Timer =>
  defined({
    id: r.id,
    instanceId: r.instance_id,
    stage: r.stage,
    stageSeq: num(r.stage_seq),
    arm: num(r.arm),
    kind: r.kind,
    step: num(r.step),
    fireAt: num(r.fire_at),
    status: r.status,
    firedAt: optNum(r.fired_at),
  });

export const outboxRow = (m: OutboxMessage): Row => ({
  instance_id: m.instanceId ?? null,
  kind: m.kind,
  payload: JSON.stringify(m.payload),
  created_at: m.createdAt,
});
export const toOutbox = (r: Row): OutboxMessage =>
  defined({ id: num(r.id), instanceId: optStr(r.instance_id), kind: r.kind, payload: json(r.payload), createdAt: num(r.created_at) }) as OutboxMessage;

export const escalationRow = (e: Escalation): Row => ({
  id: e.id,
  instance_id: e.instanceId,
  unit_path: e.unitPath,
  stage: e.stage,
  kind: e.kind,
  fired_at: e.firedAt,
  notified: JSON.stringify(e.notified),
});
export const toEscalation = (r: Row): Escalation =>
  defined({
    id: r.id,
    instanceId: r.instance_id,
    unitPath: r.unit_path,
    stage: r.stage,
    kind: r.kind,
    firedAt: num(r.fired_at),
    notified: json(r.notified),
    acknowledgedBy: optStr(r.acknowledged_by),
    acknowledgedAt: optNum(r.acknowledged_at),
  });

export const inboxRow = (i: InboxItem): Row => ({
  unit_id: i.unitId,
  role: i.role,
  instance_id: i.instanceId ?? null,
  escalation_id: i.escalationId ?? null,
  kind: i.kind,
  message: JSON.stringify(i.message),
  created_at: i.createdAt,
  read_at: i.readAt ?? null,
});
export const toInbox = (r: Row): InboxItem =>
  defined({
    id: num(r.id),
    unitId: r.unit_id,
    role: r.role,
    instanceId: optStr(r.instance_id),
    escalationId: optStr(r.escalation_id),
    kind: r.kind,
    message: json(r.message),
    createdAt: num(r.created_at),
    readAt: optNum(r.read_at),
  });

function stateBesidesSnapshot(state: Instance['state']): Omit<Instance['state'], 'snapshot'> {
  const { snapshot: _snapshot, ...rest } = state;
  return rest;
}

export const campaignRow = (c: Campaign): Row => ({
  id: c.id,
  definition_id: c.definitionId,
  definition_version: c.definitionVersion,
  root_unit_id: c.rootUnitId,
  kinds: JSON.stringify(c.kinds),
  status: c.status,
  total: c.total,
  started: c.started,
  created_by: c.createdBy ?? null,
  reason: c.reason ?? null,
  anchors: text(c.anchors),
  levels: c.levels?.length ? JSON.stringify(c.levels) : null,
  lists: c.lists && Object.keys(c.lists).length ? JSON.stringify(c.lists) : null,
  unit_ids: c.unitIds?.length ? JSON.stringify(c.unitIds) : null,
  depth: c.depth ?? null,
  parent_instance_id: c.parent?.instanceId ?? null,
  parent_stage: c.parent?.stage ?? null,
  parent_seq: c.parent?.seq ?? null,
  cutoff_at: c.parent?.cutoffAt ?? null,
  include_running: c.includeRunning ? true : null,
  created_at: c.createdAt,
});
export const toCampaign = (r: Row): Campaign =>
  defined({
    id: r.id,
    definitionId: r.definition_id,
    definitionVersion: num(r.definition_version),
    rootUnitId: r.root_unit_id,
    kinds: json<string[]>(r.kinds),
    status: r.status,
    total: num(r.total),
    started: num(r.started),
    createdBy: optStr(r.created_by),
    reason: optStr(r.reason),
    anchors: optJson<Record<string, string>>(r.anchors),
    levels: optJson<string[]>(r.levels),
    lists: optJson<Record<string, string[]>>(r.lists),
    unitIds: optJson<string[]>(r.unit_ids),
    depth: optStr(r.depth) as Campaign['depth'],
    // SQLite gives 1, PostgreSQL true
    includeRunning: r.include_running ? true : undefined,
    parent: r.parent_instance_id
      ? defined({ instanceId: r.parent_instance_id, stage: r.parent_stage, seq: num(r.parent_seq), cutoffAt: optNum(r.cutoff_at) })
      : undefined,
    createdAt: num(r.created_at),
  });
