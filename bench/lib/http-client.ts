// A small keep-alive JSON client for the HTTP benchmarks: a signed-in browser's requests (the
// session cookie on every request, the CSRF token and an Idempotency-Key on every write, as
// ui/src/api.ts sends them), each timed, each answer read to the end and parsed. node:http with a
// keep-alive Agent rather than fetch: the global fetch takes no connection pool without the undici
// package (not a dependency here), and it costs more per request on the client's side — which,
// with the server in the same process, is taken from the server.
import http from 'node:http';
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';

export interface Answer<T = unknown> {
  status: number;
  body: T;
  /** From sending the request to the answer's last byte. */
  ms: number;
  headers: http.IncomingHttpHeaders;
}

/** A signed-in session, as the browser holds it. */
export interface Session {
  cookie: string;
  csrfToken: string;
}

export class HttpClient {
  readonly agent: http.Agent;
  private readonly host: string;
  private readonly port: number;

  constructor(baseUrl: string, connections: number) {
    const url = new URL(baseUrl);
    this.host = url.hostname;
    this.port = Number(url.port);
    this.agent = new http.Agent({ keepAlive: true, maxSockets: connections, maxFreeSockets: connections });
  }

  request<T = unknown>(method: 'GET' | 'POST', path: string, options: { session?: Session; body?: unknown; idempotent?: boolean } = {}): Promise<Answer<T>> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (options.session) headers.cookie = options.session.cookie;
    const payload = options.body === undefined ? undefined : Buffer.from(JSON.stringify(options.body));
    if (payload) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = String(payload.length);
    }
    if (method !== 'GET' && options.session) headers['x-csrf-token'] = options.session.csrfToken;
    if (options.idempotent) headers['idempotency-key'] = randomUUID();
    const started = performance.now();
    return new Promise((resolve, reject) => {
      const req = http.request({ host: this.host, port: this.port, method, path, headers, agent: this.agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const ms = performance.now() - started;
          const text = Buffer.concat(chunks).toString('utf8');
          let body: unknown = text;
          if (text && String(res.headers['content-type'] ?? '').includes('json')) {
            try {
              body = JSON.parse(text);
            } catch {
              return reject(new Error(`${method} ${path}: answer ${res.statusCode} is not JSON: ${text.slice(0, 200)}`));
            }
          }
          resolve({ status: res.statusCode ?? 0, body: body as T, ms, headers: res.headers });
        });
      });
      req.on('error', reject);
      if (payload) req.write(payload);
      req.end();
    });
  }

  /** Signs in through POST /api/v1/session as the login page does: the cookie it sets, the CSRF token it answers. */
  async signIn(login: string, password: string): Promise<Session> {
    const r = await this.request<{ csrfToken?: string }>('POST', '/api/v1/session', { body: { login, password } });
    if (r.status !== 200) throw new Error(`sign-in of ${login} answered ${r.status}: ${JSON.stringify(r.body).slice(0, 300)}`);
    const setCookie = r.headers['set-cookie']?.find((c) => c.startsWith('tiendo_session='));
    if (!setCookie || !r.body.csrfToken) throw new Error(`sign-in of ${login} set no session cookie or CSRF token`);
    return { cookie: setCookie.split(';')[0]!, csrfToken: r.body.csrfToken };
  }

  close(): void {
    this.agent.destroy();
  }
}

/** The answer, or a thrown error naming the request and what came back instead. */
export function expectOk<T>(what: string, r: Answer<T>, check?: (body: T) => string | undefined): T {
  if (r.status < 200 || r.status >= 300) throw new Error(`${what} answered ${r.status}: ${JSON.stringify(r.body).slice(0, 400)}`);
  const problem = check?.(r.body);
  if (problem) throw new Error(`${what}: ${problem}`);
  return r.body;
}
