// The org tree as the caller may see it: their grant roots, and below them one level at a time.
import { ID, route } from '../route.ts';

export const orgRoutes = [
  route({
    method: 'get',
    path: '/api/v1/org-units',
    answer: 'orgUnits',
    summary: 'Units directly under a unit (default: the units the caller holds roles on), each with its number of children',
    tag: 'org',
    errors: [404],
    query: { type: 'object', additionalProperties: false, properties: { parentId: ID } },
    handle: ({ services, principal, query }) => services.app.orgUnits(principal, query.parentId),
  }),
  route({
    method: 'get',
    path: '/api/v1/org-units/:id',
    answer: 'orgUnit',
    summary: 'One unit, the chain above it, and the units directly under it',
    tag: 'org',
    errors: [404],
    handle: ({ services, principal, params }) => services.app.orgUnit(principal, params.id!),
  }),
];
