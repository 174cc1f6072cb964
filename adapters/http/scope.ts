// Scoped lookups: the caller's scope (engine/access.ts) goes into the store query itself; what the
// query does not return is either not there (404) or someone else's (403), and nothing is touched.
import { scopeOf, within, type Ability } from '../../engine/access.ts';
import type { Instance, OrgUnit } from '../../engine/domain.ts';
import { forbidden, notFound } from './errors.ts';
import type { Principal, Services } from './route.ts';

export function scope(principal: Principal, ability: Ability): string[] {
  return scopeOf(principal.grants, ability);
}

const NEED: Record<Ability, string> = {
  read: 'a role',
  work: 'a staff or administrator role',
  watch: 'a supervisor or administrator role',
  administer: 'an administrator role',
};

export function outside(what: string, ability: Ability): never {
  throw forbidden(`${what} is outside your units; this needs ${NEED[ability]} on it or a unit above it`, { ability });
}

/** A unit the caller may act on with this ability. */
export async function unitInScope(services: Services, principal: Principal, unitId: string, ability: Ability): Promise<OrgUnit> {
  const unit = await services.engine.store.getUnit(unitId);
  if (!unit) throw notFound(`no org unit "${unitId}"`, { unitId });
  if (!within(scope(principal, ability), unit.path)) outside(`unit "${unitId}"`, ability);
  return unit;
}

/** An instance under the caller's scope, read with the scope in the query. */
export async function instanceInScope(services: Services, principal: Principal, instanceId: string, ability: Ability): Promise<Instance> {
  const [instance] = await services.engine.store.listInstances({ ids: [instanceId], underPaths: scope(principal, ability) }, { limit: 1 });
  if (instance) return instance;
  if (await services.engine.store.countInstances({ ids: [instanceId] })) outside(`instance "${instanceId}"`, ability);
  throw notFound(`no instance "${instanceId}"`, { instanceId });
}
