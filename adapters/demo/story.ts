// What the three demo storylines share: the runtime, the agenda, the people's work, office-hour
// time counted back from "now", and two helpers — launch a campaign (with anchor dates, which
// campaigns cannot carry yet), and lay one instance's path (work, then a move, stage after stage) on
// the agenda.
import { createCampaign, runCampaign, type CampaignInput } from '../../engine/service/campaigns.ts';
import { fanOutId } from '../../engine/service/fan-out.ts';
import type { UnitInput } from '../../engine/service/org.ts';
import type { Runtime } from '../runtime.ts';
import type { Agenda, Timeline } from './agenda.ts';
import type { Rng } from './rng.ts';
import type { DemoWork, Move, Route } from './work.ts';

export interface Story {
  rt: Runtime;
  agenda: Agenda;
  work: DemoWork;
  time: Timeline;
  rng: Rng;
  units: readonly UnitInput[];
}

/** Who launches the demo's campaigns. */
const CAMPAIGN_ACTOR = 'admin';

/**
 * Creates and runs a campaign; with anchors, each unit's instance is started with them first (the
 * campaign run then finds nobody missing and closes). Answers the instance of each unit, by unit id.
 */
export async function launchCampaign(story: Story, input: CampaignInput & { id: string }, anchors?: Record<string, string>): Promise<Map<string, string>> {
  const { engine, store, queries } = story.rt;
  const options = { actor: CAMPAIGN_ACTOR };
  const campaign = await createCampaign(engine, input, options);
  if (anchors) {
    const [root] = await engine.chainOf(campaign.rootUnitId);
    for (;;) {
      const units = await store.unitsUnder(root!.path, { kinds: campaign.kinds, limit: 200, missingFor: campaign.id });
      if (!units.length) break;
      for (const u of units)
        await engine.start(
          { definitionId: campaign.definitionId, version: campaign.definitionVersion, orgUnitId: u.id, campaignId: campaign.id, anchors },
          options,
        );
    }
  }
  await runCampaign(engine, campaign.id, { ...options, batchSize: 200 });
  const instances: [string, string][] = [];
  let afterId: string | undefined;
  for (;;) {
    const page = await queries.listInstances({ campaignId: campaign.id }, { limit: 500, ...(afterId ? { afterId } : {}) });
    if (!page.length) break;
    for (const i of page) instances.push([i.orgUnitId, i.id]);
    afterId = page.at(-1)!.id;
  }
  // By unit, not by instance id (random): the story draws its numbers in this order.
  return new Map(instances.sort(([a], [b]) => (a < b ? -1 : 1)));
}

/**
 * Starts a parent instance (a Sở's) whose first stage opens work below (fanOut), then gives each
 * child the anchor dates the parent was started with that the child also declares — the engine does
 * not pass them down yet. Answers the parent and its children by unit id.
 */
export async function startTree(
  story: Story,
  input: { id: string; reason: string; definitionId: string; orgUnitId: string; anchors?: Record<string, string>; lists?: Record<string, string[]> },
  childAnchors: Record<string, string> = {},
): Promise<{ parentId: string; children: Map<string, string> }> {
  // A campaign of one (the office's own instance), so that each round is an instance of its own.
  const { orgUnitId, ...campaign } = input;
  const started = await launchCampaign(story, { ...campaign, rootUnitId: orgUnitId });
  const parentId = started.get(orgUnitId);
  if (!parentId) throw new Error(`startTree: no ${input.definitionId} instance for ${orgUnitId}`);
  const children = await childrenOf(story, parentId);
  for (const id of children.values())
    for (const [name, date] of Object.entries(childAnchors)) await story.rt.engine.setAnchor(id, name, date, { actor: CAMPAIGN_ACTOR });
  return { parentId, children };
}

/** The instances a parent's latest fan-out opened, by unit id (sorted: the story draws in this order). */
export async function childrenOf(story: Story, parentId: string): Promise<Map<string, string>> {
  const { engine, queries } = story.rt;
  const loaded = (await engine.store.loadInstance(parentId))!;
  const seqs = Object.values(loaded.instance.state.fanOuts ?? {});
  const children = new Map<string, string>();
  if (!seqs.length) return children;
  let afterId: string | undefined;
  for (;;) {
    const page = await queries.listInstances({ campaignId: fanOutId(parentId, Math.max(...seqs)) }, { limit: 500, ...(afterId ? { afterId } : {}) });
    if (!page.length) break;
    for (const i of page) children.set(i.orgUnitId, i.id);
    afterId = page.at(-1)!.id;
  }
  return new Map([...children].sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** One stage left at `offset` working days from today; `move` replaces the route's, `anchorDate` feeds it. */
export interface Pass {
  offset: number;
  move?: Move;
  anchorDate?: string;
}

/**
 * Lays an instance's path on the agenda: before each pass, up to `workPerStage` tasks are done on
 * the working days since the previous one; `after` runs on working days after the last pass (work
 * still in hand at "now").
 */
export function layPath(
  story: Story,
  instanceId: string,
  route: Route,
  from: number,
  passes: readonly Pass[],
  options: { workPerStage?: number; workAfter?: number[] } = {},
): void {
  const { agenda, work, time, rng } = story;
  let previous = from;
  for (const pass of passes) {
    const days = workDays(previous, pass.offset, options.workPerStage ?? 3, rng);
    for (const d of days) agenda.add(time.at(d, officeHour(rng)), `task ${instanceId}`, () => work.completeNextTask(instanceId));
    agenda.add(time.at(pass.offset, officeHour(rng)), `pass ${instanceId}`, () =>
      work.passStage(instanceId, route, { ...(pass.move ? { override: pass.move } : {}), ...(pass.anchorDate ? { anchorDate: pass.anchorDate } : {}) }),
    );
    previous = pass.offset;
  }
  for (const d of options.workAfter ?? []) agenda.add(time.at(d, officeHour(rng)), `task ${instanceId}`, () => work.completeNextTask(instanceId));
}

/** Up to n working days strictly between two offsets, in order. */
export function workDays(from: number, to: number, n: number, rng: Rng): number[] {
  const between = Array.from({ length: Math.max(0, to - from - 1) }, (_, i) => from + 1 + i);
  return rng
    .shuffle(between)
    .slice(0, n)
    .sort((a, b) => a - b);
}

/** 07:30 to 16:30, on the half hour. */
export function officeHour(rng: Rng): number {
  return 7.5 + rng.int(0, 18) / 2;
}
