// The one place the UI talks to the server: JSON in and out, the CSRF token on every write, the
// error envelope turned into an ApiError, and a 401 sending the user to the login page.

export interface ApiErrorBody {
  code: string;
  message: string;
  details?: { errors?: { field: string; message: string; allowed?: unknown[] }[]; diagnostics?: unknown[]; [k: string]: unknown };
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: ApiErrorBody['details'] = {},
  ) {
    super(message);
  }
}

let csrfToken: string | null = null;
let onUnauthenticated: () => void = () => {};

/** Kept in memory only: after a reload it comes back from GET /api/v1/me. */
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

export function setUnauthenticatedHandler(fn: () => void): void {
  onUnauthenticated = fn;
}

interface CallOptions {
  body?: unknown;
  headers?: Record<string, string>;
  /** The login call itself: a 401 is a wrong password, not an expired session. */
  noRedirect?: boolean;
}

export async function api<T>(method: 'GET' | 'POST' | 'DELETE', path: string, options: CallOptions = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json', ...options.headers };
  if (options.body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  let res: Response;
  try {
    res = await fetch(path, { method, headers, credentials: 'same-origin', body: options.body === undefined ? null : JSON.stringify(options.body) });
  } catch (e) {
    throw new ApiError(0, 'NETWORK', (e as Error).message || 'network error');
  }
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  let json: unknown = undefined;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    /* not JSON: reported below */
  }
  if (res.ok) return json as T;
  const err = (json as { error?: ApiErrorBody } | undefined)?.error;
  const error = new ApiError(res.status, err?.code ?? `HTTP_${res.status}`, err?.message ?? (res.statusText || `HTTP ${res.status}`), err?.details ?? {});
  if (res.status === 401 && !options.noRedirect) onUnauthenticated();
  throw error;
}

export const get = <T>(path: string) => api<T>('GET', path);
export const post = <T>(path: string, body?: unknown, headers?: Record<string, string>) =>
  api<T>('POST', path, { body: body ?? {}, ...(headers ? { headers } : {}) });

/** A query string from the defined values. */
export function qs(params: Record<string, string | number | boolean | undefined | null>): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') p.set(k, String(v));
  const s = p.toString();
  return s ? `?${s}` : '';
}

/**
 * A random v4 UUID. crypto.randomUUID exists only in secure contexts, and a school office may well
 * open the server over plain http on the LAN; getRandomValues works everywhere.
 */
export function uuid(): string {
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const hex = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
