// A route is data: method, path, who may call it, the JSON Schemas of its query and body, and a
// handler. The OpenAPI document, the request validation and the handler's types all come from
// that one declaration, so they cannot drift apart.
import type { Request, Response } from 'express';
import type { Grant } from '../../engine/access.ts';
import type { Application, Call } from '../../engine/application/application.ts';
import type { Accounts } from '../../engine/ports.ts';
import type { ApiToken, User } from '../../engine/domain.ts';
import type { AnswerName } from './answers.ts';
import type { OidcSignIn } from './oidc.ts';

/** The subset of JSON Schema the routes use, as a type. */
export type JSONSchema = Readonly<Record<string, unknown>>;

type Prettify<T> = { [K in keyof T]: T[K] } & {};
type Required_<S> = S extends { required: readonly (infer R)[] } ? R : never;
type Props<S> = S extends { properties: infer P } ? P : {};
/** The TypeScript type of the values a schema accepts (objects, scalars, enums, arrays, nullable). */
export type FromSchema<S> = S extends { enum: readonly (infer E)[] }
  ? E
  : S extends { type: readonly (infer T)[] }
    ? T extends 'null'
      ? null
      : FromSchema<Omit<S, 'type'> & { type: T }>
    : S extends { type: 'string' }
      ? string
      : S extends { type: 'integer' | 'number' }
        ? number
        : S extends { type: 'boolean' }
          ? boolean
          : S extends { type: 'array'; items: infer I }
            ? FromSchema<I>[]
            : S extends { type: 'object' }
              ? Prettify<
                  { [K in keyof Props<S> as K extends Required_<S> ? K : never]: FromSchema<Props<S>[K]> } & {
                    [K in keyof Props<S> as K extends Required_<S> ? never : K]?: FromSchema<Props<S>[K]>;
                  } & (S extends { additionalProperties: false } ? {} : Record<string, unknown>)
                >
              : unknown;

/** Who is calling, and how they proved it. */
export interface Principal {
  user: User;
  grants: Grant[];
  via: 'session' | 'token';
  /** Present for cookie sessions: writes must echo it in X-CSRF-Token. */
  csrfToken?: string;
  sessionHash?: string;
  /** Present for bearer tokens: its scope bounds what it may do and what it may issue. */
  token?: ApiToken;
}

/** What handlers work with, wired once at start-up (adapters/app.ts). */
export interface Services {
  /** The application layer: every route calls it, and nothing below it. */
  app: Application;
  accounts: Accounts;
  /** bcrypt cost for new password hashes. */
  bcryptCost: number;
  sessionTtlMs: number;
  /** Marks cookies Secure (behind HTTPS). */
  secureCookies: boolean;
  /** Whether store and queue answer (for /api/ready). */
  ready(): Promise<{ store: boolean; queue: boolean }>;
  /** Sign-in through the province's OpenID Connect provider, when TIENDO_OIDC_ISSUER is set. */
  oidc?: OidcSignIn;
  /** The operators' log, for what a handler notes beside its answer (a refused OpenID Connect sign-in). */
  log?: (level: 'info' | 'warn', fields: Record<string, unknown>, message: string) => void;
}

export interface Ctx<B, Q> {
  req: Request;
  res: Response;
  params: Record<string, string>;
  query: Q;
  body: B;
  services: Services;
  /** The request's Idempotency-Key and hash, for the application's command. */
  call: Call;
  /** The uploaded file's bytes, on a route that takes one. */
  upload?: Buffer;
}

export interface UserCtx<B, Q> extends Ctx<B, Q> {
  principal: Principal;
}

/** A handler answers a value (sent as JSON with the route's status), a file, a redirect, or nothing (204). */
export type Answer = unknown | FileAnswer | RedirectAnswer;
export interface FileAnswer {
  file: { name: string; type: string; data: Buffer };
}
/** A browser sent elsewhere (the route's status, 302 or 303; `answer: 'redirect'`): the OpenID Connect sign-in's steps. */
export interface RedirectAnswer {
  redirect: string;
}

export const NO_SCHEMA = { type: 'object', additionalProperties: false } as const;

interface RouteBase<B extends JSONSchema, Q extends JSONSchema> {
  method: 'get' | 'post' | 'patch' | 'delete';
  /** Express syntax: /api/v1/instances/:id */
  path: string;
  summary: string;
  tag: string;
  /** Status of a success (default 200; 204 answers no body). */
  status?: number;
  body?: B;
  query?: Q;
  /** Extra statuses this route answers, for the document (401/403/400 are implied). */
  errors?: number[];
  /** The body is a file's bytes (a unit list), not JSON: its media types (for the document) and size limit. */
  upload?: { types: string[]; limit: string };
  /** What a success answers: a named schema of answers.ts, a file (an export), a redirect, or nothing (204). */
  answer?: AnswerName | 'file' | 'redirect';
}

export interface PublicRoute<B extends JSONSchema = JSONSchema, Q extends JSONSchema = JSONSchema> extends RouteBase<B, Q> {
  public: true;
  handle(ctx: Ctx<FromSchema<B>, FromSchema<Q>>): Promise<Answer>;
}

export interface PrivateRoute<B extends JSONSchema = JSONSchema, Q extends JSONSchema = JSONSchema> extends RouteBase<B, Q> {
  public?: false;
  handle(ctx: UserCtx<FromSchema<B>, FromSchema<Q>>): Promise<Answer>;
}

export type Route = (PublicRoute<any, any> | PrivateRoute<any, any>) & { body?: JSONSchema; query?: JSONSchema };

/** Declares a route that needs a signed-in user; the schemas type the handler's body and query. */
export function route<const B extends JSONSchema = typeof NO_SCHEMA, const Q extends JSONSchema = typeof NO_SCHEMA>(r: PrivateRoute<B, Q>): Route {
  return r as unknown as Route;
}

export function publicRoute<const B extends JSONSchema = typeof NO_SCHEMA, const Q extends JSONSchema = typeof NO_SCHEMA>(
  r: Omit<PublicRoute<B, Q>, 'public'>,
): Route {
  return { ...r, public: true } as unknown as Route;
}

export function isFile(a: unknown): a is FileAnswer {
  return typeof a === 'object' && a !== null && 'file' in a && Buffer.isBuffer((a as FileAnswer).file?.data);
}

export function isRedirect(a: unknown): a is RedirectAnswer {
  return typeof a === 'object' && a !== null && typeof (a as RedirectAnswer).redirect === 'string' && Object.keys(a).length === 1;
}

/** Shared schema pieces. */
export const ID = { type: 'string', minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9_.-]+$' } as const;
export const TEXT = (max: number) => ({ type: 'string', minLength: 1, maxLength: max }) as const;
/** The stores keep versions in 32-bit integers (PostgreSQL answered a larger one with an error). */
export const MAX_VERSION = 2_147_483_647;
export const VERSION = { type: 'integer', minimum: 1, maximum: MAX_VERSION } as const;
