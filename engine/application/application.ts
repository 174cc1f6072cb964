// The application layer: the only thing adapters call. Every command and query takes the acting
// principal, asks the rule table (policy.ts) once, runs the engine, and answers the shape people read
// (views.ts). HTTP routes validate a request, call one method here and map the answer; `tiendo
// simulate` and the library loader call the same methods as the system principal. Idempotency-Key
// is handled here for every command (engine/service/idempotency.ts).
import type { Ability } from '../access.ts';
import { calendarRanges } from '../calendar/calendar.ts';
import { addDays, DAY_MS, instantAt, localDateOf } from '../calendar/time.ts';
import { ENGINE_SENT_EVENTS } from '../definition/model.ts';
import { readField } from '../definition/conditions.ts';
import { ENGINE_EVENTS, eventTitle, type CompiledProcess } from '../definition/compile.ts';
import { answerTitle } from '../definition/forms.ts';
import type { FormField, Text } from '../definition/types.generated.ts';
import type { AuditAction, Campaign, Instance, InstanceStatus, OrgUnit, Task } from '../domain.ts';
import { EngineError } from '../errors.ts';
import type { Accounts, AuditLog, InstanceFilter, Passwords } from '../ports.ts';
import { countSkipped, createCampaign, previewCampaign, scopeOf, type CampaignInput } from '../service/campaigns.ts';
import { cancelCohort, extendCohort, migrateCohort, reassignCohort, type CohortReport, type CohortScope } from '../service/cohort.ts';
import { summary, type CommandOptions, type Engine, type InstanceSummary } from '../service/engine.ts';
import { once, type IdempotencyKey, type KeyToCommit } from '../service/idempotency.ts';
import type { UnitInput } from '../service/org.ts';
import { overdueBoard, timeline } from '../service/queries.ts';
import { pathIds, type UnitChain } from '../service/roles.ts';
import {
  actableStages,
  cohortExclusion,
  covers,
  forbidden,
  mayPublish,
  mayWorkTask,
  needs,
  notFound,
  publisherUnit,
  requireStageAct,
  scope,
  stagesAnchoredOn,
  type Principal,
  type StageAct,
} from './policy.ts';
import { summarizeDraft, type DraftSummary } from './drafts.ts';
import { auditEntry, commonPath } from './audit-entry.ts';
import { Organisation, type ReshapeOptions } from './organisation.ts';
import { importUnits } from './unit-import.ts';
import type { ColumnMap, UnitRow, UnitTable } from '../org/unit-file.ts';
import { checkCodeList, codesOf, type CodeList } from '../org/code-list.ts';
import type { OrgOperation, ReshapeReport } from './org-commands.ts';
import { People } from './people.ts';
import { myWork } from './my-work.ts';
import { lastAnswers, whyOpenAgain } from './task-story.ts';
import { SOON_WORKING_DAYS, workPage, type WorkQuery } from './work-list.ts';
import { Files, type FilesDeps } from './files.ts';
import { fanOutViews, type FanOutView } from './fan-out-view.ts';
import { isFanOutId } from '../service/fan-out.ts';
import { overdueList, remind, watchedInstances, type OverdueQuery } from './supervision.ts';
import { escalationRows, instanceRows, personNames, processes, stageTitle, taskRows, workingDaysLeft, type NameLookup } from './views.ts';

export type { Principal } from './policy.ts';
export { systemPrincipal } from './policy.ts';

/** Checks drafts; the HTTP adapter's pool runs them in worker threads, off the event loop, and
 * bounds how many one person has in flight. */
export interface DraftChecker {
  /** Checks a draft for a user; refused (429) when the user or the checker has too many in flight. */
  check(userId: string, source: string, file: string, lang?: 'vi' | 'en'): Promise<DraftSummary>;
}

export interface ApplicationDeps {
  engine: Engine;
  /** Starts a launched campaign's run in the background (the runtime's runner). */
  runCampaignLater?: (campaignId: string, actor: string) => void;
  /** Checks drafts; default: in this process. */
  drafts?: DraftChecker;
  /** Accounts and password hashing: with the audit record, `people` manages accounts. */
  accounts?: Accounts;
  /** The record of administrative acts; without it, nothing is recorded (simulations). */
  audit?: AuditLog;
  passwords?: Passwords;
  /** Attachments and stage comments (files.ts): their records and where their bytes go. */
  files?: FilesDeps;
}

/** Per command: the request's Idempotency-Key. */
export interface Call {
  idempotency?: IdempotencyKey;
}

export type CohortOperation =
  | { op: 'extend'; stage: string; until?: string; workingDays?: number; days?: number }
  | { op: 'reassign'; toUnitId: string; task?: string }
  | { op: 'cancel' }
  | { op: 'migrate'; toVersion: number; stateMap?: Record<string, string> };

export interface CohortFilter {
  /** These instances only (within the caller's units, like everything else). */
  instanceIds?: string[];
  definitionId?: string;
  definitionVersion?: number;
  campaignId?: string;
  unitId?: string;
  stages?: string[];
  /** Only instances past a deadline now. */
  overdue?: boolean;
}

export interface InstanceQuery {
  definitionId?: string;
  campaignId?: string;
  unitId?: string;
  stage?: string;
  status?: InstanceStatus;
  overdue?: boolean;
  limit?: number;
  after?: string;
}

export class Application {
  readonly engine: Engine;
  /** The org tree's reshaping: add, update, move, merge, close (organisation.ts). */
  readonly org: Organisation;
  private readonly deps: ApplicationDeps;

  private readonly accountsPart?: People;
  private readonly filesPart?: Files;
  /** Full names for the logins records keep (views.ts). */
  private readonly names: NameLookup;

  constructor(deps: ApplicationDeps) {
    this.engine = deps.engine;
    this.deps = deps;
    this.org = new Organisation(deps.engine);
    const { accounts, audit, passwords } = deps;
    this.names = personNames(accounts, deps.engine.store);
    if (deps.files) this.filesPart = new Files(deps.engine, deps.files, accounts);
    if (accounts && audit && passwords) this.accountsPart = new People({ accounts, audit, passwords, store: deps.engine.store, clock: deps.engine.clock });
  }

  /** User accounts and their grants (people.ts); there when built with accounts, audit and passwords. */
  get people(): People {
    if (!this.accountsPart) throw new Error('this Application was built without accounts, audit and passwords');
    return this.accountsPart;
  }

  /** Attachments and stage comments (files.ts); there when built with `files`. */
  get files(): Files {
    if (!this.filesPart) throw new Error('this Application was built without files');
    return this.filesPart;
  }

  /** The clock every adapter reads "now" from (sessions, tokens): the engine's. */
  now(): number {
    return this.engine.clock.now();
  }

  // ── who I am ────────────────────────────────────────────────────────────────────────────────

  /** The caller, their grants with unit names, and their unread notices. */
  async me(p: Principal) {
    const units = new Map((await this.engine.store.getUnits(p.grants.map((g) => g.unitId))).map((u) => [u.id, u]));
    return {
      user: {
        id: p.user.id,
        login: p.user.login,
        name: p.user.name,
        grants: p.grants.map((g) => ({
          role: g.role,
          unitId: g.unitId,
          unitName: units.get(g.unitId)?.name ?? g.unitId,
          unitKind: units.get(g.unitId)?.kind ?? null,
          unitPath: g.unitPath,
        })),
      },
      unreadInbox: await this.engine.queries.countUnread(p.grants.map((g) => g.unitId)),
    };
  }

  // ── the org tree ────────────────────────────────────────────────────────────────────────────

  /** One unit the caller's roles reach; outside them it does not exist. */
  unit(p: Principal, id: string): Promise<OrgUnit> {
    return this.unitFor(p, id, 'read');
  }

  /** Units directly under a unit, or the caller's grant roots. */
  async orgUnits(p: Principal, parentId?: string) {
    const { store, queries } = this.engine;
    if (parentId) {
      await this.unitFor(p, parentId, 'read');
      return { items: await queries.childUnits(parentId) };
    }
    const units = await store.getUnits(scope(p, 'read').map((path) => pathIds(path).at(-1)!));
    const items = await Promise.all(units.map(async (u) => ({ ...u, childCount: (await queries.childUnits(u.id)).length })));
    return { items: items.sort((a, b) => a.path.localeCompare(b.path)) };
  }

  /** One unit, the chain above it (one's own Sở and Phòng are no secret), and the units directly under it. */
  async orgUnit(p: Principal, id: string) {
    const unit = await this.unitFor(p, id, 'read');
    const chain = await this.engine.chainOf(unit.id);
    return { unit, ancestors: chain.slice(1).reverse(), children: await this.engine.queries.childUnits(unit.id) };
  }

  /** Adds (or renames) org units under units the caller administers (loaders: the system). */
  async addUnits(p: Principal, inputs: readonly UnitInput[]): Promise<OrgUnit[]> {
    for (const parentId of new Set(inputs.map((u) => u.parentId).filter((x): x is string => !!x && !inputs.some((i) => i.id === x))))
      await this.unitFor(p, parentId, 'administer');
    if (inputs.some((u) => !u.parentId) && !covers(p, 'administer', '/'))
      throw forbidden('a unit at the top of the tree needs the system', { ability: 'administer' });
    return this.engine.addUnits(inputs);
  }

  /** Reshapes the tree (organisation.ts): every problem reported, nothing applied unless all pass. */
  async reshape(p: Principal, operations: readonly OrgOperation[], options: ReshapeOptions, call: Call = {}): Promise<ReshapeReport> {
    if (options.dryRun) return this.org.reshape(p, operations, options);
    return this.once(p, call, { reshape: operations, reason: options.reason ?? null }, false, () => this.org.reshape(p, operations, options));
  }

  /** Imports an office's unit list (rows read from CSV or XLSX by an adapter): every problem at its
   * row and column, or the reshape done (or, in a dry run, what it would do). */
  async importUnits(p: Principal, read: { rows: UnitRow[]; columns: ColumnMap }, options: { file: string; dryRun?: boolean; reason?: string }) {
    if (!scope(p, 'administer').length) throw forbidden(`importing units needs ${needs('administer')}`, { ability: 'administer' });
    return importUnits(this.org, p, read, await this.engine.store.allUnits(), options);
  }

  /** The units of a subtree the caller reads (open ones), parents first: what an export writes. */
  async unitsUnder(p: Principal, rootId?: string): Promise<OrgUnit[]> {
    const roots = rootId ? [(await this.unitFor(p, rootId, 'read')).path] : scope(p, 'read');
    // The subtrees' open units a page at a time (the store's range query), not the whole country's.
    const units: OrgUnit[] = [];
    for (const root of roots) {
      for (let afterId: string | undefined; ;) {
        const page = await this.engine.store.unitsUnder(root, { limit: 5_000, ...(afterId ? { afterId } : {}) });
        units.push(...page);
        if (page.length < 5_000) break;
        afterId = page[page.length - 1]!.id;
      }
    }
    return units.sort((a, b) => a.depth - b.depth || a.id.localeCompare(b.id));
  }

  // ── the record of administrative acts ───────────────────────────────────────────────────────

  /** The audit record (nhật ký quản trị) of the caller's subtree, or of one unit's subtree, newest first. */
  async auditLog(p: Principal, q: { unitId?: string; actions?: AuditAction[]; from?: number; to?: number; before?: number; limit?: number }) {
    const roots = q.unitId ? [(await this.unitFor(p, q.unitId, 'administer')).path] : scope(p, 'administer');
    if (!roots.length) throw forbidden(`the audit record needs ${needs('administer')}`, { ability: 'administer' });
    const limit = q.limit ?? 100;
    const items =
      (await this.deps.audit?.list(roots, {
        ...(q.actions?.length ? { action: q.actions } : {}),
        ...(q.from !== undefined ? { from: q.from } : {}),
        ...(q.to !== undefined ? { to: q.to } : {}),
        ...(q.before !== undefined ? { beforeId: q.before } : {}),
        limit: limit + 1,
      })) ?? [];
    return { items: items.slice(0, limit), next: items.length > limit ? (items[limit - 1]!.id ?? null) : null };
  }

  // ── process definitions ─────────────────────────────────────────────────────────────────────

  /** Published processes, each with its versions, and whether the caller may publish the next one. */
  async definitions(p: Principal) {
    const defs = await this.engine.store.listDefinitions();
    const nameOf = await this.names(defs.map((d) => d.publishedBy));
    const owners = new Map(
      (await this.engine.store.getUnits([...new Set(defs.map((d) => d.ownerUnitId).filter((x): x is string => !!x))])).map((u) => [u.id, u]),
    );
    const byId = new Map<
      string,
      {
        id: string;
        title: unknown;
        latest: number;
        mayPublish: boolean;
        versions: { version: number; publishedAt: number; publishedBy?: string; publishedByName?: string }[];
      }
    >();
    for (const d of defs) {
      const owner = d.ownerUnitId ? owners.get(d.ownerUnitId) : undefined;
      const entry = byId.get(d.id) ?? {
        id: d.id,
        title: d.title,
        latest: d.version,
        mayPublish: mayPublish(p, { ...(owner ? { ownerUnitPath: owner.path } : {}) }),
        versions: [],
      };
      entry.versions.push({
        version: d.version,
        publishedAt: d.publishedAt,
        ...(d.publishedBy ? { publishedBy: d.publishedBy, publishedByName: nameOf(d.publishedBy) } : {}),
      });
      if (d.version >= entry.latest) Object.assign(entry, { latest: d.version, title: d.title });
      byId.set(d.id, entry);
    }
    return { items: [...byId.values()] };
  }

  /** One published version (the latest when none is given): its source and its diagram. */
  async definitionVersion(_p: Principal, id: string, version: number | undefined, lang: 'vi' | 'en') {
    // Every signed-in person reads the library (the principal is asked for all the same: one signature).
    const def = await this.engine.store.getDefinition(id, version);
    if (!def)
      throw new EngineError('NOT_FOUND', version === undefined ? `no process "${id}" is published` : `${id} version ${version} is not published`, {
        id,
        version,
      });
    // A published version compiled once already: checked here, not in the drafts' threads.
    const { mermaid } = summarizeDraft(def.source, `${def.id}.yaml`, calendarRanges(this.engine.catalog.calendars), lang);
    const { ownerUnitId: _o, ...rest } = def;
    const nameOf = await this.names([def.publishedBy]);
    const compiled = await this.engine.catalog.get(def.id, def.version);
    return {
      ...rest,
      ...(def.publishedBy ? { publishedByName: nameOf(def.publishedBy) } : {}),
      diagram: mermaid !== undefined ? { mermaid } : null,
      // Pickers (a cohort's stages, a migration's state map) choose stages by title.
      stages: Object.values(compiled.stages).map((s) => ({ id: s.id, title: s.title, kind: s.kind, hasDue: s.due !== undefined })),
    };
  }

  /** Checks a draft: located diagnostics, and a diagram when it is valid. Changes nothing. */
  async validateDraft(p: Principal, source: string, lang: 'vi' | 'en') {
    const { valid, diagnostics, id, version, mermaid } = await this.check(p, source, draftFile(source), lang);
    return { valid, diagnostics, ...(valid ? { id: id!, version: version!, diagram: { mermaid: mermaid! } } : {}) };
  }

  /** What publishing a draft would meet: running instances in the caller's units, by version and stage. */
  async impact(p: Principal, source: string) {
    const checked = await this.check(p, source, draftFile(source));
    if (!checked.valid)
      throw new EngineError('DEFINITION_INVALID', 'the draft does not validate; fix its errors first', {
        diagnostics: checked.diagnostics.filter((d) => d.severity === 'error'),
      });
    const compiled = { id: checked.id!, version: checked.version!, stages: new Set(checked.stages) };
    const underPaths = scope(p, 'read');
    const { queries, store } = this.engine;
    const counts = await queries.stageCounts({ definitionId: compiled.id, statuses: ['running', 'needs_migration'], underPaths });
    const byStage = new Map<string, number>();
    let running = 0;
    for (const c of counts) {
      running += c.count;
      for (const stage of c.stages) byStage.set(stage, (byStage.get(stage) ?? 0) + c.count);
    }
    const byVersion: { version: number; count: number }[] = [];
    for (const d of (await store.listDefinitions()).filter((x) => x.id === compiled.id)) {
      const count = await queries.countInstances({
        definitionId: compiled.id,
        definitionVersion: d.version,
        statuses: ['running', 'needs_migration'],
        underPaths,
      });
      if (count) byVersion.push({ version: d.version, count });
    }
    // A stage the draft drops is named by the published versions its instances still run.
    const titles = new Map(Object.entries(checked.stageTitles ?? {}));
    for (const { version } of [...byVersion].reverse()) {
      if ([...byStage.keys()].every((s) => titles.has(s))) break;
      const published = await this.engine.catalog.get(compiled.id, version);
      for (const s of Object.values(published.stages)) if (!titles.has(s.id)) titles.set(s.id, s.title);
    }
    return {
      id: compiled.id,
      version: compiled.version,
      running,
      byVersion,
      stages: [...byStage]
        .map(([stage, count]) => ({ stage, title: titles.get(stage) ?? stageTitle(undefined, stage), count, exists: compiled.stages.has(stage) }))
        .sort((a, b) => Number(a.exists) - Number(b.exists) || b.count - a.count),
    };
  }

  /** Publishes a draft as a new immutable version, for administrators of the unit the process
   * belongs to (a new process: to the publisher's widest administrator grant). */
  async publish(p: Principal, source: string, call: Call = {}, file = draftFile(source)) {
    if (!scope(p, 'administer').length) throw forbidden(`publishing a process needs ${needs('administer')}`, { ability: 'administer' });
    return this.once(p, call, { publish: source }, false, async () => {
      // The catalog compiles the draft once, and asks who may publish it as soon as its id is known.
      const result = await this.engine.catalog.publish(source, file, p.user.login, publisherUnit(p)?.unitId, async (id) => {
        const latest = await this.engine.store.getDefinition(id);
        const owner = latest?.ownerUnitId ? await this.engine.store.getUnit(latest.ownerUnitId) : undefined;
        if (latest && !mayPublish(p, owner ? { ownerUnitPath: owner.path } : {})) {
          throw forbidden(
            `process "${id}" belongs to ${owner && covers(p, 'read', owner.path) ? `unit "${owner.name}"` : 'a unit above or beside yours'}: only its administrators (or those above them) publish its next versions`,
            { id, ability: 'administer' },
          );
        }
      });
      if (result.created) {
        const owner = publisherUnit(p);
        await this.record(p, 'definition.publish', owner ? { id: owner.unitId, path: owner.unitPath } : undefined, `${result.id}`, undefined, {
          version: result.version,
        });
      }
      return { ...result, diagnostics: result.diagnostics.map(({ file: _f, ...d }) => d) };
    });
  }

  // ── campaigns ───────────────────────────────────────────────────────────────────────────────

  async campaigns(p: Principal, limit = 100) {
    return { items: await this.campaignRows(await this.engine.queries.listCampaigns(scope(p, 'read'), limit)) };
  }

  /** Launches a process for every unit of the given kinds under a unit (administrators of that unit);
   * it runs in the background. The campaign names the version it runs. */
  async launchCampaign(p: Principal, input: CampaignInput, call: Call = {}) {
    const root = await this.unitFor(p, input.rootUnitId, 'administer');
    requireOpen(root);
    return this.once(p, call, { campaign: input }, false, async () => {
      // An id another unit's campaign holds is theirs: answered as if it did not exist.
      if (input.id) {
        const taken = await this.engine.store.getCampaign(input.id);
        if (taken) await this.campaignFor(p, taken.id);
      }
      const campaign = await createCampaign(this.engine, input, { actor: p.user.login });
      await this.record(p, 'campaign.launch', root, campaign.id, input.reason, {
        definitionId: campaign.definitionId,
        version: campaign.definitionVersion,
        kinds: campaign.kinds,
        total: campaign.total,
      });
      this.deps.runCampaignLater?.(campaign.id, p.user.login);
      const [row] = await this.campaignRows([campaign]);
      // Counted before the run starts: the units it passes by as already running the process.
      return { campaign: row!, skippedRunning: await countSkipped(this.engine, campaign) };
    });
  }

  /** A launch's dry run (administrators of the root): how many units it reaches and which it would
   * skip because they already run the process. */
  async previewCampaign(p: Principal, input: CampaignInput) {
    requireOpen(await this.unitFor(p, input.rootUnitId, 'administer'));
    return previewCampaign(this.engine, input);
  }

  /** A campaign's progress: started of total, instances by stage, overdue and finished counts. */
  async campaign(p: Principal, id: string) {
    const campaign = await this.campaignFor(p, id);
    const { queries } = this.engine;
    const underPaths = scope(p, 'read');
    const counts = await queries.stageCounts({ campaignId: campaign.id, underPaths });
    const [root] = await this.engine.chainOf(campaign.rootUnitId);
    const { kinds, ...more } = scopeOf(campaign);
    const compiled = (await processes(this.engine, [campaign]))(campaign.definitionId, campaign.definitionVersion);
    const byStage = new Map<string, number>();
    for (const c of counts.filter((x) => x.status === 'running')) for (const s of c.stages) byStage.set(s, (byStage.get(s) ?? 0) + c.count);
    const [row] = await this.campaignRows([campaign]);
    return {
      campaign: row!,
      byStage: [...byStage].map(([stage, count]) => ({ stage, title: stageTitle(compiled, stage), count })),
      overdue: await queries.countInstances({ campaignId: campaign.id, underPaths, dueBefore: this.now() }),
      done: counts.filter((c) => c.status === 'done').reduce((n, c) => n + c.count, 0),
      running: counts.filter((c) => c.status === 'running').reduce((n, c) => n + c.count, 0),
      // Units in scope with no instance of it: skipped (already running the process) or failed.
      notStarted: await this.engine.store.countUnitsUnder(root!.path, kinds, { ...more, missingFor: campaign.id }),
      skippedRunning: await countSkipped(this.engine, campaign),
    };
  }

  /** Every instance of a campaign the caller can read, as rows (for the export). */
  async campaignInstances(p: Principal, id: string) {
    const campaign = await this.campaignFor(p, id);
    const rows = [];
    let afterId: string | undefined;
    for (;;) {
      const page = await this.engine.queries.listInstances(
        { campaignId: campaign.id, underPaths: scope(p, 'read') },
        { limit: 500, ...(afterId ? { afterId } : {}) },
      );
      if (!page.length) break;
      rows.push(...(await instanceRows(this.engine, page)));
      afterId = page.at(-1)!.id;
    }
    return { campaign, rows };
  }

  // ── instances ───────────────────────────────────────────────────────────────────────────────

  async instances(p: Principal, q: InstanceQuery) {
    const unit = q.unitId ? await this.unitFor(p, q.unitId, 'read') : undefined;
    const limit = q.limit ?? 100;
    const page = await this.engine.queries.listInstances(
      {
        underPaths: scope(p, 'read'),
        ...(unit ? { underPath: unit.path } : {}),
        ...(q.definitionId ? { definitionId: q.definitionId } : {}),
        ...(q.campaignId ? { campaignId: q.campaignId } : {}),
        ...(q.stage ? { stages: [q.stage] } : {}),
        ...(q.status ? { statuses: [q.status] } : {}),
        ...(q.overdue ? { dueBefore: this.now() } : {}),
      },
      { limit, ...(q.after ? { afterId: q.after } : {}) },
    );
    return { items: await instanceRows(this.engine, page), ...(page.length === limit ? { next: page.at(-1)!.id } : {}) };
  }

  /** One instance's timeline: active stages with deadlines and what the caller may do in each,
   * history, tasks, escalations. */
  async instance(p: Principal, id: string) {
    await this.instanceFor(p, id);
    const { engine } = this;
    const t = await timeline(engine, id);
    const compiled = await engine.catalog.get(t.instance.definitionId, t.instance.definitionVersion);
    const chain = await engine.chainOf(t.instance.orgUnitId);
    const mine = t.instance.status === 'running' ? actableStages(p, compiled, t.instance, chain) : new Set<string>();
    const { state: _state, unitPath: _p, ...instance } = t.instance;
    const evidence = (t.instance.state.snapshot as { context?: { evidence?: Record<string, Record<string, boolean>> } } | null)?.context?.evidence ?? {};
    return {
      instance,
      title: t.title,
      unit: t.unit,
      /** Whether the caller may act in any active stage now (each stage says for itself). */
      canAct: mine.size > 0,
      stageTitles: Object.fromEntries(Object.values(compiled.stages).map((s) => [s.id, s.title])),
      stages: t.instance.stages.map((s) => {
        const info = compiled.stages[s];
        const entry = t.instance.state.entries[s];
        return {
          id: s,
          title: stageTitle(compiled, s),
          legalBasis: info?.legalBasis.length ? info.legalBasis : compiled.legalBasis,
          enteredAt: entry?.enteredAt ?? null,
          dueAt: entry?.dueAt ?? null,
          workingDaysLeft: workingDaysLeft(engine, compiled, entry?.dueAt),
          canAct: mine.has(s),
          // DUE and CHILDREN_DONE are the engine's own: nobody sends them by hand.
          accepts: (info?.accepts ?? [])
            .filter((e) => !ENGINE_SENT_EVENTS.includes(e))
            .map((type) => ({ type, title: eventTitle(compiled, type) ?? { vi: type, en: type }, form: compiled.events[type]?.form ?? null })),
          evidence: (info?.evidence ?? []).map((e) => ({ ...e, checked: evidence[s]?.[e.id] === true })),
        };
      }),
      ...(await this.namedTimeline(
        t.history.map((h) => withEventLabels(compiled, h)),
        t.tasks,
      )),
      escalations: await escalationRows(engine, t.escalations, this.names),
      /** The office's instance whose stage opened this one (a fan-out), when the reader may read it. */
      openedBy: await this.openedBy(p, t.instance),
      anchors: anchorViews(p, compiled, t.instance, chain),
    };
  }

  /** The parent instance and stage that opened a child instance, for a reader who may read it. */
  private async openedBy(p: Principal, instance: Instance) {
    if (!isFanOutId(instance.campaignId)) return null;
    const parent = (await this.engine.store.getCampaign(instance.campaignId))?.parent;
    if (!parent) return null;
    const [row] = await this.engine.queries.listInstances({ ids: [parent.instanceId], underPaths: scope(p, 'read') }, { limit: 1 });
    if (!row) return null;
    const compiled = await this.engine.catalog.get(row.definitionId, row.definitionVersion);
    const [unit] = await this.engine.store.getUnits([row.orgUnitId]);
    return { instanceId: row.id, title: compiled.title, unitName: unit?.name ?? row.orgUnitId, stageTitle: stageTitle(compiled, parent.stage) };
  }

  /** Sends a process event; the caller must work over the owner of every active stage accepting it. */
  async sendEvent(p: Principal, instanceId: string, event: { type: string; data?: Record<string, unknown> }, call: Call = {}): Promise<InstanceSummary> {
    await this.instanceFor(p, instanceId);
    return this.once(p, call, { instanceId, event }, true, (key) =>
      this.engine.send(instanceId, event, this.command(p, key, { kind: 'event', type: event.type })),
    );
  }

  /** Ticks (or unticks) an evidence item of the stage holding it. */
  async checkEvidence(p: Principal, instanceId: string, item: string, checked: boolean, call: Call = {}): Promise<InstanceSummary> {
    await this.instanceFor(p, instanceId);
    return this.once(p, call, { instanceId, item, checked }, true, (key) =>
      this.engine.checkEvidence(instanceId, item, checked, this.command(p, key, { kind: 'evidence', item })),
    );
  }

  /** Sets (or clears) an anchor date: for those who work over the stages whose deadline it sets. */
  async setAnchor(p: Principal, instanceId: string, name: string, date: string | null, call: Call = {}): Promise<InstanceSummary> {
    await this.instanceFor(p, instanceId);
    return this.once(p, call, { instanceId, name, date }, true, (key) =>
      this.engine.setAnchor(instanceId, name, date, this.command(p, key, { kind: 'anchor', name })),
    );
  }

  /** Ends an instance early (administrators of its unit), with the reason on record. */
  async cancelInstance(p: Principal, instanceId: string, reason: string, call: Call = {}): Promise<InstanceSummary> {
    const instance = await this.instanceFor(p, instanceId);
    if (!covers(p, 'administer', instance.unitPath))
      throw forbidden(`cancelling needs ${needs('administer')} on the instance's unit`, { ability: 'administer' });
    return this.once(p, call, { instanceId, reason }, true, async (key) => {
      const done = await this.engine.cancel(instanceId, reason, { actor: p.user.login, ...(key ? { idempotency: key } : {}) });
      await this.record(p, 'instance.cancel', { id: instance.orgUnitId, path: instance.unitPath }, instanceId, reason, { definitionId: instance.definitionId });
      return done;
    });
  }

  // ── tasks ───────────────────────────────────────────────────────────────────────────────────

  /** The open work of the units the caller works on (tasks, and stages waiting on an event), soonest
   * due first: filtered, searched, one page of it with the total and per filter value its count. */
  async myTasks(p: Principal, q: WorkQuery = {}) {
    const { items, truncated } = await myWork(this.engine, p, this.names);
    const now = this.now();
    return {
      ...workPage(items, q, now),
      asOf: now,
      soonWorkingDays: SOON_WORKING_DAYS,
      truncated,
      ...(q.dueFrom !== undefined && q.dueBefore !== undefined ? { daysOff: this.daysOff(q.dueFrom, q.dueBefore) } : {}),
    };
  }

  /** The days off (weekends, holidays, their swaps) in a short range, for a calendar of deadlines. */
  private daysOff(from: number, before: number) {
    const calendar = this.engine.catalog.calendars.values().next().value;
    if (!calendar || before - from > 100 * DAY_MS) return [];
    const out: { date: string; kind: string; name: { vi: string; en: string } }[] = [];
    for (let d = localDateOf(from); instantAt(d) < before; d = addDays(d, 1)) {
      if (!calendar.covers(d)) continue;
      const off = calendar.dayOff(d);
      if (off) out.push({ date: d, kind: off.kind, name: off.name });
    }
    return out;
  }

  /** One task: its form, its stage's checklist, legal basis and deadline, and whether the caller may act. */
  async task(p: Principal, id: string) {
    const { engine } = this;
    const task = await this.taskFor(p, id, 'read');
    const loaded = await engine.store.loadInstance(task.instanceId);
    const instance = loaded!.instance;
    const compiled = await engine.catalog.get(instance.definitionId, instance.definitionVersion);
    const stage = compiled.stages[task.stage];
    const info = stage?.tasks.find((t) => t.id === task.task);
    const checked =
      (instance.state.snapshot as { context?: { evidence?: Record<string, Record<string, boolean>> } } | null)?.context?.evidence?.[task.stage] ?? {};
    const current = instance.state.entries[task.stage]?.seq === task.stageSeq;
    const [row] = await taskRows(engine, [task], this.names, { instances: [instance] });
    // An open task's form starts from what the units below answered (the roll-up), where it says so.
    const figures = info?.prefill && task.status === 'open' ? await engine.latestFigures(instance, compiled) : undefined;
    const rolledUp = figures
      ? Object.fromEntries(
          Object.entries(info!.prefill!)
            .map(([field, ref]) => [field, readField(ref, { unit: {}, tasks: {}, evidence: {}, anchors: {}, ...figures })])
            .filter(([, v]) => v !== undefined),
        )
      : {};
    // A task open again (returned, reopened) starts from its last answers; the roll-up, fresher, wins.
    const history = task.status === 'open' ? await engine.queries.history(task.instanceId) : [];
    const earlier = task.status === 'open' ? lastAnswers(history, task) : null;
    const prefill = { ...(earlier ?? {}), ...rolledUp };
    const nameOf = await this.names(history.map((h) => h.actor));
    const returned = task.status === 'open' ? whyOpenAgain(compiled, history, task, nameOf, await engine.chainOf(instance.orgUnitId)) : null;
    return {
      task: row!,
      description: info?.description ?? null,
      form: info?.form ?? null,
      prefill,
      evidence: current ? (stage?.evidence ?? []).map((e) => ({ ...e, checked: checked[e.id] === true })) : [],
      stage: {
        id: task.stage,
        title: stageTitle(compiled, task.stage),
        legalBasis: stage?.legalBasis.length ? stage.legalBasis : compiled.legalBasis,
        dueAt: task.dueAt ?? null,
        workingDaysLeft: workingDaysLeft(engine, compiled, task.dueAt),
      },
      instance: summary(instance),
      /** Whether the caller may complete it and tick the checklist. */
      canAct: task.status === 'open' && instance.status === 'running' && mayWorkTask(p, task),
      /** Whether the caller may reopen it to correct it: done, its stage entry still active. */
      canReopen: task.status === 'done' && instance.status === 'running' && current && mayWorkTask(p, task),
      /** Why it is open again: returned by the stage after it, or reopened (who, when, what they wrote). */
      returned,
      /** The form holds the answers it was last completed with. */
      prefilledFromEarlier: earlier !== null,
    };
  }

  /** Reopens a completed task (by its row id) to correct it, while its stage is still active: for
   * those who may complete it. The reason is kept in the instance's history. */
  async reopenTask(p: Principal, taskId: string, reason: string, call: Call = {}): Promise<InstanceSummary> {
    return this.once(p, call, { reopen: taskId, reason }, true, async (key) => {
      const task = await this.taskFor(p, taskId, 'work');
      if (task.status !== 'done')
        throw new EngineError('TASK_NOT_OPEN', `task "${task.task}" is ${task.status}: only a completed task is reopened`, {
          taskId: task.id,
          status: task.status,
          reopen: true,
        });
      const loaded = await this.engine.store.loadInstance(task.instanceId);
      if (loaded?.instance.state.entries[task.stage]?.seq !== task.stageSeq)
        throw new EngineError('TASK_NOT_OPEN', `task "${task.task}" belongs to a stage already left: it cannot be reopened`, {
          taskId: task.id,
          status: task.status,
          stageLeft: true,
          reopen: true,
        });
      return this.engine.reopenTask(task.instanceId, task.task, { actor: p.user.login, ...(key ? { idempotency: key } : {}) }, reason.trim());
    });
  }

  /** Completes a task with its form data: for those who work over the unit holding it. */
  async completeTask(p: Principal, taskId: string, data: Record<string, unknown>, call: Call = {}): Promise<InstanceSummary> {
    return this.once(p, call, { taskId, data }, true, async (key) => {
      const task = await this.taskFor(p, taskId, 'work');
      if (task.status !== 'open')
        throw new EngineError('TASK_NOT_OPEN', `task "${task.task}" is ${task.status}, not open`, { taskId: task.id, status: task.status });
      // Holding the task is enough: a cohort reassign can hand it to a unit outside the instance's
      // subtree (a merged school's work), and that unit's staff are the ones to finish it.
      return this.engine.completeTask(task.instanceId, task.task, data, { actor: p.user.login, ...(key ? { idempotency: key } : {}) });
    });
  }

  /** Completes a task named by its id in the process (the scenario runner's way; the API names the
   * task row): for those who work over the unit the task's role points at. */
  async completeTaskOf(p: Principal, instanceId: string, task: string, data: Record<string, unknown>, call: Call = {}): Promise<InstanceSummary> {
    await this.instanceFor(p, instanceId);
    return this.once(p, call, { instanceId, task, data }, true, (key) =>
      this.engine.completeTask(instanceId, task, data, this.command(p, key, { kind: 'task', task })),
    );
  }

  /** Reopens a completed task of an active stage, to correct it. */
  async reopenTaskOf(p: Principal, instanceId: string, task: string, call: Call = {}): Promise<InstanceSummary> {
    await this.instanceFor(p, instanceId);
    return this.once(p, call, { instanceId, reopen: task }, true, (key) =>
      this.engine.reopenTask(instanceId, task, this.command(p, key, { kind: 'task', task })),
    );
  }

  /** A sheet of unit codes (a sample) read against the units the caller may see: the codes found,
   * and each one that is not, at its row and column. */
  async unitList(p: Principal, table: UnitTable): Promise<CodeList & { units: { id: string; name: string; kind: string }[] }> {
    const wanted = codesOf(table).map((c) => c.code);
    const visible = (await this.engine.store.getUnits(wanted)).filter((u) => covers(p, 'read', u.path));
    const list = checkCodeList(table, new Map(visible.map((u) => [u.id, u])));
    const byId = new Map(visible.map((u) => [u.id, u]));
    return { ...list, units: list.unitIds.map((id) => ({ id, name: byId.get(id)!.name, kind: byId.get(id)!.kind })) };
  }

  /** The work an instance opened for the units below (its fan-outs): children the caller may read,
   * counts, late units and roll-up. */
  async childrenOf(p: Principal, instanceId: string): Promise<{ instanceId: string; stages: FanOutView[] }> {
    const instance = await this.instanceFor(p, instanceId);
    return { instanceId, stages: await fanOutViews(this.engine, instance, scope(p, 'read'), this.now()) };
  }

  /** Starts a process for one unit outside a campaign (administrators of the unit). */
  async startInstance(
    p: Principal,
    input: { definitionId: string; version?: number; orgUnitId: string; anchors?: Record<string, string>; lists?: Record<string, string[]> },
  ): Promise<InstanceSummary> {
    await this.unitFor(p, input.orgUnitId, 'administer');
    return this.engine.start(input, { actor: p.user.login });
  }

  // ── cohort operations ───────────────────────────────────────────────────────────────────────

  /** Extends, hands over, cancels or migrates the instances a filter picks in the caller's units —
   * touching only work whose owner unit the caller administers; the rest is listed as excluded. */
  async cohort(p: Principal, filter: CohortFilter, operation: CohortOperation & { reason: string; dryRun?: boolean }, call: Call = {}): Promise<CohortReport> {
    // The units it names first: outside the caller's units they do not exist, whatever their role.
    const named = [filter.unitId, operation.op === 'reassign' ? operation.toUnitId : undefined].filter((x): x is string => !!x);
    for (const id of named) await this.unitFor(p, id, 'read');
    const unit = filter.unitId ? await this.unitFor(p, filter.unitId, 'administer') : undefined;
    const underPaths = scope(p, 'administer');
    if (!underPaths.length) throw forbidden(`cohort operations need ${needs('administer')}`, { ability: 'administer' });
    const scoped: InstanceFilter = {
      underPaths,
      ...(unit ? { underPath: unit.path } : {}),
      ...(filter.definitionId ? { definitionId: filter.definitionId } : {}),
      ...(filter.definitionVersion ? { definitionVersion: filter.definitionVersion } : {}),
      ...(filter.campaignId ? { campaignId: filter.campaignId } : {}),
      ...(filter.stages?.length ? { stages: filter.stages } : {}),
      ...(filter.instanceIds?.length ? { ids: filter.instanceIds } : {}),
      ...(filter.overdue ? { dueBefore: this.now() } : {}),
    };
    if (operation.op === 'reassign') requireOpen(await this.unitFor(p, operation.toUnitId, 'administer'));
    const rules: CohortScope = {
      exclude: (instance, compiled, chain, stages) => cohortExclusion(p, compiled, instance, chain, stages),
      mayMoveTask: (task) => covers(p, 'administer', task.ownerUnitPath),
    };
    const run = (idempotencyKey: string | undefined) => {
      const options = { actor: p.user.login, scope: rules, ...(idempotencyKey ? { idempotencyKey } : {}) };
      const { reason, dryRun } = operation;
      const common = { reason, ...(dryRun !== undefined ? { dryRun } : {}) };
      switch (operation.op) {
        case 'extend': {
          const { op: _op, reason: _r, dryRun: _d, ...rest } = operation;
          return extendCohort(this.engine, scoped, { ...rest, ...common }, options);
        }
        case 'reassign':
          return reassignCohort(this.engine, scoped, { toUnitId: operation.toUnitId, ...(operation.task ? { task: operation.task } : {}), ...common }, options);
        case 'cancel':
          return cancelCohort(this.engine, scoped, common, options);
        case 'migrate':
          return migrateCohort(
            this.engine,
            scoped,
            { toVersion: operation.toVersion, ...(operation.stateMap ? { stateMap: operation.stateMap } : {}), ...common },
            options,
          );
      }
    };
    // A dry run changes nothing: no key to keep, nothing to record.
    if (operation.dryRun) return this.namedReport(await run(undefined));
    const recorded = async (idempotencyKey: string | undefined) => {
      const report = await this.namedReport(await run(idempotencyKey));
      const { reason: _r, dryRun: _d, ...what } = operation;
      await this.record(
        p,
        `cohort.${operation.op}`,
        unit ? unit : { id: '', path: commonPath(underPaths) },
        filter.definitionId ?? filter.campaignId ?? 'instances',
        operation.reason,
        {
          ...what,
          filter,
          matched: report.matched,
          changed: report.changed,
          excluded: report.excluded,
        },
      );
      return report;
    };
    if (!call.idempotency) return recorded(undefined);
    return this.once(p, call, { filter, operation }, false, () => recorded(call.idempotency!.key));
  }

  // ── the overdue board, escalations, the inbox ───────────────────────────────────────────────

  /** Overdue and due-soon counts under a unit (default: the caller's first unit it watches). */
  async board(p: Principal, unitId: string | undefined, soon: number | undefined) {
    const root = await this.boardRoot(p, unitId);
    const board = await overdueBoard(this.engine, root.id, soon !== undefined ? { soonWorkingDays: soon } : {});
    const proc = await processes(this.engine, board.byStage);
    const underRoot = [root.path];
    return {
      ...board,
      byStage: board.byStage.map((s) => ({
        ...s,
        title: stageTitle(proc(s.definitionId), s.stage),
        processTitle: proc(s.definitionId)?.title ?? { vi: s.definitionId, en: s.definitionId },
      })),
      escalations: {
        total: await this.engine.queries.countEscalations(underRoot, {}),
        unacknowledged: await this.engine.queries.countEscalations(underRoot, { acknowledged: false }),
      },
    };
  }

  async escalations(p: Principal, q: { unitId?: string; acknowledged?: boolean; limit?: number }) {
    const unit = q.unitId ? await this.unitFor(p, q.unitId, 'read') : undefined;
    const items = await this.engine.queries.escalations(scope(p, 'read'), {
      limit: q.limit ?? 100,
      ...(unit ? { unitPath: unit.path } : {}),
      ...(q.acknowledged !== undefined ? { acknowledged: q.acknowledged } : {}),
    });
    return { items: await escalationRows(this.engine, items, this.names) };
  }

  /** Acknowledges an escalation (supervisors and administrators over it); once only. */
  async acknowledge(p: Principal, id: string, call: Call = {}) {
    const { queries, store } = this.engine;
    return this.once(p, call, { acknowledge: id }, false, async () => {
      const [mine] = await queries.escalations(scope(p, 'watch'), { ids: [id], limit: 1 });
      if (!mine) {
        if ((await queries.escalations(scope(p, 'read'), { ids: [id], limit: 1 })).length)
          throw forbidden(`acknowledging needs ${needs('watch')} over it`, { ability: 'watch' });
        throw notFound(`escalation "${id}"`, { escalationId: id });
      }
      if (!(await store.acknowledgeEscalation(id, p.user.login, this.now()))) {
        throw new EngineError('REV_CONFLICT', `escalation "${id}" was already acknowledged`, { escalationId: id });
      }
      const [row] = await escalationRows(this.engine, await queries.escalations(scope(p, 'watch'), { ids: [id], limit: 1 }), this.names);
      return { escalation: row! };
    });
  }

  /** Several escalations acknowledged at once. Every id must be one the caller watches (else 404
   * for the first that is not, as if absent, or 403 for one only read) before any is marked; those
   * acknowledged before are reported, not refused. */
  async acknowledgeMany(p: Principal, ids: readonly string[], call: Call = {}) {
    const { queries, store } = this.engine;
    const unique = [...new Set(ids)];
    return this.once(p, call, { acknowledge: unique }, false, async () => {
      const mine = new Set((await queries.escalations(scope(p, 'watch'), { ids: unique, limit: unique.length })).map((e) => e.id));
      const missing = unique.find((id) => !mine.has(id));
      if (missing) {
        if ((await queries.escalations(scope(p, 'read'), { ids: [missing], limit: 1 })).length)
          throw forbidden(`acknowledging needs ${needs('watch')} over it`, { ability: 'watch', escalationId: missing });
        throw notFound(`escalation "${missing}"`, { escalationId: missing });
      }
      const now = this.now();
      const results: { id: string; acknowledged: boolean }[] = [];
      for (const id of unique) results.push({ id, acknowledged: await store.acknowledgeEscalation(id, p.user.login, now) });
      const rows = await escalationRows(this.engine, await queries.escalations(scope(p, 'watch'), { ids: unique, limit: unique.length }), this.names);
      const byId = new Map(rows.map((r) => [r.id, r]));
      // `acknowledged: false`: someone had already acknowledged it (the row says who and when)
      return { items: results.map((r) => ({ ...r, escalation: byId.get(r.id)! })) };
    });
  }

  /** The running instances under a board unit past their deadline, most working days late first. */
  async overdueList(p: Principal, q: OverdueQuery & { unitId?: string }) {
    const root = await this.boardRoot(p, q.unitId);
    return overdueList(this.engine, root, q);
  }

  /** Đôn đốc: a reminder in each instance's history and its unit's inbox (e-mailed where configured).
   * Every id must be in the caller's units (`watch`) before any is sent. */
  async remind(p: Principal, instanceIds: readonly string[], message: string | undefined, call: Call = {}) {
    return this.once(p, call, { remind: instanceIds, message }, false, async () => {
      const instances = await watchedInstances(this.engine, p, instanceIds);
      const items = await remind(this.engine, p, instances, message);
      return { sent: items.filter((i) => i.sent).length, items };
    });
  }

  /** The board's unit: the one asked (outside the caller's units it does not exist, whatever their
   * role), else the first the caller watches. */
  private async boardRoot(p: Principal, unitId: string | undefined): Promise<OrgUnit> {
    const asked = unitId ? await this.unitFor(p, unitId, 'watch') : undefined;
    const roots = scope(p, 'watch');
    if (!roots.length) throw forbidden(`the overdue board needs ${needs('watch')}`, { ability: 'watch' });
    return asked ?? (await this.engine.store.getUnits([pathIds(roots[0]!).at(-1)!]))[0]!;
  }

  /** Notices for the units the caller holds roles on, newest first, with the unread count. */
  async inbox(p: Principal, q: { unread?: boolean; limit?: number }) {
    const units = p.grants.map((g) => g.unitId);
    const items = await this.engine.queries.inbox(units, { unreadOnly: q.unread ?? false, limit: q.limit ?? 100 });
    return { items, unread: await this.engine.queries.countUnread(units) };
  }

  async markRead(p: Principal, which: { ids?: number[]; all?: boolean }, call: Call = {}) {
    const units = p.grants.map((g) => g.unitId);
    return this.once(p, call, { read: which }, false, async () => {
      await this.engine.store.markRead(units, which.all ? 'all' : (which.ids ?? []), this.now());
      return { unread: await this.engine.queries.countUnread(units) };
    });
  }

  // ── the rules, asked ────────────────────────────────────────────────────────────────────────

  /** A unit the caller may act on with this ability: outside their read scope it does not exist. */
  private async unitFor(p: Principal, unitId: string, ability: Ability): Promise<OrgUnit> {
    const unit = await this.engine.store.getUnit(unitId);
    if (!unit || !covers(p, 'read', unit.path)) throw notFound(`org unit "${unitId}"`, { unitId });
    if (!covers(p, ability, unit.path)) throw forbidden(`this needs ${needs(ability)} on unit "${unit.name}" or a unit above it`, { ability, unitId });
    return unit;
  }

  /** An instance in the caller's read scope (the scope is in the query). */
  private async instanceFor(p: Principal, instanceId: string): Promise<Instance> {
    const [instance] = await this.engine.queries.listInstances({ ids: [instanceId], underPaths: scope(p, 'read') }, { limit: 1 });
    if (!instance) throw notFound(`instance "${instanceId}"`, { instanceId });
    return instance;
  }

  /** A task the caller may read (it is part of an instance they read, or held by their unit) or
   * work (held by a unit they work over). */
  private async taskFor(p: Principal, id: string, ability: 'read' | 'work'): Promise<Task> {
    const { queries } = this.engine;
    const task = await queries.getTask(id, scope(p, ability));
    if (task) return task;
    const any = await queries.getTask(id);
    const readable =
      any && (covers(p, 'read', any.ownerUnitPath) || (await queries.countInstances({ ids: [any.instanceId], underPaths: scope(p, 'read') })) > 0);
    if (!any || !readable) throw notFound(`task "${id}"`, { taskId: id });
    if (ability === 'read') return any;
    throw forbidden(`completing this task needs ${needs('work')} on the unit holding it`, { ability });
  }

  private async campaignFor(p: Principal, id: string): Promise<Campaign> {
    const campaign = await this.engine.store.getCampaign(id);
    const root = campaign ? await this.engine.store.getUnit(campaign.rootUnitId) : undefined;
    if (!campaign || !root || !covers(p, 'read', root.path)) throw notFound(`campaign "${id}"`, { campaignId: id });
    return campaign;
  }

  private async campaignRows(campaigns: Campaign[]) {
    const units = new Map((await this.engine.store.getUnits(campaigns.map((c) => c.rootUnitId))).map((u) => [u.id, u.name]));
    const proc = await processes(this.engine, campaigns);
    const nameOf = await this.names(campaigns.map((c) => c.createdBy));
    // A sample's codes and a fan-out's lists can run to thousands: counted, not listed.
    return campaigns.map(({ unitIds, lists: _lists, ...c }) => ({
      ...c,
      ...(unitIds?.length ? { namedUnits: unitIds.length } : {}),
      ...(c.createdBy ? { createdByName: nameOf(c.createdBy) } : {}),
      title: proc(c.definitionId, c.definitionVersion)?.title ?? { vi: c.definitionId, en: c.definitionId },
      rootUnitName: units.get(c.rootUnitId) ?? c.rootUnitId,
    }));
  }

  /** A cohort report with each instance's unit named and its stages titled, for the people who
   * confirm it (a handful of statements for the whole report). */
  private async namedReport(report: CohortReport): Promise<CohortReport> {
    const units = new Map((await this.engine.store.getUnits([...new Set(report.instances.map((i) => i.orgUnitId))])).map((u) => [u.id, u.name]));
    const compiled = new Map<string, CompiledProcess>();
    const versionOf = async (id: string, version: number) => {
      const key = `${id}@${version}`;
      if (!compiled.has(key)) compiled.set(key, await this.engine.catalog.get(id, version));
      return compiled.get(key)!;
    };
    const now = this.now();
    const instances = [];
    for (const i of report.instances) {
      const proc = await versionOf(i.definitionId, i.definitionVersion);
      // A migration's new stages are titled by the version it moves to.
      const target = typeof i.toVersion === 'number' && !i.error && !i.excluded ? await versionOf(i.definitionId, i.toVersion) : proc;
      const to = (i.to as string[] | undefined) ?? [];
      const titles = [...i.activeStages.map((s) => [s, stageTitle(proc, s)]), ...to.map((s) => [s, stageTitle(target, s)])];
      instances.push({
        ...i,
        unitName: units.get(i.orgUnitId) ?? i.orgUnitId,
        stageTitles: Object.fromEntries(titles),
        // An extension that still leaves the deadline behind today: the unit stays overdue.
        ...(typeof i.dueAfter === 'number' ? { stillOverdue: i.dueAfter < now } : {}),
      });
    }
    const stillOverdue = instances.filter((i) => i.stillOverdue === true).length;
    return { ...report, instances, ...(instances.some((i) => 'stillOverdue' in i) ? { stillOverdue } : {}) };
  }

  /** Records an administrative act (nhật ký quản trị) after it succeeded. */
  private async record(
    p: Principal,
    action: AuditAction,
    unit: { id: string; path: string } | undefined,
    target: string,
    reason: string | undefined,
    details: Record<string, unknown>,
  ): Promise<void> {
    await this.deps.audit?.record([auditEntry(p, this.now(), { action, ...(unit?.id ? { unit } : {}), target, ...(reason ? { reason } : {}), details })]);
  }

  /** A timeline's history and tasks with the people in them named: `actorName` beside each `actor`,
   * `completedByName` beside each `completedBy`. */
  private async namedTimeline<H extends { actor: string }, T extends { completedBy?: string }>(history: H[], tasks: T[]) {
    const nameOf = await this.names([...history.map((h) => h.actor), ...tasks.map((t) => t.completedBy)]);
    return {
      history: history.map((h) => ({ ...h, actorName: nameOf(h.actor) })),
      tasks: tasks.map((t) => (t.completedBy ? { ...t, completedByName: nameOf(t.completedBy) } : t)),
    };
  }

  /** Engine command options: the actor, the key to commit, and the rules asked over the state the
   * change is computed from. */
  private command(p: Principal, key: KeyToCommit | undefined, act: StageAct): CommandOptions {
    return {
      actor: p.user.login,
      ...(key ? { idempotency: key } : {}),
      authorize: (instance, compiled, chain) => requireStageAct(p, compiled, instance, chain, act),
    };
  }

  /** An adapter's own command (issuing a token: accounts are the sign-in adapter's) under the same
   * Idempotency-Key rule as every command here. */
  idempotent<T>(p: Principal, call: Call, request: unknown, run: () => Promise<T>): Promise<T> {
    return this.once(p, call, request, false, run);
  }

  private once<T>(p: Principal, call: Call, request: unknown, committed: boolean, run: (key: KeyToCommit | undefined) => Promise<T>): Promise<T> {
    return once(this.engine.store, p.user.login, call.idempotency, request, run, { committed, at: () => this.now() });
  }

  private check(p: Principal, source: string, file: string, lang?: 'vi' | 'en'): Promise<DraftSummary> {
    if (this.deps.drafts) return this.deps.drafts.check(p.user.id, source, file, lang);
    return Promise.resolve(summarizeDraft(source, file, calendarRanges(this.engine.catalog.calendars), lang));
  }
}

/** Each anchor date of the process: its value, the stages whose deadline counts from it, and whether
 * the caller may set it (the same rule the command is judged by). */
function anchorViews(p: Principal, compiled: CompiledProcess, instance: Instance, chain: UnitChain) {
  const values = (instance.state.snapshot as { context?: { anchors?: Record<string, string> } } | null)?.context?.anchors ?? {};
  return Object.entries(compiled.anchors).map(([name, a]) => {
    let canSet = instance.status === 'running';
    if (canSet)
      try {
        requireStageAct(p, compiled, instance, chain, { kind: 'anchor', name });
      } catch (e) {
        if (!(e instanceof EngineError)) throw e;
        canSet = false;
      }
    return {
      name,
      title: a.title,
      value: values[name] ?? null,
      stages: stagesAnchoredOn(compiled, name).map((id) => ({ id, title: stageTitle(compiled, id) })),
      canSet,
    };
  });
}

/** A closed (giải thể) or merged unit takes no new work: no campaign, no tasks handed to it. */
function requireOpen(unit: OrgUnit): void {
  if (unit.closedAt === undefined) return;
  throw new EngineError('UNIT_CLOSED', `unit "${unit.name}" is closed${unit.mergedInto ? ` (merged into "${unit.mergedInto}")` : ''}: it takes no new work`, {
    unitId: unit.id,
    ...(unit.mergedInto ? { mergedInto: unit.mergedInto } : {}),
  });
}

/** The file name diagnostics carry: the process id when the draft names one. */
export function draftFile(source: string): string {
  const id = /^id:\s*([a-z0-9-]{1,64})\s*$/m.exec(source)?.[1];
  return id ? `${id}.yaml` : 'draft.yaml';
}

/** `valueTitle` beside a field's value when the value has words of its own (an option, yes/no). */
function withValueTitle(field: FormField, value: unknown): { valueTitle?: Text } {
  const title = answerTitle(field, value);
  return title ? { valueTitle: title } : {};
}

/**
 * What was said stays said, readably: every event in the timeline gets its title (the process's, or
 * the engine's for its own events); a task, evidence item or anchor it names gets its title beside
 * the id; and per field its form declares (the event's, or the completed task's), the field's label
 * and the value's own words (an option's title, Có/Không) beside the value, in the form's order.
 * Only the view changes; history keeps the payload as recorded.
 */
export function withEventLabels<H extends { eventType: string; payload?: unknown }>(compiled: CompiledProcess, h: H): H {
  const decl = Object.hasOwn(compiled.events, h.eventType) ? compiled.events[h.eventType] : undefined;
  const title = eventTitle(compiled, h.eventType);
  const payload = (typeof h.payload === 'object' && h.payload !== null ? h.payload : undefined) as Record<string, unknown> | undefined;
  const task = typeof payload?.task === 'string' ? taskOf(compiled, payload.task) : undefined;
  const labels = {
    ...(task ? { taskTitle: task.title } : {}),
    ...(h.eventType === ENGINE_EVENTS.checkEvidence && typeof payload?.item === 'string'
      ? evidenceTitle(compiled, payload.item, (h as { fromStages?: unknown }).fromStages)
      : {}),
    ...(h.eventType === ENGINE_EVENTS.setAnchor && typeof payload?.name === 'string' && Object.hasOwn(compiled.anchors, payload.name)
      ? { anchorTitle: compiled.anchors[payload.name]!.title }
      : {}),
  };
  const form = h.eventType === ENGINE_EVENTS.completeTask ? task?.form : decl?.form;
  if (!title && !form && !Object.keys(labels).length) return h;
  const data = payload && typeof payload.data === 'object' && payload.data !== null ? (payload.data as Record<string, unknown>) : {};
  const fields = Object.entries(form?.properties ?? {})
    .filter(([name]) => Object.hasOwn(data, name))
    .map(([name, f]) => ({ name, title: f.title ?? { vi: name, en: name }, value: data[name], ...withValueTitle(f, data[name]) }));
  return { ...h, payload: { ...(payload ?? {}), ...(title ? { title } : {}), ...labels, ...(fields.length ? { fields } : {}) } };
}

function taskOf(compiled: CompiledProcess, id: string) {
  for (const stage of Object.values(compiled.stages)) for (const t of stage.tasks) if (t.id === id) return t;
  return undefined;
}

/** An evidence item's title: item ids are unique within a stage only, so the stage it was ticked in
 * (one the instance was in) names it first. */
function evidenceTitle(compiled: CompiledProcess, item: string, inStages: unknown): { itemTitle?: Text } {
  const first = new Set(Array.isArray(inStages) ? inStages : []);
  const stages = Object.values(compiled.stages).sort((a, b) => Number(first.has(b.id)) - Number(first.has(a.id)));
  for (const stage of stages) for (const e of stage.evidence) if (e.id === item) return { itemTitle: e.title };
  return {};
}
