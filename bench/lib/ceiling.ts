// The campaign's ceiling, shared by the workloads that start instances in batches (campaign,
// fan-out): the rows the engine's starts wrote, copied row for row into a fresh store of the same
// kind as knex batched inserts, BATCH instances' rows per transaction and at most BATCH rows per
// INSERT statement.
import type { Knex } from 'knex';
import { timer } from './measure.ts';

/** Tables a start's commit writes, in foreign-key order. */
export const TABLES = ['instances', 'history', 'tasks', 'timers', 'outbox'] as const;
/** Instances per ceiling transaction; rows per INSERT statement. */
export const BATCH = 100;

export async function countRows(db: Knex): Promise<Record<(typeof TABLES)[number] | 'jobs', number>> {
  const out: Record<string, number> = {};
  for (const t of [...TABLES, 'jobs']) out[t] = Number((await db(t).count({ n: '*' }))[0]!.n);
  return out as Record<(typeof TABLES)[number] | 'jobs', number>;
}

/** Copies the campaign's rows into `to`, BATCH instances per transaction (the first `limit`
 * instances', when given); answers the ms spent inserting. */
export async function copyRows(from: Knex, to: Knex, campaignId: string, limit = Infinity): Promise<number> {
  // What the rows refer to, untimed.
  const units = await from('org_units').orderBy(['depth', 'id']);
  await to.transaction(async (trx) => {
    for (let i = 0; i < units.length; i += BATCH) await trx('org_units').insert(units.slice(i, i + BATCH));
    await trx('definitions').insert(await from('definitions'));
    await trx('campaigns').insert(await from('campaigns'));
  });
  let spent = 0;
  let afterId = '';
  for (let copied = 0; copied < limit; copied += BATCH) {
    const instances = await from('instances').where('campaign_id', campaignId).andWhere('id', '>', afterId).orderBy('id').limit(BATCH);
    if (!instances.length) break;
    afterId = instances.at(-1)!.id;
    const ids = instances.map((r) => r.id);
    const children: Record<string, Record<string, unknown>[]> = {};
    for (const t of TABLES.slice(1)) {
      // history and outbox ids are the table's own sequence: the copy takes new ones, as the engine did.
      const fetched: Record<string, unknown>[] = await from(t).whereIn('instance_id', ids);
      children[t] = t === 'history' || t === 'outbox' ? fetched.map(({ id: _id, ...rest }) => rest) : fetched;
    }
    // The queue's jobs, when they live in this database: a timer's job has the timer's id.
    children.jobs = await from('jobs').whereIn(
      'id',
      children.timers!.map((t) => t.id as string),
    );
    const elapsed = timer();
    await to.transaction(async (trx) => {
      await trx('instances').insert(instances);
      for (const t of [...TABLES.slice(1), 'jobs']) {
        const rows = children[t]!;
        for (let i = 0; i < rows.length; i += BATCH) await trx(t).insert(rows.slice(i, i + BATCH));
      }
    });
    spent += elapsed();
  }
  return spent;
}
