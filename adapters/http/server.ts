// The express app: security headers, JSON bodies with a size limit, the login rate limit, then every
// route of the table behind the same steps — credentials, CSRF, schema check, idempotency, handler —
// and one error shape for whatever goes wrong.
import express, { type Express, type NextFunction, type Request, type Response, type Router } from 'express';
import { ipKeyGenerator, rateLimit } from 'express-rate-limit';
import helmet from 'helmet';
import { decodeUtf8 } from '../../engine/definition/parse.ts';
import { authenticate, checkCsrf } from './auth.ts';
import { errorBody, errorHandler, HttpError } from './errors.ts';
import { readKey, recall, recallCommitted, remember, requestHash } from './idempotency.ts';
import { openApiDocument } from './openapi.ts';
import { isFile, type Route, type Services } from './route.ts';
import { check, checkParams, checkShape, compileValidators } from './validate.ts';
import { exposition, type Metrics } from '../metrics.ts';
import type { Logger } from '../log.ts';
import { requestLog } from './request-log.ts';

export interface HttpOptions {
  services: Services;
  routes: readonly Route[];
  /** Serves the web UI (mounted after the API). */
  ui?: Router;
  /** Login attempts per (address, login) per 15 minutes. */
  loginLimit?: number;
  bodyLimit?: string;
  log?: (e: unknown) => void;
  version?: string;
  /** Served behind HTTPS: upgrade requests and send HSTS. Default false. */
  https?: boolean;
  /** Serves /metrics and times every API request. */
  metrics?: Metrics;
  /** Logs one line per request (adapters/http/request-log.ts). */
  logger?: Logger;
}

export function createHttpApp(options: HttpOptions): Express {
  const { services } = options;
  const log = options.log ?? ((e) => console.error(e));
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  if (options.logger) app.use(requestLog(options.logger));
  app.use(
    helmet({
      contentSecurityPolicy: {
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          // CodeMirror and mermaid set styles on elements they draw.
          styleSrc: ["'self'", "'unsafe-inline'"],
          imgSrc: ["'self'", 'data:'],
          fontSrc: ["'self'", 'data:'],
          connectSrc: ["'self'"],
          objectSrc: ["'none'"],
          frameAncestors: ["'none'"],
          baseUri: ["'self'"],
          formAction: ["'self'"],
          // A school's office serves it over plain HTTP on its network: upgrading would blank the page.
          upgradeInsecureRequests: options.https ? [] : null,
        },
      },
      // HSTS only means something over HTTPS; over HTTP it would pin browsers to a port that has none.
      strictTransportSecurity: options.https ? { maxAge: 15_552_000 } : false,
    }),
  );
  app.use('/api', express.json({ limit: options.bodyLimit ?? '2mb', strict: true, verify: requireUtf8 }));
  app.use('/api', (_req, res, next) => {
    res.setHeader('Cache-Control', 'no-store');
    next();
  });

  const metrics = options.metrics;
  if (metrics) {
    app.use('/api', (req, res, next) => {
      const started = process.hrtime.bigint();
      res.on('finish', () => {
        // The route's pattern, not the path: ids would make a series per instance.
        const route = (req.route as { path?: string } | undefined)?.path ?? 'unmatched';
        metrics.http(req.method, route, res.statusCode, Number(process.hrtime.bigint() - started) / 1e9);
      });
      next();
    });
    app.get('/metrics', async (_req, res, next) => {
      try {
        const { contentType, body } = await exposition(metrics);
        res.type(contentType).send(body);
      } catch (e) {
        next(e);
      }
    });
  }

  const loginLimiter = rateLimit({
    windowMs: 15 * 60_000,
    limit: options.loginLimit ?? 10,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    // The login is cut to its longest valid length (64): the limiter runs before the schema check,
    // and a 1.9 MB login would otherwise be kept as a key in memory for 15 minutes, per attempt.
    keyGenerator: (req) => `${ipKeyGenerator(req.ip ?? '')}|${String((req.body as { login?: unknown } | undefined)?.login ?? '').slice(0, 64).toLowerCase()}`,
    handler: (_req, res) => void res.status(429).json(errorBody(new HttpError(429, 'RATE_LIMITED', 'too many login attempts; wait 15 minutes and try again', { retryAfterS: 900 }))),
  });
  app.post('/api/v1/session', loginLimiter);

  const document = openApiDocument(options.routes, options.version ?? '1.0.0');
  app.get('/api/openapi.json', (_req, res) => void res.json(document));
  for (const route of options.routes) mount(app, route, services);
  app.use('/api', (req, _res, next) => next(new HttpError(404, 'ROUTE_NOT_FOUND', `no route ${req.method} ${req.originalUrl.split('?')[0]}; see /api/openapi.json`)));
  if (options.ui) app.use(options.ui);
  app.use(errorHandler(log));
  return app;
}

/**
 * JSON is UTF-8 (RFC 8259). The parser would turn each bad byte into U+FFFD and carry on, so a draft
 * sent with a Latin-1 "ệ" was checked as some other text; it is refused where the first bad byte is.
 */
function requireUtf8(_req: Request, _res: Response, body: Buffer, encoding: string): void {
  if (encoding.toLowerCase() !== 'utf-8' && encoding.toLowerCase() !== 'utf8') return;
  const decoded = decodeUtf8(body);
  if (typeof decoded === 'string') return;
  const { line, column, offset } = decoded;
  throw new HttpError(400, 'MALFORMED_JSON', `the request body is not valid UTF-8: byte ${offset} (line ${line}, column ${column}) starts no valid character; send the text as UTF-8`, { line, column, offset });
}

function mount(app: Express, route: Route, services: Services): void {
  const validators = compileValidators(route);
  app[route.method](route.path, (req: Request, res: Response, next: NextFunction) => {
    handle(route, validators, services, req, res).catch(next);
  });
}

async function handle(route: Route, validators: ReturnType<typeof compileValidators>, services: Services, req: Request, res: Response): Promise<void> {
  const now = services.engine.clock.now();
  const idempotencyKey = route.method === 'post' ? readKey(req.headers['idempotency-key']) : undefined;
  const principal = route.public ? undefined : await authenticate(services.accounts, req, now);
  if (!route.public && !principal) throw new HttpError(401, 'UNAUTHENTICATED', 'sign in first (POST /api/v1/session), or send a bearer token');
  if (principal) checkCsrf(principal, req);
  checkParams(req.params as Record<string, string>);
  const query = { ...(req.query as Record<string, unknown>) };
  check(validators.query, query, 'query');
  const body = route.body ? req.body : undefined;
  if (route.body && (body === undefined || (typeof req.headers['content-type'] === 'string' && !req.is('application/json')))) {
    throw new HttpError(415, 'UNSUPPORTED_MEDIA_TYPE', 'send the body as application/json');
  }
  if (route.body) checkShape(body, 'body');
  check(validators.body, body, 'body');
  const scope = principal ? `http:${principal.user.login}` : '';
  const hash = idempotencyKey ? requestHash(req.method, req.path, body) : '';
  const ctx = { req, res, params: req.params as Record<string, string>, query, body, services, ...(idempotencyKey ? { idempotencyKey, requestHash: hash } : {}) };
  if (idempotencyKey && principal) {
    const seen = (await recall(services.engine.store, scope, idempotencyKey, hash)) ?? (await recallCommitted(services.engine.store, principal.user.login, idempotencyKey, hash, route.status ?? 200));
    if (seen) {
      res.setHeader('Idempotent-Replayed', 'true');
      return send(res, seen.status, seen.body);
    }
  }
  const answer = principal ? await route.handle({ ...ctx, principal, actor: principal.user.login } as never) : await (route as { handle: (c: unknown) => Promise<unknown> }).handle(ctx);
  const status = (res.locals.status as number | undefined) ?? route.status ?? 200;
  if (isFile(answer)) {
    res.status(status).type(answer.file.type).attachment(answer.file.name).send(answer.file.data);
    return;
  }
  // The work is done: a store that went away since does not turn its answer into a 503 (an engine
  // command's key committed with its change, and a repeat finds it there).
  if (idempotencyKey && principal) await remember(services.engine.store, scope, idempotencyKey, hash, { status, body: answer ?? null }, now).catch(() => undefined);
  send(res, status, answer);
}

function send(res: Response, status: number, body: unknown): void {
  if (status === 204 || body === undefined) res.status(status === 200 ? 204 : status).end();
  else res.status(status).json(body);
}
