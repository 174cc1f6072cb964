// Campaigns: one process started for every unit of given kinds under a unit ("every upper-secondary
// school of the province starts the 2022 exam preparation"), in batches. Re-running a campaign adds
// only the units still missing, so a run cut short is finished by running it again (at start, a
// process with workers does so for every campaign left running: adapters/app.ts).
import { randomUUID } from 'node:crypto';
import { EngineError } from '../errors.ts';
import type { CommandOptions, Engine, PreparedStart } from './engine.ts';
import type { Campaign, OrgUnit, UnitScope } from '../domain.ts';

export interface CampaignInput {
  /** Give one to make creation idempotent (a retried request finds the same campaign). */
  id?: string;
  definitionId: string;
  version?: number;
  rootUnitId: string;
  /** Unit kinds to start it for; default every kind the process applies to. */
  kinds?: string[];
  reason?: string;
  /** Anchor dates for every instance (say, the disclosure year's publication day). */
  anchors?: Record<string, string>;
  /** Units named one by one (a sample the Ministry chose, from a list of codes): only these, when
   * no kinds are given; else added to the units of the kinds. */
  unitIds?: string[];
  /** Lists of unit codes every instance starts with, by the names the process declares. */
  lists?: Record<string, string[]>;
  /** Start it also for units already running this process (another campaign's instance, or one
   * started by hand); by default they are skipped, and counted. */
  includeRunning?: boolean;
}

/** What a launch would do, before it does: the units in scope, and those it would skip because they
 * already run the process (the first `SKIPPED_LISTED` of them named). */
export interface CampaignPreview {
  total: number;
  toStart: number;
  skippedRunning: number;
  skipped: { id: string; name: string }[];
}

export const SKIPPED_LISTED = 200;

/** A page's starts are computed this many at a time, the event loop served between groups. */
const PREPARED_AT_ONCE = 25;

export interface CampaignProgress {
  campaign: Campaign;
  /** Instances this run created. */
  created: number;
  /** Units the process could not start for, with why. */
  failed: { orgUnitId: string; code: string; message: string }[];
  /** Units passed by because they already run the process (see `includeRunning`). */
  skippedRunning: number;
}

const CAMPAIGN_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** Units named one by one (a sample) are looked up in one statement: well under SQLite's 32,766
 * values. A sample is hundreds or thousands of schools; a whole province is chosen by kind. */
export const MAX_NAMED_UNITS = 20_000;

/** The units a campaign input reaches: its process, root, kinds and named units, checked. */
async function resolveScope(engine: Engine, input: CampaignInput) {
  const compiled = await engine.catalog.get(input.definitionId, input.version);
  const unitIds = input.unitIds?.length ? [...new Set(input.unitIds.map((u) => String(u).trim()))] : undefined;
  if (unitIds && unitIds.length > MAX_NAMED_UNITS)
    throw new EngineError('INVALID_ARGUMENT', `a campaign names at most ${MAX_NAMED_UNITS} units one by one; choose the rest by kind`, { field: 'unitIds' });
  const kinds = input.kinds?.length ? input.kinds : unitIds ? [] : compiled.appliesTo;
  const foreign = kinds.filter((k) => !(compiled.appliesTo as string[]).includes(k));
  if (foreign.length)
    throw new EngineError('NOT_APPLICABLE', `${compiled.id} applies to ${compiled.appliesTo.join(', ')}, not ${foreign.join(', ')}`, {
      field: 'kinds',
      allowed: compiled.appliesTo,
    });
  const [root] = await engine.chainOf(input.rootUnitId);
  if (unitIds) await requireNamedUnits(engine, root!.path, unitIds);
  return { compiled, root: root!, kinds, unitIds };
}

/** A launch's dry run: how many units it reaches, and which it would skip as already running the
 * process — three statements whatever the number of units. */
export async function previewCampaign(engine: Engine, input: CampaignInput): Promise<CampaignPreview> {
  const { compiled, root, kinds, unitIds } = await resolveScope(engine, input);
  const more = unitIds ? { unitIds } : {};
  const total = await engine.store.countUnitsUnder(root.path, kinds, more);
  const skippedRunning = await engine.store.countUnitsUnder(root.path, kinds, { ...more, running: compiled.id });
  const skipped = skippedRunning ? await engine.store.unitsUnder(root.path, { kinds, ...more, running: compiled.id, limit: SKIPPED_LISTED }) : [];
  return {
    total,
    toStart: input.includeRunning ? total : total - skippedRunning,
    skippedRunning,
    skipped: skipped.map((u) => ({ id: u.id, name: u.name })),
  };
}

export async function createCampaign(engine: Engine, input: CampaignInput, options: CommandOptions): Promise<Campaign> {
  if (input.id !== undefined && !CAMPAIGN_ID.test(input.id))
    throw new EngineError('INVALID_ARGUMENT', `campaign id "${input.id}": letters, digits, _ and - only`, { field: 'id' });
  const { compiled, root, kinds, unitIds } = await resolveScope(engine, input);
  const anchors = input.anchors && Object.keys(input.anchors).length ? engine.checkAnchors(compiled, input.anchors) : undefined;
  const lists = input.lists && Object.keys(input.lists).length ? engine.checkLists(compiled, input.lists) : undefined;
  if (input.id) {
    const existing = await engine.store.getCampaign(input.id);
    if (existing) {
      const same =
        existing.definitionId === compiled.id &&
        existing.definitionVersion === compiled.version &&
        existing.rootUnitId === root.id &&
        existing.kinds.join() === kinds.join() &&
        (existing.unitIds ?? []).join() === (unitIds ?? []).join();
      if (!same)
        throw new EngineError(
          'INVALID_ARGUMENT',
          `campaign "${input.id}" already exists for ${existing.definitionId} v${existing.definitionVersion} under ${existing.rootUnitId}`,
          { field: 'id' },
        );
      return existing;
    }
  }
  const campaign: Campaign = {
    id: input.id ?? randomUUID(),
    definitionId: compiled.id,
    definitionVersion: compiled.version,
    rootUnitId: root.id,
    kinds,
    status: 'running',
    total: await engine.store.countUnitsUnder(root.path, kinds, unitIds ? { unitIds } : {}),
    started: 0,
    createdBy: options.actor,
    ...(input.reason ? { reason: input.reason } : {}),
    ...(anchors ? { anchors } : {}),
    ...(unitIds ? { unitIds } : {}),
    ...(lists ? { lists } : {}),
    ...(input.includeRunning ? { includeRunning: true as const } : {}),
    createdAt: engine.clock.now(),
  };
  await engine.store.putCampaign(campaign);
  return campaign;
}

/** Starts the campaign's process for every unit in scope that has none yet, a batch at a time. */
export async function runCampaign(
  engine: Engine,
  id: string,
  options: CommandOptions & {
    /** Units a page: their starts commit together, in transactions of the engine's group commit. */
    batchSize?: number;
    onProgress?: (p: CampaignProgress) => void;
    signal?: AbortSignal;
    /** Start it also for units already running the process; a resumed run (none given) skips them. */
    includeRunning?: boolean;
  },
): Promise<CampaignProgress> {
  const campaign = await engine.store.getCampaign(id);
  if (!campaign) throw new EngineError('NOT_FOUND', `no campaign "${id}"`, { id });
  if (campaign.status === 'cancelled') throw new EngineError('INSTANCE_NOT_RUNNING', `campaign "${id}" was cancelled`);
  const [root] = await engine.chainOf(campaign.rootUnitId);
  const progress: CampaignProgress = { campaign, created: 0, failed: [], skippedRunning: 0 };
  // A fan-out's children are each parent's own (a period's report runs beside the last one's).
  const skipRunning = !campaign.parent && !options.includeRunning && !campaign.includeRunning;
  const missing = { missingFor: campaign.id, ...(skipRunning ? { notRunning: campaign.definitionId } : {}) };
  // The units still to start, read once: a page asked by "after this id, in scope, not started"
  // walked the whole scope each time (the kinds' path index, then a sort), so a campaign slowed as it
  // went (123 ms a page at 50,000 schools, 10 % of the run). Each page is asked again by its ids
  // just before it starts — one look-up by key — so a unit closed, or started elsewhere, meanwhile
  // is passed by as before.
  const todo = (await engine.store.unitsUnder(root!.path, { ...scopeOf(campaign), ...missing, limit: Number.MAX_SAFE_INTEGER })).map((u) => u.id);
  const started = await engine.queries.countInstances({ campaignId: campaign.id });
  const size = options.batchSize ?? 500;
  const pageAt = (at: number) =>
    at < todo.length ? engine.store.unitsUnder(root!.path, { kinds: [], unitIds: todo.slice(at, at + size), ...missing, limit: size }) : Promise.resolve([]);
  /** A page's starts checked and computed; a unit refused (closed, not applicable…) is noted. */
  const prepare = async (units: OrgUnit[]): Promise<PreparedStart[]> => {
    engine.rememberUnits(units);
    // One moment for the page: its units of one kind share their first step (Engine.prepareStart).
    const at = engine.clock.now();
    const prepared: (PreparedStart | { existing: unknown } | undefined)[] = [];
    for (let from = 0; from < units.length; from += PREPARED_AT_ONCE) {
      // Back to the event loop between groups: a page's starts are computed from what is cached,
      // without a pause, and the commit in flight beside them (a PostgreSQL transaction is a round
      // trip a statement) waited the whole page for its next statement.
      if (from) await new Promise<void>((resolve) => setImmediate(resolve));
      prepared.push(...(await prepareGroup(units.slice(from, from + PREPARED_AT_ONCE), at)));
    }
    // In a campaign a start is never answered by an instance already there: the store's key is.
    return prepared.filter((p): p is PreparedStart => p !== undefined && 'change' in p);
  };
  // Together, so the units' ancestors not known yet are read in one statement (UnitDirectory).
  const prepareGroup = (units: OrgUnit[], at: number) =>
    Promise.all(
      units.map(async (unit) => {
        try {
          return await engine.prepareStart(
            {
              definitionId: campaign.definitionId,
              version: campaign.definitionVersion,
              orgUnitId: unit.id,
              campaignId: campaign.id,
              ...(campaign.anchors ? { anchors: campaign.anchors } : {}),
              ...(campaign.lists ? { lists: campaign.lists } : {}),
            },
            { actor: options.actor },
            at,
          );
        } catch (e) {
          if (!(e instanceof EngineError)) throw e;
          progress.failed.push({ orgUnitId: unit.id, code: e.code, message: e.message });
          return undefined;
        }
      }),
    );
  // A page is computed while the page before commits (the store's thread, or PostgreSQL, works on
  // it meanwhile); it is read just before that commit goes out, so its read does not queue behind it
  // (SQLite has one connection). A page is committed only once the one before is reported: a run
  // stopped there (a crash, `onProgress` throwing) has committed exactly what it reported.
  // What follows the last page's commits (the relay of its timers to Redis…) runs beside the next
  // page's commit; one at a time, and the run ends with it.
  let settling: Promise<void> = Promise.resolve();
  let next = await prepare(await pageAt(0));
  for (let at = 0; next.length || at < todo.length; at += size) {
    // Stopped between batches (the process is closing): the campaign stays running, and the next run
    // — a process with workers resumes it at start — adds the units still missing.
    if (options.signal?.aborted) {
      await settling;
      return progress;
    }
    const following = await pageAt(at + size);
    const committing = engine.commitStarts(next);
    // Whatever happens to this page, the commit in flight is waited for before it is reported.
    const computed = prepare(following).then(
      (v) => ({ ok: true as const, v }),
      (e: unknown) => ({ ok: false as const, e }),
    );
    const { answers, settled } = await committing;
    answers.forEach((a, k) => {
      if (a instanceof EngineError) progress.failed.push({ orgUnitId: next[k]!.change.instance.orgUnitId, code: a.code, message: a.message });
      else progress.created++;
    });
    const page = await computed;
    if (!page.ok) throw page.e;
    next = page.v;
    await settling;
    settling = settled;
    await refresh(engine, progress, false, started);
    options.onProgress?.(progress);
  }
  await settling;
  if (skipRunning) progress.skippedRunning = await countSkipped(engine, campaign);
  await refresh(engine, progress, true);
  // A fan-out whose children all finished while it was starting them (or that reached no unit)
  // has what it waits for now.
  if (campaign.parent) {
    // Units its children could not start for are on the parent's record, with why: otherwise they
    // would be missing from the late list without a word.
    if (progress.failed.length) await engine.noteFanOutFailures(campaign, progress.failed);
    await engine.checkFanOut(campaign.id);
  }
  return progress;
}

/** Units of a campaign's scope it has not started for because they run its process already. */
export async function countSkipped(engine: Engine, c: Campaign): Promise<number> {
  if (c.parent || c.includeRunning) return 0;
  const { kinds, ...more } = scopeOf(c);
  return engine.store.countUnitsUnder((await engine.chainOf(c.rootUnitId))[0]!.path, kinds, { ...more, missingFor: c.id, running: c.definitionId });
}

/** Which units a campaign reaches under its root. */
export function scopeOf(c: Campaign): UnitScope {
  return { kinds: c.kinds, ...(c.levels ? { levels: c.levels } : {}), ...(c.unitIds ? { unitIds: c.unitIds } : {}), ...(c.depth ? { depth: c.depth } : {}) };
}

/** Every named unit must lie under the root; one outside reads as one that does not exist. */
async function requireNamedUnits(engine: Engine, rootPath: string, ids: string[]): Promise<void> {
  const found = new Map((await engine.store.getUnits(ids)).map((u) => [u.id, u]));
  const unknown = ids.filter((id) => {
    const u = found.get(id);
    return !u || !u.path.startsWith(rootPath) || u.closedAt !== undefined;
  });
  if (unknown.length)
    throw new EngineError('INVALID_ARGUMENT', `no open unit under the campaign's root with code ${unknown.map((u) => `"${u}"`).join(', ')}`, {
      field: 'unitIds',
      unknown,
    });
}

/** Writes the campaign's progress: after a page, the instances it had when the run began plus those
 * this run created (counting them again each page grew with the campaign); at the end, counted. */
async function refresh(engine: Engine, progress: CampaignProgress, finished: boolean, before = 0): Promise<void> {
  const c = progress.campaign;
  const started = finished ? await engine.queries.countInstances({ campaignId: c.id }) : before + progress.created;
  const { kinds, ...more } = scopeOf(c);
  const total = finished ? await engine.store.countUnitsUnder((await engine.chainOf(c.rootUnitId))[0]!.path, kinds, more) : c.total;
  // A fan-out's run ends once: the units its children could not start for (a kind the child process
  // is not for) cannot be waited for, and a parent's stage must not wait for them forever.
  const status = finished && (started + progress.skippedRunning >= total || c.parent) ? 'done' : c.status;
  const counted = finished && c.parent ? started : total;
  await engine.store.updateCampaign(c.id, { started, total: counted, status });
  progress.campaign = { ...c, started, total: counted, status };
}
