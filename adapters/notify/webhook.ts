// Escalations as signed HTTP POSTs, for an office's own systems (a chat bot, a ticket queue, a
// dashboard). The relay delivers at least once, so every delivery carries the escalation id as a
// stable event id the receiver de-duplicates on, and an HMAC signature so the receiver can trust it.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Text } from '../../engine/definition/types.generated.ts';
import type { Notifier } from '../../engine/ports.ts';
import type { Escalation } from '../../engine/domain.ts';

export interface WebhookOptions {
  /** Where to POST (http or https). */
  url: string;
  /** The secret shared with the receiver; it keys the signature. */
  secret: string;
  /** How long to wait for an answer, in ms. Default 5000. */
  timeoutMs?: number;
  /** Wall-clock epoch ms, for `sentAt` and the signed timestamp. Default `Date.now`. Not the engine's
   * clock: the receiver checks the timestamp against its own wall clock. */
  now?: () => number;
}

/** The JSON body of a delivery. `id` is the escalation id: the same on every retry. */
export interface WebhookPayload {
  id: string;
  type: `escalation.${Escalation['kind']}`;
  escalation: Escalation;
  message: Text;
  /** ISO 8601, UTC. */
  sentAt: string;
}

export interface VerifyOptions {
  /** How far the timestamp may be from `now`, in seconds (either way). Default 300. */
  toleranceS?: number;
  /** The receiver's clock, epoch ms. Default `Date.now()`. */
  now?: number;
}

/**
 * POSTs each escalation as JSON ({@link WebhookPayload}) with these headers:
 *
 * - `X-Tiendo-Event-Id`: the escalation id. Delivery is at least once: de-duplicate on it.
 * - `X-Tiendo-Timestamp`: unix seconds when this attempt was signed.
 * - `X-Tiendo-Signature`: `sha256=<hex>`, the HMAC-SHA256 of `"<timestamp>.<raw body>"` keyed with
 *   the shared secret (the Stripe / GitHub scheme). Receivers check it over the raw bytes, before
 *   parsing, with {@link verifyWebhookSignature}; the timestamp in the signed text stops replays.
 *
 * A 2xx answer is success. Anything else — another status (redirects are not followed), a network
 * error, no answer within `timeoutMs` — throws, and the relay tries again later.
 */
export class WebhookNotifier implements Notifier {
  private readonly url: string;
  private readonly shownUrl: string;
  private readonly secret: string;
  private readonly timeoutMs: number;
  private readonly now: () => number;

  constructor(options: WebhookOptions) {
    const url = parseHttpUrl(options.url);
    if (!options.secret) throw new Error(`webhook ${shown(url)}: a secret is required to sign deliveries`);
    this.url = url.href;
    this.shownUrl = shown(url);
    this.secret = options.secret;
    this.timeoutMs = options.timeoutMs ?? 5000;
    this.now = options.now ?? Date.now;
  }

  async notify({ escalation, message }: { escalation: Escalation; message: Text }): Promise<void> {
    const now = this.now();
    const payload: WebhookPayload = { id: escalation.id, type: `escalation.${escalation.kind}`, escalation, message, sentAt: new Date(now).toISOString() };
    const body = JSON.stringify(payload);
    const timestamp = Math.floor(now / 1000);
    let response: Response;
    try {
      response = await fetch(this.url, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          'User-Agent': 'tiendo-webhook/1',
          'X-Tiendo-Event-Id': escalation.id,
          'X-Tiendo-Timestamp': String(timestamp),
          'X-Tiendo-Signature': signWebhook(this.secret, timestamp, body),
        },
        body,
        // A redirect would re-send a signed delivery somewhere nobody configured.
        redirect: 'manual',
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      throw new Error(`webhook ${this.shownUrl}: no answer (${reason(error, this.timeoutMs)})`, { cause: error });
    }
    if (response.status < 200 || response.status > 299) {
      const text = (await response.text().catch(() => '')).trim().slice(0, 200);
      throw new Error(`webhook ${this.shownUrl} answered ${response.status} ${response.statusText}${text ? `: ${text}` : ''}`);
    }
    // Nothing to read, but the body must be consumed for the connection to be reused.
    await response.body?.cancel();
  }
}

/** The `X-Tiendo-Signature` value for a body signed at `timestamp` (unix seconds). */
export function signWebhook(secret: string, timestamp: number | string, rawBody: string | Buffer): string {
  return `sha256=${hmac(secret, String(timestamp), rawBody).toString('hex')}`;
}

/**
 * Checks a delivery on the receiving side: the signature header must be the HMAC of
 * `"<timestamp>.<raw body>"` under `secret` (compared in constant time), and the timestamp within
 * `toleranceS` of `now`. Pass the body exactly as received, before any JSON parsing.
 */
export function verifyWebhookSignature(
  secret: string,
  timestamp: string | number | undefined,
  rawBody: string | Buffer,
  header: string | undefined,
  { toleranceS = 300, now = Date.now() }: VerifyOptions = {},
): boolean {
  const ts = typeof timestamp === 'number' ? timestamp : /^\d{1,12}$/.test(timestamp ?? '') ? Number(timestamp) : NaN;
  if (!Number.isSafeInteger(ts) || Math.abs(now / 1000 - ts) > toleranceS) return false;
  const hex = /^sha256=([0-9a-f]{64})$/i.exec(header?.trim() ?? '')?.[1];
  if (!hex) return false;
  return timingSafeEqual(Buffer.from(hex, 'hex'), hmac(secret, String(ts), rawBody));
}

function hmac(secret: string, timestamp: string, rawBody: string | Buffer): Buffer {
  return createHmac('sha256', secret).update(`${timestamp}.`).update(rawBody).digest();
}

function parseHttpUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new Error(`webhook: "${text}" is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`webhook ${shown(url)}: only http and https URLs can be called`);
  return url;
}

/** The URL for messages and logs: without credentials or query string, which may carry tokens. */
function shown(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname}`;
}

function reason(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && error.name === 'TimeoutError') return `nothing within ${timeoutMs} ms`;
  const cause = error instanceof Error ? (error.cause as { code?: string; message?: string } | undefined) : undefined;
  return cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
}
