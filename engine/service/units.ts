// Every command resolves its unit's chain of ancestors (roles, escalation recipients): reads of rows
// that almost never change, so units are kept for a while (measured: 2 of 11 queries per command),
// bounded so memory does not grow with the province.
import { EngineError } from '../errors.ts';
import type { Store } from '../ports.ts';
import { Batcher } from './batcher.ts';
import type { OrgUnit } from '../domain.ts';
import { pathIds, type UnitChain } from './roles.ts';

const MAX_UNITS = 20_000;

export class UnitDirectory {
  private readonly units = new Map<string, { unit: OrgUnit; until: number }>();
  // Chains asked together read their missing units together: a campaign's 128 starts in flight
  // asked for their Phòng one query each (781 single-unit reads for 5,000 starts, 12% of its time).
  private readonly reads = new Batcher<string, OrgUnit | undefined>(async (ids) => {
    const byId = new Map((await this.store.getUnits([...new Set(ids)])).map((u) => [u.id, u]));
    return ids.map((id) => byId.get(id));
  });

  /** @param keepMs how long a unit read is reused (units change by a rename or a move; this
   * process's own changes are forgotten at once). Default 30 s. */
  constructor(
    private readonly store: Pick<Store, 'getUnits'>,
    private readonly keepMs = 30_000,
  ) {}

  /** The unit and its ancestors, the unit first. */
  async chainOf(orgUnitId: string): Promise<UnitChain> {
    const unit = this.cached(orgUnitId) ?? (await this.reads.submit(orgUnitId));
    if (!unit) throw new EngineError('NOT_FOUND', `no org unit "${orgUnitId}"`, { orgUnitId });
    const ids = pathIds(unit.path);
    // The chain is built from what was found here, not read back from the cache: remembering may
    // overflow it and drop the ancestors just looked up (found by the burst benchmark at 50,000
    // schools: 3 of 100,000 notices went to no one).
    const found = new Map(ids.map((i) => [i, i === unit.id ? unit : this.cached(i)]));
    const missing = ids.filter((i) => !found.get(i));
    const read = (await this.reads.submitAll(missing)).filter((u): u is OrgUnit => u !== undefined);
    for (const u of read) found.set(u.id, u);
    this.remember([unit, ...read]);
    return ids
      .reverse()
      .map((i) => found.get(i))
      .filter((u): u is OrgUnit => u !== undefined);
  }

  remember(units: readonly OrgUnit[]): void {
    const until = Date.now() + this.keepMs;
    if (this.units.size + units.length > MAX_UNITS) this.units.clear();
    for (const unit of units) this.units.set(unit.id, { unit, until });
  }

  forget(): void {
    this.units.clear();
  }

  private cached(id: string): OrgUnit | undefined {
    const hit = this.units.get(id);
    return hit && hit.until > Date.now() ? hit.unit : undefined;
  }
}
