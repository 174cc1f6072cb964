// What a parent instance's reader sees of the work it opened below: per fan-out stage entry, its
// children (unit, where each stands, whether it is late), their counts and the roll-up — with each
// unit's own answers, for the export (danh sách đơn vị chậm báo cáo, bảng tổng hợp theo đơn vị).
import type { CompiledProcess } from '../definition/compile.ts';
import { answerTitle } from '../definition/forms.ts';
import type { Rollup, Text } from '../definition/types.generated.ts';
import type { Instance, InstanceStatus } from '../domain.ts';
import type { Engine } from '../service/engine.ts';
import { fanOutId } from '../service/fan-out.ts';
import { processes, stageTitle, unitNames } from './views.ts';

/** Children listed per fan-out at most: a ministry's fan-out to 50,000 schools is read in pages. */
export const CHILDREN_PAGE = 5_000;

export interface ChildRow {
  unitId: string;
  unitName: string;
  instanceId: string;
  status: InstanceStatus;
  stages: string[];
  stageTitles: Text[];
  dueAt?: number;
  finishedAt?: number;
  /** Not finished after the cut-off (the parent stage's due moment) or past its own deadline. */
  late: boolean;
  /** This unit's answers to the roll-up's fields, by roll-up name. */
  figures: Record<string, unknown>;
}

export interface FanOutView {
  stage: string;
  stageTitle: Text;
  seq: number;
  campaignId: string;
  process: string;
  processTitle: Text;
  cutoffAt?: number;
  /** Whether the stage entry is still waiting (active). */
  open: boolean;
  total: number;
  done: number;
  pending: number;
  cancelled: number;
  late: number;
  rollup: Record<
    string,
    {
      title?: Text;
      count: number;
      sum: number;
      min?: number;
      max?: number;
      values: Record<string, string[]>;
      /** What the answers are called (an option's title, Có/Không), by the value as in `values`. */
      valueTitles?: Record<string, Text>;
    }
  >;
  children: ChildRow[];
  /** More children than listed (a page of CHILDREN_PAGE). */
  truncated: boolean;
}

/** The fan-outs of an instance, oldest first; children limited to those under `underPaths`. */
export async function fanOutViews(engine: Engine, instance: Instance, underPaths: string[], now: number): Promise<FanOutView[]> {
  const compiled = await engine.catalog.get(instance.definitionId, instance.definitionVersion);
  const out: FanOutView[] = [];
  const entries = Object.entries(instance.state.fanOuts ?? {}).sort((a, b) => a[1] - b[1]);
  for (const [stage, seq] of entries) {
    const fanOut = compiled.stages[stage]?.fanOut;
    if (!fanOut) continue;
    const campaignId = fanOutId(instance.id, seq);
    const figures = await engine.fanOutFigures(campaignId, fanOut);
    if (!figures) continue;
    const listed = await engine.queries.listInstances({ campaignId, underPaths }, { limit: CHILDREN_PAGE + 1 });
    const page = listed.slice(0, CHILDREN_PAGE);
    const names = await unitNames(
      engine,
      page.map((i) => i.orgUnitId),
    );
    const child = (await processes(engine, [{ definitionId: figures.campaign.definitionId, definitionVersion: figures.campaign.definitionVersion }]))(
      figures.campaign.definitionId,
      figures.campaign.definitionVersion,
    );
    const byUnit = new Map<string, Record<string, unknown>>();
    for (const [name, r] of Object.entries(figures.rollup)) {
      for (const [value, units] of Object.entries(r.values)) {
        for (const u of units) (byUnit.get(u) ?? byUnit.set(u, {}).get(u)!)[name] = parseValue(value);
      }
    }
    const cutoffAt = figures.campaign.parent?.cutoffAt;
    const children = page
      .map((i): ChildRow => {
        const finished = i.status === 'done' ? i.updatedAt : undefined;
        // A unit whose part is done (finished, or in a stage its report counts as filed) is not late.
        const answered = i.status === 'done' || i.status === 'cancelled' || i.stages.some((s) => fanOut.reported?.includes(s));
        const late = !answered && ((cutoffAt !== undefined && now > cutoffAt) || (i.dueAt !== undefined && now > i.dueAt));
        return {
          unitId: i.orgUnitId,
          unitName: names.get(i.orgUnitId) ?? i.orgUnitId,
          instanceId: i.id,
          status: i.status,
          stages: i.stages,
          stageTitles: i.stages.map((s) => stageTitle(child, s)),
          ...(i.dueAt !== undefined ? { dueAt: i.dueAt } : {}),
          ...(finished !== undefined ? { finishedAt: finished } : {}),
          late,
          figures: byUnit.get(i.orgUnitId) ?? {},
        };
      })
      .sort((a, b) => Number(b.late) - Number(a.late) || a.unitName.localeCompare(b.unitName, 'vi'));
    out.push({
      stage,
      stageTitle: stageTitle(compiled, stage),
      seq,
      campaignId,
      process: figures.campaign.definitionId,
      processTitle: child?.title ?? { vi: figures.campaign.definitionId, en: figures.campaign.definitionId },
      ...(cutoffAt !== undefined ? { cutoffAt } : {}),
      open: instance.state.entries[stage]?.seq === seq,
      ...figures.counts,
      late: children.filter((c) => c.late).length,
      rollup: Object.fromEntries(
        Object.entries(figures.rollup).map(([name, r]) => [
          name,
          { ...(fanOut.rollup?.[name]?.title ? { title: fanOut.rollup[name]!.title } : {}), ...r, ...valueTitles(child, fanOut.rollup?.[name], r.values) },
        ]),
      ),
      children,
      truncated: listed.length > CHILDREN_PAGE,
    });
  }
  return out;
}

/** The words for the values units answered, from the child process's form field the roll-up reads. */
function valueTitles(child: CompiledProcess | undefined, rollup: Rollup | undefined, values: Record<string, string[]>): { valueTitles?: Record<string, Text> } {
  if (!child || !rollup) return {};
  const task = Object.values(child.stages)
    .flatMap((s) => s.tasks)
    .find((t) => t.id === rollup.task);
  const field = task?.form?.properties?.[rollup.field];
  const out: Record<string, Text> = {};
  for (const text of Object.keys(values)) {
    const title = answerTitle(field, parseValue(text));
    if (title) out[text] = title;
  }
  return Object.keys(out).length ? { valueTitles: out } : {};
}

/** Roll-up values are kept as text keys (units by value); numbers and booleans come back as such. */
function parseValue(text: string): unknown {
  if (text === 'true' || text === 'false') return text === 'true';
  const n = Number(text);
  return text.trim() !== '' && Number.isFinite(n) ? n : text;
}
