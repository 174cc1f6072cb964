// Random valid processes driven by random event sequences on the real runtime, on SQLite and on
// PostgreSQL (test/property/run.ts says what is checked at every step): the stored state always
// equals a replay of the history, no task stays open in a stage that was left, overdue rungs are
// recorded once their moment has come, and the same run gives the same history on both stores. A
// second property sends some of the commands in bursts, at once.
import { expect } from 'chai';
import fc from 'fast-check';
import net from 'node:net';
import { at8, openTestRuntime, PROVINCE } from '../support/runtime.ts';
import { POSTGRES_URL } from '../support/services.ts';
import { addDays } from '../../engine/calendar/time.ts';
import { commandOrBurst, commands, startDay } from './commands.ts';
import { definitions } from './definitions.ts';
import { runScenario, SetClock, type Harness } from './run.ts';
import { runs, SEED } from './settings.ts';

const FIRST_DAY = '2022-01-03';

async function postgresReachable(): Promise<boolean> {
  const url = new URL(POSTGRES_URL);
  return new Promise((resolve) => {
    const socket = net.connect({ host: url.hostname, port: Number(url.port || 5432), timeout: 1000 });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => (socket.destroy(), resolve(false)));
  });
}

describe('property: random processes and event sequences on the real stores', function () {
  this.timeout(300_000);
  const harnesses: Harness[] = [];
  const closers: (() => Promise<void>)[] = [];

  before(async function () {
    const kinds: ('sqlite' | 'postgres')[] = ['sqlite'];
    if (await postgresReachable()) kinds.push('postgres');
    else if (process.env.CI === 'true') throw new Error(`PostgreSQL is not reachable at ${new URL(POSTGRES_URL).host}; CI needs it (see .ci/run)`);
    else console.warn('\n  !!! PostgreSQL is not reachable: the property runs use SQLite only, and the cross-store comparison is SKIPPED.\n');
    for (const kind of kinds) {
      const clock = new SetClock(at8(FIRST_DAY));
      const { rt, close } = await openTestRuntime(this, kind, clock.at, { clock });
      closers.push(close);
      await rt.engine.addUnits(PROVINCE);
      harnesses.push({ name: kind, rt, clock });
    }
  });
  after(async () => {
    for (const close of closers) await close();
  });

  let counter = 0;
  const outcomes: Record<string, number> = {};
  const stats = { runs: 0, steps: 0, applied: 0, refused: 0, waits: 0, revs: 0, escalations: 0, overdueChecks: 0, finished: 0 };

  it('every stored state is a replay of history; no task open in a left stage; overdue rungs recorded; SQLite and PostgreSQL agree', async () => {
    await fc.assert(
      fc.asyncProperty(definitions, startDay, commands(24), async (g, day, cmds) => {
        const n = ++counter;
        const start = at8(addDays(FIRST_DAY, day));
        const records = [];
        for (const h of harnesses) records.push(await runScenario(h, g, start, cmds, n));
        const [first, ...others] = records;
        for (const [i, other] of others.entries()) {
          expect(other.outcomes, `answers on ${harnesses[i + 1]!.name} and ${harnesses[0]!.name}`).to.deep.equal(first!.outcomes);
          expect(other.overdueChecks).to.equal(first!.overdueChecks);
          expect(other.history, `history on ${harnesses[i + 1]!.name} and ${harnesses[0]!.name}`).to.deep.equal(first!.history);
        }
        for (const o of first!.outcomes) outcomes[o] = (outcomes[o] ?? 0) + 1;
        stats.runs++;
        stats.steps += cmds.length;
        stats.applied += first!.outcomes.filter((o) => o === 'ok').length;
        stats.waits += first!.outcomes.filter((o) => o === 'wait').length;
        stats.refused += first!.outcomes.filter((o) => o !== 'ok' && o !== 'wait').length;
        stats.revs += first!.history.length;
        stats.overdueChecks += first!.overdueChecks;
        stats.escalations += first!.history.filter((r) => r.eventType.startsWith('escalation.')).length;
        if (first!.history.some((r) => r.toStages.length === 0 || ['done', 'dropped'].includes(r.toStages[0]!))) stats.finished++;
      }),
      { numRuns: runs(40), seed: SEED },
    );
    console.log(`      ${harnesses.map((h) => h.name).join(' + ')}: ${JSON.stringify(stats)}`);
    console.log(`      answers: ${JSON.stringify(outcomes)}`);
    // A guard on the generators: runs that never apply, escalate or finish would prove little.
    expect(stats.applied).to.be.greaterThan(stats.runs);
    expect(stats.escalations).to.be.greaterThan(0);
    expect(stats.overdueChecks).to.be.greaterThan(0);
    expect(stats.finished).to.be.greaterThan(0);
  });

  it('with bursts of commands at once: each applied once, refusals explained, the same invariants', async () => {
    const seen = { runs: 0, bursts: 0, sent: 0, applied: 0 };
    await fc.assert(
      fc.asyncProperty(definitions, startDay, commands(12, commandOrBurst), async (g, day, cmds) => {
        const n = ++counter;
        const start = at8(addDays(FIRST_DAY, day));
        for (const h of harnesses) {
          const record = await runScenario(h, g, start, cmds, n);
          for (const o of record.outcomes.filter((x) => x.startsWith('burst '))) {
            const [applied, sent] = o.slice(6).split('/').map(Number);
            seen.bursts++;
            seen.applied += applied!;
            seen.sent += sent!;
          }
        }
        seen.runs++;
      }),
      { numRuns: runs(15), seed: SEED },
    );
    console.log(`      ${harnesses.map((h) => h.name).join(' + ')}: ${JSON.stringify(seen)}`);
    expect(seen.applied, 'bursts that apply something').to.be.greaterThan(seen.runs);
  });
});
