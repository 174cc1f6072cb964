// Runs a scenario on the real engine: an in-memory SQLite store, the embedded queue, and a clock that
// jumps to the next due timer or scripted step. What happened comes back as plain JSON: for one
// school, that school's instance; for a tree, every instance the run created (the main one first,
// then the child instances its stages opened), and the main instance's children, roll-up and late list.
import { wordRefusal } from '../../engine/refusals.ts';
import { formatInstant } from '../../engine/calendar/time.ts';
import type { Diagnostic, DocPath } from '../../engine/definition/diagnostics.ts';
import { EngineError, type EngineErrorCode } from '../../engine/errors.ts';
import type { StageMove } from '../../engine/runtime/rearm.ts';
import { Application, systemPrincipal, type Principal } from '../../engine/application/application.ts';
import { ManualClock } from '../../engine/ports.ts';
import type { Committed } from '../../engine/service/engine.ts';
import type { OrgUnitKind } from '../../engine/definition/types.generated.ts';
import type { UnitInput } from '../../engine/service/org.ts';
import { kindTitle } from '../../engine/org/unit-file.ts';
import { openRuntime } from '../runtime.ts';
import type { Lang, Scenario, ScenarioStep, Words } from './scenario.ts';

type Transition = { at: string; from: string[]; to: string[]; event: string };
type Deadline = { stage: string; enteredAt: string; dueAt: string | null; moved?: true };
type Escalation = { at: string; stage: string; kind: string; notify: string[]; units: string[] };
type Rejected = { at: string; step: number; unit?: string; code: string; message: string };
type Migration = {
  at: string;
  dryRun: boolean;
  toVersion: number;
  from: string[];
  to: string[];
  deadlines: { stage: string; before: string | null; after: string | null }[];
};
type Final = { stages: string[]; status: string };

/** What a one-school scenario prints (unchanged since the first scenarios: their expected files hold). */
export interface SimulationResult {
  transitions: Transition[];
  deadlines: Deadline[];
  escalations: Escalation[];
  rejected: Rejected[];
  final: Final;
  migrations?: Migration[];
}

/** One instance of a tree run, with its own history. */
export interface InstanceResult {
  unit: string;
  process: string;
  transitions: Transition[];
  deadlines: Deadline[];
  escalations: Escalation[];
  final: Final;
}

/** A stage entry of the main instance that opened work for units below, as `app.childrenOf` tells it. */
export interface FanOutResult {
  stage: string;
  seq: number;
  process: string;
  /** The cut-off: the stage's due moment. */
  cutoffAt?: string;
  total: number;
  done: number;
  pending: number;
  cancelled: number;
  /** How many of the units are late (not finished after the cut-off or their own deadline). */
  late: number;
  /** Late ones first, then by name (as the board lists them). */
  units: { unit: string; status: string; stages: string[]; finishedAt?: string; late: boolean; figures: Record<string, unknown> }[];
}

export type Rollup = Record<string, { count: number; sum: number; min?: number; max?: number; values: Record<string, string[]> }>;

/** What a tree scenario prints. */
export interface TreeSimulationResult {
  instances: InstanceResult[];
  rejected: Rejected[];
  migrations?: Migration[];
  /** The main instance's fan-outs, in the order its stages opened them. */
  children: FanOutResult[];
  /** Their roll-ups by stage (a stage that fanned out more than once: `stage#seq` from the second). */
  rollup: Record<string, Rollup>;
  /** The units that had not finished the work the main instance opened for them. */
  late: string[];
}

export const SIMULATION_ACTOR = 'simulation';
const SIMULATOR: Principal = systemPrincipal(SIMULATION_ACTOR, 'Mô phỏng');

/** Timers a run may fire before it is judged runaway (a definition that re-arms forever). */
const MAX_TIMERS = 10_000;
/** Without `until`, time runs this long after the last step at most. */
const DEFAULT_HORIZON_MS = 20 * 366 * 24 * 3600 * 1000;

/** Builds the school's chain of units: Sở → Phòng (for levels a Phòng manages) → school. */
export function demoChain(school: NonNullable<Scenario['school']>): UnitInput[] {
  const so: UnitInput = { id: 'so', kind: 'department', name: 'Sở GDĐT (mô phỏng)' };
  if (school.kind === 'department') return [{ ...so, name: school.name }];
  const underDistrict: OrgUnitKind[] = ['preschool', 'primary', 'lower-secondary'];
  const phong: UnitInput = { id: 'phong', parentId: 'so', kind: 'district-office', name: 'Phòng GDĐT (mô phỏng)' };
  if (school.kind === 'district-office') return [so, { ...phong, name: school.name, ...(school.levels ? { levels: school.levels } : {}) }];
  const parent = underDistrict.includes(school.kind) ? phong : undefined;
  return [
    so,
    ...(parent ? [parent] : []),
    { id: 'school', parentId: parent ? parent.id : 'so', kind: school.kind, name: school.name, ...(school.levels ? { levels: school.levels } : {}) },
  ];
}

/** Thrown for a scenario that cannot run (a process file missing or invalid, a start the engine
 * refuses, a step aimed at no instance): exit 1 with located errors, not a rejection. */
export class ScenarioError extends Error {
  constructor(
    message: string,
    readonly diagnostics: Diagnostic[] = [],
  ) {
    super(message);
  }
}

interface Tracked {
  id: string;
  unit: string;
  process: string;
  createdAt: number;
  transitions: Transition[];
  deadlines: Deadline[];
  escalations: Escalation[];
}

/**
 * `readProcess(path)` returns the source of a process file named in the scenario (relative to it).
 * Throws ScenarioError (with located diagnostics) when a process does not validate, the engine
 * refuses to start the instance, or a step names a unit that has no instance of the run.
 */
export async function runScenario(
  scenario: Scenario,
  readProcess: (path: string) => { source: string; file: string },
  options: { lang?: Lang } = {},
): Promise<SimulationResult | TreeSimulationResult> {
  const lang = options.lang ?? 'vi';
  const located = (code: string, path: DocPath, words: Words, at: 'key' | 'value' = 'value'): ScenarioError => {
    const d: Diagnostic = { file: scenario.file, ...scenario.locate(path, at), severity: 'error', code, message: words[lang] };
    return new ScenarioError(`${d.file}:${d.line}:${d.column}: error ${d.code} ${d.message}`, [d]);
  };
  const clock = new ManualClock(scenario.start);
  const tracked = new Map<string, Tracked>();
  const rt = await openRuntime({ sqliteFile: ':memory:', clock, observe: (c) => record(c, tracked) });
  // The scenario runs through the application layer as every entry point does, as the system: the
  // one actor of a simulation, over the whole of its small tree.
  const app = new Application({ engine: rt.engine });
  const rejected: Rejected[] = [];
  let migrations: Migration[] | undefined;
  try {
    // Every process the scenario names is published up front (child definitions first): an invalid
    // one stops the run before anything happens, with its located errors.
    const all = new Map<string, { id: string; version: number }>();
    for (const path of scenario.processes) all.set(path, await publish(app, readProcess, path, scenario, lang));
    const published = await publish(app, readProcess, scenario.process, scenario, lang);
    all.set(scenario.process, published);
    const targets = new Map<string, number>();
    for (const step of scenario.steps)
      if ('migrate' in step) {
        const next = await publish(app, readProcess, step.migrate.process, scenario, lang);
        all.set(step.migrate.process, next);
        targets.set(step.migrate.process, next.version);
      }
    // A stage that opens work below runs a child process: published too, or the run would stop at
    // that stage (at start, or at a timer) instead of here, where the file naming it is known.
    for (const [path, p] of all) {
      const compiled = await rt.engine.catalog.get(p.id, p.version);
      for (const info of Object.values(compiled.stages)) {
        const child = info.fanOut?.process;
        if (child === undefined || (await isPublished(rt.engine.catalog, child))) continue;
        const at = scenario.processAt[path] ?? { line: 1, column: 1 };
        const words = {
          vi: `quy trình ${p.id} mở việc cho đơn vị cấp dưới theo quy trình "${child}", nhưng quy trình này chưa được công bố: thêm tệp của nó vào "processes"`,
          en: `${p.id} opens work for the units below with "${child}", which is not published: add its file to "processes"`,
        };
        const d: Diagnostic = { file: scenario.file, ...at, severity: 'error', code: 'CHILD_PROCESS_MISSING', message: words[lang] };
        throw new ScenarioError(d.message, [d]);
      }
    }
    const tree = scenario.tree;
    const inputs: UnitInput[] = tree
      ? tree.units.map((u) => ({
          id: u.id,
          ...(u.parent ? { parentId: u.parent } : {}),
          kind: u.kind,
          name: u.name,
          ...(u.levels ? { levels: u.levels } : {}),
        }))
      : demoChain(scenario.school!);
    try {
      await app.addUnits(SIMULATOR, inputs);
    } catch (e) {
      if (!(e instanceof EngineError)) throw e;
      throw located(e.code, tree ? ['units'] : ['school'], { vi: `không dựng được cây đơn vị: ${e.message}`, en: `the units cannot be placed: ${e.message}` });
    }
    const mainUnit = tree ? tree.unit : inputs[inputs.length - 1]!.id;
    const start = {
      definitionId: published.id,
      version: published.version,
      orgUnitId: mainUnit,
      ...(scenario.anchors ? { anchors: scenario.anchors } : {}),
      ...(scenario.lists ? { lists: scenario.lists } : {}),
    };
    let instance: { id: string };
    try {
      instance = await app.startInstance(SIMULATOR, start);
    } catch (e) {
      if (!(e instanceof EngineError)) throw e;
      throw startRefused(e, scenario, published.id, mainUnit, located);
    }
    let fired = 0;
    const runUntil = async (moment: number): Promise<void> => {
      for (;;) {
        const next = await rt.queue.nextRunAt();
        if (next === undefined || next > moment) break;
        clock.set(next);
        fired += await rt.runDue();
        if (fired > MAX_TIMERS)
          throw located('RUNAWAY', ['process'], {
            vi: `đã chạy hơn ${MAX_TIMERS} hẹn giờ: quy trình tự hẹn lại không dứt`,
            en: `more than ${MAX_TIMERS} timers fired: the process re-arms without end`,
          });
      }
      clock.set(moment);
    };
    for (const [i, step] of scenario.steps.entries()) {
      await runUntil(step.at);
      const target = step.unit === undefined ? instance.id : instanceOf(tracked, step.unit);
      if (target === undefined)
        throw located('NO_INSTANCE', ['steps', step.index, 'unit'], {
          vi: `đơn vị "${step.unit}" chưa có hồ sơ nào trong lần chạy này lúc ${formatInstant(step.at)}`,
          en: `unit "${step.unit}" has no instance of this run at ${formatInstant(step.at)}`,
        });
      try {
        const moved = await applyStep(app, target, step, targets);
        if (moved) (migrations ??= []).push(moved);
      } catch (e) {
        if (!(e instanceof EngineError)) throw e;
        rejected.push({ at: formatInstant(step.at), step: i + 1, ...(tree ? { unit: step.unit ?? mainUnit } : {}), code: e.code, message: e.message });
      }
    }
    const last = scenario.steps.length ? scenario.steps[scenario.steps.length - 1]!.at : scenario.start;
    await runUntil(scenario.until ?? last + DEFAULT_HORIZON_MS);
    const finalOf = async (id: string): Promise<Final> => {
      const loaded = await rt.store.loadInstance(id);
      return { stages: loaded!.instance.stages, status: loaded!.instance.status };
    };

    if (!tree) {
      const mine = tracked.get(instance.id);
      return {
        transitions: mine?.transitions ?? [],
        deadlines: mine?.deadlines ?? [],
        escalations: mine?.escalations ?? [],
        rejected,
        final: await finalOf(instance.id),
        ...(migrations ? { migrations } : {}),
      };
    }
    // Main first, then in the order they were created: a fan-out starts its children at one moment,
    // by unit code (its campaign's order), whatever order their commits were seen in.
    const ranked = [...tracked.values()].sort(
      (a, b) => Number(b.id === instance.id) - Number(a.id === instance.id) || a.createdAt - b.createdAt || (a.unit < b.unit ? -1 : a.unit > b.unit ? 1 : 0),
    );
    const instances: InstanceResult[] = [];
    for (const t of ranked)
      instances.push({
        unit: t.unit,
        process: t.process,
        transitions: t.transitions,
        deadlines: t.deadlines,
        escalations: t.escalations,
        final: await finalOf(t.id),
      });
    return { instances, rejected, ...(migrations ? { migrations } : {}), ...(await childrenOf(app, instance.id)) };
  } finally {
    await rt.close();
  }
}

/** The main instance's fan-outs, roll-ups and late units, from the application's own view of them. */
async function childrenOf(app: Application, instanceId: string): Promise<Pick<TreeSimulationResult, 'children' | 'rollup' | 'late'>> {
  const { stages } = await app.childrenOf(SIMULATOR, instanceId);
  const children: FanOutResult[] = [];
  const rollup: Record<string, Rollup> = {};
  const late: string[] = [];
  const seen = new Set<string>();
  for (const s of stages) {
    children.push({
      stage: s.stage,
      seq: s.seq,
      process: s.process,
      ...(s.cutoffAt !== undefined ? { cutoffAt: formatInstant(s.cutoffAt) } : {}),
      total: s.total,
      done: s.done,
      pending: s.pending,
      cancelled: s.cancelled,
      late: s.late,
      units: s.children.map((c) => ({
        unit: c.unitId,
        status: c.status,
        stages: c.stages,
        ...(c.finishedAt !== undefined ? { finishedAt: formatInstant(c.finishedAt) } : {}),
        late: c.late,
        figures: c.figures,
      })),
    });
    const figures: Rollup = Object.fromEntries(
      Object.entries(s.rollup).map(([name, r]) => [
        name,
        { count: r.count, sum: r.sum, ...(r.min !== undefined ? { min: r.min } : {}), ...(r.max !== undefined ? { max: r.max } : {}), values: r.values },
      ]),
    );
    if (Object.keys(figures).length) rollup[s.stage in rollup ? `${s.stage}#${s.seq}` : s.stage] = figures;
    for (const c of s.children)
      if (c.late && !seen.has(c.unitId)) {
        seen.add(c.unitId);
        late.push(c.unitId);
      }
  }
  return { children, rollup, late };
}

async function isPublished(catalog: { get(id: string): Promise<unknown> }, id: string): Promise<boolean> {
  try {
    await catalog.get(id);
    return true;
  } catch (e) {
    if (e instanceof EngineError && e.code === 'NOT_FOUND') return false;
    throw e;
  }
}

/** The instance of the run a step's `unit:` points at: that unit's latest. */
function instanceOf(tracked: ReadonlyMap<string, Tracked>, unit: string): string | undefined {
  let found: Tracked | undefined;
  for (const t of tracked.values()) if (t.unit === unit && (!found || t.createdAt >= found.createdAt)) found = t;
  return found?.id;
}

/** The engine's refusal to start, said at the scenario line that caused it. */
function startRefused(
  e: EngineError,
  scenario: Scenario,
  processId: string,
  unitId: string,
  located: (code: string, path: DocPath, words: Words, at?: 'key' | 'value') => ScenarioError,
): ScenarioError {
  const tree = scenario.tree;
  const unitPath: DocPath = tree ? ['units', tree.units.findIndex((u) => u.id === tree.unit)] : ['school'];
  const d = e.details as { anchor?: string; value?: string; kind?: OrgUnitKind; allowed?: string[]; list?: string; field?: string };
  if (e.code === 'NOT_APPLICABLE' && d.kind) {
    const allowed = (d.allowed ?? []) as OrgUnitKind[];
    return located(e.code, [...unitPath, 'kind'], {
      vi: `quy trình ${processId} áp dụng cho ${allowed.map((k) => `${kindTitle(k)} (${k})`).join(', ')}; đơn vị "${unitId}" là ${kindTitle(d.kind)} (${d.kind})`,
      en: e.message,
    });
  }
  const anchors = scenario.anchors ?? {};
  if (e.code === 'UNKNOWN_ANCHOR' && d.anchor !== undefined && Object.hasOwn(anchors, d.anchor)) {
    const known = d.allowed ?? [];
    return located(
      e.code,
      ['anchors', d.anchor],
      { vi: `quy trình ${processId} không có mốc "${d.anchor}"; các mốc: ${known.join(', ') || 'không có'}`, en: e.message },
      'key',
    );
  }
  if (e.code === 'BAD_DATE') {
    const name = Object.keys(anchors).find((k) => anchors[k] === d.value) ?? Object.keys(anchors).find((k) => e.message.includes(`"${k}"`));
    if (name !== undefined) return located(e.code, ['anchors', name], { vi: `"${anchors[name]}" không phải một ngày có thật`, en: e.message });
  }
  const lists = scenario.lists ?? {};
  const list = d.list ?? (d.field?.startsWith('lists.') ? d.field.slice(6) : undefined);
  if (list !== undefined && Object.hasOwn(lists, list)) {
    const vi =
      e.code === 'UNKNOWN_LIST'
        ? `quy trình ${processId} không nhận danh sách "${list}"; các danh sách: ${(d.allowed ?? []).join(', ') || 'không có'}`
        : `danh sách "${list}" bị từ chối: ${viRefusal(e)}`;
    return located(e.code, ['lists', list], { vi, en: e.message }, 'key');
  }
  if (e.code === 'CHILD_PROCESS_MISSING') {
    const child = (e.details as { process?: string }).process ?? '?';
    return located(e.code, scenario.processes.length ? ['processes'] : ['process'], {
      vi: `các đơn vị cấp dưới sẽ chạy quy trình "${child}", nhưng quy trình này chưa được công bố: thêm tệp của nó vào "processes"`,
      en: `the units below are to run "${child}", which is not published: add its file to "processes"`,
    });
  }
  return located(e.code, tree ? ['unit'] : ['school'], { vi: `hệ thống từ chối mở hồ sơ: ${viRefusal(e)}`, en: e.message });
}

/** The engine's refusal in Vietnamese, as the web UI words it; its own English only for a code without words. */
function viRefusal(e: EngineError): string {
  return wordRefusal(e.code, e.details, { lang: 'vi', kindLabel: (k) => kindTitle(k as OrgUnitKind) }) ?? e.message;
}

/** Publishes one process file the scenario names; its own errors come back located in it, any
 * other refusal (the same id and version with other content) at the scenario line naming it. */
async function publish(app: Application, readProcess: (path: string) => { source: string; file: string }, path: string, scenario: Scenario, lang: Lang) {
  const { source, file } = readProcess(path);
  try {
    return await app.publish(SIMULATOR, source, {}, file);
  } catch (e) {
    if (!(e instanceof EngineError)) throw e;
    const diagnostics = (e.details.diagnostics as Diagnostic[] | undefined) ?? [];
    if (diagnostics.length) throw new ScenarioError(e.message, diagnostics);
    const at = scenario.processAt[path] ?? { line: 1, column: 1 };
    const message = lang === 'vi' ? `không công bố được quy trình "${path}": ${viRefusal(e)}` : `process file "${path}" cannot be published: ${e.message}`;
    throw new ScenarioError(`${scenario.file}:${at.line}:${at.column}: error ${e.code} ${message}`, [
      { file: scenario.file, ...at, severity: 'error', code: e.code, message },
    ]);
  }
}

async function applyStep(app: Application, id: string, step: ScenarioStep, targets: ReadonlyMap<string, number>): Promise<Migration | undefined> {
  const who = SIMULATOR;
  if ('complete' in step) await app.completeTaskOf(who, id, step.complete.task, step.complete.data ?? {});
  else if ('reopen' in step) await app.reopenTaskOf(who, id, step.reopen.task);
  else if ('send' in step) await app.sendEvent(who, id, step.send);
  else if ('anchor' in step) await app.setAnchor(who, id, step.anchor.name, step.anchor.date);
  else if ('check' in step) await app.checkEvidence(who, id, step.check.item, step.check.checked ?? true);
  else if ('cancel' in step) await app.cancelInstance(who, id, step.cancel.reason);
  else if ('migrate' in step) {
    const toVersion = targets.get(step.migrate.process)!;
    const dryRun = step.migrate.dryRun ?? false;
    const report = await app.cohort(
      who,
      { instanceIds: [id] },
      { op: 'migrate', toVersion, stateMap: step.migrate.map ?? {}, dryRun, reason: step.migrate.reason },
    );
    const item = report.instances[0];
    if (item?.error) throw new EngineError(item.error.code as EngineErrorCode, item.error.message);
    const moves = (item?.deadlines ?? []) as StageMove[];
    return {
      at: formatInstant(step.at),
      dryRun,
      toVersion,
      from: item?.from as string[],
      to: item?.to as string[],
      deadlines: moves.map((m) => ({
        stage: m.stage,
        before: m.dueBefore === undefined ? null : formatInstant(m.dueBefore),
        after: m.dueAfter === undefined ? null : formatInstant(m.dueAfter),
      })),
    };
  }
  return undefined;
}

function record({ change, step }: Committed, tracked: Map<string, Tracked>): void {
  const i = change.instance;
  let t = tracked.get(i.id);
  if (!t) {
    t = { id: i.id, unit: i.orgUnitId, process: i.definitionId, createdAt: i.createdAt, transitions: [], deadlines: [], escalations: [] };
    tracked.set(i.id, t);
  }
  const at = formatInstant(change.history.at);
  if (change.escalation) {
    const e = change.escalation;
    t.escalations.push({ at, stage: e.stage, kind: e.kind, notify: e.notified.map((r) => r.role), units: e.notified.map((r) => r.unitId) });
  }
  if (!step) return;
  const moved = step.effects.some((e) => e.type === 'stageEntered' || e.type === 'stageLeft');
  if (moved) t.transitions.push({ at, from: change.history.fromStages, to: change.history.toStages, event: change.history.eventType });
  for (const e of step.effects) {
    if (e.type !== 'deadline') continue;
    t.deadlines.push({
      stage: e.stage,
      enteredAt: formatInstant(e.enteredAt),
      dueAt: e.dueAt === undefined ? null : formatInstant(e.dueAt),
      ...(e.moved ? { moved: true as const } : {}),
    });
  }
}
