// The one Notifier the runtime is given: e-mail, a webhook, both or neither, chosen by configuration
// read once at start-up. Delivery fans out to every target, and one failing target fails the notice
// so the relay tries again — without stopping the others from being told now.
import type { Notifier } from '../../engine/ports.ts';
import { EmailNotifier, type RecipientResolver } from './email.ts';
import { WebhookNotifier } from './webhook.ts';

export { EmailNotifier, type EmailOptions, type RecipientResolver } from './email.ts';
export { signWebhook, verifyWebhookSignature, WebhookNotifier, type VerifyOptions, type WebhookOptions, type WebhookPayload } from './webhook.ts';

export const DEFAULT_SMTP_FROM = 'Tiến độ <no-reply@tiendo.local>';

/** Where notices go. Every field is optional: nothing configured, nothing sent beyond the inbox. */
export interface NotifyEnvConfig {
  /** SMTP server (`TIENDO_SMTP_URL`); e-mail is off without it. */
  smtpUrl?: string;
  /** The From header (`TIENDO_SMTP_FROM`). Default {@link DEFAULT_SMTP_FROM}. */
  smtpFrom?: string;
  /** Webhook endpoint (`TIENDO_WEBHOOK_URL`); the webhook is off without it. */
  webhookUrl?: string;
  /** Signing secret (`TIENDO_WEBHOOK_SECRET`); required with `webhookUrl`. */
  webhookSecret?: string;
  /** The app's public address (`TIENDO_BASE_URL`), for links in e-mails. */
  baseUrl?: string;
}

export interface NotifyConfig extends NotifyEnvConfig {
  /** Whom to e-mail for an escalation's notified roles (the app looks users up in its store). */
  recipients: RecipientResolver;
}

/** A notice that one or more targets failed to take. `failed` names them. */
export class NotifyError extends AggregateError {
  readonly code = 'NOTIFY_FAILED';
  constructor(
    readonly failed: string[],
    errors: unknown[],
    escalationId: string,
  ) {
    super(
      errors,
      `escalation ${escalationId} not delivered to ${failed.join(', ')}: ${errors.map((e, i) => `${failed[i]}: ${e instanceof Error ? e.message : String(e)}`).join('; ')}`,
    );
    this.name = 'NotifyError';
  }
}

/** Reads the notification settings once, at start-up. Empty variables count as unset. */
export function loadNotifyConfig(env: NodeJS.ProcessEnv): NotifyEnvConfig {
  const get = (name: string) => env[name]?.trim() || undefined;
  const config: NotifyEnvConfig = { smtpFrom: get('TIENDO_SMTP_FROM') ?? DEFAULT_SMTP_FROM };
  const smtpUrl = get('TIENDO_SMTP_URL');
  const webhookUrl = get('TIENDO_WEBHOOK_URL');
  const webhookSecret = get('TIENDO_WEBHOOK_SECRET');
  const baseUrl = get('TIENDO_BASE_URL');
  if (smtpUrl) config.smtpUrl = checkUrl('TIENDO_SMTP_URL', smtpUrl, ['smtp:', 'smtps:'], false);
  if (webhookUrl) {
    config.webhookUrl = checkUrl('TIENDO_WEBHOOK_URL', webhookUrl, ['http:', 'https:'], false);
    if (!webhookSecret) throw new Error('TIENDO_WEBHOOK_SECRET is required when TIENDO_WEBHOOK_URL is set: deliveries are signed with it');
    config.webhookSecret = webhookSecret;
  }
  if (baseUrl) config.baseUrl = checkUrl('TIENDO_BASE_URL', baseUrl, ['http:', 'https:'], true);
  return config;
}

/** The configured targets as one Notifier ({@link fanOut}), or undefined when none is configured. */
export function notifierFromConfig(config: NotifyConfig): Notifier | undefined {
  const targets: Record<string, Notifier> = {};
  if (config.smtpUrl) {
    targets.email = new EmailNotifier({
      smtpUrl: config.smtpUrl,
      from: config.smtpFrom ?? DEFAULT_SMTP_FROM,
      recipients: config.recipients,
      ...(config.baseUrl ? { baseUrl: config.baseUrl } : {}),
    });
  }
  if (config.webhookUrl) {
    if (!config.webhookSecret) throw new Error('webhookSecret is required with webhookUrl: deliveries are signed with it');
    targets.webhook = new WebhookNotifier({ url: config.webhookUrl, secret: config.webhookSecret });
  }
  return Object.keys(targets).length ? fanOut(targets) : undefined;
}

/**
 * Delivers each notice to every target at once. When any fails, throws one {@link NotifyError}
 * naming the failed targets, after the others have delivered. The relay then retries the whole
 * notice, so a retry re-sends to the targets that succeeded: receivers de-duplicate by the
 * escalation id (`X-Tiendo-Event-Id`, `X-Tiendo-Escalation`).
 */
export function fanOut(targets: Record<string, Notifier>): Notifier {
  const entries = Object.entries(targets);
  return {
    async notify(notice) {
      const results = await Promise.allSettled(entries.map(([, n]) => n.notify(notice)));
      const failed = results.flatMap((r, i) => (r.status === 'rejected' ? [{ name: entries[i]![0], error: r.reason as unknown }] : []));
      if (failed.length)
        throw new NotifyError(
          failed.map((f) => f.name),
          failed.map((f) => f.error),
          notice.escalation.id,
        );
    },
  };
}

function checkUrl(name: string, value: string, protocols: string[], showValue: boolean): string {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  // SMTP and webhook URLs may hold a password or a token: name the variable, not its value.
  if (!url || !protocols.includes(url.protocol))
    throw new Error(`${name}${showValue ? ` "${value}"` : ''} is not a ${protocols.map((p) => `${p}//`).join(' or ')} URL`);
  return value;
}
