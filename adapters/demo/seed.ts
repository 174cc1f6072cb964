// Seeds the demo province on a fresh store: its units, then four months of work told as three
// storylines (accreditation, public disclosure, periodic reporting) on one agenda, so that "now"
// shows work on time, overdue, escalated to the Phòng and the Sở, and finished — and, across the tree,
// the Sở's review waiting on its late Phòng and a PISA sample at work (review.ts). Everything goes
// through the engine's public commands; the clock moves, timers fire at their own moments.
import type { ManualClock } from '../../engine/ports.ts';
import type { Runtime } from '../runtime.ts';
import { planAccreditation } from './accreditation.ts';
import { Agenda, Timeline } from './agenda.ts';
import { planDisclosure } from './disclosure.ts';
import { DEFAULT_SEED, generateProvince } from './province.ts';
import { planReporting } from './reporting.ts';
import { planReview } from './review.ts';
import { createRng } from './rng.ts';
import type { Story } from './story.ts';
import { summarise, type DemoSummary } from './summary.ts';
import { DemoWork } from './work.ts';

export type { DemoSummary } from './summary.ts';

/** The storylines begin this many working days before "now"; the clock must start earlier. */
const STORY_WORKING_DAYS = 70;
const CALENDAR = 'vn-government';

export interface SeedOptions {
  /** Same seed, same province and story. Default DEFAULT_SEED. */
  seed?: number;
}

/**
 * Seeds `rt` (a fresh store, every process in processes/ published, `clock` about four months
 * before `now`) and leaves the clock at `now` with every due timer fired.
 */
export async function seedDemo(rt: Runtime, clock: ManualClock, now: number, options: SeedOptions = {}): Promise<DemoSummary> {
  const started = performance.now();
  const seed = options.seed ?? DEFAULT_SEED;
  const calendar = rt.engine.catalog.calendars.get(CALENDAR);
  if (!calendar) throw new Error(`the demo needs the "${CALENDAR}" calendar; installed: ${[...rt.engine.catalog.calendars.keys()].join(', ')}`);
  const time = new Timeline(calendar, now);
  const span = time.workingDaysSince(clock.now());
  if (span < STORY_WORKING_DAYS + 1) {
    throw new Error(
      `seedDemo: the clock must start at least ${STORY_WORKING_DAYS + 1} working days (about four months) before now; it is ${span} working days before`,
    );
  }

  const units = generateProvince(seed);
  await rt.engine.addUnits(units);
  const rng = createRng(seed);
  const story: Story = { rt, agenda: new Agenda(rt, clock), work: new DemoWork(rt.engine, rng.fork('forms')), time, rng: rng.fork('story'), units };
  planAccreditation(story);
  planReporting(story);
  planDisclosure(story);
  planReview(story);
  await story.agenda.runUntil(now);
  clock.set(now);
  const lastTimers = await rt.runDue();

  return summarise(rt, units, {
    seed,
    commands: story.work.commands,
    timersFired: story.agenda.timersFired + lastTimers,
    refusals: story.agenda.refusals,
    elapsedMs: Math.round(performance.now() - started),
    spent: Object.fromEntries(Object.entries(story.agenda.spent).map(([k, v]) => [k, { count: v.count, ms: Math.round(v.ms) }])),
  });
}
