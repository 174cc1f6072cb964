// Requests are checked against the route's own schemas before any handler runs: a wrong type, an
// unknown field or a missing one is a 400 naming the field (and the allowed values), and nothing
// is touched. Query strings are coerced ("5" → 5) since they arrive as text.
import type { ValidateFunction } from 'ajv';
import { createAjv } from '../../engine/definition/ajv.ts';
import { formError } from '../../engine/service/engine.ts';
import { HttpError } from './errors.ts';
import type { Route } from './route.ts';

const bodies = createAjv({ verbose: true });
const queries = createAjv({ verbose: true, coerceTypes: true, useDefaults: true });

export interface RouteValidators {
  body?: ValidateFunction;
  query?: ValidateFunction;
}

export function compileValidators(route: Route): RouteValidators {
  return {
    ...(route.body ? { body: bodies.compile(route.body as object) } : {}),
    ...(route.query ? { query: queries.compile(route.query as object) } : {}),
  };
}

export function check(validate: ValidateFunction | undefined, value: unknown, where: 'body' | 'query'): void {
  if (!validate || validate(value)) return;
  const errors = (validate.errors ?? []).map(formError).map((e) => ({ ...e, field: e.field ? `${where}.${e.field}` : where }));
  const text = errors.map((e) => `${e.field}: ${e.message}`).join('; ');
  throw new HttpError(400, 'VALIDATION_FAILED', `the request ${where} is invalid: ${text}`, { errors });
}
