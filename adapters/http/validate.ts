// Requests are checked against the route's own schemas before any handler runs: a wrong type, an
// unknown field or a missing one is a 400 naming the field (and the allowed values), and nothing
// is touched. Query strings are coerced ("5" → 5) since they arrive as text.
import type { ValidateFunction } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { ANSWERS, COMPONENTS } from './answers.ts';
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

/** Deepest nesting a request body may have: forms are a level or two; 32 is far past any of them. */
export const MAX_BODY_DEPTH = 32;
/** Characters that are not text: C0 controls but tab and line breaks, and unpaired surrogates. */
const NOT_TEXT = /[\u0000-\u0008\u000B\u000C\u000E-\u001F]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

const PROTOTYPE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

function refuse(where: string, path: string[], field: string, message: string): never {
  throw new HttpError(400, 'VALIDATION_FAILED', `the request ${where} is invalid: ${field}: ${message}`, {
    errors: [{ field, message, ...(path.length ? { path: [where, ...path].join('.') } : {}) }],
  });
}

/**
 * What a route stores, hashes or echoes is bounded before anything reads it: nesting at most
 * MAX_BODY_DEPTH deep (a 100,000-deep `data` with an Idempotency-Key overflowed the stack hashing it:
 * 500), and every string and field name text (PostgreSQL refuses NUL in text: 500). Walked with a
 * stack of its own, so a deep body cannot overflow this either.
 */
export function checkShape(value: unknown, where: 'body' | 'path'): void {
  const pending: { value: unknown; path: string[] }[] = [{ value, path: [] }];
  while (pending.length) {
    const { value: v, path } = pending.pop()!;
    const field = path.length ? `${where}.${path.join('.')}` : where;
    if (typeof v === 'string') {
      const bad = NOT_TEXT.exec(v);
      if (bad) {
        // where in the text, as an editor counts: a YAML source is many lines
        const before = v.slice(0, bad.index).split('\n');
        const at = before.length > 1 ? `line ${before.length}, column ${before.at(-1)!.length + 1}` : `position ${bad.index + 1}`;
        refuse(where, [], field, `holds character U+${bad[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')} at ${at}, which is not text`);
      }
      continue;
    }
    if (typeof v !== 'object' || v === null) continue;
    if (path.length >= MAX_BODY_DEPTH) refuse(where, path.slice(0, 8), `${where}.${path[0]}`, `is nested deeper than ${MAX_BODY_DEPTH} levels`);
    for (const [key, child] of Object.entries(v)) {
      // JSON.parse makes "__proto__" an own key; copied with obj[key] = … it sets a prototype instead
      // (an anchor named __proto__ was dropped without a word). No form, anchor or stage can be named
      // so: a definition may not use these keys either.
      if (PROTOTYPE_KEYS.has(key)) refuse(where, [], `${field}.${key}`, 'is not an allowed field name');
      const bad = NOT_TEXT.exec(key);
      if (bad)
        refuse(
          where,
          [],
          `${field}.${key.replace(NOT_TEXT, '?')}`,
          `the field name holds character U+${bad[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}, which is not text`,
        );
      pending.push({ value: child, path: [...path, key] });
    }
  }
}

/** Ids in the path are short text: a NUL in one (`/instances/a%00b`) reached the store query and
 * PostgreSQL answered with an error (500). */
export function checkParams(params: Record<string, string>): void {
  checkShape(params, 'path');
  for (const [name, value] of Object.entries(params)) {
    if (value.length > 200) refuse('path', [], `path.${name}`, `is ${value.length} characters long; ids are at most 200`);
  }
}

// Answers are checked against the named schemas of answers.ts, their shared shapes resolved from the
// same `components` the OpenAPI document carries. strict off: `components` is not a JSON Schema keyword.
const answers = new Ajv2020({ strict: false, allErrors: true });

/** Throws (a 500, logged) when an answer does not match its route's schema. Files and 204s pass. */
export function answerChecker(route: Route): ((answer: unknown) => void) | undefined {
  if (!route.answer || route.answer === 'file' || route.answer === 'redirect') return undefined;
  const validate = answers.compile({ ...(ANSWERS[route.answer] as object), components: { schemas: COMPONENTS } });
  return (answer) => {
    if (validate(JSON.parse(JSON.stringify(answer ?? null)))) return;
    const where = (validate.errors ?? [])
      .map((e) => `${e.instancePath || '/'} ${e.message}${e.params && 'additionalProperty' in e.params ? ` (${String(e.params.additionalProperty)})` : ''}`)
      .join('; ');
    throw new Error(`the answer of ${route.method.toUpperCase()} ${route.path} does not match its schema "${route.answer}": ${where}`);
  };
}
