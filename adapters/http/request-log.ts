// One log line per request, when its answer is sent (or the client went away): method, the route's
// pattern (not the path: ids stay out of it, as in /metrics), status, milliseconds, and the acting
// user's id. A refused sign-in is a warning naming the login tried; a 5xx is an error with its cause.
// Never a password, a token, a cookie or a body.
//
// Who acted is learnt where the credentials are checked: the accounts lookups that authenticate a
// request (session, token) or open a session run inside the request's context, and `observedAccounts`
// notes the user id there — so the route table and its handlers know nothing of logging.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Accounts } from '../../engine/ports.ts';
import type { Logger } from '../log.ts';

interface RequestContext {
  actor?: string;
  error?: unknown;
}

const context = new AsyncLocalStorage<RequestContext>();

/** The middleware: mount it first. */
export function requestLog(logger: Logger): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const started = process.hrtime.bigint();
    const ctx: RequestContext = {};
    let done = false;
    const line = (aborted: boolean) => {
      if (done) return;
      done = true;
      const pattern = (req.route as { path?: string | string[] } | undefined)?.path;
      const route = Array.isArray(pattern) ? pattern.join(',') : pattern;
      const fields: Record<string, unknown> = {
        method: req.method,
        route: route ?? 'unmatched',
        ...(route ? {} : { path: req.path.slice(0, 200) }),
        status: res.statusCode,
        ms: Math.round(Number(process.hrtime.bigint() - started) / 1e5) / 10,
        ...(ctx.actor ? { actor: ctx.actor } : {}),
        ...(aborted ? { aborted: true } : {}),
      };
      if (res.statusCode >= 500) return logger.error({ ...fields, ...(ctx.error ? { err: ctx.error } : {}) }, 'request failed');
      if (req.method === 'POST' && route === '/api/v1/session' && (res.statusCode === 401 || res.statusCode === 429)) {
        const login = (req.body as { login?: unknown } | undefined)?.login;
        return logger.warn(
          { ...fields, login: typeof login === 'string' ? login.slice(0, 64) : null },
          res.statusCode === 429 ? 'sign-in refused: too many attempts' : 'sign-in refused',
        );
      }
      logger.info(fields, 'request');
    };
    res.once('finish', () => line(false));
    res.once('close', () => line(!res.writableFinished));
    // The body is read from the socket, whose callbacks run outside this request's context: the
    // request's own events are brought back into it, so the handlers the body parser calls are in it.
    const emit = req.emit;
    req.emit = function (this: Request, ...args: Parameters<Request['emit']>) {
      return context.run(ctx, () => emit.apply(this, args));
    } as Request['emit'];
    context.run(ctx, next);
  };
}

/** An error the error handler answered with a 5xx: it goes on the request's line, stack and cause. */
export function noteRequestError(error: unknown): boolean {
  const ctx = context.getStore();
  if (!ctx) return false;
  ctx.error = error;
  return true;
}

/** `accounts`, noting on the current request who its credentials belong to. */
export function observedAccounts<A extends Accounts>(accounts: A): A {
  const note = (userId: string | undefined) => {
    const ctx = context.getStore();
    if (ctx && userId) ctx.actor = userId;
  };
  return new Proxy(accounts, {
    get(target, key, receiver) {
      const value = Reflect.get(target, key, receiver) as unknown;
      if (typeof value !== 'function') return value;
      if (key === 'getToken' || key === 'sessionPrincipal') {
        return async (...args: unknown[]) => {
          const found = (await (value as (...a: unknown[]) => Promise<{ userId?: string; expiresAt?: number } | undefined>).apply(target, args)) ?? undefined;
          note(found?.userId);
          return found;
        };
      }
      if (key === 'putSession') {
        return (session: { userId: string }, ...rest: unknown[]) => {
          note(session.userId);
          return (value as (...a: unknown[]) => unknown).apply(target, [session, ...rest]);
        };
      }
      return (value as (...a: unknown[]) => unknown).bind(target);
    },
  });
}
