// Fan-out (issue 15): work across the tree. A ministry → 63 Sở → Phòng → schools tree of 50,000
// schools (--quick: 2,000); a parent instance at the ministry whose stage fans out to every school
// below it (depth: descendants), timed as child starts per second against the campaign's ceiling (the
// same rows by knex batched inserts, bench/lib/ceiling.ts); then every child answers its task and
// finishes (each finish checks the parent: the wait is met by the last one, and the parent moves on);
// then the parent's roll-up is read (the guards' figures, `fanOutFigures`) and its children's view
// (`GET /instances/:id/children`, Application.childrenOf: a page of 5,000 children, the counts and
// the roll-up). And the Sở's size: a Sở fanning out to its 1,500 schools, their answers and the
// roll-up, end to end. On SQLite, then on PostgreSQL when it is reachable (a smaller ministry:
// 10,000 schools; --quick 1,000).
import type { Knex } from 'knex';
import { Application, systemPrincipal } from '../../engine/application/application.ts';
import { instantAt } from '../../engine/calendar/time.ts';
import { ManualClock } from '../../engine/ports.ts';
import type { UnitInput } from '../../engine/service/org.ts';
import { copyRows, countRows, TABLES } from '../lib/ceiling.ts';
import {
  emit,
  figure,
  log,
  openPgRuntime,
  openSqliteRuntime,
  parseArgs,
  pgReachable,
  skipped,
  timer,
  type BenchRuntime,
  type Figures,
} from '../lib/measure.ts';
import { profileLines, profileWhile, summarizeProfile } from '../lib/profile.ts';
import { isSchool, scaledProvince } from '../lib/province.ts';
import { describeStatements, timeStatements } from '../lib/sqltime.ts';

const { quick, options } = parseArgs();
const ministrySchools = Number(options.schools ?? (quick ? 2_000 : 50_000));
const pgMinistrySchools = Number(options['pg-schools'] ?? (quick ? 1_000 : 10_000));
const soSchools = Number(options['so-schools'] ?? 1_500);
const SO_COUNT = 63;
/** Children answering at once (the clients of a busy morning). */
const CLIENTS = Number(options.clients ?? 64);
/** Past this many seconds the answers stop being sent and what was done is measured. */
const ANSWER_CAP_S = Number(options.cap ?? (quick ? 60 : 300));
/** The ceiling copies the rows of this many children (its rate is per instance); default all, as the campaign's. */
const CEILING_SAMPLE = Number(options['ceiling-sample'] ?? Infinity);
const clock = new ManualClock(instantAt('2022-01-10', 8));

const CHILD = `
id: bench-school-figures
version: 1
title: { vi: Báo cáo số liệu của trường, en: The school's figures }
legalBasis: [Công văn thử nghiệm]
appliesTo: [preschool, primary, lower-secondary, upper-secondary, multi-level, continuing-education]
calendar: vn-government
initial: report
stages:
  report:
    title: { vi: Lập báo cáo, en: Write the report }
    owner: school
    tasks:
      - id: figures
        title: { vi: Số liệu, en: Figures }
        form:
          properties:
            pupils: { type: integer, minimum: 0, title: { vi: Số học sinh, en: Pupils } }
            completed: { type: boolean, title: { vi: Đã tự đánh giá, en: Self-assessed } }
            rating: { type: string, enum: [good, fair], title: { vi: Xếp loại, en: Rating } }
          required: [pupils, completed]
    on:
      SUBMIT: { target: filed, when: { tasksDone: all } }
  filed:
    title: { vi: Đã báo cáo, en: Filed }
    type: final
`;

function parent(id: string, kind: 'ministry' | 'department'): string {
  return `
id: ${id}
version: 1
title: { vi: Tổng hợp số liệu các trường, en: The schools' figures added up }
legalBasis: [Công văn thử nghiệm]
appliesTo: [${kind}]
calendar: vn-government
initial: collect
stages:
  collect:
    title: { vi: Thu báo cáo của các trường, en: Collect the schools' reports }
    owner: ${kind}
    due: { date: 2022-01-24 }
    fanOut:
      units: { depth: descendants }
      process: bench-school-figures
      rollup:
        pupils: { task: figures, field: pupils }
        completed: { task: figures, field: completed }
        rating: { task: figures, field: rating }
    on:
      CHILDREN_DONE: consolidate
      DUE: consolidate
  consolidate:
    title: { vi: Tổng hợp, en: Consolidate }
    owner: ${kind}
    on:
      SEND: sent
  sent:
    title: { vi: Đã gửi, en: Sent }
    type: final
`;
}

/** A ministry with 63 Sở, `schools` schools in all (each Sở a benchmark province cut to its share). */
function ministryTree(schools: number): UnitInput[] {
  const out: UnitInput[] = [{ id: 'bo', kind: 'ministry', name: 'Bộ Giáo dục và Đào tạo' }];
  const provinces = new Map<number, UnitInput[]>();
  for (let k = 0; k < SO_COUNT; k++) {
    const share = Math.floor(schools / SO_COUNT) + (k < schools % SO_COUNT ? 1 : 0);
    if (!share) continue;
    const ids = new Map<string, string>();
    const province = provinces.get(share) ?? provinces.set(share, scaledProvince(share)).get(share)!;
    province.forEach((u, i) => {
      const id = `s${k}-${i}`;
      ids.set(u.id, id);
      out.push({ ...u, id, parentId: u.parentId ? ids.get(u.parentId)! : 'bo', name: `${u.name} [${k + 1}]` });
    });
  }
  return out;
}

const figures: Figures = {};
Object.assign(figures, await measure('sqlite', 'ministry', ministrySchools));
Object.assign(figures, await measure('sqlite', 'so', soSchools));
if (await pgReachable()) {
  Object.assign(figures, await measure('postgres', 'ministry', pgMinistrySchools));
  Object.assign(figures, await measure('postgres', 'so', soSchools));
} else skipped('PostgreSQL not reachable: the fanout_pg_* figures are left out');
emit(figures);

async function measure(kind: 'sqlite' | 'postgres', level: 'ministry' | 'so', schools: number): Promise<Figures> {
  const pg = kind === 'postgres';
  const prefix = pg ? 'fanout_pg_' : 'fanout_';
  const size = schools >= 1000 && schools % 1000 === 0 ? `${schools / 1000}k` : String(schools);
  const open = () => (pg ? openPgRuntime({ clock }) : openSqliteRuntime({ clock }));
  const run: BenchRuntime = await open();
  const store = pg ? 'PostgreSQL' : 'SQLite';
  try {
    const { rt } = run;
    const units = level === 'ministry' ? ministryTree(schools) : scaledProvince(schools);
    for (let i = 0; i < units.length; i += 5_000) await rt.engine.addUnits(units.slice(i, i + 5_000));
    const root = units[0]!;
    const schoolCount = units.filter((u) => isSchool(u) && u.kind !== 'ministry').length;
    log(`${store}: ${units.length} units under ${root.kind} ${root.id}, ${schoolCount} schools`);
    const parentProcess = level === 'ministry' ? 'bench-ministry-collect' : 'bench-so-collect';
    await rt.engine.catalog.publish(CHILD, 'bench-school-figures.yaml', 'bench');
    await rt.engine.catalog.publish(parent(parentProcess, level === 'ministry' ? 'ministry' : 'department'), `${parentProcess}.yaml`, 'bench');

    // 1. The fan-out: the parent's start opens the campaign and starts every child before it answers.
    let statements = timeStatements(rt.db);
    const started = timer();
    const parentSummary = await rt.engine.start({ definitionId: parentProcess, orgUnitId: root.id }, { actor: 'bench' });
    const startMs = started();
    statements.stop();
    const startStatements = statements;
    const campaign = (await rt.db('campaigns').where('parent_instance_id', parentSummary.id).first()) as { id: string; total: number; status: string };
    const children = (await rt.db('instances').where('campaign_id', campaign.id).select('id', 'org_unit_id').orderBy('id')) as {
      id: string;
      org_unit_id: string;
    }[];
    if (children.length !== schoolCount || campaign.status !== 'done' || Number(campaign.total) !== schoolCount)
      throw new Error(`the fan-out started ${children.length} of ${schoolCount} children (campaign ${campaign.status}, total ${campaign.total})`);
    const startRate = children.length / (startMs / 1000);
    log(`fan-out: ${children.length} children in ${(startMs / 1000).toFixed(1)} s = ${startRate.toFixed(0)}/s`);
    for (const s of startStatements.top(4)) log(`  ${(s.totalMs / 1000).toFixed(2).padStart(6)} s ×${String(s.count).padStart(6)}  ${s.sql.slice(0, 150)}`);

    // The ceiling: the children's rows as they started, into a fresh store, as the campaign workload
    // measures it (before the answers add to them).
    let ceilingRate = NaN;
    let rows = 0;
    if (level === 'ministry') {
      const ceilingRun = await open();
      try {
        const counts = await childRows(rt.db, campaign.id);
        const sample = Math.min(children.length, CEILING_SAMPLE);
        const ceilingMs = await copyRows(rt.db, ceilingRun.rt.db, campaign.id, sample);
        const copied = await countRows(ceilingRun.rt.db);
        rows = Object.values(copied).reduce((a, b) => a + b, 0);
        // Each child's rows, copied row for row: as many per instance as the engine wrote.
        for (const t of [...TABLES, 'jobs'] as const)
          if (copied[t] / sample !== counts[t] / children.length)
            throw new Error(`ceiling wrote ${copied[t]} ${t} rows for ${sample} children, the engine ${counts[t]} for ${children.length}`);
        ceilingRate = sample / (ceilingMs / 1000);
        log(`ceiling: ${rows} rows in ${(ceilingMs / 1000).toFixed(1)} s = ${ceilingRate.toFixed(0)} instances/s`);
      } finally {
        await ceilingRun.close();
      }
    }

    // 2. Every child answers its task and submits; the last finish meets the wait.
    statements = timeStatements(rt.db);
    const answering = timer();
    let answered = 0;
    let capped = false;
    let lastLog = 0;
    let next = 0;
    const answer = async () => {
      while (next < children.length) {
        if (answering() > ANSWER_CAP_S * 1000) {
          capped = true;
          return;
        }
        const i = next++;
        const child = children[i]!;
        await rt.engine.completeTask(
          child.id,
          'figures',
          { pupils: 100 + (i % 900), completed: i % 10 !== 0, rating: i % 3 ? 'good' : 'fair' },
          { actor: 'bench' },
        );
        await rt.engine.send(child.id, { type: 'SUBMIT' }, { actor: 'bench' });
        answered++;
        if (answering() - lastLog > 10_000) {
          lastLog = answering();
          log(`  ${answered} answered, ${(answered / (answering() / 1000)).toFixed(0)}/s`);
        }
      }
    };
    await Promise.all(Array.from({ length: CLIENTS }, answer));
    const answerMs = answering();
    statements.stop();
    const answerStatements = statements;
    const answerRate = answered / (answerMs / 1000);
    log(
      `answers: ${answered} children in ${(answerMs / 1000).toFixed(1)} s = ${answerRate.toFixed(0)}/s${capped ? ` (STOPPED at the ${ANSWER_CAP_S} s cap)` : ''}`,
    );
    for (const s of answerStatements.top(5)) log(`  ${(s.totalMs / 1000).toFixed(2).padStart(6)} s ×${String(s.count).padStart(6)}  ${s.sql.slice(0, 150)}`);
    const parentNow = (await rt.store.loadInstance(parentSummary.id))!.instance;
    if (!capped && parentNow.stages[0] !== 'consolidate') throw new Error(`every child finished, yet the parent is at ${parentNow.stages.join(', ')}`);

    // 3. The roll-up: the parent's figures as its guards read them, then its children's view.
    const compiled = await rt.engine.catalog.get(parentProcess);
    const fanOut = compiled.stages.collect!.fanOut!;
    const reads: number[] = [];
    let rollup: Awaited<ReturnType<typeof rt.engine.fanOutFigures>>;
    for (let i = 0; i < 5; i++) {
      const t = timer();
      rollup = await rt.engine.fanOutFigures(campaign.id, fanOut);
      reads.push(t());
    }
    const rollupMs = Math.min(...reads);
    if (rollup!.rollup.pupils!.count !== answered || rollup!.counts.done !== answered)
      throw new Error(`the roll-up counts ${rollup!.rollup.pupils!.count} answers and ${rollup!.counts.done} done of ${answered}`);
    const app = new Application({ engine: rt.engine });
    const views: number[] = [];
    for (let i = 0; i < 3; i++) {
      const t = timer();
      const view = await app.childrenOf(systemPrincipal(), parentSummary.id);
      views.push(t());
      if (view.stages[0]!.done !== answered) throw new Error(`the view counts ${view.stages[0]!.done} done of ${answered}`);
    }
    const viewMs = Math.min(...views);
    if (options.profile === 'true') {
      // Where a read's time goes (--profile): one more of each, under the CPU profiler.
      const r = await profileWhile(() => rt.engine.fanOutFigures(campaign.id, fanOut), 100);
      for (const line of profileLines(summarizeProfile(r.profile, 12))) log(`  roll-up ${line}`);
      const v = await profileWhile(() => app.childrenOf(systemPrincipal(), parentSummary.id), 100);
      for (const line of profileLines(summarizeProfile(v.profile, 12))) log(`  view ${line}`);
    }
    // End to end: the fan-out, every answer, and the first roll-up read.
    const allMs = startMs + answerMs + reads[0]!;
    log(
      `roll-up read ${reads.map((r) => r.toFixed(0)).join(', ')} ms; children view ${views.map((r) => r.toFixed(0)).join(', ')} ms; in all ${(allMs / 1000).toFixed(1)} s`,
    );

    if (level === 'so') {
      return {
        [`${prefix}${size}_s`]: figure(allMs / 1000, 's', {
          note: `a Sở fanning out to its ${schoolCount} schools on ${store}: start ${(startMs / 1000).toFixed(1)} s, ${answered} answers (task + SUBMIT, ${CLIENTS} clients) ${(answerMs / 1000).toFixed(1)} s${capped ? ` STOPPED at the ${ANSWER_CAP_S} s cap` : ''}, roll-up read ${rollupMs.toFixed(0)} ms, children view ${viewMs.toFixed(0)} ms`,
        }),
      };
    }

    const ratio = startRate / ceilingRate;
    return {
      [`${prefix}${size}_s`]: figure(startMs / 1000, 's', {
        note: `a ministry's stage fanning out to ${schoolCount} schools under 63 Sở (depth: descendants) on ${store}: the parent's start, every child started`,
      }),
      [`${prefix}starts_per_s`]: figure(startRate, 'instances/s', { ceiling: ceilingRate, ratio }),
      [`${prefix}vs_ceiling`]: figure(ratio, 'ratio', {
        target: '≥ 0.3',
        note: `the ceiling: the rows of ${Math.min(children.length, CEILING_SAMPLE)} children (${rows} rows) by knex batched insert, as the campaign's ceiling${ratio < 0.3 ? `; missed: SQL ${describeStatements(startStatements, startMs, 3)}` : ''}`,
      }),
      [`${prefix}answers_per_s`]: figure(answerRate, 'answers/s', {
        note: `${answered} children each completing its task and submitting (${CLIENTS} at once), each finish checking the parent${capped ? `; STOPPED at the ${ANSWER_CAP_S} s cap` : ''}: ${(answerMs / 1000).toFixed(1)} s; SQL ${describeStatements(answerStatements, answerMs, 2)}`,
      }),
      [`${prefix.replace('fanout_', 'rollup_')}read_${size}_ms`]: figure(rollupMs, 'ms', {
        target: '< 1000',
        note: `the parent's counts and roll-up of ${answered} answers (fanOutFigures), best of 5: ${reads.map((r) => r.toFixed(0)).join(', ')} ms`,
      }),
      [`${prefix.replace('fanout_', 'children_')}view_${size}_ms`]: figure(viewMs, 'ms', {
        note: `GET /instances/:id/children (Application.childrenOf: counts, roll-up, a page of 5,000 children with their answers), best of 3: ${views.map((r) => r.toFixed(0)).join(', ')} ms`,
      }),
    };
  } finally {
    await run.close();
  }
}

/** The rows the children's starts wrote (and only theirs: the parent's are left out). */
async function childRows(db: Knex, campaignId: string): Promise<Record<(typeof TABLES)[number] | 'jobs', number>> {
  const ids = db('instances').where('campaign_id', campaignId).select('id');
  const out: Record<string, number> = { instances: Number((await db('instances').where('campaign_id', campaignId).count({ n: '*' }))[0]!.n) };
  for (const t of TABLES.slice(1)) out[t] = Number((await db(t).whereIn('instance_id', ids).count({ n: '*' }))[0]!.n);
  out.jobs = Number((await db('jobs').whereIn('id', db('timers').whereIn('instance_id', ids).select('id')).count({ n: '*' }))[0]!.n);
  return out as Record<(typeof TABLES)[number] | 'jobs', number>;
}
