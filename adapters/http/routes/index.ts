// Every route of API v1, in the order the OpenAPI document lists them.
import type { Route } from '../route.ts';
import { alertRoutes } from './alerts.ts';
import { auditRoutes } from './audit.ts';
import { boardRoutes } from './board.ts';
import { campaignRoutes } from './campaigns.ts';
import { cohortRoutes } from './cohort.ts';
import { definitionRoutes } from './definitions.ts';
import { fileRoutes } from './files.ts';
import { instanceRoutes } from './instances.ts';
import { oidcRoutes } from './oidc.ts';
import { orgRoutes } from './org.ts';
import { sessionRoutes } from './session.ts';
import { taskRoutes } from './tasks.ts';
import { userRoutes } from './users.ts';

export const ROUTES: readonly Route[] = [
  ...sessionRoutes,
  ...oidcRoutes,
  ...orgRoutes,
  ...definitionRoutes,
  ...campaignRoutes,
  ...instanceRoutes,
  ...taskRoutes,
  ...fileRoutes,
  ...cohortRoutes,
  ...boardRoutes,
  ...alertRoutes,
  ...auditRoutes,
  ...userRoutes,
];
