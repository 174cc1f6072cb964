// The org tree as the caller may see it: their grant roots, and below them one level at a time.
import { within } from '../../../engine/access.ts';
import { pathIds } from '../../../engine/service/roles.ts';
import { forbidden } from '../errors.ts';
import { ID, route } from '../route.ts';
import { scope, unitInScope } from '../scope.ts';

export const orgRoutes = [
  route({
    method: 'get',
    path: '/api/v1/org-units',
    summary: 'Units directly under a unit (default: the units the caller holds roles on), each with its number of children',
    tag: 'org',
    query: { type: 'object', additionalProperties: false, properties: { parentId: ID } },
    async handle({ services, principal, query }) {
      const store = services.engine.store;
      if (query.parentId) {
        await unitInScope(services, principal, query.parentId, 'read');
        return { items: await store.childUnits(query.parentId) };
      }
      const roots = scope(principal, 'read');
      const units = await store.getUnits(roots.map((p) => pathIds(p).at(-1)!));
      const items = await Promise.all(units.map(async (u) => ({ ...u, childCount: (await store.childUnits(u.id)).length })));
      return { items: items.sort((a, b) => a.path.localeCompare(b.path)) };
    },
  }),
  route({
    method: 'get',
    path: '/api/v1/org-units/:id',
    summary: 'One unit, the chain above it, and the units directly under it',
    tag: 'org',
    errors: [404],
    async handle({ services, principal, params }) {
      const unit = await unitInScope(services, principal, params.id!, 'read');
      const chain = await services.engine.chainOf(unit.id);
      const mine = scope(principal, 'read');
      if (!within(mine, unit.path)) throw forbidden('outside your units');
      return { unit, ancestors: chain.slice(1).reverse(), children: await services.engine.store.childUnits(unit.id) };
    },
  }),
];
