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
let onPasswordChangeRequired: () => void = () => {};

/** Kept in memory only: after a reload it comes back from GET /api/v1/me. */
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

export function setUnauthenticatedHandler(fn: () => void): void {
  onUnauthenticated = fn;
}

/** Called when the server answers 403 PASSWORD_CHANGE_REQUIRED: the app shows only the password page. */
export function setPasswordChangeHandler(fn: () => void): void {
  onPasswordChangeRequired = fn;
}

interface CallOptions {
  body?: unknown;
  headers?: Record<string, string>;
  /** The login call itself: a 401 is a wrong password, not an expired session. */
  noRedirect?: boolean;
}

type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';

async function send(method: Method, path: string, options: CallOptions & { raw?: ArrayBuffer; accept?: string }): Promise<Response> {
  const headers: Record<string, string> = { Accept: options.accept ?? 'application/json', ...options.headers };
  if (options.raw !== undefined) headers['Content-Type'] = 'application/octet-stream';
  else if (options.body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  try {
    const body = options.raw !== undefined ? options.raw : options.body === undefined ? null : JSON.stringify(options.body);
    return await fetch(path, { method, headers, credentials: 'same-origin', body });
  } catch (e) {
    throw new ApiError(0, 'NETWORK', (e as Error).message || 'network error');
  }
}

/** The error a refused answer carries (and the handlers it calls: sign in again, change the password). */
async function refusal(res: Response, options: CallOptions): Promise<ApiError> {
  const text = await res.text();
  let json: unknown = undefined;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    /* not JSON */
  }
  const err = (json as { error?: ApiErrorBody } | undefined)?.error;
  const error = new ApiError(res.status, err?.code ?? `HTTP_${res.status}`, err?.message ?? (res.statusText || `HTTP ${res.status}`), err?.details ?? {});
  if (res.status === 401 && !options.noRedirect) onUnauthenticated();
  if (res.status === 403 && error.code === 'PASSWORD_CHANGE_REQUIRED') onPasswordChangeRequired();
  return error;
}

/** Raw bytes up (a file chosen on the page), JSON back. */
export async function upload<T>(path: string, bytes: ArrayBuffer): Promise<T> {
  const res = await send('POST', path, { raw: bytes });
  if (!res.ok) throw await refusal(res, {});
  return (await res.json()) as T;
}

/** A file the server answers to a write (the initial passwords of accounts made in bulk), saved by the browser. */
export async function downloadPost(path: string, body: unknown, fallbackName: string): Promise<void> {
  const res = await send('POST', path, { body, accept: 'application/octet-stream, application/json' });
  if (!res.ok) throw await refusal(res, {});
  const blob = await res.blob();
  const disposition = res.headers.get('Content-Disposition') ?? '';
  const m = /filename\*=UTF-8''([^;]+)/i.exec(disposition) ?? /filename="?([^";]+)"?/i.exec(disposition);
  const name = m ? decodeURIComponent(m[1]!) : fallbackName;
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

export async function api<T>(method: Method, path: string, options: CallOptions = {}): Promise<T> {
  const res = await send(method, path, options);
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
  if (res.status === 403 && error.code === 'PASSWORD_CHANGE_REQUIRED') onPasswordChangeRequired();
  throw error;
}

export const get = <T>(path: string) => api<T>('GET', path);
export const post = <T>(path: string, body?: unknown, headers?: Record<string, string>) =>
  api<T>('POST', path, { body: body ?? {}, ...(headers ? { headers } : {}) });
export const patch = <T>(path: string, body: unknown) => api<T>('PATCH', path, { body });
export const del = <T>(path: string) => api<T>('DELETE', path);

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
