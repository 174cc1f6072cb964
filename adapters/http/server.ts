// The express app: security headers, JSON bodies with a size limit, the login rate limit, then every
// route of the table behind the same steps — credentials, CSRF, schema check, idempotency, handler —
// and one error shape for whatever goes wrong.
import express, { type Express, type NextFunction, type Request, type Response, type Router } from 'express';
import { ipKeyGenerator, rateLimit } from 'express-rate-limit';
import helmet from 'helmet';
import { decodeUtf8 } from '../../engine/definition/parse.ts';
import { parse as parseCookies } from 'cookie';
import { authenticate, checkCsrf, checkPasswordChange, checkTokenAccess, SESSION_COOKIE } from './auth.ts';
import { errorBody, errorHandler, HttpError } from './errors.ts';
import { readKey, requestHash } from './idempotency.ts';
import { openApiDocument } from './openapi.ts';
import { isFile, isRedirect, type Route, type Services } from './route.ts';
import { check, checkParams, checkShape, compileValidators } from './validate.ts';
import { exposition, metricsRefusal, type Metrics, type MetricsGate } from '../metrics.ts';
import { answerChecker } from './validate.ts';
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
  /** Checks every JSON answer against its route's schema (answers.ts) and fails the request when it
   * does not match: the tests run with it, so an answer that drifts from its schema fails them. */
  checkAnswers?: boolean;
  /** Who may read /metrics (adapters/metrics.ts metricsGate); required with `metrics`. */
  metricsGate?: MetricsGate;
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
    const gate = options.metricsGate;
    if (!gate) throw new Error('createHttpApp: metrics without a metricsGate would serve /metrics to anyone');
    app.get('/metrics', async (req, res, next) => {
      try {
        const allowed = await gate(req.headers);
        if (allowed.status !== 200) {
          if (allowed.status === 401) res.setHeader('WWW-Authenticate', 'Bearer realm="tiendo-metrics"');
          res.status(allowed.status).type('application/json').send(metricsRefusal(allowed));
          return;
        }
        const { contentType, body } = await exposition(metrics);
        res.type(contentType).send(body);
      } catch (e) {
        next(e);
      }
    });
  }

  // Only failures count: a school's shared account behind one address signs in many times a day,
  // and counting its good sign-ins locked it out for 15 minutes after the tenth.
  const failuresPer = (key: (req: Request) => string, what: string) =>
    rateLimit({
      windowMs: 15 * 60_000,
      limit: options.loginLimit ?? 10,
      standardHeaders: 'draft-8',
      legacyHeaders: false,
      skipSuccessfulRequests: true,
      keyGenerator: (req) => `${ipKeyGenerator(req.ip ?? '')}|${key(req).slice(0, 64)}`,
      handler: (_req, res) =>
        void res.status(429).json(errorBody(new HttpError(429, 'RATE_LIMITED', `too many ${what}; wait 15 minutes and try again`, { retryAfterS: 900 }))),
    });
  // The login is cut to its longest valid length (64): the limiter runs before the schema check, and
  // a 1.9 MB login would otherwise be kept as a key in memory for 15 minutes, per attempt.
  app.post(
    '/api/v1/session',
    failuresPer(
      (req) =>
        String((req.body as { login?: unknown } | undefined)?.login ?? '')
          .slice(0, 64)
          .toLowerCase(),
      'login attempts',
    ),
  );
  // The current password is asked again to change it: guessed there, per session, as at sign-in.
  app.post(
    '/api/v1/me/password',
    failuresPer((req) => (req.headers.cookie ? parseCookies(req.headers.cookie)[SESSION_COOKIE] : undefined) ?? '', 'wrong passwords'),
  );
  app.use('/api', pathSegmentsDecode(options.routes));

  const document = openApiDocument(options.routes, options.version ?? '1.0.0');
  app.get('/api/openapi.json', (_req, res) => void res.json(document));
  for (const route of options.routes) mount(app, route, services, options.checkAnswers ? answerChecker(route) : undefined);
  app.use('/api', (req, _res, next) =>
    next(new HttpError(404, 'ROUTE_NOT_FOUND', `no route ${req.method} ${req.originalUrl.split('?')[0]}; see /api/openapi.json`)),
  );
  if (options.ui) app.use(options.ui);
  app.use(errorHandler(log));
  return app;
}

/**
 * A path segment that is not a valid percent-escape (`/api/v1/tasks/%ZZ`) is a 400 naming it: the
 * router's own decoding threw a URIError that reached the error handler as a 500. The field is the
 * route's parameter at that position (`path.id`) when a route of that shape exists.
 */
function pathSegmentsDecode(routes: readonly Route[]) {
  return (req: Request, _res: Response, next: NextFunction) => {
    const segments = req.originalUrl.split('?')[0]!.split('/');
    const at = segments.findIndex((s) => {
      try {
        decodeURIComponent(s);
        return false;
      } catch {
        return true;
      }
    });
    if (at < 0) return next();
    const shape =
      routes.find((r) => r.method === req.method.toLowerCase() && sameShape(r.path.split('/'), segments, at)) ??
      routes.find((r) => sameShape(r.path.split('/'), segments, at));
    const name = shape?.path.split('/')[at]?.startsWith(':') ? shape.path.split('/')[at]!.slice(1) : undefined;
    const field = name ? `path.${name}` : 'path';
    const segment = segments[at]!.slice(0, 200);
    const message = `is "${segment}", which is not valid percent-encoding (a "%" must be followed by two hex digits of UTF-8; write "%25" for a "%" itself)`;
    next(new HttpError(400, 'VALIDATION_FAILED', `the request path is invalid: ${field}: ${message}`, { errors: [{ field, message, segment }] }));
  };
}

/** Whether a route's pattern has these segments, a parameter where the bad one is. */
function sameShape(pattern: string[], segments: string[], at: number): boolean {
  return pattern.length === segments.length && pattern[at]!.startsWith(':') && pattern.every((p, i) => p.startsWith(':') || p === segments[i]);
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
  throw new HttpError(
    400,
    'MALFORMED_JSON',
    `the request body is not valid UTF-8: byte ${offset} (line ${line}, column ${column}) starts no valid character; send the text as UTF-8`,
    { line, column, offset },
  );
}

function mount(app: Express, route: Route, services: Services, checkAnswer?: (answer: unknown) => void): void {
  const validators = compileValidators(route);
  // A file upload (a unit list) comes as the raw bytes of the body, not JSON.
  const raw = route.upload ? [express.raw({ type: () => true, limit: route.upload.limit })] : [];
  app[route.method](route.path, ...raw, (req: Request, res: Response, next: NextFunction) => {
    handle(route, validators, services, req, res, checkAnswer).catch(next);
  });
}

async function handle(
  route: Route,
  validators: ReturnType<typeof compileValidators>,
  services: Services,
  req: Request,
  res: Response,
  checkAnswer?: (answer: unknown) => void,
): Promise<void> {
  const now = services.app.now();
  const idempotencyKey = route.method === 'post' || route.method === 'patch' ? readKey(req.headers['idempotency-key']) : undefined;
  const principal = route.public ? undefined : await authenticate(services.accounts, req, now);
  if (!route.public && !principal) throw new HttpError(401, 'UNAUTHENTICATED', 'sign in first (POST /api/v1/session), or send a bearer token');
  if (principal) checkCsrf(principal, req);
  if (principal) checkTokenAccess(principal, req.method);
  if (principal) checkPasswordChange(principal, route.method, route.path);
  checkParams(req.params as Record<string, string>);
  const query = { ...(req.query as Record<string, unknown>) };
  check(validators.query, query, 'query');
  const body = route.body ? req.body : undefined;
  if (route.upload && !(Buffer.isBuffer(req.body) && req.body.length > 0))
    throw new HttpError(400, 'VALIDATION_FAILED', `send the file as the request body (${route.upload.types.join(', ')})`, {
      errors: [{ field: 'body', message: 'is empty' }],
    });
  if (route.body && (body === undefined || (typeof req.headers['content-type'] === 'string' && !req.is('application/json')))) {
    throw new HttpError(415, 'UNSUPPORTED_MEDIA_TYPE', 'send the body as application/json');
  }
  if (route.body) checkShape(body, 'body');
  check(validators.body, body, 'body');
  // The application layer answers a repeated Idempotency-Key with the first answer (its status is
  // the route's mapping of that answer, as the first time).
  const replayed = () => void res.setHeader('Idempotent-Replayed', 'true');
  const call = idempotencyKey ? { idempotency: { key: idempotencyKey, hash: requestHash(req.method, req.path, body), replayed } } : {};
  const ctx = { req, res, params: req.params as Record<string, string>, query, body, services, call, ...(route.upload ? { upload: req.body as Buffer } : {}) };
  const answer = principal ? await route.handle({ ...ctx, principal } as never) : await (route as { handle: (c: unknown) => Promise<unknown> }).handle(ctx);
  const status = (res.locals.status as number | undefined) ?? route.status ?? 200;
  if (route.answer === 'redirect' && isRedirect(answer)) {
    res.redirect(status, answer.redirect);
    return;
  }
  // a route may answer a file instead of its JSON when asked (?format=xlsx): only JSON is checked
  if (!isFile(answer)) checkAnswer?.(answer);
  if (isFile(answer)) {
    res.status(status).type(answer.file.type).attachment(answer.file.name).send(answer.file.data);
    return;
  }
  send(res, status, answer);
}

function send(res: Response, status: number, body: unknown): void {
  if (status === 204 || body === undefined) res.status(status === 200 ? 204 : status).end();
  else res.status(status).json(body);
}
